"""A worker process that derives the lookup keys of a large import's terms.

Deriving keys (:func:`termbase.text.keys.term_keys`: normal forms, pinyin, suffixes) is about
a third of an import's work and depends on a term's text alone, so the importing process
sends each batch's terms here as it reads the file and takes the keys back when it writes
that batch (:class:`~termbase.services.workers.WorkerProcesses`). The worker imports the text
pipeline only: not SQLAlchemy, the app or the models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from termbase.services.workers import serve
from termbase.text.keys import TermKeys, term_keys

MODULE = "termbase.services.import_worker"

# (language, cleaned text, pinyin given, normalized form) of one term.
KeyRequest = tuple[str, str, str | None, str]


def derive_keys(terms: Sequence[KeyRequest]) -> list[TermKeys]:
    return [term_keys(*term) for term in terms]


@contextmanager
def _deriver(_settings: Any) -> Iterator[Callable[[Sequence[KeyRequest]], list[TermKeys]]]:
    yield derive_keys


def main() -> None:
    serve(_deriver)


if __name__ == "__main__":
    main()
