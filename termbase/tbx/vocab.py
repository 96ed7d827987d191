"""TBX-Basic data categories and how termbase values map onto them, both ways.

Export writes only the canonical TBX-Basic values; import accepts what tools write in
the wild (both generations, the 2025 ``usageStatus`` vocabulary, XCS display names,
Weblate's ``forbidden``), case-insensitively.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT, LANGUAGES, TermReview, UsageStatus
from termbase.text.lang import normalize_language_tag


class Generation(enum.StrEnum):
    """The two TBX generations in use (ISO 30042:2008 ``martif`` and ISO 30042:2019 ``tbx``)."""

    TBX_2008 = "tbx-basic-2008"
    TBX_V3 = "tbx-basic-v3"


TBX_V3_NS = "urn:iso:std:iso:30042:ed-2"
DCT_NAMESPACES = frozenset({"http://www.tbxinfo.net/ns/min", "http://www.tbxinfo.net/ns/basic"})

# Language codes written when the caller does not choose: what most CAT tools match on.
DEFAULT_LANG_CODES: Mapping[str, str] = {LANG_ZH_HANS: "zh-CN", LANG_ZH_HANT: "zh-TW", LANG_EN: "en-US"}
# xs:language, which both generations' schemas use for xml:lang (so "zh_CN" is invalid).
LANGUAGE_CODE_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

# A BCP 47 tag for Hanyu Pinyin romanisation: how a pinyin note is marked.
PINYIN_LANG = "zh-Latn-pinyin"
PINYIN_LABEL = "Pinyin: "
# Notes the termbase writes for values TBX-Basic has no category for (workflow status,
# confidence, term review). CAT tools show them as notes; our importer reads them back.
MARKER_LABEL = "termbase: "
# A header paragraph naming the termbase that wrote the file: its entry ids are then concept ids.
EXPORTED_BY_LABEL = "termbase id: "

_ADMIN_STATUS_OUT: dict[str, str] = {
    UsageStatus.PREFERRED: "preferredTerm-admn-sts",
    UsageStatus.ADMITTED: "admittedTerm-admn-sts",
    UsageStatus.DEPRECATED: "deprecatedTerm-admn-sts",
    UsageStatus.SUPERSEDED: "supersededTerm-admn-sts",
}
_STATUS_IN = {
    "preferred": UsageStatus.PREFERRED,
    "preferredterm": UsageStatus.PREFERRED,
    "standardized": UsageStatus.PREFERRED,
    "admitted": UsageStatus.ADMITTED,
    "admittedterm": UsageStatus.ADMITTED,
    "permitted": UsageStatus.ADMITTED,
    "deprecated": UsageStatus.DEPRECATED,
    "deprecatedterm": UsageStatus.DEPRECATED,
    "forbidden": UsageStatus.DEPRECATED,
    "notrecommended": UsageStatus.DEPRECATED,
    "superseded": UsageStatus.SUPERSEDED,
    "supersededterm": UsageStatus.SUPERSEDED,
    "obsolete": UsageStatus.SUPERSEDED,
}
STATUS_CATEGORIES = frozenset({"administrativeStatus", "usageStatus", "normativeAuthorization"})

PARTS_OF_SPEECH_2008 = ("noun", "verb", "adjective", "adverb", "properNoun", "other")
PARTS_OF_SPEECH_V3 = ("noun", "verb", "adjective", "adverb", "other")
# Free-form values (and jieba/ICTCLAS tags such as "n", "vn", "nz") mapped to TBX values.
_POS_IN = {
    "noun": "noun",
    "n": "noun",
    "vn": "noun",
    "an": "noun",
    "nn": "noun",
    "nns": "noun",
    "common noun": "noun",
    "propernoun": "properNoun",
    "proper noun": "properNoun",
    "proper_noun": "properNoun",
    "propn": "properNoun",
    "nnp": "properNoun",
    "nr": "properNoun",
    "ns": "properNoun",
    "nt": "properNoun",
    "nz": "properNoun",
    "verb": "verb",
    "v": "verb",
    "vb": "verb",
    "vd": "verb",
    "adjective": "adjective",
    "adj": "adjective",
    "a": "adjective",
    "jj": "adjective",
    "ad": "adverb",
    "adverb": "adverb",
    "adv": "adverb",
    "d": "adverb",
    "rb": "adverb",
    "other": "other",
}

TERM_TYPES = ("fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase")
_TERM_TYPE_IN = {
    **{t.lower(): t for t in TERM_TYPES},
    "full form": "fullForm",
    "full_form": "fullForm",
    "full-form": "fullForm",
    "term": "fullForm",
    "short form": "shortForm",
    "short_form": "shortForm",
    "short-form": "shortForm",
    "abbrev": "abbreviation",
    "abbr": "abbreviation",
    "initialism": "acronym",
}

TRANSACTION_ORIGINATION = "origination"
TRANSACTION_MODIFICATION = "modification"
_TRANSACTION_IN = {
    "origination": TRANSACTION_ORIGINATION,
    "creation": TRANSACTION_ORIGINATION,
    "created": TRANSACTION_ORIGINATION,
    "input": TRANSACTION_ORIGINATION,
    "modification": TRANSACTION_MODIFICATION,
    "modified": TRANSACTION_MODIFICATION,
    "update": TRANSACTION_MODIFICATION,
}

_LINE_END_RE = re.compile(r"[ \t]*\r?\n[ \t]*")


def admin_status(status: UsageStatus | str) -> str:
    """The TBX-Basic administrativeStatus value of a usage status."""
    return _ADMIN_STATUS_OUT[status]  # str-valued enum: members and their values hash alike


def usage_status_from_tbx(value: str) -> UsageStatus | None:
    """Read any status vocabulary: ``preferredTerm-admn-sts``, ``preferred``, ``forbidden``…"""
    key = value.strip().lower().replace(" ", "").replace("_", "")
    key = key.removesuffix("-admn-sts")
    return _STATUS_IN.get(key)


def part_of_speech_to_tbx(value: str | None, generation: Generation) -> str:
    """A TBX part of speech for every term: unknown or missing values become ``other``."""
    mapped = _POS_IN.get((value or "").strip().lower(), "other")
    if generation is Generation.TBX_V3 and mapped == "properNoun":
        return "noun"  # TBX-Basic v3 dropped properNoun
    return mapped


def part_of_speech_from_tbx(value: str) -> str | None:
    """The stored part of speech; ``other``, which exports write for none, is none."""
    cleaned = value.strip()
    mapped = _POS_IN.get(cleaned.lower(), cleaned or None)
    return None if mapped == "other" else mapped


def term_type_to_tbx(value: str | None) -> str | None:
    """The TBX-Basic termType, or None when the value has no TBX-Basic equivalent."""
    return _TERM_TYPE_IN.get((value or "").strip().lower())


def term_type_from_tbx(value: str) -> str | None:
    cleaned = value.strip()
    return _TERM_TYPE_IN.get(cleaned.lower(), cleaned or None)


def transaction_kind(value: str) -> str | None:
    return _TRANSACTION_IN.get(value.strip().lower())


def review_marker(review: TermReview | str) -> str | None:
    """The marker note for a term that is not simply accepted."""
    if review == TermReview.ACCEPTED:
        return None
    return f"{MARKER_LABEL}review={TermReview(review).value}"


def tidy_line(text: str | None) -> str:
    """One-line fields (terms, contexts, sources, subject fields): whitespace collapsed."""
    return " ".join(text.split()) if text else ""


def tidy_block(text: str | None) -> str:
    """Multi-line fields (notes, definitions): lines kept, indentation around them dropped."""
    if not text:
        return ""
    if "\n" not in text:
        return text.strip()
    return _LINE_END_RE.sub("\n", text).strip()


def check_language_code(code: str) -> str:
    """Return ``code`` if it is a valid xs:language; raise ValueError otherwise."""
    if not LANGUAGE_CODE_RE.match(code):
        raise ValueError(
            f"{code!r} is not a valid language code (write it as in BCP 47, e.g. zh-CN, with a hyphen)"
        )
    return code


def resolve_lang_codes(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """The language code to write for each termbase language.

    Keys may be any tag that normalizes to a termbase language (``zh`` and ``zh-CN`` mean
    Simplified Chinese). Two languages may not share one code, because an importer could
    then no longer tell them apart.
    """
    codes = dict(DEFAULT_LANG_CODES)
    for key, value in (overrides or {}).items():
        language = normalize_language_tag(key)
        if language is None:
            raise ValueError(f"{key!r} is not a termbase language (use zh, zh-Hans, zh-Hant or en)")
        codes[language] = check_language_code(value.strip())
    seen: dict[str, str] = {}
    for language in LANGUAGES:
        code = codes[language].lower()
        if code in seen:
            raise ValueError(
                f"{seen[code]} and {language} would both be written as {codes[language]!r}; "
                "give them different codes"
            )
        seen[code] = language
    return codes


def parse_lang_codes(text: str) -> dict[str, str]:
    """Parse ``zh=zh-CN,en=en-US`` (as typed on the command line or in a form)."""
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{part.strip()!r} is not LANGUAGE=CODE (e.g. zh=zh-CN)")
        result[key.strip()] = value.strip()
    return result


# The DCA element of each data category a DCT file writes as an element of its own name
# (categories not listed are descrip), so DCT input exports as DCA.
DCA_ELEMENTS = frozenset({"descrip", "admin", "termNote", "xref", "ref", "note"})
_CATEGORY_ELEMENTS = {
    "source": "admin",
    "customerSubset": "admin",
    "projectSubset": "admin",
    "responsibility": "admin",
    "grammaticalGender": "termNote",
    "grammaticalNumber": "termNote",
    "geographicalUsage": "termNote",
    "termLocation": "termNote",
    "xGraphic": "xref",
    "externalCrossReference": "xref",
    "crossReference": "ref",
    "relatedConcept": "ref",
    "relatedTerm": "ref",
}
# Reference types that point at another entry of the same file: kept as links between concepts.
CROSS_REFERENCES = frozenset({"crossReference", "relatedConcept", "relatedTerm"})


def dca_element(category: str) -> str:
    """The DCA element that carries ``category``."""
    return _CATEGORY_ELEMENTS.get(category, "descrip")


# The data categories TBX-Basic (both generations) allows on each element, and the picklists
# among them: a kept field outside these is written as a labelled note, so exports validate.
BASIC_CATEGORIES: Mapping[str, frozenset[str]] = {
    "termNote": frozenset(
        {
            "administrativeStatus",
            "geographicalUsage",
            "grammaticalGender",
            "partOfSpeech",
            "termLocation",
            "termType",
        }
    ),
    "descrip": frozenset({"context", "definition", "subjectField"}),
    "admin": frozenset({"customerSubset", "projectSubset", "source"}),
    "xref": frozenset({"externalCrossReference", "xGraphic"}),
    "ref": frozenset({"crossReference"}),
}
_BASIC_PICKLISTS = {"grammaticalGender": frozenset({"masculine", "feminine", "neuter", "other"})}
# TBX-Basic's one reference type: links are written with it whatever type the file gave.
CROSS_REFERENCE = "crossReference"


def is_basic(element: str, category: str, value: str) -> bool:
    """Whether TBX-Basic takes ``<element type="category">value</element>``."""
    if element == "note":
        return True
    allowed = _BASIC_PICKLISTS.get(category)
    return category in BASIC_CATEGORIES.get(element, ()) and (allowed is None or value in allowed)


def labelled_note(category: str, value: str, target: str | None = None) -> str:
    """A value written as a note, ``category: value`` (with its link in angle brackets)."""
    if target:
        value = f"{value} <{target}>" if value else f"<{target}>"
    return f"{category}: {value}"
