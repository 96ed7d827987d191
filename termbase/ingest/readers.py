"""Documents from files: find the layout, then read segments as a stream.

Layouts (``termbase.records.Layout``):

* ``pipe-pairs``: one pair per line, ``中文 | English`` (either order; a trailing ``|`` is fine);
* ``en-then-zh`` / ``zh-then-en``: the whole text in one language, then in the other; aligned here;
* ``alternating``: Chinese and English paragraphs or lines taking turns; aligned here;
* ``line-pairs``: ``中文 English`` per line without a separator (bilingual title lines too);
* ``en-only`` / ``zh-only``: one language; sentences become segments;
* ``table``: two-column tables (a Word file, a web page) give one pair per row;
* ``xliff``: a CAT tool's XLIFF 1.2 or 2.0 file, one pair per translation unit;
* ``tmx``: a TMX translation memory (``.tmx``, or XML whose root is ``<tmx>``);
* ``tsv``: one pair per line, separated by a tab (``.tsv``/``.tab``, or tab-separated content);
* ``text-pair``: two plain-text files, ``NAME.zh.txt`` and ``NAME.en.txt``; aligned here.

Paragraph layouts are told apart in :mod:`termbase.ingest.layout`; web pages, Word files, PDFs
and XLIFF are read by :mod:`termbase.ingest.formats` into paragraphs, then laid out the same way.

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

from termbase.ingest import layout as layouts
from termbase.ingest import sentences
from termbase.ingest.align import AlignedText, Aligner, align_paragraphs
from termbase.ingest.decode import SAMPLE_BYTES, InputFile, Inspection, inspect, iter_lines
from termbase.ingest.errors import IngestError
from termbase.ingest.formats import Extracted, Format, extract, format_of
from termbase.ingest.glued import find_splits
from termbase.ingest.layout import mass as _mass
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
    extracted: Extracted | None = field(default=None, repr=False)  # a web page, Word file, PDF or XLIFF
    side_texts: tuple[list[str] | None, ...] = field(default=(), repr=False)  # a text pair's read sides

    @property
    def found_metadata(self) -> dict[str, str | None]:
        """What the file says about itself: a web page's date and address."""
        if self.extracted is None:
            return {}
        return {"date": self.extracted.date, "source_url": self.extracted.source_url}

    @property
    def hant(self) -> bool:
        """Whether the file itself says its Chinese is Traditional (TMX or XLIFF language tags)."""
        return self.tmx_stats.hant or (self.extracted is not None and self.extracted.zh_hant)

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


def _read_tsv(reader: DocumentReader) -> Iterator[SegmentRecord]:
    name = reader.source.name
    first = True
    for number, line in reader.lines():
        if not line.strip():
            continue
        fields = [_tsv_field(f) for f in line.split("\t")]
        if first:
            first = False
            if layouts.is_header(fields):
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


def _read_text_layout(reader: DocumentReader) -> Iterator[SegmentRecord]:
    texts = [p.text for p in reader.paragraphs()]
    yield from layouts.read(texts, reader.layout, aligner=reader.aligner)


def _read_extracted(reader: DocumentReader) -> Iterator[SegmentRecord]:
    assert reader.extracted is not None
    yield from layouts.read(reader.extracted.items, reader.layout, aligner=reader.aligner)


def _read_text_pair(reader: DocumentReader) -> Iterator[SegmentRecord]:
    sides = reader.side_texts or (None, None)  # a text pair's files are (Chinese, English)
    chinese = sides[0] if sides[0] is not None else [p.text for p in reader.paragraphs(0)]
    english = sides[1] if sides[1] is not None else [p.text for p in reader.paragraphs(1)]
    yield from _aligned_records(align_paragraphs(chinese, english, aligner=reader.aligner))


_READERS: dict[Layout, Callable[[DocumentReader], Iterator[SegmentRecord]]] = {
    Layout.PIPE_PAIRS: _read_pipe_pairs,
    Layout.TSV: _read_tsv,
    Layout.TMX: _read_tmx,
    Layout.EN_ONLY: _read_en_only,
    Layout.TEXT_PAIR: _read_text_pair,
}


# Preparation ------------------------------------------------------------------------------


def _is_xml(sample: str) -> bool:
    return sample.lstrip("\ufeff \t\r\n").startswith("<")


def _is_tmx(sample: str) -> bool:
    head = sample.lstrip("\ufeff \t\r\n")[:4096]
    return head.startswith("<") and re.search(r"<tmx[\s>]", head) is not None


