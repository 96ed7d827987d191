"""Export and import throughput with peak RSS on a synthetic termbase, beside translate-toolkit.

Targets (issue 5): exporting 1,000,000 concepts (3,000,000 terms) streams at >= 20,000
concepts/s with peak RSS under 300 MB; importing runs at >= 10,000 concepts/s.

    .venv/bin/python -m benchmarks.exchange_scale --concepts 1000000 --reuse
    .venv/bin/python -m benchmarks.exchange_scale --concepts 1000000 --reuse \
        --database-url postgresql://postgres@127.0.0.1:5432/termbase_bench_1m

Built on :mod:`benchmarks.tbx_throughput` (its steps run each in a fresh process, so every
peak RSS is the step's own). On the termbase :mod:`benchmarks.synthetic` loads:

1. export TBX-Basic 2008 of every concept (``exchange.exporting.export_stream``, ``status=all``);
2. import that file into an empty scratch database of the same kind
   (``exchange.importing.import_file``, committed);
3. peers on the same file: translate-toolkit reading it (``tbxfile.parsefile``; it holds the
   whole tree, about ten times the file in RAM, so above ``--translate-toolkit-max-mb`` it reads
   the first part of the file only, cut at an entry boundary) and writing it
   (``tbxfile`` units of the preferred Chinese and English terms, serialised: less than our
   file carries, since its TBX class has one source and one target language); our own
   streaming reader (records only, no database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DATA,
    OUT,
    TARGET_EXPORT_RATE,
    TARGET_EXPORT_RSS_MB,
    TARGET_IMPORT_RATE,
    default_url,
    machine,
    machine_line,
    scale_label,
    write_json,
)
from benchmarks.tbx_throughput import _child, _usage, step_export


def truncate_tbx(source: Path, target: Path, max_bytes: int) -> int:
    """Copy the first entries of a TBX file, up to about ``max_bytes``, as a valid file; the entry count."""
    entries = 0
    with source.open("rb") as handle, target.open("wb") as out:
        written = 0
        closing = b""
        for line in handle:
            stripped = line.strip()
            out.write(line)
            written += len(line)
            if stripped in (b"</termEntry>", b"</conceptEntry>"):
                entries += 1
                closing = (
                    b"</body></text></martif>\n" if stripped == b"</termEntry>" else b"</body></text></tbx>\n"
                )
                if written >= max_bytes:
                    break
        else:
            return entries
        out.write(closing)
    return entries


def _children_peaks(peaks: dict[int, float], stop: threading.Event) -> None:
    """Record the peak RSS (VmHWM, MB) of each child process until ``stop``: the export's workers."""
    me = os.getpid()
    while not stop.wait(0.05):
        try:
            children = Path(f"/proc/{me}/task/{me}/children").read_text().split()
        except OSError:
            continue
        for pid in map(int, children):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:  # ended between the listing and the read
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)


def step_export_all(url: str, fmt: str, path: Path, workers: int) -> dict[str, Any]:
    """Export every concept (``status=all``, as the target counts them), as ``termbase export`` does.

    With workers, ``rss_mb`` is the sum of this process's peak and each worker's (sampled every
    50 ms; a worker's memory is flat after its first windows) and ``cpu`` includes theirs.
    """
    if workers <= 1:
        return step_export(url, fmt, path, status="all")
    from termbase.db import make_engine, make_sessionmaker
    from termbase.exchange.exporting import ExportOptions, export_stream

    factory = make_sessionmaker(make_engine(url))
    options = ExportOptions(format=fmt, status="all", exported_at=datetime(2000, 1, 1, tzinfo=UTC))
    peaks: dict[int, float] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_children_peaks, args=(peaks, stop), daemon=True)
    baseline = _usage()
    sampler.start()
    start = time.perf_counter()
    with factory() as session, path.open("wb") as handle:
        stream = export_stream(session, options, workers=workers)
        for chunk in stream:
            handle.write(chunk)
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    usage = _usage()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"] + children.ru_utime + children.ru_stime,
        # The exporting process is the serial stage: on idle cores the export cannot run faster
        # than concepts / parent_cpu, nor than cores * concepts / cpu.
        "parent_cpu": usage["cpu"] - baseline["cpu"],
        "workers_cpu": children.ru_utime + children.ru_stime,
        "rss_mb": usage["rss_mb"] + sum(peaks.values()),
        "parent_rss_mb": usage["rss_mb"],
        "worker_rss_mb": sorted(peaks.values()),
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": stream.entries,
        "bytes": path.stat().st_size,
        "workers": workers,
    }


def step_tt_write(path: Path, out: Path) -> dict[str, Any]:
    """translate-toolkit writing the preferred zh/en pair of every entry of ``path``."""
    from translate.storage import tbx

    from termbase.tbx.parse import read_tbx

    pairs: list[tuple[str, str]] = []
    with path.open("rb") as handle:
        for record in read_tbx(handle, filename=path.name):
            zh = next((t.text for t in record.terms if t.language.startswith("zh")), None)
            en = next((t.text for t in record.terms if t.language == "en"), None)
            if zh and en:
                pairs.append((zh, en))
    baseline = _usage()
    start = time.perf_counter()
    store = tbx.tbxfile(sourcelanguage="zh-Hans", targetlanguage="en")
    for zh, en in pairs:
        unit = store.addsourceunit(zh)
        unit.target = en
    with out.open("wb") as handle:
        store.serialize(handle)
    seconds = time.perf_counter() - start
    usage = _usage()
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"],
        "rss_mb": usage["rss_mb"],
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": len(pairs),
        "bytes": out.stat().st_size,
    }


