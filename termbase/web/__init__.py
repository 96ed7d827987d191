"""The HTML user interface."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)

from termbase.web import search  # noqa: E402,F401  (registers the routes on bp)
