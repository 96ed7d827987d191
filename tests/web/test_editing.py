"""Editors' changes through the UI: every form carries the version it showed; stale ones get a conflict page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.models import Comment, Concept, HistoryEntry, Term
from termbase.services.concepts import add_comment, get_concept, update_concept


@pytest.fixture
def editor(as_role: Callable[[str | None], FlaskClient], sample: Sample) -> FlaskClient:
    return as_role("editor")


def _concept(session: Session, concept_id: int) -> Concept:
    session.expire_all()
    concept = session.get(Concept, concept_id)
    assert concept is not None
    return concept


def _term(session: Session, concept_id: int, text: str) -> Term:
    session.expire_all()
    term = session.scalar(select(Term).where(Term.concept_id == concept_id, Term.text == text))
    assert term is not None
    return term


def test_approve_records_history_and_redirects(editor: FlaskClient, session: Session, sample: Sample) -> None:
    version = _concept(session, sample.attack).version
    response = editor.post(
        f"/concepts/{sample.attack}/status", data={"status": "approved", "version": version}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/concepts/{sample.attack}"
    assert _concept(session, sample.attack).status == "approved"
    entry = session.scalar(
        select(HistoryEntry).where(HistoryEntry.concept_id == sample.attack).order_by(HistoryEntry.id.desc())
    )
    assert entry is not None
    assert entry.action == "status:approved"
    assert entry.actor == "editor-web"
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved 网络攻击 · cyber attack." in page


def test_stale_version_gets_a_conflict_page_with_both_versions(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    seen = _concept(session, sample.attack).version
    update_concept(
        session, sample.attack, version=seen, actor="colleague", note="checked against the 2016 white paper"
    )
    session.commit()
    response = editor.post(f"/concepts/{sample.attack}/status", data={"status": "rejected", "version": seen})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    current = _concept(session, sample.attack)
    assert current.status == "candidate"  # nothing of the stale change was saved
    assert f"The version you edited (version {seen})" in html
    assert f"The current version (version {current.version})" in html
    assert "checked against the 2016 white paper" in html  # what changed meanwhile
    assert "colleague" in html
    # Re-applying posts the same change with the current version.
    assert f'<input type="hidden" name="version" value="{current.version}">' in html
    assert '<input type="hidden" name="status" value="rejected">' in html
    again = editor.post(
        f"/concepts/{sample.attack}/status", data={"status": "rejected", "version": current.version}
    )
    assert again.status_code == 303
    assert _concept(session, sample.attack).status == "rejected"


def test_edit_form_without_version_is_refused(editor: FlaskClient, sample: Sample) -> None:
    response = editor.post(f"/concepts/{sample.attack}/status", data={"status": "approved"})
    assert response.status_code == 400


def test_add_edit_and_remove_terms(editor: FlaskClient, session: Session, sample: Sample) -> None:
    version = _concept(session, sample.security).version
    added = editor.post(
        f"/concepts/{sample.security}/terms",
        data={"language": "en", "text": "cyber security", "usage_status": "admitted", "version": version},
    )
    assert added.status_code == 303
    term = _term(session, sample.security, "cyber security")
    version = _concept(session, sample.security).version
    edited = editor.post(
        f"/terms/{term.id}/edit",
        data={
            "text": "cyber-security",
            "usage_status": "deprecated",
            "review": "accepted",
            "part_of_speech": "noun",
            "term_type": "variant",
            "note": "hyphenated form, avoid",
            "version": version,
        },
    )
    assert edited.status_code == 303
    term = _term(session, sample.security, "cyber-security")
    assert (term.usage_status, term.term_type, term.note) == (
        "deprecated",
        "variant",
        "hyphenated form, avoid",
    )
    duplicate = editor.post(
        f"/concepts/{sample.security}/terms",
        data={
            "language": "en",
            "text": "Cybersecurity",
            "usage_status": "admitted",
            "version": _concept(session, sample.security).version,
        },
    )
    assert duplicate.status_code == 400
    assert "already has the en term" in duplicate.get_data(as_text=True)
    term_id = term.id
    removed = editor.post(
        f"/terms/{term_id}/remove", data={"version": _concept(session, sample.security).version}
    )
    assert removed.status_code == 303
    session.expire_all()
    assert session.get(Term, term_id) is None


def test_fix_pinyin(editor: FlaskClient, session: Session, sample: Sample) -> None:
    term = _term(session, sample.attack, "网络攻击")
    response = editor.post(
        f"/terms/{term.id}/edit",
        data={
            "text": "网络攻击",
            "pinyin": "wǎngluò gōngjī",
            "usage_status": "preferred",
            "review": "accepted",
            "version": _concept(session, sample.attack).version,
        },
    )
    assert response.status_code == 303
    assert _term(session, sample.attack, "网络攻击").pinyin == "wǎngluò gōngjī"


def test_term_edit_conflict(editor: FlaskClient, session: Session, sample: Sample) -> None:
    term = _term(session, sample.attack, "cyber attack")
    seen = _concept(session, sample.attack).version
    update_concept(session, sample.attack, version=seen, actor="colleague", subject_field="security")
    session.commit()
    response = editor.post(
        f"/terms/{term.id}/edit",
        data={"text": "cyberattack", "usage_status": "preferred", "review": "accepted", "version": seen},
    )
    assert response.status_code == 409
    assert "subject field" in response.get_data(as_text=True)
    assert _term(session, sample.attack, "cyber attack").text == "cyber attack"


def test_merge_two_entries(editor: FlaskClient, session: Session, sample: Sample) -> None:
    page = editor.get(f"/concepts/{sample.attack}/merge", query_string={"other": "cybersecurity"})
    assert f"/concepts/{sample.attack}/merge?other={sample.security}" in page.get_data(as_text=True)
    add_comment(session, sample.attack, author="mei", body="Same idea as cybersecurity?")
    session.commit()
    target, source = _concept(session, sample.security), _concept(session, sample.attack)
    response = editor.post(
        f"/concepts/{sample.attack}/merge",
        data={
            "target_id": sample.security,
            "other_id": sample.security,
            f"version_{sample.security}": target.version,
            f"version_{sample.attack}": source.version,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/concepts/{sample.security}"
    merged = {t.text for t in get_concept(session, sample.security).terms}
    assert {"网络攻击", "cyber attack", "网络安全", "cybersecurity"} <= merged
    assert [c.body for c in get_concept(session, sample.security).comments] == ["Same idea as cybersecurity?"]
    gone = editor.get(f"/concepts/{sample.attack}")
    assert gone.status_code == 410
    html = gone.get_data(as_text=True)
    assert f"/concepts/{sample.security}" in html
    # The absorbed entry's page undoes the merge: both entries come back in one action.
    assert f"Undo the merge: bring entry {sample.attack} back" in html
    entry = re.search(r'action="/history/(\d+)/revert"', html)
    assert entry is not None
    response = editor.post(f"/history/{entry.group(1)}/revert", data={})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/concepts/{sample.attack}"
    session.expire_all()
    assert {t.text for t in get_concept(session, sample.attack).terms} == {"网络攻击", "cyber attack"}
    assert {"网络攻击", "cyber attack"}.isdisjoint(
        t.text for t in get_concept(session, sample.security).terms
    )
    assert [c.body for c in get_concept(session, sample.attack).comments] == ["Same idea as cybersecurity?"]
    page = editor.get(f"/concepts/{sample.attack}").get_data(as_text=True)
    assert "Undid the merge" in page


def test_split_an_entry(editor: FlaskClient, session: Session, sample: Sample) -> None:
    term = _term(session, sample.governance, "Internet governance")
    response = editor.post(
        f"/concepts/{sample.governance}/split",
        data={"term_ids": [term.id], "version": _concept(session, sample.governance).version},
    )
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != sample.governance
    assert [t.text for t in get_concept(session, new_id).terms] == ["Internet governance"]
    everything = editor.post(
        f"/concepts/{sample.security}/split",
        data={
            "term_ids": [t.id for t in get_concept(session, sample.security).terms],
            "version": _concept(session, sample.security).version,
        },
    )
    assert everything.status_code == 400
    assert "at least one term behind" in everything.get_data(as_text=True)


def test_delete_then_restore_from_history(editor: FlaskClient, session: Session, sample: Sample) -> None:
    confirm = editor.get(f"/concepts/{sample.governance}/delete")
    assert "Delete entry" in confirm.get_data(as_text=True)
    response = editor.post(
        f"/concepts/{sample.governance}/delete",
        data={"version": _concept(session, sample.governance).version},
    )
    assert response.status_code == 303
    gone = editor.get(f"/concepts/{sample.governance}")
    assert gone.status_code == 410
    entry_id = int(re.search(r"/history/(\d+)/revert", gone.get_data(as_text=True)).group(1))  # type: ignore[union-attr]
    restored = editor.post(f"/history/{entry_id}/revert")
    assert restored.status_code == 303
    assert {t.text for t in get_concept(session, sample.governance).terms} == {
        "互联网治理",
        "Internet governance",
    }


def test_revert_a_change(editor: FlaskClient, session: Session, sample: Sample) -> None:
    version = _concept(session, sample.attack).version
    editor.post(f"/concepts/{sample.attack}/status", data={"status": "rejected", "version": version})
    entry = session.scalar(
        select(HistoryEntry).where(HistoryEntry.concept_id == sample.attack).order_by(HistoryEntry.id.desc())
    )
    assert entry is not None
    history = editor.get(f"/concepts/{sample.attack}/history").get_data(as_text=True)
    assert f"/history/{entry.id}/revert" in history
    stale = editor.post(f"/history/{entry.id}/revert", data={"version": version})
    assert stale.status_code == 409  # the page showed an older version than the current one
    current = _concept(session, sample.attack).version
    response = editor.post(f"/history/{entry.id}/revert", data={"version": current})
    assert response.status_code == 303
    assert _concept(session, sample.attack).status == "candidate"


def test_translators_comment_but_do_not_edit(
    as_role: Callable[[str | None], FlaskClient], session: Session, sample: Sample
) -> None:
    translator = as_role("translator")
    response = translator.post(
        f"/concepts/{sample.attack}/comments", data={"body": "Also “cyberattack” in UN texts."}
    )
    assert response.status_code == 303
    comment = session.scalar(select(Comment).where(Comment.concept_id == sample.attack))
    assert comment is not None
    assert comment.author == "translator-web"
    assert "Also “cyberattack” in UN texts." in translator.get(f"/concepts/{sample.attack}").get_data(
        as_text=True
    )
    version = _concept(session, sample.attack).version
    assert (
        translator.post(
            f"/concepts/{sample.attack}/status", data={"status": "approved", "version": version}
        ).status_code
        == 403
    )
    empty = translator.post(f"/concepts/{sample.attack}/comments", data={"body": "   "})
    assert empty.status_code == 303
    assert session.scalar(select(Comment).where(Comment.body == "   ")) is None


def test_new_entry_warns_about_duplicates(editor: FlaskClient, session: Session, sample: Sample) -> None:
    first = editor.post("/concepts/new", data={"zh": "网络主权", "en": "digital sovereignty"})
    assert first.status_code == 200
    assert "These terms already exist" in first.get_data(as_text=True)
    created = editor.post(
        "/concepts/new", data={"zh": "数字主权", "en": "digital sovereignty", "approve": "y"}
    )
    assert created.status_code == 303
    new_id = int(created.headers["Location"].rsplit("/", 1)[1])
    concept = get_concept(session, new_id)
    assert concept.status == "approved"
    assert {t.text for t in concept.terms} == {"数字主权", "digital sovereignty"}
    assert next(t for t in concept.terms if t.language == "zh-Hans").pinyin == "shùzì zhǔquán"


def test_csrf_is_enforced(app: Flask, editor: FlaskClient, session: Session, sample: Sample) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    version = _concept(session, sample.attack).version
    refused = editor.post(
        f"/concepts/{sample.attack}/status", data={"status": "approved", "version": version}
    )
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    page = editor.get(f"/concepts/{sample.attack}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    accepted = editor.post(
        f"/concepts/{sample.attack}/status",
        data={"status": "approved", "version": version, "csrf_token": token},
    )
    assert accepted.status_code == 303


def test_reapplying_a_stale_edit_keeps_the_colleagues_change(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    seen = _concept(session, sample.attack).version
    update_concept(
        session, sample.attack, version=seen, actor="colleague", note="checked with the UN termbase"
    )
    session.commit()
    form = {
        "subject_field": "security",
        "note": "",
        "definition_zh": "",
        "definition_en": "",
        "version": seen,
    }
    response = editor.post(f"/concepts/{sample.attack}/edit", data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    resubmission = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    assert resubmission["subject_field"] == "security"  # the editor's change
    assert resubmission["note"] == "checked with the UN termbase"  # the colleague's, not the stale empty note
    assert "<td>subject field</td>" in html
    assert "<td>note</td>" not in html  # the editor did not touch it
    again = editor.post(f"/concepts/{sample.attack}/edit", data=resubmission)
    assert again.status_code == 303
    concept = _concept(session, sample.attack)
    assert (concept.subject_field, concept.note) == ("security", "checked with the UN termbase")


def test_a_field_both_editors_changed_is_flagged(
    editor: FlaskClient, session: Session, sample: Sample
) -> None:
    seen = _concept(session, sample.attack).version
    update_concept(session, sample.attack, version=seen, actor="colleague", note="theirs")
    session.commit()
    form = {"subject_field": "", "note": "mine", "definition_zh": "", "definition_en": "", "version": seen}
    html = editor.post(f"/concepts/{sample.attack}/edit", data=form).get_data(as_text=True)
    assert '<tr class="both-changed">' in html
    assert '<strong>also changed</strong>, to: <span class="pre">theirs</span>' in html
    same = {"subject_field": "", "note": "theirs", "definition_zh": "", "definition_en": "", "version": seen}
    nothing = editor.post(f"/concepts/{sample.attack}/edit", data=same).get_data(as_text=True)
    assert "there is nothing left to apply" in nothing
    assert "Apply my change" not in nothing
