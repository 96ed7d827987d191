"""Hostile input through every door: each gets a clear error, no unhandled exception, and nothing written.

Doors: the web import and upload pages, the ``termbase import`` and ``ingest`` commands,
the JSON API and the web forms. Inputs: XXE (local file and network), parameter entities,
billion laughs, quadratic blow-up, deep nesting, broken UTF-8, NUL bytes, a 1 GB body or
file, and invisible or right-to-left characters inside terms. Every test compares a full
dump of the database before and after, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hostile import (
    BROKEN_BYTES,
    GIGABYTE,
    HugeStream,
    Listener,
    harmless_references,
    loopback_listener,
    tbx,
    tbx_with_bytes,
    tmx,
    tmx_with_bytes,
    xml_attacks,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Concept, Term, User
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

Dump = dict[str, list[dict[str, Any]]]
ATTACKS = list(xml_attacks("x", "file:///x", 1))
HARMLESS = list(harmless_references("x", "file:///x", 1))


@pytest.fixture
def secret(tmp_path: Path) -> tuple[str, str]:
    """A local file an XXE would read: its URI and its content (which must never show up)."""
    value = f"TOPSECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(value)
    return path.as_uri(), value


@pytest.fixture
def listener() -> Iterator[Listener]:
    with loopback_listener() as found:
        yield found


@pytest.fixture
def editor(login: Callable[[str], User]) -> User:
    return login("editor")


@pytest.fixture
def populated(session: Session) -> None:
    """Something to lose: an approved entry with a comment."""
    concept = concept_service.create_concept(
        session,
        [TermInput(language="zh-Hans", text="网络空间"), TermInput(language="en", text="cyberspace")],
        actor="fixture",
        status="approved",
    )
    concept_service.add_comment(session, concept.id, author="fixture", body="keep me")
    session.commit()


def _everywhere(secret_value: str, *texts: str | bytes) -> None:
    for text in texts:
        raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
        assert secret_value not in raw


def _dump_text(dump: Dump) -> str:
    return repr(dump)


# ------------------------------------------------------------------ XML attacks, TBX and TMX


@pytest.mark.parametrize("attack", ATTACKS)
def test_xml_attacks_on_the_import_are_refused(
    attack: str,
    client: FlaskClient,
    runner: FlaskCliRunner,
    editor: User,
    populated: None,
    database_url: str,
    dump: Callable[[str], Dump],
    secret: tuple[str, str],
    listener: Listener,
    tmp_path: Path,
) -> None:
    doctype, term = xml_attacks("martif", secret[0], listener.port)[attack]
    data = tbx(term, doctype)
    before = dump(database_url)

    started = time.monotonic()
    response = client.post(
        "/import", data={"file": (io.BytesIO(data), f"{attack}.tbx")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert "nothing" in page.lower() or "refused" in page or "XML" in page

    path = tmp_path / f"{attack}.tbx"
    path.write_bytes(data)
    result = runner.invoke(args=["import", str(path), "--status", "approved"])
    assert result.exit_code == 1, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: file {attack}.tbx")

    assert time.monotonic() - started < 30  # refused, not chewed on
    after = dump(database_url)
    assert after == before
    _everywhere(secret[1], page, result.output, _dump_text(after))
    assert listener.connections == []


@pytest.mark.parametrize("attack", ATTACKS)
def test_xml_attacks_on_the_ingest_are_refused(
    attack: str,
    client: FlaskClient,
    runner: FlaskCliRunner,
    editor: User,
    populated: None,
    database_url: str,
    dump: Callable[[str], Dump],
    secret: tuple[str, str],
    listener: Listener,
    tmp_path: Path,
) -> None:
    doctype, segment = xml_attacks("tmx", secret[0], listener.port)[attack]
    data = tmx(segment, doctype)
    before = dump(database_url)

    response = client.post(
        "/upload", data={"files": (io.BytesIO(data), f"{attack}.tmx")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the upload page streams its report
    assert f"{attack}.tmx: not stored. " in page
    assert "the error was logged" not in page  # a handled refusal, not a crash

    path = tmp_path / f"{attack}.tmx"
    path.write_bytes(data)
    result = runner.invoke(args=["ingest", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")

    after = dump(database_url)
    assert after == before
    _everywhere(secret[1], page, result.output, _dump_text(after))
    assert listener.connections == []


@pytest.mark.parametrize("case", HARMLESS)
def test_dtd_and_xinclude_references_are_never_followed(
    case: str,
    session: Session,
    runner: FlaskCliRunner,
    database_url: str,
    dump: Callable[[str], Dump],
    secret: tuple[str, str],
    listener: Listener,
    tmp_path: Path,
) -> None:
    """Accepted or refused, but nothing is read from disk or fetched over the network."""
    doctype, term = harmless_references("martif", secret[0], listener.port)[case]
    path = tmp_path / f"{case}.tbx"
    path.write_bytes(tbx(term, doctype))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code in (0, 1), result.output
    doctype, segment = harmless_references("tmx", secret[0], listener.port)[case]
    path = tmp_path / f"{case}.tmx"
    path.write_bytes(tmx(segment, doctype))
    ingested = runner.invoke(args=["ingest", str(path)])
    assert ingested.exit_code in (0, 1), ingested.output
    _everywhere(secret[1], result.output, ingested.output, _dump_text(dump(database_url)))
    assert listener.connections == []
    assert "x" not in {t.text for t in session.scalars(select(Term))}


# ------------------------------------------------------------------ broken bytes


@pytest.mark.parametrize("name", list(BROKEN_BYTES))
def test_broken_utf8_and_nul_bytes_in_files_are_refused_with_the_line(
    name: str,
    client: FlaskClient,
    editor: User,
    populated: None,
    database_url: str,
    dump: Callable[[str], Dump],
) -> None:
    raw = BROKEN_BYTES[name]
    before = dump(database_url)

    response = client.post(
        "/import",
        data={"file": (io.BytesIO(tbx_with_bytes(raw)), "broken.tbx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "line 3" in page  # where the bad bytes are

    csv = "zh,en\n网络主权,cyber sovereignty\n".encode() + "数据安全,".encode() + raw + b"\n"
    response = client.post(
        "/import", data={"file": (io.BytesIO(csv), "broken.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert ("line 3" if name == "nul" else "not valid utf-8") in response.get_data(as_text=True)

    for filename, data in (
        ("broken.tmx", tmx_with_bytes(raw)),
        ("broken.txt", "尊重网络主权。 | ".encode() + raw + b"\n"),
    ):
        page = client.post(
            "/upload", data={"files": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
        ).get_data(as_text=True)
        assert f"{filename}: not stored. " in page
    assert dump(database_url) == before


@pytest.mark.parametrize("column", ["note", "definition", "en"])
def test_a_nul_anywhere_in_a_glossary_is_refused_with_its_line(
    column: str, runner: FlaskCliRunner, tmp_path: Path, database_url: str, dump: Callable[[str], Dump]
) -> None:
    """PostgreSQL cannot store NUL: it used to reach the database from a note or definition (a 500)."""
    path = tmp_path / "nul.csv"
    path.write_text(f"zh,en,{column}\n网络空间,cyberspace,fine\n网络主权,cyber sovereignty,a\x00b\n")
    before = dump(database_url)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: file nul.csv, line 3: the row holds a NUL character: is this a text file?"
    )
    assert dump(database_url) == before


LONG_CHINESE = "网络" * 150  # 300 Han characters: fits the text column, not its pinyin


@pytest.mark.parametrize("door", ["web form", "csv import", "tbx import"])
def test_an_overlong_chinese_term_is_refused_at_every_door(
    door: str,
    client: FlaskClient,
    runner: FlaskCliRunner,
    editor: User,
    tmp_path: Path,
    database_url: str,
    dump: Callable[[str], Dump],
) -> None:
    """Its pinyin would overflow the pinyin columns, which PostgreSQL enforced with a 500."""
    before = dump(database_url)
    if door == "web form":
        response = client.post("/concepts/new", data={"zh": LONG_CHINESE, "en": "long"})
        assert response.status_code == 200  # the form again, with the error on the field
        assert "the term is too long: its pinyin" in response.get_data(as_text=True)
    else:
        path = tmp_path / ("long.csv" if door == "csv import" else "long.tbx")
        if door == "csv import":
            path.write_text(f"zh,en\n网络主权,cyber sovereignty\n{LONG_CHINESE},long\n")
        else:
            path.write_bytes(tbx("long").replace("网络主权".encode(), LONG_CHINESE.encode()))
        result = runner.invoke(args=["import", str(path)])
        assert result.exit_code == 1
        assert "the term is too long: its pinyin" in result.output
        assert "line" in result.output
    assert dump(database_url) == before


# ------------------------------------------------------------------ NUL and control characters in forms

NUL_FORMS = [
    ("/concepts/new", {"zh": "网络\x00主权", "en": "cyber sovereignty"}),
    ("/concepts/{id}/comments", {"body": "looks fine\x00"}),
    ("/concepts/{id}/edit", {"note": "a\x00b", "version": "1"}),
    ("/paste", {"text": "尊重网络\x00主权"}),
    ("/account/tokens", {"name": "laptop\x00"}),
    ("/admin/users", {"username": "eve\x00", "password": "a long password", "role": "admin"}),
]


@pytest.mark.parametrize(("path", "form"), NUL_FORMS)
def test_nul_in_any_form_field_is_a_clear_400(
    path: str,
    form: dict[str, str],
    client: FlaskClient,
    login: Callable[[str], User],
    session: Session,
    populated: None,
    database_url: str,
    dump: Callable[[str], Dump],
) -> None:
    login("admin")
    concept_id = session.scalar(select(Concept.id))
    before = dump(database_url)
    response = client.post(path.format(id=concept_id), data=form)
    assert response.status_code == 400, response.status_code
    assert "NUL" in response.get_data(as_text=True)
    assert dump(database_url) == before


@pytest.mark.parametrize(
    "url",
    ["/?q=%00", "/?q=%E7%BD%91%00", "/documents/a%00b", "/concepts/new?zh=%00", "/review?q=%00"],
)
def test_nul_in_urls_is_a_clear_400(url: str, client: FlaskClient, login: Callable[[str], User]) -> None:
    login("editor")
    response = client.get(url)
    assert response.status_code == 400


def test_nul_in_a_login_is_a_clear_400_not_a_crash(
    client: FlaskClient, make_user: Callable[..., User], database_url: str, dump: Callable[[str], Dump]
) -> None:
    make_user("ed", "editor")
    before = dump(database_url)
    for form in ({"username": "ed\x00", "password": "x"}, {"username": "ed", "password": "x\x00y"}):
        response = client.post("/login", data=form)
        assert response.status_code == 400
    assert dump(database_url) == before


def test_the_api_names_the_field_that_holds_a_nul(
    client: FlaskClient, api_token: Callable[[str], str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token('editor')}"}
    response = client.post(
        "/api/v1/concepts", json={"terms": [{"language": "en", "text": "a\x00b"}]}, headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "terms.0.text"
    assert client.get("/api/v1/search", query_string={"q": "a\x00b"}, headers=headers).status_code in (
        200,
        400,
    )
    response = client.post("/api/v1/recognize", json={"text": "网络\x00主权"}, headers=headers)
    assert response.status_code in (200, 400)


# ------------------------------------------------------------------ 1 GB


def _multipart_head(field: str, filename: str) -> bytes:
    return (
        f'--BOUNDARY\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("url", "content_type", "prefix"),
    [
        ("/import", "multipart/form-data; boundary=BOUNDARY", _multipart_head("file", "huge.tbx")),
        ("/upload", "multipart/form-data; boundary=BOUNDARY", _multipart_head("files", "huge.txt")),
        ("/login", "application/x-www-form-urlencoded", b"username=ed&password="),
        ("/api/v1/concepts", "application/json", b'{"terms": [{"language": "en", "text": "'),
    ],
)
def test_a_1_gb_body_is_refused_before_it_is_read(
    url: str,
    content_type: str,
    prefix: bytes,
    client: FlaskClient,
    editor: User,
    api_token: Callable[[str], str],
    database_url: str,
    dump: Callable[[str], Dump],
) -> None:
    headers = {"Authorization": f"Bearer {api_token('editor')}"} if url.startswith("/api/") else {}
    before = dump(database_url)
    body = HugeStream(GIGABYTE, prefix)
    response = client.post(url, input_stream=body, content_type=content_type, headers=headers)
    assert response.status_code == 413
    assert body.read_bytes < 1024 * 1024, body.read_bytes  # the declared size was enough
    assert dump(database_url) == before


def test_a_body_without_a_declared_size_is_cut_off_at_the_limit(
    app: Flask, client: FlaskClient, editor: User, database_url: str, dump: Callable[[str], Dump]
) -> None:
    limit = 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = limit
    before = dump(database_url)
    body = HugeStream(GIGABYTE, _multipart_head("file", "huge.tbx"))
    response = client.post(
        "/import",
        input_stream=body,
        content_type="multipart/form-data; boundary=BOUNDARY",
        # Chunked transfer: no Content-Length, the server reads until the stream ends.
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )
    assert response.status_code == 413
    assert body.read_bytes <= limit + 256 * 1024, body.read_bytes
    assert dump(database_url) == before


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` NUL bytes that takes no disk space (a hole), so CI never writes a gigabyte."""
    with path.open("wb") as handle:
        handle.truncate(size)
    assert path.stat().st_size == size
    return path


