"""Bilingual layouts told apart from the text: which paragraph is in which language, and how they go.

Every paragraph (or line) gets a language from its characters: Chinese (Simplified or
Traditional) when its Han characters outweigh its Latin letters, English otherwise, none when
it holds neither (a date, a number). A paragraph that is a Chinese part followed by its English
(or the reverse), such as a bilingual title line ``数据治理 Data Governance``, is a pair by itself.
The document's layout then follows from the sequence of languages:

* ``zh-only`` / ``en-only``: one language (at most 2 % of the text in the other);
* ``en-then-zh`` / ``zh-then-en``: one block then the other (at most 10 % misplaced);
* ``alternating``: Chinese and English paragraphs (or groups of them) take turns throughout;
* ``line-pairs``: most paragraphs are bilingual lines;
* ``table``: most of the document is pairs a format gave (a two-column table).

Anything else is ambiguous and refused with what was seen ("paragraphs 1–12 alternate,
13–40 are all Chinese"). The Chinese paragraphs and the English ones of a bilingual layout are
aligned with Gale–Church and lexical anchors (:mod:`termbase.ingest.align`), so a paragraph
present on one side only stays unaligned.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from termbase.ingest import sentences
from termbase.ingest.align import Aligner, align_paragraphs
from termbase.ingest.errors import IngestError
from termbase.records import Layout, SegmentKind, SegmentRecord
from termbase.text.lang import normalize_language_tag
from termbase.text.normalize import HAN_RE

ZH = "zh"
EN = "en"
BOTH = "both"  # a bilingual line, or a pair given by the format

ONE_LANGUAGE_SHARE = 0.02  # at most this share of the text in the other language: one language
BLOCK_MISFIT = 0.1  # at most this share misplaced: one block then the other
ALTERNATING_DRIFT = 0.35  # how far one language may run ahead of the other in an alternating text
SHORT_RUN = 3  # paragraphs in a row in one language that still count as taking turns
PAIRS_SHARE = 0.6
CHUNK = 80  # paragraphs of an alternating text aligned together  # share of paragraphs that are pairs for a line-pairs or table layout
BILINGUAL_BALANCE = 0.35  # the smaller side of a bilingual line weighs at least this share of the larger

_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
_OPENING = re.compile(r"[(（\[【《〈「『“‘\"']")
_NAMES = {ZH: "Chinese", EN: "English"}
# A separator between the two parts of a bilingual line ("数据主权 | Data Sovereignty", "… / …").
_SEPARATOR_END = re.compile(r"[\s|｜/／–—:：]+$")
_SEPARATOR_START = re.compile(r"^[\s|｜/／–—:：]+")


def mass(text: str) -> tuple[float, float]:
    """(Chinese, English) weight of a text, in Chinese-character equivalents."""
    han = len(HAN_RE.findall(text))
    latin = len(_LATIN.findall(text))
    return float(han), latin / 3.0


def split_bilingual(text: str) -> tuple[str, str] | None:
    """``(Chinese, English)`` when a line is a Chinese part and its English, in either order.

    The two parts must be cut at a space, each must hold only its own script, neither may be a
    parenthesis of the other (``云计算（cloud computing）``) and they must weigh about the same, so a
    Chinese sentence that ends in an English name stays Chinese.
    """
    han = [m.start() for m in HAN_RE.finditer(text)]
    latin = [m.start() for m in _LATIN.finditer(text)]
    if len(han) < 2 or len(latin) < 2:
        return None
    if han[-1] < latin[0]:
        gap_start, gap_end, zh_first = han[-1] + 1, latin[0], True
    elif latin[-1] < han[0]:
        gap_start, gap_end, zh_first = latin[-1] + 1, han[0], False
    else:
        return None
    gap = text[gap_start:gap_end]
    spaces = list(_SPACE.finditer(gap))
    if not spaces or _OPENING.search(gap):
        return None
    cut = spaces[0] if zh_first else spaces[-1]
    first = _SEPARATOR_END.sub("", text[: gap_start + cut.start()])
    second = _SEPARATOR_START.sub("", text[gap_start + cut.end() :])
    zh, en = (first, second) if zh_first else (second, first)
    zh_weight, en_weight = len(han), len(latin) / 3.0
    if min(zh_weight, en_weight) < BILINGUAL_BALANCE * max(zh_weight, en_weight):
        return None
    return zh, en


def language(text: str) -> str | None:
    """``zh``, ``en`` or ``both`` (a bilingual line); None when the text holds no words."""
    if split_bilingual(text) is not None:
        return BOTH
    zh, en = mass(text)
    if zh == en == 0:
        return None
    return ZH if zh >= en else EN


# Items: what a reader hands over, paragraphs as text and the pairs a format already made.

Item = str | SegmentRecord


@dataclass(frozen=True, slots=True)
class Labelled:
    """A paragraph's language and weight; neutral paragraphs take their neighbour's language."""

    language: str  # zh, en or both
    zh: float
    en: float
    given: bool = False  # a pair the format made (a table row), not a bilingual line


def label(items: Iterable[Item]) -> list[Labelled]:
    out: list[Labelled] = []
    pending_neutral = 0
    for item in items:
        if isinstance(item, SegmentRecord):
            out.append(Labelled(BOTH, 0.0, 0.0, given=True))
            continue
        found = language(item)
        if found is None:
            previous = next((x.language for x in reversed(out) if x.language != BOTH), None)
            if previous is None:
                pending_neutral += 1
                out.append(Labelled(BOTH, 0.0, 0.0))  # settled below, once a language is seen
            else:
                out.append(Labelled(previous, 0.0, 0.0))
            continue
        zh, en = mass(item) if found != BOTH else (0.0, 0.0)
        if pending_neutral and found != BOTH:
            for index in range(len(out) - pending_neutral, len(out)):
                out[index] = Labelled(found, 0.0, 0.0)
            pending_neutral = 0
        out.append(Labelled(found, zh, en))
    return out


def _runs(labels: Sequence[tuple[int, str]]) -> list[tuple[str, int, int]]:
    """(language, first, last) of each run of paragraphs in one language; numbers from 1."""
    runs: list[tuple[str, int, int]] = []
    for number, lang in labels:
        if runs and runs[-1][0] == lang:
            runs[-1] = (lang, runs[-1][1], number)
        else:
            runs.append((lang, number, number))
    return runs


def _span(first: int, last: int) -> str:
    return f"paragraph {first}" if first == last else f"paragraphs {first}–{last}"


def describe(labels: Sequence[Labelled]) -> str:
    """What the sequence of languages looks like, in words: "paragraphs 1–12 alternate, 13–40 are all Chinese"."""
    numbered = [(n, x.language) for n, x in enumerate(labels, start=1) if x.language != BOTH]
    regions: list[tuple[str, int, int]] = []  # ("alternate" | zh | en, first, last)
    for lang, first, last in _runs(numbered):
        if last - first + 1 <= SHORT_RUN and regions and regions[-1][0] in ("alternate", ZH, EN):
            previous = regions[-1]
            if previous[0] == "alternate" or previous[2] - previous[1] + 1 <= SHORT_RUN:
                regions[-1] = ("alternate", previous[1], last)
                continue
        regions.append((lang, first, last))
    parts = []
    for index, (kind, first, last) in enumerate(regions):
        span = _span(first, last) if index == 0 else _span(first, last).split(" ", 1)[1]
        if kind == "alternate":
            parts.append(f"{span} alternate")
        else:
            verb = "is" if first == last else "are all"
            parts.append(f"{span} {verb} {_NAMES[kind]}")
    return ", ".join(parts)


def _best_split(labels: Sequence[Labelled]) -> tuple[int, float, float]:
    """Where a first block ends (index), and the misplaced shares for English first and Chinese first."""
    zh_total = sum(x.zh for x in labels)
    en_total = sum(x.en for x in labels)
    total = (zh_total + en_total) or 1.0
    zh_before = en_before = 0.0
    best_en_first = (0.0, 0)
    best_zh_first = (0.0, 0)
    for count, x in enumerate(labels, start=1):
        zh_before += x.zh
        en_before += x.en
        if zh_before - en_before < best_en_first[0]:
            best_en_first = (zh_before - en_before, count)
        if en_before - zh_before < best_zh_first[0]:
            best_zh_first = (en_before - zh_before, count)
    en_first = (best_en_first[0] + en_total) / total
    zh_first = (best_zh_first[0] + zh_total) / total
    index = best_en_first[1] if en_first <= zh_first else best_zh_first[1]
    return index, en_first, zh_first


def _drift(labels: Sequence[Labelled]) -> float:
    """How far, as a share of its own total, one language ever runs ahead of the other."""
    zh_total = sum(x.zh for x in labels) or 1.0
    en_total = sum(x.en for x in labels) or 1.0
    zh_seen = en_seen = worst = 0.0
    for x in labels:
        zh_seen += x.zh / zh_total
        en_seen += x.en / en_total
        worst = max(worst, abs(zh_seen - en_seen))
    return worst


_EXPECTED = (
    "expected Chinese and English paragraphs taking turns throughout, the whole text in one "
    "language then the whole text in the other, or one pair per line as 'Chinese | English'"
)


def detect(labels: Sequence[Labelled], *, file: str) -> Layout:
    """The layout of a document from its paragraphs' languages; raises when it stays ambiguous."""
    if not labels:
        raise IngestError("no text found (only boilerplate or punctuation)", file=file)
    pairs = sum(1 for x in labels if x.language == BOTH)
    given = sum(1 for x in labels if x.given)
    if pairs >= PAIRS_SHARE * len(labels):
        return Layout.TABLE if given > pairs - given else Layout.LINE_PAIRS
    content = [x for x in labels if x.language != BOTH]
    zh_total = sum(x.zh for x in content)
    en_total = sum(x.en for x in content)
    total = zh_total + en_total
    if total == 0:
        return Layout.LINE_PAIRS
    if en_total <= ONE_LANGUAGE_SHARE * total:
        return Layout.ZH_ONLY
    if zh_total <= ONE_LANGUAGE_SHARE * total:
        return Layout.EN_ONLY
    _, en_first, zh_first = _best_split(content)
    if min(en_first, zh_first) <= BLOCK_MISFIT:
        return Layout.EN_THEN_ZH if en_first <= zh_first else Layout.ZH_THEN_EN
    runs = _runs([(n, x.language) for n, x in enumerate(content, start=1)])
    longest = max(last - first + 1 for _, first, last in runs)
    if len(runs) >= 3 and (_drift(content) <= ALTERNATING_DRIFT or longest <= SHORT_RUN):
        return Layout.ALTERNATING
    raise IngestError(f"ambiguous layout: {describe(labels)}; {_EXPECTED}", file=file)


