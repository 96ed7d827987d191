"""Our exports inside real CAT-tool readers: OmegaT's own glossary code and translate-toolkit.

The OmegaT test compiles ``omegat/OmegatGlossary.java`` against Debian's OmegaT (3.6) and
loads the files through ``GlossaryManager``, as OmegaT does for a project's glossary folder:
by file name, then ``GlossaryReaderTBX``/``CSV``/``TSV``. Without java or OmegaT it skips with
the reason, unless TERMBASE_REQUIRE_OMEGAT is set (CI installs both, see ``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tbx_validation import all_errors
from translate.storage import tbx as tt_tbx

from termbase.exchange.exporting import ExportOptions, export_stream, filename
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput
from termbase.tbx.vocab import Generation

HARNESS = Path(__file__).resolve().parent / "omegat" / "OmegatGlossary.java"
OMEGAT_JAR = Path(os.environ.get("TERMBASE_OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
WHEN = datetime(2026, 3, 4, tzinfo=UTC)


@pytest.fixture(scope="session")
def omegat(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that prints what OmegaT makes of glossary files: SOURCE TARGET FILE..."""
    java, javac = shutil.which("java"), shutil.which("javac")
    reason = None
    if not java or not javac:
        reason = "OmegaT test skipped: no java/javac (apt-get install default-jdk-headless)"
    elif not OMEGAT_JAR.exists():
        reason = f"OmegaT test skipped: {OMEGAT_JAR} is missing (apt-get install omegat)"
    if reason:
        if os.environ.get("TERMBASE_REQUIRE_OMEGAT"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert java
    assert javac
    classes = tmp_path_factory.mktemp("omegat")
    subprocess.run([javac, "-cp", str(OMEGAT_JAR), "-d", str(classes), str(HARNESS)], check=True)
    return [java, "-Djava.awt.headless=true", "-cp", f"{OMEGAT_JAR}{os.pathsep}{classes}", "OmegatGlossary"]


def load_in_omegat(
    command: list[str], path: Path, source: str = "zh-CN", target: str = "en-US"
) -> list[tuple[str, str, str]]:
    """(source, target, comment) of each entry OmegaT reads from ``path``; [] when it ignores the file."""
    result = subprocess.run([*command, source, target, str(path)], capture_output=True, text=True, check=True)
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    (header,) = [line for line in lines if line[0] == "FILE"]
    entries = [tuple(line[1:]) for line in lines if line[0] == "ENTRY"]
    assert int(header[2]) in (len(entries), -1)
    return entries  # type: ignore[return-value]


def build(session: Session) -> None:
    """Three concepts: one with a deprecated English term, a Traditional spelling and contexts."""
    concept_service.create_concept(
        session,
        [
            TermInput("zh-Hans", "数据主权", usage_status="preferred", part_of_speech="noun"),
            TermInput("zh-Hant", "數據主權"),
            TermInput("en", "data sovereignty", usage_status="preferred", part_of_speech="noun"),
            TermInput("en", "data ownership", usage_status="deprecated"),
        ],
        actor="li",
        status="approved",
        definitions={"en": "A state's authority over data made within its borders."},
    )
    concept_service.create_concept(
        session,
        [TermInput("zh-Hans", "接口"), TermInput("en", "interface")],
        actor="li",
        status="approved",
    )
    concept_service.create_concept(
        session,
        [
            TermInput("zh-Hans", "接口"),
            TermInput("en", "port"),
            TermInput("en", "jack", usage_status="superseded"),
        ],
        actor="li",
        status="approved",
        note="hardware",
    )
    session.commit()


def exported(session: Session, folder: Path, **options: Any) -> Path:
    opts = ExportOptions(exported_at=WHEN, **options)
    path = folder / filename(opts)
    path.write_bytes(b"".join(export_stream(session, opts)))
    return path


EXPECTED = {
    ("数据主权", "data sovereignty"),
    ("接口", "interface"),
    ("接口", "port"),
}
DEPRECATED = {"data ownership", "jack"}


def test_omegat_reads_our_tbx_for_cat_tools(session: Session, omegat: list[str], tmp_path: Path) -> None:
    build(session)
    path = exported(session, tmp_path, format="tbx-basic-2008", for_cat_tools=True)
    assert all_errors(path.read_bytes(), Generation.TBX_2008) == []
    entries = load_in_omegat(omegat, path)
    # OmegaT compares only the primary language subtag: the Traditional spelling is a source too.
    assert {(source, target) for source, target, _comment in entries} == EXPECTED | {
        ("數據主權", "data sovereignty")
    }
    assert len(entries) == 4
    assert not DEPRECATED & {target for _source, target, _comment in entries}
    comments = {(source, target): comment for source, target, comment in entries}
    assert "avoid (en-US): data ownership" in comments[("数据主权", "data sovereignty")]
    assert "avoid (en-US): jack" in comments[("接口", "port")]
    for comment in comments.values():
        for noise in ("termbase:", "admittedTerm", "deprecatedTerm"):
            assert noise not in comment


def test_the_complete_tbx_would_offer_deprecated_terms_in_omegat(
    session: Session, omegat: list[str], tmp_path: Path
) -> None:
    """Why the CAT-tool TBX exists: OmegaT 3.6 reads no status and offers every term."""
    build(session)
    entries = load_in_omegat(omegat, exported(session, tmp_path, format="tbx-basic-2008"))
    assert {target for _source, target, _comment in entries} >= DEPRECATED


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_omegat_reads_our_glossaries(session: Session, omegat: list[str], tmp_path: Path, fmt: str) -> None:
    build(session)
    path = exported(session, tmp_path, format=fmt)
    assert path.suffix == (".csv" if fmt == "csv" else ".utf8")  # a name OmegaT 3.6 loads
    entries = load_in_omegat(omegat, path)
    # No header row among the entries, nothing deprecated offered, the id column not in the comment.
    assert {(source, target) for source, target, _comment in entries} == EXPECTED
    assert len(entries) == 3
    comments = {(source, target): comment for source, target, comment in entries}
    assert comments[("数据主权", "data sovereignty")].endswith("avoid: data ownership")
    assert comments[("接口", "port")] == "pinyin: jiēkǒu | note: hardware | avoid: jack"


def test_omegat_before_5_5_ignores_a_file_named_tsv(
    session: Session, omegat: list[str], tmp_path: Path
) -> None:
    build(session)
    path = exported(session, tmp_path, format="tsv")
    renamed = path.rename(path.with_suffix(".tsv"))
    assert load_in_omegat(omegat, renamed) == []


@pytest.mark.parametrize("for_cat_tools", [False, True])
def test_translate_toolkit_reads_chinese_to_english_with_and_without_hints(
    session: Session, tmp_path: Path, for_cat_tools: bool
) -> None:
    build(session)
    data = exported(session, tmp_path, format="tbx-basic-2008", for_cat_tools=for_cat_tools).read_bytes()
    plain = tt_tbx.tbxfile.parsestring(data)  # no hints: the first two language sections
    hinted = tt_tbx.tbxfile(sourcelanguage="zh-CN", targetlanguage="en-US")
    hinted.parse(data)
    for store in (plain, hinted):
        assert [(unit.source, unit.target) for unit in store.units] == [
            ("数据主权", "data sovereignty"),
            ("接口", "interface"),
            ("接口", "port"),
        ]
