"""Recognition latency per 1,000 characters on a synthetic termbase, beside a per-term substring scan.

Target (issue 7): recognizing a 1,000-character segment takes at most 5 ms at 1,000,000 terms.

    .venv/bin/python -m benchmarks.recognition_latency --concepts 1000000 --reuse
    .venv/bin/python -m benchmarks.recognition_latency --concepts 1000000 --reuse \
        --database-url postgresql://postgres@127.0.0.1:5432/termbase_bench_1m

The termbase comes from :mod:`benchmarks.synthetic` (1,000,000 concepts hold 3,000,000
terms). Segments, 1,000 characters each:

* the seed documents' text (Traditional Chinese, as published, and English): few hits,
  since the synthetic termbase holds none of their terms;
* dense synthetic text made of the termbase's own terms joined by ordinary words: a hit
  every few characters, the worst case for building results.

Measured in one run: the engine's build (time, resident memory), ``recognition.recognize``
(stamp query + cached engine + results) per segment, the same over HTTP
(``POST /api/v1/recognize`` to gunicorn, one client), and the naive alternative in the same
process: every term's folded form tested against the folded segment with ``in``
(time-bounded, few repetitions).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import logging
import random
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.common import (
    OUT,
    ROOT,
    TARGET_RECOGNIZE_MS,
    Latency,
    default_url,
    fmt_ms,
    gunicorn,
    http_post_json,
    machine,
    machine_line,
    rss_mb,
    scale_label,
    timed_calls,
    write_json,
)

SEGMENT_LENGTH = 1000
SEED = 11
_ZH_GLUE = ("的", "和", "在", "与", "对", "，", "。", "是", "将")
_EN_GLUE = ("the", "and", "of", "for", "in", "with", "on", "to", ",", ".")


def seed_segments() -> dict[str, str]:
    """1,000 characters of the seed documents: Chinese (Traditional, as published) and English."""
    zh_parts: list[str] = []
    en_parts: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            left, bar, right = line.partition(" | ")
            if bar and any("\u4e00" <= c <= "\u9fff" for c in left):
                zh_parts.append(left.strip())
                en_parts.append(right.strip(" |"))
            elif line.strip() and not any("\u4e00" <= c <= "\u9fff" for c in line):
                en_parts.append(line.strip())
    return {
        "seed zh (Traditional)": "".join(zh_parts)[:SEGMENT_LENGTH],
        "seed en": " ".join(en_parts)[:SEGMENT_LENGTH],
    }


def dense_segments(conn: Any, concepts: int, rng: random.Random) -> dict[str, str]:
    """1,000 characters made of the termbase's own terms, glued by function words."""
    ids = ",".join(str(rng.randint(1, concepts)) for _ in range(600))
    rows = conn.execute(text(f"SELECT language, text FROM terms WHERE concept_id IN ({ids})")).all()
    zh = [t for language, t in rows if language == "zh-Hans"]
    en = [t for language, t in rows if language == "en"]
    zh_text = ""
    while len(zh_text) < SEGMENT_LENGTH:
        zh_text += rng.choice(zh) + rng.choice(_ZH_GLUE)
    en_text = ""
    while len(en_text) < SEGMENT_LENGTH:
        en_text += rng.choice(en) + " " + rng.choice(_EN_GLUE) + " "
    return {"dense zh": zh_text[:SEGMENT_LENGTH], "dense en": en_text[:SEGMENT_LENGTH]}


def naive_patterns(conn: Any) -> tuple[list[str], list[str]]:
    """Every term folded as the naive scan compares it: Chinese by match_text, English lower-cased."""
    from termbase.text.normalize import match_text

    zh: list[str] = []
    en: list[str] = []
    result = conn.execution_options(yield_per=50_000).execute(text("SELECT language, text FROM terms"))
    for language, term in result:
        if language == "en":
            en.append(" " + term.lower() + " ")
        else:
            zh.append(match_text(term))
    return zh, en


def naive_scan(zh: Sequence[str], en: Sequence[str], segment: str) -> int:
    """Test every term against the segment: cost grows with the termbase."""
    from termbase.text.normalize import match_text

    if any("\u4e00" <= c <= "\u9fff" for c in segment):
        folded = match_text(segment)
        return sum(1 for pattern in zh if pattern in folded)
    padded = " " + " ".join(segment.lower().split()) + " "
    return sum(1 for pattern in en if pattern in padded)


