"""Word files (DOCX), read with python-docx: paragraphs in order, and two-column tables as pairs.

A line break inside a paragraph (Shift+Enter, common in 中英对照 documents) starts a new
paragraph here. A table whose columns are Chinese and English gives one pair per row; any other
table gives its cells as paragraphs. The file's own title becomes the document's title (its
creation date is when the file was made, not when the text was published, so it is left out).

Refused with their reason: a password-protected file (Word encrypts it into an OLE container),
an old binary ``.doc``, a damaged file, and one whose parts would unpack to more than 512 MB.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from termbase.ingest.errors import IngestError
from termbase.ingest.formats import OLE_MAGIC, Extracted
from termbase.ingest.layout import Item, table_items

_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # far above any real document's text and pictures


def _lines(text: str) -> list[str]:
    return [
        " ".join(line.split())
        for line in text.replace("\r", "\n").replace("\v", "\n").split("\n")
        if line.strip()
    ]


def _rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(_lines(cell.text)))
        rows.append(cells)
    return rows


def _refuse_bomb(data: bytes, name: str) -> None:
    """Refuse a file whose parts would unpack to far more than any real document (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        return  # reported as damaged below
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestError(
            f"the Word file would unpack to {unpacked / 1048576:.0f} MB; refused (the limit is "
            f"{MAX_UNPACKED_BYTES / 1048576:.0f} MB)",
            file=name,
        )


def read_docx(data: bytes, *, name: str) -> Extracted:
    """Paragraphs and table pairs of a DOCX file, in document order."""
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise IngestError("the Word file is password-protected; save it without a password", file=name)
        raise IngestError("an old Word .doc file, not DOCX; save it as .docx in Word", file=name)
    _refuse_bomb(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        items: list[Item] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                items.extend(_lines(block.text))
            elif isinstance(block, Table):
                items.extend(table_items(_rows(block)))
        properties = document.core_properties
        title = (properties.title or "").strip() or None
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise IngestError(f"damaged or not a Word DOCX file ({exc.__class__.__name__})", file=name) from None
    if not items:
        raise IngestError("the Word file holds no text", file=name)
    return Extracted(items=items, title=title)
