"""Application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, g, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NotFoundError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import IntegerConverter

from termbase.auth import can, init_auth
from termbase.cli import register_commands
from termbase.config import instance_path, load_settings
from termbase.db import MAX_INTEGER
from termbase.extensions import init_db
from termbase.ratelimit import init_rate_limits
from termbase.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

csrf = CSRFProtect()

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_SERVICE_STATUS = {NotFound: 404, Conflict: 409, Invalid: 400, Forbidden: 403}


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no id column can hold is a 404 before any query."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_INTEGER:
            raise NotFoundError(description="No such entry: the number in the address is larger than any id.")
        return number


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS.

    ``SESSION_COOKIE_SECURE`` is one setting for all requests; a termbase served both on plain
    loopback (development) and behind HTTPS would need two. When the setting is on, it wins.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, auth, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.config.update(load_settings(config))
    app.session_interface = HttpsAwareSessionInterface()
    app.url_map.converters["int"] = DatabaseIntConverter
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.getLogger("jieba").setLevel(logging.WARNING)

    init_db(app)
    init_auth(app)
    init_rate_limits(app)
    csrf.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_input_guards(app)
    register_headers(app)
    register_template_globals(app)
    register_commands(app)
    return app


def register_blueprints(app: Flask) -> None:
    from termbase.api import bp as api_bp
    from termbase.web import bp as web_bp

    app.register_blueprint(web_bp)
    # The API authenticates with bearer tokens and accepts only JSON bodies, which
    # cross-site forms cannot send, so it needs no CSRF token.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, details: Mapping[str, Any] | None = None) -> Response:
    """The one JSON error shape of the API."""
    response = jsonify(
        {
            "error": {
                "code": HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_"),
                "message": message,
                "details": dict(details or {}),
            }
        }
    )
    response.status_code = status
    return response


def _rollback_request_session() -> None:
    """End the request's transaction: nothing of a failed request is saved, and a flush that
    failed leaves the session unusable (and its objects expired) until it is rolled back,
    which the error page itself needs (it reads the current user)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def register_error_handlers(app: Flask) -> None:
    def render_error(status: int, message: str, details: Mapping[str, Any] | None = None) -> Any:
        _rollback_request_session()
        if _wants_json():
            return error_response(status, message, details)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return render_error(status, exc.description or exc.name)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        status = next((code for cls, code in _SERVICE_STATUS.items() if isinstance(exc, cls)), 400)
        return render_error(status, exc.message, exc.details)

    @app.errorhandler(StaleDataError)
    def _stale(_exc: StaleDataError) -> Any:
        return render_error(
            409, "This entry was changed by someone else while you were saving. Reload and retry."
        )

    @app.errorhandler(IntegrityError)
    def _clash(_exc: IntegrityError) -> Any:
        # Checks in the services run before writing; a unique or key violation that still
        # reaches the database is a concurrent request that saved the same thing first.
        return render_error(
            409, "This clashed with a change saved at the same moment; nothing was saved. Reload and retry."
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, "Internal error: the change was not saved.")


_FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def register_input_guards(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        """Refuse NUL characters in the URL and form fields of the web UI with a 400.

        No text the termbase keeps may contain NUL, and PostgreSQL cannot store it at all: a
        NUL in a term, comment or username used to reach the database and end in a 500. The
        API validates its own parameters and JSON bodies and names the field (see api/schemas.py).
        """
        if request.path.startswith("/api/"):
            return
        values = [request.path, *(k + "".join(v) for k, v in request.args.lists())]
        if request.mimetype in _FORM_MIMETYPES:
            values += [k + "".join(v) for k, v in request.form.lists()]
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a NUL character, which text here cannot hold.")


def register_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def register_template_globals(app: Flask) -> None:
    app.jinja_env.globals["can"] = can
