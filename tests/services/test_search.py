"""Lookup: Chinese in either script, pinyin with or without tones, initials, English keys; ranking."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from termbase.models import Concept
from termbase.services import search as search_service
from termbase.services.concepts import TermInput, create_concept, update_term
from termbase.services.search import concept_ids_matching, parse_query, search


def _concept(session: Session, zh: str | None, en: str | None, status: str = "approved", **extra: Any) -> int:
    terms = []
    if zh:
        terms.append(TermInput(language="zh-Hans", text=zh, usage_status="preferred"))
    if en:
        terms.append(TermInput(language="en", text=en, usage_status="preferred"))
    for language, term in extra.pop("more", []):
        terms.append(TermInput(language=language, text=term))
    concept = create_concept(session, terms, actor="test", status=status, **extra)
    return concept.id


@pytest.fixture
def termbase(session: Session) -> dict[str, int]:
    ids = {
        "sovereignty": _concept(
            session,
            "网络主权",
            "cyber sovereignty",
            more=[("zh-Hant", "網絡主權"), ("en", "Internet sovereignty")],
        ),
        "security": _concept(session, "网络安全", "cybersecurity"),
        "attack": _concept(session, "网络攻击", "cyber attack"),
        "bare": _concept(session, "主权", "sovereignty", status="candidate", confidence=0.7),
        "rejected": _concept(session, "网络空间命运共同体", "community of common destiny", status="rejected"),
        "space": _concept(session, "网络空间", "cyberspace"),
    }
    session.commit()
    return ids


def _ids(results: search_service.SearchResults) -> list[int]:
    return [hit.concept_id for hit in results.hits]


@pytest.mark.parametrize(
    "query",
    ["网络主权", "網絡主權", "wangluo zhuquan", "wǎngluò zhǔquán", "wangluozhuquan", "WangLuo ZhuQuan",
     "wang3luo4 zhu3quan2", "wlzq", "cyber sovereignty", "Cyber-Sovereignty", "cyber sovereignties"],
)  # fmt: skip
def test_every_reading_finds_the_entry_first_as_an_exact_match(
    session: Session, termbase: dict[str, int], query: str
) -> None:
    results = search(session, query, include_unapproved=True)
    assert results.hits, query
    first = results.hits[0]
    assert first.concept_id == termbase["sovereignty"]
    assert first.match == "exact"
    assert first.zh == "网络主权"
    assert first.pinyin == "wǎngluò zhǔquán"
    assert first.en == "cyber sovereignty"
    assert first.status == "approved"
    assert first.usage_status in {"preferred", "admitted"}


def test_english_ignores_case_plural_and_hyphen(session: Session, termbase: dict[str, int]) -> None:
    results = search(session, "Cyber-Attacks", include_unapproved=False)
    assert _ids(results)[0] == termbase["attack"]
    assert results.hits[0].match == "exact"
    assert results.hits[0].field == "en"


def test_ranking_is_exact_then_prefix_then_contains(session: Session, termbase: dict[str, int]) -> None:
    results = search(session, "zhuquan", include_unapproved=True)
    assert [(hit.concept_id, hit.match) for hit in results.hits] == [
        (termbase["bare"], "exact"),
        (termbase["sovereignty"], "contains"),
    ]
    prefix = search(session, "wangluo", include_unapproved=True)
    assert {hit.match for hit in prefix.hits} == {"prefix"}
    assert set(_ids(prefix)) == {termbase[k] for k in ("sovereignty", "security", "attack", "space")}
    mixed = search(session, "sovereignty", include_unapproved=True)
    assert [(hit.concept_id, hit.match) for hit in mixed.hits] == [
        (termbase["bare"], "exact"),
        (termbase["sovereignty"], "contains"),
    ]


def test_chinese_prefix_and_contains(session: Session, termbase: dict[str, int]) -> None:
    results = search(session, "网络空间", include_unapproved=True)
    assert [(h.concept_id, h.match) for h in results.hits] == [(termbase["space"], "exact")]
    results = search(session, "主权", include_unapproved=True, statuses={"approved", "candidate"})
    assert [(h.concept_id, h.match) for h in results.hits] == [
        (termbase["bare"], "exact"),
        (termbase["sovereignty"], "contains"),
    ]


def test_approved_only_hides_candidates_and_variant_proposals(
    session: Session, termbase: dict[str, int]
) -> None:
    assert _ids(search(session, "zhuquan", include_unapproved=False)) == [termbase["sovereignty"]]
    concept = session.get(Concept, termbase["sovereignty"])
    assert concept is not None
    variant = next(t for t in concept.terms if t.text == "Internet sovereignty")
    update_term(session, variant.id, version=concept.version, actor="test", review="candidate")
    session.commit()
    assert search(session, "internet sovereignty", include_unapproved=False).hits == []
    assert _ids(search(session, "internet sovereignty", include_unapproved=True)) == [termbase["sovereignty"]]


def test_rejected_entries_only_on_request(session: Session, termbase: dict[str, int]) -> None:
    query = "community of common destiny"
    assert search(session, query, include_unapproved=True).hits == []
    found = search(session, query, include_unapproved=True, statuses={"rejected"})
    assert _ids(found) == [termbase["rejected"]]
    assert search(session, query, include_unapproved=False, statuses={"rejected"}).hits == []


def test_did_you_mean_when_nothing_matches(session: Session, termbase: dict[str, int]) -> None:
    results = search(session, "cyber soverignty", include_unapproved=False)
    assert results.hits == []
    assert results.total == 0
    assert results.suggestions
    assert results.suggestions[0].text == "cyber sovereignty"
    pinyin = search(session, "wanglou zhuquan", include_unapproved=False)
    assert "网络主权" in [s.text for s in pinyin.suggestions]
    nothing = search(session, "xylophone", include_unapproved=False)
    assert nothing.hits == []
    assert nothing.suggestions == []


def test_pagination_and_totals(session: Session, termbase: dict[str, int]) -> None:
    first = search(session, "wangluo", include_unapproved=True, limit=2)
    assert len(first.hits) == 2
    assert first.has_more
    assert first.total is None
    second = search(session, "wangluo", include_unapproved=True, limit=2, offset=2)
    assert len(second.hits) == 2
    assert not second.has_more
    assert second.total == 4
    assert not set(_ids(first)) & set(_ids(second))


def test_like_wildcards_are_literal(session: Session, termbase: dict[str, int]) -> None:
    for query in ("%", "_", "\\", "%%y"):
        assert search(session, query, include_unapproved=True).hits == [], query
    assert search(session, "   ", include_unapproved=True).fields == ()


def test_query_readings() -> None:
    assert [f.name for f in parse_query("网络")] == ["zh"]
    assert [f.name for f in parse_query("wlzq")] == ["en", "pinyin", "initials"]
    assert [f.name for f in parse_query("cyber sovereignty")] == ["en", "pinyin"]
    assert [f.name for f in parse_query("5G network")] == ["en"]


def test_concept_ids_matching_filters_other_queries(session: Session, termbase: dict[str, int]) -> None:
    ids = concept_ids_matching(session, "wangluo", include_unapproved=True)
    found = set(session.scalars(select(Concept.id).where(Concept.id.in_(ids))))
    assert found == {termbase[k] for k in ("sovereignty", "security", "attack", "space")}
    approved_only = concept_ids_matching(session, "zhuquan", include_unapproved=False)
    assert set(session.scalars(approved_only)) == {termbase["sovereignty"]}
    assert set(session.scalars(concept_ids_matching(session, "", include_unapproved=True))) == set()


def test_exact_and_prefix_lookups_can_use_the_indexes(session: Session, termbase: dict[str, int]) -> None:
    """The queries a page-filling lookup sends never need to scan the terms table."""
    engine = session.get_bind()
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if "FROM terms" in statement and "LIKE" not in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        search(session, "wangluo", include_unapproved=True, limit=2)
        search(session, "wlzq", include_unapproved=True, limit=1)
        search(session, "cyber", include_unapproved=True, limit=1)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert any("pinyin_initials" in statement for statement, _ in captured)
    assert any("~>=~" in statement or ">=" in statement for statement, _ in captured)
    connection = session.connection()
    if engine.dialect.name == "postgresql":
        # A generic plan is what a driver that prepares statements gets; forbid seq scans to see
        # whether an index path exists at all on these tiny tables.
        connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        connection.execute(text("SET enable_seqscan = off"))
        for statement, parameters in captured:
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "Seq Scan on terms" not in plan, plan
            assert "Index Scan using ix_terms_" in plan or "Index Cond" in plan, plan
        session.rollback()
    else:
        for statement, parameters in captured:
            plan = " | ".join(
                str(row[-1])
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
            assert "SCAN terms" not in plan, plan
            assert "USING INDEX ix_terms_" in plan or "USING COVERING INDEX ix_terms_" in plan, plan


def test_contains_tier_can_be_switched_off(session: Session, termbase: dict[str, int]) -> None:
    assert [h.match for h in search(session, "zhuquan", include_unapproved=True, contains=False).hits] == [
        "exact"
    ]
