"""The review queue: candidates by confidence with evidence and citations; one or many decisions."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.models import Concept, Term
from termbase.services.concepts import update_concept


@pytest.fixture
def editor(as_role: Callable[[str | None], FlaskClient], sample: Sample) -> FlaskClient:
    return as_role("editor")


def _status(session: Session, concept_id: int) -> str:
    session.expire_all()
    concept = session.get(Concept, concept_id)
    assert concept is not None
    return concept.status


def _version(session: Session, concept_id: int) -> int:
    session.expire_all()
    concept = session.get(Concept, concept_id)
    assert concept is not None
    return concept.version


def test_queue_lists_candidates_by_confidence_with_evidence_and_citations(
    editor: FlaskClient, sample: Sample
) -> None:
    html = editor.get("/review").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<li class="review-item" id="c(\d+)">', html)]
    assert order == [sample.attack, sample.governance]  # 0.91 before 0.62; approved/rejected are not queued
    assert "association + dictionary" in html  # evidence
    assert '<mark class="term-mark status-candidate own">互联网治理</mark>' in html  # citations, highlighted
    assert 'name="ids"' in html
    assert f'name="version_{sample.attack}"' in html


def test_queue_filters(editor: FlaskClient, sample: Sample) -> None:
    high = editor.get("/review", query_string={"min": "0.8"}).get_data(as_text=True)
    assert re.findall(r'id="c(\d+)"', high) == [str(sample.attack)]
    by_term = editor.get("/review", query_string={"q": "hulianwang"}).get_data(as_text=True)
    assert re.findall(r'id="c(\d+)"', by_term) == [str(sample.governance)]
    by_doc = editor.get("/review", query_string={"document": "no-such-doc"}).get_data(as_text=True)
    assert "No entries match" in by_doc


def test_approve_one_from_the_queue(editor: FlaskClient, session: Session, sample: Sample) -> None:
    response = editor.post(
        "/review/decide",
        data={
            "one": f"{sample.attack}:approved",
            "ids": [sample.governance],  # a selection elsewhere on the page is ignored by a per-item button
            f"version_{sample.attack}": _version(session, sample.attack),
            f"version_{sample.governance}": _version(session, sample.governance),
            "next": "/review?min=0.5",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/review?min=0.5"
    assert _status(session, sample.attack) == "approved"
    assert _status(session, sample.governance) == "candidate"


def test_bulk_decisions_skip_entries_changed_meanwhile(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    seen_attack, seen_governance = _version(session, sample.attack), _version(session, sample.governance)
    update_concept(session, sample.governance, version=seen_governance, actor="colleague", note="unsure")
    session.commit()
    response = editor.post(
        "/review/decide",
        data={
            "status": "rejected",
            "ids": [sample.attack, sample.governance],
            f"version_{sample.attack}": seen_attack,
            f"version_{sample.governance}": seen_governance,
        },
    )
    assert response.status_code == 303
    assert _status(session, sample.attack) == "rejected"
    assert _status(session, sample.governance) == "candidate"
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rejected 1 entry: 网络攻击 · cyber attack." in page
    assert f"Left alone because someone changed them after you loaded the queue: #{sample.governance}" in page


def test_open_redirects_are_refused(editor: FlaskClient, session: Session, sample: Sample) -> None:
    response = editor.post(
        "/review/decide",
        data={
            "one": f"{sample.attack}:approved",
            f"version_{sample.attack}": _version(session, sample.attack),
            "next": "https://evil.example/phish",
        },
    )
    assert response.headers["Location"] == "/review"


def test_variant_proposals(editor: FlaskClient, session: Session, sample: Sample) -> None:
    html = editor.get("/review/variants").get_data(as_text=True)
    assert "Internet sovereignty" in html
    variant = session.scalar(select(Term).where(Term.text == "Internet sovereignty"))
    assert variant is not None
    response = editor.post(
        f"/terms/{variant.id}/review",
        data={
            "review": "accepted",
            "version": _version(session, sample.sovereignty),
            "next": "/review/variants",
        },
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Term, variant.id).review == "accepted"  # type: ignore[union-attr]
    after = editor.get("/review/variants").get_data(as_text=True)
    assert "Accepted the variant “Internet sovereignty”." in after
    assert f'id="t{variant.id}"' not in after
    assert "No variant proposals" in after


def test_translators_see_the_queue_without_decision_buttons(
    as_role: Callable[[str | None], FlaskClient], sample: Sample
) -> None:
    html = as_role("translator").get("/review").get_data(as_text=True)
    assert "网络攻击" in html
    assert "Approve selected" not in html
    assert 'name="one"' not in html
