"""Worker processes that render the entries of a large TBX export.

The exporting process reads the database and sends each window of rows
(:class:`~termbase.services.export_rows.Window`) to a worker, round robin; the worker
turns the rows into records and renders them as a
:class:`~termbase.tbx.export.MarkedPart`; the exporting process takes the parts back in
the same order and writes them (:func:`~termbase.tbx.export.write_tbx_parts`). Rendering
is most of an export's work, so two workers on two cores about double its speed.

A worker is ``python -m termbase.services.export_worker``, talking pickles over its
standard input and output. It imports this module, the row conversion and the TBX writer
only: not the app, the models or the text pipeline behind them, which would cost each
worker a few seconds and over 100 MB.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import marshal
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from termbase.services.export_rows import Window, window_records
from termbase.tbx.export import MarkedPart, PartWriter
from termbase.tbx.vocab import Generation

MODULE = "termbase.services.export_worker"
# Windows sent to a worker ahead of the one it renders, so that it never waits while this
# process reads the next window from the database.
QUEUED = 2
# Where the termbase package lives, for workers started from another directory.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class Renderers:
    """``count`` worker processes, started on entering and stopped on leaving."""

    def __init__(self, count: int, generation: Generation, lang_codes: Mapping[str, str]) -> None:
        self._count = count
        self._settings = (generation.value, dict(lang_codes))
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
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def render(self, windows: Iterator[Window]) -> Iterator[MarkedPart]:
        """The windows rendered, in the order given."""
        processes = self._processes
        waiting: deque[subprocess.Popen[bytes]] = deque()
        sent = 0
        for first in itertools.islice(windows, len(processes) * QUEUED):
            waiting.append(processes[sent % len(processes)])
            _send_window(_stdin(waiting[-1]), first)
            sent += 1
        while waiting:
            part = _receive(waiting.popleft())
            following = next(windows, None)
            if following is not None:
                # Window n always goes to process n % count: the one just read from.
                waiting.append(processes[sent % len(processes)])
                _send_window(_stdin(waiting[-1]), following)
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


def _send_window(stream: IO[bytes], window: Window) -> None:
    # Rows of terms, definitions and contexts hold only strings, integers and None, which
    # marshal writes and reads in about a third of pickle's time (this process is the
    # export's serial stage); concept rows carry datetimes and are pickled.
    rows: Any = (window.terms, window.definitions, window.contexts)
    _send(stream, (window.concepts, marshal.dumps(rows), window.cap))


def _receive(process: subprocess.Popen[bytes]) -> MarkedPart:
    assert process.stdout is not None
    try:
        part: MarkedPart = pickle.load(process.stdout)
    except EOFError:
        raise RuntimeError(f"an export worker stopped (exit status {process.wait()})") from None
    return part


def _read_windows(stream: IO[bytes], windows: queue.SimpleQueue[Window | None]) -> None:
    """Take windows off the input as they come, so the exporting process never blocks on sending."""
    try:
        while True:
            concepts, rows, cap = pickle.load(stream)
            terms, definitions, contexts = marshal.loads(rows)
            windows.put(Window(concepts, terms, definitions, contexts, cap))
    except EOFError:
        pass
    finally:
        windows.put(None)


def main() -> None:
    # Ctrl-C reaches the whole process group: the exporting process handles it and closes our
    # pipes, which ends us without a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what the imports made is never garbage: keep it out of the collector's passes
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    generation, lang_codes = pickle.load(requests)
    writer = PartWriter(Generation(generation), lang_codes=lang_codes)
    windows: queue.SimpleQueue[Window | None] = queue.SimpleQueue()
    threading.Thread(target=_read_windows, args=(requests, windows), daemon=True).start()
    try:
        while (window := windows.get()) is not None:
            _send(replies, writer.part(window_records(window)))
    except BrokenPipeError:
        # The export stopped early and closed our output: nobody wants the rest.
        os._exit(0)


if __name__ == "__main__":
    main()
