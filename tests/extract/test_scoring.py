"""Confidence from evidence, and the refresh of a candidate's evidence when later documents cite it."""

from __future__ import annotations

import pytest
from extract_corpus import PAIRS, pair_segments

from termbase.extract import scoring
from termbase.extract.pipeline import Extractor
from termbase.extract.records import KnownConcept, KnownTerm


def _evidence() -> dict[str, object]:
    return {
        "method": scoring.METHOD_DICTIONARY,
        "zh_count": 1,
        "en_count": 1,
        "cooccurrence": 1,
        "dice": 1.0,
        "confidence_base": 0.71,
        "cautions": 0,
        "documents": ["a"],
        "by_document": {"a": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}},
        "explanation": "数据安全 ↔ 'data security': every part explained; found together in 1 of 1 segment(s) with 数据安全",
    }


def test_confidence_adds_the_count_part_caps_it_and_subtracts_cautions() -> None:
    assert scoring.confidence_of(scoring.METHOD_DICTIONARY, 0.71, 1, 1.0) == 0.75
    assert scoring.confidence_of(scoring.METHOD_DICTIONARY, 0.71, 2, 1.0) == 0.87
    assert scoring.confidence_of(scoring.METHOD_DICTIONARY, 0.9, 3, 1.0) == 0.97  # capped
    assert scoring.confidence_of(scoring.METHOD_DICTIONARY, 0.71, 2, 1.0, cautions=2) == 0.67
    assert scoring.confidence_of(scoring.METHOD_COOCCURRENCE, 0.6, 9, 1.0) == 0.79  # never high


def test_a_later_document_adds_its_counts_and_raises_the_confidence() -> None:
    refreshed = scoring.refresh(_evidence(), {"b": {"zh_count": 2, "en_count": 3, "cooccurrence": 2}})
    assert refreshed is not None
    evidence, confidence = refreshed
    assert (evidence["zh_count"], evidence["en_count"], evidence["cooccurrence"]) == (3, 4, 3)
    assert evidence["dice"] == round(2 * 3 / 7, 3)
    assert evidence["documents"] == ["a", "b"]
    assert evidence["by_document"]["b"] == {"zh_count": 2, "en_count": 3, "cooccurrence": 2}
    assert "found together in 3 of 3 segments" in evidence["explanation"]
    assert confidence == 0.87  # now recurring: +0.12
    assert _evidence()["zh_count"] == 1  # the input is not changed


def test_reading_the_same_document_again_changes_nothing() -> None:
    assert scoring.refresh(_evidence(), {"a": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}}) is None
    evidence, _ = scoring.refresh(_evidence(), {"b": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}}) or (
        {},
        0,
    )
    assert scoring.refresh(evidence, {"b": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}}) is None


def test_a_new_version_of_a_document_replaces_its_counts() -> None:
    refreshed = scoring.refresh(_evidence(), {"a": {"zh_count": 2, "en_count": 2, "cooccurrence": 2}})
    assert refreshed is not None
    assert refreshed[0]["zh_count"] == 2


def test_evidence_without_counts_per_document_keeps_its_totals() -> None:
    legacy = {k: v for k, v in _evidence().items() if k not in {"by_document", "confidence_base"}}
    refreshed = scoring.refresh(legacy, {"b": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}})
    assert refreshed is not None
    evidence, confidence = refreshed
    assert evidence["zh_count"] == 2
    assert evidence["documents"] == ["a", "b"]
    assert confidence is None  # no fixed part to recompute it from: the old confidence stays
    # Rereading every document the old totals came from replaces them.
    evidence, _ = scoring.refresh(legacy, {"a": {"zh_count": 1, "en_count": 1, "cooccurrence": 1}}) or ({}, 0)
    assert evidence["zh_count"] == 1


def test_proposals_carry_counts_per_document_that_rebuild_their_confidence(extractor: Extractor) -> None:
    segments = pair_segments(PAIRS[:3], "one", 100) + pair_segments(PAIRS[3:], "two", 200)
    for concept in extractor.run(segments).concepts:
        evidence = concept.evidence
        by_document = evidence["by_document"]
        assert sum(c["zh_count"] for c in by_document.values()) >= 1
        both = evidence["cooccurrence"]
        rebuilt = scoring.confidence_of(
            evidence["method"], evidence["confidence_base"], both, evidence["dice"], evidence["cautions"]
        )
        assert rebuilt == pytest.approx(concept.confidence, abs=0.002)
    found = {c.zh: c.evidence["by_document"] for c in extractor.run(segments).concepts}
    assert found["数据安全"] == {"one": {"zh_count": 2, "en_count": 2, "cooccurrence": 2}}


def test_known_candidates_cited_by_a_run_get_counts_decided_ones_do_not(extractor: Extractor) -> None:
    known = [
        KnownConcept(
            1, "candidate", (KnownTerm(10, "zh-Hans", "数据安全"), KnownTerm(11, "en", "data security"))
        ),
        KnownConcept(
            2, "approved", (KnownTerm(20, "zh-Hans", "云计算"), KnownTerm(21, "en", "cloud computing"))
        ),
        KnownConcept(
            3,
            "candidate",
            (
                KnownTerm(30, "zh-Hans", "网络谣言"),
                KnownTerm(31, "en", "online rumours"),
                KnownTerm(32, "en", "web rumours", review="candidate"),
            ),
        ),
    ]
    result = extractor.run(pair_segments(PAIRS, "speech", 100), known)
    assert result.counts[1] == {"speech": {"zh_count": 2, "en_count": 2, "cooccurrence": 2}}
    assert 2 not in result.counts
    assert result.counts[3] == {"speech": {"zh_count": 2, "en_count": 2, "cooccurrence": 2}}
