"""The "Prepare a document" page: a paste or an upload becomes a job glossary, exported as TBX or CSV."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from bilingual_fixtures import CHINESE_JOB as JOB
from bilingual_fixtures import known_concept as _known
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Citation, Concept, Document


@pytest.fixture
def editor(as_role: Callable[[str | None], FlaskClient]) -> FlaskClient:
    return as_role("editor")


def test_prepare_page_takes_a_paste_and_shows_and_exports_the_glossary(
    editor: FlaskClient, session: Session
) -> None:
    _known(session)
    page = editor.get("/prepare")
    assert page.status_code == 200
    assert "Prepare a document" in page.get_data(as_text=True)
    response = editor.post("/prepare", data={"title": "审查要点", "text": JOB})
    assert response.status_code == 302
    glossary_url = response.headers["Location"]
    html = editor.get(glossary_url).get_data(as_text=True)
    assert "Known terms (1)" in html
    assert "cyber sovereignty" in html
    assert "需要" not in html.split("New terms that need a rendering")[0].split("Known terms")[1]
    assert "关键信息基础设施" in html
    assert "needs a rendering" in html
    assert "e-commerce" in html
    assert session.scalar(select(func.count()).select_from(Citation)) >= 7
    tbx = editor.get(
        "/export/download?format=tbx-basic-2008&status=all&document=%E5%AE%A1%E6%9F%A5%E8%A6%81%E7%82%B9"
    )
    assert tbx.status_code == 200, tbx.get_data(as_text=True)[:300]
    assert "关键信息基础设施" in tbx.get_data(as_text=True)
    csv = editor.get(glossary_url + "/glossary.csv")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Chinese,English,status,occurrences,suggested English,suggested by"
    assert lines[1] == "网络主权,cyber sovereignty,approved,1,,"
    assert "电子商务,,needs a rendering,2,e-commerce,CC-CEDICT" in lines


def test_prepare_page_refuses_an_empty_form_and_a_bad_file(editor: FlaskClient, session: Session) -> None:
    response = editor.post("/prepare", data={"text": "  "})
    assert response.status_code == 400
    assert "Choose a file or paste the text" in response.get_data(as_text=True)
    response = editor.post(
        "/prepare",
        data={"file": (io.BytesIO(b"%PDF-1.4 broken"), "job.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "job.pdf: damaged PDF" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_uploading_a_chinese_document_proposes_its_glossary(editor: FlaskClient, session: Session) -> None:
    _known(session)
    response = editor.post(
        "/upload",
        data={"files": [(io.BytesIO(JOB.encode("utf-8")), "review-points.txt")]},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "is Chinese only:" in html
    assert "new terms need a rendering; its job glossary is at /prepare/review-points" in html
    glossary = editor.get("/prepare/review-points").get_data(as_text=True)
    assert "Known terms (1)" in glossary
    assert "关键信息基础设施" in glossary


def test_an_entry_that_needs_a_rendering_says_so_with_the_suggestion(
    editor: FlaskClient, session: Session
) -> None:
    editor.post("/prepare", data={"title": "审查要点", "text": JOB})
    entry = session.scalars(select(Concept).where(Concept.origin == "source-only").order_by(Concept.id)).all()
    commerce = next(c for c in entry if c.terms[0].text == "电子商务")
    html = editor.get(f"/concepts/{commerce.id}").get_data(as_text=True)
    assert "needs a rendering" in html
    assert 'dictionary suggests <span lang="en">e-commerce</span>' in html
    review = editor.get("/review")
    assert review.status_code == 200
    assert "电子商务" in review.get_data(as_text=True)
