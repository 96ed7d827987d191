"""An editor's working day in a real browser: undoing a merge, usage status, per-term review,
keyboard review, and the entry page as a translator sees it at desktop and phone widths.

The entries these journeys use are made here, through the services, with text of their own.
"""

from __future__ import annotations

from typing import Any

import pytest

from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, in CI, fail) with the reason
    expect = None

pytestmark = pytest.mark.browser
DEMO_EDITOR = ("editor", "editor-demo")
TRANSLATOR = ("mei", "translator-pass")
LiveServer = Any


def _log_in(page: Any, who: tuple[str, str]) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-success")).to_contain_text("Logged in")


def _make(live_server: LiveServer, terms: list[tuple[str, str]], **fields: Any) -> int:
    with live_server.session() as session:
        concept = concept_service.create_concept(
            session, [TermInput(language=lang, text=text) for lang, text in terms], actor="test", **fields
        )
        session.commit()
        return concept.id


def test_undo_a_merge_brings_both_entries_back(page: Any, live_server: LiveServer, shot: Any) -> None:
    keep = _make(live_server, [("zh-Hans", "雾港条约"), ("en", "fog harbour treaty")])
    absorbed = _make(
        live_server, [("zh-Hans", "雾港公约"), ("en", "fog harbour convention")], origin="extraction"
    )
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, DEMO_EDITOR)
    page.goto(f"/concepts/{keep}/merge?other={absorbed}")
    page.get_by_role("button", name="Merge the two entries").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Merged entry {absorbed} into entry {keep}")
    expect(page.locator("#terms")).to_contain_text("fog harbour convention")
    # Undo from the surviving entry's history, as one action.
    page.locator("#history").get_by_role("button", name="Undo this merge").click()
    expect(page.locator(".flash-success")).to_contain_text("Undid the merge")
    expect(page.locator("#terms")).not_to_contain_text("fog harbour convention")
    shot(page, "10-merge-undone")
    # Both entries are found again, the absorbed one with its own origin.
    page.goto("/?q=fog+harbour")
    expect(page.locator("table.hits a.hit-link", has_text="雾港条约")).to_be_visible()
    expect(page.locator("table.hits a.hit-link", has_text="雾港公约")).to_be_visible()
    page.goto(f"/concepts/{absorbed}")
    expect(page.locator("h1")).to_contain_text("fog harbour convention")
    expect(page.locator(".entry-meta")).to_contain_text("origin: extraction")


def test_undo_a_merge_from_the_absorbed_entry(page: Any, live_server: LiveServer) -> None:
    keep = _make(live_server, [("zh-Hans", "霜桥规约"), ("en", "frost bridge code")])
    absorbed = _make(live_server, [("en", "frost bridge rules")], origin="import")
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, DEMO_EDITOR)
    page.goto(f"/concepts/{absorbed}/merge?other={keep}")
    page.locator(f"input[name=target_id][value='{keep}']").check()
    page.get_by_role("button", name="Merge the two entries").click()
    expect(page.locator(".flash-success")).to_contain_text("Merged")
    # The absorbed entry's own history offers the undo (its page answers 410 Gone, with the same button).
    page.goto(f"/concepts/{absorbed}/history")
    page.get_by_role("button", name="Undo this merge").click()
    expect(page.locator(".flash-success")).to_contain_text("Undid the merge")
    expect(page.locator("h1")).to_contain_text("frost bridge rules")
    expect(page.locator(".entry-meta")).to_contain_text("origin: import")
    page.goto(f"/concepts/{keep}")
    expect(page.locator("#terms")).not_to_contain_text("frost bridge rules")
