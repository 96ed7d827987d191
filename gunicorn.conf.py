"""gunicorn settings, read from the working directory by ``gunicorn wsgi:app``."""

from __future__ import annotations

from typing import Any

# Load the app once in the master, so workers fork with the recognition engine already built
# (see when_ready) instead of each building it on its first request.
preload_app = True


def when_ready(server: Any) -> None:
    """Build the recognition engine before any worker exists (workers are forked after this)."""
    from termbase.services import recognition

    app = server.app.wsgi()
    database = app.extensions["termbase.engine"]
    engine = recognition.warm(database)
    database.dispose()  # the master serves no requests: keep no connection open
    server.log.info("recognition engine built in %.1f s", engine.build_seconds)
