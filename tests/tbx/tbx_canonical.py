"""A canonical form of a TBX file's content, to compare a file with its export after an import.

Read with lxml directly (not with the importer's parser), for both generations, DCA and DCT:
per entry, its entry-level data categories, notes and transactions; per language, the same;
per term, its termNotes, descrips, admins, notes, refs, xrefs, contexts and transactions.

Deliberate normalisations (what an import and export may change without losing anything):

- Entries are keyed by their terms (language, text), not their ids: an export names entries
  by concept id. A ``ref`` pointing at an entry points at that entry's key.
- Language tags are compared as the termbase keeps them (``en-US`` is ``en``, ``zh-TW`` is
  ``zh-Hant``, other languages by their tag).
- Whitespace is collapsed in every value.
- Notes the termbase adds are left out (the ``termbase:`` status note, pinyin notes), and so
  are the values it writes for a term without one: part of speech ``other`` and status
  ``admittedTerm-admn-sts`` (the default).
- Several notes at one level compare as one (the termbase keeps an entry's notes as one text).
- Definitions compare by language, text and source whatever their level: an entry-level
  definition without a language belongs to the file's language and is written in that
  language's section.
- Dates compare as days (TBX-Basic 2008 holds only a date).
- Picklist values (part of speech, status, term type) compare without case: the export writes
  TBX-Basic's own spelling (``Noun`` is ``noun``).
- DCT files compare with DCA ones by data category (``by_category``), not element name.
- A data category TBX-Basic does not take there (MS's ``grammaticalNumber``, a gender ``Not
  Selected``) is exported as a note ``category: value`` at the same level, so the export
  validates: such a value and such a note both compare as the category without its element.
- The cross-reference types ``relatedConcept`` and ``relatedTerm`` are exported as
  ``crossReference``, TBX-Basic's one type (the link keeps the file's type).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from termbase.tbx.vocab import is_basic
from termbase.text.lang import term_language

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTRY = ("termEntry", "conceptEntry")
_LANGUAGE = ("langSet", "langSec")
_TERM = ("tig", "ntig", "termSec")
_DCA = ("descrip", "admin", "termNote", "xref", "ref", "note")
_PICKLISTS = frozenset({"partOfSpeech", "administrativeStatus", "termType"})
_DEFAULTS = {("partOfSpeech", "other"), ("administrativeStatus", "admittedterm-admn-sts")}
OWN_NOTE_PREFIXES = ("termbase: ", "Pinyin: ")
_LABELLED_RE = re.compile(r"^([a-z][A-Za-z]*): (.*?)(?: <(\S+)>)?$")
_REFERENCES = frozenset({"crossReference", "relatedTerm", "relatedConcept"})


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


@dataclass
class Level:
    """What one level (entry, language section or term) holds."""

    items: Counter[tuple[str | None, str, str, str | None]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    transactions: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    contexts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def view(self) -> dict[str, Any]:
        return {
            "items": dict(self.items),
            "notes": " ".join(self.notes),
            "transactions": dict(self.transactions),
            "contexts": dict(self.contexts),
        }


@dataclass
class _Entry:
    line: int
    level: Level = field(default_factory=Level)
    languages: dict[str, Level] = field(default_factory=dict)
    terms: dict[tuple[str, str], Level] = field(default_factory=dict)
    definitions: Counter[tuple[str, str, str]] = field(default_factory=Counter)


class Canonical:
    """The canonical content of one TBX file: :attr:`entries` by key, :attr:`persons`."""

    def __init__(self, data: bytes, *, by_category: bool = False) -> None:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        self.by_category = by_category
        self.file_language = term_language(root.get(XML_LANG) or "en") or "en"
        self._raw: dict[str, _Entry] = {}
        self._refs: list[tuple[str, Level, tuple[str | None, str, str, str | None]]] = []
        self._keys: dict[str, frozenset[tuple[str, str]]] = {}
        entries: dict[frozenset[tuple[str, str]], _Entry] = {}
        for el in root.iter():
            if _local(el.tag) in _ENTRY:
                entry = self._entry(el)
                key = frozenset(entry.terms)
                assert key not in entries, f"two entries hold the same terms: {sorted(key)}"
                entries[key] = entry
                if el.get("id"):
                    self._keys[el.get("id") or ""] = key
        # Cross-references point at the entry their id names, by its terms.
        for _id, level, (element, kind, value, target) in self._refs:
            resolved = self._keys.get(target or "")
            level.items[(element, kind, value, repr(sorted(resolved)) if resolved else target)] += 1
        self.entries = {key: self._view(entry) for key, entry in entries.items()}
        self.persons = sorted(
            tuple((item.get("type") or "", _text(item)) for item in obj.iter() if _local(item.tag) == "item")
            for obj in root.iter()
            if _local(obj.tag) == "refObject"
        )

    @staticmethod
    def _view(entry: _Entry) -> dict[str, Any]:
        return {
            "entry": entry.level.view(),
            "definitions": dict(entry.definitions),
            "languages": {language: level.view() for language, level in entry.languages.items()},
            "terms": {term: level.view() for term, level in entry.terms.items()},
        }

    def _entry(self, el: etree._Element) -> _Entry:
        entry = _Entry(el.sourceline or 0)
        for child in el:
            name = _local(child.tag)
            if name in _LANGUAGE:
                self._language(child, entry)
            else:
                self._data(child, entry, entry.level, None)
        return entry

    def _language(self, el: etree._Element, entry: _Entry) -> None:
        language = term_language(el.get(XML_LANG) or "") or "?"
        level = entry.languages.setdefault(language, Level())
        for child in el:
            name = _local(child.tag)
            if name in _TERM:
                self._term(child, entry, language)
            else:
                self._data(child, entry, level, language)

    def _term(self, el: etree._Element, entry: _Entry, language: str) -> None:
        children = list(el)
        if _local(el.tag) == "ntig":
            children = [inner for c in children if _local(c.tag) == "termGrp" for inner in c] + [
                c for c in children if _local(c.tag) != "termGrp"
            ]
        text = next(_text(c) for c in children if _local(c.tag) == "term")
        level = entry.terms.setdefault((language, text), Level())
        for child in children:
            if _local(child.tag) != "term":
                self._data(child, entry, level, language, term=True)

    def _category(self, el: etree._Element) -> tuple[str | None, str]:
        name = _local(el.tag)
        if name in _DCA or name in ("transacGrp", "descripGrp", "adminGrp", "termNoteGrp"):
            return (None if self.by_category else name), el.get("type") or ""
        return None, name  # DCT: the element's name is its data category

    def _data(
        self, el: etree._Element, entry: _Entry, level: Level, language: str | None, *, term: bool = False
    ) -> None:
        name = _local(el.tag)
        if not name:
            return
        if name == "transacGrp":
            level.transactions[self._transaction(el)] += 1
            return
        if name in ("descripGrp", "adminGrp", "termNoteGrp"):
            parts = [c for c in el if _local(c.tag)]
            main = self._category(parts[0])[1] if parts else ""
            sources = " ".join(_text(c) for c in parts[1:] if self._category(c)[1] == "source")
            if main == "definition":
                self._definition(parts[0], entry, language, sources)
            elif main == "context" and term:
                level.contexts[(_text(parts[0]), sources)] += 1
            else:
                for part in parts:
                    self._data(part, entry, level, language, term=term)
            return
        element, kind = self._category(el)
        value = _text(el)
        if kind in _PICKLISTS:
            value = value.lower()
        if name == "note":
            if value.startswith(OWN_NOTE_PREFIXES):
                return
            if labelled := _LABELLED_RE.match(value):
                level.items[(None, labelled.group(1), labelled.group(2), labelled.group(3))] += 1
            else:
                level.notes.append(value)
            return
        if kind == "definition":
            self._definition(el, entry, language, "")
        elif kind == "context" and term:
            level.contexts[(value, "")] += 1
        elif (kind, value) in _DEFAULTS:
            return
        elif kind in _REFERENCES:
            self._refs.append(("", level, (element, "crossReference", value, el.get("target"))))
        elif not is_basic(name if name in _DCA else "descrip", kind, value):
            level.items[(None, kind, value, el.get("target"))] += 1
        else:
            level.items[(element, kind, value, el.get("target"))] += 1

    def _definition(self, el: etree._Element, entry: _Entry, language: str | None, source: str) -> None:
        tagged = el.get(XML_LANG)
        language = language or (term_language(tagged) if tagged else self.file_language) or "?"
        entry.definitions[(language, _text(el), source)] += 1

    def _transaction(self, el: etree._Element) -> tuple[str, str, str]:
        kind = date = person = ""
        for child in el:
            name = _local(child.tag)
            category = self._category(child)[1]
            if name == "transac" or category == "transactionType":
                kind = _text(child)
            elif name == "date":
                date = _text(child)[:10]
            elif name == "transacNote" or category == "responsibility":
                person = _text(child)
        return kind, date, person


def differences(source: Canonical, exported: Canonical) -> list[str]:
    """Where ``exported`` does not hold what ``source`` holds, in words (empty: nothing lost).

    The export adds an origination and a modification (by whoever imported) to an entry that
    had none, or the one it lacked: entry-level transactions of the source must all be there,
    and the export may hold one origination and one modification more.
    """
    problems: list[str] = []
    if set(source.entries) != set(exported.entries):
        problems.append(
            f"entries differ: missing {sorted(map(sorted, set(source.entries) - set(exported.entries)))}, "
            f"extra {sorted(map(sorted, set(exported.entries) - set(source.entries)))}"
        )
    for key, wanted in source.entries.items():
        got = exported.entries.get(key)
        if got is None:
            continue
        wanted_entry = dict(wanted["entry"])
        got_entry = dict(got["entry"])
        missing = Counter(wanted_entry.pop("transactions")) - Counter(got_entry.pop("transactions"))
        extra = Counter(got["entry"]["transactions"]) - Counter(wanted["entry"]["transactions"])
        if missing or Counter(kind for kind, _date, _person in extra.elements()) - Counter(
            {"origination": 1, "modification": 1}
        ):
            problems.append(f"{sorted(key)}: entry transactions {missing=} {extra=}")
        for name, a, b in (
            ("entry", wanted_entry, got_entry),
            ("definitions", wanted["definitions"], got["definitions"]),
            ("languages", wanted["languages"], got["languages"]),
            ("terms", wanted["terms"], got["terms"]),
        ):
            if a != b:
                problems.append(f"{sorted(key)}: {name} differ:\n  file:   {a}\n  export: {b}")
    for person in source.persons:
        if person not in exported.persons:
            problems.append(f"person {person} is missing from the back matter")
    return problems
