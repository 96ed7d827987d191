"""Two editors change the same entry at the same moment: the later save gets a conflict, never a silent overwrite.

Every test sends truly concurrent requests (threads released together by a barrier)
to the app served on a loopback port, on SQLite and on PostgreSQL. Whatever the
interleaving, exactly one of two racing saves wins; the other gets 409 (the API's JSON
error, or the UI's conflict page with both versions), and the database holds the
winner's change and one history entry for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from livehttp import Client, Reply
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Concept, HistoryEntry, Term

PASSWORD = "correct horse battery"
ROUNDS = 6  # races per test: enough for both the early check and the flush-time check to win some


def _race(*calls: Callable[[], Reply]) -> list[Reply]:
    """Run the calls in threads released at the same instant."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Reply]) -> Reply:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _concept(session: Session, concept_id: int) -> Concept:
    session.expire_all()
    concept = session.get(Concept, concept_id)
    assert concept is not None
    return concept


def _updates(session: Session, concept_id: int, action: str = "update") -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.concept_id == concept_id, HistoryEntry.action == action)
        )
        or 0
    )


def test_api_the_later_of_two_saves_gets_409(
    live: str, session: Session, token_for: Callable[[str], str], approved_concept: int
) -> None:
    alice, bob = Client(live), Client(live)
    tokens = {alice: _bearer(token_for("alice")), bob: _bearer(token_for("bob"))}
    url = f"/api/v1/concepts/{approved_concept}"
    messages = set()
    for round_no in range(ROUNDS):
        seen = {c: c.get(url, headers=tokens[c]).json()["version"] for c in (alice, bob)}
        assert seen[alice] == seen[bob] == round_no + 1

        replies = _race(
            *(
                partial(
                    client.request,
                    "PATCH",
                    url,
                    json_body={"note": f"{name} {round_no}", "version": seen[client]},
                    headers=tokens[client],
                )
                for client, name in ((alice, "alice"), (bob, "bob"))
            )
        )
        statuses = sorted(r.status for r in replies)
        assert statuses == [200, 409], [(r.status, r.text[:300]) for r in replies]
        winner, loser = (replies[0], replies[1]) if replies[0].status == 200 else (replies[1], replies[0])
        error = loser.json()["error"]
        assert error["code"] == "conflict"
        messages.add(error["message"])
        assert winner.json()["version"] == round_no + 2
        concept = _concept(session, approved_concept)
        assert concept.note == winner.json()["note"]
        assert concept.version == round_no + 2
        assert _updates(session, approved_concept) == round_no + 1
    assert messages  # every loser was told why


def test_ui_the_later_save_gets_the_conflict_page_with_both_versions(
    live: str, session: Session, users: Callable[..., Any], approved_concept: int
) -> None:
    users("alice")
    users("bob")
    alice, bob = Client(live), Client(live)
    alice.login("alice", PASSWORD)
    bob.login("bob", PASSWORD)
    url = f"/concepts/{approved_concept}/edit"
    for round_no in range(ROUNDS):
        forms = {c: _edit_form(c, url) for c in (alice, bob)}
        seen = 1 + 2 * round_no  # each round saves twice: the winner, then the loser knowingly
        assert forms[alice]["version"] == forms[bob]["version"] == str(seen)
        notes = {alice: f"note from alice, round {round_no}", bob: f"note from bob, round {round_no}"}

        saves = [partial(c.request, "POST", url, form={**forms[c], "note": notes[c]}) for c in (alice, bob)]
        replies = dict(zip((alice, bob), _race(*saves), strict=True))
        statuses = sorted(r.status for r in replies.values())
        assert statuses == [303, 409], [(r.status, r.text[:300]) for r in replies.values()]
        loser = alice if replies[alice].status == 409 else bob
        winner = bob if loser is alice else alice
        page = replies[loser].text
        # Both versions side by side, and the loser's own change, nothing of which was saved.
        assert f"The version you edited (version {seen})" in page
        assert f"The current version (version {seen + 1})" in page
        assert notes[winner] in page
        assert notes[loser] in page
        assert _concept(session, approved_concept).note == notes[winner]

        # The loser may re-apply the change knowingly, on top of the current version.
        resubmit = _resubmit_form(page)
        assert resubmit["version"] == str(seen + 1)
        again = loser.request("POST", url, form=resubmit)
        assert again.status == 303, again.text[:300]
        concept = _concept(session, approved_concept)
        assert concept.note == notes[loser]
        assert concept.version == seen + 2
    assert _updates(session, approved_concept) == 2 * ROUNDS


