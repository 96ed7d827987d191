"""The lookup page: every reading of a query, the live-search fragment, did-you-mean, visibility."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.services.concepts import TermInput, create_concept


def _rows(html: str) -> int:
    return html.count('<tr class="hit ')


@pytest.mark.parametrize(
    "query",
    [
        "网络主权",
        "網絡主權",
        "wangluo zhuquan",
        "wǎngluò zhǔquán",
        "wangluozhuquan",
        "wlzq",
        "Cyber-Sovereignty",
    ],
)
def test_lookup_finds_the_entry_in_every_reading(client: FlaskClient, sample: Sample, query: str) -> None:
    response = client.get("/", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/concepts/{sample.sovereignty}"' in html
    assert "wǎngluò zhǔquán" in html
    assert "cyber sovereignty" in html
    # Approved rows carry no status badge (only candidates are flagged), and no usage column.
    assert "badge status-" not in html
    assert "badge usage-" not in html


def test_results_are_ranked_exact_then_prefix_then_contains(
    client: FlaskClient, session: Session, sample: Sample
) -> None:
    bare = create_concept(
        session,
        [TermInput(language="zh-Hans", text="主权"), TermInput(language="en", text="sovereignty")],
        actor="test",
        status="approved",
    )
    session.commit()
    html = client.get("/", query_string={"q": "sovereignty"}).get_data(as_text=True)
    rows = re.findall(
        r'<tr class="hit match-(\w+)">\s*<td class="zh">\s*<a class="hit-link" href="/concepts/(\d+)"', html
    )
    assert rows == [("exact", str(bare.id)), ("contains", str(sample.sovereignty))]
    prefix = client.get("/", query_string={"q": "网络"}).get_data(as_text=True)
    assert set(re.findall(r'<tr class="hit match-(\w+)">', prefix)) == {"prefix"}


def test_live_search_gets_the_fragment_only(client: FlaskClient, sample: Sample) -> None:
    full = client.get("/", query_string={"q": "wlzq"})
    partial = client.get("/", query_string={"q": "wlzq"}, headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = partial.get_data(as_text=True)
    assert "<html" not in body
    assert "<header" not in body
    assert 'class="hits"' in body
    assert "HX-Request" in partial.headers["Vary"]
    assert "HX-Request" in full.headers["Vary"]


def test_page_works_without_javascript(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<form class="lookup" method="get" action="/"' in html
    assert 'name="q"' in html
    assert "<script" in html
    assert 'src="/static/js/app.js"' in html
    assert "onclick" not in html
    assert "<script>" not in html


def test_did_you_mean(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/", query_string={"q": "cyber soverignty"}).get_data(as_text=True)
    assert "No entry matches" in html
    assert "Did you mean" in html
    assert "/?q=cyber+sovereignty" in html


def test_anonymous_visitors_see_approved_entries_only(
    client: FlaskClient, sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    anonymous = client.get("/", query_string={"q": "cyber attack"}).get_data(as_text=True)
    assert _rows(anonymous) == 0
    assert "网络攻击" not in anonymous
    assert 'href="/login?next=/?q%3Dcyber%2Battack"' in anonymous
    translator = as_role("translator").get("/", query_string={"q": "cyber attack"}).get_data(as_text=True)
    assert _rows(translator) == 1
    assert "badge status-candidate" in translator


def test_anonymous_search_does_not_tell_whether_unreviewed_entries_match(
    client: FlaskClient, sample: Sample
) -> None:
    """Anyone may search: a hint that a candidate matches would let them probe unpublished texts."""

    def notice(query: str) -> str:
        html = client.get("/", query_string={"q": query}).get_data(as_text=True)
        assert _rows(html) == 0
        assert "awaiting review" not in html
        found = re.search(r'<p class="notice public-only">(.*?)</p>', html, re.S)
        assert found is not None
        return re.sub(r'href="[^"]*"', "href", found.group(1))  # the link carries the query

    candidate = notice("cyber attack")  # a candidate's English term
    rejected = notice("community of shared future")  # a rejected entry's
    nothing = notice("zzqx nothing like it")
    assert candidate == rejected == nothing
    assert "Only approved entries are public" in nothing


def test_status_filter_for_readers_of_everything(
    sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    client = as_role("translator")
    assert _rows(client.get("/?q=community of shared future").get_data(as_text=True)) == 0
    rejected = client.get("/?q=community of shared future&status=rejected").get_data(as_text=True)
    assert _rows(rejected) == 1
    assert "badge status-rejected" in rejected


def test_anonymous_access_none_sends_visitors_to_login(
    app: Flask, client: FlaskClient, sample: Sample
) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none"
    response = client.get("/?q=wlzq")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_query_text_is_escaped(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_deprecated_rendering_is_struck_through_beside_the_preferred_one(
    client: FlaskClient, session: Session
) -> None:
    create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="星桥"),
            TermInput(language="en", text="star bridge", usage_status="preferred"),
            TermInput(language="en", text="star span", usage_status="deprecated"),
        ],
        actor="test",
        status="approved",
    )
    session.commit()
    html = client.get("/", query_string={"q": "star span"}).get_data(as_text=True)
    row = html[html.index('<tr class="hit') :]
    row = row[: row.index("</tr>")]
    assert '<td class="en" lang="en">star bridge' in row  # the preferred rendering is shown first
    assert '<del lang="en">star span</del>' in row
    assert '<span class="badge usage-deprecated" title="Usage status">do not use</span>' in row


def _concept_links(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a class="hit-link" href="/concepts/(\d+)"', html)]


def test_subject_field_filter_is_kept_in_the_url(client: FlaskClient, sample: Sample) -> None:
    everything = _concept_links(client.get("/?q=网络").get_data(as_text=True))
    assert {sample.sovereignty, sample.security, sample.space} <= set(everything)
    html = client.get("/", query_string={"q": "网络", "subject": "Internet governance"}).get_data(
        as_text=True
    )
    assert _concept_links(html) == [sample.sovereignty]
    assert "<option selected>Internet governance</option>" in html
    assert "in the subject field “Internet governance”" in html


def test_document_filter_keeps_entries_cited_in_it(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/", query_string={"q": "网络", "document": sample.document_slug}).get_data(
        as_text=True
    )
    found = set(_concept_links(html))
    assert found == {sample.sovereignty, sample.security}  # 网络空间 has no citation
    assert f'<option value="{sample.document_slug}" selected>' in html
    assert not _concept_links(client.get("/?q=网络&document=no-such-document").get_data(as_text=True))


def test_query_language_filter(client: FlaskClient, sample: Sample) -> None:
    assert _concept_links(client.get("/?q=wlzq&lang=zh").get_data(as_text=True)) == [sample.sovereignty]
    english_only = client.get("/?q=wlzq&lang=en").get_data(as_text=True)
    assert not _concept_links(english_only)
    assert "No entry matches with these filters." in english_only
    assert 'href="/?q=wlzq">Look up “wlzq” without them</a>' in english_only
    assert '<option value="en" selected>' in english_only
    # An unknown language is ignored, not an error.
    assert _concept_links(client.get("/?q=wlzq&lang=fr").get_data(as_text=True)) == [sample.sovereignty]


def test_filters_combine_with_status_and_survive_paging(
    sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    client = as_role("translator")
    html = client.get(
        "/", query_string={"q": "网络", "document": sample.document_slug, "status": "candidate"}
    ).get_data(as_text=True)
    assert _concept_links(html) == [sample.attack]
    assert '<option value="candidate" selected>' in html


def test_every_chinese_hit_shows_its_traditional_form(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/?q=网络").get_data(as_text=True)
    # 网络主权 has a Traditional term of its own; 网络安全 and 网络空间 get OpenCC's, the same way.
    for traditional in ("網絡主權", "網絡安全", "網絡空間"):
        assert f'<span class="variant" lang="zh-Hant">{traditional}</span>' in html
    api = client.get("/api/v1/search", query_string={"q": "网络安全"}).get_json()
    assert api["items"][0]["zh_hant"] == "網絡安全"
