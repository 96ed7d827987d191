"""Lookup: the home page."""

from __future__ import annotations

from flask import render_template, request

from termbase.auth import Permission, requires
from termbase.web import bp


@bp.get("/")
@requires(Permission.READ_APPROVED)
def index() -> str:
    return render_template("search/index.html", q=request.args.get("q", ""))
