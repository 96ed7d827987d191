"""A term's columns, named once: the concept service, import, export, backup and the API use these.

:class:`TermRow` is a whole row of the ``terms`` table, in the table's column order: the import
writes new terms in bulk as these, and the tests hold it equal to the model's columns. The other
names pick columns out of it by name: :data:`DERIVED` (what :func:`termbase.text.keys.term_keys`
derives from a term's text), :data:`EDITABLE` (a term's content in its JSON: a concept's history
snapshot and the API's term), :class:`ExportedTerm` (what an export reads of a term).

No SQLAlchemy and no models here, so the import and export worker processes use it too.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from termbase.text.keys import TermKeys


class TermRow(NamedTuple):
    """One row of ``terms``, every column, in the table's order."""

    id: int
    concept_id: int
    language: str
    text: str
    normalized: str
    search_key: str
    pinyin: str | None
    pinyin_key: str | None
    pinyin_initials: str | None
    usage_status: str
    term_type: str | None
    part_of_speech: str | None
    note: str | None
    review: str
    evidence: dict[str, Any] | None
    created_at: datetime


COLUMNS = TermRow._fields
# The columns derived from the text (and given pinyin): the fields of ``TermKeys`` but its suffixes.
DERIVED = ("normalized", "search_key", "pinyin", "pinyin_key", "pinyin_initials")
# A term's content as its JSON carries it beside its id and language: a concept's history
# snapshot, the API's term, what an editor may change.
EDITABLE = ("text", "usage_status", "term_type", "part_of_speech", "note", "pinyin", "review")
# The columns that are not a term's content: its identity, its concept and when it was made.
BOOKKEEPING = ("id", "concept_id", "created_at")


def derived_values(keys: TermKeys) -> dict[str, str | None]:
    """The :data:`DERIVED` columns of a term with these keys, by name."""
    return {name: getattr(keys, name) for name in DERIVED}


class ExportedTerm(NamedTuple):
    """What an export reads of a term: its columns of these names, and ``imported``, the
    contexts an import kept in its ``evidence`` as JSON text (None when there are none)."""

    id: int
    concept_id: int
    language: str
    text: str
    usage_status: str
    part_of_speech: str | None
    term_type: str | None
    pinyin: str | None
    note: str | None
    review: str
    imported: str | None


# The columns of :class:`ExportedTerm` read as they are stored.
EXPORTED_COLUMNS = ExportedTerm._fields[:-1]