def _own_child(step: str, **options: Any) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.exchange_scale", "--step", step]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{result.stderr}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def scratch_url(database_url: str, concepts: int) -> str:
    """An empty database of the same kind for the import."""
    if database_url.startswith("postgresql"):
        return database_url.rsplit("/", 1)[0] + f"/termbase_bench_import_{scale_label(concepts)}"
    return f"sqlite:///{DATA / f'import-{scale_label(concepts)}.sqlite3'}"


def run(
    database_url: str,
    concepts: int,
    *,
    reuse: bool = True,
    workdir: Path | None = None,
    translate_toolkit_max_mb: int = 300,
    keep_scratch: bool = False,
    scratch: str | None = None,
    workers: int = 0,
) -> dict[str, Any]:
    from benchmarks.synthetic import drop_database, ensure_database, ensure_loaded

    load = ensure_loaded(database_url, concepts, reuse=reuse, progress=True)
    result: dict[str, Any] = {
        "concepts": concepts,
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "machine": machine(),
        "load": load.as_dict() if load else None,
    }
    with tempfile.TemporaryDirectory(prefix="exchange-", dir=workdir or DATA) as folder:
        work = Path(folder)
        exported = work / "export.tbx"
        result["export 2008"] = _own_child(
            "export-all", database_url=database_url, format="tbx-basic-2008", file=exported, workers=workers
        )
        result["file_mb"] = exported.stat().st_size / 1e6
        result["read (termbase parser)"] = _child("read", file=exported)
        peer_file = exported
        if result["file_mb"] > translate_toolkit_max_mb:
            peer_file = work / "peer.tbx"
            entries = truncate_tbx(exported, peer_file, translate_toolkit_max_mb * 1_000_000)
            result["peer_entries"] = entries
        result["read (translate-toolkit)"] = _child("translate-toolkit", file=peer_file)
        result["write (translate-toolkit)"] = _own_child("tt-write", file=peer_file, out=work / "tt.tbx")
        target = scratch or scratch_url(database_url, concepts)
        ensure_database(target, fresh=True)
        try:
            result["import"] = _child("import", database_url=target, file=exported)
        finally:
            if not keep_scratch:
                drop_database(target)
    result["machine_after"] = machine()
    return result


def _rate(figures: dict[str, Any]) -> float:
    return float(figures["concepts"]) / figures["seconds"] if figures.get("seconds") else 0.0


def report(result: dict[str, Any]) -> str:
    lines = [
        f"exchange, {result['concepts']:,} concepts on {result['database']}, TBX-Basic 2008 export "
        f"{result['file_mb']:,.0f} MB; {machine_line(result['machine'])}",
        f"  {'step':<36} {'concepts':>9} {'wall s':>8} {'CPU s':>8} {'concepts/s':>11} {'peak RSS MB':>12}",
    ]
    for name in (
        "export 2008",
        "import",
        "read (termbase parser)",
        "read (translate-toolkit)",
        "write (translate-toolkit)",
    ):
        figures = result.get(name)
        if not figures:
            continue
        note = ""
        if name == "export 2008":
            ok = _rate(figures) >= TARGET_EXPORT_RATE and figures["rss_mb"] < TARGET_EXPORT_RSS_MB
            note = f"target >= {TARGET_EXPORT_RATE:,}/s, < {TARGET_EXPORT_RSS_MB} MB: {'met' if ok else 'MISSED'}"
        elif name == "import":
            ok = _rate(figures) >= TARGET_IMPORT_RATE
            note = f"target >= {TARGET_IMPORT_RATE:,}/s: {'met' if ok else 'MISSED'}"
        elif "translate-toolkit" in name and result.get("peer_entries"):
            note = f"(first {result['peer_entries']:,} entries)"
        lines.append(
            f"  {name:<36} {figures['concepts']:>9,} {figures['seconds']:>8.1f} {figures['cpu']:>8.1f} "
            f"{_rate(figures):>11,.0f} {figures['rss_mb']:>12,.0f}  {note}"
        )
    export = result["export 2008"]
    tt_read = result.get("read (translate-toolkit)")
    if tt_read:
        lines.append(
            f"  ratios: export / translate-toolkit write {_rate(export) / _rate(result['write (translate-toolkit)']):.1f}x,"
            f" our reader / translate-toolkit read {_rate(result['read (termbase parser)']) / _rate(tt_read):.1f}x,"
            f" import / translate-toolkit read {_rate(result['import']) / _rate(tt_read):.2f}x"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite under TERMBASE_BENCH_DATA")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N concepts")
    parser.add_argument("--translate-toolkit-max-mb", type=int, default=300)
    parser.add_argument("--json", help="default: benchmarks/out/exchange-<db>-<N>.json")
    parser.add_argument("--step", choices=["tt-write", "export-all"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="tbx-basic-2008", help=argparse.SUPPRESS)
    parser.add_argument(
        "--workers", type=int, default=0, help="export worker processes (0: one per core, as the CLI)"
    )
    args = parser.parse_args(argv)
    workers = args.workers or os.cpu_count() or 1
    if args.step == "tt-write":
        print(json.dumps(step_tt_write(Path(args.file), Path(args.out))))
        return 0
    if args.step == "export-all":
        print(json.dumps(step_export_all(args.database_url, args.format, Path(args.file), workers)))
        return 0
    url = args.database_url or default_url("sqlite", args.concepts)
    result = run(
        url,
        args.concepts,
        reuse=args.reuse,
        translate_toolkit_max_mb=args.translate_toolkit_max_mb,
        workers=workers,
    )
    print(report(result))
    path = (
        Path(args.json)
        if args.json
        else OUT / f"exchange-{result['database']}-{scale_label(args.concepts)}.json"
    )
    write_json(path, result)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
