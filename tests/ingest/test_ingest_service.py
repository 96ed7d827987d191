"""The ingest service on SQLite and PostgreSQL: seeds, versions, atomic errors, uploads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Document, Segment
from termbase.services import ingesting
from termbase.services.errors import Invalid
from termbase.services.ingesting import ingest_path, ingest_upload
from termbase.text.normalize import apply_splits, match_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MANIFEST = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))["documents"]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _segments(session: Session, document: Document) -> list[Segment]:
    return list(
        session.scalars(select(Segment).where(Segment.document_id == document.id).order_by(Segment.position))
    )


def test_seeds_become_five_documents_with_their_metadata(session: Session) -> None:
    report = ingest_path(session, SEEDS, actor="test")
    session.commit()
    assert [d.status for d in report.documents] == ["new"] * 5
    assert report.skipped == [str(SEEDS / "README.md")]
    for entry in MANIFEST:
        document = session.scalars(select(Document).where(Document.slug == entry["slug"])).one()
        for key in ("title", "author", "date", "venue", "source_url", "layout"):
            assert getattr(document, key) == entry[key], key
        assert document.version == 1
        assert document.is_current
        assert document.filename == entry["file"]
        segments = _segments(session, document)
        assert [s.position for s in segments] == list(range(1, len(segments) + 1))
        kinds = {s.kind for s in segments}
        if entry["layout"] == "en-only":
            assert kinds == {"en"}
        else:
            assert sum(1 for s in segments if s.kind == "pair") >= 0.8 * len(segments)
        for segment in segments:
            for text, matched in ((segment.zh_text, segment.zh_match), (segment.en_text, segment.en_match)):
                assert (text is None) == (matched is None)
                if text is not None:
                    assert matched == match_text(text)
                    assert len(matched) == len(text)
    pipe = session.scalars(select(Document).where(Document.layout == "pipe-pairs")).one()
    assert pipe.zh_script == "zh-Hant"
    assert pipe.filename is not None
    lines = [line for line in (SEEDS / pipe.filename).read_text("utf-8").splitlines() if line]
    assert len(_segments(session, pipe)) == len(lines)


def test_glued_words_are_recorded_as_splits_of_the_original(session: Session) -> None:
    ingest_path(session, SEEDS)
    document = session.scalars(select(Document).where(Document.slug == MANIFEST[3]["slug"])).one()
    split = [s for s in _segments(session, document) if s.en_splits]
    assert split
    for segment in split:
        assert segment.en_text is not None
        view, _ = apply_splits(segment.en_text, segment.en_splits or [])
        assert view.replace(" ", "") == segment.en_text.replace(" ", "")
    assert any("autumnday" in (s.en_text or "") for s in split)


def test_second_run_changes_nothing(session: Session) -> None:
    ingest_path(session, SEEDS)
    session.commit()
    before = (
        _count(session, Document),
        _count(session, Segment),
        session.scalar(select(func.max(Segment.id))),
    )
    report = ingest_path(session, SEEDS)
    session.commit()
    assert [d.status for d in report.documents] == ["unchanged"] * 5
    assert not report.changed
    assert (
        _count(session, Document),
        _count(session, Segment),
        session.scalar(select(func.max(Segment.id))),
    ) == before


def test_changed_file_becomes_a_new_version_and_old_segments_stay(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "talk.txt"
    path.write_text("A talk on cyberspace.\n\nWe respect cyber sovereignty.\n", encoding="utf-8")
    first = ingest_path(session, path).documents[0]
    session.commit()
    old_segments = {s.id: s.en_text for s in _segments(session, session.get(Document, first.document_id))}  # type: ignore[arg-type]
    path.write_text(
        "A talk on cyberspace.\n\nWe respect cyber sovereignty and share the Internet.\n", encoding="utf-8"
    )
    second = ingest_path(session, path).documents[0]
    session.commit()
    assert (second.status, second.slug, second.version) == ("new-version", first.slug, 2)
    documents = list(
        session.scalars(select(Document).where(Document.slug == first.slug).order_by(Document.version))
    )
    assert [(d.version, d.is_current) for d in documents] == [(1, False), (2, True)]
    for segment_id, text in old_segments.items():
        assert session.get(Segment, segment_id).en_text == text  # type: ignore[union-attr]
    assert (
        _segments(session, documents[1])[-1].en_text == "We respect cyber sovereignty and share the Internet."
    )


def test_manifest_metadata_is_brought_up_to_date(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / MANIFEST[4]["file"], folder)
    manifest = {"documents": [{"file": MANIFEST[4]["file"], "slug": "ma-kai", "title": "First title"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert ingest_path(session, folder).documents[0].title == "First title"
    manifest["documents"][0]["title"] = "Better title"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = ingest_path(session, folder).documents[0]
    assert (result.status, result.title, result.version) == ("updated", "Better title", 1)


def test_same_content_under_another_name_is_not_duplicated(session: Session, tmp_path: Path) -> None:
    shutil.copy(SEEDS / MANIFEST[4]["file"], tmp_path / "copy.txt")
    ingest_path(session, SEEDS / MANIFEST[4]["file"])
    result = ingest_path(session, tmp_path / "copy.txt").documents[0]
    assert result.status == "unchanged"
    assert result.note is not None
    assert _count(session, Document) == 1


@pytest.mark.parametrize(
    ("name", "data", "message", "line"),
    [
        ("scan.txt", b"%PDF-1.4\n\x00\x01", "damaged PDF", None),
        ("empty.txt", b"", "file is empty", None),
        (
            "mixed.txt",
            ("网络主权。\n\nCyber sovereignty.\n\n" + "互联网。\n\n" * 8).encode(),
            "ambiguous layout",
            None,
        ),
        ("pairs.tsv", "网络主权\tcyber sovereignty\n数字经济 digital economy\n".encode(), "no tab", 2),
        ("odd.txt", b"abc \x80\xff\x80\xff \xff\x81", "cannot be decoded", None),
    ],
)
def test_bad_input_is_one_error_and_nothing_is_written(
    session: Session, tmp_path: Path, name: str, data: bytes, message: str, line: int | None
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / MANIFEST[3]["file"], folder / "a-good-one.txt")  # read first, and fine
    (folder / name).write_bytes(data)
    with pytest.raises(Invalid, match=re.escape(message)) as caught:
        ingest_path(session, folder)
    assert caught.value.details["file"] == str(folder / name)
    assert caught.value.details.get("line") == line
    assert _count(session, Document) == 0
    assert _count(session, Segment) == 0


def test_too_large_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("The Internet belongs to all.\n" * 100, encoding="utf-8")
    with pytest.raises(Invalid, match="too large"):
        ingest_path(session, path, max_bytes=1000)


def test_missing_path_and_bad_manifest(session: Session, tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file or folder"):
        ingest_path(session, tmp_path / "nowhere")
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / MANIFEST[4]["file"], folder)
    (folder / "manifest.json").write_text('{"documents": [\n  {"file": "x.txt", "titel": "typo"}\n]}')
    with pytest.raises(Invalid, match="unknown key 'titel'") as caught:
        ingest_path(session, folder)
    assert caught.value.details == {"file": str(folder / "manifest.json"), "line": 2}


def test_upload_of_one_file_and_of_a_pair(session: Session) -> None:
    single = ingest_upload(session, [("pairs.tsv", "网络主权\tcyber sovereignty\n".encode())], actor="ed")
    assert (single.documents[0].layout, single.documents[0].pairs) == ("tsv", 1)
    zh = "网络空间是人类共同的活动空间。\n".encode()
    en = b"Cyberspace is a common space for human activity.\n"
    for names in (("talk.zh.txt", "talk.en.txt"), ("chinese.txt", "english.txt")):
        result = ingest_upload(session, [(names[1], en), (names[0], zh + names[0].encode())]).documents[0]
        assert (result.layout, result.status, result.pairs) == ("text-pair", "new", 1)
        document = session.get(Document, result.document_id)
        assert document is not None
        assert document.filename == f"{names[0]} + {names[1]}"
    with pytest.raises(Invalid, match="upload one file, or two"):
        ingest_upload(session, [("a.txt", en)] * 3)


def test_large_files_are_read_again_for_writing(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingesting, "KEEP_IN_MEMORY_BYTES", 0)  # as if the file were too large to keep
    monkeypatch.setattr(ingesting, "BATCH", 7)
    path = tmp_path / "pairs.txt"
    path.write_text("".join(f"第{i}条 | Article {i}\n" for i in range(1, 51)), encoding="utf-8")
    result = ingest_path(session, path).documents[0]
    assert (result.segments, result.pairs) == (50, 50)
    texts = [s.en_text for s in _segments(session, session.get(Document, result.document_id))]  # type: ignore[arg-type]
    assert texts == [f"Article {i}" for i in range(1, 51)]
