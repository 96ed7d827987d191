"""A Chinese document to translate: Chinese segments, citations of known terms, new terms needing a rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from bilingual_fixtures import CHINESE_JOB as JOB
from bilingual_fixtures import known_concept as _known
from flask.testing import FlaskCliRunner
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.models import Concept, Document, Segment
from termbase.services.errors import NotFound
from termbase.services.ingesting import ingest_upload
from termbase.services.preparing import job_glossary, propose_source_terms


def _ingest(session: Session) -> str:
    report = ingest_upload(session, [("review-points.txt", JOB.encode("utf-8"))])
    session.commit()
    return report.documents[0].slug


def test_chinese_document_gets_citations_and_new_terms_needing_a_rendering(session: Session) -> None:
    known = _known(session)
    slug = _ingest(session)
    document = session.scalars(select(Document).where(Document.slug == slug)).one()
    assert document.layout == "zh-only"
    kinds = set(session.scalars(select(Segment.kind).where(Segment.document_id == document.id)))
    assert kinds == {"zh"}

    report = propose_source_terms(session, document_slug=slug, actor="translator")
    session.commit()
    assert report.new_citations == 1  # 网络主权, once
    assert report.new_candidates >= 3
    proposed = {
        c.terms[0].text: c for c in session.scalars(select(Concept).where(Concept.id.in_(report.proposals)))
    }
    for term in ("关键信息基础设施", "数据跨境流动", "电子商务"):
        assert term in proposed, sorted(proposed)
        concept = proposed[term]
        assert concept.status == "candidate"
        assert [t.language for t in concept.terms] == ["zh-Hans"]  # no English yet
        assert concept.evidence is not None
        assert concept.evidence["status"] == "needs a rendering"
        assert len(concept.terms[0].citations) == 2
    assert proposed["电子商务"].evidence["suggestion"] == "e-commerce"
    assert proposed["电子商务"].evidence["suggestion_source"] == "CC-CEDICT"
    assert proposed["数据跨境流动"].evidence["suggestion"] == "data + cross-border + flow"
    assert "Needs a rendering. Suggested by CC-CEDICT: e-commerce" in (proposed["电子商务"].note or "")
    assert "网络主权" not in proposed
    assert "主权" not in proposed

    glossary = job_glossary(session, slug)
    assert [(e.chinese, e.renderings, e.occurrences) for e in glossary.known] == [
        ("网络主权", ["cyber sovereignty", "Internet sovereignty"], 1)
    ]
    assert glossary.known[0].concept_id == known.id
    new = {e.chinese: e for e in glossary.new}
    assert new["关键信息基础设施"].occurrences == 2
    assert new["电子商务"].suggestion == "e-commerce"
    assert all(e.needs_rendering for e in glossary.new)

    # Again: nothing is proposed or cited twice.
    again = propose_source_terms(session, document_slug=slug, actor="translator")
    assert (again.new_candidates, again.new_citations) == (0, 0)
    assert len(job_glossary(session, slug).new) == len(glossary.new)


def test_unknown_document_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        job_glossary(session, "nothing-here")


def test_cli_extract_then_export_the_document_glossary_as_tbx(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    _known(session)
    source = tmp_path / "review-points.txt"
    source.write_text(JOB, encoding="utf-8")
    assert runner.invoke(args=["ingest", str(source)]).exit_code == 0
    result = runner.invoke(args=["extract", "--document", "review-points"])
    assert result.exit_code == 0, result.output
    assert "new term(s) that need a rendering" in result.output
    out = tmp_path / "job.tbx"
    result = runner.invoke(
        args=[
            "export",
            "--format",
            "tbx-basic-2008",
            "--status",
            "all",
            "--document",
            "review-points",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(out))
    terms = {t.text for t in tree.iter("term")}
    assert {"网络主权", "cyber sovereignty", "关键信息基础设施", "电子商务"} <= terms
    notes = " ".join(n.text or "" for n in tree.iter("note"))
    assert "Suggested by CC-CEDICT: e-commerce" in notes
