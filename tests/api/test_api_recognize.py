"""POST /recognize and POST /qa."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from termbase.api.recognize import offset_converter

Headers = dict[str, str]


def _recognize(client: FlaskClient, text: str, headers: Headers | None = None, **extra: object) -> list[dict]:
    response = client.post("/api/v1/recognize", json={"text": text, **extra}, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    matches: list[dict] = response.get_json()["matches"]
    return matches


def test_recognize_chinese_and_english(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    text = "維護網絡安全，推进全球治理 — cyber-security and Global Governance."
    matches = _recognize(client, text, editor)
    assert [(m["text"], m["concept_id"]) for m in matches] == [
        ("網絡安全", termbase["security"]),
        ("全球治理", termbase["governance"]),
        ("cyber-security", termbase["security"]),
        ("Global Governance", termbase["governance"]),
    ]
    first = matches[0]
    assert text[first["start"] : first["end"]] == "網絡安全"
    assert (first["term_text"], first["language"], first["concept_status"]) == (
        "网络安全",
        "zh-Hans",
        "approved",
    )
    assert [e["text"] for e in first["equivalents"]] == ["cybersecurity"]  # the deprecated one is not offered
    assert [e["text"] for e in matches[2]["equivalents"]] == ["网络安全"]


def test_deprecated_usage_is_reported_as_such(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    [match] = _recognize(client, "Network Security matters", editor)
    assert (match["text"], match["usage_status"], match["term_text"]) == (
        "Network Security",
        "deprecated",
        "network security",
    )


def test_candidates_only_for_readers_who_may_see_them(
    client: FlaskClient, bearer: Callable[[str], Headers], termbase: dict[str, int]
) -> None:
    text = "数字丝绸之路和规则"
    translator = bearer("translator")
    assert _recognize(client, text, translator) == []  # approved entries only unless asked
    found = _recognize(client, text, translator, include_unapproved=True)
    assert [(m["text"], m["concept_status"], m["reviewed"]) for m in found] == [
        ("数字丝绸之路", "candidate", False)
    ]
    assert [e["reviewed"] for e in found[0]["equivalents"]] == [False]
    assert _recognize(client, text) == []  # anonymous: approved entries only, whatever is asked
    response = client.post("/api/v1/recognize", json={"text": text, "include_unapproved": True})
    assert response.get_json() == {"includes_unreviewed": False, "matches": []}


def test_recognition_follows_edits_at_once(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    assert _recognize(client, "the splinternet", editor, include_unapproved=True) == []
    response = client.post(
        "/api/v1/concepts", json={"terms": [{"language": "en", "text": "splinternets"}]}, headers=editor
    )
    assert response.status_code == 201
    found = _recognize(client, "the splinternet", editor, include_unapproved=True)
    assert [m["text"] for m in found] == ["splinternet"]
    concept = response.get_json()
    response = client.delete(f"/api/v1/concepts/{concept['id']}", headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 204
    assert _recognize(client, "the splinternet", editor, include_unapproved=True) == []


def test_utf16_offsets(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    text = "𠀀𠀁网络空间"
    [codepoints] = _recognize(client, text, editor)
    [utf16] = _recognize(client, text, editor, offsets="utf16")
    assert (codepoints["start"], codepoints["end"]) == (2, 6)
    assert (utf16["start"], utf16["end"]) == (4, 8)
    encoded = text.encode("utf-16-le")
    assert encoded[utf16["start"] * 2 : utf16["end"] * 2].decode("utf-16-le") == "网络空间"


@pytest.mark.parametrize(
    ("text", "offsets"), [("abc", [0, 2, 3]), ("a𠀀b", [0, 1, 2, 3]), ("𠀀𠀀", [0, 1, 2])]
)
def test_offset_converter(text: str, offsets: list[int]) -> None:
    at = offset_converter(text, "utf16")
    assert [len(text[:i].encode("utf-16-le")) // 2 for i in offsets] == [at(i) for i in offsets]
    assert offset_converter(text, "codepoint")(1) == 1


def test_empty_text(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    assert _recognize(client, "", editor) == []


# ---------------------------------------------------------------------------- QA


def _qa(client: FlaskClient, source: str, target: str, headers: Headers | None = None) -> list[dict]:
    response = client.post("/api/v1/qa", json={"source": source, "target": target}, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    issues: list[dict] = response.get_json()["issues"]
    return issues


def test_qa_flags_a_missing_approved_term(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    source = "我们要维护网络空间安全，推进全球治理。"
    issues = _qa(client, source, "We must keep the online space safe and advance global governance.", editor)
    [issue] = issues
    assert (issue["kind"], issue["side"], issue["text"]) == ("missing_term", "source", "网络空间")
    assert source[issue["start"] : issue["end"]] == "网络空间"
    assert issue["concept_id"] == termbase["cyberspace"]
    assert [s["text"] for s in issue["suggestions"]] == ["cyberspace"]
    assert "cyberspace" in issue["message"]
    assert _qa(client, source, "We must keep cyberspace safe and advance global governance.", editor) == []


def test_qa_flags_deprecated_target_terms(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    target = "Network security comes first."
    issues = _qa(client, "网络安全第一。", target, editor)
    assert [(i["kind"], i["side"], i["text"]) for i in issues] == [
        ("missing_term", "source", "网络安全"),
        ("deprecated_term", "target", "Network security"),
    ]
    deprecated = issues[1]
    assert target[deprecated["start"] : deprecated["end"]] == "Network security"
    assert deprecated["usage_status"] == "deprecated"
    assert [s["text"] for s in deprecated["suggestions"]] == ["cybersecurity"]


def test_qa_english_to_chinese_in_either_script(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    assert _qa(client, "Cyberspace governance", "網絡空間治理", editor) == []
    [issue] = _qa(client, "Cyberspace governance", "在线空间治理", editor)
    assert {s["language"] for s in issue["suggestions"]} == {"zh-Hans", "zh-Hant"}


def test_qa_ignores_candidates_and_works_anonymously(client: FlaskClient, termbase: dict[str, int]) -> None:
    assert _qa(client, "数字丝绸之路", "the new silk road") == []
    assert [i["text"] for i in _qa(client, "全球治理", "world rule")] == ["全球治理"]


def test_recognition_prefers_the_longest_term(
    client: FlaskClient, editor: Headers, make_concept: Callable[..., int]
) -> None:
    short = make_concept(("zh-Hans", "主权"), ("en", "sovereignty"))
    long = make_concept(("zh-Hans", "网络主权"), ("en", "cyber sovereignty"), status="candidate")
    text = "尊重网络主权和国家主权"
    # By default the unreviewed 网络主权 is not offered, and neither is the 主权 inside it.
    assert [(m["start"], m["concept_id"]) for m in _recognize(client, text, editor)] == [(9, short)]
    found = _recognize(client, text, editor, include_unapproved=True)
    assert [(m["text"], m["concept_id"], m["reviewed"]) for m in found] == [
        ("网络主权", long, False),
        ("主权", short, True),
    ]
    assert [(e["text"], e["reviewed"]) for e in found[1]["equivalents"]] == [("sovereignty", True)]


def test_qa_with_candidates_flags_them_unreviewed(
    client: FlaskClient, bearer: Callable[[str], Headers], termbase: dict[str, int]
) -> None:
    translator = bearer("translator")
    response = client.post(
        "/api/v1/qa",
        json={"source": "数字丝绸之路", "target": "the new silk road", "include_unapproved": True},
        headers=translator,
    )
    body = response.get_json()
    assert body["includes_unreviewed"] is True
    [issue] = body["issues"]
    assert (issue["text"], issue["reviewed"]) == ("数字丝绸之路", False)
    # Anonymous visitors cannot ask for candidates.
    anonymous = client.post(
        "/api/v1/qa", json={"source": "数字丝绸之路", "target": "x", "include_unapproved": True}
    ).get_json()
    assert anonymous == {"includes_unreviewed": False, "issues": []}


def test_openapi_documents_the_unreviewed_flags(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("RecognizedTerm", "Equivalent", "QAIssue"):
        assert "reviewed" in schemas[name]["required"], name
        assert "unreviewed" in schemas[name]["properties"]["reviewed"]["description"]
    for name in ("RecognizeRequest", "QARequest"):
        parameter = schemas[name]["properties"]["include_unapproved"]
        assert parameter["default"] is False
    for name in ("RecognizeResponse", "QAResponse"):
        assert "includes_unreviewed" in schemas[name]["required"]
