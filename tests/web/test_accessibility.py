"""What every page owes its users: labelled controls, one h1, a lang attribute on Chinese, no inline code."""

from __future__ import annotations

from collections.abc import Callable

import lxml.html
import pytest
from flask.testing import FlaskClient
from web_sample import Sample

PAGES = [
    "/",
    "/?q=wangluo",
    "/?q=nothing+like+it",
    "/paste",
    "/documents",
    "/documents/sample-speech",
    "/concepts/{sovereignty}",
    "/concepts/{sovereignty}/citations",
    "/concepts/{sovereignty}/history",
    "/concepts/{sovereignty}/edit",
    "/concepts/{sovereignty}/merge",
    "/concepts/{sovereignty}/split",
    "/concepts/{sovereignty}/delete",
    "/concepts/new",
    "/review",
    "/review/variants",
    "/upload",
    "/account",
    "/help",
    "/concepts/999999",
]


def _problems(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    problems = []
    labelled = {label.get("for") for label in doc.iter("label")}
    for control in doc.xpath("//input | //select | //textarea"):
        kind = control.get("type", "text")
        if control.tag == "input" and kind in {"hidden", "submit", "button"}:
            continue
        inside_label = any(a.tag == "label" for a in control.iterancestors())
        if not (
            control.get("id") in labelled
            or inside_label
            or control.get("aria-label")
            or control.get("aria-labelledby")
        ):
            problems.append(f"unlabelled {control.tag} name={control.get('name')!r}")
    if len(doc.xpath("//h1")) != 1:
        problems.append(f"{len(doc.xpath('//h1'))} h1 elements")
    if doc.get("lang") != "en":
        problems.append("no lang on <html>")
    if doc.xpath("//script[not(@src)]") or doc.xpath("//*[@style]"):
        problems.append("inline script or style (blocked by the CSP)")
    for attribute in ("onclick", "onload", "onsubmit", "onchange"):
        if doc.xpath(f"//*[@{attribute}]"):
            problems.append(f"inline {attribute} handler")
    for button in doc.xpath("//button"):
        if not (button.text_content().strip() or button.get("aria-label")):
            problems.append("a button without a name")
    return problems


@pytest.mark.parametrize("role", ["editor", None])
def test_pages_are_accessible(
    sample: Sample, as_role: Callable[[str | None], FlaskClient], role: str | None
) -> None:
    client = as_role(role)
    found = {}
    for template in PAGES:
        url = template.format(sovereignty=sample.sovereignty)
        response = client.get(url)
        if response.status_code in (302, 404) and role is None and url != "/concepts/999999":
            continue  # anonymous visitors are sent to log in
        assert response.mimetype == "text/html", url
        problems = _problems(response.get_data(as_text=True))
        if problems:
            found[url] = problems
    assert not found, found


def test_the_checker_catches_problems() -> None:
    assert _problems('<html lang="en"><body><h1>x</h1><input name="a"><button></button></body></html>') == [
        "unlabelled input name='a'",
        "a button without a name",
    ]
    assert _problems('<html><body><p style="color:red">x</p><script>alert(1)</script></body></html>') == [
        "0 h1 elements",
        "no lang on <html>",
        "inline script or style (blocked by the CSP)",
    ]
    labelled = '<html lang="en"><body><h1>x</h1><label for="q">Q</label><input id="q" name="q"></body></html>'
    assert _problems(labelled) == []
