"""Documents from files: find the layout, then read segments as a stream.

Layouts (``termbase.records.Layout``):

* ``pipe-pairs``: one pair per line, ``中文 | English`` (either order; a trailing ``|`` is fine);
* ``en-then-zh``: the whole English text, then the whole Chinese text; aligned here;
* ``en-only``: English only; sentences become segments;
* ``tmx``: a TMX translation memory (``.tmx``, or XML whose root is ``<tmx>``);
* ``tsv``: one pair per line, separated by a tab (``.tsv``/``.tab``, or tab-separated content);
* ``text-pair``: two plain-text files, ``NAME.zh.txt`` and ``NAME.en.txt``; aligned here.

A file is looked at in three steps: :func:`prepare` checks it (size, binary, encoding,
layout) and hashes it; :meth:`DocumentReader.segments` reads it, as often as needed, in
constant memory except for the aligned layouts, which hold one document's paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from termbase.ingest import sentences
from termbase.ingest.align import AlignedText, Aligner, align_paragraphs
from termbase.ingest.decode import SAMPLE_BYTES, InputFile, Inspection, inspect, iter_lines
from termbase.ingest.errors import IngestError
from termbase.ingest.glued import find_splits
from termbase.ingest.paragraphs import Paragraph, is_boilerplate, paragraphs
from termbase.ingest.tmx import TmxStats, read_tmx
from termbase.records import (
    LANG_ZH_HANS,
    LANG_ZH_HANT,
    DocumentRecord,
    Layout,
    SegmentKind,
    SegmentRecord,
)
from termbase.text.lang import is_chinese, normalize_language_tag
from termbase.text.normalize import HAN_RE, to_simplified

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
TITLE_MAX = 200

_LATIN = re.compile(r"[A-Za-z]")
_PIPE = re.compile(r"\s+\|\s+")
_TRAILING_PIPE = re.compile(r"\s*\|\s*$")
_TSV_SUFFIXES = frozenset({".tsv", ".tab"})
_HEADER_WORDS = frozenset(
    {"zh", "en", "chinese", "english", "source", "target", "中文", "英文", "汉语", "英语", "原文", "译文"}
)


# Sources ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One document to read: a single file, or a Chinese file with its English file."""

    name: str  # shown in reports and errors
    stem: str  # the default slug and title
    files: tuple[InputFile, ...]
    zh_file: InputFile | None = None  # set for a text pair
    en_file: InputFile | None = None


def _pair_key(name: str) -> tuple[str, str] | None:
    """``("report", "zh")`` for ``report.zh.txt`` or ``report.zh-Hant.txt``; None otherwise."""
    path = PurePath(name)
    parts = path.name.split(".")
    if len(parts) < 3:
        return None
    language = normalize_language_tag(parts[-2])
    if language is None:
        return None
    return ".".join(parts[:-2]), "zh" if is_chinese(language) else "en"


def stem_of(name: str) -> str:
    base = PurePath(name).name
    return base.split(".", 1)[0] if not base.startswith(".") else base


def group_sources(files: Sequence[InputFile]) -> list[Source]:
    """Pair ``NAME.zh.txt`` with ``NAME.en.txt`` (any zh or en tag); every other file stands alone."""
    keyed: dict[tuple[str, str], dict[str, InputFile]] = {}
    for file in files:
        if (key := _pair_key(file.name)) is not None:
            directory = str(PurePath(file.name).parent)
            keyed.setdefault((directory, key[0]), {}).setdefault(key[1], file)
    paired: set[int] = set()
    sources: list[Source] = []
    for (directory, base), sides in keyed.items():
        if "zh" in sides and "en" in sides:
            zh, en = sides["zh"], sides["en"]
            paired.update({id(zh), id(en)})
            name = str(PurePath(directory) / f"{base}.{{zh,en}}") if directory != "." else f"{base}.{{zh,en}}"
            sources.append(Source(name=name, stem=base, files=(zh, en), zh_file=zh, en_file=en))
    for file in files:
        if id(file) not in paired:
            sources.append(Source(name=file.name, stem=stem_of(file.name), files=(file,)))
    order = {id(f): i for i, f in enumerate(files)}
    sources.sort(key=lambda s: min(order[id(f)] for f in s.files))
    return sources