@pytest.mark.parametrize("command", ["import", "ingest"])
def test_a_file_over_a_gigabyte_is_refused_by_the_commands_from_its_size(
    command: str,
    tmp_path: Path,
    runner: FlaskCliRunner,
    populated: None,
    database_url: str,
    dump: Callable[[str], Dump],
) -> None:
    """Imports stream, so the command takes files up to 1 GB (ingest: 64 MB); not one byte more."""
    before = dump(database_url)
    target = sparse(tmp_path / ("huge.tbx" if command == "import" else "huge.txt"), GIGABYTE + 1)
    started = time.monotonic()
    result = runner.invoke(args=[command, str(target)])
    assert result.exit_code == 1, result.output
    assert "too large" in result.output
    assert time.monotonic() - started < 10  # decided from the size, not by reading a gigabyte
    assert dump(database_url) == before


def test_a_gigabyte_of_nothing_at_the_import_limit_is_refused_at_once(
    tmp_path: Path, runner: FlaskCliRunner, populated: None, database_url: str, dump: Callable[[str], Dump]
) -> None:
    before = dump(database_url)
    target = sparse(tmp_path / "zeros.csv", GIGABYTE)
    started = time.monotonic()
    result = runner.invoke(args=["import", str(target)])
    assert result.exit_code == 1, result.output
    assert "zeros.csv" in result.output
    assert time.monotonic() - started < 10  # refused from its first bytes, not read to the end
    assert dump(database_url) == before


