"""Bounded loopback load test (issue 9): concurrent clients mixing lookups, recognitions and edits.

    .venv/bin/python -m benchmarks.load_test                           # 50 clients, 120 s, PostgreSQL, gunicorn -w 4
    .venv/bin/python -m benchmarks.load_test --clients 10 --duration 20
    .venv/bin/python -m benchmarks.load_test --server postgresql://postgres@127.0.0.1:5432/test --json out.json

What it does: creates a database of its own on the PostgreSQL server, migrates it with
``termbase db upgrade`` and loads the seed documents with ``termbase seed`` (documents,
extracted candidates, citations), adds editor accounts with API tokens and a set of
approved entries to edit, serves the app with gunicorn exactly as README's production
line does, on 127.0.0.1 only, and runs the clients for the given time. Each client is a
thread with its own keep-alive connection, picking at random:

* lookups (45 %): ``GET /api/v1/search`` and the web UI's ``GET /?q=`` with terms from the base;
* recognitions (35 %): ``POST /api/v1/recognize`` with sentences of the seed documents;
* edits (20 %): read an entry, append a line of its own to the note with the version it
  read (``PATCH``), and on 409 read again and retry: the optimistic-locking path.

Afterwards the counts must reconcile: every line a client was told was saved is in the note,
exactly once; each entry's version and its ``update`` history entries equal its saved edits;
no other entry changed. Any 5xx, unexpected status, timeout or connection error is an error.
The run fails (exit status 1) on any error or any mismatch, and always drops its database
(``--keep`` keeps it) and stops the gunicorn it started.

The suite runs the same generator for a few seconds (tests/reliability/test_load_short.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
EDITOR_PASSWORD = "load test password"
TARGET_NOTE = "load target"
WEIGHTS = {"api_search": 35, "web_search": 10, "recognize": 35, "edit": 20}
MAX_EDIT_ATTEMPTS = 50


@dataclass
class Plan:
    """What the clients use: queries, sentences, entries to edit and tokens."""

    queries: list[str]
    sentences: list[str]
    targets: list[int]
    tokens: list[str]
    editors: list[str]
    other_concepts: dict[int, int]  # id -> version of every entry that is not an edit target


@dataclass
class OpStats:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


@dataclass
class Outcome:
    clients: int
    elapsed_s: float
    ops: dict[str, OpStats]
    saved: dict[int, list[str]]  # entry id -> the lines clients were told were saved
    conflicts: int
    errors: list[str]

    @property
    def requests(self) -> int:
        return sum(sum(stats.statuses.values()) for stats in self.ops.values())


# ---------------------------------------------------------------- preparing the data


def prepare(session: Session, *, targets: int = 20, editors: int = 10) -> Plan:
    """Add editors with tokens and ``targets`` approved entries to edit; collect queries and sentences."""
    from termbase.models import Concept, Segment, Term
    from termbase.services import concepts as concept_service
    from termbase.services import users as user_service
    from termbase.services.concepts import TermInput

    tokens, names = [], []
    for n in range(editors):
        name = f"load-editor-{n}"
        user = user_service.create_user(session, name, EDITOR_PASSWORD, "editor")
        tokens.append(user_service.create_token(session, user, "load test"))
        names.append(name)
    ids = []
    for n in range(targets):
        concept = concept_service.create_concept(
            session,
            [
                TermInput(language="zh-Hans", text=f"负载测试条目{_han_number(n)}"),
                TermInput(language="en", text=f"load test entry {n}"),
            ],
            actor="load-test",
            status="approved",
            note=TARGET_NOTE,
        )
        ids.append(concept.id)
    session.commit()
    terms = list(session.scalars(select(Term.text).order_by(Term.id).limit(2000)))
    pinyin = [p for p in session.scalars(select(Term.pinyin_key).limit(2000)) if p][:300]
    sentences = [
        s
        for s in session.scalars(select(Segment.zh_text).where(Segment.zh_text.is_not(None)).limit(300))
        if s
    ]
    sentences += [
        s
        for s in session.scalars(select(Segment.en_text).where(Segment.en_text.is_not(None)).limit(300))
        if s
    ]
    if not sentences:
        sentences = [f"各国应当尊重彼此的{t}。" for t in terms[:50]]
    others = {
        cid: version
        for cid, version in session.execute(select(Concept.id, Concept.version).where(Concept.id.not_in(ids)))
    }
    return Plan(
        queries=terms + pinyin + [t[:2] for t in terms[:200]],
        sentences=sentences,
        targets=ids,
        tokens=tokens,
        editors=names,
        other_concepts=others,
    )


def _han_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(n))


# ---------------------------------------------------------------- the clients


class _Client:
    """One client: a keep-alive connection to the loopback server, reopened when the server closes it."""

    def __init__(self, base: str, token: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname != LOOPBACK:
            raise ValueError("the load test only ever targets 127.0.0.1")
        self.port = parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had closed (gunicorn's sync workers close
                # after every response): reconnect once; a second failure is an error.
                self.close()
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, payload
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_load(
    base: str,
    plan: Plan,
    *,
    clients: int,
    duration: float,
    seed: int = 9,
    timeout: float = 60.0,
    max_requests_per_client: int = 1_000_000,
) -> Outcome:
    """Run ``clients`` threads against ``base`` for ``duration`` seconds (and a request cap)."""
    ops = {name: OpStats() for name in (*WEIGHTS, "edit_read")}
    saved: dict[int, list[str]] = {cid: [] for cid in plan.targets}
    errors: list[str] = []
    conflicts = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    deadline_box: list[float] = []

    def record(op: str, status: int, started: float) -> None:
        with lock:
            ops[op].statuses[status] += 1
            ops[op].latencies_ms.append((time.perf_counter() - started) * 1000)

    def client(number: int) -> None:
        nonlocal conflicts
        rng = random.Random(seed * 1000 + number)
        http_client = _Client(base, plan.tokens[number % len(plan.tokens)], timeout)
        barrier.wait(timeout=120)
        if not deadline_box:
            with lock:
                if not deadline_box:
                    deadline_box.append(time.monotonic() + duration)
        deadline = deadline_box[0]
        edits = 0
        try:
            for _ in range(max_requests_per_client):
                if time.monotonic() >= deadline:
                    break
                op = rng.choices(names, weights)[0]
                started = time.perf_counter()
                try:
                    if op == "api_search":
                        q = urllib.parse.quote(rng.choice(plan.queries))
                        status, _ = http_client.request("GET", f"/api/v1/search?q={q}")
                        record(op, status, started)
                        if status != 200:
                            raise _Unexpected(op, status)
                    elif op == "web_search":
                        q = urllib.parse.quote(rng.choice(plan.queries))
                        status, _ = http_client.request("GET", f"/?q={q}")
                        record(op, status, started)
                        if status != 200:
                            raise _Unexpected(op, status)
                    elif op == "recognize":
                        status, _ = http_client.request(
                            # Candidates too: the seeded termbase is mostly candidates, and they are the load.
                            "POST",
                            "/api/v1/recognize",
                            {"text": rng.choice(plan.sentences), "include_unapproved": True},
                        )
                        record(op, status, started)
                        if status != 200:
                            raise _Unexpected(op, status)
                    else:
                        target = rng.choice(plan.targets)
                        line = f"client{number}-edit{edits}"
                        edits += 1
                        for _attempt in range(MAX_EDIT_ATTEMPTS):
                            read_started = time.perf_counter()
                            status, body = http_client.request("GET", f"/api/v1/concepts/{target}")
                            record("edit_read", status, read_started)
                            if status != 200:
                                raise _Unexpected("edit_read", status)
                            current = json.loads(body)
                            started = time.perf_counter()
                            status, _ = http_client.request(
                                "PATCH",
                                f"/api/v1/concepts/{target}",
                                {"note": f"{current['note']}\n{line}", "version": current["version"]},
                            )
                            record("edit", status, started)
                            if status == 200:
                                with lock:
                                    saved[target].append(line)
                                break
                            if status != 409:
                                raise _Unexpected("edit", status)
                            with lock:
                                conflicts += 1
                            if time.monotonic() >= deadline + 30:
                                break  # give up retrying well after the end; the line was not saved
                except _Unexpected as exc:
                    with lock:
                        errors.append(str(exc))
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    with lock:
                        errors.append(f"{op}: {type(exc).__name__}: {exc}")
                    http_client.close()
        finally:
            http_client.close()

    threads = [threading.Thread(target=client, args=(n,), name=f"load-client-{n}") for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 300)
    elapsed = time.monotonic() - started
    if any(thread.is_alive() for thread in threads):
        errors.append("a client did not finish in time")
    return Outcome(clients, elapsed, ops, saved, conflicts, errors)


class _Unexpected(Exception):
    def __init__(self, op: str, status: int) -> None:
        super().__init__(f"{op}: HTTP {status}")


# ---------------------------------------------------------------- afterwards


@dataclass
class Reconciliation:
    problems: list[str]
    lost: int  # lines a client was told were saved that are not in the note
    checked: int  # saved lines looked for


def reconcile(session: Session, plan: Plan, outcome: Outcome) -> Reconciliation:
    """Every saved line is in its note exactly once; versions and history match; nothing else changed."""
    from termbase.models import Concept, HistoryEntry

    problems = []
    lost_total = 0
    session.expire_all()
    for cid in plan.targets:
        concept = session.get(Concept, cid)
        if concept is None:
            problems.append(f"entry {cid} is gone")
            continue
        lines = (concept.note or "").split("\n")
        if lines[0] != TARGET_NOTE:
            problems.append(f"entry {cid}: the original note was overwritten")
        found, told = Counter(lines[1:]), Counter(outcome.saved[cid])
        lost_total += sum((told - found).values())
        if found != told:
            lost = sorted((told - found).elements())
            extra = sorted((found - told).elements())
            problems.append(
                f"entry {cid}: lost {lost[:5]} ({len(lost)}), unexpected {extra[:5]} ({len(extra)})"
            )
        if concept.version != 1 + len(outcome.saved[cid]):
            problems.append(f"entry {cid}: version {concept.version}, saved edits {len(outcome.saved[cid])}")
        updates = session.scalar(
            select(func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.concept_id == cid, HistoryEntry.action == "update")
        )
        if updates != len(outcome.saved[cid]):
            problems.append(
                f"entry {cid}: {updates} update history entries, saved edits {len(outcome.saved[cid])}"
            )
    others = dict(
        session.execute(select(Concept.id, Concept.version).where(Concept.id.not_in(plan.targets))).all()
    )
    if others != plan.other_concepts:
        problems.append("entries that were not edit targets changed or disappeared")
    return Reconciliation(problems, lost_total, sum(len(lines) for lines in outcome.saved.values()))


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(outcome: Outcome, checked: Reconciliation) -> dict[str, Any]:
    ops = {}
    for name, stats in outcome.ops.items():
        values = stats.latencies_ms
        ops[name] = {
            "requests": sum(stats.statuses.values()),
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "p50_ms": round(_percentile(values, 0.50), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "p99_ms": round(_percentile(values, 0.99), 1),
            "max_ms": round(max(values, default=0.0), 1),
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0,
        }
    saved = sum(len(lines) for lines in outcome.saved.values())
    return {
        "clients": outcome.clients,
        "elapsed_s": round(outcome.elapsed_s, 1),
        "requests": outcome.requests,
        "requests_per_s": round(outcome.requests / outcome.elapsed_s, 1) if outcome.elapsed_s else 0.0,
        "edits_saved": saved,
        "conflicts_409_retried": outcome.conflicts,
        "errors": len(outcome.errors),
        "error_samples": outcome.errors[:10],
        "reconciliation_problems": checked.problems,
        "lost_edits": checked.lost,
        "ops": ops,
    }


def print_summary(report: dict[str, Any]) -> None:
    print(
        f"{report['clients']} clients, {report['elapsed_s']} s: {report['requests']} requests "
        f"({report['requests_per_s']}/s), {report['errors']} errors"
    )
    print(
        f"{'operation':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses"
    )
    for name, op in report["ops"].items():
        print(
            f"{name:<12} {op['requests']:>9} {op['p50_ms']:>8} {op['p95_ms']:>8} {op['p99_ms']:>8} "
            f"{op['max_ms']:>8}  {op['statuses']}"
        )
    print(
        f"edits saved: {report['edits_saved']}, 409 conflicts retried: {report['conflicts_409_retried']}, "
        f"lost edits: {report['lost_edits']}, "
        f"reconciliation: {'counts reconcile' if not report['reconciliation_problems'] else 'MISMATCH'}"
    )
    for problem in report["reconciliation_problems"]:
        print(f"  {problem}")
    for sample in report["error_samples"]:
        print(f"  error: {sample}")


# ---------------------------------------------------------------- the production setup


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """A PostgreSQL database of this run's own, dropped afterwards."""
    from termbase.db import make_engine

    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    name = f"termbase_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        if not KEEP:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept database {name}")
        admin.dispose()