# Classification ---------------------------------------------------------------------------


def _mass(text: str) -> tuple[float, float]:
    """(Chinese, English) weight of a text, in Chinese-character equivalents."""
    han = len(HAN_RE.findall(text))
    latin = len(_LATIN.findall(text))
    return float(han), latin / 3.0


def _has_both(left: str, right: str) -> bool:
    return bool(
        (HAN_RE.search(left) and _LATIN.search(right) and not HAN_RE.search(right))
        or (HAN_RE.search(right) and _LATIN.search(left) and not HAN_RE.search(left))
    )


def _looks_like_pairs(lines: list[str], separator: re.Pattern[str]) -> bool:
    content = [line for line in lines if line.strip() and not is_boilerplate(line.strip())]
    if not content:
        return False
    paired = 0
    for line in content:
        fields = separator.split(_TRAILING_PIPE.sub("", line.strip()))
        if len(fields) >= 2 and any(_has_both(a, b) for a in fields for b in fields if a is not b):
            paired += 1
    return paired >= 0.6 * len(content)


@dataclass(frozen=True, slots=True)
class Split:
    """Where the English part of an English-then-Chinese text ends, and how well it fits."""

    index: int  # first paragraph of the Chinese part
    misfit: float  # share of the text in the wrong language for its part
    zh_first_misfit: float  # the same share if the text were Chinese first


def find_split(masses: Iterable[tuple[float, float]]) -> tuple[Split, float, float]:
    """The best switch point from English to Chinese, computed in one pass.

    Returns the split and the total Chinese and English weights.
    """
    zh_before = en_before = 0.0
    best_en_first = (0.0, 0)  # min over k of zh_before(k) - en_before(k)
    best_zh_first = (0.0, 0)  # min over k of en_before(k) - zh_before(k)
    count = 0
    for count, (zh, en) in enumerate(masses, start=1):
        zh_before += zh
        en_before += en
        if zh_before - en_before < best_en_first[0]:
            best_en_first = (zh_before - en_before, count)
        if en_before - zh_before < best_zh_first[0]:
            best_zh_first = (en_before - zh_before, count)
    total = (zh_before + en_before) or 1.0
    # cost(k) = zh_before(k) + en_total - en_before(k)
    en_first_cost = best_en_first[0] + en_before
    zh_first_cost = best_zh_first[0] + zh_before
    return Split(best_en_first[1], en_first_cost / total, zh_first_cost / total), zh_before, en_before


# Readers ------------------------------------------------------------------------------------


def _with_splits(record: SegmentRecord) -> SegmentRecord:
    if record.en_text and (splits := find_splits(record.en_text)):
        return replace(record, en_splits=splits)
    return record


def _aligned_records(items: Iterable[AlignedText]) -> Iterator[SegmentRecord]:
    for item in items:
        if item.zh_text is not None and item.en_text is not None:
            yield SegmentRecord(
                SegmentKind.PAIR,
                zh_text=item.zh_text,
                en_text=item.en_text,
                alignment="gale-church",
                score=item.score,
            )
        elif item.zh_text is not None:
            yield SegmentRecord(SegmentKind.ZH, zh_text=item.zh_text, alignment="unaligned")
        elif item.en_text is not None:
            yield SegmentRecord(SegmentKind.EN, en_text=item.en_text, alignment="unaligned")


def _sentences(text: str, *, chinese: bool) -> Iterator[str]:
    for start, end in sentences.split(text, chinese=chinese):
        yield text[start:end]


