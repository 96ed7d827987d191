"""GET /export streams the CLI's TBX and CSV/TSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask.testing import FlaskClient
from lxml import etree

Headers = dict[str, str]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_tbx_export_of_approved_entries(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    response = client.get("/api/v1/export", headers=editor)
    assert response.status_code == 200
    assert response.mimetype == "application/x-tbx+xml"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="termbase-approved-')
    root = etree.fromstring(response.data)
    terms = {
        (lang_set.get(XML_LANG), term.text)
        for lang_set in root.iter("{*}langSet")
        for term in lang_set.iter("{*}term")
    }
    assert ("zh-CN", "网络空间") in terms
    assert ("zh-TW", "網絡空間") in terms
    assert ("en-US", "global governance") in terms
    assert not any(text in {"数字丝绸之路", "规则"} for _lang, text in terms)  # candidate, rejected


def test_tbx_v3_and_csv(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    response = client.get("/api/v1/export", query_string={"format": "tbx-basic-v3"}, headers=editor)
    assert response.status_code == 200
    assert etree.fromstring(response.data).tag.endswith("tbx")
    response = client.get("/api/v1/export", query_string={"format": "csv", "status": "all"}, headers=editor)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    cells = {cell for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for cell in row}
    assert {"数字丝绸之路", "cyberspace"} <= cells
    assert "rules" not in cells


def test_export_permissions_and_errors(
    client: FlaskClient, bearer: Callable[[str], Headers], termbase: dict[str, int]
) -> None:
    assert client.get("/api/v1/export").status_code == 200  # anonymous: approved entries
    response = client.get("/api/v1/export", query_string={"status": "candidate"})
    assert response.status_code == 401
    translator = bearer("translator")
    assert (
        client.get("/api/v1/export", query_string={"status": "candidate"}, headers=translator).status_code
        == 200
    )
    response = client.get("/api/v1/export", query_string={"document": "no-such-speech"}, headers=translator)
    assert response.status_code == 404
    assert response.get_json()["error"]["details"]["field"] == "document"
    response = client.get("/api/v1/export", query_string={"format": "xlsx"}, headers=translator)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "format"
    response = client.get("/api/v1/export", query_string={"min_confidence": "2"}, headers=translator)
    assert response.get_json()["error"]["details"]["field"] == "min_confidence"


def test_nothing_to_export_is_404(client: FlaskClient, editor: Headers) -> None:
    response = client.get("/api/v1/export", headers=editor)
    assert response.status_code == 404
    assert "nothing to export" in response.get_json()["error"]["message"]
