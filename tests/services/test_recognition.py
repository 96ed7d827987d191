"""The recognition service: matches with concept details, caching by the termbase stamp."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Concept, Term
from termbase.services import concepts as concept_service
from termbase.services import recognition
from termbase.services.concepts import TermInput


def _concept(session: Session, status: str, *terms: tuple[str, str] | tuple[str, str, str]) -> Concept:
    inputs = [
        TermInput(language=t[0], text=t[1], usage_status=t[2] if len(t) > 2 else "admitted") for t in terms
    ]
    concept = concept_service.create_concept(session, inputs, actor="test", status=status)
    session.commit()
    return concept


@pytest.fixture
def termbase(session: Session) -> dict[str, Concept]:
    return {
        "sovereignty": _concept(
            session,
            "approved",
            ("zh-Hans", "网络主权", "preferred"),
            ("zh-Hant", "網絡主權"),
            ("en", "cyber sovereignty", "preferred"),
            ("en", "internet sovereignty", "admitted"),
            ("en", "cyber-sovereignty", "deprecated"),
        ),
        "cyberspace": _concept(session, "approved", ("zh-Hans", "网络空间"), ("en", "cyberspace")),
        "candidate": _concept(session, "candidate", ("zh-Hans", "数字丝绸之路"), ("en", "Digital Silk Road")),
        "rejected": _concept(session, "rejected", ("zh-Hans", "网络"), ("en", "network")),
    }


def test_recognize_reports_terms_concepts_and_equivalents(
    session: Session, termbase: dict[str, Concept]
) -> None:
    text = "各国应尊重網絡主權，共建网络空间。"
    matches = recognition.recognize(session, text)
    assert [(m.text, m.start, m.end) for m in matches] == [("網絡主權", 5, 9), ("网络空间", 12, 16)]
    first = matches[0]
    assert first.concept_id == termbase["sovereignty"].id
    assert first.concept_status == "approved"
    # The Traditional spelling is the term the text actually uses.
    assert (first.term_text, first.language) == ("網絡主權", "zh-Hant")
    assert [e.text for e in first.equivalents] == ["cyber sovereignty"]  # the preferred one only
    assert [e.text for e in matches[1].equivalents] == ["cyberspace"]  # no preferred: admitted


def test_english_variants_pick_the_written_term(session: Session, termbase: dict[str, Concept]) -> None:
    text = "Cyber-Sovereignty and cyber sovereignties differ only in spelling."
    first, second = recognition.recognize(session, text)
    assert (first.text, first.term_text, first.usage_status) == (
        "Cyber-Sovereignty",
        "cyber-sovereignty",
        "deprecated",
    )
    assert (second.text, second.term_text, second.usage_status) == (
        "cyber sovereignties",
        "cyber sovereignty",
        "preferred",
    )
    # Each Chinese script gets its preferred term, or its admitted ones when none is preferred.
    assert [(e.language, e.text) for e in first.equivalents] == [
        ("zh-Hans", "网络主权"),
        ("zh-Hant", "網絡主權"),
    ]


def test_unapproved_and_rejected_concepts(session: Session, termbase: dict[str, Concept]) -> None:
    text = "The Digital Silk Road runs over the network."
    assert recognition.recognize(session, text) == []  # approved entries only by default
    found = recognition.recognize(session, text, include_unapproved=True)
    assert [(m.text, m.concept_status, m.reviewed) for m in found] == [
        ("Digital Silk Road", "candidate", False)
    ]
    assert [(e.text, e.reviewed) for e in found[0].equivalents] == [("数字丝绸之路", False)]


def test_engine_is_cached_until_the_termbase_changes(session: Session, termbase: dict[str, Concept]) -> None:
    engine = recognition.get_engine(session)
    assert recognition.get_engine(session) is engine
    assert recognition.recognize(session, "the Internet governance system") == []

    concept_service.create_concept(
        session, [TermInput(language="en", text="Internet governance")], actor="t", status="approved"
    )
    session.commit()
    rebuilt = recognition.get_engine(session)
    assert rebuilt is not engine
    assert rebuilt.stamp != engine.stamp
    assert [m.text for m in recognition.recognize(session, "the Internet governance system")] == [
        "Internet governance"
    ]

    # Approving a candidate concept changes what approved-only recognition sees.
    candidate = termbase["candidate"]
    concept_service.set_status(session, candidate.id, "approved", version=candidate.version, actor="t")
    session.commit()
    assert [m.text for m in recognition.recognize(session, "数字丝绸之路", include_unapproved=False)] == [
        "数字丝绸之路"
    ]


def test_uncommitted_changes_do_not_enter_the_cache(session: Session, termbase: dict[str, Concept]) -> None:
    concept_service.create_concept(session, [TermInput(language="en", text="splinternet")], actor="t")
    assert recognition.recognize(session, "a splinternet") == []
    session.rollback()
    assert recognition.recognize(session, "a splinternet") == []


def test_bulk_inserts_that_bypass_the_orm_are_seen(session: Session, termbase: dict[str, Concept]) -> None:
    assert recognition.recognize(session, "root zone") == []
    concept_id = termbase["cyberspace"].id
    session.execute(
        insert(Term).values(
            concept_id=concept_id,
            language="en",
            text="root zone",
            normalized="root zone",
            search_key="rootzone",
            usage_status="admitted",
            review="accepted",
        )
    )
    session.commit()
    assert [m.concept_id for m in recognition.recognize(session, "root zone")] == [concept_id]


def test_deleted_terms_disappear(session: Session, termbase: dict[str, Concept]) -> None:
    concept = termbase["cyberspace"]
    concept_service.delete_concept(session, concept.id, version=concept.version, actor="t")
    session.commit()
    assert recognition.recognize(session, "cyberspace") == []
    assert session.scalar(select(Term).where(Term.text == "cyberspace")) is None


def test_slow_rebuilds_happen_in_the_background(
    session: Session, termbase: dict[str, Concept], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recognition, "SYNC_REBUILD_SECONDS", 0.0)  # every build counts as slow
    old = recognition.get_engine(session)
    concept_service.create_concept(session, [TermInput(language="en", text="splinternet")], actor="t")
    session.commit()
    # The change is noticed, but the caller is answered at once with the previous engine.
    assert recognition.get_engine(session) is old
    fresh = old
    for _ in range(400):
        fresh = recognition.get_engine(session)
        if fresh is not old:
            break
        time.sleep(0.025)
    assert fresh is not old
    assert fresh.stamp == recognition.current_stamp(session)
    assert [m.text for m in recognition.recognize(session, "a splinternet", include_unapproved=True)] == [
        "splinternet"
    ]


def test_terms_kept_in_other_languages_are_neither_recognized_nor_equivalents(session: Session) -> None:
    data = (
        '<martif type="TBX-Basic" xml:lang="en"><text><body><termEntry id="a">'
        '<langSet xml:lang="en"><tig><term>federation</term></tig></langSet>'
        '<langSet xml:lang="fr"><tig><term>fédération</term></tig></langSet>'
        '<langSet xml:lang="zh"><tig><term>联合会</term></tig></langSet>'
        "</termEntry></body></text></martif>"
    ).encode()
    import_file(
        session, io.BytesIO(data), filename="f.tbx", dry_run=False, actor="t", default_status="approved"
    )
    session.commit()
    assert "fr" in set(session.scalars(select(Term.language)))
    assert recognition.recognize(session, "la fédération") == []
    [match] = recognition.recognize(session, "成立联合会")
    assert [(e.text, e.language) for e in match.equivalents] == [("federation", "en")]
