"""Worker processes that take requests and return replies, in order, as pickles over pipes.

A worker is ``python -m MODULE`` whose ``main`` calls :func:`serve`. It imports that module
and what it names only, not the app, so it starts in a fraction of a second and small. The
calling process starts the workers with :class:`WorkerProcesses`, gives each the same
settings once, then hands out requests round robin, a few ahead of the reply it waits for,
so that no worker waits for the caller between requests.

Requests and replies are each written by a thread, so neither side stops reading while the
other writes a message larger than a pipe holds. Messages are pickled before they are handed
to the thread: one that cannot be pickled fails where it was made.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from queue import SimpleQueue
from types import TracebackType
from typing import IO, Any, Self, TypeVar

# Requests given to a worker ahead of the one whose reply is awaited.
QUEUED = 2
# Where the termbase package lives, for workers started from another directory.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

Item = TypeVar("Item")


class WorkerProcesses:
    """``count`` processes running ``python -m module``, started on entering, stopped on leaving.

    Entering returns once every worker has taken ``settings`` and said it is ready.

    :param name: what the workers are called in errors ("export worker").
    """

    def __init__(self, module: str, count: int, settings: Any, *, name: str) -> None:
        self._module = module
        self._count = count
        self._settings = settings
        self._name = name
        if count < 1:
            raise ValueError("a pool needs at least one worker process")
        self._processes: list[subprocess.Popen[bytes]] = []
        self._feeders: dict[subprocess.Popen[bytes], _Feeder] = {}

    def __enter__(self) -> Self:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_PACKAGE_ROOT, env.get("PYTHONPATH"))))
        try:
            for _ in range(self._count):
                process = subprocess.Popen(
                    [sys.executable, "-m", self._module],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=env,
                )
                self._processes.append(process)
                self._feeders[process] = _Feeder(_stdin(process))
                self._feeders[process].send(self._settings)
            for process in self._processes:
                self._receive(process)  # ready
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def map(self, items: Iterator[Item], request: Callable[[Item], Any]) -> Iterator[tuple[Item, Any]]:
        """Each item with the reply to its request, in the order of the items.

        ``items`` is read ahead: up to :data:`QUEUED` items per worker are taken before their
        replies are.
        """
        processes = self._processes
        waiting: deque[tuple[subprocess.Popen[bytes], Item]] = deque()
        sent = 0

        def hand_out(item: Item) -> None:
            nonlocal sent
            # Request n always goes to process n % count: replies come back in request order.
            process = processes[sent % len(processes)]
            self._feeders[process].send(request(item))
            waiting.append((process, item))
            sent += 1

        for item in itertools.islice(items, len(processes) * QUEUED):
            hand_out(item)
        while waiting:
            process, item = waiting.popleft()
            reply = self._receive(process)
            following = next(items, _END)
            if following is not _END:
                hand_out(following)
            yield item, reply

    def stop(self) -> None:
        """End the workers: at the end of their input when all went well, else at once.

        Closing their output first ends a worker still writing a reply nobody will read.
        """
        for process in self._processes:
            if process.stdout is not None:
                process.stdout.close()
        for feeder in self._feeders.values():
            feeder.close()
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for feeder in self._feeders.values():
            feeder.join()
        self._processes.clear()
        self._feeders.clear()

    def _receive(self, process: subprocess.Popen[bytes]) -> Any:
        assert process.stdout is not None
        try:
            return pickle.load(process.stdout)
        except (EOFError, pickle.UnpicklingError):  # ended, possibly in the middle of a reply
            raise RuntimeError(f"an {self._name} stopped (exit status {process.wait()})") from None


_END: Any = object()


class _Feeder:
    """A thread that writes the messages given to it to a pipe (a worker's input, or its
    output), then closes it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.broken = threading.Event()  # the reader went away
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._thread = threading.Thread(target=self._write, args=(stream,), daemon=True)
        self._thread.start()

    def send(self, message: Any) -> None:
        self._queue.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        self._queue.put(_END)

    def join(self) -> None:
        self._thread.join()

    def _write(self, stream: IO[bytes]) -> None:
        # A reader gone (a worker failed, or the caller stopped early) takes no more: what is
        # left is dropped.
        try:
            while (message := self._queue.get()) is not _END:
                stream.write(message)
                stream.flush()
        except BrokenPipeError:
            self.broken.set()
        finally:
            with contextlib.suppress(BrokenPipeError):
                stream.close()


def serve(handler: Callable[[Any], AbstractContextManager[Callable[[Any], Any]]]) -> None:
    """The worker's side: take the settings, then answer requests until the input ends.

    :param handler: given the settings, a context manager whose value answers one request
        (leaving it closes what the worker opened, such as a database connection).
    """
    # Ctrl-C reaches the whole process group: the calling process handles it and closes our
    # pipes, which ends us without a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = sys.stdin.buffer
    # Replies are written by a thread, so that the next request is answered while the caller
    # has not yet read a reply larger than the pipe holds.
    replies = _Feeder(sys.stdout.buffer)
    try:
        with handler(pickle.load(requests)) as answer:
            gc.freeze()  # what the imports made is never garbage: keep it out of the collector's passes
            replies.send(True)
            while not replies.broken.is_set():
                try:
                    request = pickle.load(requests)
                except EOFError:
                    break
                replies.send(answer(request))
    finally:
        if replies.broken.is_set():
            # The caller stopped early and closed our output: nobody wants the rest.
            os._exit(0)
        # Even when answering failed: the replies before the failure still reach the caller.
        replies.close()
        replies.join()


def _stdin(process: subprocess.Popen[bytes]) -> IO[bytes]:
    assert process.stdin is not None
    return process.stdin
