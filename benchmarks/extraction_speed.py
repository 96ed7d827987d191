"""Extraction speed and memory (a benchmark, not a timed test).

    python -m benchmarks.extraction_speed            # termbase seed on a fresh SQLite + 0.25/0.5/1 MB runs
    python -m benchmarks.extraction_speed --skip-seed --sizes 0.1,0.2

Two measurements:

* ``termbase seed`` (ingest plus extraction of the five seed documents) in a fresh SQLite
  database, run as the command a user runs; wall time and the CPU time of the child processes
  (on a shared machine the CPU time is the one-core figure). Target: under 15 s.
* the pure extractor on synthetic parallel corpora of growing size (0.25, 0.5 and 1 MB of UTF-8
  text on both sides), built by recombining the seed documents' aligned sentence pairs into new
  documents of 40 pairs each; time and peak resident memory per size, each in a fresh process. Targets: 1 MB
  in under 5 minutes, and memory flat as input grows: from the 1 MB run (or the smallest, when
  1 MB is not below the largest size) to the largest, the peak memory a run adds may grow by at
  most :data:`FLAT_MB_PER_MB` per extra MB plus :data:`FLAT_NOISE_MB`. Sizes spanning a factor
  of four or more (``--sizes 0.25,0.5,1,2,4``) make the check telling.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.extraction_quality import read_segments
from termbase.extract.records import SegmentInput

ROOT = Path(__file__).resolve().parent.parent
SEED_TARGET_SECONDS = 15.0
MEGABYTE_TARGET_SECONDS = 300.0
PAIRS_PER_DOCUMENT = 40
# How much more the largest run may add than the reference run: the result itself (a citation per
# occurrence of every term, about 1.5 MB per MB) and corpus-wide tables grow; per-segment state
# must not. The noise allowance covers the allocator's rounding of resident memory.
FLAT_MB_PER_MB = 2.0
FLAT_NOISE_MB = 4.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_seed() -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``termbase seed`` on a fresh SQLite database."""
    termbase = Path(sys.executable).parent / "termbase"
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TERMBASE_DATABASE_URL": f"sqlite:///{folder}/seed.sqlite3"}
        subprocess.run([str(termbase), "db", "upgrade"], env=env, check=True, capture_output=True)
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run([str(termbase), "seed"], env=env, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
    print(done.stdout.strip().splitlines()[0])
    return wall, cpu


def synthetic_corpus(megabytes: float, *, seed: int = 7) -> list[SegmentInput]:
    """Aligned pairs from the seeds, shuffled into new documents until the size is reached."""
    pairs = [(s.zh_text, s.en_text) for s in read_segments() if s.zh_text and s.en_text]
    rng = random.Random(seed)
    budget = int(megabytes * 1_000_000)
    out: list[SegmentInput] = []
    size = 0
    while size < budget:
        document = f"synthetic-{len(out) // PAIRS_PER_DOCUMENT:05d}"
        for position in range(PAIRS_PER_DOCUMENT):
            zh, en = rng.choice(pairs)
            out.append(
                SegmentInput(key=len(out), document=document, position=position, zh_text=zh, en_text=en)
            )
            size += len((zh or "").encode()) + len((en or "").encode())
            if size >= budget:
                break
    return out


def time_corpus(megabytes: float) -> dict[str, float]:
    """Seconds, peak resident memory and counts for one synthetic corpus, in a fresh process.

    A process per size, so each peak is its own and no profiler slows the run down.
    """
    code = (
        "import json, time\n"
        "from benchmarks.common import peak_rss_mb\n"
        "from benchmarks.extraction_speed import synthetic_corpus, read_segments\n"
        "from termbase.extract.pipeline import Extractor\n"
        "extractor = Extractor()\n"
        "extractor.run(read_segments(['002']))\n"
        "base = peak_rss_mb()\n"
        f"segments = synthetic_corpus({megabytes!r})\n"
        "started = time.perf_counter()\n"
        "result = extractor.run(segments)\n"
        "seconds = time.perf_counter() - started\n"
        "peak = peak_rss_mb()\n"
        "print(json.dumps({'seconds': seconds, 'base': base, 'peak': peak, "
        "'segments': len(segments), 'proposals': len(result.concepts)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--sizes", default="0.25,0.5,1", help="corpus sizes in MB")
    args = parser.parse_args(argv)
    ok = True
    if not args.skip_seed:
        wall, cpu = time_seed()
        fits = cpu < SEED_TARGET_SECONDS
        ok = ok and fits
        print(
            f"termbase seed: {wall:.1f} s wall, {cpu:.1f} s CPU (one core)  "
            f"target < {SEED_TARGET_SECONDS:.0f} s  {'ok' if fits else 'MISS'}"
        )
    rows = []
    for size in (float(s) for s in args.sizes.split(",") if s):
        figures = time_corpus(size)
        rows.append((size, figures))
        print(
            f"{size:5.2f} MB: {int(figures['segments']):6d} segments, {figures['seconds']:7.1f} s, "
            f"resident memory {figures['base']:.0f} MB after loading, {figures['peak']:.0f} MB peak "
            f"(+{figures['peak'] - figures['base']:.0f} MB), {int(figures['proposals'])} proposals"
        )
    if rows:
        size, figures = rows[-1]
        per_mb = figures["seconds"] / size
        print(f"time per MB of parallel text: {per_mb:.0f} s  target < {MEGABYTE_TARGET_SECONDS:.0f} s")
        ok = ok and per_mb < MEGABYTE_TARGET_SECONDS
        if len(rows) > 1:
            growth = ", ".join(f"{(f['peak'] - f['base']) / s:.0f}" for s, f in rows)
            print(f"memory added per MB of input: {growth} MB")
            reference_size, reference = next(
                ((s, f) for s, f in rows if s == 1.0 and s < size), min(rows, key=lambda row: row[0])
            )
            added = figures["peak"] - figures["base"]
            reference_added = reference["peak"] - reference["base"]
            allowed = FLAT_MB_PER_MB * (size - reference_size) + FLAT_NOISE_MB
            flat = added - reference_added <= allowed
            ok = ok and flat
            print(
                f"memory flat: +{added:.0f} MB at {size:g} MB vs +{reference_added:.0f} MB at "
                f"{reference_size:g} MB  target at most {allowed:.0f} MB more  {'ok' if flat else 'MISS'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
