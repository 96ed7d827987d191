"""Uploading documents: ingest and extract with a streamed step-by-step report ending in a summary."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from bilingual_fixtures import docx_with_table, paragraphs, pdf, web_page, xliff_20
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Concept, Document
from termbase.web.upload import _batches

SEED_002 = Path(__file__).resolve().parents[2] / "seeds" / "002_ca235f7d959e2d04.txt"

pytest.importorskip("termbase.services.ingesting", reason="the ingest service is not installed")


@pytest.fixture
def editor(as_role: Callable[[str | None], FlaskClient]) -> FlaskClient:
    return as_role("editor")


def _pairs_file() -> bytes:
    # The first lines of seed 002: Traditional Chinese | English, one pair per line.
    lines = SEED_002.read_text(encoding="utf-8").splitlines()[:12]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_upload_ingests_extracts_and_summarizes(editor: FlaskClient, session: Session) -> None:
    page = editor.get("/upload").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    response = editor.post(
        "/upload",
        data={"files": [(io.BytesIO(_pairs_file()), "us-china.txt")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.is_streamed
    html = response.get_data(as_text=True)
    assert "Received 1 file" in html
    assert "stored as a new document" in html
    assert "new candidate entries" in html
    assert "<h2>Done</h2>" in html
    assert session.scalar(select(func.count()).select_from(Document)) == 1
    candidates = session.scalar(
        select(func.count()).select_from(Concept).where(Concept.status == "candidate")
    )
    assert candidates
    assert f"<strong>{candidates}</strong> new candidate" in html
    # The same file again changes nothing.
    again = editor.post(
        "/upload",
        data={"files": [(io.BytesIO(_pairs_file()), "us-china.txt")]},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "<html" not in again  # the script gets the fragment only
    assert "unchanged since it was last read" in again
    assert "<strong>0</strong> new candidate" in again


def test_unreadable_files_are_reported_and_the_rest_stored(editor: FlaskClient, session: Session) -> None:
    response = editor.post(
        "/upload",
        data={
            "files": [
                (io.BytesIO(b"\x00\x01\x02binary\x00" * 50), "image.txt"),
                (io.BytesIO(_pairs_file()), "us-china.txt"),
            ]
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "image.txt: not stored." in html
    assert "stored as a new document" in html
    assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_no_file_chosen(editor: FlaskClient) -> None:
    response = editor.post("/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose at least one file." in response.get_data(as_text=True)


def test_files_named_as_two_sides_of_one_text_are_paired() -> None:
    zh, en, other = ("speech.zh.txt", b"zh"), ("speech.en.txt", b"en"), ("notes.txt", b"x")
    assert _batches([en, other, zh], pair=False) == [[zh, en], [other]]
    assert _batches([("a.txt", b"1"), ("b.txt", b"2")], pair=True) == [[("a.txt", b"1"), ("b.txt", b"2")]]
    assert _batches([("a.txt", b"1"), ("b.txt", b"2")], pair=False) == [[("a.txt", b"1")], [("b.txt", b"2")]]
    assert _batches([("speech.zh-Hant.txt", b"zh")], pair=False) == [[("speech.zh-Hant.txt", b"zh")]]


def test_upload_of_web_page_word_pdf_and_xliff_with_a_bad_pdf_named(
    editor: FlaskClient, session: Session
) -> None:
    page = editor.get("/upload").get_data(as_text=True)
    assert ".docx" in page
    assert ".pdf" in page
    response = editor.post(
        "/upload",
        data={
            "files": [
                (io.BytesIO(web_page("alternating")), "page.html"),
                (io.BytesIO(docx_with_table()), "minutes.docx"),
                (io.BytesIO(pdf(paragraphs("zh-then-en"))), "report.pdf"),
                (io.BytesIO(xliff_20()), "job.xlf"),
                (io.BytesIO(pdf(paragraphs("zh-then-en")[:4], password="pw")), "locked.pdf"),
            ]
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "Reading report.pdf" in html  # said before the slow part starts
    assert "locked.pdf: not stored. file locked.pdf: the PDF is password-protected" in html
    assert html.count("not stored") == 1
    layouts = set(session.scalars(select(Document.layout)))
    assert layouts == {"alternating", "table", "zh-then-en", "xliff"}
