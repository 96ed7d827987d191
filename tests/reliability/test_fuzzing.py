"""Hypothesis fuzzing of every reader and of search and recognition input, with a bounded budget.

Properties, on SQLite and PostgreSQL:

* the TBX, CSV/TSV, TMX and plain-text readers (through the import and ingest services)
  either succeed or raise ``Invalid``: never any other exception, whatever the bytes;
* whatever they store is clean: no NUL, control, invisible or bidi characters in a term,
  keys consistent with the text, nothing longer than the columns allow;
* search and recognition answer 200 (or a 400 that names the problem) for any text, in
  the web UI and the API: never a 5xx.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Segment, Term, User
from termbase.services.concepts import MAX_TERM_LENGTH
from termbase.services.errors import Invalid
from termbase.services.ingesting import ingest_upload
from termbase.text.normalize import INVISIBLE_RE, normalize_term

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "tbx" / "samples"
BUDGET = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TBX_2008 = (SAMPLES / "cyber_sovereignty.tbx-basic-2008.tbx").read_bytes()
TBX_V3 = (SAMPLES / "cyber_sovereignty.tbx-basic-v3.tbx").read_bytes()
TMX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" '
    'segtype="sentence" adminlang="en" creationtool="x" creationtoolversion="1" o-tmf="x"/><body>'
    '<tu><tuv xml:lang="zh-CN"><seg>各国应当尊重彼此的网络主权。</seg></tuv>'
    '<tuv xml:lang="en"><seg>All states should respect each other\'s cyber sovereignty.</seg></tuv></tu>'
    '<tu><tuv xml:lang="zh-CN"><seg>网络空间不是法外之地。</seg></tuv>'
    '<tuv xml:lang="en"><seg>Cyberspace is not a place beyond the rule of law.</seg></tuv></tu>'
    "</body></tmx>\n"
).encode()

# Pieces that break parsers, encodings and databases in interesting ways.
NASTY = [
    b"\x00",
    b"\xff\xfe",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    "\u200b".encode(),
    "\u202e".encode(),
    "\u061c".encode(),
    "\ufeff".encode(),
    b"&#0;",
    b"&#xD800;",
    b"&#x202E;",
    b"&#x1b;",
    b"&amp;",
    b"&nope;",
    b"<",
    b">",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE martif [<!ENTITY a 'b'>]>",
    b"<term>",
    b"</term>",
    b'<langSet xml:lang="xx-">',
    b'"',
    b",",
    b"\t",
    b"\r\n",
    b"\n\n\n",
    "網絡主權".encode(),
    "𠀀".encode(),
    b"x" * 600,
    "网".encode() * 300,
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after a few random insertions, deletions and replacements."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "random"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif action == "delete":
            data[at : at + draw(st.integers(1, 200))] = b""
        elif action == "replace":
            data[at : at + draw(st.integers(1, 20))] = draw(st.sampled_from(NASTY))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
    return bytes(data)


# Cell text mixes ordinary characters with the troublesome ones, so that they meet every column.
TROUBLE = ["\x00", "\x07", "\x1b", "\r", "\u200b", "\u202e", "\u061c", "\ufeff", "\u3000", '"', ",", "\t"]
cells = st.one_of(
    st.text(alphabet=st.sampled_from([*"网络主權空间 cyber-sovereignty", *TROUBLE]), max_size=30),
    st.text(max_size=40),
    st.sampled_from(NASTY).map(lambda b: b.decode("utf-8", "replace")),
    st.sampled_from(["网络主权", "cyber sovereignty", "網絡空間", "", " ", "zh", "en", "note"]),
)


terms = st.one_of(
    st.sampled_from(["网络主权", "cyber sovereignty", "網絡空間", "数据安全", "data security"]), cells
)
HEADERS = [
    ["zh", "en"],
    ["en", "zh-Hans", "note"],
    ["zh", "en", "definition", "pinyin"],
    ["source", "target", "comment", "pos"],
    ["zh", "en", "note", "definition"],
]


@st.composite
def glossaries(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name and CSV or TSV text with random cells, quoting and encodings, or a mutation of it."""
    # Mostly well-formed files, so that the troublesome cells get as far as the database.
    name = draw(st.sampled_from(["fuzz.csv", "fuzz.tsv", "fuzz.txt"]))
    delimiter = "," if name.endswith(".csv") else "\t"
    if draw(st.integers(0, 9)) == 0:
        delimiter = draw(st.sampled_from([",", "\t", ";"]))
    header = draw(st.sampled_from(HEADERS))
    rows = draw(st.lists(st.tuples(terms, terms, cells, cells), min_size=1, max_size=6))
    lines = [header, *(list(row[: len(header)]) for row in rows)]
    if draw(st.integers(0, 9)) == 0:
        lines = lines[1:]  # no header
    quote = draw(st.booleans())
    text = "\n".join(delimiter.join(f'"{c}"' if quote else c for c in line) for line in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "gb18030"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data = draw(mutated(data or b"zh,en\n"))
    return name, data


def _assert_clean_terms(session: Session) -> None:
    for term in session.scalars(select(Term)):
        assert term.text
        assert term.text == term.text.strip()
        assert len(term.text) <= MAX_TERM_LENGTH
        assert not INVISIBLE_RE.search(term.text), repr(term.text)
        assert term.normalized == normalize_term(term.text)


def _import(session: Session, data: bytes, filename: str) -> None:
    refused: Invalid | None = None
    try:
        import_file(session, io.BytesIO(data), filename=filename, dry_run=False, actor="fuzz")
        session.flush()
        _assert_clean_terms(session)
    except Invalid as exc:
        refused = exc
    finally:
        session.rollback()
    if refused is not None:  # a clear message that names the file
        assert refused.message
        assert refused.details.get("file") == filename


@pytest.mark.parametrize("base", [TBX_2008, TBX_V3], ids=["tbx-2008", "tbx-v3"])
def test_fuzzed_tbx_is_imported_cleanly_or_refused(session: Session, base: bytes) -> None:
    @BUDGET
    @given(data=mutated(base))
    def run(data: bytes) -> None:
        _import(session, data, "fuzz.tbx")

    run()


def test_fuzzed_glossaries_are_imported_cleanly_or_refused(session: Session) -> None:
    @BUDGET
    @given(file=glossaries())
    def run(file: tuple[str, bytes]) -> None:
        _import(session, file[1], file[0])

    run()


def _ingest(session: Session, files: list[tuple[str, bytes]]) -> None:
    refused: Invalid | None = None
    try:
        ingest_upload(session, files, actor="fuzz")
        session.flush()
        for segment in session.scalars(select(Segment)):
            for text in (segment.zh_text, segment.en_text):
                assert text is None or "\x00" not in text
    except Invalid as exc:
        refused = exc
    finally:
        session.rollback()
    if refused is not None:
        assert refused.message


def test_fuzzed_tmx_is_ingested_or_refused(session: Session) -> None:
    @BUDGET
    @given(data=mutated(TMX))
    def run(data: bytes) -> None:
        _ingest(session, [("fuzz.tmx", data)])

    run()


plain_texts = st.one_of(
    st.binary(max_size=400),
    st.lists(st.tuples(cells, cells), max_size=6).map(
        lambda pairs: "\n".join(f"{zh} | {en}" for zh, en in pairs).encode("utf-8", "replace")
    ),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "replace")),
    st.text(max_size=200).map(lambda t: t.encode("utf-16")),
)