# Reading -----------------------------------------------------------------------------------------


def _one_sided(text: str, lang: str) -> SegmentRecord:
    if lang == ZH:
        return SegmentRecord(SegmentKind.ZH, zh_text=text, alignment="unaligned")
    return SegmentRecord(SegmentKind.EN, en_text=text, alignment="unaligned")


def _pair_of(item: Item) -> SegmentRecord | None:
    if isinstance(item, SegmentRecord):
        return item
    if (parts := split_bilingual(item)) is not None:
        return SegmentRecord(SegmentKind.PAIR, zh_text=parts[0], en_text=parts[1], alignment="source")
    return None


def _sentences(text: str, lang: str) -> Iterator[SegmentRecord]:
    for start, end in sentences.split(text, chinese=lang == ZH):
        piece = text[start:end]
        if lang == ZH:
            yield SegmentRecord(SegmentKind.ZH, zh_text=piece, alignment="source")
        else:
            yield SegmentRecord(SegmentKind.EN, en_text=piece, alignment="source")


def _chunks(
    zh_side: list[tuple[int, str]], en_side: list[tuple[int, str]], labels: Sequence[Labelled]
) -> list[tuple[list[tuple[int, str]], list[tuple[int, str]]]]:
    """An alternating text cut into pieces of about ``CHUNK`` paragraphs, aligned one by one.

    A translation sits next to its original, so the text can be cut between two groups (a run of
    paragraphs in the language that comes first, and the run in the other language after it)
    without parting a pair; aligning pieces keeps a long text's alignment fast and local. Which
    language comes first is the order whose groups balance best.
    """
    runs = _runs([(n, x.language) for n, x in enumerate(labels) if x.language in (ZH, EN)])
    if len(zh_side) + len(en_side) <= CHUNK or len(runs) < 2:
        return [(zh_side, en_side)]
    zh_total = sum(x.zh for x in labels) or 1.0
    en_total = sum(x.en for x in labels) or 1.0

    def weight(run: tuple[str, int, int]) -> float:
        lang, first, last = run
        total = sum(labels[i].zh if lang == ZH else labels[i].en for i in range(first, last + 1))
        return total / (zh_total if lang == ZH else en_total)

    def mismatch(first_language: str) -> float:
        cost, index = 0.0, 0
        while index < len(runs):
            if runs[index][0] == first_language and index + 1 < len(runs):
                cost += abs(weight(runs[index]) - weight(runs[index + 1]))
                index += 2
            else:
                cost += weight(runs[index])
                index += 1
        return cost

    first_language = ZH if mismatch(ZH) <= mismatch(EN) else EN
    positions = sorted(p for p, _ in (*zh_side, *en_side))
    cuts: list[int] = []
    since = 0  # index into positions of the first paragraph after the last cut
    for lang, first, _ in runs:
        start = bisect_left(positions, first)
        if lang == first_language and start - since >= CHUNK:
            cuts.append(first)
            since = start
    bounds = [0, *cuts, len(labels)]
    return [
        ([p for p in zh_side if start <= p[0] < end], [p for p in en_side if start <= p[0] < end])
        for start, end in itertools.pairwise(bounds)
    ]


