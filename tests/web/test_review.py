"""The review queue: candidates by confidence with evidence and citations; one or many decisions."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.models import Citation, Concept, Segment, Term
from termbase.services.concepts import TermInput, add_term, update_concept


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


def _variant(session: Session, concept_id: int, text: str, *, cite: bool = False) -> int:
    citations = []
    if cite:
        segment = session.scalar(select(Segment).where(Segment.en_text.is_not(None)).limit(1))
        assert segment is not None
        citations = [(segment.id, 0, 3)]
    term = add_term(
        session,
        concept_id,
        TermInput(language="en", text=text, review="candidate", citations=citations),
        version=None,
        actor="extraction",
    )
    session.commit()
    return term.id


def test_variant_proposals_show_citations_and_decide_in_bulk(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    first = _variant(session, sample.sovereignty, "sky sovereignty", cite=True)
    second = _variant(session, sample.sovereignty, "cloud sovereignty")
    html = editor.get("/review/variants").get_data(as_text=True)
    item = html[html.index(f'id="t{first}"') :]
    item = item[: item.index("</li>\n")]
    assert '<ol class="citations compact">' in item
    assert "cited in 1 segment<" in item  # not "1 citations"
    assert "3 proposed variants." in html
    # Two variants of the same entry, decided together: the second must not trip on the
    # version the first one bumped.
    response = editor.post(
        "/review/variants/decide",
        data={
            "ids": [first, second],
            "review": "rejected",
            f"version_{sample.sovereignty}": _version(session, sample.sovereignty),
            "next": "/review/variants",
            "anchor": "t1",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/review/variants#t1")
    session.expire_all()
    assert [session.get(Term, t).review for t in (first, second)] == ["rejected", "rejected"]  # type: ignore[union-attr]
    after = editor.get("/review/variants").get_data(as_text=True)
    assert "Rejected 2 variants: “sky sovereignty”, “cloud sovereignty”." in after


def test_queue_decides_one_term_and_keeps_its_place(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    variant = _variant(session, sample.attack, "cyber assault")
    html = editor.get("/review?q=cyber+assault").get_data(as_text=True)
    chip = html[html.index(f'id="chip-{variant}"') :]
    chip = chip[: chip.index("</li>")]
    assert f'formaction="/terms/{variant}/review"' in chip
    assert f'formaction="/terms/{variant}/usage"' in chip
    version = _version(session, sample.attack)
    response = editor.post(
        f"/terms/{variant}/review",
        data={
            "review": "rejected",
            f"version_{sample.attack}": version,
            "next": "/review?q=cyber+assault",
            "anchor": f"c{sample.attack}",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/review?q=cyber+assault#c{sample.attack}")
    assert _status(session, sample.attack) == "candidate"  # the entry itself is untouched
    assert session.get(Term, variant).review == "rejected"  # type: ignore[union-attr]
    english = session.scalar(
        select(Term).where(Term.concept_id == sample.attack, Term.language == "en", Term.review == "accepted")
    )
    assert english is not None
    response = editor.post(
        f"/terms/{english.id}/usage",
        data={"usage": "preferred", f"version_{sample.attack}": _version(session, sample.attack)},
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Term, english.id).usage_status == "preferred"  # type: ignore[union-attr]
    # The decision on the entry comes back at the next item.
    response = editor.post(
        "/review/decide",
        data={
            "one": f"{sample.attack}:approved",
            f"version_{sample.attack}": _version(session, sample.attack),
            "next": "/review",
            "anchor": "c42",
        },
    )
    assert response.headers["Location"].endswith("/review#c42")


def test_queue_removes_one_citation_and_keeps_its_place(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    html = editor.get("/review").get_data(as_text=True)
    item = html[html.index(f'id="c{sample.attack}"') :]
    found = re.search(rf'formaction="/concepts/{sample.attack}/citations/(\d+)/remove"', item)
    assert found is not None
    segment_id = int(found.group(1))
    response = editor.post(
        f"/concepts/{sample.attack}/citations/{segment_id}/remove",
        data={
            f"version_{sample.attack}": _version(session, sample.attack),
            "next": "/review",
            "anchor": f"c{sample.attack}",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/review#c{sample.attack}")
    session.expire_all()
    cited = session.scalars(
        select(Citation.segment_id)
        .join(Term, Term.id == Citation.term_id)
        .where(Term.concept_id == sample.attack)
    ).all()
    assert segment_id not in cited
    page = editor.get(f"/concepts/{sample.attack}").get_data(as_text=True)
    assert "Removed citations (1)" in page
