"""The one error the readers raise: what is wrong, in which file, at which line."""

from __future__ import annotations


class IngestError(Exception):
    """Bad input found while reading a document; the service turns it into ``Invalid``."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"
