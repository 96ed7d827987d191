"""Shared test data for the exchange tests: a record and a database with every exchangeable field filled."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from termbase.models import (
    Citation,
    Comment,
    Concept,
    Definition,
    Document,
    HistoryEntry,
    Segment,
    Term,
)
from termbase.records import (
    ConceptRecord,
    ContextRecord,
    TermRecord,
    TermReview,
    TransactionRecord,
    UsageStatus,
    WorkflowStatus,
)
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

DATA = Path(__file__).resolve().parent.parent / "data" / "tbx"
SAMPLES = DATA / "samples"
HOSTILE = DATA / "hostile"


def full_record() -> ConceptRecord:
    """A concept with every field the exchange carries, in Chinese and English, with awkward text."""
    return ConceptRecord(
        subject_field="网络空间治理",
        note='概念注释 & <标记> "引号"\n第二行',
        status=WorkflowStatus.APPROVED,
        confidence=0.875,
        definitions={
            "zh-Hans": "国家在网络空间的主权。",
            "zh-Hant": "國家在網絡空間的主權。",
            "en": "A state's sovereignty.",
        },
        definition_sources={"en": "Glossary of Internet governance, 2020"},
        terms=[
            TermRecord(
                "en",
                "cyber sovereignty",
                UsageStatus.PREFERRED,
                "noun",
                "fullForm",
                None,
                "Used by Chinese officials.",
                [
                    ContextRecord(
                        "All states should respect each other's cyber sovereignty.",
                        "Speech (2015-12-16), segment 3",
                    )
                ],
            ),
            TermRecord("en", "Internet sovereignty", UsageStatus.DEPRECATED, "noun", "variant"),
            TermRecord(
                "zh-Hans",
                "网络主权",
                UsageStatus.PREFERRED,
                "noun",
                "fullForm",
                "wǎngluò zhǔquán",
                "又称“网络空间主权”。",
                [
                    ContextRecord("各国应当尊重彼此的网络主权。", "讲话 (2015-12-16), segment 3"),
                    ContextRecord("尊重网络主权。"),
                ],
            ),
            TermRecord("zh-Hant", "網絡主權", UsageStatus.ADMITTED, "noun", None, "wǎngluò zhǔquán"),
            TermRecord(
                "zh-Hans",
                "网络空间主权",
                UsageStatus.ADMITTED,
                "noun",
                "variant",
                "wǎngluò kōngjiān zhǔquán",
                review=TermReview.CANDIDATE,
            ),
        ],
        transactions=[
            TransactionRecord("origination", datetime(2024, 5, 20, 8, 30, 15, tzinfo=UTC), "李伟"),
            TransactionRecord("modification", datetime(2024, 6, 1, 17, 0, 0, tzinfo=UTC), "Zhang San"),
        ],
    )


@dataclass
class Populated:
    """What the ``populated`` fixture created, for assertions."""

    approved: int
    candidate: int
    rejected: int
    cited_document: str
    bare: int  # an approved concept with no optional field at all


def renumbered(data: bytes) -> bytes:
    """A TBX export with its entry ids (concept ids, which a new database hands out anew) numbered in order."""
    numbers = itertools.count(1)
    return re.sub(
        rb'(<(?:termEntry|conceptEntry) id=")c[0-9]+"', lambda m: m.group(1) + b'e%d"' % next(numbers), data
    )


def wipe(session: Session) -> None:
    """Empty every table an export reads (an empty termbase, same schema)."""
    for model in (HistoryEntry, Citation, Comment, Term, Definition, Concept, Segment, Document):
        session.execute(delete(model))
    session.commit()


def populate(session: Session) -> Populated:
    """Concepts with every field filled, in Chinese and English, plus citations beyond the context cap."""
    document = Document(
        slug="xi-2015-wic",
        title="在第二届世界互联网大会开幕式上的讲话 & Speech",
        date="2015-12-16",
        layout="pipe-pairs",
        content_hash="0" * 64,
    )
    other = Document(slug="lu-2014", title="Mutual Trust", date=None, layout="en-only", content_hash="1" * 64)
    session.add_all([document, other])
    segments = [
        Segment(
            document=document,
            position=i,
            kind="pair",
            zh_text=f"第{i}句:各国应当尊重彼此的网络主权。",
            en_text=f"Sentence {i}: states should respect each other's cyber sovereignty.",
        )
        for i in range(1, 6)
    ]
    lone = Segment(document=other, position=7, kind="en", en_text="Data security  matters\nfor all.")
    session.add_all([*segments, lone])
    session.flush()
    zh_citations = [(s.id, s.zh_text.index("网络主权"), s.zh_text.index("网络主权") + 4) for s in segments]  # type: ignore[union-attr]
    en_citations = [(s.id, s.en_text.index("cyber"), s.en_text.index("cyber") + 17) for s in segments]  # type: ignore[union-attr]

    # A concept created and deleted first, so database ids have a gap (round trips must not care).
    gone = concept_service.create_concept(session, [TermInput("en", "gone")], actor="li")
    concept_service.delete_concept(session, gone.id, version=None, actor="li")

    approved = concept_service.create_concept(
        session,
        [
            TermInput(
                "zh-Hans",
                "网络主权",
                usage_status="preferred",
                part_of_speech="noun",
                term_type="fullForm",
                pinyin="wǎngluò zhǔquán",
                note="又称“网络空间主权”。",
                citations=zh_citations,
            ),
            TermInput("zh-Hant", "網絡主權", part_of_speech="noun"),
            TermInput(
                "en",
                "cyber sovereignty",
                usage_status="preferred",
                part_of_speech="noun",
                term_type="fullForm",
                note="Used by <officials> & others.",
                citations=en_citations,
            ),
            TermInput("en", "Internet sovereignty", usage_status="deprecated", part_of_speech="noun"),
            TermInput(
                "en",
                "sovereignty in cyberspace",
                usage_status="superseded",
                part_of_speech="n",
                term_type="phrase",
            ),
            TermInput("zh-Hans", "网络空间主权", part_of_speech="noun", review="candidate"),
            TermInput("en", "netsovereignty", review="rejected"),
        ],
        actor="李伟",
        subject_field="网络空间治理",
        note='概念注释 & <标记> "引号"\n第二行',
        status="approved",
        confidence=0.875,
        definitions={
            "zh-Hans": "国家在网络空间的主权。",
            "zh-Hant": "國家在網絡空間的主權。",
            "en": "A state's sovereignty in cyberspace.",
        },
    )
    for definition in approved.definitions:
        if definition.language == "en":
            definition.source = "Glossary of Internet governance, 2020"
    concept_service.update_concept(
        session, approved.id, version=None, actor="Zhang San", subject_field="网络空间治理; 国际法"
    )

    candidate = concept_service.create_concept(
        session,
        [
            TermInput("zh-Hans", "数据安全", part_of_speech="noun"),
            TermInput("en", "data security", citations=[(lone.id, 0, 13)]),
        ],
        actor="extraction",
        status="candidate",
        confidence=0.42,
    )
    rejected = concept_service.create_concept(
        session,
        [TermInput("zh-Hans", "互联网+"), TermInput("en", "Internet plus")],
        actor="li",
        status="rejected",
    )
    bare = concept_service.create_concept(
        session, [TermInput("en", "cyberspace")], actor=None, status="approved"
    )
    session.commit()
    return Populated(approved.id, candidate.id, rejected.id, document.slug, bare.id)
