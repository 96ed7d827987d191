"""The app factory, security headers and error pages."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_home_page_serves(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="q"' in response.data


def test_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def test_unknown_page_is_html_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unknown_api_route_is_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"
