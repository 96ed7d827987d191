"""A small on-disk cache for resources that are slow to build from the packages' data.

Building the CC-CEDICT lexicon and the English word list takes about a third of a
second each; loading them back from a pickle takes a few hundredths. The cache lives in
``$TERMBASE_CACHE_DIR`` or the system's temporary folder (as jieba's does), is keyed by
the source data's identity, and is only an optimisation: if it cannot be read or
written, the resource is built in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
FORMAT = 1  # bump when the shape of a cached value changes


def cache_dir() -> Path:
    return Path(os.environ.get("TERMBASE_CACHE_DIR") or Path(tempfile.gettempdir()) / "termbase-cache")


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """The value ``build()`` returns, read from the cache when ``key`` has not changed."""
    digest = hashlib.sha256(f"{FORMAT}:{key}".encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{digest}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        with path.open("rb") as handle:
            value: T = pickle.load(handle)  # noqa: S301 (our own file, written below)
        return value
    value = build()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return value


def file_key(path: Path | str) -> str:
    """Identity of a data file: its path, size and modification time."""
    stat = os.stat(path)
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
