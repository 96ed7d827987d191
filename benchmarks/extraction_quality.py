"""Extraction quality against a terminologist's gold list (a yardstick, never an input).

    python -m benchmarks.extraction_quality                       # ../shared/eval/dev pages and their gold.tsv
    python -m benchmarks.extraction_quality --seeds               # the seed documents and ../shared/eval/dev_pairs.tsv
    python -m benchmarks.extraction_quality --folder DIR --gold FILE [--verdicts FILE]

It reads every bilingual file of the folder with the project's own reader, runs the pure extractor
as ``termbase extract`` does, and judges every proposed concept:

* **correct (gold)**: the Chinese is in the gold list and one of its English terms is accepted;
* **wrong (gold)**: the Chinese is in the gold list but none of its English terms is;
* **junk**: a single character, or English made of stop words only;
* **editor**: a verdict from ``--verdicts`` (``zh<TAB>en<TAB>ok|wrong``), kept outside the
  repository because it names the pages' pairs;
* **unjudged**: everything else, listed, so that an editor can add verdicts.

Gold files hold ``zh<TAB>english|english[<TAB>pages]``; Chinese is compared in Simplified form and
English by its grouping key (case, plural and hyphens folded). Precision is printed as bounds (every
unjudged proposal wrong .. right) and over judged proposals; the reliability table gives, per
confidence bin, how many proposals were judged and the share correct. Recall is the share of gold
pairs proposed with an accepted rendering; missed pairs are listed with what was proposed instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from termbase.extract.english import STOPWORDS, text_key
from termbase.extract.pipeline import Extractor
from termbase.extract.records import ExtractionResult, ProposedConcept, SegmentInput
from termbase.ingest.decode import InputFile
from termbase.ingest.readers import read_document
from termbase.text.normalize import normalize_term, to_simplified

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL = ROOT.parent / "shared" / "eval"
DEV_FOLDER = EVAL / "dev"
DEV_GOLD = DEV_FOLDER / "gold.tsv"
SEED_GOLD = EVAL / "dev_pairs.tsv"
HIGH_CONFIDENCE = 0.8
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
TARGETS = {"recall": 0.80, "precision": 0.90, "precision_high": 0.95}


@dataclass(frozen=True, slots=True)
class Verdict:
    zh: str
    en: tuple[str, ...]
    confidence: float
    label: str  # correct-gold, wrong-gold, junk, editor-ok, editor-wrong, unjudged

    @property
    def correct(self) -> bool | None:
        if self.label in ("correct-gold", "editor-ok"):
            return True
        if self.label in ("wrong-gold", "junk", "editor-wrong"):
            return False
        return None


def zh_key(text: str) -> str:
    return to_simplified(normalize_term(text))


def read_gold(path: Path) -> dict[str, set[str]]:
    """Simplified Chinese -> accepted English keys."""
    gold: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        gold.setdefault(zh_key(fields[0]), set()).update(
            text_key(e) for e in fields[1].split("|") if e.strip()
        )
    return gold


def read_verdicts(path: Path | None) -> dict[tuple[str, str], bool]:
    if path is None or not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[2].strip() in ("ok", "wrong"):
            out[(zh_key(fields[0]), text_key(fields[1]))] = fields[2].strip() == "ok"
    return out


def read_folder(folder: Path, names: Iterable[str] = ()) -> list[SegmentInput]:
    """Every text file of ``folder`` (or those whose names start with one of ``names``) as extractor input."""
    wanted = tuple(names)
    segments: list[SegmentInput] = []
    for number, path in enumerate(sorted(folder.glob("*.txt"))):
        if wanted and not path.stem.startswith(wanted):
            continue
        document = read_document(InputFile.from_path(path), slug=path.stem)
        for position, record in enumerate(document.segments):
            segments.append(
                SegmentInput(
                    key=number * 100_000 + position,
                    document=path.stem,
                    position=position,
                    zh_text=record.zh_text,
                    en_text=record.en_text,
                    en_splits=tuple(record.en_splits),
                    alignment=record.alignment,
                )
            )
    return segments


def read_segments(slugs: Iterable[str] | None = None) -> list[SegmentInput]:
    """The seed documents, read by the project's reader, as extractor input."""
    return read_folder(SEEDS, slugs or ())


def gold_present(segments: Sequence[SegmentInput], gold: dict[str, set[str]]) -> dict[str, set[str]]:
    """Gold pairs whose Chinese occurs in the documents read."""
    text = zh_key(" ".join(s.zh_text or "" for s in segments))
    return {zh: ens for zh, ens in gold.items() if zh in text}


def judge(
    proposal: ProposedConcept, gold: dict[str, set[str]], verdicts: dict[tuple[str, str], bool]
) -> Verdict:
    zh = zh_key(proposal.zh)
    keys = [text_key(e) for e in proposal.en]
    label = "unjudged"
    if zh in gold:
        label = "correct-gold" if set(keys) & gold[zh] else "wrong-gold"
    elif len(zh) < 2 or all(w in STOPWORDS for e in proposal.en for w in e.lower().split()):
        label = "junk"
    else:
        found = [verdicts[(zh, k)] for k in keys if (zh, k) in verdicts]
        if found:
            label = "editor-ok" if any(found) else "editor-wrong"
    return Verdict(proposal.zh, tuple(proposal.en), proposal.confidence, label)


