"""A worker process that reads a large import file: parses, checks and keys its entries.

Reading the file, checking each record and deriving its terms' lookup keys
(:mod:`termbase.services.import_reading`) is about half of an import's work, and needs no
database. For a large file the importing process leaves it to this worker and only matches
and writes, so the two overlap. Each request ("the next batch, please") gets one reply
``(kind, payload, warnings)``: a :data:`BATCH` of entries; the :data:`END` of the file with
what the reader learned besides the records (:class:`~termbase.services.import_reading.ReaderSummary`);
or the :data:`FAILED` error (an :class:`~termbase.services.errors.Invalid` naming the line),
after which nothing more is read. ``warnings`` are the (message, line) pairs checking raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from termbase.services.errors import Invalid
from termbase.services.import_reading import Entry, ImportSource, keyed_batches, open_reader, summary
from termbase.services.workers import serve

MODULE = "termbase.services.import_worker"
BATCH, END, FAILED = "batch", "end", "failed"

Reply = tuple[str, Any, list[tuple[str, int | None]]]


@contextmanager
def _reading(source: ImportSource) -> Iterator[Callable[[None], Reply]]:
    warnings: list[tuple[str, int | None]] = []

    def warn(message: str, line: int | None = None) -> None:
        warnings.append((message, line))

    def taken() -> list[tuple[str, int | None]]:
        given = warnings[:]
        warnings.clear()
        return given

    with open(source.path, "rb") as stream:
        reader, _format = open_reader(stream, source.filename)
        batches: Iterator[list[Entry]] = keyed_batches(reader, source.filename, source.batch_size, warn)
        last: Reply | None = None

        def next_batch(_request: None) -> Reply:
            nonlocal last
            if last is not None:  # requests sent ahead of the end
                return last
            try:
                batch = next(batches, None)
            except Invalid as exc:
                last = (FAILED, exc, taken())
                return last
            if batch is None:
                last = (END, summary(reader), taken())
                return last
            return (BATCH, batch, taken())

        yield next_batch


def main() -> None:
    serve(_reading)


if __name__ == "__main__":
    main()
