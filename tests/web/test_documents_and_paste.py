"""The document view (aligned text, known terms linked) and the paste-a-segment page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.models import Citation, Document, Segment, Term
from termbase.services import documents as document_service
from termbase.services.concepts import TermInput, create_concept
from termbase.text.normalize import match_text


def _segment_html(html: str, position: int) -> str:
    start = html.index(f'id="s{position}"')
    end = html.find('<div class="seg', start + 1)
    return html[start : end if end > 0 else None]


def test_document_list_and_view(client: FlaskClient, sample: Sample) -> None:
    listing = client.get("/documents").get_data(as_text=True)
    assert "Speech at the World Internet Conference (sample)" in listing
    assert "(5 aligned pairs)" in listing
    html = client.get(f"/documents/{sample.document_slug}").get_data(as_text=True)
    first = _segment_html(html, 0)
    # Known approved terms are linked to their entries on both sides.
    assert f'href="/concepts/{sample.sovereignty}"' in first
    assert re.search(r'<a class="term-mark status-approved"[^>]*>网络主权</a>', first)
    assert re.search(r'<a class="term-mark status-approved"[^>]*>cyber sovereignty</a>', first)
    assert "A. Speaker" in html
    assert "2015-12-16" in html


def test_anonymous_readers_see_only_approved_terms_marked(
    client: FlaskClient, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    anonymous = _segment_html(client.get(f"/documents/{sample.document_slug}").get_data(as_text=True), 2)
    assert "网络攻击" in anonymous
    assert f'href="/concepts/{sample.attack}"' not in anonymous
    translator = _segment_html(
        as_role("translator").get(f"/documents/{sample.document_slug}").get_data(as_text=True), 2
    )
    assert re.search(rf'<a class="term-mark status-candidate" href="/concepts/{sample.attack}"', translator)


def test_terms_added_later_are_recognized_without_citations(
    client: FlaskClient, session: Session, sample: Sample
) -> None:
    law = create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="法外之地"),
            TermInput(language="en", text="place beyond the rule of law"),
        ],
        actor="editor",
        status="approved",
    )
    session.commit()
    segment = _segment_html(client.get(f"/documents/{sample.document_slug}").get_data(as_text=True), 3)
    assert re.search(
        rf'<a class="term-mark status-approved" href="/concepts/{law.id}"[^>]*>法外之地</a>', segment
    )
    assert re.search(
        rf'<a class="term-mark status-approved" href="/concepts/{law.id}"[^>]*>place beyond the rule of law</a>',
        segment,
    )
    plain = client.get(f"/documents/{sample.document_slug}?highlight=off").get_data(as_text=True)
    assert 'term-mark status-approved" href' not in plain


def test_glued_words_are_shown_split_and_marked(
    client: FlaskClient, session: Session, sample: Sample
) -> None:
    text = "We must respect theCyberspace of every nation."
    document = Document(
        slug="glued",
        title="Glued words",
        layout="en-only",
        content_hash="1" * 64,
        segments=[
            Segment(
                position=0,
                kind="en",
                en_text=text,
                en_match=match_text(text),
                en_splits=[text.index("Cyber")],
            )
        ],
    )
    session.add(document)
    session.commit()
    html = client.get("/documents/glued").get_data(as_text=True)
    assert re.search(
        rf'respect the <a class="term-mark status-approved" href="/concepts/{sample.space}"[^>]*>Cyberspace</a> of',
        html,
    )
    assert 'class="aligned one-column"' in html


def test_long_documents_are_paged_and_citations_land_on_the_right_page(session: Session) -> None:
    assert document_service.page_offset(0) == 0
    assert document_service.page_offset(199) == 0
    assert document_service.page_offset(200) == 200
    assert document_service.page_offset(451) == 400


def test_unknown_document_is_404(client: FlaskClient, sample: Sample) -> None:
    assert client.get("/documents/nope").status_code == 404
    assert client.get(f"/documents/{sample.document_slug}?v=7").status_code == 404


def test_paste_finds_terms_with_their_translations(client: FlaskClient, sample: Sample) -> None:
    response = client.post("/paste", data={"text": "各国应尊重網絡主權,共同维护网络安全。"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 terms found" in html
    assert re.search(
        rf'<a class="term-mark status-approved" href="/concepts/{sample.sovereignty}"[^>]*>網絡主權</a>', html
    )
    assert re.search(
        rf'<a class="term-mark status-approved" href="/concepts/{sample.security}"[^>]*>网络安全</a>', html
    )
    table = html[html.index('<table class="found">') :]
    assert '<span class="equivalent" lang="en" data-copy-text>cyber sovereignty</span>' in table
    assert '<span class="equivalent" lang="en" data-copy-text>cybersecurity</span>' in table


def test_paste_english_and_deprecated_terms(
    session: Session, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    create_concept(
        session,
        [
            TermInput(language="en", text="cyber terrorism", usage_status="preferred"),
            TermInput(language="en", text="cyberterror", usage_status="deprecated"),
            TermInput(language="zh-Hans", text="网络恐怖主义", usage_status="preferred"),
        ],
        actor="editor",
        status="approved",
    )
    session.commit()
    html = (
        as_role("translator")
        .post(
            "/paste",
            data={"text": "States must fight Cyber-Attacks and cyberterror together.", "candidates": "1"},
        )
        .get_data(as_text=True)
    )
    assert "2 terms found" in html
    assert ">Cyber-Attacks</a>" in html  # matched whatever the case, plural or hyphen
    assert 'use <span lang="en">cyber terrorism</span>' in html
    assert "网络恐怖主义" in html


def test_paste_limits_and_empty_input(client: FlaskClient, sample: Sample) -> None:
    assert "No known terms" in client.post("/paste", data={"text": "Hello there."}).get_data(as_text=True)
    too_long = client.post("/paste", data={"text": "网" * 20_001}).get_data(as_text=True)
    assert "paste at most 20,000" in too_long
    assert client.get("/paste").status_code == 200


def test_paste_lists_accepted_translations_before_proposed_ones(
    client: FlaskClient, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    anonymous = client.post("/paste", data={"text": "尊重网络主权"}).get_data(as_text=True)
    assert "Internet sovereignty" not in anonymous
    translator = as_role("translator")
    approved_only = translator.post("/paste", data={"text": "尊重网络主权"}).get_data(as_text=True)
    assert "Internet sovereignty" not in approved_only
    html = translator.post("/paste", data={"text": "尊重网络主权", "candidates": "1"}).get_data(as_text=True)
    table = html[html.index('<table class="found">') :]
    accepted = table.index('<span class="equivalent" lang="en" data-copy-text>cyber sovereignty</span>')
    proposed = table.index(
        '<span class="equivalent proposed" lang="en" data-copy-text>Internet sovereignty</span>'
    )
    assert accepted < proposed


def test_paste_shows_one_row_per_term_with_its_count(client: FlaskClient, sample: Sample) -> None:
    text = "网络安全、網絡安全和网络安全,还有网络主权。"
    html = client.post("/paste", data={"text": text}).get_data(as_text=True)
    assert "2 terms found, 4 occurrences" in html
    table = html[html.index('<table class="found">') :]
    assert table.count("<tr class=") == 2
    assert '<td class="times">3</td>' in table
    assert '<td class="times">1</td>' in table
    assert 'written <span lang="zh-Hans">網絡安全</span>' in table
    assert not re.search(r"\d+–\d+", table)  # no character offsets


def test_paste_uses_approved_entries_unless_candidates_are_asked_for(
    client: FlaskClient, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    text = "反对网络攻击,维护网络安全。"
    translator = as_role("translator")
    default = translator.post("/paste", data={"text": text}).get_data(as_text=True)
    assert "1 term found" in default
    assert "Approved entries only." in default
    assert 'name="candidates"' in default
    both = translator.post("/paste", data={"text": text, "candidates": "1"}).get_data(as_text=True)
    assert "2 terms found" in both
    table = both[both.index('<table class="found">') :]
    assert table.count("unreviewed") == 2  # the row's class and its badge, for the candidate only
    assert '<span class="badge review-candidate">unreviewed</span>' in table


def test_english_only_view_shows_glued_words_split_as_ingest_split_them(
    client: FlaskClient, session: Session, sample: Sample
) -> None:
    text = "Nations should respect eachother's cyber sovereignty inthe networked world."
    splits = [text.index("other"), text.index("the networked")]
    document = Document(
        slug="glued-page",
        version=1,
        is_current=True,
        title="A page with glued words",
        layout="en-only",
        zh_script="zh-Hans",
        filename="glued.txt",
        content_hash="1" * 64,
    )
    document.segments = [
        Segment(position=0, kind="en", en_text=text, en_match=match_text(text), en_splits=splits)
    ]
    session.add(document)
    session.commit()
    html = client.get("/documents/glued-page").get_data(as_text=True)
    segment = _segment_html(html, 0)
    assert "eachother" not in segment
    assert "inthe" not in segment
    assert "each other&#39;s" in segment
    assert "in the networked world." in segment
    # The known term is still linked, at its place in the split text.
    assert re.search(
        rf'<a class="term-mark status-approved" href="/concepts/{sample.sovereignty}"[^>]*>cyber sovereignty</a>',
        segment,
    )
    assert "English only" in client.get("/documents").get_data(as_text=True)


def test_citations_of_an_entry_show_glued_words_split(session: Session, sample: Sample) -> None:
    text = "We respect theCyberspace of every nation."
    start = text.index("Cyber")
    document = Document(
        slug="glued-citation",
        title="Glued words cited",
        layout="en-only",
        content_hash="2" * 64,
        segments=[Segment(position=0, kind="en", en_text=text, en_match=match_text(text), en_splits=[start])],
    )
    session.add(document)
    session.flush()
    term = session.query(Term).filter_by(concept_id=sample.space, language="en").one()
    session.add(Citation(term_id=term.id, segment_id=document.segments[0].id, start=start, end=start + 10))
    session.commit()
    [line] = document_service.concept_citations(session, sample.space, include_unapproved=False).lines
    assert line.en_text == "We respect the Cyberspace of every nation."
    [mark] = line.en_marks
    assert line.en_text[mark.start : mark.end] == "Cyberspace"
