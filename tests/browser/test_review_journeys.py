"""An editor's working day in a real browser: undoing a merge, usage status, per-term review,
keyboard review, and the entry page as a translator sees it at desktop and phone widths.

The entries these journeys use are made here, through the services, with text of their own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from termbase.models import Concept
from termbase.services import concepts as concept_service
from termbase.services import ingesting
from termbase.services import search as search_service
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
    expect(page.locator("#history")).to_contain_text("This merge was undone.")
    expect(page.locator("#history").get_by_role("button", name="Undo this merge")).to_have_count(0)
    shot(page, "10-merge-undone")
    # Both entries are found again, the absorbed one with its own origin.
    page.goto("/?q=fog+harbour")
    expect(page.locator("table.hits a.hit-link", has_text="雾港条约")).to_be_visible()
    expect(page.locator("table.hits a.hit-link", has_text="雾港公约")).to_be_visible()
    page.goto(f"/concepts/{absorbed}")
    expect(page.locator("h1")).to_contain_text("fog harbour convention")
    expect(page.locator(".entry-meta")).to_contain_text("origin: extracted from the documents")


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
    expect(page.locator(".entry-meta")).to_contain_text("origin: imported")
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
    # For the lead's note: the editor's view as entry-<width>.png, the translator's beside it.
    SCREENS.mkdir(parents=True, exist_ok=True)
    suffix = "" if who == DEMO_EDITOR else "-translator"
    page.screenshot(path=str(SCREENS / f"{name}{suffix}.png"), full_page=True)


def test_usage_status_in_one_click_and_per_term_review_with_undo(
    page: Any, live_server: LiveServer, shot: Any
) -> None:
    concept_id = _make(
        live_server,
        [("zh-Hans", "冰塔守则"), ("en", "ice tower code"), ("en", "ice spire rules")],
    )
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, DEMO_EDITOR)
    page.goto(f"/concepts/{concept_id}")
    english = page.locator("#terms .lang-group", has=page.locator("h3", has_text="English"))
    spire = english.locator("li.term", has_text="ice spire rules")
    spire.get_by_role("button", name="Preferred ice spire rules").click()
    expect(page.locator(".flash-success")).to_contain_text("Marked “ice spire rules” preferred")
    # The preferred rendering comes first.
    expect(english.locator("li.term").first).to_contain_text("ice spire rules")
    expect(english.locator("li.term").first.locator(".badge.usage-preferred")).to_have_text("preferred")
    tower = english.locator("li.term", has_text="ice tower code")
    tower.get_by_role("button", name="Do not use ice tower code").click()
    expect(page.locator(".flash-success")).to_contain_text("deprecated (do not use)")
    expect(tower.locator("del.term-text")).to_have_text("ice tower code")
    expect(tower.locator(".badge.usage-deprecated")).to_have_text("do not use")
    # Lookup shows the preferred rendering, and the deprecated one struck through.
    page.goto("/?q=ice+tower+code")
    row = page.locator("table.hits tr.hit").first
    expect(row.locator("td.en")).to_contain_text("ice spire rules")
    expect(row.locator("td.en del")).to_have_text("ice tower code")
    shot(page, "11-lookup-deprecated")
    # Reject one term, then undo that from the history.
    page.goto(f"/concepts/{concept_id}")
    tower.get_by_role("button", name="Reject ice tower code").click()
    expect(page.locator(".flash-success")).to_contain_text("Rejected the term “ice tower code”")
    expect(tower.locator(".badge.review-rejected")).to_be_visible()
    page.locator("#history li.history-entry").first.get_by_role(
        "button", name="Restore the state before this change"
    ).click()
    expect(page.locator(".flash-success")).to_contain_text("Restored entry")
    expect(tower.locator(".badge.review-rejected")).to_have_count(0)
    expect(tower.locator(".badge.usage-deprecated")).to_be_visible()


def test_hand_made_entry_is_cited_and_one_citation_removed_and_restored(
    page: Any, live_server: LiveServer, shot: Any, tmp_path: Path
) -> None:
    text = (
        "建造雾灯塔楼 | Building the fog lamp towers\n"
        "雾灯塔楼已经点亮 | The fog lamp tower is lit\n"
        "灯塔楼 | a lamp tower alone\n"
    )
    source = tmp_path / "fog-lamps.txt"
    source.write_text(text, encoding="utf-8")
    with live_server.session() as session:
        ingesting.ingest_path(session, source, actor="test")
        session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, DEMO_EDITOR)
    page.goto("/concepts/new")
    page.get_by_label("Chinese term").fill("雾灯塔楼")
    page.get_by_label("English term").fill("fog lamp tower")
    page.get_by_role("button", name="Create entry").click()
    expect(page.locator(".flash-success")).to_contain_text("Cited in 2 aligned segments")
    citations = page.locator("#citations")
    expect(citations.locator(".count-label")).to_contain_text("2 segments")
    expect(citations.locator("li.citation mark.term-mark", has_text="fog lamp towers")).to_be_visible()
    citations.locator("li.citation").first.get_by_role("button", name=re.compile("^Remove citation")).click()
    expect(page.locator(".flash-success")).to_contain_text("Removed the citation")
    expect(citations.locator(".count-label")).to_contain_text("1 segment")
    removed = citations.locator("details.removed-citations")
    removed.locator("summary").click()
    removed.get_by_role("button", name="Restore").click()
    expect(page.locator(".flash-success")).to_contain_text("Restored the citation")
    expect(citations.locator(".count-label")).to_contain_text("2 segments")
    # Asking for citations again finds nothing new.
    citations.get_by_role("button", name="Find citations in the documents").click()
    expect(page.locator(".flash-info")).to_contain_text("No new citations")
    expect(page.locator("#history")).to_contain_text("restored a citation")
    shot(page, "12-citations-restored")


def test_keyboard_review_keeps_its_place(page: Any, live_server: LiveServer, shot: Any) -> None:
    _log_in(page, DEMO_EDITOR)
    page.goto("/review")
    items = page.locator("li.review-item")
    expect(items.nth(2)).to_be_attached()
    first, second, third = (items.nth(i).get_attribute("id") for i in range(3))
    page.keyboard.press("j")
    expect(page.locator(f"#{first}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#{second}")).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".flash-success")).to_contain_text("Approved 1 entry")
    # Back at the item after the decided one, ready for the next key.
    expect(page).to_have_url(re.compile(f"#{third}$"))
    expect(page.locator(f"#{third}")).to_be_focused()
    expect(page.locator(f"#{second}")).to_have_count(0)
    page.keyboard.press("r")
    expect(page.locator(".flash-success")).to_contain_text("Rejected 1 entry")
    expect(page.locator(f"#{third}")).to_have_count(0)
    expect(page.locator("li.review-item:focus")).to_have_count(1)
    shot(page, "13-review-kept-place")
    # The queue, with its per-term and per-citation buttons, fits a phone too.
    page.set_viewport_size({"width": 375, "height": 900})
    sizes = page.evaluate(WIDTHS)
    assert sizes["scroll"] <= sizes["viewport"], sizes


def test_variant_proposals_take_the_same_keys_and_bulk_actions(
    page: Any, live_server: LiveServer, shot: Any
) -> None:
    concept_id = _make(live_server, [("zh-Hans", "云梯章程"), ("en", "cloud ladder charter")])
    with live_server.session() as session:
        # A queue of just these proposals: the others (from the seed) are decided first.
        for term in search_service.variant_proposals(session, limit=10_000).items:
            concept_service.review_term(session, term.id, "rejected", version=None, actor="test")
        for text in ("cloud ladder rules", "cloud stair charter", "sky ladder charter"):
            concept_service.add_term(
                session,
                concept_id,
                TermInput(language="en", text=text, review="candidate"),
                version=None,
                actor="test",
            )
        session.commit()
    _log_in(page, DEMO_EDITOR)
    page.goto("/review/variants")
    mine = page.locator("li.review-item", has_text="云梯章程")
    expect(mine).to_have_count(3)
    ids = [mine.nth(i).get_attribute("id") for i in range(3)]
    page.locator(f"#{ids[0]}").focus()
    page.keyboard.press("r")
    expect(page.locator(".flash-success")).to_contain_text("Rejected 1 variant")
    expect(page.locator(f"#{ids[1]}")).to_be_focused()
    page.keyboard.press("x")
    page.locator(f"#sel-{ids[2][1:]}").check()
    page.get_by_role("button", name="Accept selected").click()
    expect(page.locator(".flash-success")).to_contain_text("Accepted 2 variants")
    expect(page.locator("li.review-item", has_text="云梯章程")).to_have_count(0)
    shot(page, "14-variants-decided")
    page.goto(f"/concepts/{concept_id}")
    expect(page.locator("#terms li.term.review-accepted")).to_have_count(4)
    expect(page.locator("#terms li.term.review-rejected")).to_have_count(1)
