"""Worker processes that read and render the entries of a large TBX export.

The exporting process gives each worker, round robin, the id limits of a window of concepts;
the worker reads the window on its own database connection
(:func:`~termbase.exchange.export_rows.read_window`), turns the rows into records and
renders them as a :class:`~termbase.tbx.export.MarkedPart`; the exporting process takes
the parts back in the same order and writes them
(:func:`~termbase.tbx.export.write_tbx_parts`). Reading and rendering are all of an
export's work but the writing, so two workers on two cores about double its speed.

A worker is ``python -m termbase.exchange.export_worker``, talking pickles over its
standard input and output. It imports this module, the row conversion, the TBX writer and
the database driver only: not SQLAlchemy, the app, the models or the text pipeline behind
them, which would cost each worker a few seconds and over 100 MB. The exporting process
hands it what SQLAlchemy would give the driver (:class:`Source`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from termbase.exchange.export_rows import Selection, WindowQueries, read_window, window_records
from termbase.exchange.workers import WorkerProcesses, serve
from termbase.tbx.export import MarkedPart, PartWriter
from termbase.tbx.vocab import Generation

MODULE = "termbase.exchange.export_worker"


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


class Renderers(WorkerProcesses):
    """``count`` export workers, started on entering and stopped on leaving.

    Entering returns once every worker has connected and taken the export's view.
    """

    def __init__(
        self,
        count: int,
        generation: Generation,
        lang_codes: Mapping[str, str],
        source: Source,
        *,
        for_cat_tools: bool = False,
    ) -> None:
        settings = (generation.value, dict(lang_codes), source, for_cat_tools)
        super().__init__(MODULE, count, settings, name="export worker")

    def render(self, limits: Iterator[tuple[int, int]]) -> Iterator[MarkedPart]:
        """The windows with these (after, last) id limits read and rendered, in the order given."""
        for _limits, part in self.map(limits, lambda window: window):
            yield part


@contextmanager
def _renderer(settings: tuple[str, dict[str, str], Source, bool]) -> Iterator[Any]:
    generation, lang_codes, source, for_cat_tools = settings
    connection = importlib.import_module(source.module).connect(*source.args, **source.kwargs)
    cursor = connection.cursor()
    for statement in source.begin:
        cursor.execute(statement)
    writer = PartWriter(Generation(generation), lang_codes=lang_codes, for_cat_tools=for_cat_tools)

    def render(window_limits: tuple[int, int]) -> MarkedPart:
        after, last = window_limits
        window = read_window(cursor, source.queries, source.selection, after, last, source.cap)
        return writer.part(window_records(window) if window else ())

    try:
        yield render
    finally:
        connection.close()


def main() -> None:
    serve(_renderer)


if __name__ == "__main__":
    main()