def read(items: Sequence[Item], layout: Layout, *, aligner: Aligner | None = None) -> Iterator[SegmentRecord]:
    """The segments of a document of this layout, in document order."""
    labels = label(items)
    keyed: list[tuple[int, int, SegmentRecord]] = []  # (position, order within it, record)
    zh_side: list[tuple[int, str]] = []
    en_side: list[tuple[int, str]] = []
    block_start: int | None = None
    if layout in (Layout.EN_THEN_ZH, Layout.ZH_THEN_EN):
        content = [i for i, x in enumerate(labels) if x.language != BOTH]
        split, _, _ = _best_split([labels[i] for i in content])
        first_block = EN if layout == Layout.EN_THEN_ZH else ZH
        boundary = content[split] if split < len(content) else len(items)
        block_start = content[0] if content else 0
    for position, (item, x) in enumerate(zip(items, labels, strict=True)):
        if (pair := _pair_of(item)) is not None:
            keyed.append((position, 0, pair))
            continue
        assert isinstance(item, str)
        lang = x.language if x.language != BOTH else (language(item) or EN)
        if layout in (Layout.ZH_ONLY, Layout.EN_ONLY):
            if (lang == ZH) == (layout == Layout.ZH_ONLY):
                keyed.extend((position, n, r) for n, r in enumerate(_sentences(item, lang)))
            else:
                keyed.append((position, 0, _one_sided(item, lang)))
        elif layout in (Layout.LINE_PAIRS, Layout.TABLE):
            keyed.append((position, 0, _one_sided(item, lang)))
        elif layout in (Layout.EN_THEN_ZH, Layout.ZH_THEN_EN):
            expected = first_block if position < boundary else (ZH if first_block == EN else EN)
            if lang != expected and x.zh + x.en > 0:
                keyed.append((position, 0, _one_sided(item, lang)))
            else:
                (zh_side if expected == ZH else en_side).append((position, item))
        else:
            (zh_side if lang == ZH else en_side).append((position, item))
    if zh_side or en_side:
        chunks = _chunks(zh_side, en_side, labels) if layout == Layout.ALTERNATING else [(zh_side, en_side)]
        order = 0
        for zh_chunk, en_chunk in chunks:
            aligned = align_paragraphs([t for _, t in zh_chunk], [t for _, t in en_chunk], aligner=aligner)
            for unit in aligned:
                order += 1
                places = []
                if unit.zh_index is not None:
                    places.append(zh_chunk[unit.zh_index][0])
                if unit.en_index is not None:
                    places.append(en_chunk[unit.en_index][0])
                if unit.zh_text is not None and unit.en_text is not None:
                    record = SegmentRecord(
                        SegmentKind.PAIR,
                        zh_text=unit.zh_text,
                        en_text=unit.en_text,
                        alignment="gale-church",
                        score=unit.score,
                    )
                elif unit.zh_text is not None:
                    record = _one_sided(unit.zh_text, ZH)
                else:
                    assert unit.en_text is not None
                    record = _one_sided(unit.en_text, EN)
                # A block layout's alignment keeps its own order; taking turns, each unit goes where it was.
                keyed.append((block_start if block_start is not None else min(places), order, record))
    keyed.sort(key=lambda k: (k[0], k[1]))
    for _, _, record in keyed:
        yield record


