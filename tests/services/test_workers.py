"""Worker processes: replies in order whatever their size, and failures that end, never hang."""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from termbase.exchange.workers import WorkerProcesses

ECHO = textwrap.dedent(
    '''
    """Answers n with n and a reply of `settings` bytes; "die" ends the worker; "lambda" cannot be pickled."""
    import os
    from contextlib import contextmanager

    from termbase.exchange.workers import serve


    @contextmanager
    def handler(size):
        def answer(request):
            if request == "die":
                os._exit(3)
            if request == "lambda":
                return lambda: None
            return request, b"r" * size

        yield answer


    if __name__ == "__main__":
        serve(handler)
    '''
)


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """A hang fails the test instead of the whole run."""

    def expire(_signal: int, _frame: FrameType | None) -> None:
        raise TimeoutError("the workers hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def echo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "echo_worker.py").write_text(ECHO)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "echo_worker"


def replies(module: str, requests: list[Any], *, count: int = 1, size: int = 0) -> list[Any]:
    with WorkerProcesses(module, count, size, name="echo worker") as workers:
        return [reply for _request, reply in workers.map(iter(requests), lambda request: request)]


@pytest.mark.parametrize("count", [1, 2])
def test_large_requests_and_replies_come_back_in_order(echo: str, count: int) -> None:
    # Both far larger than a pipe holds (64 KB), several in flight at once.
    requests = [(n, b"q" * 300_000) for n in range(8)]
    answered = replies(echo, requests, count=count, size=500_000)
    assert [request for request, _reply in answered] == requests
    assert all(reply == b"r" * 500_000 for _request, reply in answered)


def test_a_worker_that_dies_fails_after_the_replies_before(echo: str) -> None:
    got: list[Any] = []

    def collect() -> None:
        with WorkerProcesses(echo, 1, 10, name="echo worker") as workers:
            got.extend(request for request, _reply in workers.map(iter([1, 2, "die", 4]), lambda r: r))

    with pytest.raises(RuntimeError, match="echo worker stopped \\(exit status 3\\)"):
        collect()
    assert got == [1, 2]


def test_a_reply_that_cannot_be_pickled_fails_the_worker(echo: str) -> None:
    with pytest.raises(RuntimeError, match="echo worker stopped"):
        replies(echo, [1, "lambda", 3])


def test_a_request_that_cannot_be_pickled_fails_where_it_is_made(echo: str) -> None:
    with pytest.raises(AttributeError, match="pickle"):
        replies(echo, [1, lambda: None, 3])


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one"):
        WorkerProcesses("echo_worker", 0, None, name="echo worker")
