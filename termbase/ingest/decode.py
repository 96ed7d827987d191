"""Input files: size and content checks, encoding detection, hashing and streamed decoding.

A file is looked at twice and never held whole: :func:`inspect` reads it once to
check it and hash it, and :func:`iter_lines` decodes it chunk by chunk for the readers.

Encodings: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise strict UTF-8, then UTF-16
without BOM (recognised by its zero bytes), then the legacy encodings a translator meets
(GB18030, which covers GBK and GB2312; Big5; Windows-1252), chosen by how plausible each
decoding looks. Anything else is reported as undecodable rather than guessed.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from termbase.ingest.errors import IngestError

SAMPLE_BYTES = 256 * 1024
CHUNK_BYTES = 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX and ODT files are ZIP archives)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Bytes that never occur in text: C0 controls other than tab, newlines, form feed and escape.
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))
_TYPOGRAPHY = frozenset("\u00a0\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u20ac\u00b7\u00ab\u00bb")


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: a name for messages and a way to open its bytes (again)."""

    name: str
    size: int
    opener: Callable[[], BinaryIO]

    def open(self) -> BinaryIO:
        return self.opener()

    @classmethod
    def from_path(cls, path: Path, *, name: str | None = None) -> InputFile:
        return cls(name=name or str(path), size=os.stat(path).st_size, opener=lambda: open(path, "rb"))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> InputFile:
        return cls(name=name, size=len(data), opener=lambda: io.BytesIO(data))


@dataclass(frozen=True, slots=True)
class Inspection:
    encoding: str
    sha256: str
    size: int
    sample: str  # the decoded start of the file, for layout detection


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def inspect(file: InputFile, *, max_bytes: int) -> Inspection:
    """Check size and content, detect the encoding and hash the bytes, streaming."""
    if file.size > max_bytes:
        raise IngestError(
            f"file is too large ({_megabytes(file.size)}; the limit is {_megabytes(max_bytes)})",
            file=file.name,
        )
    if file.size == 0:
        raise IngestError("file is empty", file=file.name)
    digest = hashlib.sha256()
    with file.open() as handle:
        sample = handle.read(SAMPLE_BYTES)
        digest.update(sample)
        total = len(sample)
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise IngestError(f"file is too large (the limit is {_megabytes(max_bytes)})", file=file.name)
    complete = total <= SAMPLE_BYTES
    encoding = detect_encoding(sample, name=file.name, complete=complete)
    text = _decode_sample(sample, encoding, complete=complete)
    if not text.strip():
        raise IngestError("file is empty (it holds only white space)", file=file.name)
    return Inspection(encoding=encoding, sha256=digest.hexdigest(), size=total, sample=text)


def _decode_sample(sample: bytes, encoding: str, *, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return str(decoder.decode(sample, final=complete))


def _strict_decodes(sample: bytes, encoding: str, *, complete: bool) -> str | None:
    try:
        return _decode_sample(sample, encoding, complete=complete)
    except UnicodeDecodeError:
        return None


def _looks_like_text(text: str | None) -> bool:
    """No control characters, and letters, digits, punctuation or spaces throughout."""
    if not text:
        return False
    if any(ord(c) < 0x20 and c not in "\t\n\r\f" for c in text):
        return False
    printable = sum(1 for c in text if c.isprintable() or c.isspace())
    return printable >= 0.98 * len(text)


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without BOM: ASCII characters leave zero bytes on one side only."""
    even, odd = sample[0::2], sample[1::2]
    if len(even) < 2:
        return None
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / max(len(odd), 1)
    if zeros_odd > 0.2 and zeros_even < 0.02:
        return "utf-16-le"
    if zeros_even > 0.2 and zeros_odd < 0.02:
        return "utf-16-be"
    return None


def detect_encoding(sample: bytes, *, name: str, complete: bool = True) -> str:
    """The encoding of a file, judged from its first bytes; raises for binary or undecodable input."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            if _strict_decodes(sample, encoding, complete=complete) is None:
                raise IngestError(
                    f"file starts with a {encoding.upper()} mark but cannot be decoded", file=name
                )
            return encoding
    for magic, kind in _MAGIC:
        if sample.startswith(magic):
            raise IngestError(f"binary file ({kind}), not text", file=name)
    utf16 = _utf16_without_bom(sample)
    if utf16 and _looks_like_text(_strict_decodes(sample, utf16, complete=complete)):
        return utf16
    controls = sum(1 for byte in sample[:8192] if byte in _CONTROL_BYTES)
    if b"\x00" in sample or controls > max(2, len(sample[:8192]) // 100):
        raise IngestError("binary file, not text", file=name)
    if _strict_decodes(sample, "utf-8", complete=complete) is not None:
        return "utf-8"
    candidates = {
        encoding: text
        for encoding in ("gb18030", "big5", "cp1252")
        if (text := _strict_decodes(sample, encoding, complete=complete)) is not None
    }
    if not candidates:
        raise IngestError(
            "cannot be decoded: not UTF-8, UTF-16, GB18030/GBK, Big5 or Windows-1252 text", file=name
        )
    if len(candidates) == 1:
        return next(iter(candidates))
    scores = {encoding: _plausibility(text, encoding) for encoding, text in candidates.items()}
    ranked = sorted(scores, key=lambda e: scores[e], reverse=True)
    if scores[ranked[0]] - scores[ranked[1]] > 0.05:
        return ranked[0]
    best = charset_normalizer.from_bytes(sample, cp_isolation=list(candidates)).best()
    return _codec_name(best.encoding) if best is not None else ranked[0]


def _codec_name(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _plausibility(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that look like real text in that encoding's script."""
    non_ascii = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    if not non_ascii:
        return 1.0
    if encoding == "cp1252":
        # Western text has isolated accents and quotes; a run of them is a misread double-byte script.
        good = sum(
            1
            for i in non_ascii
            if (i == 0 or ord(text[i - 1]) < 0x80) and (i + 1 == len(text) or ord(text[i + 1]) < 0x80)
        )
        return good / len(non_ascii)
    common = _common_han()
    good = sum(1 for i in non_ascii if text[i] in common or _is_cjk_punctuation(text[i]))
    return good / len(non_ascii)


def _is_cjk_punctuation(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or char in _TYPOGRAPHY


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """The frequent characters of both scripts: GB2312 level 1 and Big5 level 1."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            chars.update(bytes((lead, trail)).decode("gb2312", errors="ignore"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.update(bytes((lead, trail)).decode("big5", errors="ignore"))
    return frozenset(chars)


def iter_lines(file: InputFile, encoding: str) -> Iterator[tuple[int, str]]:
    """Decoded lines without their line ends, numbered from 1, read in chunks.

    Line ends may be LF, CRLF or CR. A byte sequence the detected encoding cannot decode
    further down the file is reported with the number of the line it is on.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    number = 0
    pending = ""
    with file.open() as raw:
        while True:
            chunk = raw.read(CHUNK_BYTES)
            final = not chunk
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                before = bytes(exc.object[: exc.start]).decode(encoding, errors="replace")
                where = number + _normalize_newlines(pending + before).count("\n") + 1
                raise IngestError(
                    f"cannot be decoded as {encoding.upper()} ({exc.reason})", file=file.name, line=where
                ) from None
            text = pending + text
            hold = ""
            if not final and text.endswith("\r"):
                text, hold = text[:-1], "\r"  # a CRLF may be split between two chunks
            *lines, rest = _normalize_newlines(text).split("\n")
            for line in lines:
                number += 1
                yield number, line
            pending = rest + hold
            if final:
                if pending:
                    yield number + 1, pending
                return


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