KEEP = False


def _env(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TERMBASE_DATABASE_URL": database_url,
        "TERMBASE_INSTANCE_PATH": str(instance),
        "TERMBASE_SECRET_KEY": "load-test",
        "TERMBASE_ANONYMOUS_ACCESS": "read",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(database_url: str, instance: Path, *, workers: int, threads: int) -> Iterator[str]:
    """``gunicorn --workers N --bind 127.0.0.1:PORT wsgi:app``, as README's production line; stopped after."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"{LOOPBACK}:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=_env(database_url, instance))
    base = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 180 s")
            time.sleep(0.5)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _termbase(args: list[str], database_url: str, instance: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "termbase.cli", *args],
        cwd=ROOT,
        env=_env(database_url, instance),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main(argv: Sequence[str] | None = None) -> int:
    global KEEP
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server", default=os.environ.get("TERMBASE_LOAD_PG", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--targets", type=int, default=20, help="entries the clients edit")
    parser.add_argument("--no-seed", action="store_true", help="skip loading the seed documents")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if make_url(args.server).host not in (LOOPBACK, "localhost"):
        parser.error("the load test runs against a loopback PostgreSQL only")
    KEEP = args.keep

    from termbase.db import make_engine, make_sessionmaker

    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.server) as database_url:
        instance = Path(tmp)
        print(
            f"database {make_url(database_url).database}: migrating{'' if args.no_seed else ' and seeding'} …"
        )
        _termbase(["db", "upgrade"], database_url, instance)
        if not args.no_seed:
            _termbase(["seed"], database_url, instance)
        engine = make_engine(database_url)
        try:
            with make_sessionmaker(engine)() as session:
                plan = prepare(session, targets=args.targets)
            print(
                f"{len(plan.other_concepts) + len(plan.targets)} entries, {len(plan.queries)} queries, "
                f"{len(plan.sentences)} sentences; gunicorn with {args.workers} workers …"
            )
            with gunicorn(database_url, instance, workers=args.workers, threads=args.threads) as base:
                outcome = run_load(base, plan, clients=args.clients, duration=args.duration)
            with make_sessionmaker(engine)() as session:
                checked = reconcile(session, plan, outcome)
        finally:
            engine.dispose()
    report = summary(outcome, checked)
    report["setup"] = {
        "database": "postgresql",
        "server": "gunicorn",
        "workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "duration_s": args.duration,
        "seeded": not args.no_seed,
    }
    print_summary(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0 if not outcome.errors and not checked.problems else 1


if __name__ == "__main__":
    sys.exit(main())