HEADER_WORDS = frozenset(
    {"zh", "en", "chinese", "english", "source", "target", "中文", "英文", "汉语", "英语", "原文", "译文"}
)


def is_header(fields: Sequence[str]) -> bool:
    """Whether a row only names its columns' languages ("中文 | English", "source | target")."""
    return any(f.strip() for f in fields) and all(
        f.strip().lower() in HEADER_WORDS or normalize_language_tag(f) is not None
        for f in fields
        if f.strip()
    )


def table_items(rows: Sequence[Sequence[str]], *, alignment: str = "table") -> list[Item]:
    """The rows of a table: pairs when one column is Chinese and another English, else the cells.

    The two columns are the ones with the most Chinese and the most English cells; a row whose
    cells there are not in those languages (a header, a note) gives its cells as paragraphs.
    """
    rows = [[" ".join(cell.split()) for cell in row] for row in rows]
    width = max((len(row) for row in rows), default=0)
    zh_votes = [0] * width
    en_votes = [0] * width
    for row in rows:
        for column, cell in enumerate(row):
            found = language(cell) if cell else None
            zh_votes[column] += found == ZH
            en_votes[column] += found == EN
    zh_column = max(range(width), key=lambda c: zh_votes[c], default=0)
    en_column = max((c for c in range(width) if c != zh_column), key=lambda c: en_votes[c], default=-1)
    bilingual = en_column >= 0 and min(zh_votes[zh_column], en_votes[en_column]) >= max(1, len(rows) // 2)
    items: list[Item] = []
    for row in rows:
        cells = [cell for cell in row if cell]
        if is_header(cells):
            continue
        if bilingual and len(row) > max(zh_column, en_column):
            zh, en = row[zh_column], row[en_column]
            if zh and en and language(zh) == ZH and language(en) == EN:
                items.append(SegmentRecord(SegmentKind.PAIR, zh_text=zh, en_text=en, alignment=alignment))
                items.extend(c for i, c in enumerate(row) if c and i not in (zh_column, en_column))
                continue
        items.extend(cells)
    return items