def run(
    database_url: str,
    concepts: int,
    *,
    repeat: int = 300,
    http_repeat: int = 100,
    naive_budget_s: float = 60.0,
    reuse: bool = True,
    with_http: bool = True,
) -> dict[str, Any]:
    from benchmarks.synthetic import ensure_loaded
    from termbase.db import make_engine, make_sessionmaker
    from termbase.services import recognition

    load = ensure_loaded(database_url, concepts, reuse=reuse, progress=True)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    rng = random.Random(SEED)
    segments = seed_segments()
    with engine.connect() as conn:
        segments.update(dense_segments(conn, concepts, rng))
    result: dict[str, Any] = {
        "concepts": concepts,
        "database": engine.dialect.name,
        "machine": machine(),
        "load": load.as_dict() if load else None,
        "segments": {},
    }
    recognition.clear_cache()
    gc.collect()
    before = rss_mb()
    with factory() as session:
        began = time.perf_counter()
        cached = recognition.get_engine(session)
        result["engine"] = {
            "build_seconds": time.perf_counter() - began,
            "terms": len(cached),
            "patterns": cached.matcher.pattern_count,
            "rss_growth_mb": rss_mb() - before,
        }
        for name, segment in segments.items():
            found = recognition.recognize(session, segment, include_unapproved=True)
            latency = timed_calls(
                partial(recognition.recognize, session, segment, include_unapproved=True), repeat
            )
            result["segments"][name] = {"matches": len(found), "service": latency.summary()}
            session.rollback()
        assert recognition.get_engine(session) is cached, "the engine must not be rebuilt between calls"
    recognition.clear_cache()
    gc.collect()
    if with_http:
        with gunicorn(database_url, workers=1) as port:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            http_post_json(conn, "/api/v1/recognize", {"text": "网络主权"})  # builds the worker's engine
            for name, segment in segments.items():
                latency = Latency()
                for index in range(http_repeat + 3):
                    began = time.perf_counter()
                    status, _body = http_post_json(conn, "/api/v1/recognize", {"text": segment})
                    if status != 200:
                        raise RuntimeError(f"recognize answered {status}")
                    if index >= 3:
                        latency.samples_ms.append((time.perf_counter() - began) * 1000)
                result["segments"][name]["http"] = latency.summary()
            conn.close()
    with engine.connect() as conn:
        began = time.perf_counter()
        zh, en = naive_patterns(conn)
        result["naive_prepare_seconds"] = time.perf_counter() - began
    per_segment_budget = naive_budget_s / len(segments)
    for name, segment in segments.items():
        latency = timed_calls(partial(naive_scan, zh, en, segment), 3, warmup=0, budget_s=per_segment_budget)
        result["segments"][name]["naive"] = latency.summary()
    engine.dispose()
    result["machine_after"] = machine()
    return result


def report(result: dict[str, Any]) -> str:
    info = result["engine"]
    lines = [
        f"recognition, {result['concepts']:,} concepts ({info['terms']:,} terms) on {result['database']}; "
        f"{machine_line(result['machine'])}",
        f"  engine built in {info['build_seconds']:.1f} s, {info['patterns']:,} patterns, "
        f"resident set +{info['rss_growth_mb']:.0f} MB",
    ]
    for name, figures in result["segments"].items():
        service = figures["service"]
        verdict = (
            "meets"
            if service["p95"] <= TARGET_RECOGNIZE_MS
            else ("meets in CPU time" if service.get("cpu_p95", 1e9) <= TARGET_RECOGNIZE_MS else "MISSES")
        )
        lines.append(
            f"  {name:<22} {figures['matches']:>4} matches  service {fmt_ms(service)}  "
            f"CPU p95 {service['cpu_p95']:.2f}; target {TARGET_RECOGNIZE_MS:.0f} ms: {verdict}"
        )
        if "http" in figures:
            lines.append(f"  {'':<22}               HTTP    {fmt_ms(figures['http'])}")
        naive = figures["naive"]
        lines.append(
            f"  {'':<22}               naive   {fmt_ms(naive)}  "
            f"(naive/service p50 {naive['p50'] / service['p50']:,.0f}x)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite under TERMBASE_BENCH_DATA")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--http-repeat", type=int, default=100)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--naive-budget", type=float, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds N concepts")
    parser.add_argument("--json", help="default: benchmarks/out/recognition-<db>-<N>.json")
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    url = args.database_url or default_url("sqlite", args.concepts)
    result = run(
        url,
        args.concepts,
        repeat=args.repeat,
        http_repeat=args.http_repeat,
        naive_budget_s=args.naive_budget,
        reuse=args.reuse,
        with_http=not args.no_http,
    )
    print(report(result))
    path = (
        Path(args.json)
        if args.json
        else OUT / f"recognition-{result['database']}-{scale_label(args.concepts)}.json"
    )
    write_json(path, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
