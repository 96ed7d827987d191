"""How API views are declared: one decorator registers the route and the OpenAPI operation.

The same pydantic models validate the request and describe it in the OpenAPI
document, so the two cannot drift apart. Views receive validated models and
return models; errors are raised (``services.errors`` or ``werkzeug`` HTTP
exceptions) and rendered by the app's central handlers in the one JSON shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from termbase.api import bp
from termbase.api.schemas import PATTERN_MESSAGES
from termbase.auth import Permission, requires
from termbase.services.errors import Conflict, Invalid, NotFound

MAX_ID = 2**31 - 1
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_JSON_MIMETYPE_RE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_ETAG_RE = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation: its route and everything the OpenAPI document says about it."""

    endpoint: str
    method: str
    rule: str
    summary: str
    description: str
    tag: str
    permission: Permission | None
    body: type[BaseModel] | None
    body_required: bool
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    if_match: bool
    etag: bool
    media_types: tuple[str, ...]  # non-JSON success bodies (exports)
    public: bool  # readable anonymously when ANONYMOUS_ACCESS is "read"


OPERATIONS: list[Operation] = []


@dataclass(slots=True)
class Reply:
    """A view's answer when it needs a status or headers besides the body."""

    body: BaseModel | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _plain_message(error: Mapping[str, Any]) -> str:
    """pydantic's message, except where it would show a pattern: say what the pattern requires."""
    if error["type"] != "string_pattern_mismatch":
        return str(error["msg"])
    pattern = str((error.get("ctx") or {}).get("pattern", ""))
    return PATTERN_MESSAGES.get(pattern, "is not in the expected form")


def invalid_from(exc: ValidationError) -> Invalid:
    """A 400 that names the first bad field and lists every problem, in plain words."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        name = "body" if error["type"] == "json_invalid" else field_name(tuple(error["loc"]))
        problems.append({"field": name, "message": _plain_message(error)})
    first = problems[0]
    return Invalid(
        f"{first['field']}: {first['message']}", details={"field": first["field"], "errors": problems}
    )


def _is_json(mimetype: str) -> bool:
    return bool(_JSON_MIMETYPE_RE.match(mimetype))


def parse_body(model: type[BaseModel], *, required: bool) -> BaseModel:
    """Validate the JSON body; 415 unless it is JSON, 413 when larger than allowed."""
    raw = request.get_data(cache=True)
    if not raw and not required and not request.mimetype:
        return model()
    if not _is_json(request.mimetype):
        raise UnsupportedMediaType("send the request body as application/json")
    if not raw:
        if required:
            raise Invalid("the request body is required", details={"field": "body"})
        return model()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise invalid_from(exc) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string (the first value of each parameter); unknown parameters are refused.

    Strict like the JSON bodies, so a misspelt filter (``stauts=approved``) is a 400, not a silent no-op.
    """
    unknown = sorted(name for name in request.args if name not in model.model_fields)
    if unknown:
        raise Invalid(f"unknown query parameter {unknown[0]!r}", details={"field": unknown[0]})
    values = {name: request.args.get(name) for name in model.model_fields if name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise invalid_from(exc) from None


def if_match_version() -> int | None | bool:
    """The version named by ``If-Match``: an int, ``True`` for ``*``, None when absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return True
    found = _ETAG_RE.match(header)
    if found is None:
        raise Invalid('If-Match must be one version tag such as "3"', details={"field": "If-Match"})
    return int(found.group(1))


def expected_version(body_version: int | None) -> int | None:
    """The concept version a write was made against, from the body or ``If-Match``.

    One of the two is required, so an edit is never applied blindly; ``If-Match: *``
    explicitly opts out of the check.
    """
    header = if_match_version()
    if header is True:
        return body_version
    if header is not None and body_version is not None and header != body_version:
        # Both are preconditions and at most one of them can name the current version.
        raise Conflict(
            f"the version field says {body_version} but If-Match says {header}; both must name the current version",
            details={"field": "version"},
        )
    version = body_version if body_version is not None else header
    if version is None:
        raise Invalid(
            'send the concept version you last saw, as "version" in the body or as If-Match',
            details={"field": "version"},
        )
    assert isinstance(version, int)
    return version


def _respond(result: Any, op: Operation) -> Response:
    if isinstance(result, Response):
        return result
    reply = result if isinstance(result, Reply) else Reply(result)
    if reply.body is None:
        response = Response(status=reply.status or op.status)
    else:
        response = jsonify(reply.body.model_dump(mode="json"))
        response.status_code = reply.status or op.status
    for name, value in reply.headers.items():
        response.headers[name] = value
    return response


def operation(
    method: str,
    rule: str,
    *,
    summary: str,
    tag: str,
    permission: Permission | None,
    description: str = "",
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    if_match: bool = False,
    etag: bool = False,
    media_types: tuple[str, ...] = (),
) -> Callable[[V], V]:
    """Register an API view and its OpenAPI operation.

    The view is called with the URL's path arguments, plus ``query=`` and ``body=``
    (validated models) when the operation declares them.
    """

    def decorator(view: V) -> V:
        op = Operation(
            endpoint=view.__name__,
            method=method,
            rule=rule,
            summary=summary,
            description=description or (view.__doc__ or "").strip(),
            tag=tag,
            permission=permission,
            body=body,
            body_required=body_required,
            query=query,
            response=response,
            status=status,
            errors=errors,
            if_match=if_match,
            etag=etag,
            media_types=media_types,
            public=permission == Permission.READ_APPROVED,
        )
        OPERATIONS.append(op)

        @wraps(view)
        def handle(**path: Any) -> Response:
            if any(isinstance(v, int) and v > MAX_ID for v in path.values()):
                raise NotFound("no such entry")  # ids are 32-bit; do not ask the database
            kwargs: dict[str, Any] = dict(path)
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            if op.body is not None:
                kwargs["body"] = parse_body(op.body, required=op.body_required)
            return _respond(view(**kwargs), op)

        guarded = requires(permission)(handle) if permission is not None else handle
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
        return view

    return decorator


@bp.before_request
def _limit_body() -> None:
    # API bodies are small JSON documents; uploads go through the UI's import pages.
    request.max_content_length = current_app.config["API_MAX_CONTENT_LENGTH"]
    # Only JSON bodies: a cross-site HTML form cannot send one, so CSRF tokens are not needed.
    if request.method in _BODY_METHODS and request.mimetype and not _is_json(request.mimetype):
        raise UnsupportedMediaType("send the request body as application/json")


@bp.after_app_request
def _api_headers(response: Response) -> Response:
    """Headers the central error handlers do not know about, on every /api/ response."""
    if not request.path.startswith("/api/"):
        return response
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="termbase"')
    if response.status_code == 405 and "Allow" not in response.headers:
        exc = request.routing_exception
        methods: Mapping[str, Any] | list[str] = getattr(exc, "valid_methods", None) or []
        if methods:
            response.headers["Allow"] = ", ".join(sorted(methods))
    response.headers.setdefault("Cache-Control", "no-store")
    return response
