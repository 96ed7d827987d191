"""Search latency over HTTP under gunicorn, 1 and 8 concurrent clients, beside SQL LIKE.

Target (issue 7): ``GET /api/v1/search`` p95 at most 20 ms over HTTP at 1,000,000 concepts.

    .venv/bin/python -m benchmarks.search_latency --concepts 1000000            # SQLite
    .venv/bin/python -m benchmarks.search_latency --concepts 1000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/termbase_bench_1m --reuse

The termbase comes from :mod:`benchmarks.synthetic` (loaded unless ``--reuse`` finds it
there already). Queries are drawn from the termbase itself, in a fixed mix of what users
type: whole Chinese terms in either script, two-character Chinese prefixes, pinyin with tone
marks, toneless pinyin prefixes, initials, whole English terms, English prefixes, single
English words (which reach the substring tier) and misspelt English terms (no match, so the
"did you mean" suggestions run). Anonymous reads, as the default ``ANONYMOUS_ACCESS=read``
allows: approved entries only.

Measured in one run, on the same queries:

1. the search service in-process (no HTTP), wall and CPU time;
2. the same queries over HTTP to gunicorn (``--workers`` sync workers, README's production
   line), one client, then 8 concurrent clients (closed loop, loopback, bounded by request
   count and time);
3. the naive peer: ``SELECT … FROM terms JOIN concepts … WHERE text LIKE '%q%' LIMIT 20``,
   in-process, on a bounded subset of the queries.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.common import (
    OUT,
    TARGET_SEARCH_P95_MS,
    Latency,
    default_url,
    fmt_ms,
    gunicorn,
    machine,
    machine_line,
    run_load,
    scale_label,
    search_path,
    write_json,
)

SEED = 77
# (kind, weight): what users type, roughly.
MIX = (
    ("zh exact", 20),
    ("zh-Hant exact", 5),
    ("zh prefix", 10),
    ("pinyin marks", 8),
    ("pinyin prefix", 10),
    ("initials", 5),
    ("en exact", 20),
    ("en prefix", 10),
    ("en word", 7),
    ("en typo", 5),
)
LIKE_SQL = text(
    "SELECT t.id, t.concept_id FROM terms t JOIN concepts c ON c.id = t.concept_id "
    "WHERE c.status = 'approved' AND t.text LIKE :pattern ORDER BY t.id LIMIT 20"
)


def _sample_terms(conn: Any, concepts: int, rng: random.Random, count: int) -> dict[int, dict[str, Any]]:
    ids = sorted({rng.randint(1, concepts) for _ in range(count)})
    rows = conn.execute(
        text(
            "SELECT concept_id, language, text, pinyin, pinyin_key, pinyin_initials, usage_status "
            "FROM terms WHERE concept_id IN (" + ",".join(str(i) for i in ids) + ") ORDER BY id"
        )
    ).all()
    by_concept: dict[int, dict[str, Any]] = {}
    for concept_id, language, term, pinyin, key, initials, usage in rows:
        entry = by_concept.setdefault(concept_id, {})
        if language == "en":
            entry.setdefault("en", term) if usage == "preferred" else entry.setdefault("en2", term)
        elif language == "zh-Hans":
            entry.update(zh=term, pinyin=pinyin, key=key, initials=initials)
        else:
            entry["hant"] = term
    return by_concept


def _typo(word: str, rng: random.Random) -> str:
    position = rng.randrange(len(word))
    letter = rng.choice("aeioustrnl")
    return word[:position] + letter + word[position + 1 :]


def make_queries(conn: Any, concepts: int, count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """``count`` (kind, query) pairs drawn from the termbase in the fixed mix."""
    rng = random.Random(seed)
    entries = list(_sample_terms(conn, concepts, rng, count * 2).values())
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    queries: list[tuple[str, str]] = []
    while len(queries) < count:
        kind = rng.choices(kinds, weights)[0]
        entry = rng.choice(entries)
        query: str | None = None
        if kind == "zh exact":
            query = entry.get("zh")
        elif kind == "zh-Hant exact":
            query = entry.get("hant")
        elif kind == "zh prefix":
            query = (entry.get("zh") or "")[:2] or None
        elif kind == "pinyin marks":
            query = entry.get("pinyin")
        elif kind == "pinyin prefix":
            query = (entry.get("key") or "")[: rng.randint(4, 7)] or None
        elif kind == "initials":
            query = entry.get("initials")
        elif kind == "en exact":
            query = entry.get("en")
        elif kind == "en prefix":
            query = (entry.get("en") or "").split(" ")[0][:4] or None
        elif kind == "en word":
            words = (entry.get("en") or "").split()
            query = words[-1] if len(words) > 1 else None
        elif kind == "en typo":
            term = entry.get("en")
            query = _typo(term, rng) if term and len(term) > 5 else None
        if query:
            queries.append((kind, query))
    return queries


def measure_service(
    database_url: str, queries: Sequence[tuple[str, str]], *, contains: bool, max_seconds: float
) -> dict[str, Any]:
    """The search service in-process, one query at a time (what the HTTP figure adds to)."""
    from termbase.db import make_engine, make_sessionmaker
    from termbase.services.search import search

    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    latency = Latency()
    per_kind: dict[str, list[float]] = {}
    deadline = time.perf_counter() + max_seconds
    with factory() as session:
        # One untimed pass on the index tiers, so the first mode measured does not pay for
        # reading the indexes from disk after the load (the HTTP passes come later, warm).
        for _kind, query in queries:
            search(session, query, include_unapproved=False, limit=20, contains=False)
            session.rollback()
        for kind, query in queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            search(session, query, include_unapproved=False, limit=20, contains=contains)
            session.rollback()
            elapsed = (time.perf_counter() - began) * 1000
            latency.samples_ms.append(elapsed)
            latency.cpu_ms.append((time.process_time() - began_cpu) * 1000)
            per_kind.setdefault(kind, []).append(elapsed)
            if time.perf_counter() > deadline:
                break
    engine.dispose()
    return {"all": latency.summary(), "per_kind": {k: Latency(v).summary() for k, v in per_kind.items()}}


def measure_like(database_url: str, queries: Sequence[tuple[str, str]], budget_s: float) -> dict[str, Any]:
    """The naive peer: a LIKE '%q%' scan of terms.text for the same queries, time-bounded."""
    from termbase.db import make_engine

    engine = make_engine(database_url)
    latency = Latency()
    deadline = time.perf_counter() + budget_s
    hits = 0
    with engine.connect() as conn:
        for _kind, query in queries:
            pattern = "%" + query.replace("\\", "").replace("%", "").replace("_", "") + "%"
            began = time.perf_counter()
            hits += len(conn.execute(LIKE_SQL, {"pattern": pattern}).all())
            latency.samples_ms.append((time.perf_counter() - began) * 1000)
            if time.perf_counter() > deadline and len(latency.samples_ms) >= 5:
                break
    engine.dispose()
    return {"all": latency.summary(), "rows": hits}


def measure_http(
    database_url: str,
    queries: Sequence[tuple[str, str]],
    *,
    clients: Sequence[int],
    workers: int,
    max_seconds: float,
    modes: Sequence[str],
) -> dict[str, Any]:
    """Closed-loop load per (mode, clients); mode "contains" is the API default, "index" passes contains=false."""
    results: dict[str, Any] = {"workers": workers}
    with gunicorn(database_url, workers=workers) as port:
        warm = [(kind, search_path(q, contains=False)) for kind, q in queries[: 10 * workers]]
        run_load(port, warm, clients=workers, max_seconds=60)  # every worker connected and warm
        for mode in modes:
            requests = [(kind, search_path(q, contains=mode == "contains")) for kind, q in queries]
            for count in clients:
                load = run_load(port, requests, clients=count, max_seconds=max_seconds)
                results[f"{mode}/{count}"] = {
                    "all": load.latency.summary(),
                    "throughput": load.throughput,
                    "errors": load.errors,
                    "seconds": load.seconds,
                    "per_kind": {k: Latency(v).summary() for k, v in load.per_kind.items()},
                }
    return results


def run(
    database_url: str,
    concepts: int,
    *,
    queries: int = 600,
    clients: Sequence[int] = (1, 8),
    workers: int = 4,
    like_budget_s: float = 60.0,
    max_seconds: float = 120.0,
    reuse: bool = True,
    modes: Sequence[str] = ("contains", "index"),
) -> dict[str, Any]:
    from benchmarks.synthetic import ensure_loaded
    from termbase.db import make_engine

    load = ensure_loaded(database_url, concepts, reuse=reuse, progress=True)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        mix = make_queries(conn, concepts, queries)
    engine.dispose()
    result: dict[str, Any] = {
        "concepts": concepts,
        "database": engine.dialect.name,
        "machine": machine(),
        "load": load.as_dict() if load else None,
        "queries": len(mix),
    }
    result["service"] = {
        mode: measure_service(database_url, mix, contains=mode == "contains", max_seconds=max_seconds)
        for mode in modes
    }
    result["http"] = measure_http(
        database_url, mix, clients=clients, workers=workers, max_seconds=max_seconds, modes=modes
    )
    result["like"] = measure_like(database_url, mix, like_budget_s)
    result["machine_after"] = machine()
    return result


def report(result: dict[str, Any]) -> str:
    lines = [
        f"search latency, {result['concepts']:,} concepts on {result['database']}, "
        f"{result['queries']} queries; {machine_line(result['machine'])}",
        "  mode 'contains': the API default (substring tier when exact+prefix leave the page short);"
        " 'index': contains=false",
    ]
    http = result["http"]
    like = result["like"]["all"]
    for mode, service_figures in result["service"].items():
        service = service_figures["all"]
        lines.append(
            f"  [{mode}] service in-process        {fmt_ms(service)}   CPU p95 {service['cpu_p95']:.2f} ms"
        )
        for key, value in http.items():
            if not key.startswith(mode + "/"):
                continue
            summary = value["all"]
            verdict = "meets" if summary["p95"] <= TARGET_SEARCH_P95_MS else "MISSES"
            lines.append(
                f"  [{mode}] HTTP {key.split('/')[1]} client(s), {http['workers']} workers {fmt_ms(summary)}  "
                f"{value['throughput']:.0f} req/s, {value['errors']} errors; p95 <= "
                f"{TARGET_SEARCH_P95_MS:.0f} ms: {verdict}"
            )
        lines.append(f"  [{mode}] LIKE/service p50 ratio {like['p50'] / service['p50']:.1f}x")
    lines.append(f"  peer: SQL LIKE '%q%' in-process  {fmt_ms(like)}")
    for key, value in http.items():
        if key.endswith("/1"):
            lines.append(f"  per query kind, HTTP {key}, p50 / p95 ms:")
            for kind, summary in sorted(value["per_kind"].items()):
                lines.append(
                    f"    {kind:<16} {summary['p50']:8.2f} / {summary['p95']:8.2f}  (n={summary['n']})"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite under TERMBASE_BENCH_DATA")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--max-seconds", type=float, default=120, help="cap per load level")
    parser.add_argument("--modes", default="contains,index", help="contains (API default), index")
    parser.add_argument("--like-budget", type=float, default=60, help="seconds for the LIKE peer")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N concepts")
    parser.add_argument("--json", help="default: benchmarks/out/search-<db>-<N>.json")
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    url = args.database_url or default_url("sqlite", args.concepts)
    result = run(
        url,
        args.concepts,
        queries=args.queries,
        clients=[int(c) for c in args.clients.split(",")],
        workers=args.workers,
        like_budget_s=args.like_budget,
        max_seconds=args.max_seconds,
        reuse=args.reuse,
        modes=args.modes.split(","),
    )
    print(report(result))
    path = args.json or OUT / f"search-{result['database']}-{scale_label(args.concepts)}.json"
    write_json(Path(path), result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