def test_an_api_save_and_a_ui_save_race(
    live: str,
    session: Session,
    users: Callable[..., Any],
    token_for: Callable[[str], str],
    approved_concept: int,
) -> None:
    users("alice")
    browser = Client(live)
    browser.login("alice", PASSWORD)
    script = Client(live)
    headers = _bearer(token_for("bot"))
    for round_no in range(ROUNDS):
        form = _edit_form(browser, f"/concepts/{approved_concept}/edit")
        version = script.get(f"/api/v1/concepts/{approved_concept}", headers=headers).json()["version"]
        replies = _race(
            partial(
                browser.request,
                "POST",
                f"/concepts/{approved_concept}/edit",
                form={**form, "note": f"ui {round_no}"},
            ),
            partial(
                script.request,
                "PATCH",
                f"/api/v1/concepts/{approved_concept}",
                json_body={"note": f"api {round_no}", "version": version},
                headers=headers,
            ),
        )
        ui, api = replies
        assert sorted((ui.status, api.status)) in ([200, 409], [303, 409]), (ui.status, api.status)
        assert (ui.status == 303) != (api.status == 200)
        expected = f"ui {round_no}" if ui.status == 303 else f"api {round_no}"
        assert _concept(session, approved_concept).note == expected
    assert _updates(session, approved_concept) == ROUNDS


def test_no_edit_is_lost_under_contention(
    live: str, session: Session, token_for: Callable[[str], str], approved_concept: int
) -> None:
    """Editors append lines to one note, retrying on 409: every line they were told was saved is there."""
    editors, edits_each = 6, 5
    url = f"/api/v1/concepts/{approved_concept}"
    tokens = [_bearer(token_for(f"editor{i}")) for i in range(editors)]
    barrier = threading.Barrier(editors)
    conflicts = [0] * editors

    def work(i: int) -> list[str]:
        client = Client(live)
        saved = []
        barrier.wait(timeout=30)
        for n in range(edits_each):
            line = f"editor{i} edit{n}"
            for _attempt in range(200):
                current = client.get(url, headers=tokens[i]).json()
                body = {"note": f"{current['note']}\n{line}", "version": current["version"]}
                reply = client.request("PATCH", url, json_body=body, headers=tokens[i])
                if reply.status == 200:
                    saved.append(line)
                    break
                assert reply.status == 409, (reply.status, reply.text[:300])
                conflicts[i] += 1
            else:
                raise AssertionError(f"{line} never got through")
        return saved

    with ThreadPoolExecutor(editors) as pool:
        saved = [line for lines in pool.map(work, range(editors)) for line in lines]
    concept = _concept(session, approved_concept)
    lines = concept.note.splitlines() if concept.note else []
    assert lines[0] == "original note"
    assert sorted(lines[1:]) == sorted(saved)
    assert len(saved) == editors * edits_each
    assert concept.version == 1 + len(saved)
    assert _updates(session, approved_concept) == len(saved)
    assert sum(conflicts) > 0, "the editors never collided; the test proved nothing"


def test_the_same_term_added_twice_at_once_is_added_once(
    live: str, session: Session, token_for: Callable[[str], str], approved_concept: int
) -> None:
    tokens = [_bearer(token_for("alice")), _bearer(token_for("bob"))]
    clients = [Client(live), Client(live)]
    for round_no in range(ROUNDS):
        version = _concept(session, approved_concept).version
        body = {"language": "en", "text": f"Internet sovereignty {round_no}", "version": version}
        url = f"/api/v1/concepts/{approved_concept}/terms"
        replies = _race(
            *(
                partial(c.request, "POST", url, json_body=body, headers=t)
                for c, t in zip(clients, tokens, strict=True)
            )
        )
        assert sorted(r.status for r in replies) == [201, 409], [(r.status, r.text[:200]) for r in replies]
        session.expire_all()
        count = session.scalar(
            select(func.count()).select_from(Term).where(Term.text == f"Internet sovereignty {round_no}")
        )
        assert count == 1


