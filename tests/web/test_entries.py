"""Entry pages: terms by language, highlighted bilingual citations, history; what each viewer sees."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.services.concepts import TermInput, create_concept


def test_entry_shows_terms_pinyin_badges_and_definition(client: FlaskClient, sample: Sample) -> None:
    html = client.get(f"/concepts/{sample.sovereignty}").get_data(as_text=True)
    assert '<span class="term-text" lang="zh-Hans" data-copy-text>网络主权</span>' in html
    assert '<span class="term-text" lang="zh-Hant" data-copy-text>網絡主權</span>' in html
    assert "wǎngluò zhǔquán" in html
    assert 'class="badge usage-preferred"' in html
    assert "The authority of a state over the network infrastructure" in html
    assert "Internet governance" in html  # subject field


def test_citations_are_bilingual_lines_highlighted_on_both_sides(client: FlaskClient, sample: Sample) -> None:
    html = client.get(f"/concepts/{sample.sovereignty}").get_data(as_text=True)
    citations = html[html.index('id="citations"') :]
    assert "2 segments" in citations
    zh_marks = re.findall(r'<p class="side zh" lang="zh-Hans">(.*?)</p>', citations, re.S)
    en_marks = re.findall(r'<p class="side en" lang="en">(.*?)</p>', citations, re.S)
    assert len(zh_marks) == len(en_marks) == 2
    for zh, en in zip(zh_marks, en_marks, strict=True):
        assert '<mark class="term-mark status-approved own">网络主权</mark>' in zh
        assert '<mark class="term-mark status-approved own">cyber sovereignty</mark>' in en
    # Each line links to the document view at its segment.
    assert f'href="/documents/{sample.document_slug}#s0"' in citations
    assert f'href="/documents/{sample.document_slug}#s1"' in citations


def test_anonymous_visitors_see_no_unreviewed_material(
    client: FlaskClient, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    html = client.get(f"/concepts/{sample.sovereignty}").get_data(as_text=True)
    assert "Internet sovereignty" not in html  # a proposed variant
    assert 'id="history"' not in html
    assert 'id="comments"' not in html
    assert 'id="evidence"' not in html
    assert client.get(f"/concepts/{sample.attack}").status_code == 404  # a candidate entry
    assert client.get(f"/concepts/{sample.sovereignty}/history").status_code == 302
    translator = as_role("translator").get(f"/concepts/{sample.sovereignty}").get_data(as_text=True)
    assert "Internet sovereignty" in translator
    assert "proposed" in translator
    assert 'id="history"' in translator
    # Translators see terms, definitions and citations; the machine's evidence is for editors.
    assert 'id="evidence"' not in translator
    assert "Approve" not in translator
    assert "Add a term" not in translator
    editor = as_role("editor").get(f"/concepts/{sample.sovereignty}").get_data(as_text=True)
    evidence = editor[editor.index('id="evidence"') :]
    assert evidence.index("<details") < evidence.index("<summary>")


def test_term_and_document_text_are_escaped(client: FlaskClient, session: Session) -> None:
    concept = create_concept(
        session,
        [TermInput(language="en", text="<img src=x onerror=alert(1)>")],
        actor="test",
        status="approved",
        note="<b>bold</b>",
    )
    session.commit()
    html = client.get(f"/concepts/{concept.id}").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html


def test_all_citations_page_and_history_page(
    sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    client = as_role("translator")
    html = client.get(f"/concepts/{sample.sovereignty}/citations").get_data(as_text=True)
    assert html.count('class="citation"') == 2
    history = client.get(f"/concepts/{sample.sovereignty}/history").get_data(as_text=True)
    assert "created" in history
    assert "added a term" in history
    assert "網絡主權" in history  # the diff names what was added
    assert "Restore the state" not in history  # translators cannot revert


def test_unknown_entry_is_a_helpful_404(client: FlaskClient, sample: Sample) -> None:
    response = client.get("/concepts/99999")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Not found" in html
    assert 'name="q"' in html  # offers a lookup instead
