"""The edges: ``termbase export``/``termbase import`` and the export and import pages."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tbx_fixtures import HOSTILE, Populated, wipe
from tbx_validation import all_errors

from termbase.models import Concept, HistoryEntry, User
from termbase.tbx.vocab import Generation

# -- command line --------------------------------------------------------------------------------


def test_cli_export_to_a_file_and_import_it(
    runner: FlaskCliRunner, session: Session, populated: Populated, tmp_path: Path
) -> None:
    target = tmp_path / "out.tbx"
    result = runner.invoke(args=["export", "--status", "all", "--format", "tbx-basic-v3", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "exported 3 entries" in result.output
    data = target.read_bytes()
    assert all_errors(data, Generation.TBX_V3, {"zh-CN", "zh-TW", "en-US"}) == []
    assert not list(tmp_path.glob("*.part"))

    wipe(session)
    dry = runner.invoke(args=["import", str(target), "--dry-run", "--actor", "ed"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip().endswith(
        "(tbx-basic-v3, dry run, nothing written): 3 new, 0 updated, 0 unchanged"
    )
    assert session.scalar(select(func.count()).select_from(Concept)) == 0
    real = runner.invoke(args=["import", str(target), "--actor", "ed"])
    assert real.exit_code == 0, real.output
    assert "3 new" in real.output
    assert session.scalar(select(func.count()).select_from(Concept)) == 3
    assert set(session.scalars(select(HistoryEntry.actor))) == {"ed"}


def test_cli_export_to_stdout_with_filters(runner: FlaskCliRunner, populated: Populated) -> None:
    result = runner.invoke(
        args=[
            "export",
            "--format",
            "csv",
            "--status",
            "all",
            "--min-confidence",
            "0.5",
            "--lang-codes",
            "zh=zh,en=en",
            "-o",
            "-",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff# zh,en,comment,id (termbase 424242)\n")
    assert "data security" not in result.stdout  # confidence 0.42
    assert "cyber sovereignty" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--document", "nope", "-o", "-"], "Error: field document: there is no document 'nope'"),
        (
            ["export", "--status", "candidate", "--min-confidence", "0.9", "-o", "-"],
            "Error: nothing to export",
        ),
        (
            ["export", "--lang-codes", "zh=zh_CN", "-o", "-"],
            "Error: field lang_codes: 'zh_CN' is not a valid",
        ),
        (["export", "--lang-codes", "zh", "-o", "-"], "Error: field lang-codes: 'zh' is not LANGUAGE=CODE"),
    ],
)
def test_cli_export_errors_are_one_line(
    runner: FlaskCliRunner, populated: Populated, args: list[str], message: str
) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_cli_failed_export_leaves_no_file(
    runner: FlaskCliRunner, populated: Populated, tmp_path: Path
) -> None:
    target = tmp_path / "none.tbx"
    result = runner.invoke(args=["export", "--document", "nope", "-o", str(target)])
    assert result.exit_code == 1
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if ".tbx" in p.name] == []  # no partial file either


def test_cli_refuses_hostile_file_in_one_line(
    runner: FlaskCliRunner, session: Session, populated: Populated
) -> None:
    before = session.scalar(select(func.count()).select_from(HistoryEntry))
    result = runner.invoke(args=["import", str(HOSTILE / "xxe.tbx")])
    assert result.exit_code == 1
    assert re.fullmatch(
        r"Error: file xxe\.tbx, line \d+, element DOCTYPE: the DOCTYPE declares entities \(xxe\); "
        r"files that declare entities are refused for safety",
        result.output.strip(),
    ), result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(HistoryEntry)) == before


def test_cli_missing_file(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["import", "/nonexistent/file.tbx"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: file file.tbx: cannot open the file: No such file or directory"


# -- web: export ---------------------------------------------------------------------------------


def test_anonymous_visitors_may_export_approved_entries(client: FlaskClient, populated: Populated) -> None:
    page = client.get("/export")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="candidate"' not in html  # only "approved" is offered
    response = client.get("/export/download", query_string={"format": "tbx-basic-2008"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/x-tbx+xml")
    assert re.fullmatch(
        r'attachment; filename="termbase-approved-\d{4}-\d\d-\d\d\.tbx"',
        response.headers["Content-Disposition"],
    )
    data = response.get_data()
    assert all_errors(data, Generation.TBX_2008) == []
    assert b"data security" not in data
    forbidden = client.get("/export/download", query_string={"status": "all"})
    assert forbidden.status_code == 403


def test_anonymous_export_is_closed_when_the_site_is(
    app: Flask, client: FlaskClient, populated: Populated
) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none"
    assert client.get("/export/download").status_code in (302, 401)


def test_translators_may_export_candidates(
    client: FlaskClient, login: Callable[[str], User], populated: Populated
) -> None:
    login("translator")
    html = client.get("/export").get_data(as_text=True)
    assert 'value="candidate"' in html
    response = client.get("/export/download", query_string={"status": "candidate", "format": "tsv"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines()[1].startswith("数据安全\tdata security")


def test_bad_export_choices_show_the_form_again(client: FlaskClient, populated: Populated) -> None:
    response = client.get("/export/download", query_string={"min_confidence": "lots"})
    assert response.status_code == 400
    assert "Minimum confidence must be a number" in response.get_data(as_text=True)
    response = client.get("/export/download", query_string={"document": "nope"})
    assert response.status_code == 400
    assert "there is no document" in response.get_data(as_text=True)


# -- web: import ---------------------------------------------------------------------------------


def _upload(client: FlaskClient, data: bytes, name: str) -> tuple[int, str]:
    response = client.post(
        "/import",
        data={"file": (io.BytesIO(data), name), "default_status": "candidate"},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_only_editors_may_import(client: FlaskClient, login: Callable[[str], User]) -> None:
    assert client.get("/import").status_code in (302, 401)
    login("translator")
    assert client.get("/import").status_code == 403
    assert _upload(client, b"zh,en\n", "g.csv")[0] == 403


def test_import_preview_then_confirm(
    client: FlaskClient, session: Session, login: Callable[[str], User], populated: Populated
) -> None:
    editor = login("editor")
    page = client.get("/import").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    status, html = _upload(
        client, "zh-CN,en-US\n网络主权,cyber sovereignty\n治理,governance\n".encode(), "g.csv"
    )
    assert status == 200
    assert "Nothing has been written yet" in html
    summary, _, listed = html.partition('class="import-changes"')
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", summary)]
    assert counts == [1, 0, 0, 1, 0, 2]  # new, possible duplicates, updated, up to date, skipped, terms added
    assert re.search(r"<td>3</td>\s*<td>治理 / governance</td>\s*<td>\s*new", listed)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Concept)) == 4  # the preview wrote nothing
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None
    response = client.post("/import/confirm", data={"token": token.group(1)})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 new, 0 updated, 1 unchanged" in follow
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Concept)) == 5
    history = session.scalars(select(HistoryEntry).order_by(HistoryEntry.id.desc())).first()
    assert history is not None
    assert history.actor == editor.username
    # The token is spent: confirming again imports nothing.
    again = client.post("/import/confirm", data={"token": token.group(1)})
    assert again.status_code == 302
    assert "expired" in client.get(again.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Concept)) == 5


def test_import_refuses_hostile_upload_with_the_line(
    client: FlaskClient, session: Session, login: Callable[[str], User], populated: Populated
) -> None:
    login("editor")
    status, html = _upload(client, (HOSTILE / "billion_laughs.tbx").read_bytes(), "laughs.tbx")
    assert status == 400
    assert re.search(r"entit.*\(line \d+", html)
    assert 'name="token"' not in html
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Concept)) == 4


def test_a_token_from_another_session_is_refused(
    app: Flask, client: FlaskClient, login: Callable[[str], User], populated: Populated
) -> None:
    login("editor")
    _status, html = _upload(client, "zh,en\n治理,governance\n".encode(), "g.csv")
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None
    other = app.test_client()
    other.post("/login", data={"username": "editor-user", "password": "correct horse battery"})
    response = other.post("/import/confirm", data={"token": token.group(1)})
    assert response.status_code == 302
    assert "expired" in other.get(response.headers["Location"]).get_data(as_text=True)


def test_the_web_tbx_export_is_for_cat_tools_unless_unchecked(
    client: FlaskClient, populated: Populated
) -> None:
    page = client.get("/export").get_data(as_text=True)
    assert re.search(r'name="for_cat_tools" value="1"[^>]* checked', page)
    default = client.get("/export/download", query_string={"format": "tbx-basic-2008"}).get_data()
    assert b"<term>Internet sovereignty</term>" not in default  # OmegaT would offer it
    assert b"avoid (en-US): Internet sovereignty" in default
    unchecked = {"format": "tbx-basic-2008", "for_cat_tools": "0"}
    assert (
        b"<term>Internet sovereignty</term>"
        in client.get("/export/download", query_string=unchecked).get_data()
    )
    tsv = client.get("/export/download", query_string={"format": "tsv"})
    assert tsv.headers["Content-Disposition"].endswith('.utf8"')  # a name OmegaT 3.6 loads
