"""The flows a newcomer follows after ``make run``, in a real browser against a real server.

Each flow saves screenshots under test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, in CI, fail) with the reason
    expect = None

pytestmark = pytest.mark.browser
# The accounts the live server's fixture creates (tests/browser/conftest.py).
DEMO_EDITOR = ("editor", "editor-demo")
TRANSLATOR = ("mei", "translator-pass")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LiveServer = Any
SOVEREIGNTY = re.compile("网络主权|網絡主權")


def _log_in(page: Any, who: tuple[str, str]) -> None:
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()


def test_look_up_by_pinyin(page: Any, live_server: LiveServer, shot: Any) -> None:
    page.goto("/")
    box = page.get_by_label("Look up a term in Chinese, pinyin or English")
    expect(box).to_be_focused()
    box.press_sequentially("wangluo zhuquan", delay=25)  # no Enter: results come as you type
    # A newcomer sees only approved entries, and is offered a login (whether or not a candidate matches).
    notice = page.locator(".public-only")
    expect(notice).to_contain_text("Only approved entries are public")
    expect(page).to_have_url(re.compile(r"\?q=wangluo\+zhuquan$"))
    shot(page, "01-lookup-pinyin-anonymous")
    notice.get_by_role("link", name="Log in").click()
    _log_in(page, TRANSLATOR)
    expect(page).to_have_url(re.compile(r"/\?q=wangluo\+zhuquan$"))
    hit = page.locator("table.hits a.hit-link", has_text="网络主权")
    expect(hit).to_be_visible()
    row = page.locator("table.hits tr", has=page.locator("a.hit-link", has_text="网络主权"))
    expect(row.locator("td.pinyin")).to_have_text("wǎngluò zhǔquán")
    expect(row.locator("td.en")).to_contain_text("cyber sovereignty")
    expect(row.locator(".badge").first).to_have_text("candidate")
    # Other readings, typed into the same box: initials, tone marks.
    for query in ("wlzq", "wǎngluò zhǔquán"):
        box = page.get_by_label("Look up a term in Chinese, pinyin or English")
        box.fill("")
        box.press_sequentially(query, delay=25)
        expect(page.locator("[data-result-count]")).to_contain_text(f"“{query}”")  # the fragment was swapped
        expect(page.locator("table.hits a.hit-link", has_text="网络主权")).to_be_visible()
    # The keyboard reaches the results.
    box.press("ArrowDown")
    expect(page.locator("table.hits a.hit-link").first).to_be_focused()
    shot(page, "01-lookup-pinyin")


def test_entry_shows_highlighted_citations_and_the_document(
    page: Any, live_server: LiveServer, shot: Any
) -> None:
    page.goto("/login")
    _log_in(page, TRANSLATOR)
    page.goto("/?q=wangluo+zhuquan")
    page.locator("table.hits a.hit-link", has_text="网络主权").click()
    expect(page.locator("h1")).to_contain_text("网络主权")
    expect(page.locator("h1")).to_contain_text("cyber sovereignty")
    citation = page.locator("#citations li.citation").first
    expect(citation.locator(".side.zh mark.term-mark")).to_have_text(SOVEREIGNTY)
    expect(citation.locator(".side.en mark.term-mark").first).to_have_text(re.compile("sovereignty", re.I))
    shot(page, "02-entry-citations")
    citation.locator(".source a").click()
    expect(page).to_have_url(re.compile(r"/documents/[\w-]+(\?[^#]*)?#s\d+$"))
    segment = page.locator(".seg:target")
    expect(segment).to_be_visible()
    expect(segment.locator(".side.zh a.term-mark", has_text=SOVEREIGNTY)).to_be_visible()
    shot(page, "02-document-at-citation", full_page=False)


def test_editor_approves_candidates(page: Any, live_server: LiveServer, shot: Any) -> None:
    page.goto("/login")
    _log_in(page, DEMO_EDITOR)
    expect(page.locator(".flash-success")).to_contain_text("Logged in as editor")
    page.get_by_role("link", name=re.compile("^Review")).click()
    first = page.locator("li.review-item").first
    concept_id = int(first.get_attribute("id").lstrip("c"))
    expect(first.locator(".confidence")).to_be_visible()
    expect(first.locator(".citations mark.term-mark").first).to_be_visible()
    first.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(".flash-success")).to_contain_text("Approved 1 entry")
    expect(page.locator(f"#c{concept_id}")).to_have_count(0)
    assert live_server.status(concept_id) == "approved"
    # A selection: tick two entries and approve them together.
    items = page.locator("li.review-item")
    chosen = [int(items.nth(i).get_attribute("id").lstrip("c")) for i in (0, 1)]
    for concept in chosen:
        page.locator(f"#sel-{concept}").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".flash-success")).to_contain_text("Approved 2 entries")
    assert [live_server.status(c) for c in chosen] == ["approved", "approved"]
    # From the keyboard: j moves to the first entry, r rejects it.
    first_id = int(page.locator("li.review-item").first.get_attribute("id").lstrip("c"))
    page.keyboard.press("j")
    expect(page.locator(f"#c{first_id}")).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(".flash-success")).to_contain_text("Rejected 1 entry")
    assert live_server.status(first_id) == "rejected"
    shot(page, "03-review-approved")
    page.goto(f"/concepts/{concept_id}")
    expect(page.locator(".entry-meta .badge").first).to_have_text("approved")
    expect(page.locator("#history")).to_contain_text("approved by editor")


def test_download_a_tbx_export(page: Any, live_server: LiveServer, shot: Any) -> None:
    if "web.export" not in live_server.app.view_functions:
        pytest.skip("the export page (TBX exchange) is not installed")
    concept_id = live_server.concept_with_term("网络主权")
    page.goto("/login")
    _log_in(page, DEMO_EDITOR)
    page.goto(f"/concepts/{concept_id}")
    if live_server.status(concept_id) != "approved":
        page.get_by_role("button", name="Approve", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text("Approved")
    page.get_by_role("link", name="Export").click()
    expect(page.locator("h1")).to_contain_text("Export")
    shot(page, "04-export-form")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / (download.suggested_filename or "export.tbx")
    download.save_as(str(target))
    assert target.suffix == ".tbx"
    root = etree.parse(str(target), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    assert etree.QName(root).localname == "martif"  # TBX-Basic 2008, the default
    terms = [t.text for t in root.iter("{*}term", "term")]
    assert "网络主权" in terms
    assert "cyber sovereignty" in terms
    assert Path(target).stat().st_size > 0