def _pair_from_fields(fields: Sequence[str], *, file: str, line: int, alignment: str) -> SegmentRecord:
    """A pair from the fields of one line: the side with Chinese is the Chinese side."""
    fields = [f.strip() for f in fields if f.strip()]
    if not fields:
        raise IngestError("empty line in the middle of pairs", file=file, line=line)
    if len(fields) == 1:
        text = fields[0]
        if HAN_RE.search(text):
            return SegmentRecord(SegmentKind.ZH, zh_text=text, alignment="unaligned")
        return SegmentRecord(SegmentKind.EN, en_text=text, alignment="unaligned")
    if len(fields) == 2:
        left_han, right_han = HAN_RE.search(fields[0]) is not None, HAN_RE.search(fields[1]) is not None
        if left_han != right_han:  # the usual case, decided without counting
            zh, en = (fields[0], fields[1]) if left_han else (fields[1], fields[0])
            return SegmentRecord(SegmentKind.PAIR, zh_text=zh, en_text=en, alignment=alignment)
    # Both sides Chinese, or several separators: cut where the scripts change the most.
    best, best_gap = 1, -1.0
    for cut in range(1, len(fields)):
        left, right = " ".join(fields[:cut]), " ".join(fields[cut:])
        gap = abs(_han_share(left) - _han_share(right))
        if gap > best_gap:
            best, best_gap = cut, gap
    left, right = " | ".join(fields[:best]), " | ".join(fields[best:])
    zh, en = (left, right) if _han_share(left) >= _han_share(right) else (right, left)
    if not HAN_RE.search(zh):
        raise IngestError("neither side of this pair is Chinese", file=file, line=line)
    return SegmentRecord(SegmentKind.PAIR, zh_text=zh, en_text=en, alignment=alignment)


def _han_share(text: str) -> float:
    zh, en = _mass(text)
    return zh / (zh + en) if zh + en else 0.0


@dataclass(slots=True)
class ScriptCounter:
    """Counts Han characters and how many of them are Traditional-only."""

    han: int = 0
    traditional: int = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        han = HAN_RE.findall(text)
        if han:
            joined = "".join(han)
            self.han += len(joined)
            self.traditional += sum(1 for a, b in zip(joined, to_simplified(joined), strict=True) if a != b)

    @property
    def script(self) -> str:
        return LANG_ZH_HANT if self.han and self.traditional / self.han >= 0.05 else LANG_ZH_HANS


@dataclass(slots=True)
class DocumentReader:
    """A checked, hashed source whose segments can be read (again) as a stream."""

    source: Source
    layout: Layout
    content_hash: str
    inspections: tuple[Inspection, ...]
    title_guess: str
    _read: Callable[[DocumentReader], Iterator[SegmentRecord]] = field(repr=False)
    aligner: Aligner | None = field(default=None, repr=False)
    tmx_stats: TmxStats = field(default_factory=TmxStats, repr=False)

    def segments(self, *, splits: bool = True) -> Iterator[SegmentRecord]:
        """The segments, read afresh; ``splits=False`` skips finding glued words (for checking only)."""
        for record in self._read(self):
            yield _with_splits(record) if splits else record

    def lines(self, index: int = 0) -> Iterator[tuple[int, str]]:
        return iter_lines(self.source.files[index], self.inspections[index].encoding)

    def paragraphs(self, index: int = 0) -> list[Paragraph]:
        return list(paragraphs(self.lines(index)))

    @property
    def filename(self) -> str:
        return self.source.name


def _read_pipe_pairs(reader: DocumentReader) -> Iterator[SegmentRecord]:
    name = reader.source.name
    for number, line in reader.lines():
        text = _TRAILING_PIPE.sub("", line.strip())
        if not text:
            continue
        yield _pair_from_fields(_PIPE.split(text), file=name, line=number, alignment="source")