def test_an_edit_racing_a_delete_never_resurrects_or_half_applies(
    live: str, session: Session, token_for: Callable[[str], str]
) -> None:
    from termbase.services import concepts as concept_service
    from termbase.services.concepts import TermInput

    tokens = [_bearer(token_for("alice")), _bearer(token_for("bob"))]
    clients = [Client(live), Client(live)]
    outcomes = set()
    for round_no in range(ROUNDS):
        concept = concept_service.create_concept(
            session, [TermInput(language="en", text=f"entry {round_no}")], actor="t", status="candidate"
        )
        session.commit()
        cid, version = concept.id, concept.version
        url = f"/api/v1/concepts/{cid}"
        delete, edit = _race(
            partial(clients[0].request, "DELETE", f"{url}?version={version}", headers=tokens[0]),
            partial(
                clients[1].request,
                "PATCH",
                url,
                json_body={"note": "edited", "version": version},
                headers=tokens[1],
            ),
        )
        outcomes.add((delete.status, edit.status))
        session.expire_all()
        still_there = session.get(Concept, cid)
        if delete.status in (200, 204):
            # The edit lost: refused as stale, or the entry was already gone.
            assert edit.status in (404, 409), edit.text[:300]
            assert still_there is None
            assert session.scalar(select(func.count()).select_from(Term).where(Term.concept_id == cid)) == 0
        else:
            assert delete.status == 409, delete.text[:300]
            assert edit.status == 200
            assert still_there is not None
            assert still_there.note == "edited"
    assert all(a < 500 and b < 500 for a, b in outcomes), outcomes


def test_two_editors_restoring_the_same_deleted_entry_restore_it_once(
    live: str, session: Session, users: Callable[..., Any]
) -> None:
    from termbase.services import concepts as concept_service
    from termbase.services.concepts import TermInput

    users("alice")
    users("bob")
    alice, bob = Client(live), Client(live)
    alice.login("alice", PASSWORD)
    bob.login("bob", PASSWORD)
    for round_no in range(ROUNDS):
        concept = concept_service.create_concept(
            session, [TermInput(language="en", text=f"gone {round_no}")], actor="t", status="approved"
        )
        session.flush()
        concept_service.delete_concept(session, concept.id, version=concept.version, actor="t")
        session.commit()
        entry = session.scalar(
            select(HistoryEntry.id).where(
                HistoryEntry.concept_id == concept.id, HistoryEntry.action == "delete"
            )
        )
        url = f"/history/{entry}/revert"
        tokens = {c: c.csrf_token(f"/concepts/{concept.id}", status=410) for c in (alice, bob)}
        replies = _race(
            *(partial(c.request, "POST", url, form={"csrf_token": tokens[c]}) for c in (alice, bob))
        )
        assert all(r.status < 500 for r in replies), [(r.status, r.text[:300]) for r in replies]
        # One restores it; the other is told it was restored meanwhile (409), never a second restore.
        assert sorted(r.status for r in replies) == [303, 409], [r.status for r in replies]
        session.expire_all()
        assert session.get(Concept, concept.id) is not None
        assert _updates(session, concept.id, "revert") == 1
        assert (
            session.scalar(select(func.count()).select_from(Term).where(Term.concept_id == concept.id)) == 1
        )


def _edit_form(client: Client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status == 200, page.status
    return _form_fields(page.text, url)


_FORM_RE = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
_INPUT_RE = re.compile(r"<input\b([^>]*)>", re.S)
_TEXTAREA_RE = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_ATTR_RE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def _form_fields(page: str, action_hint: str) -> dict[str, str]:
    """The named inputs and text areas of the first form that holds a version field."""
    for form in _FORM_RE.findall(page):
        fields: dict[str, str] = {}
        for attrs in _INPUT_RE.findall(form):
            named = dict(_ATTR_RE.findall(attrs))
            if "name" in named and named.get("type") not in ("checkbox", "submit"):
                fields[named["name"]] = _unescape(named.get("value", ""))
        for name, value in _TEXTAREA_RE.findall(form):
            fields[name] = _unescape(value.lstrip("\n"))
        if "version" in fields and "csrf_token" in fields:
            return fields
    raise AssertionError(f"no versioned form on {action_hint}")


def _resubmit_form(page: str) -> dict[str, str]:
    return _form_fields(page[page.index("Your change") :], "the conflict page")
