"""Smoke tests: the synthetic termbase generator and every scale benchmark run at N=200.

They check that the scripts work and that the generator writes what the services would;
speed is measured by the scripts themselves (``make bench``), never here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks import exchange_scale, recognition_latency, scaling, search_latency, synthetic
from termbase.db import make_engine
from termbase.models import Term
from termbase.services.concepts import apply_term_text

N = 200


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="module")
def bench_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.sqlite3'}"
    report = synthetic.load(url, N, workers=1)
    assert (report.concepts, report.terms, report.citations) == (N, 3 * N, 2 * N // synthetic.CITED_EVERY)
    return url


def test_generator_writes_what_the_services_derive(bench_url: str) -> None:
    engine = make_engine(bench_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, language, text, normalized, search_key, pinyin, pinyin_key, pinyin_initials "
                "FROM terms ORDER BY id LIMIT 60"
            )
        ).all()
        suffixes = {
            (term_id, field, key)
            for term_id, field, key in conn.execute(
                text('SELECT term_id, field, "key" FROM term_suffixes WHERE term_id <= :last'),
                {"last": rows[-1].id},
            )
        }
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM concepts GROUP BY status")).all())
        cited = conn.execute(
            text(
                'SELECT t.text, s.zh_text, s.en_text, c.start, c."end", t.language FROM citations c '
                "JOIN terms t ON t.id = c.term_id JOIN segments s ON s.id = c.segment_id"
            )
        ).all()
        stamp = conn.execute(text("SELECT value FROM counters WHERE name = 'termbase'")).scalar()
    engine.dispose()
    assert {r.language for r in rows} >= {"zh-Hans", "en"}
    expected_suffixes: set[tuple[int, str, str]] = set()
    for row in rows:
        term = Term(language=row.language)
        apply_term_text(term, row.text, row.pinyin)
        expected_suffixes.update((row.id, s.field, s.key) for s in term.suffixes)
        assert (term.normalized, term.search_key, term.pinyin_key or None, term.pinyin_initials or None) == (
            row.normalized,
            row.search_key,
            row.pinyin_key or None,
            row.pinyin_initials or None,
        )
    assert suffixes == expected_suffixes
    assert suffixes
    assert set(statuses) <= {"approved", "candidate", "rejected"}
    assert statuses["approved"] > N // 2
    for term_text, zh, en, start, end, language in cited:
        assert (zh if language != "en" else en)[start:end] == term_text
    assert (stamp or 0) >= 1
    assert synthetic.loaded_concepts(bench_url) == N


def test_search_script(bench_url: str, out: Path) -> None:
    result = search_latency.run(
        bench_url, N, queries=12, clients=(1, 2), workers=1, max_seconds=10, like_budget_s=1
    )
    assert result["http"]["index/1"]["errors"] == 0
    assert result["http"]["contains/2"]["all"]["n"] > 0
    assert "SQL LIKE" in search_latency.report(result)
    (out / f"search-sqlite-{N}.json").write_text(json.dumps(result))


def test_recognition_script(bench_url: str, out: Path) -> None:
    result = recognition_latency.run(bench_url, N, repeat=3, naive_budget_s=1, with_http=False)
    assert result["segments"]["dense zh"]["matches"] > 10
    assert "naive" in recognition_latency.report(result)
    (out / f"recognition-sqlite-{N}.json").write_text(json.dumps(result))


def test_scaling_figure(out: Path) -> None:
    if not (out / f"search-sqlite-{N}.json").exists() or not (out / f"recognition-sqlite-{N}.json").exists():
        pytest.skip("needs the search and recognition results of this module")
    figure = scaling.plot([N], out / "scaling.png", out=out)
    assert figure.stat().st_size > 1000


@pytest.mark.slow
def test_exchange_script(bench_url: str, tmp_path: Path) -> None:
    result = exchange_scale.run(
        bench_url,
        N,
        translate_toolkit_max_mb=1,
        workdir=tmp_path,
        scratch=f"sqlite:///{tmp_path / 'import.sqlite3'}",
    )
    engine = make_engine(bench_url)
    with engine.connect() as conn:
        exportable = conn.execute(text("SELECT count(*) FROM concepts WHERE status != 'rejected'")).scalar()
    engine.dispose()
    assert result["export 2008"]["concepts"] == exportable
    assert result["import"]["concepts"] == exportable
    assert result["read (translate-toolkit)"]["concepts"] > 0
    assert "export 2008" in exchange_scale.report(result)
