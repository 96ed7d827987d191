"""The import matching policy: an entry updates a concept only when it is the same concept.

Same concept: the same id in a file this termbase exported, the same id in a file of the
same name, or (without ids) the same Chinese and English terms. Anything else is new, and
flagged as a possible duplicate when it shares a term.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.models import Concept, ConceptSource, Term
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput
from termbase.services.errors import Invalid


def run_import(session: Session, data: bytes, name: str, **kwargs: Any) -> Any:
    kwargs.setdefault("dry_run", False)
    report = import_file(session, io.BytesIO(data), filename=name, actor="importer", **kwargs)
    session.commit()
    return report


def export(session: Session, **options: Any) -> bytes:
    options.setdefault("status", "all")
    return b"".join(
        export_stream(session, ExportOptions(exported_at=datetime(2026, 1, 2, tzinfo=UTC), **options))
    )


def terms_of(session: Session, concept_id: int) -> set[str]:
    return set(session.scalars(select(Term.text).where(Term.concept_id == concept_id)))


def concepts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Concept)) or 0


def tbx(*entries: str) -> bytes:
    body = "".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="en"><martifHeader>'
        "<fileDesc><sourceDesc><p>a vendor glossary</p></sourceDesc></fileDesc></martifHeader>"
        f"<text><body>{body}</body></text></martif>\n"
    ).encode()


def entry(entry_id: str, en: str, zh: str, subject: str) -> str:
    return (
        f'<termEntry id="{entry_id}"><descrip type="subjectField">{subject}</descrip>'
        f'<langSet xml:lang="en"><tig><term>{en}</term></tig></langSet>'
        f'<langSet xml:lang="zh"><tig><term>{zh}</term></tig></langSet></termEntry>'
    )


def test_homonyms_in_one_glossary_stay_separate_concepts(session: Session) -> None:
    data = "en,zh,comment\nok,确定,the button\nok,成功,the state\n".encode()
    report = run_import(session, data, "ui.csv")
    assert (report.new, report.flagged, report.updated) == (2, 1, 0)
    first, second = session.scalars(select(Concept.id).order_by(Concept.id)).all()
    assert terms_of(session, first) == {"ok", "确定"}
    assert terms_of(session, second) == {"ok", "成功"}
    assert [(c.action, c.label, c.duplicates) for c in report.changes] == [
        ("new", "确定 / ok", []),
        ("flagged", "成功 / ok", [first]),
    ]


def test_homonyms_in_one_tbx_keep_their_own_subject_fields(session: Session) -> None:
    data = tbx(entry("e1", "ok", "确定", "user interface"), entry("e2", "ok", "成功", "networking"))
    report = run_import(session, data, "vendor.tbx")
    assert (report.new, report.flagged) == (2, 1)
    rows = session.execute(select(Concept.id, Concept.subject_field).order_by(Concept.id)).all()
    assert [subject for _id, subject in rows] == ["user interface", "networking"]
    sources = session.execute(
        select(ConceptSource.source_id, ConceptSource.concept_id).order_by(ConceptSource.id)
    )
    assert [tuple(row) for row in sources] == [("e1", rows[0][0]), ("e2", rows[1][0])]


def test_the_same_file_again_updates_each_entry_by_its_id(session: Session) -> None:
    run_import(session, tbx(entry("e1", "ok", "确定", "ui"), entry("e2", "ok", "成功", "net")), "vendor.tbx")
    first, second = session.scalars(select(Concept.id).order_by(Concept.id)).all()
    # The vendor renamed e2's English term: the id, not the shared "ok", says which concept it is.
    report = run_import(
        session, tbx(entry("e1", "ok", "确定", "ui"), entry("e2", "success", "成功", "net")), "vendor.tbx"
    )
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    assert terms_of(session, second) == {"ok", "success", "成功"}
    assert terms_of(session, first) == {"ok", "确定"}
    assert [(c.action, c.concept, c.added) for c in report.changes] == [("updated", second, ["success"])]


def test_the_same_ids_from_another_file_are_other_concepts(session: Session) -> None:
    run_import(session, tbx(entry("e1", "ok", "确定", "ui")), "vendor.tbx")
    report = run_import(session, tbx(entry("e1", "cancel", "取消", "ui")), "other.tbx")
    assert (report.new, report.flagged, report.updated) == (1, 0, 0)
    assert concepts(session) == 2


def test_a_reexported_file_updates_concepts_by_id_even_with_changed_terms(session: Session) -> None:
    one = concept_service.create_concept(
        session, [TermInput("zh-Hans", "数据"), TermInput("en", "data")], actor="li"
    )
    two = concept_service.create_concept(
        session, [TermInput("zh-Hans", "网络"), TermInput("en", "network")], actor="li"
    )
    session.commit()
    data = export(session)
    assert f'<termEntry id="c{two.id}">'.encode() in data
    edited = data.replace(b"<term>network</term>", b"<term>net</term>")
    report = run_import(session, edited, "edited.tbx")
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    assert terms_of(session, two.id) == {"网络", "network", "net"}
    assert terms_of(session, one.id) == {"数据", "data"}


def test_a_file_another_termbase_exported_is_not_matched_by_its_ids(session: Session) -> None:
    concept_service.create_concept(
        session, [TermInput("zh-Hans", "数据"), TermInput("en", "data")], actor="li"
    )
    other = concept_service.create_concept(
        session, [TermInput("zh-Hans", "网络"), TermInput("en", "net")], actor="li"
    )
    session.commit()
    data = export(session)
    foreign = re.sub(rb"termbase id: [0-9]+", b"termbase id: 7", data).replace(
        b"<term>net</term>", b"<term>web</term>"
    )
    report = run_import(session, foreign, "theirs.tbx")
    # The "数据/data" entry holds the same terms but has an id: an id from another termbase is its own.
    assert (report.new, report.flagged, report.updated) == (2, 2, 0)
    assert terms_of(session, other.id) == {"网络", "net"}
    assert concepts(session) == 4


def test_a_glossary_export_reimported_into_an_empty_termbase_keeps_concepts_whole(
    session: Session, app: Flask
) -> None:
    terms = [TermInput("zh-Hans", "网络"), TermInput("en", "network"), TermInput("en", "net")]
    concept = concept_service.create_concept(session, terms, actor="li")
    session.commit()
    data = export(session, format="csv")
    assert len(data.decode("utf-8-sig").splitlines()) == 3  # a # header and one row per pair
    session.delete(concept)
    session.commit()
    report = run_import(session, data, "glossary.csv")
    assert (report.new, report.flagged, report.updated) == (1, 0, 1)
    (only,) = session.scalars(select(Concept.id)).all()
    assert terms_of(session, only) == {"网络", "network", "net"}


def test_the_dry_run_lists_what_each_entry_would_do(
    session: Session, app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    existing = concept_service.create_concept(
        session, [TermInput("zh-Hans", "网络"), TermInput("en", "network")], actor="li"
    )
    session.commit()
    data = "zh,en\n网络,Network\n网络,net\n数据,data\n".encode()
    report = run_import(session, data, "g.csv", dry_run=True)
    assert [(c.action, c.line, c.concept, c.renamed, c.duplicates) for c in report.changes] == [
        ("updated", 2, existing.id, [("network", "Network")], []),
        ("flagged", 3, None, [], [existing.id]),
        ("new", 4, None, [], []),
    ]
    assert concepts(session) == 1
    path = tmp_path / "g.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"updated  line 2: 网络 / Network -> concept {existing.id}; renames network -> Network" in lines
    assert f"flagged  line 3: 网络 / net; shares a term with concept {existing.id}" in lines
    assert "new      line 4: 数据 / data" in lines
    assert (
        lines[-1]
        == "g.csv (csv, dry run, nothing written): 2 new (1 possible duplicates), 1 updated, 0 unchanged"
    )


@pytest.mark.parametrize("name", ["broken.csv", "broken"])
def test_a_csv_with_an_unterminated_quote_is_refused_with_its_line(session: Session, name: str) -> None:
    data = 'zh,en,comment\n网络,network,fine\n数据,"data,never closed\n治理,governance,\n'.encode()
    with pytest.raises(Invalid) as caught:
        run_import(session, data, name)
    assert "never closed" in caught.value.message
    assert caught.value.details == {"file": name, "line": 3}
    assert concepts(session) == 0
