"""``termbase export`` and ``termbase import``: TBX and CSV/TSV exchange with CAT tools."""

from __future__ import annotations

import contextlib
import gc
import getpass
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext

from termbase.cli.common import transaction
from termbase.exchange import exporting
from termbase.exchange.importing import import_file
from termbase.services.errors import Invalid
from termbase.tbx.vocab import parse_lang_codes
from termbase.text.wording import counted


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in exporting.ExportFormat]),
    default=exporting.ExportFormat.TBX_2008.value,
    show_default=True,
    help="TBX-Basic 2008 (what most CAT tools import), TBX-Basic v3, or a CSV/TSV glossary.",
)
@click.option(
    "--status",
    type=click.Choice([s.value for s in exporting.StatusFilter]),
    default=exporting.StatusFilter.APPROVED.value,
    show_default=True,
    help="Which entries; 'all' is approved and candidate (rejected entries never go out).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=None,
    help="Leave out extracted concepts scored lower; entries without a score always pass.",
)
@click.option("--document", default=None, help="Only concepts with a term cited in this document (slug).")
@click.option(
    "--lang-codes",
    default="",
    help="Language codes to write, e.g. zh=zh-CN,zh-Hant=zh-TW,en=en-US (the default).",
)
@click.option(
    "--context-cap",
    type=click.IntRange(0, exporting.MAX_CONTEXT_CAP),
    default=None,
    help="Context sentences per term (default: TERMBASE_EXPORT_CONTEXT_CAP).",
)
@click.option(
    "--for-cat-tools",
    is_flag=True,
    help="TBX for a CAT tool: deprecated and superseded terms only named in an 'avoid' note, short notes.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File, or - for stdout.",
)
@with_appcontext
def export_command(
    fmt: str,
    status: str,
    min_confidence: float | None,
    document: str | None,
    lang_codes: str,
    context_cap: int | None,
    for_cat_tools: bool,
    output: str,
) -> None:
    """Export the termbase as TBX or as a glossary for OmegaT and spreadsheets.

    Filters combine. The file is written in one pass with bounded memory; a file on disk
    appears only when the export is complete.
    """
    try:
        codes = parse_lang_codes(lang_codes)
    except ValueError as exc:
        raise Invalid(str(exc), details={"field": "lang-codes"}) from None
    cap = context_cap if context_cap is not None else int(current_app.config["EXPORT_CONTEXT_CAP"])
    options = exporting.ExportOptions(
        format=fmt,
        status=status,
        min_confidence=min_confidence,
        document=document,
        lang_codes=codes,
        context_cap=min(cap, exporting.MAX_CONTEXT_CAP),
        for_cat_tools=for_cat_tools,
    )
    if (
        fmt == exporting.ExportFormat.TSV
        and output != "-"
        and not output.lower().endswith(OMEGAT_TSV_SUFFIXES)
    ):
        click.echo(
            f"note: OmegaT before 5.5 loads a tab-separated glossary only when it is named "
            f"{', '.join(OMEGAT_TSV_SUFFIXES)} (.utf8 is read as UTF-8)",
            err=True,
        )
    workers = int(current_app.config["EXPORT_WORKERS"]) or os.cpu_count() or 1
    with _startup_objects_frozen(), transaction() as session:
        stream = exporting.export_stream(
            session,
            options,
            workers=workers,
            parallel_from=int(current_app.config["EXPORT_PARALLEL_FROM"]),
        )
        if output == "-":
            out = sys.stdout.buffer
            size = 0
            for chunk in stream:
                out.write(chunk)
                size += len(chunk)
            out.flush()
            click.echo(f"exported {counted(stream.entries, 'entry')} ({counted(size, 'byte')})", err=True)
            return
        target = Path(output)
        size = _write_atomically(target, stream)
    click.echo(
        f"exported {counted(stream.entries, 'entry')} to {target} ({counted(size, 'byte')}, {options.format})",
        err=True,
    )


@contextlib.contextmanager
def _startup_objects_frozen() -> Iterator[None]:
    """Leave what exists by now (modules, the app, SQLAlchemy's metadata) out of the collector's
    full passes, which an export's many short-lived records keep triggering: about 5 % of the
    instructions per exported concept. Unfrozen afterwards, for callers that live on (tests)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_atomically(target: Path, stream: exporting.ExportStream) -> int:
    """Write to a temporary file beside ``target`` and rename it, so no half-written file is left."""
    directory = target.resolve().parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in stream:
                handle.write(chunk)
                size += len(chunk)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return size


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--dry-run", is_flag=True, help="Read and check everything, list what each entry would do, write nothing."
)
@click.option(
    "--status",
    "default_status",
    type=click.Choice(["candidate", "approved"]),
    default="candidate",
    show_default=True,
    help="Status of new entries whose file does not state one (TBX written by termbase does).",
)
@click.option("--actor", default=None, help="Name recorded in history (default: your login name).")
@with_appcontext
def import_command(file: str, dry_run: bool, default_status: str, actor: str | None) -> None:
    """Import a TBX (2008 or v3) or CSV/TSV glossary file; the format is detected.

    An entry updates an existing concept only when it is the same one: the same id in a
    file this termbase exported or in a file of the same name imported before, or (without
    ids) the same Chinese and English terms. Any other entry is a new concept, flagged as a
    possible duplicate when it shares a term. --dry-run lists each entry that would be new,
    updated or flagged. Either the whole file is imported or, on any error, nothing is.
    """
    actor = actor or _login_name()
    limit = int(current_app.config["MAX_IMPORT_BYTES"])
    if file != "-":
        _check_size(file, limit)
    workers = int(current_app.config["IMPORT_WORKERS"])
    with transaction() as session:
        if file == "-":
            report = import_file(
                session,
                io.BufferedReader(_Limited(sys.stdin.buffer, limit)),
                filename="stdin",
                dry_run=dry_run,
                actor=actor,
                default_status=default_status,
                workers=workers,
            )
        else:
            report = import_file(
                session,
                file,
                filename=os.path.basename(file),
                dry_run=dry_run,
                actor=actor,
                default_status=default_status,
                workers=workers,
            )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.warning_count > len(report.warnings):
        click.echo(f"warning: … {report.warning_count - len(report.warnings)} more", err=True)
    if dry_run:
        for line in report.change_lines():
            click.echo(line)
    click.echo(report.summary())


# The names OmegaT 3.6 (and every version since) reads as a tab-separated glossary.
OMEGAT_TSV_SUFFIXES = (".utf8", ".tab", ".txt")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large(limit: int, filename: str, size: int | None = None) -> Invalid:
    found = f"{_megabytes(size)}; " if size is not None else ""
    return Invalid(
        f"the file is too large ({found}the limit is {_megabytes(limit)}, TERMBASE_MAX_IMPORT_BYTES)",
        details={"file": filename},
    )


def _check_size(path: str, limit: int) -> None:
    """Refuse a file over the import limit before reading any of it (uploads have the same limit)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # import_file reports a file it cannot open
    if size > limit:
        raise _too_large(limit, os.path.basename(path), size)


class _Limited(io.RawIOBase):
    """Standard input, refused once it grows past the import limit."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream, self._limit, self._read = stream, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise _too_large(self._limit, "stdin")
        buffer[: len(data)] = data
        return len(data)


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return None
