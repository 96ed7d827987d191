"""gunicorn.conf.py: the master builds the recognition engine, then forks workers that use it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from termbase.db import make_engine

Headers = dict[str, str]
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def _request(port: int, method: str, path: str, body: dict | None = None, headers: Headers | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(
            method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def _gunicorn(database_url: str, log: Path) -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with log.open("wb") as log_file:
        env = {**os.environ, "TERMBASE_DATABASE_URL": database_url, "TERMBASE_SECRET_KEY": "test"}
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "info",
            "wsgi:app",
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if _request(port, "GET", "/api/v1/search?q=a")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


def _recognized(port: int, text: str, headers: Headers) -> list[str]:
    # The entry added during the test is a candidate: ask for candidates too.
    status, body = _request(
        port, "POST", "/api/v1/recognize", {"text": text, "include_unapproved": True}, headers
    )
    assert status == 200, body
    return [match["term_text"] for match in json.loads(body)["matches"]]


def test_workers_start_with_the_engine_built_and_follow_edits(
    database_url: str, make_concept: Callable[..., int], editor: Headers, tmp_path: Path
) -> None:
    make_concept(("zh-Hans", "网络主权", "preferred"), ("en", "cyber sovereignty", "preferred"))
    log = tmp_path / "gunicorn.log"
    with _gunicorn(database_url, log) as port:
        text = log.read_text()
        built = text.index("recognition engine built")
        assert built < text.index("Booting worker"), text
        # Fresh connections, so the requests spread over both workers.
        for _ in range(4 * WORKERS):
            assert _recognized(port, "尊重网络主权。", editor) == ["网络主权"]
        status, body = _request(
            port,
            "POST",
            "/api/v1/concepts",
            {
                "terms": [
                    {"language": "zh-Hans", "text": "数字鸿沟"},
                    {"language": "en", "text": "digital divide"},
                ]
            },
            editor,
        )
        assert status == 201, body
        for _ in range(4 * WORKERS):
            assert _recognized(port, "网络主权与数字鸿沟", editor) == ["网络主权", "数字鸿沟"]
    assert log.read_text().count("recognition engine built") == 1


def test_a_forked_child_does_not_reuse_the_parents_connections(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fork.sqlite3'}")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    assert engine.pool.checkedin() == 1
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, str(engine.pool.checkedin()).encode())
        os._exit(0)
    os.close(write)
    seen_by_child = os.read(read, 16).decode()
    os.close(read)
    os.waitpid(child, 0)
    assert seen_by_child == "0"
    assert engine.pool.checkedin() == 1
    engine.dispose()
