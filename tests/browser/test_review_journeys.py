"""An editor's working day in a real browser: undoing a merge, usage status, per-term review,
keyboard review, and the entry page as a translator sees it at desktop and phone widths.

The entries these journeys use are made here, through the services, with text of their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from termbase.models import Concept
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


SCREENS = Path("/work/briefs/screens")
# The page's width against the window's, and (to say what overflows) the widest elements.
WIDTHS = """() => {
  const viewport = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .map((e) => [Math.round(e.getBoundingClientRect().right), e.tagName.toLowerCase() + "." + e.className])
    .filter(([right]) => right > viewport)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 8);
  return {scroll: document.documentElement.scrollWidth, viewport, wide};
}"""


def _richest_extracted_entry(live_server: LiveServer) -> int:
    """The extracted entry with the most evidence: the widest page an entry makes."""
    with live_server.session() as session:
        concepts = session.scalars(select(Concept).where(Concept.origin == "extraction")).all()
        assert concepts, "the seeded termbase has no extracted entry"
        return max(concepts, key=lambda c: (len(json.dumps(c.evidence or {})), c.id)).id


@pytest.mark.parametrize("who", [DEMO_EDITOR, TRANSLATOR], ids=["editor", "translator"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_entry_page_fits_desktop_and_phone(
    page: Any, live_server: LiveServer, shot: Any, who: tuple[str, str], width: int
) -> None:
    concept_id = _richest_extracted_entry(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, who)
    page.goto(f"/concepts/{concept_id}")
    expect(page.locator("#terms")).to_be_visible()
    expect(page.locator("#citations")).to_be_visible()
    evidence = page.locator("#evidence details")
    if who == DEMO_EDITOR:
        # Editors find the machine's evidence in a disclosure, closed until asked for.
        expect(evidence).to_have_count(1)
        expect(evidence).not_to_have_attribute("open", "")
        evidence.locator("summary").click()
        expect(evidence.locator("dl.evidence").first).to_be_visible()
    else:
        expect(page.locator("#evidence")).to_have_count(0)
        expect(page.locator(".term-actions")).to_have_count(0)
        expect(page.locator("#terms .badge[title='Usage status']").first).to_be_visible()
    sizes = page.evaluate(WIDTHS)
    assert sizes["scroll"] <= sizes["viewport"], sizes
    name = f"entry-{width}"
    shot(page, f"{name}-{who[0]}")
    if who == DEMO_EDITOR:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
