"""Issue 7's "Done when", played as a script would: token, search, fetch, recognize, QA, stale update."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from termbase.config import PROJECT_ROOT

Headers = dict[str, str]
SEED = PROJECT_ROOT / "seeds" / "002_ca235f7d959e2d04.txt"


def _seed_pair() -> tuple[str, str]:
    """A sentence pair from a seed document (Traditional Chinese | English)."""
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if "網絡安全" in line and " | " in line:
            zh, _, en = line.partition(" | ")
            return zh.strip(), en.strip(" |")
    raise AssertionError("the seed sentence is missing")


def test_a_script_with_a_token_can_do_the_whole_round(
    client: FlaskClient, bearer: Callable[[str], Headers]
) -> None:
    editor = bearer("editor")
    # The editor enters three approved concepts through the API.
    created = {}
    for zh, en in (
        ("网络空间", "cyberspace"),
        ("网络安全", "cybersecurity"),
        ("全球治理", "global governance"),
    ):
        response = client.post(
            "/api/v1/concepts",
            json={
                "status": "approved",
                "terms": [
                    {"language": "zh-Hans", "text": zh, "usage_status": "preferred"},
                    {"language": "en", "text": en, "usage_status": "preferred"},
                ],
            },
            headers=editor,
        )
        assert response.status_code == 201, response.get_json()
        created[en] = response.get_json()

    # 1. Search: pinyin without tones finds the concept.
    response = client.get("/api/v1/search", query_string={"q": "wangluo anquan"}, headers=editor)
    assert response.status_code == 200
    found = response.get_json()
    assert found["items"][0]["concept_id"] == created["cybersecurity"]["id"]
    assert found["items"][0]["en"] == "cybersecurity"

    # 2. Fetch the concept: terms, pinyin and the version to lock on.
    concept_id = created["cybersecurity"]["id"]
    response = client.get(f"/api/v1/concepts/{concept_id}", headers=editor)
    assert response.status_code == 200
    concept = response.get_json()
    assert response.headers["ETag"] == f'"{concept["version"]}"'
    assert {(t["language"], t["text"], (t["pinyin"] or "").replace(" ", "")) for t in concept["terms"]} == {
        ("zh-Hans", "网络安全", "wǎngluòānquán"),
        ("en", "cybersecurity", ""),
    }

    # 3. Recognize the terms of a seed sentence, written in Traditional Chinese.
    zh, en = _seed_pair()
    response = client.post("/api/v1/recognize", json={"text": zh}, headers=editor)
    assert response.status_code == 200
    matches = response.get_json()["matches"]
    assert [m["text"] for m in matches] == ["網絡空間", "網絡安全", "網絡空間", "全球治理"]
    for match in matches:
        assert zh[match["start"] : match["end"]] == match["text"]
    assert matches[1]["equivalents"] == [
        {
            "term_id": matches[1]["equivalents"][0]["term_id"],
            "language": "en",
            "text": "cybersecurity",
            "usage_status": "preferred",
            "reviewed": True,
        }
    ]
    # The English side writes "cyber-security": still the same term.
    response = client.post("/api/v1/recognize", json={"text": en}, headers=editor)
    assert [m["text"] for m in response.get_json()["matches"]] == [
        "Cyberspace",
        "cyber-security",
        "global governance",
        "cyberspace",
    ]

    # 4. QA flags the approved term the translation leaves out.
    translation = en.replace("cyber-security", "network")
    response = client.post("/api/v1/qa", json={"source": zh, "target": translation}, headers=editor)
    assert response.status_code == 200
    [issue] = response.get_json()["issues"]
    assert issue["kind"] == "missing_term"
    assert zh[issue["start"] : issue["end"]] == "網絡安全"
    assert [s["text"] for s in issue["suggestions"]] == ["cybersecurity"]
    response = client.post("/api/v1/qa", json={"source": zh, "target": en}, headers=editor)
    assert response.get_json()["issues"] == []

    # 5. A stale update gets 409, and nothing is overwritten.
    version = concept["version"]
    response = client.patch(
        f"/api/v1/concepts/{concept_id}", json={"note": "first", "version": version}, headers=editor
    )
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/concepts/{concept_id}", json={"note": "second", "version": version}, headers=editor
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["details"]["current_version"] == version + 1
    assert client.get(f"/api/v1/concepts/{concept_id}", headers=editor).get_json()["note"] == "first"
