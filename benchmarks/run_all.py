"""Every benchmark in one run (``make bench``), with a summary table against the targets.

    .venv/bin/python -m benchmarks.run_all                      # 10k and 100k concepts, SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.run_all --sizes 10000,100000,1000000   # the issue's scale (about 2 hours)
    .venv/bin/python -m benchmarks.run_all --databases sqlite --sizes 10000 --quick

For each database and size: load the synthetic termbase (:mod:`benchmarks.synthetic`,
reused when already there), search latency (:mod:`benchmarks.search_latency`; 8 concurrent
clients only at the largest size), recognition latency (:mod:`benchmarks.recognition_latency`);
at the largest size also export and import throughput (:mod:`benchmarks.exchange_scale`).
Then ingest and extraction speed (the seed figures of issues 3 and 4), the scaling figure
(:mod:`benchmarks.scaling`) and ``benchmarks/out/summary.md``, a table of every figure
beside its target. Databases live under ``TERMBASE_BENCH_DATA`` (default
``/work/bench-data``) and in PostgreSQL at ``TERMBASE_BENCH_PG``; ``--drop`` removes them
afterwards. PostgreSQL is skipped with a note when it does not answer.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.common import (
    OUT,
    ROOT,
    TARGET_EXPORT_RATE,
    TARGET_EXPORT_RSS_MB,
    TARGET_IMPORT_RATE,
    TARGET_RECOGNIZE_MS,
    TARGET_SEARCH_P95_MS,
    default_url,
    machine,
    machine_line,
    write_json,
)
from benchmarks.scaling import result_path


def postgres_available(url: str) -> bool:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def summary_rows(databases: Sequence[str], sizes: Sequence[int]) -> list[str]:
    """Markdown rows: figure, database, concepts, value, target, verdict."""
    import json

    rows: list[str] = []

    def read(kind: str, database: str, concepts: int) -> dict[str, Any] | None:
        path = result_path(kind, database, concepts)
        return json.loads(path.read_text()) if path.exists() else None

    for database in databases:
        for concepts in sizes:
            n = f"{concepts:,}"
            load = read("load", database, concepts)
            if load:
                rows.append(
                    f"| generate + load | {database} | {n} | {load['seconds']:.0f} s "
                    f"({concepts / load['seconds']:,.0f} concepts/s) | 1M in < 600 s | "
                    f"{_verdict(load['seconds'] * 1_000_000 / concepts < 600) if concepts >= 1_000_000 else '-'} |"
                )
            search = read("search", database, concepts)
            if search:
                for key, value in search["http"].items():
                    if key == "workers":
                        continue
                    mode, clients = key.split("/")
                    s = value["all"]
                    target = f"p95 <= {TARGET_SEARCH_P95_MS:.0f} ms" if concepts >= 1_000_000 else "flat"
                    verdict = _verdict(s["p95"] <= TARGET_SEARCH_P95_MS) if concepts >= 1_000_000 else "-"
                    rows.append(
                        f"| search HTTP, {mode}, {clients} client(s) | {database} | {n} | "
                        f"p50 {s['p50']:.1f} / p95 {s['p95']:.1f} / p99 {s['p99']:.1f} ms, "
                        f"{value['throughput']:.0f} req/s | {target} | {verdict} |"
                    )
                for mode, figures in search["service"].items():
                    s = figures["all"]
                    like = search["like"]["all"]
                    rows.append(
                        f"| search service in-process, {mode} | {database} | {n} | "
                        f"p50 {s['p50']:.1f} / p95 {s['p95']:.1f} ms (CPU p95 {s.get('cpu_p95', 0):.1f}); "
                        f"SQL LIKE p50 {like['p50']:.0f} ms = {like['p50'] / s['p50']:.1f}x | - | - |"
                    )
            recognition = read("recognition", database, concepts)
            if recognition:
                for name, figures in recognition["segments"].items():
                    s = figures["service"]
                    naive = figures["naive"]
                    ok = s["p95"] <= TARGET_RECOGNIZE_MS or s.get("cpu_p95", 1e9) <= TARGET_RECOGNIZE_MS
                    rows.append(
                        f"| recognize 1,000 chars, {name} ({figures['matches']} matches) | {database} | {n} | "
                        f"p50 {s['p50']:.2f} / p95 {s['p95']:.2f} ms (CPU p95 {s.get('cpu_p95', 0):.2f}); "
                        f"naive scan {naive['p50']:,.0f} ms = {naive['p50'] / s['p50']:,.0f}x | "
                        f"<= {TARGET_RECOGNIZE_MS:.0f} ms | "
                        f"{_verdict(ok) if concepts >= 1_000_000 else '-'} |"
                    )
            exchange = read("exchange", database, concepts)
            if exchange:
                export = exchange["export 2008"]
                rate = export["concepts"] / export["seconds"]
                rows.append(
                    f"| export TBX 2008 | {database} | {n} | {rate:,.0f} concepts/s "
                    f"({export['concepts'] / max(export['cpu'], 1e-9):,.0f}/CPU-s), peak RSS {export['rss_mb']:.0f} MB | "
                    f">= {TARGET_EXPORT_RATE:,}/s, < {TARGET_EXPORT_RSS_MB} MB | "
                    f"{_verdict(rate >= TARGET_EXPORT_RATE and export['rss_mb'] < TARGET_EXPORT_RSS_MB)} |"
                )
                imported = exchange["import"]
                rate = imported["concepts"] / imported["seconds"]
                rows.append(
                    f"| import TBX 2008 | {database} | {n} | {rate:,.0f} concepts/s "
                    f"({imported['concepts'] / max(imported['cpu'], 1e-9):,.0f}/CPU-s), peak RSS "
                    f"{imported['rss_mb']:.0f} MB | >= {TARGET_IMPORT_RATE:,}/s | {_verdict(rate >= TARGET_IMPORT_RATE)} |"
                )
                for peer in (
                    "read (termbase parser)",
                    "read (translate-toolkit)",
                    "write (translate-toolkit)",
                ):
                    figures = exchange.get(peer)
                    if figures:
                        rows.append(
                            f"| peer: {peer} | {database} | {figures['concepts']:,} | "
                            f"{figures['concepts'] / figures['seconds']:,.0f} concepts/s, peak RSS "
                            f"{figures['rss_mb']:.0f} MB | - | - |"
                        )
    return rows


def headline_rows(concepts: int = 1_000_000) -> list[str]:
    """Markdown rows of the issue's targets at one size: figure, target, SQLite, PostgreSQL, peer."""
    import json

    def read(kind: str, database: str) -> dict[str, Any] | None:
        path = result_path(kind, database, concepts)
        return json.loads(path.read_text()) if path.exists() else None

    def cell(kind: str, database: str, render: Any) -> str:
        data = read(kind, database)
        if data is None:
            return "not run"
        try:
            return str(render(data))
        except (KeyError, ZeroDivisionError):
            return "not run"

    def both(kind: str, render: Any) -> str:
        return f"{cell(kind, 'sqlite', render)} | {cell(kind, 'postgresql', render)}"

    def http(mode: str, clients: str) -> Any:
        def render(d: dict[str, Any]) -> str:
            s = d["http"][f"{mode}/{clients}"]["all"]
            return f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ({d['http'][f'{mode}/{clients}']['throughput']:.0f} req/s)"

        return render

    def service(mode: str) -> Any:
        def render(d: dict[str, Any]) -> str:
            s = d["service"][mode]["all"]
            return f"{s['p50']:.1f} / {s['p95']:.1f} (CPU p95 {s['cpu_p95']:.1f})"

        return render

    def like(d: dict[str, Any]) -> str:
        s = d["like"]["all"]
        return f"{s['p50']:,.0f} / {s['p95']:,.0f} (n={s['n']})"

    def recognize(segment: str) -> Any:
        def render(d: dict[str, Any]) -> str:
            s = d["segments"][segment]["service"]
            return f"{s['p50']:.2f} / {s['p95']:.2f} (CPU {s['cpu_p50']:.2f} / {s['cpu_p95']:.2f}); {d['segments'][segment]['matches']} matches"

        return render

    def naive(segment: str) -> Any:
        def render(d: dict[str, Any]) -> str:
            n, s = d["segments"][segment]["naive"], d["segments"][segment]["service"]
            return f"{n['p50']:,.0f} ms = {n['p50'] / s['p50']:,.0f}x"

        return render

    def rate(step: str) -> Any:
        def render(d: dict[str, Any]) -> str:
            f = d[step]
            return (
                f"{f['concepts'] / f['seconds']:,.0f}/s ({f['concepts'] / f['cpu']:,.0f}/CPU-s), "
                f"{f['rss_mb']:.0f} MB"
            )

        return render

    def load(d: dict[str, Any]) -> str:
        return f"{d['seconds']:.0f} s ({d['generate_cpu']:.0f} CPU-s building rows)"

    rows = [
        f"| generate + bulk load, 1M concepts | < 600 s | {both('load', load)} | - |",
        f"| search HTTP p50 / p95 / p99 ms, 1 client, index tiers (contains=false) | p95 <= 20 ms | "
        f"{both('search', http('index', '1'))} | - |",
        f"| search HTTP, 8 clients, index tiers | - | {both('search', http('index', '8'))} | - |",
        f"| search HTTP, 1 client, API default (substring tier) | p95 <= 20 ms | "
        f"{both('search', http('contains', '1'))} | - |",
        f"| search HTTP, 8 clients, API default | - | {both('search', http('contains', '8'))} | - |",
        f"| search service in-process p50 / p95 ms, index tiers | - | {both('search', service('index'))} | - |",
        f"| peer: SQL LIKE '%q%' in-process p50 / p95 ms | - | {both('search', like)} | peer |",
    ]
    for segment in ("seed zh (Traditional)", "seed en", "dense zh", "dense en"):
        rows.append(
            f"| recognize 1,000 chars, {segment}: p50 / p95 ms | <= 5 ms | {both('recognition', recognize(segment))} | - |"
        )
        rows.append(
            f"| peer: naive per-term scan, {segment} | - | {both('recognition', naive(segment))} | peer |"
        )
    rows += [
        f"| export TBX-Basic 2008 (all concepts), rate and peak RSS | >= 20,000/s, < 300 MB | "
        f"{both('exchange', rate('export 2008'))} | - |",
        f"| import that file into an empty database | >= 10,000/s | {both('exchange', rate('import'))} | - |",
        f"| peer: translate-toolkit reads the file | - | {both('exchange', rate('read (translate-toolkit)'))} | peer |",
        f"| peer: translate-toolkit writes zh/en pairs | - | {both('exchange', rate('write (translate-toolkit)'))} | peer |",
        f"| our streaming reader (records, no database) | - | {both('exchange', rate('read (termbase parser)'))} | - |",
    ]
    return rows


