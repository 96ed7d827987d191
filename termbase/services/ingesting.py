"""Corpus ingest: files and folders become documents with citable segments.

Each document is addressed by its slug; each segment by slug + position (from 1).
Ingest is atomic and repeatable:

* every file is checked, read and aligned before anything is written, so bad input
  raises :class:`~termbase.services.errors.Invalid` naming the file (and line) and leaves
  the session untouched;
* a file whose content hash matches the current version of its slug is "unchanged" and
  nothing is written (only metadata given by a manifest is brought up to date);
* a changed file becomes a new version of its slug; the old version and its segments stay,
  so citations keep pointing at the text they quoted.

The session is flushed, never committed: the caller owns the transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from termbase.ingest.decode import InputFile, inspect
from termbase.ingest.errors import IngestError
from termbase.ingest.formats import format_of
from termbase.ingest.manifest import MANIFEST_NAME, Metadata, load_manifest
from termbase.ingest.readers import (
    DEFAULT_MAX_BYTES,
    DocumentReader,
    ScriptCounter,
    Source,
    group_sources,
    prepare,
    slugify,
    stem_of,
)
from termbase.models import Document, Segment
from termbase.records import LANG_ZH_HANT, SegmentKind, SegmentRecord
from termbase.services.errors import Invalid
from termbase.text.normalize import han_ratio, match_text
from termbase.text.wording import counted

# Files below this size keep their segments in memory between checking and writing;
# larger ones are read a second time, so memory stays flat.
KEEP_IN_MEMORY_BYTES = 8 * 1024 * 1024
BATCH = 1000
_SKIPPED_NAMES = ("readme", "license", "licence", "copying", "notice")

STATUS_NEW = "new"
STATUS_UNCHANGED = "unchanged"
STATUS_NEW_VERSION = "new-version"
STATUS_UPDATED = "updated"  # same content, metadata brought up to date from the manifest


@dataclass(slots=True)
class DocumentResult:
    """What happened to one document."""

    slug: str
    title: str
    status: str  # "new" | "unchanged" | "new-version" | "updated"
    document_id: int
    version: int
    layout: str
    filename: str
    segments: int = 0
    pairs: int = 0
    zh_only: int = 0
    en_only: int = 0
    note: str | None = None


@dataclass(slots=True)
class IngestReport:
    documents: list[DocumentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in a folder that are not documents
    actor: str | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> list[DocumentResult]:
        """Documents that got a new version (new documents included): the ones to extract from."""
        return [d for d in self.documents if d.status in (STATUS_NEW, STATUS_NEW_VERSION)]

    def lines(self) -> list[str]:
        out = []
        for doc in self.documents:
            counts = (
                f"{counted(doc.segments, 'segment')} ({counted(doc.pairs, 'pair')}, "
                f"{doc.zh_only} zh only, {doc.en_only} en only)"
            )
            line = f"{doc.status:<11} {doc.slug} v{doc.version}  {doc.layout}  {counts}  {doc.title}"
            out.append(line + (f"  [{doc.note}]" if doc.note else ""))
        out.extend(f"skipped     {name}" for name in self.skipped)
        tally = {s: sum(1 for d in self.documents if d.status == s) for s in (STATUS_NEW, STATUS_NEW_VERSION)}
        unchanged = len(self.documents) - tally[STATUS_NEW] - tally[STATUS_NEW_VERSION]
        out.append(
            f"{counted(len(self.documents), 'document')}: {tally[STATUS_NEW]} new, "
            f"{counted(tally[STATUS_NEW_VERSION], 'new version')}, "
            f"{unchanged} unchanged ({self.seconds:.2f} s)"
        )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(slots=True)
class _Planned:
    reader: DocumentReader
    metadata: Metadata
    slug: str
    status: str
    current: Document | None = None
    records: list[SegmentRecord] | None = None
    zh_script: str = ""
    note: str | None = None


def _invalid(exc: IngestError) -> Invalid:
    details: dict[str, object] = {"file": exc.file}
    if exc.line is not None:
        details["line"] = exc.line
    return Invalid(exc.message, details=details)


# Gathering files ----------------------------------------------------------------------------


def _is_document_file(path: Path) -> bool:
    name = path.name.lower()
    return not name.startswith(".") and name != MANIFEST_NAME and not name.startswith(_SKIPPED_NAMES)


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def _metadata_for(source: Source, manifest: dict[str, Metadata]) -> Metadata:
    names = [Path(f.name).name for f in source.files] + [source.stem]
    return next((manifest[n] for n in names if n in manifest), Metadata())


def _manifest_of(folder: Path, cache: dict[Path, dict[str, Metadata]]) -> dict[str, Metadata]:
    if folder not in cache:
        path = folder / MANIFEST_NAME
        try:
            cache[folder] = load_manifest(path) if path.is_file() else {}
        except IngestError as exc:
            raise _invalid(exc) from None
    return cache[folder]


def _sources_from_paths(paths: Sequence[Path], skipped: list[str]) -> list[tuple[Source, Metadata]]:
    manifests: dict[Path, dict[str, Metadata]] = {}
    files: list[InputFile] = []
    for path in paths:
        if not path.exists():
            raise Invalid("no such file or folder", details={"file": str(path)})
        if path.is_dir():
            found = list(_walk(path))
            documents = [p for p in found if _is_document_file(p)]
            skipped.extend(str(p) for p in found if not _is_document_file(p) and p.name != MANIFEST_NAME)
            if not documents:
                raise Invalid("folder holds no files to ingest", details={"file": str(path)})
            files.extend(InputFile.from_path(p) for p in documents)
        elif path.is_file():
            files.append(InputFile.from_path(path))
        else:
            raise Invalid("not a regular file or folder", details={"file": str(path)})
    result = []
    for source in group_sources(files):
        manifest = _manifest_of(Path(source.files[0].name).parent, manifests)
        result.append((source, _metadata_for(source, manifest)))
    return result


# Planning: everything that can fail on bad input happens here, before any write ---------------


def _current(session: Session, slug: str) -> Document | None:
    return session.scalar(select(Document).where(Document.slug == slug, Document.is_current.is_(True)))


def _scan(planned: _Planned) -> None:
    """Read every segment once: validates the whole file and settles the Chinese script."""
    reader = planned.reader
    keep = sum(i.size for i in reader.inspections) <= KEEP_IN_MEMORY_BYTES
    records: list[SegmentRecord] = []
    scripts = ScriptCounter()
    count = 0
    try:
        for record in reader.segments(splits=keep):
            count += 1
            scripts.add(record.zh_text)
            if keep:
                records.append(record)
    except IngestError as exc:
        raise _invalid(exc) from None
    if count == 0:
        raise Invalid(
            "no text to ingest (only boilerplate, or nothing at all)", details={"file": reader.filename}
        )
    planned.records = records if keep else None
    planned.zh_script = LANG_ZH_HANT if reader.hant else scripts.script


def _plan(session: Session, items: Sequence[tuple[Source, Metadata]], max_bytes: int) -> list[_Planned]:
    plans: list[_Planned] = []
    slugs: dict[str, str] = {}
    for source, metadata in items:
        try:
            reader = prepare(source, max_bytes=max_bytes, layout=metadata.layout)
        except IngestError as exc:
            raise _invalid(exc) from None
        slug = metadata.slug or slugify(source.stem)
        if slug in slugs:
            raise Invalid(
                f"{source.name} and {slugs[slug]} would both be document {slug!r}",
                details={"file": source.name},
            )
        slugs[slug] = source.name
        current = _current(session, slug)
        planned = _Planned(reader, metadata, slug, STATUS_NEW, current)
        if current is not None and current.content_hash == reader.content_hash:
            planned.status = STATUS_UNCHANGED
        else:
            same = session.scalar(
                select(Document).where(
                    Document.content_hash == reader.content_hash, Document.is_current.is_(True)
                )
            )
            if same is not None and current is None:
                planned.status, planned.current, planned.slug = STATUS_UNCHANGED, same, same.slug
                planned.note = f"same content as {same.slug}"
            else:
                planned.status = STATUS_NEW if current is None else STATUS_NEW_VERSION
                _scan(planned)
        plans.append(planned)
    return plans


# Writing ------------------------------------------------------------------------------------


def _rows(document_id: int, records: Iterable[SegmentRecord]) -> Iterator[dict[str, object]]:
    for position, record in enumerate(records, start=1):
        yield {
            "document_id": document_id,
            "position": position,
            "kind": record.kind.value,
            "zh_text": record.zh_text,
            "en_text": record.en_text,
            "zh_match": match_text(record.zh_text) if record.zh_text is not None else None,
            "en_match": match_text(record.en_text) if record.en_text is not None else None,
            "en_splits": list(record.en_splits) if record.en_splits else None,
            "alignment": record.alignment,
            "score": record.score,
        }


def _metadata_changes(document: Document, metadata: Metadata) -> dict[str, str]:
    changes = {}
    for key in ("title", "author", "date", "venue", "source_url"):
        value = getattr(metadata, key)
        if value is not None and getattr(document, key) != value:
            changes[key] = value
    return changes


def _counts(session: Session, document_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Segment.kind, func.count()).where(Segment.document_id == document_id).group_by(Segment.kind)
    )
    return {kind: count for kind, count in rows}


def _result(planned: _Planned, document: Document, counts: dict[str, int]) -> DocumentResult:
    return DocumentResult(
        slug=document.slug,
        title=document.title,
        status=planned.status,
        document_id=document.id,
        version=document.version,
        layout=document.layout,
        filename=planned.reader.filename,
        segments=sum(counts.values()),
        pairs=counts.get(SegmentKind.PAIR.value, 0),
        zh_only=counts.get(SegmentKind.ZH.value, 0),
        en_only=counts.get(SegmentKind.EN.value, 0),
        note=planned.note,
    )


def _display_name(reader: DocumentReader) -> str:
    """The file name(s) without the folder they were read from: what a citation shows."""
    return " + ".join(Path(f.name).name for f in reader.source.files)


def _found(reader: DocumentReader, key: str, limit: int) -> str | None:
    """Metadata the file gives about itself (a web page's date and address), if it fits its column."""
    value = reader.found_metadata.get(key)
    return value if value and len(value) <= limit else None


def _write(session: Session, planned: _Planned) -> DocumentResult:
    reader, metadata = planned.reader, planned.metadata
    if planned.status == STATUS_UNCHANGED:
        document = planned.current
        assert document is not None
        if planned.note is None and (changes := _metadata_changes(document, metadata)):
            for key, value in changes.items():
                setattr(document, key, value)
            planned.status = STATUS_UPDATED
            session.flush()
        return _result(planned, document, _counts(session, document.id))
    previous = planned.current
    if previous is not None:
        previous.is_current = False
        session.flush()
    document = Document(
        slug=planned.slug,
        version=previous.version + 1 if previous is not None else 1,
        is_current=True,
        title=metadata.title or reader.title_guess,
        author=metadata.author,
        date=metadata.date or _found(reader, "date", 40),
        venue=metadata.venue,
        source_url=metadata.source_url or _found(reader, "source_url", 1000),
        layout=reader.layout.value,
        zh_script=planned.zh_script,
        filename=_display_name(reader)[-500:],
        content_hash=reader.content_hash,
    )
    session.add(document)
    session.flush()
    counts: dict[str, int] = {}
    batch: list[dict[str, object]] = []
    records = planned.records if planned.records is not None else reader.segments()
    for row in _rows(document.id, records):
        batch.append(row)
        counts[str(row["kind"])] = counts.get(str(row["kind"]), 0) + 1
        if len(batch) >= BATCH:
            session.execute(insert(Segment), batch)
            batch = []
    if batch:
        session.execute(insert(Segment), batch)
    session.flush()
    return _result(planned, document, counts)


def _ingest(
    session: Session, items: Sequence[tuple[Source, Metadata]], *, actor: str | None, max_bytes: int
) -> IngestReport:
    started = time.perf_counter()
    plans = _plan(session, items, max_bytes)
    report = IngestReport(actor=actor)
    try:
        for planned in plans:
            report.documents.append(_write(session, planned))
    except IngestError as exc:  # a large file re-read for writing changed under our feet
        raise _invalid(exc) from None
    report.seconds = time.perf_counter() - started
    return report


# Entry points -------------------------------------------------------------------------------


def ingest_paths(
    session: Session, paths: Sequence[Path], *, actor: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> IngestReport:
    """Ingest files and folders together: all are checked before any is written."""
    skipped: list[str] = []
    report = _ingest(session, _sources_from_paths(paths, skipped), actor=actor, max_bytes=max_bytes)
    report.skipped = skipped
    return report


def ingest_path(
    session: Session, path: Path, *, actor: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> IngestReport:
    """Ingest a file, or every document file in a folder (with the folder's ``manifest.json``).

    In a folder, ``NAME.zh.txt`` and ``NAME.en.txt`` (any Chinese or English language tag in
    that place) are one document; hidden files, ``manifest.json`` and README/LICENSE files
    are not documents.
    """
    return ingest_paths(session, [path], actor=actor, max_bytes=max_bytes)


def ingest_upload(
    session: Session,
    files: list[tuple[str, bytes]],
    *,
    actor: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    metadata: Metadata | None = None,
) -> IngestReport:
    """Ingest one uploaded file, or two that are the Chinese and English sides of one text."""
    if not 1 <= len(files) <= 2:
        raise Invalid("upload one file, or two: a Chinese text and its English translation", details={})
    inputs = [InputFile.from_bytes(Path(name).name or "upload", data) for name, data in files]
    sources = group_sources(inputs)
    if len(sources) == 2:
        sources = [_pair_by_content(inputs, max_bytes)]
    items = [(source, metadata or Metadata()) for source in sources]
    return _ingest(session, items, actor=actor, max_bytes=max_bytes)


def _pair_by_content(inputs: Sequence[InputFile], max_bytes: int) -> Source:
    """Two uploaded plain-text files not named NAME.zh/NAME.en: the one with Chinese is the Chinese side."""
    for file in inputs:
        if Path(file.name).suffix.lower() in (".tmx", ".tsv", ".tab") or format_of(file) is not None:
            raise Invalid(
                "a TMX, TSV, web page, Word, PDF or XLIFF file is a whole document: upload it on its own",
                details={"file": file.name},
            )
    try:
        ratios = [han_ratio(inspect(f, max_bytes=max_bytes).sample) for f in inputs]
    except IngestError as exc:
        raise _invalid(exc) from None
    zh, en = (inputs[0], inputs[1]) if ratios[0] >= ratios[1] else (inputs[1], inputs[0])
    stem = stem_of(en.name)
    return Source(name=f"{zh.name} + {en.name}", stem=stem, files=(zh, en), zh_file=zh, en_file=en)


__all__ = [
    "DocumentResult",
    "IngestReport",
    "Metadata",
    "ingest_path",
    "ingest_paths",
    "ingest_upload",
]
