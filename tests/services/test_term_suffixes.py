"""The "contains" search tier reads term_suffixes; every write path keeps the table in step."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from termbase.db import Base
from termbase.exchange import backup
from termbase.exchange.importing import derive_term, import_file
from termbase.models import Concept, Term, TermSuffix
from termbase.services.concepts import (
    TermInput,
    add_term,
    build_term,
    create_concept,
    delete_concept,
    history,
    merge_concepts,
    remove_term,
    revert,
    update_term,
)
from termbase.services.search import search
from termbase.text.suffixes import text_suffixes

TBX_SAMPLE = (
    Path(__file__).resolve().parent.parent / "data" / "tbx" / "samples" / "cyber_sovereignty.tbx-basic-v3.tbx"
)


def _concept(session: Session, *terms: tuple[str, str], status: str = "approved") -> int:
    inputs = [TermInput(language=language, text=term, usage_status="preferred") for language, term in terms]
    return create_concept(session, inputs, actor="test", status=status).id


@pytest.fixture
def termbase(session: Session) -> dict[str, int]:
    ids = {
        "cyber": _concept(session, ("zh-Hans", "网络主权"), ("en", "cyber sovereignty")),
        "state": _concept(session, ("zh-Hant", "國家主權"), ("en", "state sovereignty")),
        "bare": _concept(session, ("zh-Hans", "主权"), ("en", "sovereignty")),
        "security": _concept(session, ("zh-Hans", "网络安全"), ("en", "cybersecurity")),
    }
    session.commit()
    return ids


def _stored(session: Session) -> set[tuple[int, str, str]]:
    session.expire_all()
    return {(r.term_id, r.field, r.key) for r in session.scalars(select(TermSuffix))}


def _derived(session: Session) -> set[tuple[int, str, str]]:
    """What the table should hold: the suffixes of every term's text."""
    return {
        (term_id, field, key)
        for term_id, language, term_text in session.execute(select(Term.id, Term.language, Term.text))
        for field, key in text_suffixes(term_text, language)
    }


def _hits(session: Session, query: str, **kwargs: Any) -> list[tuple[int, str, str]]:
    results = search(session, query, include_unapproved=True, **kwargs)
    return [(hit.concept_id, hit.match, hit.field) for hit in results.hits]


def test_chinese_substrings_are_found_in_both_scripts(session: Session, termbase: dict[str, int]) -> None:
    hits = _hits(session, "主权")
    assert hits[0] == (termbase["bare"], "exact", "zh")
    assert set(hits[1:]) == {(termbase["cyber"], "contains", "zh"), (termbase["state"], "contains", "zh")}
    assert _hits(session, "主權") == hits  # the query folds to Simplified too
    assert _hits(session, "络主") == [(termbase["cyber"], "contains", "zh")]
    assert {(h[0], h[1]) for h in _hits(session, "权")} == {
        (termbase[name], "contains") for name in ("cyber", "state", "bare")
    }


def test_english_words_and_pinyin_syllables_are_found_inside_terms(
    session: Session, termbase: dict[str, int]
) -> None:
    hits = _hits(session, "sovereignty")
    assert hits[0] == (termbase["bare"], "exact", "en")
    assert set(hits[1:]) == {(termbase["cyber"], "contains", "en"), (termbase["state"], "contains", "en")}
    assert (termbase["cyber"], "contains", "en") in _hits(session, "sovereign")  # a word's prefix
    zhuquan = _hits(session, "zhuquan")
    assert zhuquan[0] == (termbase["bare"], "exact", "pinyin")
    assert set(zhuquan[1:]) == {
        (termbase["cyber"], "contains", "pinyin"),
        (termbase["state"], "contains", "pinyin"),
    }


def test_no_match_inside_a_word_or_syllable_and_initials_stay_exact_or_prefix(
    session: Session, termbase: dict[str, int]
) -> None:
    assert _hits(session, "vereign") == []
    assert _hits(session, "uquan") == []
    assert _hits(session, "wlzq") == [(termbase["cyber"], "exact", "initials")]
    assert _hits(session, "zq") == [(termbase["bare"], "exact", "initials")]  # not 网络主权's "zq"
    assert [h[1] for h in _hits(session, "zhuquan", contains=False)] == ["exact"]


def test_a_query_longer_than_the_stored_suffixes_is_checked_whole(session: Session) -> None:
    long = "网络" + "主权安全" * 20
    found = _concept(session, ("zh-Hans", long))
    _concept(session, ("zh-Hans", "网络" + "主权安全" * 19 + "主权安慰"))
    session.commit()
    assert _hits(session, long[1:]) == [(found, "contains", "zh")]
    assert _hits(session, long[2:]) == [(found, "contains", "zh")]


