"""The HTML user interface: lookup, entries, documents, review, upload, accounts."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)

from termbase.web import (  # noqa: E402,F401  (registers the routes on bp)
    accounts,
    admin,
    conflicts,
    documents,
    entries,
    exchange,
    layout,
    merging,
    paste,
    prepare,
    review,
    search,
    terms,
    upload,
)
