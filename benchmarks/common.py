"""Shared pieces of the scale benchmarks: machine description, percentiles, gunicorn, load generator."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
DATA = Path(os.environ.get("TERMBASE_BENCH_DATA", "/work/bench-data"))
PG_BASE = os.environ.get("TERMBASE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")

# Targets from the TBX (5) and API (7) issues.
TARGET_SEARCH_P95_MS = 20.0
TARGET_RECOGNIZE_MS = 5.0
TARGET_EXPORT_RATE = 20_000
TARGET_EXPORT_RSS_MB = 300
TARGET_IMPORT_RATE = 10_000


def scale_label(concepts: int) -> str:
    if concepts >= 1_000_000 and concepts % 1_000_000 == 0:
        return f"{concepts // 1_000_000}m"
    if concepts >= 1_000 and concepts % 1_000 == 0:
        return f"{concepts // 1_000}k"
    return str(concepts)


def default_url(database: str, concepts: int) -> str:
    """Where the synthetic termbase of a size lives: outside the repository."""
    label = scale_label(concepts)
    if database == "sqlite":
        return f"sqlite:///{DATA / f'bench-{label}.sqlite3'}"
    return f"{PG_BASE}/termbase_bench_{label}"


def database_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# -- machine ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM and load: the context every figure needs on a shared machine."""
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    with contextlib.suppress(OSError), open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 2**20
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(memory_gib, 1),
        "load": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "calibration_ms": round(calibration_ms(), 1),
    }


def calibration_ms() -> float:
    """CPU time of a plain Python loop of a million additions (compares machines and moments)."""
    began = time.process_time()
    total = 0
    for number in range(1_000_000):
        total += number
    return (time.process_time() - began) * 1000


def machine_line(info: dict[str, Any] | None = None) -> str:
    info = info or machine()
    return (
        f"{info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']:.0f} GiB RAM, load average "
        f"{' '.join(f'{x:.1f}' for x in info['load'])}, Python {info['python']}, "
        f"1M-iteration loop {info['calibration_ms']:.0f} ms CPU"
    )


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM).

    Not ``getrusage().ru_maxrss``: Linux carries that across ``exec``, so a step run as a
    subprocess of a large benchmark process would report its parent's peak.
    """
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- statistics ------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation), as load testers report it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


@dataclass
class Latency:
    """Samples in milliseconds, summarised as p50/p95/p99."""

    samples_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        s = self.samples_ms
        result = {
            "n": len(s),
            "mean": statistics.fmean(s) if s else float("nan"),
            "p50": percentile(s, 0.50),
            "p95": percentile(s, 0.95),
            "p99": percentile(s, 0.99),
            "max": max(s) if s else float("nan"),
        }
        if self.cpu_ms:
            result["cpu_p50"] = percentile(self.cpu_ms, 0.50)
            result["cpu_p95"] = percentile(self.cpu_ms, 0.95)
        return result


def timed_calls(func: Callable[[], Any], repeat: int, *, warmup: int = 3, budget_s: float = 60.0) -> Latency:
    """Wall and CPU time of ``repeat`` calls (fewer when ``budget_s`` runs out)."""
    for _ in range(warmup):
        func()
    result = Latency()
    deadline = time.perf_counter() + budget_s
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        func()
        result.cpu_ms.append((time.process_time() - began_cpu) * 1000)
        result.samples_ms.append((time.perf_counter() - began) * 1000)
        if time.perf_counter() > deadline:
            break
    return result


def fmt_ms(summary: dict[str, float]) -> str:
    return f"p50 {summary['p50']:8.2f}  p95 {summary['p95']:8.2f}  p99 {summary['p99']:8.2f} ms  (n={summary['n']})"


# -- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    database_url: str, *, workers: int = 4, threads: int = 1, timeout_s: float = 120
) -> Iterator[int]:
    """Serve ``wsgi:app`` with gunicorn on a loopback port, as README's production line does."""
    port = free_port()
    env = {
        **os.environ,
        "TERMBASE_DATABASE_URL": database_url,
        "TERMBASE_SECRET_KEY": "benchmark",
        "TERMBASE_ANONYMOUS_ACCESS": "read",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "300",
        "--graceful-timeout",
        "5",
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                status, _ = http_get(port, "/api/v1/search?q=a")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def http_get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def http_post_json(conn: http.client.HTTPConnection, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
    payload = json.dumps(body).encode()
    conn.request("POST", path, body=payload, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


@dataclass
class LoadResult:
    clients: int
    latency: Latency
    seconds: float
    errors: int
    per_kind: dict[str, list[float]]

    @property
    def throughput(self) -> float:
        return len(self.latency.samples_ms) / self.seconds if self.seconds else 0.0


def search_path(query: str, *, contains: bool = True) -> str:
    params = {"q": query} if contains else {"q": query, "contains": "false"}
    return "/api/v1/search?" + urllib.parse.urlencode(params)


def run_load(
    port: int,
    requests: Sequence[tuple[str, str]],
    *,
    clients: int,
    max_seconds: float,
) -> LoadResult:
    """Closed-loop load: ``clients`` threads, each sending its share of (kind, path) in turn.

    Bounded by the number of requests and by ``max_seconds``; loopback only.
    """
    shares = [requests[i::clients] for i in range(clients)]
    samples: list[float] = []
    per_kind: dict[str, list[float]] = {}
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + max_seconds
    start_gate = threading.Barrier(clients + 1)

    def client(share: Sequence[tuple[str, str]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[str, float]] = []
        start_gate.wait()
        for kind, path in share:
            if time.perf_counter() > deadline:
                break
            began = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            elapsed = (time.perf_counter() - began) * 1000
            if ok:
                mine.append((kind, elapsed))
            else:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            for kind, elapsed in mine:
                samples.append(elapsed)
                per_kind.setdefault(kind, []).append(elapsed)

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return LoadResult(clients, Latency(samples), time.perf_counter() - began, errors[0], per_kind)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
