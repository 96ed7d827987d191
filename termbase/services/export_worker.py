"""Worker processes that read and render the entries of a large TBX export.

The exporting process gives each worker, round robin, the id limits of a window of concepts;
the worker reads the window on its own database connection
(:func:`~termbase.services.export_rows.read_window`), turns the rows into records and
renders them as a :class:`~termbase.tbx.export.MarkedPart`; the exporting process takes
the parts back in the same order and writes them
(:func:`~termbase.tbx.export.write_tbx_parts`). Reading and rendering are all of an
export's work but the writing, so two workers on two cores about double its speed.

A worker is ``python -m termbase.services.export_worker``, talking pickles over its
standard input and output. It imports this module, the row conversion, the TBX writer and
the database driver only: not SQLAlchemy, the app, the models or the text pipeline behind
them, which would cost each worker a few seconds and over 100 MB. The exporting process
hands it what SQLAlchemy would give the driver (:class:`Source`).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import itertools
import os
import pickle
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple

from termbase.services.export_rows import Selection, WindowQueries, read_window, window_records
from termbase.tbx.export import MarkedPart, PartWriter
from termbase.tbx.vocab import Generation

MODULE = "termbase.services.export_worker"
# Windows given to a worker ahead of the one it works on, so that it never waits for this
# process to take a part and give it the next window.
QUEUED = 2
# Where the termbase package lives, for workers started from another directory.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class Source(NamedTuple):
    """Where and how a worker reads its windows.

    ``module``, ``args`` and ``kwargs``: the DB-API module and what its ``connect`` takes;
    ``begin``: the statements that give the new connection the export's view of the
    database; then ``queries``, filtered with ``selection``, keeping ``cap`` contexts per term.
    """

    module: str
    args: Sequence[Any]
    kwargs: Mapping[str, Any]
    begin: Sequence[str]
    queries: WindowQueries
    selection: Selection
    cap: int


class Renderers:
    """``count`` worker processes, started on entering and stopped on leaving.

    Entering returns once every worker has connected and taken the export's view.
    """

    def __init__(
        self, count: int, generation: Generation, lang_codes: Mapping[str, str], source: Source
    ) -> None:
        self._count = count
        self._settings = (generation.value, dict(lang_codes), source)
        self._processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Renderers:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_PACKAGE_ROOT, env.get("PYTHONPATH"))))
        try:
            for _ in range(self._count):
                process = subprocess.Popen(
                    [sys.executable, "-m", MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
                )
                self._processes.append(process)
                _send(_stdin(process), self._settings)
            for process in self._processes:
                _receive(process)  # connected, in the export's view
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def render(self, limits: Iterator[tuple[int, int]]) -> Iterator[MarkedPart]:
        """The windows with these (after, last) id limits read and rendered, in the order given."""
        processes = self._processes
        waiting: deque[subprocess.Popen[bytes]] = deque()
        sent = 0
        for first in itertools.islice(limits, len(processes) * QUEUED):
            waiting.append(processes[sent % len(processes)])
            _send(_stdin(waiting[-1]), first)
            sent += 1
        while waiting:
            part: MarkedPart = _receive(waiting.popleft())
            following = next(limits, None)
            if following is not None:
                # Window n always goes to process n % count: the one just read from.
                waiting.append(processes[sent % len(processes)])
                _send(_stdin(waiting[-1]), following)
                sent += 1
            yield part

    def stop(self) -> None:
        """End the workers: at the end of their input when all went well, else at once."""
        for process in self._processes:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(BrokenPipeError):  # a worker gone: nothing to flush to
                        pipe.close()
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()


def _stdin(process: subprocess.Popen[bytes]) -> IO[bytes]:
    assert process.stdin is not None
    return process.stdin


def _send(stream: IO[bytes], message: Any) -> None:
    pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _receive(process: subprocess.Popen[bytes]) -> Any:
    assert process.stdout is not None
    try:
        return pickle.load(process.stdout)
    except EOFError:
        raise RuntimeError(f"an export worker stopped (exit status {process.wait()})") from None


def main() -> None:
    # Ctrl-C reaches the whole process group: the exporting process handles it and closes our
    # pipes, which ends us without a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    generation, lang_codes, source = pickle.load(requests)
    connection = importlib.import_module(source.module).connect(*source.args, **source.kwargs)
    cursor = connection.cursor()
    for statement in source.begin:
        cursor.execute(statement)
    gc.freeze()  # what the imports made is never garbage: keep it out of the collector's passes
    writer = PartWriter(Generation(generation), lang_codes=lang_codes)
    try:
        _send(replies, True)
        while True:
            try:
                after, last = pickle.load(requests)
            except EOFError:
                break
            window = read_window(cursor, source.queries, source.selection, after, last, source.cap)
            _send(replies, writer.part(window_records(window) if window else ()))
    except BrokenPipeError:
        # The export stopped early and closed our output: nobody wants the rest.
        os._exit(0)
    connection.close()


if __name__ == "__main__":
    main()