def run_extraction_and_ingest(quick: bool) -> dict[str, Any]:
    """The seed figures of issues 3 and 4, run as their own scripts (output kept as text)."""
    results: dict[str, Any] = {}
    sizes = "0.25" if quick else "0.25,1"
    for name, args in (
        ("ingest", [sys.executable, "-m", "benchmarks.ingest_speed"]),
        ("extraction", [sys.executable, "-m", "benchmarks.extraction_speed", "--sizes", sizes]),
    ):
        began = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        results[name] = {
            "seconds": time.perf_counter() - began,
            "returncode": done.returncode,
            "output": done.stdout.strip(),
            "stderr_tail": done.stderr.strip().splitlines()[-5:],
        }
        print(f"\n== {name} speed ==\n{done.stdout.strip()}", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="fewer queries and repetitions")
    parser.add_argument("--fresh", action="store_true", help="reload the termbases even when present")
    parser.add_argument("--skip-exchange", action="store_true")
    parser.add_argument("--skip-extraction", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark databases afterwards")
    parser.add_argument("--headline", action="store_true", help="only print the 1M table from benchmarks/out")
    args = parser.parse_args(argv)
    if args.headline:
        print("\n".join(headline_rows()))
        return 0
    logging.getLogger("jieba").setLevel(logging.WARNING)

    from benchmarks import exchange_scale, recognition_latency, search_latency
    from benchmarks.scaling import plot
    from benchmarks.synthetic import drop_database, ensure_loaded

    sizes = sorted(int(s) for s in args.sizes.split(","))
    databases = args.databases.split(",")
    if "postgresql" in databases and not postgres_available(default_url("postgresql", sizes[0])):
        print("PostgreSQL does not answer at TERMBASE_BENCH_PG: skipped", flush=True)
        databases.remove("postgresql")
    began = time.perf_counter()
    info = machine()
    print(f"machine: {machine_line(info)}", flush=True)
    queries = 150 if args.quick else 600
    for database in databases:
        for concepts in sizes:
            url = default_url(database, concepts)
            largest = concepts == sizes[-1]
            print(f"\n== {database}, {concepts:,} concepts ({url}) ==", flush=True)
            load = ensure_loaded(url, concepts, reuse=not args.fresh, progress=True)
            if load:
                write_json(result_path("load", database, concepts), load.as_dict())
                print(f"loaded in {load.seconds:.0f} s", flush=True)
            result = search_latency.run(
                url,
                concepts,
                queries=queries,
                clients=(1, 8) if largest else (1,),
                max_seconds=60 if args.quick else 120,
                like_budget_s=20 if args.quick else 60,
            )
            write_json(result_path("search", database, concepts), result)
            print(search_latency.report(result), flush=True)
            result = recognition_latency.run(
                url,
                concepts,
                repeat=50 if args.quick else 300,
                http_repeat=20 if args.quick else 100,
                naive_budget_s=20 if args.quick else 60,
                with_http=largest,
            )
            write_json(result_path("recognition", database, concepts), result)
            print(recognition_latency.report(result), flush=True)
            if largest and not args.skip_exchange:
                result = exchange_scale.run(url, concepts)
                write_json(result_path("exchange", database, concepts), result)
                print(exchange_scale.report(result), flush=True)
    extraction = {} if args.skip_extraction else run_extraction_and_ingest(args.quick)
    figure = plot(sizes)
    rows = summary_rows(databases, sizes)
    lines = [
        f"# Benchmark summary ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {machine_line(info)}; finished at load {machine()['load']}.",
        "",
        "| figure | database | concepts | result | target | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"Scaling figure: {figure.relative_to(ROOT)}",
    ]
    for name, figures in extraction.items():
        lines += ["", f"## {name} speed", "", "```", figures["output"], "```"]
    (OUT / "summary.md").write_text("\n".join(lines) + "\n")
    write_json(
        OUT / "run_all.json", {"machine": info, "sizes": sizes, "databases": databases, "extra": extraction}
    )
    print("\n" + "\n".join(lines))
    print(f"\nall benchmarks: {time.perf_counter() - began:.0f} s; summary in {OUT / 'summary.md'}")
    if args.drop:
        for database in databases:
            for concepts in sizes:
                drop_database(default_url(database, concepts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
