"""First contact and a translator's lookups, in a real browser against the seeded server.

An anonymous visitor of a fresh `make run` learns what the termbase holds and how to log in;
once an editor approves an entry, the home page's examples find it; lookups narrow with filters
kept in the URL; a pasted segment lists each term once with its count. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from termbase.models import Citation, Concept, Document, Segment, Term

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, in CI, fail) with the reason
    expect = None

pytestmark = pytest.mark.browser
TRANSLATOR = ("mei", "translator-pass")
LiveServer = Any


def _log_in(page: Any, who: tuple[str, str]) -> None:
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()


def _entry_to_approve(live_server: LiveServer) -> tuple[int, str, str, str]:
    """A cited candidate with Chinese and English terms: (id, Chinese, English, a citing document's slug).

    Chosen from the seeded termbase at run time; the one the other flows look up is left alone.
    """
    with live_server.session() as session:
        cited = (
            select(Term.concept_id, Document.slug)
            .join(Citation, Citation.term_id == Term.id)
            .join(Segment, Segment.id == Citation.segment_id)
            .join(Document, Document.id == Segment.document_id)
            .subquery()
        )
        rows = session.execute(
            select(Concept.id, cited.c.slug)
            .join(cited, cited.c.concept_id == Concept.id)
            .where(Concept.status == "candidate")
            .order_by(Concept.confidence.desc(), Concept.id)
        ).all()
        for concept_id, slug in rows:
            terms = session.scalars(select(Term).where(Term.concept_id == concept_id)).all()
            zh = next((t.text for t in terms if t.language == "zh-Hans" and len(t.text) >= 3), None)
            en = next((t.text for t in terms if t.language == "en"), None)
            if zh and en and zh not in ("网络主权",):
                return concept_id, zh, en, slug
    pytest.fail("the seeded termbase has no cited candidate with Chinese and English terms")


def _approved_count(live_server: LiveServer) -> int:
    with live_server.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(Concept).where(Concept.status == "approved")) or 0
        )


def test_first_contact_then_lookups_of_an_approved_entry(
    page: Any, live_server: LiveServer, shot: Any
) -> None:
    # 1. A visitor of a fresh install: what the termbase holds, and how to get in.
    page.goto("/")
    holdings = page.locator("[data-holdings]")
    expect(holdings).to_contain_text(re.compile(r"The termbase holds [\d,]+ entries"))
    expect(holdings).to_contain_text("await review")
    box = page.get_by_label("Look up a term in Chinese, pinyin or English")
    if _approved_count(live_server) == 0:
        expect(holdings).to_contain_text("none approved yet")
        expect(page.locator("ul.examples")).to_have_count(0)  # no example that would find nothing
        expect(box).to_have_attribute("placeholder", "Chinese, pinyin or English")
    invitation = page.locator(".first-contact")
    expect(invitation).to_contain_text("as the demo editor (user editor, password editor-demo)")
    shot(page, "10-first-contact-anonymous")

    # 2. The demo editor logs in from there and approves one entry.
    concept_id, zh, en, slug = _entry_to_approve(live_server)
    invitation.get_by_role("link", name="Log in").click()
    _log_in(page, ("editor", "editor-demo"))
    expect(page).to_have_url(re.compile(r"/review"))
    page.goto(f"/concepts/{concept_id}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Approved")
    assert live_server.status(concept_id) == "approved"
    page.get_by_role("button", name="Log out").click()

    # 3. Every example on the home page now finds an entry the visitor can open.
    page.goto("/")
    examples = page.locator("ul.examples li a")
    expect(examples.first).to_be_visible()
    queries = [examples.nth(i).inner_text() for i in range(examples.count())]
    placeholder = box.get_attribute("placeholder")
    assert placeholder == " · ".join(queries)
    shot(page, "11-first-contact-examples")
    for index in range(len(queries)):
        page.goto("/")
        page.locator("ul.examples li a").nth(index).click()
        expect(page.locator("table.hits a.hit-link").first).to_be_visible()

    # 4. Filters narrow the lookup and stay in the URL.
    page.goto("/")
    box = page.get_by_label("Look up a term in Chinese, pinyin or English")
    box.press_sequentially(en, delay=20)
    hit = page.locator(f'table.hits a.hit-link[href="/concepts/{concept_id}"]')
    expect(hit).to_be_visible()
    page.get_by_label("Query in").select_option("zh")
    expect(page.locator("#results")).to_contain_text("No entry matches with these filters")
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["zh"]
    page.get_by_label("Query in").select_option("en")
    expect(hit).to_be_visible()
    page.get_by_label("Cited in").select_option(slug)
    expect(hit).to_be_visible()
    expect(page.locator("[data-result-count]")).to_contain_text("cited in “")
    query = parse_qs(urlsplit(page.url).query)
    assert (query["lang"], query["document"]) == (["en"], [slug])
    shot(page, "12-lookup-with-filters")
    page.reload()  # the URL alone brings the filtered lookup back
    expect(page.get_by_label("Cited in")).to_have_value(slug)
    expect(hit).to_be_visible()

    # 5. A pasted segment: one row per term, with how often the text uses it.
    page.get_by_role("link", name="Paste text").click()
    page.get_by_label("Paste a sentence or a paragraph, in Chinese or English").fill(f"{zh}，以及{zh}。")
    page.get_by_role("button", name="Find terms").click()
    expect(page.locator("#found-title")).to_have_text("1 term found, 2 occurrences")
    row = page.locator("table.found tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.times")).to_have_text("2")
    expect(row).to_contain_text(en)
    expect(page.locator("input[name=candidates]")).to_have_count(0)  # visitors see approved entries only
    shot(page, "13-paste-anonymous")


def test_translator_pastes_with_candidates_flagged(page: Any, live_server: LiveServer, shot: Any) -> None:
    with live_server.session() as session:
        candidate = session.scalar(
            select(Term.text)
            .join(Concept, Concept.id == Term.concept_id)
            .where(Concept.status == "candidate", Term.language == "zh-Hans", func.length(Term.text) >= 3)
            .order_by(Concept.confidence.desc(), Term.id)
        )
    assert candidate is not None
    page.goto("/login")
    _log_in(page, TRANSLATOR)
    page.goto("/paste")
    field = page.get_by_label("Paste a sentence or a paragraph, in Chinese or English")
    field.fill(f"我们讨论{candidate}。")
    page.get_by_role("button", name="Find terms").click()
    expect(page.locator(".paste-results")).to_contain_text("Approved entries only.")
    expect(page.locator("table.found .badge", has_text="unreviewed")).to_have_count(0)
    page.get_by_label(re.compile("Also unreviewed candidates")).check()
    page.get_by_role("button", name="Find terms").click()
    expect(page.locator("table.found tr.unreviewed").first).to_be_visible()
    expect(page.locator("table.found .badge", has_text="unreviewed").first).to_be_visible()
    shot(page, "14-paste-with-candidates")
