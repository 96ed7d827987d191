"""A worker process that reads a large import file: parses, checks and keys its entries.

Reading the file, checking each record and deriving its terms' lookup keys
(:mod:`termbase.exchange.import_reading`) is about half of an import's work, and needs no
database. For a large file the importing process leaves it to this worker and only matches
and writes, so the two overlap. Each request ("the next batch, please") gets one reply
``(kind, payload, warnings)``: a :data:`BATCH` of entries; the :data:`END` of the file with
what the reader learned besides the records (:class:`~termbase.exchange.import_reading.ReaderSummary`);
or the :data:`FAILED` error (an :class:`~termbase.services.errors.Invalid` naming the line),
after which nothing more is read. ``warnings`` are the (message, line) pairs checking raised.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, Any

from termbase.exchange.import_reading import Entry, ImportSource, keyed_batches, open_reader, summary
from termbase.exchange.workers import serve
from termbase.ingest.glossary import GlossaryReader
from termbase.services.errors import Invalid
from termbase.tbx.parse import TbxReader

MODULE = "termbase.exchange.import_worker"
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

    with ExitStack() as stack:
        reader: TbxReader | GlossaryReader | None = None
        batches: Iterator[list[Entry]] = iter(())
        last: Reply | None = None

        def next_batch(_request: None) -> Reply:
            nonlocal reader, batches, last
            if last is not None:  # requests sent ahead of the end
                return last
            try:
                if reader is None:
                    reader = _reader(stack.enter_context(open(source.path, "rb")), source)
                    batches = keyed_batches(reader, source.filename, source.batch_size, warn)
                batch = next(batches, None)
            except OSError as exc:
                last = (FAILED, _unreadable(exc, source), taken())
                return last
            except Invalid as exc:
                last = (FAILED, exc, taken())
                return last
            if batch is None:
                last = (END, summary(reader), taken())
                return last
            return (BATCH, batch, taken())

        yield next_batch


def _reader(stream: IO[bytes], source: ImportSource) -> TbxReader | GlossaryReader:
    found = os.fstat(stream.fileno())
    if (found.st_dev, found.st_ino) != source.identity:
        raise Invalid("the file was replaced while it was being imported", details={"file": source.filename})
    reader = open_reader(stream, source.filename).reader
    return reader


def _unreadable(exc: OSError, source: ImportSource) -> Invalid:
    return Invalid(f"cannot read the file: {exc.strerror or exc}", details={"file": source.filename})


def main() -> None:
    serve(_reading)


if __name__ == "__main__":
    main()