def test_contains_lookups_read_the_suffix_index(session: Session, termbase: dict[str, int]) -> None:
    engine = session.get_bind()
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if "term_suffixes" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        search(session, "主权", include_unapproved=True)
        search(session, "sovereign", include_unapproved=True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert captured
    assert all("LIKE" not in statement for statement, _ in captured)
    connection = session.connection()
    if engine.dialect.name == "postgresql":
        connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        connection.execute(text("SET enable_seqscan = off"))
        for statement, parameters in captured:
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "ix_term_suffixes_field_key" in plan, plan
            assert "Seq Scan" not in plan, plan
        session.rollback()
    else:
        for statement, parameters in captured:
            plan = " | ".join(
                str(row[-1])
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
            assert "ix_term_suffixes_field_key" in plan, plan
            assert "SCAN terms" not in plan, plan
            assert "SCAN term_suffixes" not in plan, plan


def test_edits_rewrite_the_suffixes(session: Session, termbase: dict[str, int]) -> None:
    assert _stored(session) == _derived(session)
    concept = session.get(Concept, termbase["cyber"])
    assert concept is not None
    zh = next(t for t in concept.terms if t.language == "zh-Hans")
    update_term(session, zh.id, version=concept.version, actor="test", text="网络空间主权")
    session.commit()
    assert _stored(session) == _derived(session)
    assert (termbase["cyber"], "contains", "zh") in _hits(session, "空间")
    update_term(session, zh.id, version=None, actor="test", note="a note only")  # text unchanged
    added = add_term(
        session, termbase["cyber"], TermInput("en", "Internet sovereignty"), version=None, actor="t"
    )
    session.commit()
    assert _stored(session) == _derived(session)
    assert {(added.id, "text", "sovereignty")} <= _stored(session)


def test_removing_terms_and_concepts_removes_their_suffixes(
    session: Session, termbase: dict[str, int]
) -> None:
    concept = session.get(Concept, termbase["cyber"])
    assert concept is not None
    en = next(t for t in concept.terms if t.language == "en")
    remove_term(session, en.id, version=None, actor="test")
    session.commit()
    assert en.id not in {term_id for term_id, _, _ in _stored(session)}
    delete_concept(session, termbase["state"], version=None, actor="test")
    session.commit()
    assert _stored(session) == _derived(session)
    assert _hits(session, "sovereignty") == [(termbase["bare"], "exact", "en")]


def test_merge_and_revert_keep_the_suffixes_in_step(session: Session, termbase: dict[str, int]) -> None:
    merge_concepts(session, termbase["bare"], termbase["cyber"], actor="test")
    session.commit()
    assert _stored(session) == _derived(session)
    entry = next(e for e in history(session, termbase["cyber"]) if e.action == "merged-into")
    revert(session, entry.id, actor="test", expect_deleted=True)
    session.commit()
    assert _stored(session) == _derived(session)
    assert (termbase["cyber"], "contains", "zh") in _hits(session, "络主权")


def test_imports_write_the_suffixes(session: Session, termbase: dict[str, int]) -> None:
    data = "zh-CN,en-US\n数据主权,data sovereignty\n網絡主權,cyber sovereignty\n国际网络治理,Internet governance\n"
    import_file(session, io.BytesIO(data.encode()), filename="g.csv", dry_run=False, actor="importer")
    import_file(session, TBX_SAMPLE.open("rb"), filename="s.tbx", dry_run=False, actor="importer")
    session.commit()
    assert _stored(session) == _derived(session)
    new = {h[0] for h in _hits(session, "络治理")}
    assert len(new) == 1
    assert "data sovereignty" in {h.en for h in search(session, "sovereignty", include_unapproved=True).hits}


def test_backup_then_restore_searches_the_same(
    app: Flask, session: Session, termbase: dict[str, int]
) -> None:
    queries = ["主权", "sovereignty", "zhuquan", "络", "sovereign", "wlzq"]
    before = {q: _hits(session, q) for q in queries}
    stored = _stored(session)
    buffer = io.BytesIO()
    counts = backup.write_backup(session, buffer)
    assert "term_suffixes" not in counts  # derived: rebuilt on restore, never carried
    session.close()
    engine = app.extensions["termbase.engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    backup.restore_backup(session, io.BytesIO(buffer.getvalue()))
    session.commit()
    assert _stored(session) == stored
    assert {q: _hits(session, q) for q in queries} == before
    assert session.scalar(select(func.count()).select_from(TermSuffix)) == len(stored)


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("网络空间主权安全数据长行重乐了的地得着和一二三乾干發发ABCxyz 5-·")),
        min_size=1,
        max_size=12,
    ).filter(lambda s: s.strip())
)
def test_bulk_and_orm_paths_derive_the_same_suffixes(term_text: str) -> None:
    for language in ("zh-Hans", "zh-Hant", "en"):
        term = build_term(TermInput(language=language, text=term_text))
        orm = [(s.field, s.key) for s in term.suffixes]
        assert derive_term(language, term_text, None).suffixes == orm
        assert text_suffixes(term.text, language) == orm
