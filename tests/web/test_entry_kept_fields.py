"""An imported TBX file's other languages, fields, links and transactions on the entry page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Term

LISA = Path(__file__).resolve().parent.parent / "data" / "tbx" / "real" / "lisa-TBX-basic-sample-2008.tbx"


@pytest.fixture
def imported(session: Session) -> dict[str, int]:
    """Concept ids by one of their English terms."""
    import_file(session, LISA, filename=LISA.name, dry_run=False, actor="t", default_status="approved")
    session.commit()
    return {
        text: cid
        for text, cid in session.execute(select(Term.text, Term.concept_id).where(Term.language == "en"))
    }


def test_terms_in_other_languages_are_shown_under_their_language(
    client: FlaskClient, imported: dict[str, int]
) -> None:
    html = client.get(f"/concepts/{imported['progressive lens']}").get_data(as_text=True)
    assert '<span class="term-text" lang="de" data-copy-text>Gleitsichtglas</span>' in html
    assert '<span class="term-text" lang="fr" data-copy-text>lentille progressive</span>' in html
    assert html.index(">Gleitsichtglas<") > html.index(">progressive lens<")
    # The headline's Chinese slot stays empty: a German term is not Chinese.
    assert 'class="h-zh"' not in html
    assert "feminine" in html  # the French term's grammatical gender
    assert '<h3 class="lang-title" lang="en">German (de)</h3>' in html
    assert '<h3 class="lang-title" lang="en">French (fr)</h3>' in html


def test_kept_fields_links_and_transactions_are_shown(
    client: FlaskClient, imported: dict[str, int], as_role: Callable[[str | None], FlaskClient]
) -> None:
    scheduled, unscheduled = imported["scheduled operation"], imported["unscheduled operation"]
    html = client.get(f"/concepts/{scheduled}").get_data(as_text=True)
    kept = html[html.index('id="kept"') :]
    assert '<a href="http://www.lisa.org/logo.gif" rel="nofollow noopener">LISA logo</a>' in kept
    assert f'<a href="/concepts/{unscheduled}">unscheduled operation</a>' in kept
    assert "Tivoli Storage Manager" in html  # the term's project subset
    assert "Canada" in html  # its geographical usage
    other = client.get(f"/concepts/{unscheduled}").get_data(as_text=True)
    assert f'<a href="/concepts/{scheduled}">scheduled operation</a>' in other
    history = as_role("translator").get(f"/concepts/{unscheduled}/history").get_data(as_text=True)
    assert "origination of term “unscheduled operation” (en)" in history
    assert re.search(r"created \(in the imported file\)</strong>\s+by Jane", history)


def test_the_api_gives_other_languages_fields_and_links(
    as_role: Callable[[str | None], FlaskClient], imported: dict[str, int]
) -> None:
    client = as_role("translator")
    concept = client.get(f"/api/v1/concepts/{imported['scheduled operation']}").get_json()
    assert {"type": "xGraphic", "target": "http://www.lisa.org/logo.gif"}.items() <= concept["fields"][
        1
    ].items()
    assert concept["links"] == [
        {
            "concept_id": imported["unscheduled operation"],
            "type": "crossReference",
            "value": "unscheduled operation",
            "language": None,
            "term_id": None,
        }
    ]
    [term] = concept["terms"]
    assert ("termNote", "geographicalUsage", "Canada") in [
        (f["element"], f["type"], f["value"]) for f in term["fields"]
    ]
    lens = client.get(f"/api/v1/concepts/{imported['progressive lens']}").get_json()
    assert {"de", "fr"} <= {t["language"] for t in lens["terms"]}