@dataclass(slots=True)
class Figures:
    proposals: int
    recall: float
    found: int
    present: int
    precision_judged: float
    precision_low: float
    precision_high: float
    high_precision: float
    high_count: int
    unjudged: int
    seconds: float


def evaluate(
    segments: Sequence[SegmentInput],
    extractor: Extractor,
    gold: dict[str, set[str]],
    verdicts: dict[tuple[str, str], bool],
    *,
    show: bool = True,
) -> Figures:
    started = time.perf_counter()
    result: ExtractionResult = extractor.run(segments)
    seconds = time.perf_counter() - started
    present = gold_present(segments, gold)
    judged = [judge(p, present, verdicts) for p in result.concepts]
    proposed = {zh_key(p.zh): {text_key(e) for e in p.en} for p in result.concepts}
    found = sorted(zh for zh, ens in present.items() if proposed.get(zh, set()) & ens)
    right = sum(1 for v in judged if v.correct is True)
    wrong = sum(1 for v in judged if v.correct is False)
    unjudged = [v for v in judged if v.correct is None]
    high = [v for v in judged if v.confidence >= HIGH_CONFIDENCE and v.correct is not None]
    figures = Figures(
        proposals=len(judged),
        recall=len(found) / len(present) if present else 1.0,
        found=len(found),
        present=len(present),
        precision_judged=right / (right + wrong) if right + wrong else 1.0,
        precision_low=right / len(judged) if judged else 1.0,
        precision_high=(len(judged) - wrong) / len(judged) if judged else 1.0,
        high_precision=sum(1 for v in high if v.correct) / len(high) if high else 1.0,
        high_count=len(high),
        unjudged=len(unjudged),
        seconds=seconds,
    )
    if show:
        print(
            f"documents: {len({s.document for s in segments})}  ({len(segments)} segments, {seconds:.1f} s)"
        )
        print(f"judgements: {dict(sorted(Counter(v.label for v in judged).items()))}")
        missed = sorted(set(present) - set(found))
        print(f"gold pairs missed ({len(missed)}):")
        for zh in missed:
            print(
                f"  {zh}  (expected {' | '.join(sorted(present[zh]))}; proposed {sorted(proposed.get(zh, [])) or '-'})"
            )
        for label in ("wrong-gold", "junk", "editor-wrong", "unjudged"):
            chosen = sorted((v for v in judged if v.label == label), key=lambda v: (-v.confidence, v.zh))
            if chosen:
                print(f"proposals judged {label} ({len(chosen)}):")
                for v in chosen:
                    print(f"  {v.confidence:.2f}\t{v.zh}\t{' / '.join(v.en)}")
        print(reliability_table(judged))
        report(figures)
    return figures


def reliability_table(judged: Sequence[Verdict]) -> str:
    """Markdown: per confidence bin, proposals, judged, and the share of judged ones correct."""
    lines = ["| confidence | proposals | judged | correct |", "| --- | ---: | ---: | ---: |"]
    for low, high in zip(BINS, BINS[1:], strict=False):
        inside = [v for v in judged if low <= v.confidence < high]
        known = [v for v in inside if v.correct is not None]
        share = f"{sum(1 for v in known if v.correct) / len(known):.0%}" if known else "-"
        lines.append(f"| {low:.1f}–{min(high, 1.0):.1f} | {len(inside)} | {len(known)} | {share} |")
    return "\n".join(lines)


def report(f: Figures) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISS"

    print("-" * 78)
    print(f"recall: {f.found}/{f.present} = {f.recall:.0%}  {mark(f.recall >= TARGETS['recall'])}")
    print(
        f"precision over judged proposals: {f.precision_judged:.0%}  {mark(f.precision_judged >= TARGETS['precision'])}"
        f"  (bounds {f.precision_low:.0%} .. {f.precision_high:.0%}; {f.unjudged} of {f.proposals} unjudged)"
    )
    print(
        f"precision at confidence >= {HIGH_CONFIDENCE}: {f.high_precision:.0%} of {f.high_count} judged"
        f"  {mark(f.high_precision >= TARGETS['precision_high'])}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path, help="bilingual files to read (default: the dev pages)")
    parser.add_argument("--gold", type=Path, help="gold TSV (default: the folder's gold.tsv)")
    parser.add_argument("--seeds", action="store_true", help="the seed documents against dev_pairs.tsv")
    parser.add_argument("--documents", nargs="*", default=(), help="only files whose names start so")
    parser.add_argument("--verdicts", type=Path, help="an editor's verdicts: zh<TAB>en<TAB>ok|wrong")
    args = parser.parse_args(argv)
    folder = SEEDS if args.seeds else args.folder or DEV_FOLDER
    gold_path = args.gold or (SEED_GOLD if args.seeds else folder / "gold.tsv")
    for path in (folder, gold_path):
        if not path.exists():
            print(f"{path}: not found", file=sys.stderr)
            return 2
    evaluate(
        read_folder(folder, args.documents), Extractor(), read_gold(gold_path), read_verdicts(args.verdicts)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
