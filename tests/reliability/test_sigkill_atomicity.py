"""Long operations are all-or-nothing: a real ``termbase`` process killed with SIGKILL midway leaves no trace.

Each test fills a database (SQLite file or PostgreSQL), dumps every row of every table,
starts ``termbase import`` / ``ingest`` / ``extract`` as a separate process, waits until it
is provably midway (it holds an open write transaction with rows written, and an import
has read part of its file but not all), kills it with SIGKILL (no handler, no cleanup),
and compares a fresh dump with the first one: they must be identical. The database must
then still be consistent and writable.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from termbase.db import make_engine
from termbase.exchange.importing import import_file
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput
from termbase.services.ingesting import ingest_path

HAN = "网络主权安全空间治理数据信息技术规则国际合作发展共享开放平台服务体系标准协议管理监督"
ENTRIES = 30_000  # an import of this many entries runs for many seconds: time enough to catch it midway
PAIR_LINES = 15_000
SETTLE = 5
DEADLINE = 240.0  # seconds to wait for the process to reach the middle (start-up is slow on a busy box)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _zh(i: int) -> str:
    chars = []
    for _ in range(4):
        chars.append(HAN[i % len(HAN)])
        i //= len(HAN)
    return "".join(chars) + "制度"


def _write_tbx(path: Path, entries: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="en">'
            "<martifHeader><fileDesc><sourceDesc><p>generated</p></sourceDesc></fileDesc></martifHeader>"
            "<text><body>\n"
        )
        for i in range(entries):
            out.write(
                f'<termEntry id="e{i}"><descrip type="subjectField">governance</descrip>'
                f'<langSet xml:lang="zh"><tig><term>{_zh(i)}</term></tig></langSet>'
                f'<langSet xml:lang="en"><tig><term>generated concept {i}</term><note>row {i}</note></tig>'
                "</langSet></termEntry>\n"
            )
        out.write("</body></text></martif>\n")


def _write_pairs(path: Path, lines: int) -> None:
    words = ["cyber", "sovereignty", "security", "governance", "data", "platform", "rules", "cooperation"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            zh = "".join(HAN[(i * 7 + k * 13) % len(HAN)] for k in range(18)) + f"{i}。"
            en = " ".join(words[(i + k * 3) % len(words)] for k in range(10)).capitalize() + f" {i}."
            out.write(f"{zh} | {en}\n")


def _baseline(session: Session) -> None:
    """Content the killed process would change: entries it would update, a user, history."""
    user_service.create_user(session, "ed", "long enough password", "editor")
    for i in range(20):
        concept = concept_service.create_concept(
            session,
            [
                TermInput(language="zh-Hans", text=_zh(i)),
                TermInput(language="en", text=f"generated concept {i}"),
            ],
            actor="ed",
            status="approved" if i % 2 else "candidate",
            note=f"before {i}",
        )
        concept_service.add_comment(session, concept.id, author="ed", body="checked")
    session.commit()


# ---------------------------------------------------------------- watching the process


@contextmanager
def _writer_probe(url: str) -> Iterator[Callable[[], bool]]:
    """A check: does another connection hold an uncommitted write transaction on the database?"""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":

        def sqlite_writer() -> bool:
            probe = sqlite3.connect(parsed.database or "", timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the lock
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return True
                raise
            else:
                probe.execute("ROLLBACK")
                return False
            finally:
                probe.close()

        yield sqlite_writer
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def postgres_writer() -> bool:
                # A transaction gets an xid with its first write.
                writers = conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                    )
                )
                conn.rollback()
                return bool(writers)

            yield postgres_writer
    finally:
        engine.dispose()


def _read_position(proc: psutil.Process, path: Path) -> int | None:
    """How far the process, or a worker of its that reads the file, has read it."""
    try:
        for process in (proc, *proc.children()):
            for handle in process.open_files():
                if Path(handle.path) == path:
                    return int(handle.position)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return None


@contextmanager
def _termbase(args: list[str], url: str, instance: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "TERMBASE_DATABASE_URL": url,
        "TERMBASE_INSTANCE_PATH": str(instance),
        "TERMBASE_SECRET_KEY": "sigkill-test",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "termbase.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)


def _kill_midway(proc: subprocess.Popen[bytes], url: str, midway: Callable[[], bool] = lambda: True) -> None:
    """Wait until the process is writing (and ``midway()`` holds), then SIGKILL it."""
    deadline = time.monotonic() + DEADLINE
    writing_for = 0  # consecutive checks that found the write transaction open: several writes in
    with _writer_probe(url) as writing:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(
                    f"the process ended before it was killed midway ({proc.returncode}): {out!r} {err!r}"
                )
            writing_for = writing_for + 1 if writing() else 0
            if writing_for >= SETTLE and midway():
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                assert proc.returncode == -signal.SIGKILL
                return
            time.sleep(0.02)
    pytest.fail("the process never reached the middle of its work")


def _assert_consistent_and_writable(app: Flask, url: str, tbx: Path) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database or "") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # No lock or half-open transaction is left behind: a small import goes through at once.
    small = tbx.with_name("small.tbx")
    _write_tbx(small, 3)
    with app.extensions["termbase.sessionmaker"]() as session:
        report = import_file(session, small, filename="small.tbx", dry_run=False, actor="after")
        session.commit()
    assert report.new + report.updated + report.unchanged == 3


# ---------------------------------------------------------------- the tests


def test_a_killed_import_leaves_the_database_exactly_as_before(
    app: Flask, session: Session, database_url: str, tmp_path: Path, dump: Callable[[str], Any]
) -> None:
    _baseline(session)
    big = tmp_path / "big.tbx"
    _write_tbx(big, ENTRIES)
    size = big.stat().st_size
    before = dump(database_url)
    positions: list[int] = []
    workers: list[psutil.Process] = []

    with _termbase(["import", str(big), "--status", "approved"], database_url, tmp_path) as proc:
        watched = psutil.Process(proc.pid)

        def midway() -> bool:
            position = _read_position(watched, big)
            if position is None:
                return False
            positions.append(position)
            workers[:] = watched.children()
            return position > size // 10

        _kill_midway(proc, database_url, midway)
    # Killed in the middle: part of the file read (and batches of it written), not all of it.
    assert size // 10 < positions[-1] < size, (positions[-1], size)
    # The worker reading the file goes too: its input ends with the process that fed it.
    assert workers
    _gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive
    assert dump(database_url) == before
    _assert_consistent_and_writable(app, database_url, big)


def test_a_killed_ingest_leaves_the_database_exactly_as_before(
    app: Flask, session: Session, database_url: str, tmp_path: Path, dump: Callable[[str], Any]
) -> None:
    _baseline(session)
    ingest_path(session, SEEDS, actor="seed")
    session.commit()
    pairs = tmp_path / "speech.txt"
    _write_pairs(pairs, PAIR_LINES)
    before = dump(database_url)
    assert before["documents"]
    assert before["segments"]

    with _termbase(["ingest", str(pairs)], database_url, tmp_path) as proc:
        _kill_midway(proc, database_url)
    assert dump(database_url) == before
    _assert_consistent_and_writable(app, database_url, pairs)


def test_a_killed_extraction_leaves_the_database_exactly_as_before(
    app: Flask, session: Session, database_url: str, tmp_path: Path, dump: Callable[[str], Any]
) -> None:
    ingest_path(session, SEEDS, actor="seed")
    _baseline(session)
    before = dump(database_url)

    with _termbase(["extract"], database_url, tmp_path) as proc:
        _kill_midway(proc, database_url)
    assert dump(database_url) == before
    _assert_consistent_and_writable(app, database_url, tmp_path / "x.tbx")
