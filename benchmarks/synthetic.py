"""Synthetic termbases at scale: N concepts of about three terms each, loaded in bulk.

    .venv/bin/python -m benchmarks.synthetic --concepts 1000000 --database-url sqlite:////work/bench-data/1m.sqlite3
    .venv/bin/python -m benchmarks.synthetic --concepts 1000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/termbase_bench_1m

Shape of every concept ``i`` (deterministic for a seed, whatever the number of workers):

* a preferred Simplified Chinese term of two or three words from jieba's dictionary
  (nouns, verbal nouns, verbs, adjectives; weighted by jieba's frequencies), with pinyin;
* a preferred English term of two or three words from wordfreq's English list (the 25,000
  most common words, stop words left out), or on every eighth concept a single common word
  (each single word belongs to one concept only);
* a third term: the Traditional form (OpenCC ``s2t``) on even concepts whose Traditional
  spelling differs, otherwise an admitted English synonym (every tenth one deprecated);
* 80 % approved, 15 % candidate (with a confidence and evidence), 5 % rejected; a subject
  field; a note on every seventh, an English definition on every tenth;
* every twentieth concept is cited: an aligned segment of a synthetic document quotes
  its Chinese and English terms, with a citation (offsets) for each.

The derived columns (normalized form, search key, toneless pinyin key and initials) and the
``term_suffixes`` rows come from ``termbase.exchange.importing.derive_term``, the function
the import service writes terms with (``tests/tbx`` hold it equal to ``concepts.apply_term_text``).
Pinyin with tone marks is given per dictionary word, as a TBX file carries it.
Segments get ``match_text`` of their text, as the ingest service stores them.

Rows are written in bulk into a schema made by the migrations (``termbase db upgrade``):
``executemany`` on SQLite, ``COPY`` on PostgreSQL. Plain indexes are dropped before the
load and re-created from their own DDL afterwards (constraints stay on). PostgreSQL is
then ``ANALYZE``d, as autovacuum would; SQLite is left as the app leaves it (no ANALYZE).
Worker processes build rows while the main process writes.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url

from termbase.term_columns import TermRow

GENERATOR_VERSION = 3
DEFAULT_SEED = 20260601
CHUNK = 5_000
CITED_EVERY = 20
CONCEPTS_PER_DOCUMENT = 20_000
LOAD_TABLES = ("concepts", "terms", "term_suffixes", "definitions", "documents", "segments", "citations")

_HAN_WORD_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_ZH_POS = {"n", "vn", "nz", "v", "a", "an", "nt", "l", "i"}
_EN_WORD_RE = re.compile(r"^[a-z]{3,14}$")
SUBJECTS = (
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
    "域名系统",
    "标准化",
)
PEOPLE = tuple(f"editor{n:02d}" for n in range(40))
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)

CONCEPT_COLUMNS = (
    "id",
    "subject_field",
    "note",
    "status",
    "confidence",
    "evidence",
    "origin",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
)
TERM_COLUMNS = TermRow._fields
SUFFIX_COLUMNS = ("term_id", "field", "key")
DEFINITION_COLUMNS = ("id", "concept_id", "language", "text", "source")
DOCUMENT_COLUMNS = (
    "id",
    "slug",
    "version",
    "is_current",
    "title",
    "author",
    "date",
    "venue",
    "source_url",
    "layout",
    "zh_script",
    "filename",
    "content_hash",
    "created_at",
)
SEGMENT_COLUMNS = (
    "id",
    "document_id",
    "position",
    "kind",
    "zh_text",
    "en_text",
    "zh_match",
    "en_match",
    "en_splits",
    "alignment",
    "score",
)
CITATION_COLUMNS = ("id", "term_id", "segment_id", "start", "end")
COLUMNS = {
    "concepts": CONCEPT_COLUMNS,
    "terms": TERM_COLUMNS,
    "term_suffixes": SUFFIX_COLUMNS,
    "definitions": DEFINITION_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
    "segments": SEGMENT_COLUMNS,
    "citations": CITATION_COLUMNS,
}


# -- vocabulary --------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    zh_words: list[str]
    zh_cumulative: list[float]
    zh_pinyin: dict[str, str]
    en_words: list[str]


_VOCABULARY: Vocabulary | None = None


def vocabulary() -> Vocabulary:
    """Chinese words from jieba's dictionary and English words from wordfreq (loaded once)."""
    global _VOCABULARY
    if _VOCABULARY is None:
        import itertools

        import jieba
        import wordfreq
        from pypinyin import Style, lazy_pinyin

        words: list[str] = []
        weights: list[float] = []
        with Path(jieba.__file__).with_name("dict.txt").open(encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 3 and _HAN_WORD_RE.match(parts[0]) and parts[2] in _ZH_POS:
                    frequency = int(parts[1])
                    if frequency >= 5:
                        words.append(parts[0])
                        # Damped frequencies: common words recur, the long tail still shows up.
                        weights.append(frequency**0.5)
        stop = set(wordfreq.top_n_list("en", 120))
        english = [w for w in wordfreq.top_n_list("en", 25_000) if _EN_WORD_RE.match(w) and w not in stop]
        _VOCABULARY = Vocabulary(
            zh_words=words,
            zh_cumulative=list(itertools.accumulate(weights)),
            zh_pinyin={},
            en_words=english,
        )
        # A dictionary word is one segment, so this is what ``pinyin_marks`` gives for it.
        _VOCABULARY.zh_pinyin = _PinyinCache(  # type: ignore[assignment]
            lambda word: "".join(lazy_pinyin(word, style=Style.TONE, v_to_u=True))
        )
    return _VOCABULARY


class _PinyinCache(dict[str, str]):
    """Tone-mark pinyin of single dictionary words, computed on first use."""

    def __init__(self, convert: Any) -> None:
        super().__init__()
        self._convert = convert

    def __missing__(self, word: str) -> str:
        value: str = self._convert(word)
        self[word] = value
        return value


# -- rows ------------------------------------------------------------------------------------


@dataclass
class Chunk:
    start: int  # index of the first concept
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in LOAD_TABLES})
    seconds: float = 0.0


