"""Numbers no column can hold, in web paths, query strings and forms: 404 or a clamp, never a 500.

PostgreSQL's integer ids stop at 2**31 - 1 and SQLite's integers at 2**63 - 1; a query with a
larger value fails in the driver. Every ``<int:...>`` route and every numeric argument is tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_sample import Sample
from werkzeug.routing import IntegerConverter

HUGE = [2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30]
BEYOND = [n for n in HUGE if n > 2**31 - 1]


def _int_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) of every route with an integer in its path."""
    found = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


@pytest.fixture
def admin(as_role: Callable[[str | None], FlaskClient]) -> FlaskClient:
    return as_role("admin")


def test_every_integer_route_answers_404_to_ids_beyond_any_column(app: Flask, admin: FlaskClient) -> None:
    routes = _int_routes(app)
    assert len(routes) >= 20, routes  # the web UI's and the API's
    for method, rule in routes:
        for number in HUGE:
            path = re.sub(r"<int:\w+>", str(number), rule)
            response = admin.open(path, method=method, json={} if rule.startswith("/api/") else None)
            if number in BEYOND:
                assert response.status_code == 404, (method, path, response.status_code)
            else:  # the largest id there can be: whatever the view says of a missing one
                assert response.status_code < 500, (method, path, response.status_code)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "page"),
        ("/concepts/{concept}/citations", "page"),
        ("/review", "page"),
        ("/review/variants", "page"),
        ("/documents/{document}", "offset"),
        ("/documents/{document}", "v"),
        ("/concepts/{concept}/merge", "other"),
    ],
)
def test_numeric_query_arguments_beyond_any_column_are_no_error(
    admin: FlaskClient, sample: Sample, path: str, name: str
) -> None:
    url = path.format(concept=sample.sovereignty, document=sample.document_slug)
    for number in [*BEYOND, -(2**63), -(2**64)]:
        query = "q=cyber&" if path == "/" else ""
        response = admin.get(f"{url}?{query}{name}={number}")
        assert response.status_code in (200, 400, 404), (url, name, number, response.status_code)


def test_form_ids_beyond_any_column_are_no_error(admin: FlaskClient, sample: Sample) -> None:
    concept = sample.sovereignty
    for number in BEYOND:
        forms = [
            (f"/concepts/{concept}/merge", {"target_id": str(number), "other_id": str(number)}),
            (f"/concepts/{concept}/edit", {"version": str(number), "note": "x"}),
            (f"/concepts/{concept}/split", {"version": str(number), "term_ids": str(number)}),
            ("/review/decide", {"one": f"{number}:approved", f"version_{number}": str(number)}),
            ("/review/decide", {"status": "approved", "ids": str(number)}),
        ]
        for path, data in forms:
            response = admin.post(path, data=data)
            assert response.status_code < 500, (path, data, response.status_code)
