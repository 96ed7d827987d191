"""Flask glue for the database: one session per request, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from termbase.db import make_engine, make_sessionmaker


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["termbase.engine"] = engine
    app.extensions["termbase.sessionmaker"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close_session)


def session_factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["termbase.sessionmaker"]
    return factory


def get_session() -> Session:
    """The request's session; the view that writes commits it."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None = None) -> None:
    # Kept in g, not popped: a streamed response (stream_with_context) pushes this app context
    # again while it runs and tears it down once more at its end. A stream that reads through
    # the session it was given reopens a transaction after the first close; the second
    # teardown must find the session to close it, or the connection stays "idle in
    # transaction" until garbage collection.
    session: Session | None = g.get("db_session")
    if session is not None:
        session.close()
