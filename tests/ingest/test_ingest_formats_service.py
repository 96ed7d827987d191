"""Every format through the ingest service and `termbase ingest`: stored with its metadata, or one error and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bilingual_fixtures import PAIRS, docx_with_table, paragraphs, pdf, score, web_page, xliff_20
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Document, Segment
from termbase.services.errors import Invalid
from termbase.services.ingesting import ingest_path, ingest_upload


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _pairs(session: Session, slug: str) -> list[tuple[str | None, str | None]]:
    document = session.scalars(select(Document).where(Document.slug == slug)).one()
    rows = session.scalars(
        select(Segment).where(Segment.document_id == document.id).order_by(Segment.position)
    )
    return [(s.zh_text, s.en_text) for s in rows if s.kind == "pair"]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "page.html").write_bytes(web_page("zh-then-en"))
    (folder / "minutes.docx").write_bytes(docx_with_table())
    (folder / "report.pdf").write_bytes(pdf(paragraphs("en-then-zh")))
    (folder / "job.xlf").write_bytes(xliff_20())
    (folder / "lines.txt").write_text("\n".join(paragraphs("alternating")), encoding="utf-8")
    (folder / "new-job.txt").write_text("数据治理需要各方合作。\n\n个人信息保护是基础。\n", encoding="utf-8")
    return folder


def test_a_folder_of_every_format_is_stored_aligned_with_its_metadata(
    session: Session, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    report = ingest_path(session, folder, actor="test")
    session.commit()
    layouts = {d.slug: d.layout for d in report.documents}
    assert layouts == {
        "job": "xliff",
        "lines": "alternating",
        "minutes": "table",
        "new-job": "zh-only",
        "page": "zh-then-en",
        "report": "en-then-zh",
    }
    for slug in ("job", "lines", "minutes", "page", "report"):
        assert score(_pairs(session, slug), PAIRS) >= 0.95, slug
    page = session.scalars(select(Document).where(Document.slug == "page")).one()
    assert page.date == "2024-10-20"
    assert page.source_url == "https://example.org/reports/digital-governance"
    assert page.filename == "page.html"
    new_job = session.scalars(select(Document).where(Document.slug == "new-job")).one()
    assert new_job.title == "数据治理需要各方合作。"
    # The same files again: nothing changes.
    again = ingest_path(session, folder)
    assert {d.status for d in again.documents} == {"unchanged"}


def _encrypted_docx() -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 64
    )


BAD = [
    (
        "mixed.txt",
        "\n\n".join([p for pair in PAIRS[:6] for p in pair] + [z for z, _ in PAIRS[6:]]).encode(),
        "ambiguous layout: paragraphs 1–12 alternate, 13–30 are all Chinese",
    ),
    ("broken.docx", b"PK\x03\x04 not really a zip", "damaged or not a Word DOCX file"),
    ("locked.docx", _encrypted_docx(), "the Word file is password-protected"),
    ("broken.pdf", b"%PDF-1.7\n garbage", "damaged PDF"),
    ("locked.pdf", pdf(paragraphs("alternating")[:4], password="pw"), "the PDF is password-protected"),
    ("bad.txt", b"abc \x80\xff\x80\xff \xff\x81", "cannot be decoded"),
    (
        "attack.xlf",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
        b'<xliff version="2.0" srcLang="zh" trgLang="en"/>',
        "the DOCTYPE declares entities",
    ),
]


def _scanned_pdf() -> bytes:
    from fpdf import FPDF

    scan = FPDF()
    for _ in range(2):
        scan.add_page()
        scan.rect(20, 20, 150, 200, style="F")
    return bytes(scan.output())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [*BAD, ("scan.pdf", _scanned_pdf(), "a scanned PDF: its 2 pages hold no text")],
)
def test_each_bad_input_is_one_error_naming_the_file_and_nothing_is_written(
    session: Session, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    folder = _folder(tmp_path)  # good files, read before the bad one and not written either
    (folder / name).write_bytes(data)
    with pytest.raises(Invalid, match=re.escape(message)) as caught:
        ingest_path(session, folder)
    assert caught.value.details["file"] == str(folder / name)
    assert _count(session, Document) == 0
    assert _count(session, Segment) == 0


def test_upload_of_a_word_file_and_refusal_to_pair_it(session: Session) -> None:
    report = ingest_upload(session, [("minutes.docx", docx_with_table())])
    assert report.documents[0].layout == "table"
    with pytest.raises(Invalid, match="is a whole document: upload it on its own"):
        ingest_upload(session, [("a.docx", docx_with_table()), ("b.txt", b"Some English.")])


def test_cli_ingest_reports_a_bad_pdf_in_one_line(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    (folder / "locked.pdf").write_bytes(pdf(paragraphs("alternating")[:4], password="pw"))
    result = runner.invoke(args=["ingest", str(folder)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: file {folder / 'locked.pdf'}: the PDF is password-protected; save a copy without a password\n"
    )
    assert _count(session, Document) == 0
    (folder / "locked.pdf").unlink()
    result = runner.invoke(args=["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "new         page v1  zh-then-en" in result.output
