"""Small helpers shared by the views: partial responses, safe redirects, argument parsing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, render_template, request
from sqlalchemy.orm import Session

from termbase.auth import Permission, can
from termbase.db import MAX_INTEGER
from termbase.extensions import get_session

PARTIAL_HEADER = "HX-Request"


def db() -> Session:
    return get_session()


def is_partial() -> bool:
    """Whether the page's own script asked for the fragment only (same URL, one header)."""
    return request.headers.get(PARTIAL_HEADER) == "true"


def render_page_or_partial(template: str, partial: str, /, **context: Any) -> Any:
    """Render the whole page, or only its fragment when the script asks; caches must tell them apart."""
    body = render_template(partial if is_partial() else template, **context)
    response = current_app.make_response(body)
    response.vary.add(PARTIAL_HEADER)
    return response


def read_all() -> bool:
    """Whether the viewer may see candidates, rejected entries, evidence, comments and history."""
    return can(Permission.READ_ALL)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (never an open redirect)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int = MAX_INTEGER) -> int:
    """An integer query argument, clamped (never past what a query can take); junk falls back to the default."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(minimum, value), maximum)


def optional_int(value: str | None) -> int | None:
    """An id or version from a form or query: None when missing, junk, or beyond any stored value."""
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    if number is not None and not -MAX_INTEGER <= number <= MAX_INTEGER:
        return None
    return number


def form_version(name: str = "version") -> int:
    """The concept version the edited page showed; every edit form carries it."""
    value = optional_int(request.form.get(name))
    if value is None:
        abort(
            400,
            description="The form did not say which version of the entry it was based on. Reload and retry.",
        )
    return value


def concept_form_version(concept_id: int) -> int:
    """The version the page showed: ``version``, or ``version_<id>`` from the review queue's form."""
    value = optional_int(request.form.get("version") or request.form.get(f"version_{concept_id}"))
    if value is None:
        abort(
            400,
            description="The form did not say which version of the entry it was based on. Reload and retry.",
        )
    return value
