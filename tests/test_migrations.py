"""Migrations: upgrade an empty database to head, find no drift, downgrade to base, on both backends."""

from __future__ import annotations

from sqlalchemy import inspect, text

from termbase import migrate
from termbase.db import make_engine
from termbase.text.suffixes import text_suffixes


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_check_downgrade(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    assert {"concepts", "terms", "citations", "segments", "documents", "users", "history"} <= _tables(
        empty_database
    )
    assert migrate.check(empty_database) is None

    migrate.downgrade(empty_database, "base")
    assert _tables(empty_database) == set()


def test_check_reports_drift(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_terms_search_key"))
    engine.dispose()
    drift = migrate.check(empty_database)
    assert drift is not None
    assert "ix_terms_search_key" in drift


def test_term_suffixes_migration_backfills_existing_terms(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0002")
    engine = make_engine(empty_database)
    now = "2026-01-01 00:00:00"
    terms = [(1, "zh-Hans", "网络主权"), (2, "zh-Hant", "國家主權"), (3, "en", "cyber sovereignty")]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO concepts (id, status, origin, created_at, updated_at, version) "
                "VALUES (1, 'approved', 'manual', :now, :now, 1)"
            ),
            {"now": now},
        )
        for term_id, language, term in terms:
            conn.execute(
                text(
                    "INSERT INTO terms (id, concept_id, language, text, normalized, search_key, "
                    "usage_status, review, created_at) VALUES (:id, 1, :language, :text, :text, :text, "
                    "'admitted', 'accepted', :now)"
                ),
                {"id": term_id, "language": language, "text": term, "now": now},
            )
    expected = {
        (term_id, field, key)
        for term_id, language, term in terms
        for field, key in text_suffixes(term, language)
    }
    assert (2, "text", "主权") in expected
    assert (3, "text", "sovereignty") in expected

    def stored() -> set[tuple[int, str, str]]:
        with engine.connect() as conn:
            return {
                tuple(row) for row in conn.execute(text('SELECT term_id, field, "key" FROM term_suffixes'))
            }

    migrate.upgrade(empty_database)
    assert stored() == expected
    assert migrate.check(empty_database) is None
    migrate.downgrade(empty_database, "0002")
    assert "term_suffixes" not in _tables(empty_database)
    migrate.upgrade(empty_database)
    assert stored() == expected
    engine.dispose()


def test_pinyin_migration_writes_compounds_word_by_word(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0003")
    engine = make_engine(empty_database)
    now = "2026-01-01 00:00:00"
    terms = [
        (1, "zh-Hans", "网络空间", "wǎngluòkōngjiān"),  # derived the old way: rewritten
        (2, "zh-Hans", "人工智能", "rén gōng zhì néng"),  # spaced by someone: rewritten to words too
        (3, "zh-Hans", "网络空间治理", "wǎngluò kōngjiānzhìlǐ"),
        (4, "zh-Hans", "人工智能", "AI"),  # pinyin someone typed: kept
        (5, "zh-Hans", "网络", "wǎngluò"),
        (6, "en", "cyberspace", None),
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO concepts (id, status, origin, created_at, updated_at, version) "
                "VALUES (1, 'approved', 'manual', :now, :now, 1)"
            ),
            {"now": now},
        )
        for term_id, language, term, pinyin in terms:
            conn.execute(
                text(
                    "INSERT INTO terms (id, concept_id, language, text, normalized, search_key, pinyin, "
                    "usage_status, review, created_at) VALUES (:id, 1, :language, :text, :key, :text, "
                    ":pinyin, 'admitted', 'accepted', :now)"
                ),
                {
                    "id": term_id,
                    "language": language,
                    "text": term,
                    "key": f"{term}{term_id}",
                    "pinyin": pinyin,
                    "now": now,
                },
            )
    migrate.upgrade(empty_database)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, pinyin FROM terms")).all())
    engine.dispose()
    assert stored == {
        1: "wǎngluò kōngjiān",
        2: "réngōng zhìnéng",
        3: "wǎngluò kōngjiān zhìlǐ",
        4: "AI",
        5: "wǎngluò",
        6: None,
    }
    assert migrate.check(empty_database) is None
