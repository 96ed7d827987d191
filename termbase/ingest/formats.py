"""Documents that are not plain text: web pages, Word files, PDFs and XLIFF, told apart and read.

Each format's reader (:mod:`~termbase.ingest.webpage`, :mod:`~termbase.ingest.word`,
:mod:`~termbase.ingest.pdf`, :mod:`~termbase.ingest.xliff`) turns the file into
:class:`Extracted`: its paragraphs in order, the pairs the format itself makes (table rows,
translation units), and what it says about itself (title, date, address). The layout of the
paragraphs is then found as for a plain-text file (:mod:`~termbase.ingest.layout`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath

from termbase.ingest.decode import InputFile, Inspection, inspect
from termbase.ingest.errors import IngestError
from termbase.ingest.layout import Item
from termbase.records import Layout

HEAD_BYTES = 4096


class Format(StrEnum):
    HTML = "html"
    DOCX = "docx"
    PDF = "pdf"
    XLIFF = "xliff"


_SUFFIXES = {
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
    ".docx": Format.DOCX,
    ".doc": Format.DOCX,  # refused with its reason by the Word reader
    ".pdf": Format.PDF,
    ".xlf": Format.XLIFF,
    ".xliff": Format.XLIFF,
    ".xlz": Format.XLIFF,
    ".sdlxliff": Format.XLIFF,
    ".mqxliff": Format.XLIFF,
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(slots=True)
class Extracted:
    """A document as a format's reader found it."""

    items: list[Item]
    layout: Layout | None = None  # set when the format decides it (XLIFF)
    title: str | None = None
    date: str | None = None
    source_url: str | None = None
    zh_hant: bool = False  # the format says the Chinese is Traditional
    notes: list[str] = field(default_factory=list)


def _head_text(head: bytes) -> str:
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def format_of(file: InputFile) -> Format | None:
    """The format of a file from its first bytes, then its name; None for plain text (and TMX, TSV)."""
    with file.open() as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return Format.PDF
    suffix = PurePath(file.name).suffix.lower()
    if head.startswith(b"PK\x03\x04") and (suffix in (".docx", ".doc") or b"word/" in head):
        return Format.DOCX
    if head.startswith(OLE_MAGIC) and suffix in (".docx", ".doc"):
        return Format.DOCX
    text = _head_text(head).lstrip().lower()
    if text.startswith("<"):
        if "<xliff" in text:
            return Format.XLIFF
        if text.startswith(("<!doctype html", "<html")) or "<html" in text:
            return Format.HTML
    return _SUFFIXES.get(suffix)


def read_bytes(file: InputFile, *, max_bytes: int) -> tuple[bytes, Inspection]:
    """The whole file (formats are read whole), checked for size and hashed."""
    if file.size > max_bytes:
        megabytes = max_bytes / (1024 * 1024)
        raise IngestError(f"file is too large (the limit is {megabytes:.1f} MB)", file=file.name)
    with file.open() as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestError("file is too large", file=file.name)
    if not data:
        raise IngestError("file is empty", file=file.name)
    digest = hashlib.sha256(data).hexdigest()
    return data, Inspection(encoding="binary", sha256=digest, size=len(data), sample="")


def extract(file: InputFile, kind: Format, *, max_bytes: int) -> tuple[Extracted, Inspection]:
    """Read a file of a known format; raises :class:`IngestError` naming the file and the problem.

    Each reader's library is imported when a file of its kind comes: trafilatura and pdfminer
    take a noticeable time to load, which plain-text ingests and the app's start need not pay.
    """
    if kind == Format.HTML:
        from termbase.ingest.webpage import read_html

        inspection = inspect(file, max_bytes=max_bytes)  # checks and detects the encoding
        with file.open() as handle:
            raw = handle.read()
        try:
            text = raw.decode(inspection.encoding)
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"cannot be decoded as {inspection.encoding.upper()} ({exc.reason})", file=file.name
            ) from None
        return read_html(text, name=file.name), inspection
    data, inspection = read_bytes(file, max_bytes=max_bytes)
    if kind == Format.DOCX:
        from termbase.ingest.word import read_docx

        return read_docx(data, name=file.name), inspection
    if kind == Format.PDF:
        from termbase.ingest.pdf import read_pdf

        return read_pdf(data, name=file.name), inspection
    from termbase.ingest.xliff import read_xliff

    return read_xliff(data, name=file.name), inspection
