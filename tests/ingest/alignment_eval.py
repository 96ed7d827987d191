"""Judge produced segment pairs against hand-aligned units ("beads").

A produced pair is a true translation when the gold beads its Chinese side touches are
exactly the beads its English side touches, and it covers each of them whole on both
sides. So a pair may join several whole beads (two sentence pairs side by side are still
a translation of each other), but never a part of one, and never a bead from one side with
a different bead from the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from termbase.records import SegmentKind, SegmentRecord

GOLD = Path(__file__).resolve().parent.parent / "data" / "ingest" / "alignment_gold.tsv"


@dataclass(frozen=True)
class Bead:
    zh: str
    en: str


def load_gold(document: str) -> list[Bead]:
    beads = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        doc, zh, en = line.split("\t")
        if doc == document:
            beads.append(Bead(zh, en))
    return beads


@dataclass
class Verdict:
    correct: list[SegmentRecord] = field(default_factory=list)
    wrong: list[SegmentRecord] = field(default_factory=list)
    recovered: int = 0  # gold pairs covered by a correct produced pair
    gold_pairs: int = 0

    @property
    def precision(self) -> float:
        total = len(self.correct) + len(self.wrong)
        return len(self.correct) / total if total else 0.0

    @property
    def recall(self) -> float:
        return self.recovered / self.gold_pairs if self.gold_pairs else 0.0


class _Side:
    """One language of the gold, as a stream of bead texts with their spans."""

    def __init__(self, texts: Sequence[str], separator: str) -> None:
        # Beads are joined as sentences are inside a paragraph (nothing between Chinese
        # sentences, a space between English ones), so a produced pair that spans two beads
        # of one paragraph is found whole.
        self.spans: list[tuple[int, int, int]] = []  # (start, end, bead index)
        pieces, position = [], 0
        for index, text in enumerate(texts):
            if text:
                self.spans.append((position, position + len(text), index))
                pieces.append(text)
                position += len(text) + len(separator)
        self.stream = separator.join(pieces)
        self.cursor = 0

    def locate(self, text: str) -> dict[int, int]:
        """Characters of each gold bead that ``text`` (pieces joined by newlines) covers."""
        covered: dict[int, int] = {}
        for piece in text.split("\n"):
            start = self.stream.find(piece, self.cursor)
            if start < 0:
                start = self.stream.find(piece)
            if start < 0:
                raise AssertionError(f"produced text not found in the gold: {piece!r}")
            end = start + len(piece)
            self.cursor = end
            for a, b, index in self.spans:
                if (overlap := min(b, end) - max(a, start)) > 0:
                    covered[index] = covered.get(index, 0) + overlap
        return covered


def judge(records: Sequence[SegmentRecord], gold: Sequence[Bead]) -> Verdict:
    zh_side, en_side = _Side([b.zh for b in gold], ""), _Side([b.en for b in gold], " ")
    verdict = Verdict(gold_pairs=sum(1 for b in gold if b.zh and b.en))
    recovered: set[int] = set()
    for record in records:
        if record.kind != SegmentKind.PAIR:
            continue
        assert record.zh_text is not None
        assert record.en_text is not None
        zh, en = zh_side.locate(record.zh_text), en_side.locate(record.en_text)
        whole = set(zh) == set(en) and all(
            zh[i] >= len(gold[i].zh) - 1 and en[i] >= len(gold[i].en) - 1 and gold[i].zh and gold[i].en
            for i in zh
        )
        if whole:
            verdict.correct.append(record)
            recovered.update(zh)
        else:
            verdict.wrong.append(record)
    verdict.recovered = len(recovered)
    return verdict
