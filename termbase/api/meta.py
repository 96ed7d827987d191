"""The API's own description."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from termbase.api import bp
from termbase.api.openapi import build_document


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of this API, generated from its schemas."""
    anonymous_read = current_app.config["ANONYMOUS_ACCESS"] == "read"
    cache: dict[bool, dict[str, Any]] = current_app.extensions.setdefault("termbase.openapi", {})
    if anonymous_read not in cache:
        cache[anonymous_read] = build_document(anonymous_read=anonymous_read)
    return jsonify(cache[anonymous_read])
