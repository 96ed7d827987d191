"""A folder's manifest: the metadata of its documents, one JSON file beside them.

``manifest.json``::

    {"documents": [
        {"file": "speech.txt", "slug": "xi-2015-wic", "title": "...", "author": "...",
         "date": "2015-12-16", "venue": "...", "source_url": null, "layout": "en-then-zh"}
    ]}

``file`` names a file in the folder, or for a text pair (``NAME.zh.txt`` + ``NAME.en.txt``)
either file or ``NAME``. Every other key is optional; ``layout``, when given, must be what
the file turns out to be. Unknown keys are errors, so a misspelt key is not silently lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from termbase.ingest.errors import IngestError
from termbase.records import Layout

MANIFEST_NAME = "manifest.json"
FIELDS = ("slug", "title", "author", "date", "venue", "source_url", "layout")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_LIMITS = {"title": 500, "author": 200, "date": 40, "venue": 300, "source_url": 1000}


@dataclass(frozen=True, slots=True)
class Metadata:
    slug: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    venue: str | None = None
    source_url: str | None = None
    layout: Layout | None = None


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def load_manifest(path: Path) -> dict[str, Metadata]:
    """Metadata by file name (and by pair name), read from ``path``."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError("manifest is not UTF-8 text", file=name) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"manifest is not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise IngestError('manifest needs a "documents" list', file=name)
    result: dict[str, Metadata] = {}
    slugs: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not entry["file"]:
            raise IngestError('every manifest entry needs a "file"', file=name)
        file = entry["file"]
        line = _line_of(text, json.dumps(file, ensure_ascii=False))
        unknown = sorted(set(entry) - {"file", *FIELDS})
        if unknown:
            raise IngestError(f"unknown key {unknown[0]!r} for {file}", file=name, line=line)
        values: dict[str, str | None] = {}
        for key in FIELDS:
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                raise IngestError(f"{key} of {file} must be a string or null", file=name, line=line)
            values[key] = value.strip() if isinstance(value, str) and value.strip() else None
            if values[key] and key in _LIMITS and len(values[key] or "") > _LIMITS[key]:
                raise IngestError(
                    f"{key} of {file} is longer than {_LIMITS[key]} characters", file=name, line=line
                )
        slug = values["slug"]
        if slug is not None:
            if not _SLUG.match(slug):
                raise IngestError(
                    f"slug {slug!r} of {file}: use lower-case letters, digits, '.', '-' and '_'",
                    file=name,
                    line=line,
                )
            if slug in slugs:
                raise IngestError(f"slug {slug!r} is used twice", file=name, line=line)
            slugs.add(slug)
        layout: Layout | None = None
        if values["layout"] is not None:
            try:
                layout = Layout(values["layout"])
            except ValueError:
                choices = ", ".join(item.value for item in Layout)
                raise IngestError(
                    f"unknown layout {values['layout']!r} for {file} (one of {choices})", file=name, line=line
                ) from None
        if file in result:
            raise IngestError(f"{file} is listed twice", file=name, line=line)
        result[file] = Metadata(
            slug=slug,
            title=values["title"],
            author=values["author"],
            date=values["date"],
            venue=values["venue"],
            source_url=values["source_url"],
            layout=layout,
        )
    return result