def _paragraph_layout(file: InputFile, inspection: Inspection) -> Layout:
    """The layout of a plain text from its paragraphs' languages (:mod:`termbase.ingest.layout`)."""
    texts = (p.text for p in paragraphs(iter_lines(file, inspection.encoding)))
    return layouts.detect(layouts.label(texts), file=file.name)


def detect_layout(file: InputFile, inspection: Inspection) -> Layout:
    """The layout of a single file, from its name and content."""
    suffix = PurePath(file.name).suffix.lower()
    sample = inspection.sample
    if suffix == ".tmx" or _is_tmx(sample):
        return Layout.TMX
    if _is_xml(sample):
        raise IngestError(
            "unknown layout: an XML file that is neither a TMX translation memory nor XLIFF", file=file.name
        )
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


_TITLED_LAYOUTS = frozenset(
    {
        Layout.EN_ONLY,
        Layout.ZH_ONLY,
        Layout.EN_THEN_ZH,
        Layout.ZH_THEN_EN,
        Layout.ALTERNATING,
        Layout.LINE_PAIRS,
    }
)


def _guess_title(reader: DocumentReader) -> str:
    if reader.extracted is not None:
        if reader.extracted.title:
            return reader.extracted.title[:TITLE_MAX]
        first = next((item for item in reader.extracted.items if isinstance(item, str)), None)
        if first is not None and len(first) <= TITLE_MAX and reader.layout != Layout.TABLE:
            return first
        return reader.source.stem
    if reader.layout in _TITLED_LAYOUTS:
        for paragraph in paragraphs(reader.lines()):
            text = paragraph.text
            if len(text) <= TITLE_MAX and not (reader.layout == Layout.EN_ONLY and HAN_RE.search(text)):
                return text
            break
    return reader.source.stem


def _prepare_format(
    source: Source, kind: Format, *, max_bytes: int, layout: Layout | None, aligner: Aligner | None
) -> DocumentReader:
    """A web page, Word file, PDF or XLIFF: read whole here, its paragraphs laid out as a text's."""
    extracted, inspection = extract(source.files[0], kind, max_bytes=max_bytes)
    found = extracted.layout or layouts.detect(layouts.label(extracted.items), file=source.name)
    if layout is not None and layout != found:
        raise IngestError(
            f"the manifest says layout {layout}, but the file reads as {found}", file=source.name
        )
    reader = DocumentReader(
        source=source,
        layout=found,
        content_hash=inspection.sha256,
        inspections=(inspection,),
        title_guess="",
        _read=_read_extracted,
        aligner=aligner,
        extracted=extracted,
    )
    reader.title_guess = _guess_title(reader)
    return reader


def _inspect_sides(
    source: Source, *, max_bytes: int
) -> tuple[tuple[Inspection, ...], tuple[list[str] | None, ...]]:
    """Both files of a text pair: plain text is inspected; a web page, Word file or PDF is read
    whole here, and its paragraphs (in the side's language) are kept for aligning."""
    inspections: list[Inspection] = []
    texts: list[list[str] | None] = []
    for file in source.files:
        kind = format_of(file)
        if kind is None:
            inspections.append(inspect(file, max_bytes=max_bytes))
            texts.append(None)
            continue
        extracted, inspection = extract(file, kind, max_bytes=max_bytes)
        chinese = file is source.zh_file
        paragraphs_ = [
            text
            for item in extracted.items
            if (text := item if isinstance(item, str) else (item.zh_text if chinese else item.en_text))
        ]
        inspections.append(replace(inspection, sample="\n".join(paragraphs_)[:SAMPLE_BYTES]))
        texts.append(paragraphs_)
    return tuple(inspections), tuple(texts)


def prepare(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layout: Layout | None = None,
    aligner: Aligner | None = None,
) -> DocumentReader:
    """Check a source (size, content, encoding), hash it and settle its layout."""
    if len(source.files) == 1 and (kind := format_of(source.files[0])) is not None:
        return _prepare_format(source, kind, max_bytes=max_bytes, layout=layout, aligner=aligner)
    side_texts: tuple[list[str] | None, ...] = ()
    if source.zh_file is not None and source.en_file is not None:
        inspections, side_texts = _inspect_sides(source, max_bytes=max_bytes)
    else:
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
        _read=_READERS.get(found, _read_text_layout),
        aligner=aligner,
        side_texts=side_texts,
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
        date=meta.get("date") or reader.found_metadata.get("date"),
        venue=meta.get("venue"),
        source_url=meta.get("source_url") or reader.found_metadata.get("source_url"),
        zh_script=LANG_ZH_HANT if reader.hant else scripts.script,
    )


def slugify(text: str) -> str:
    """A URL-safe slug: lower-case ASCII words joined by hyphens (other scripts are kept as they are)."""
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-_")
    return slug[:200] or "document"