def _when(index: int, sqlite: bool) -> Any:
    moment = EPOCH + timedelta(minutes=index // 2)
    # What SQLAlchemy's SQLite DateTime stores (it keeps no time zone there).
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment


def _json(value: Any, sqlite: bool) -> Any:
    return None if value is None else json.dumps(value)


class _Maker:
    """Builds the rows of a range of concepts; ids follow from the concept index alone."""

    def __init__(self, seed: int, sqlite: bool) -> None:
        import opencc

        from termbase.exchange.importing import derive_term
        from termbase.text.normalize import match_text

        self.seed = seed
        self.sqlite = sqlite
        self.vocab = vocabulary()
        self.derive = derive_term
        self.match_text = match_text
        self.s2t = opencc.OpenCC("s2t")
        singles = self.vocab.en_words[: len(self.vocab.en_words) // 2]
        random.Random(seed).shuffle(singles)
        self.singles = singles

    def _chinese(self, rng: random.Random, seen: set[str]) -> tuple[str, str]:
        vocab = self.vocab
        while True:
            words = rng.choices(vocab.zh_words, cum_weights=vocab.zh_cumulative, k=rng.choice((2, 2, 2, 3)))
            term = "".join(words)
            if term not in seen:
                seen.add(term)
                return term, " ".join(vocab.zh_pinyin[w] for w in words)

    def _english(self, rng: random.Random, seen: set[str], index: int = -1) -> str:
        """A phrase of two or three words; every eighth concept's preferred term is a single word.

        Single words are dealt out by concept index from a shuffled list of the commoner half
        of the vocabulary, so each is a term of one concept only (a real termbase does not
        hold "network" twenty times); phrases are unique within a chunk and collide across
        chunks about once in a thousand.
        """
        if index >= 0 and index % 8 == 0 and index // 8 < len(self.singles):
            return self.singles[index // 8]
        words = self.vocab.en_words
        while True:
            phrase = " ".join(rng.choice(words) for _ in range(rng.choice((2, 2, 2, 3))))
            if phrase not in seen:
                seen.add(phrase)
                return phrase

    def _term(
        self,
        rows: dict[str, list[tuple[Any, ...]]],
        term_id: int,
        concept_id: int,
        language: str,
        term_text: str,
        pinyin: str | None,
        usage: str,
        term_type: str | None,
        review: str,
        created: Any,
    ) -> TermRow:
        derived = self.derive(language, term_text, pinyin)
        rows["term_suffixes"].extend((term_id, field_name, key) for field_name, key in derived.suffixes)
        return TermRow(
            id=term_id,
            concept_id=concept_id,
            **derived.columns,
            usage_status=usage,
            term_type=term_type,
            part_of_speech="noun",
            note=None,
            review=review,
            evidence=None,
            created_at=created,
        )

    def make(self, start: int, stop: int) -> Chunk:
        began = time.process_time()
        chunk = Chunk(start)
        rows = chunk.rows
        sqlite = self.sqlite
        # One generator per chunk, seeded by the chunk's start: the same rows whatever the workers.
        rng = random.Random(f"{self.seed}:{start}")
        seen_zh: set[str] = set()
        seen_en: set[str] = set()
        for index in range(start, stop):
            concept_id = index + 1
            created = _when(index, sqlite)
            roll = rng.random()
            status = "approved" if roll < 0.80 else "candidate" if roll < 0.95 else "rejected"
            candidate = status == "candidate"
            rows["concepts"].append(
                (
                    concept_id,
                    SUBJECTS[index % len(SUBJECTS)],
                    f"Checked against glossary {index % 37}." if index % 7 == 0 else None,
                    status,
                    round(rng.uniform(0.3, 1.0), 3) if candidate else None,
                    _json({"method": "synthetic", "pairs": rng.randint(1, 9)}, sqlite) if candidate else None,
                    "extraction" if candidate else "import",
                    created,
                    created,
                    PEOPLE[index % len(PEOPLE)],
                    PEOPLE[(index * 7) % len(PEOPLE)],
                    1,
                )
            )
            zh, pinyin = self._chinese(rng, seen_zh)
            en = self._english(rng, seen_en, index)
            review = "candidate" if candidate and rng.random() < 0.2 else "accepted"
            base = 3 * index + 1
            rows["terms"].append(
                self._term(
                    rows, base, concept_id, "zh-Hans", zh, pinyin, "preferred", None, "accepted", created
                )
            )
            rows["terms"].append(
                self._term(
                    rows, base + 1, concept_id, "en", en, None, "preferred", "fullForm", "accepted", created
                )
            )
            hant = str(self.s2t.convert(zh)) if index % 2 == 0 else zh
            if hant != zh:
                third = self._term(
                    rows, base + 2, concept_id, "zh-Hant", hant, pinyin, "admitted", None, review, created
                )
            else:
                usage = "deprecated" if index % 10 == 1 else "admitted"
                synonym = self._english(rng, seen_en)
                third = self._term(
                    rows, base + 2, concept_id, "en", synonym, None, usage, "variant", review, created
                )
            rows["terms"].append(third)
            if index % 10 == 0:
                rows["definitions"].append(
                    (
                        index // 10 + 1,
                        concept_id,
                        "en",
                        f"The {en} as the Internet-governance texts use it.",
                        f"Glossary {index % 37}",
                    )
                )
            if index % CITED_EVERY == 0:
                self._cite(rows, index, zh, en, base)
        chunk.seconds = time.process_time() - began
        return chunk

    def _cite(self, rows: dict[str, list[tuple[Any, ...]]], index: int, zh: str, en: str, base: int) -> None:
        segment_id = index // CITED_EVERY + 1
        document_id = index // CONCEPTS_PER_DOCUMENT + 1
        position = (index % CONCEPTS_PER_DOCUMENT) // CITED_EVERY
        zh_text = f"各方应当在{zh}问题上加强沟通，增进理解。"
        en_text = f"All parties should strengthen communication on {en} and deepen understanding."
        rows["segments"].append(
            (
                segment_id,
                document_id,
                position,
                "pair",
                zh_text,
                en_text,
                self.match_text(zh_text),
                self.match_text(en_text),
                None,
                "gale-church",
                0.9,
            )
        )
        zh_start = zh_text.index(zh)
        en_start = en_text.index(en)
        rows["citations"].append((2 * segment_id - 1, base, segment_id, zh_start, zh_start + len(zh)))
        rows["citations"].append((2 * segment_id, base + 1, segment_id, en_start, en_start + len(en)))


_MAKER: _Maker | None = None


def _make_in_worker(args: tuple[int, int, int, bool]) -> Chunk:
    global _MAKER
    start, stop, seed, sqlite = args
    if _MAKER is None or _MAKER.seed != seed or _MAKER.sqlite != sqlite:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        _MAKER = _Maker(seed, sqlite)
    return _MAKER.make(start, stop)


def document_rows(concepts: int, sqlite: bool) -> list[tuple[Any, ...]]:
    count = -(-concepts // CONCEPTS_PER_DOCUMENT)
    return [
        (
            n,
            f"synthetic-{n:04d}",
            1,
            True,
            f"Synthetic policy document {n}",
            "Benchmark",
            f"{2014 + n % 10}-0{1 + n % 9}-1{n % 10}",
            "Internet Governance Forum",
            None,
            "pipe-pairs",
            "zh-Hans",
            f"synthetic-{n:04d}.txt",
            f"{n:064x}",
            _when(n, sqlite),
        )
        for n in range(1, count + 1)
    ]


def chunks(concepts: int, seed: int, sqlite: bool, workers: int) -> Iterator[Chunk]:
    """Rows of every concept, chunk by chunk, in order (built by ``workers`` processes)."""
    ranges = [(s, min(s + CHUNK, concepts), seed, sqlite) for s in range(0, concepts, CHUNK)]
    vocabulary()  # before forking, so every worker shares it
    if workers <= 1:
        for args in ranges:
            yield _make_in_worker(args)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield from pool.imap(_make_in_worker, ranges)


# -- writing ---------------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database (dropped first when ``fresh``); remove a fresh SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if fresh and parsed.database:
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        ensure_database(url, fresh=True)
        return
    import psycopg

    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _write(conn: Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Bulk-write rows the way the import does: COPY on PostgreSQL, executemany on SQLite."""
    from termbase.exchange.importing import insert_rows

    insert_rows(conn, table, COLUMNS[table], rows)


@dataclass
class LoadReport:
    concepts: int
    terms: int
    citations: int
    seconds: float
    generate_cpu: float  # CPU seconds the workers spent building rows
    write_seconds: float  # time the main process spent writing rows
    index_seconds: float
    analyze_seconds: float
    workers: int
    database: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load(
    database_url: str,
    concepts: int,
    *,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    progress: bool = False,
) -> LoadReport:
    """Create a fresh database at ``database_url`` (migrated to head) holding ``concepts`` concepts."""
    from termbase.db import make_engine
    from termbase.exchange.importing import plain_indexes
    from termbase.migrate import upgrade

    logging.getLogger("alembic").setLevel(logging.WARNING)
    workers = workers if workers is not None else max(1, min(2, os.cpu_count() or 1))
    began = time.perf_counter()
    ensure_database(database_url, fresh=True)
    upgrade(database_url)
    engine: Engine = make_engine(database_url)
    postgres = engine.dialect.name == "postgresql"
    terms = citations = 0
    generate_cpu = write_seconds = 0.0
    with engine.begin() as conn:
        if postgres:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
        else:
            conn.exec_driver_sql("PRAGMA cache_size = -400000")
        indexes = plain_indexes(conn, LOAD_TABLES)
        for name, _ddl in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        _write(conn, "documents", document_rows(concepts, not postgres))
        done = 0
        for chunk in chunks(concepts, seed, not postgres, workers):
            started = time.perf_counter()
            for table in LOAD_TABLES:
                if table != "documents":
                    _write(conn, table, chunk.rows[table])
            write_seconds += time.perf_counter() - started
            generate_cpu += chunk.seconds
            terms += len(chunk.rows["terms"])
            citations += len(chunk.rows["citations"])
            done += len(chunk.rows["concepts"])
            if progress and done % 100_000 < CHUNK:
                print(
                    f"  {done:>9,} concepts in {time.perf_counter() - began:6.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        started = time.perf_counter()
        if postgres:
            conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for _name, ddl in indexes:
            conn.execute(text(ddl))
        index_seconds = time.perf_counter() - started
        # Bump the termbase stamp as any change does (caches of a previous content rebuild).
        conn.execute(
            text(
                "INSERT INTO counters (name, value) VALUES ('termbase', 1) "
                "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1"
            )
        )
    started = time.perf_counter()
    if postgres:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in LOAD_TABLES:
                conn.execute(text(f"ANALYZE {table}"))
            # The ids were given explicitly: move the sequences past them, as an import would.
            for table in LOAD_TABLES:
                if "id" not in COLUMNS[table]:
                    continue
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))"
                    )
                )
    analyze_seconds = time.perf_counter() - started
    engine.dispose()
    return LoadReport(
        concepts=concepts,
        terms=terms,
        citations=citations,
        seconds=time.perf_counter() - began,
        generate_cpu=generate_cpu,
        write_seconds=write_seconds,
        index_seconds=index_seconds,
        analyze_seconds=analyze_seconds,
        workers=workers,
        database=engine.dialect.name,
    )


def loaded_concepts(database_url: str) -> int:
    """How many concepts a database made by :func:`load` holds (0 when it is missing or empty)."""
    from termbase.db import make_engine

    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).exists()):
        return 0
    try:
        engine = make_engine(database_url)
        with engine.connect() as conn:
            found = conn.execute(text("SELECT count(*) FROM concepts")).scalar() or 0
        engine.dispose()
        return int(found)
    except Exception:  # noqa: BLE001 - no database or no tables yet
        return 0


def ensure_loaded(database_url: str, concepts: int, *, reuse: bool, **options: Any) -> LoadReport | None:
    """Load ``concepts`` concepts unless ``reuse`` and the database already holds exactly that many."""
    if reuse and loaded_concepts(database_url) == concepts:
        return None
    return load(database_url, concepts, **options)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=None, help="row-building processes (default: 2)")
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args(argv)
    report = load(args.database_url, args.concepts, seed=args.seed, workers=args.workers, progress=True)
    rate = report.concepts / report.seconds
    print(
        f"{report.concepts:,} concepts, {report.terms:,} terms, {report.citations:,} citations into "
        f"{report.database} in {report.seconds:.1f} s ({rate:,.0f} concepts/s; "
        f"row building {report.generate_cpu:.0f} CPU-s in {report.workers} workers, writing "
        f"{report.write_seconds:.0f} s, indexes {report.index_seconds:.0f} s, analyze {report.analyze_seconds:.0f} s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
