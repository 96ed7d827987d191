"""Scaling curves: lookup and recognition latency at 10k, 100k and 1M concepts, drawn as PNG.

    .venv/bin/python -m benchmarks.scaling                       # reads benchmarks/out/*.json
    .venv/bin/python -m benchmarks.scaling --measure --sizes 10000,100000,1000000

The figures come from the JSON files :mod:`benchmarks.search_latency` and
:mod:`benchmarks.recognition_latency` write into ``benchmarks/out/``; ``--measure`` first
runs whatever size and database is missing (loading the synthetic termbase as needed).
The PNG goes to ``benchmarks/figures/scaling.png``: lookup (search service and HTTP, one
client, p50 and p95) and recognition (per 1,000 characters, with the naive scan beside it),
both on log-log axes, so a flat line is what "does not grow with the termbase" looks like.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT, default_url, scale_label, write_json

FIGURE = ROOT / "benchmarks" / "figures" / "scaling.png"
DATABASES = ("sqlite", "postgresql")


def result_path(kind: str, database: str, concepts: int, out: Path = OUT) -> Path:
    return out / f"{kind}-{database}-{scale_label(concepts)}.json"


def load_results(sizes: Sequence[int], out: Path = OUT) -> dict[str, dict[str, dict[int, Any]]]:
    """{kind: {database: {concepts: result}}} for the files present."""
    found: dict[str, dict[str, dict[int, Any]]] = {"search": {}, "recognition": {}}
    for kind in found:
        for database in DATABASES:
            for concepts in sizes:
                path = result_path(kind, database, concepts, out)
                if path.exists():
                    found[kind].setdefault(database, {})[concepts] = json.loads(path.read_text())
    return found


def measure_missing(sizes: Sequence[int], databases: Sequence[str], *, queries: int = 300) -> None:
    from benchmarks import recognition_latency, search_latency

    for database in databases:
        for concepts in sizes:
            url = default_url(database, concepts)
            path = result_path("search", database, concepts)
            if not path.exists():
                result = search_latency.run(url, concepts, queries=queries, clients=(1,), max_seconds=90)
                print(search_latency.report(result), flush=True)
                write_json(path, result)
            path = result_path("recognition", database, concepts)
            if not path.exists():
                result = recognition_latency.run(url, concepts, with_http=False, naive_budget_s=40)
                print(recognition_latency.report(result), flush=True)
                write_json(path, result)


def plot(sizes: Sequence[int], figure: Path = FIGURE, out: Path = OUT) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = load_results(sizes, out)
    fig, (lookup, recognition) = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {"sqlite": "tab:blue", "postgresql": "tab:orange"}
    for database, by_size in results["search"].items():
        xs = sorted(by_size)
        color = styles[database]
        index = [by_size[n]["service"].get("index", {}).get("all", {}) for n in xs]
        lookup.plot(xs, [s.get("p50") for s in index], "o-", color=color, label=f"{database}: service p50")
        lookup.plot(xs, [s.get("p95") for s in index], "o--", color=color, label=f"{database}: service p95")
        http = [by_size[n]["http"].get("index/1", {}).get("all", {}) for n in xs]
        lookup.plot(xs, [s.get("p95") for s in http], "s:", color=color, label=f"{database}: HTTP p95")
        contains = [by_size[n]["service"].get("contains", {}).get("all", {}) for n in xs]
        lookup.plot(
            xs,
            [s.get("p95") for s in contains],
            "x-.",
            color=color,
            alpha=0.5,
            label=f"{database}: service p95 with substring tier",
        )
        like = [by_size[n]["like"]["all"] for n in xs]
        lookup.plot(
            xs, [s.get("p50") for s in like], "v-", color=color, alpha=0.3, label=f"{database}: SQL LIKE p50"
        )
    lookup.axhline(20, color="red", linewidth=0.8, linestyle="--", label="target: HTTP p95 20 ms")
    lookup.set(xscale="log", yscale="log", xlabel="concepts (3 terms each)", ylabel="ms per query")
    lookup.set_title("Lookup (index tiers; 1 client)")
    lookup.legend(fontsize=6.5, loc="upper left")
    for database, by_size in results["recognition"].items():
        xs = sorted(by_size)
        color = styles[database]
        for segment, marker in (("seed zh (Traditional)", "o"), ("dense zh", "s"), ("dense en", "^")):
            service = [by_size[n]["segments"].get(segment, {}).get("service", {}) for n in xs]
            recognition.plot(
                xs,
                [s.get("p50") for s in service],
                marker + "-",
                color=color,
                label=f"{database}: {segment} p50",
            )
        naive = [by_size[n]["segments"].get("dense zh", {}).get("naive", {}) for n in xs]
        recognition.plot(
            xs,
            [s.get("p50") for s in naive],
            "x:",
            color=color,
            alpha=0.6,
            label=f"{database}: naive per-term scan (dense zh)",
        )
    recognition.axhline(5, color="red", linewidth=0.8, linestyle="--", label="target: 5 ms")
    recognition.set(
        xscale="log", yscale="log", xlabel="concepts (3 terms each)", ylabel="ms per 1,000 characters"
    )
    recognition.set_title("Recognition, recognize() in-process")
    recognition.legend(fontsize=6.5, loc="upper left")
    fig.tight_layout()
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=90)
    plt.close(fig)
    return figure


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--measure", action="store_true", help="run the sizes without results first")
    parser.add_argument("--figure", default=str(FIGURE))
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.measure:
        measure_missing(sizes, args.databases.split(","))
    print(f"figure written: {plot(sizes, Path(args.figure))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
