"""XLIFF 1.2 and 2.0, the bilingual files CAT tools write (Trados, memoQ, OmegaT, Phrase...).

Each translation unit (1.2 ``<trans-unit>``, 2.0 ``<segment>`` of a ``<unit>``) becomes an
aligned pair; a unit without a translation yet gives its source alone. The file's source and
target languages (1.2 ``source-language``/``target-language`` of each ``<file>``, 2.0
``srcLang``/``trgLang``) say which side is Chinese, so English-to-Chinese jobs read as well.
Inline codes (``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``) are markup, not text; the text inside
``<g>``, ``<mrk>``, ``<pc>`` and ``<sub>`` is kept. Trados' ``.sdlxliff`` and memoQ's
``.mqxliff`` are read when they are plain XLIFF 1.2.

Untrusted XML is read as the TBX reader reads it: no entities, no network, no DTD, and a
DOCTYPE that declares anything is refused before the body is read.
"""

from __future__ import annotations

import io

from lxml import etree

from termbase.ingest.errors import IngestError
from termbase.ingest.formats import Extracted
from termbase.ingest.layout import Item
from termbase.records import LANG_ZH_HANT, Layout, SegmentKind, SegmentRecord
from termbase.tbx.parse import TbxError, sniff_root
from termbase.text.lang import is_chinese, normalize_language_tag

_CODES = frozenset({"ph", "bpt", "ept", "it", "sm", "em", "sc", "ec", "x", "bx", "ex"})
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) not in _CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean(element: etree._Element | None) -> str:
    return " ".join(_text(element).split()) if element is not None else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _sides(source_lang: str | None, target_lang: str | None, *, name: str, line: int | None) -> bool:
    """Whether the source side is the Chinese one; raises when the pair is not Chinese and English."""
    source = normalize_language_tag(source_lang) if source_lang else None
    target = normalize_language_tag(target_lang) if target_lang else None
    if source is not None and is_chinese(source) and (target is None or not is_chinese(target)):
        if target_lang and target is None:
            raise IngestError(
                f"XLIFF languages {source_lang} → {target_lang}: the target is not English",
                file=name,
                line=line,
            )
        return True
    if target is not None and is_chinese(target) and (source is None or not is_chinese(source)):
        if source_lang and source is None:
            raise IngestError(
                f"XLIFF languages {source_lang} → {target_lang}: the source is not English",
                file=name,
                line=line,
            )
        return False
    raise IngestError(
        f"XLIFF languages {source_lang or '(none)'} → {target_lang or '(none)'}: "
        "one side must be Chinese and the other English",
        file=name,
        line=line,
    )


def _record(source: str, target: str, *, zh_source: bool) -> SegmentRecord | None:
    zh, en = (source, target) if zh_source else (target, source)
    if zh and en:
        return SegmentRecord(SegmentKind.PAIR, zh_text=zh, en_text=en, alignment="xliff")
    if zh:
        return SegmentRecord(SegmentKind.ZH, zh_text=zh, alignment="unaligned")
    if en:
        return SegmentRecord(SegmentKind.EN, en_text=en, alignment="unaligned")
    return None


def _units_12(root: etree._Element, name: str, languages: set[str]) -> list[Item]:
    items: list[Item] = []
    for file in (c for c in root.iter() if _local(c.tag) == "file"):
        source_lang, target_lang = file.get("source-language"), file.get("target-language")
        zh_source = _sides(source_lang, target_lang, name=name, line=file.sourceline)
        languages.update(x for x in (source_lang, target_lang) if x)
        for unit in (c for c in file.iter() if _local(c.tag) == "trans-unit"):
            source = _child(unit, "seg-source")
            if source is None:
                source = _child(unit, "source")
            record = _record(_clean(source), _clean(_child(unit, "target")), zh_source=zh_source)
            if record is not None:
                items.append(record)
    return items


def _units_20(root: etree._Element, name: str, languages: set[str]) -> list[Item]:
    source_lang, target_lang = root.get("srcLang"), root.get("trgLang")
    zh_source = _sides(source_lang, target_lang, name=name, line=root.sourceline)
    languages.update(x for x in (source_lang, target_lang) if x)
    items: list[Item] = []
    for unit in (c for c in root.iter() if _local(c.tag) == "unit"):
        for segment in (c for c in unit if _local(c.tag) == "segment"):
            record = _record(
                _clean(_child(segment, "source")), _clean(_child(segment, "target")), zh_source=zh_source
            )
            if record is not None:
                items.append(record)
    return items


def read_xliff(data: bytes, *, name: str) -> Extracted:
    """Every translation unit of an XLIFF file, as a pair (or its source alone)."""
    try:
        tag, _ = sniff_root(io.BytesIO(data))
    except TbxError as exc:
        raise IngestError(exc.message, file=name, line=exc.line) from None
    if _local(tag) != "xliff":
        raise IngestError(f"XML file whose root is <{_local(tag)}>, not XLIFF", file=name)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"malformed XLIFF: {exc.msg}", file=name, line=exc.lineno) from None
    version = (root.get("version") or "").strip()
    languages: set[str] = set()
    if version.startswith("2"):
        items = _units_20(root, name, languages)
    elif version.startswith("1") or not version:
        items = _units_12(root, name, languages)
    else:
        raise IngestError(f"XLIFF version {version} is not read (1.2 and 2.0 are)", file=name)
    if not items:
        raise IngestError("the XLIFF file holds no translation unit with text", file=name)
    hant = any(normalize_language_tag(x) == LANG_ZH_HANT for x in languages)
    return Extracted(items=items, layout=Layout.XLIFF, zh_hant=hant)