def test_a_1_gb_import_on_standard_input_stops_at_the_limit(
    app: Flask, runner: FlaskCliRunner, database_url: str, dump: Callable[[str], Dump]
) -> None:
    app.config["MAX_IMPORT_BYTES"] = 1024 * 1024
    before = dump(database_url)
    body = HugeStream(GIGABYTE, b"zh,en\n")
    result = runner.invoke(args=["import", "-"], input=io.BufferedReader(body))
    assert result.exit_code == 1, result.output
    assert "too large" in result.output
    assert body.read_bytes < 4 * 1024 * 1024
    assert dump(database_url) == before


# ------------------------------------------------------------------ invisible and right-to-left characters

INVISIBLE = {
    "zero width space": "\u200b",
    "zero width non-joiner": "\u200c",
    "zero width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "right-to-left override": "\u202e",
    "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "mongolian vowel separator": "\u180e",
    "hangul filler": "\u3164",
    "variation selector": "\ufe0f",
    "combining grapheme joiner": "\u034f",
    "tag letter": "\U000e0041",
    "escape": "\x1b",
}


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_invisible_and_bidi_characters_never_make_a_look_alike_term(
    name: str, client: FlaskClient, api_token: Callable[[str], str], session: Session
) -> None:
    mark = INVISIBLE[name]
    headers = {"Authorization": f"Bearer {api_token('editor')}"}
    created = client.post(
        "/api/v1/concepts",
        json={
            "terms": [
                {"language": "zh-Hans", "text": f"网络{mark}主权"},
                {"language": "en", "text": f"cyber {mark}sovereignty"},
            ]
        },
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert sorted(t["text"] for t in body["terms"]) == ["cyber sovereignty", "网络主权"]

    # The visible twin is the same term: refused as a duplicate, whichever way round.
    twin = client.post(
        f"/api/v1/concepts/{body['id']}/terms",
        json={"language": "zh-Hans", "text": f"网{mark}络主权", "version": body["version"]},
        headers=headers,
    )
    assert twin.status_code == 409, twin.get_json()

    # And it is found whether the query carries the mark or not.
    for query in ("网络主权", f"网络{mark}主权", f"cyber sovereignty{mark}"):
        found = client.get("/api/v1/search", query_string={"q": query}, headers=headers).get_json()
        assert body["id"] in [item["concept_id"] for item in found["items"]], query
    stored = session.scalars(select(Term.text)).all()
    assert all(mark not in text for text in stored)


@pytest.mark.parametrize("name", ["right-to-left override", "zero width space", "arabic letter mark"])
def test_invisible_characters_are_dropped_by_the_ui_and_the_import_too(
    name: str, client: FlaskClient, editor: User, session: Session
) -> None:
    mark = INVISIBLE[name]
    response = client.post("/concepts/new", data={"zh": f"数据{mark}安全", "en": f"data {mark}security"})
    assert response.status_code == 303
    reference = f"&#x{ord(mark):x};"
    report = import_file(
        session,
        io.BytesIO(tbx(f"cyber {reference}space")),
        filename="marks.tbx",
        dry_run=False,
        actor="t",
    )
    session.commit()
    assert report.new == 1
    texts = set(session.scalars(select(Term.text)))
    assert {"数据安全", "data security", "cyber space", "网络主权"} <= texts
    assert not any(mark in text for text in texts)
