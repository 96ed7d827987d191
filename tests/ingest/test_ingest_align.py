"""Alignment of English-then-Chinese texts, judged against hand-checked sentence pairs."""

from __future__ import annotations

from pathlib import Path

import pytest
from alignment_eval import Bead, judge, load_gold

from termbase.ingest.align import align_paragraphs
from termbase.ingest.decode import InputFile
from termbase.ingest.readers import read_document
from termbase.records import SegmentKind, SegmentRecord

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _source_pairs() -> list[Bead]:
    """Seed 002's own pairing: one "Chinese | English" pair per line."""
    path = next(SEEDS.glob("002_*.txt"))
    beads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        zh, en = line.rstrip().rstrip("|").split(" | ", 1)
        beads.append(Bead(zh.strip(), en.strip()))
    return beads


def _records(zh: list[str], en: list[str]) -> list[SegmentRecord]:
    out = []
    for item in align_paragraphs(zh, en):
        if item.zh_text is not None and item.en_text is not None:
            out.append(SegmentRecord(SegmentKind.PAIR, zh_text=item.zh_text, en_text=item.en_text))
        elif item.zh_text is not None:
            out.append(SegmentRecord(SegmentKind.ZH, zh_text=item.zh_text))
        else:
            out.append(SegmentRecord(SegmentKind.EN, en_text=item.en_text))
    return out


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_aligned_pairs_are_true_translations(prefix: str) -> None:
    document = read_document(InputFile.from_path(next(SEEDS.glob(f"{prefix}_*.txt"))))
    verdict = judge(document.segments, load_gold(prefix))
    wrong = [(r.zh_text, r.en_text) for r in verdict.wrong]
    assert verdict.precision >= 0.95, wrong
    assert verdict.recall >= 0.9


def test_greetings_present_in_chinese_only_stay_unaligned() -> None:
    document = read_document(InputFile.from_path(next(SEEDS.glob("001_*.txt"))))
    greetings = [s for s in document.segments if s.zh_text and s.zh_text.startswith("尊敬的")]
    assert len(greetings) == 10
    assert all(s.kind == SegmentKind.ZH and s.en_text is None for s in greetings)


def test_source_pairing_is_recovered_from_english_then_chinese() -> None:
    """Seed 002 split into its English and its Chinese: the aligner finds the source's pairs."""
    beads = _source_pairs()
    records = _records([b.zh for b in beads], [b.en for b in beads])
    # Sentence pairs inside one source pair are finer than the gold, not wrong: judge by line.
    verdict = _judge_by_line(records, beads)
    assert verdict >= 0.95


def _judge_by_line(records: list[SegmentRecord], beads: list[Bead]) -> float:
    """Share of produced pairs whose two sides come from the same source line(s)."""

    def lines(text: str, side: list[str]) -> set[int]:
        return {i for piece in text.split("\n") for i, whole in enumerate(side) if piece in whole}

    pairs = [r for r in records if r.kind == SegmentKind.PAIR]
    zh_side, en_side = [b.zh for b in beads], [b.en for b in beads]
    good = sum(1 for r in pairs if lines(r.zh_text or "", zh_side) == lines(r.en_text or "", en_side))
    return good / len(pairs)


@pytest.mark.parametrize("dropped", [3, 12, 20])
def test_a_paragraph_on_one_side_only_is_never_misaligned(dropped: int) -> None:
    beads = _source_pairs()
    zh = [b.zh for b in beads]
    en = [b.en for i, b in enumerate(beads) if i != dropped]
    records = _records(zh, en)
    orphan = [r for r in records if r.zh_text and r.zh_text in zh[dropped]]
    assert orphan
    assert all(r.kind == SegmentKind.ZH for r in orphan)
    assert _judge_by_line(records, beads) >= 0.95
