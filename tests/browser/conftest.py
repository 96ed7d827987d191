"""Browser tests: a real server on loopback over a seeded SQLite database, driven by Debian's Chromium.

The database is built the way ``make run`` builds it: migrations, then the seed documents
ingested and extracted (when those services exist; otherwise a small sample made through
the services), then the demo editor. Never runs ``playwright install``: it uses
/usr/bin/chromium. Without it the tests skip with the reason, unless TERMBASE_REQUIRE_BROWSER
is set (CI), where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from termbase import migrate
from termbase.app import create_app
from termbase.models import Concept, Term
from termbase.services import users as user_service

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_EDITOR = ("editor", "editor-demo")
TRANSLATOR = ("mei", "translator-pass")


def _require_browser() -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)"
    elif importlib.util.find_spec("playwright") is None:
        reason = "browser tests skipped: the playwright package is not installed"
    if reason:
        if os.environ.get("TERMBASE_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class LiveServer:
    url: str
    app: Flask

    def session(self) -> Any:
        return self.app.extensions["termbase.sessionmaker"]()

    def concept_with_term(self, text: str) -> int:
        """The entry that holds the term ``text`` in the seeded termbase."""
        with self.session() as session:
            concept_id = session.scalar(
                select(Term.concept_id).where(Term.text == text).order_by(Term.concept_id)
            )
            assert concept_id is not None, f"the seeded termbase has no term {text!r}"
            return int(concept_id)

    def status(self, concept_id: int) -> str:
        with self.session() as session:
            concept = session.get(Concept, concept_id)
            assert concept is not None
            return concept.status


def _seed(app: Flask) -> None:
    """Ingest and extract the seed documents, as ``termbase seed`` does; create the accounts."""
    with app.app_context(), app.extensions["termbase.sessionmaker"]() as session:
        if importlib.util.find_spec("termbase.services.ingesting") and importlib.util.find_spec(
            "termbase.services.extraction"
        ):
            from termbase.services import extraction, ingesting

            ingesting.ingest_path(session, ROOT / "seeds", actor="seed")
            extraction.extract(session, actor="seed")
        else:  # fall back on a small sample made through the services
            spec = importlib.util.spec_from_file_location(
                "web_sample", ROOT / "tests" / "web" / "web_sample.py"
            )
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.build_sample(session)
        user_service.create_user(session, *DEMO_EDITOR, role="editor")
        user_service.create_user(session, *TRANSLATOR, role="translator")
        session.commit()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'termbase.sqlite3'}"
    migrate.upgrade(url, "head")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests", "INGEST_TMP": str(folder)})
    _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="termbase-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["termbase.engine"].dispose()


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context per test; JavaScript errors on our pages fail the test."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" and "favicon" not in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def shot() -> Any:
    """Save a full-page screenshot under test-artifacts/ (kept out of git)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(tab: Any, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot
