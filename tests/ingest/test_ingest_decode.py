"""Encodings, binary and empty files, size limits, streamed decoding."""

from __future__ import annotations

import codecs

import pytest

from termbase.ingest.decode import SAMPLE_BYTES, InputFile, detect_encoding, inspect, iter_lines
from termbase.ingest.errors import IngestError

TEXT = "网络主权 | cyber sovereignty\n網絡空間命運共同體 | a community with a shared future in cyberspace\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # with BOM
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its zero bytes
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        ("互联网治理 | Internet governance\n网络安全 | cybersecurity\n".encode("gb18030"), "gb18030"),
        ("互联网治理 | Internet governance\n网络安全 | cybersecurity\n".encode("gbk"), "gb18030"),
        ("網際網路治理 | Internet governance\n網絡安全 | cybersecurity\n".encode("big5"), "big5"),
        ("the “multistakeholder” model isn’t new\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected_and_decode_back(data: bytes, expected: str) -> None:
    file = InputFile.from_bytes("doc.txt", data)
    inspection = inspect(file, max_bytes=1 << 20)
    assert inspection.encoding == expected
    lines = [line for _, line in iter_lines(file, inspection.encoding)]
    assert "\n".join(lines).strip() == data.decode(expected).lstrip("\ufeff").strip()


def test_short_gb_text_is_not_mistaken_for_big5() -> None:
    assert detect_encoding("hello 网络".encode("gb18030"), name="x") == "gb18030"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x00\x01binary", "binary file"),
        (bytes(range(256)) * 4, "binary file"),
    ],
)
def test_binary_files_are_refused(data: bytes, kind: str) -> None:
    with pytest.raises(IngestError, match=kind) as caught:
        inspect(InputFile.from_bytes("scan.txt", data), max_bytes=1 << 20)
    assert caught.value.file == "scan.txt"


def test_undecodable_bytes_are_refused() -> None:
    # Bytes no candidate encoding accepts: 0x80 and 0xFF are invalid lead bytes everywhere here.
    data = b"abc \x80\xff\x80\xff \xff\x81"
    with pytest.raises(IngestError, match="cannot be decoded"):
        inspect(InputFile.from_bytes("odd.txt", data), max_bytes=1 << 20)


@pytest.mark.parametrize("data", [b"", b"  \n\t\n  "])
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match="empty"):
        inspect(InputFile.from_bytes("empty.txt", data), max_bytes=1 << 20)


def test_too_large_is_refused_before_reading() -> None:
    opened = []

    def opener() -> object:
        opened.append(True)
        raise AssertionError("a file over the limit must not be read")

    file = InputFile(name="big.txt", size=2_000_001, opener=opener)  # type: ignore[arg-type]
    with pytest.raises(IngestError, match=r"too large \(1\.9 MB; the limit is 1\.0 MB\)"):
        inspect(file, max_bytes=1_048_576)
    assert not opened


def test_a_bad_byte_far_down_is_reported_with_its_line() -> None:
    good = ("网络主权 | cyber sovereignty\n" * 20_000).encode("utf-8")
    assert len(good) > SAMPLE_BYTES  # the bad byte lies beyond what detection looks at
    file = InputFile.from_bytes("long.txt", good + b"\xff\xfe bad | line\n")
    inspection = inspect(file, max_bytes=1 << 24)
    assert inspection.encoding == "utf-8"
    with pytest.raises(IngestError, match="cannot be decoded as UTF-8") as caught:
        for _ in iter_lines(file, inspection.encoding):
            pass
    assert caught.value.line == 20_001


def test_hash_is_of_the_bytes() -> None:
    import hashlib

    data = TEXT.encode("utf-8")
    assert (
        inspect(InputFile.from_bytes("a.txt", data), max_bytes=1 << 20).sha256
        == hashlib.sha256(data).hexdigest()
    )