def test_fuzzed_text_documents_are_ingested_or_refused(session: Session) -> None:
    @BUDGET
    @given(data=plain_texts, name=st.sampled_from(["fuzz.txt", "fuzz.tsv", "fuzz.zh.txt"]))
    def run(data: bytes, name: str) -> None:
        _ingest(session, [(name, data)])

    run()


# ------------------------------------------------------------------ search and recognition over HTTP

# Anything a URL or a JSON string can carry (lone surrogates cannot be sent as UTF-8).
queries = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=120),
    st.sampled_from(
        [
            "' OR 1=1 --",
            "%",
            "_",
            "\\",
            "网络%主权",
            "wang'luo",
            "*",
            "\u202e网络",
            "网" * 5000,
            "a\x00b",
        ]
    ),
)


@pytest.fixture
def reader_headers(api_token: Callable[[str], str], login: Callable[[str], User]) -> dict[str, str]:
    login("translator")
    return {"Authorization": f"Bearer {api_token('translator')}"}


def test_search_and_recognition_never_fail_on_any_text(
    client: FlaskClient, reader_headers: dict[str, str], session: Session
) -> None:
    from termbase.services import concepts as concept_service
    from termbase.services.concepts import TermInput

    concept_service.create_concept(
        session,
        [TermInput(language="zh-Hans", text="网络主权"), TermInput(language="en", text="cyber sovereignty")],
        actor="t",
        status="approved",
    )
    session.commit()

    @BUDGET
    @given(q=queries)
    def run(q: str) -> None:
        answers = {
            "web search": client.get("/", query_string={"q": q}),
            "web paste": client.post("/paste", data={"text": q}),
            "api search": client.get("/api/v1/search", query_string={"q": q}, headers=reader_headers),
            "api recognize": client.post("/api/v1/recognize", json={"text": q}, headers=reader_headers),
            "api qa": client.post("/api/v1/qa", json={"source": q, "target": q}, headers=reader_headers),
        }
        for door, response in answers.items():
            assert response.status_code in (200, 400), (door, response.status_code, q)
            if response.status_code == 400 and door.startswith("api"):
                assert response.get_json()["error"]["message"]

    run()