def _tsv_field(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('""', '"')
    return value


def _is_header(fields: Sequence[str]) -> bool:
    return bool(fields) and all(
        f.strip().lower() in _HEADER_WORDS or normalize_language_tag(f) is not None
        for f in fields
        if f.strip()
    )


def _read_tsv(reader: DocumentReader) -> Iterator[SegmentRecord]:
    name = reader.source.name
    first = True
    for number, line in reader.lines():
        if not line.strip():
            continue
        fields = [_tsv_field(f) for f in line.split("\t")]
        if first:
            first = False
            if _is_header(fields):
                continue
        if "\t" not in line:
            raise IngestError(
                "no tab on this line: a TSV line holds Chinese<TAB>English", file=name, line=number
            )
        yield _pair_from_fields(fields, file=name, line=number, alignment="tsv")


def _read_tmx(reader: DocumentReader) -> Iterator[SegmentRecord]:
    yield from read_tmx(reader.source.files[0], reader.tmx_stats)


def _read_en_only(reader: DocumentReader) -> Iterator[SegmentRecord]:
    for paragraph in paragraphs(reader.lines()):
        for sentence in _sentences(paragraph.text, chinese=False):
            yield SegmentRecord(SegmentKind.EN, en_text=sentence, alignment="source")


def _split_sides(items: Sequence[Paragraph], split: int) -> tuple[list[str], list[str], list[Paragraph]]:
    """English paragraphs before ``split``, Chinese after, and those in the wrong language."""
    english: list[str] = []
    chinese: list[str] = []
    misfits: list[Paragraph] = []
    for index, paragraph in enumerate(items):
        zh, en = _mass(paragraph.text)
        if index < split and zh > en or index >= split and en > zh:
            misfits.append(paragraph)
        elif index < split:
            english.append(paragraph.text)
        else:
            chinese.append(paragraph.text)
    return english, chinese, misfits


def _misfit_records(misfits: Iterable[Paragraph]) -> Iterator[SegmentRecord]:
    for paragraph in misfits:
        zh, en = _mass(paragraph.text)
        if zh > en:
            yield SegmentRecord(SegmentKind.ZH, zh_text=paragraph.text, alignment="unaligned")
        else:
            yield SegmentRecord(SegmentKind.EN, en_text=paragraph.text, alignment="unaligned")


def _read_en_then_zh(reader: DocumentReader) -> Iterator[SegmentRecord]:
    items = reader.paragraphs()
    split, _, _ = find_split(_mass(p.text) for p in items)
    english, chinese, misfits = _split_sides(items, split.index)
    yield from _aligned_records(align_paragraphs(chinese, english, aligner=reader.aligner))
    yield from _misfit_records(misfits)


def _read_text_pair(reader: DocumentReader) -> Iterator[SegmentRecord]:
    chinese = [p.text for p in reader.paragraphs(0)]  # a text pair's files are (Chinese, English)
    english = [p.text for p in reader.paragraphs(1)]
    yield from _aligned_records(align_paragraphs(chinese, english, aligner=reader.aligner))


_READERS: dict[Layout, Callable[[DocumentReader], Iterator[SegmentRecord]]] = {
    Layout.PIPE_PAIRS: _read_pipe_pairs,
    Layout.TSV: _read_tsv,
    Layout.TMX: _read_tmx,
    Layout.EN_ONLY: _read_en_only,
    Layout.EN_THEN_ZH: _read_en_then_zh,
    Layout.TEXT_PAIR: _read_text_pair,
}


# Preparation ------------------------------------------------------------------------------


def _is_xml(sample: str) -> bool:
    return sample.lstrip("\ufeff \t\r\n").startswith("<")


def _is_tmx(sample: str) -> bool:
    head = sample.lstrip("\ufeff \t\r\n")[:4096]
    return head.startswith("<") and re.search(r"<tmx[\s>]", head) is not None


def _paragraph_layout(file: InputFile, inspection: Inspection) -> Layout:
    """English only or English then Chinese, judged over the whole text in one streamed pass."""
    split, zh_total, en_total = find_split(
        _mass(p.text) for p in paragraphs(iter_lines(file, inspection.encoding))
    )
    total = zh_total + en_total
    if total == 0:
        raise IngestError("no text found (only boilerplate or punctuation)", file=file.name)
    if zh_total <= 0.02 * total:
        return Layout.EN_ONLY
    if en_total <= 0.02 * total:
        raise IngestError(
            "unknown layout: Chinese text only. Give its English too: English then Chinese in one "
            "file, one pair per line as 'Chinese | English', or NAME.zh.txt with NAME.en.txt",
            file=file.name,
        )
    if split.misfit <= 0.1:
        return Layout.EN_THEN_ZH
    if split.zh_first_misfit <= 0.1:
        raise IngestError(
            "unknown layout: the Chinese text comes before the English; expected the whole "
            "English text first, then the whole Chinese text",
            file=file.name,
        )
    raise IngestError(
        "unknown layout: English and Chinese paragraphs are interleaved; expected English then "
        "Chinese, or one pair per line as 'Chinese | English'",
        file=file.name,
    )


def detect_layout(file: InputFile, inspection: Inspection) -> Layout:
    """The layout of a single file, from its name and content."""
    suffix = PurePath(file.name).suffix.lower()
    sample = inspection.sample
    if suffix == ".tmx" or _is_tmx(sample):
        return Layout.TMX
    if _is_xml(sample):
        raise IngestError("unknown layout: an XML file that is not a TMX translation memory", file=file.name)
    lines = sample.splitlines()
    if inspection.size > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the sample ends in the middle of this line
    if suffix in _TSV_SUFFIXES or _looks_like_pairs(lines, re.compile(r"\t")):
        return Layout.TSV
    if _looks_like_pairs(lines, _PIPE):
        return Layout.PIPE_PAIRS
    return _paragraph_layout(file, inspection)


def _content_hash(inspections: Sequence[Inspection]) -> str:
    if len(inspections) == 1:
        return inspections[0].sha256
    digest = hashlib.sha256()
    for inspection in inspections:
        digest.update(bytes.fromhex(inspection.sha256))
    return digest.hexdigest()


def _guess_title(reader: DocumentReader) -> str:
    if reader.layout in (Layout.EN_ONLY, Layout.EN_THEN_ZH):
        for paragraph in paragraphs(reader.lines()):
            text = paragraph.text
            if not HAN_RE.search(text) and len(text) <= TITLE_MAX:
                return text
            break
    return reader.source.stem


def prepare(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layout: Layout | None = None,
    aligner: Aligner | None = None,
) -> DocumentReader:
    """Check a source (size, content, encoding), hash it and settle its layout."""
    inspections = tuple(inspect(file, max_bytes=max_bytes) for file in source.files)
    if source.zh_file is not None and source.en_file is not None:
        if layout not in (None, Layout.TEXT_PAIR):
            raise IngestError(f"layout {layout} given for a pair of files", file=source.name)
        found = Layout.TEXT_PAIR
        for file, inspection, chinese in (
            (source.zh_file, inspections[source.files.index(source.zh_file)], True),
            (source.en_file, inspections[source.files.index(source.en_file)], False),
        ):
            zh, en = _mass(inspection.sample)
            if chinese and zh <= en:
                raise IngestError(
                    "named as the Chinese side of a pair but holds no Chinese text", file=file.name
                )
            if not chinese and en <= zh:
                raise IngestError(
                    "named as the English side of a pair but holds mostly Chinese", file=file.name
                )
    else:
        found = detect_layout(source.files[0], inspections[0])
        if layout is not None and layout != found:
            raise IngestError(
                f"the manifest says layout {layout}, but the file reads as {found}", file=source.name
            )
    reader = DocumentReader(
        source=source,
        layout=found,
        content_hash=_content_hash(inspections),
        inspections=inspections,
        title_guess="",
        _read=_READERS[found],
        aligner=aligner,
    )
    reader.title_guess = _guess_title(reader)
    return reader


def read_document(
    source: Source | InputFile,
    *,
    slug: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    metadata: dict[str, str | None] | None = None,
) -> DocumentRecord:
    """Read a whole document into a record (for tests, tools and small files)."""
    if isinstance(source, InputFile):
        source = Source(name=source.name, stem=stem_of(source.name), files=(source,))
    reader = prepare(source, max_bytes=max_bytes)
    scripts = ScriptCounter()
    segments = []
    for record in reader.segments():
        scripts.add(record.zh_text)
        segments.append(record)
    meta = metadata or {}
    return DocumentRecord(
        slug=slug or slugify(source.stem),
        title=meta.get("title") or reader.title_guess,
        layout=reader.layout,
        segments=tuple(segments),
        content_hash=reader.content_hash,
        filename=source.name,
        author=meta.get("author"),
        date=meta.get("date"),
        venue=meta.get("venue"),
        source_url=meta.get("source_url"),
        zh_script=LANG_ZH_HANT if reader.tmx_stats.hant else scripts.script,
    )


def slugify(text: str) -> str:
    """A URL-safe slug: lower-case ASCII words joined by hyphens (other scripts are kept as they are)."""
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-_")
    return slug[:200] or "document"
