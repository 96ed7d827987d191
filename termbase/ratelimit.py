"""Per-client rate limits on the costly read doors: term recognition and QA (API and web).

A client is the logged-in user or token holder, else the address the request came from.
Each request costs 1 plus 1 per 1,000 characters sent, so one budget bounds both how often
a client asks and how much text it has recognized: a 100,000-character segment costs 101.
Past the budget the answer is 429 with ``Retry-After``. The counts are kept per process
(``TERMBASE_RATE_LIMIT_STORAGE``, ``memory://`` by default) unless a shared store is named.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_login import current_user

CHARACTERS_PER_UNIT = 1_000


def client_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr or 'unknown'}"


def _text_cost() -> int:
    """1, plus 1 per CHARACTERS_PER_UNIT characters of the text sent (JSON body or form)."""
    if request.is_json:
        body = request.get_json(silent=True)
        values = body.values() if isinstance(body, dict) else ()
        characters = sum(len(v) for v in values if isinstance(v, str))
    else:
        characters = len(request.form.get("text", ""))
    return 1 + characters // CHARACTERS_PER_UNIT


def _recognition_limit() -> str:
    return str(current_app.config["RECOGNITION_RATE_LIMIT"])


limiter = Limiter(key_func=client_key, headers_enabled=True)

recognition_limit = limiter.shared_limit(
    _recognition_limit,
    scope="recognition",
    cost=_text_cost,
    methods=["POST"],
    error_message="Too many recognition or QA requests; wait for the time in Retry-After and retry.",
)


def init_rate_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATE_LIMIT_STORAGE"])
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")

    # Registered before the limiter's own hook, so it runs after it (Flask runs them in reverse).
    @app.after_request
    def _retry_after_only_when_refused(response: Response) -> Response:
        if response.status_code != 429 and "X-RateLimit-Limit" in response.headers:
            response.headers.pop("Retry-After", None)
        return response

    limiter.init_app(app)
