"""Imports hold to the same field limits as the web forms and the API, naming the file and line."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms.validators import Length

from termbase.api import schemas
from termbase.exchange.importing import import_file
from termbase.models import Concept, User
from termbase.records import (
    MAX_DEFINITION_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PINYIN_LENGTH,
    MAX_SUBJECT_FIELD_LENGTH,
    MAX_TERM_LENGTH,
)
from termbase.services.errors import Invalid
from termbase.web import forms


def _tbx(
    *, note: str = "", definition: str = "", subject: str = "", term_note: str = "", pinyin: str = ""
) -> bytes:
    concept = ""
    if subject:
        concept += f'<descrip type="subjectField">{subject}</descrip>'
    if definition:
        concept += f'<descrip type="definition">{definition}</descrip>'
    if note:
        concept += f"<note>{note}</note>"
    zh_extra = f'<termNote type="pronunciation">{pinyin}</termNote>' if pinyin else ""
    en_extra = f"<note>{term_note}</note>" if term_note else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX" xml:lang="en"><text><body>\n'
        '<termEntry id="ok"><langSet xml:lang="en"><tig><term>edge router</term></tig></langSet></termEntry>\n'
        f'<termEntry id="long">{concept}<langSet xml:lang="zh"><tig><term>边缘路由器</term>{zh_extra}</tig></langSet>'
        f'<langSet xml:lang="en"><tig><term>border router</term>{en_extra}</tig></langSet></termEntry>\n'
        "</body></text></martif>\n"
    ).encode()


def _import(session: Session, data: bytes, name: str = "limits.tbx") -> None:
    import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="ed")
    session.commit()


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Concept)) or 0


FIELDS = [
    ("note", MAX_NOTE_LENGTH, "note"),
    ("definition", MAX_DEFINITION_LENGTH, "definition"),
    ("subject", MAX_SUBJECT_FIELD_LENGTH, "subject_field"),
    ("term_note", MAX_NOTE_LENGTH, "term note"),
    ("pinyin", MAX_PINYIN_LENGTH, "pinyin"),
]


@pytest.mark.parametrize(("field", "limit", "element"), FIELDS)
def test_an_overlong_field_is_refused_with_file_line_and_field(
    session: Session, field: str, limit: int, element: str
) -> None:
    with pytest.raises(Invalid) as caught:
        _import(session, _tbx(**{field: "x" * (limit + 1)}))
    session.rollback()
    assert caught.value.details == {"file": "limits.tbx", "line": 4, "element": element}
    assert f"longer than {limit:,} characters" in caught.value.message
    assert _count(session) == 0  # the whole import is refused, the good entry too


def test_a_million_character_note_in_a_glossary_is_refused(session: Session) -> None:
    data = (
        "en-US,zh-CN,comment\nedge router,边缘路由器,short\nborder router,边界路由器,"
        + "y" * 1_000_000
        + "\n"
    ).encode()
    with pytest.raises(Invalid) as caught:
        _import(session, data, "glossary.csv")
    session.rollback()
    assert caught.value.details["file"] == "glossary.csv"
    assert caught.value.details["line"] == 3
    assert _count(session) == 0


def test_what_an_import_stores_the_edit_form_saves_again(
    session: Session, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    _import(
        session, _tbx(note="n" * MAX_NOTE_LENGTH, definition="d" * MAX_DEFINITION_LENGTH, subject="s" * 200)
    )
    concept = session.scalar(select(Concept).where(Concept.subject_field == "s" * 200))
    assert concept is not None
    make_user("ed", "editor")
    assert (
        client.post("/login", data={"username": "ed", "password": "correct horse battery"}).status_code == 303
    )
    definitions = {d.language: d.text for d in concept.definitions}
    response = client.post(
        f"/concepts/{concept.id}/edit",
        data={
            "subject_field": concept.subject_field,
            "note": concept.note + "",
            "definition_en": definitions.get("en", ""),
            "definition_zh": definitions.get("zh-Hans", ""),
            "version": str(concept.version),
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def _form_max(form: type, name: str) -> int:
    field = getattr(form, name)
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


def test_forms_and_api_state_the_same_limits() -> None:
    assert _form_max(forms.ConceptForm, "note") == MAX_NOTE_LENGTH
    assert _form_max(forms.ConceptForm, "definition_en") == MAX_DEFINITION_LENGTH
    assert _form_max(forms.NewConceptForm, "definition_zh") == MAX_DEFINITION_LENGTH
    assert _form_max(forms.ConceptForm, "subject_field") == MAX_SUBJECT_FIELD_LENGTH
    assert _form_max(forms.EditTermForm, "pinyin") == MAX_PINYIN_LENGTH
    assert _form_max(forms.EditTermForm, "text") == MAX_TERM_LENGTH
    schema = schemas.ConceptCreate.model_json_schema()
    props = schema["properties"]
    assert props["note"]["anyOf"][0]["maxLength"] == MAX_NOTE_LENGTH
    assert props["subject_field"]["anyOf"][0]["maxLength"] == MAX_SUBJECT_FIELD_LENGTH
    term = schema["$defs"]["TermCreate"]["properties"]
    assert term["pinyin"]["anyOf"][0]["maxLength"] == MAX_PINYIN_LENGTH
    assert term["text"]["maxLength"] == MAX_TERM_LENGTH
