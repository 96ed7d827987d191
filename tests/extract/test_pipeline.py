"""The pure pipeline on a small invented corpus: pairs, citations, variants, known concepts."""

from __future__ import annotations

from extract_corpus import PAIRS, english_segments, pair_segments

from termbase.extract.english import text_key
from termbase.extract.pipeline import Extractor
from termbase.extract.records import KnownConcept, KnownTerm, ProposedConcept, SegmentInput
from termbase.text.normalize import match_text


def _by_zh(concepts: list[ProposedConcept]) -> dict[str, ProposedConcept]:
    return {c.zh: c for c in concepts}


def _texts(segments: list[SegmentInput]) -> dict[int, SegmentInput]:
    return {s.key: s for s in segments}


def test_proposes_pairs_explained_by_the_dictionary(extractor: Extractor, corpus: list[SegmentInput]) -> None:
    found = _by_zh(extractor.run(corpus).concepts)
    assert text_key(found["数据安全"].en[0]) == "datasecurity"
    assert text_key(found["云计算"].en[0]) == "cloudcomputing"
    assert text_key(found["网络谣言"].en[0]) == "onlinerumour"
    for concept in found.values():
        assert 0.0 <= concept.confidence <= 1.0
        assert {"method", "zh_count", "cooccurrence", "dice", "dictionary_coverage", "explanation"} <= set(
            concept.evidence
        )


def test_no_single_characters_or_function_words(extractor: Extractor, corpus: list[SegmentInput]) -> None:
    for concept in extractor.run(corpus).concepts:
        assert len(concept.zh) >= 2
        assert concept.zh not in {"我们", "各国", "的", "是"}
        for en in concept.en:
            assert en.lower() not in {"the", "of", "we", "all countries"}


def test_citations_point_at_the_term_on_both_sides(extractor: Extractor, corpus: list[SegmentInput]) -> None:
    segments = _texts(corpus)
    concept = _by_zh(extractor.run(corpus).concepts)["数据安全"]
    by_language = {t.language: t for t in concept.terms if t.review == "accepted"}
    zh_spans = by_language["zh-Hans"].spans
    assert len(zh_spans) == 3  # two Simplified pairs and the Traditional one
    for span in zh_spans:
        assert match_text((segments[span.segment].zh_text or "")[span.start : span.end]) == "数据安全"
    en_spans = by_language["en"].spans
    assert {s.segment for s in en_spans} >= {100, 101, 200, 301}  # the English-only document too
    for span in en_spans:
        assert (segments[span.segment].en_text or "")[span.start : span.end].lower() == "data security"


def test_traditional_source_adds_a_zh_hant_term(extractor: Extractor, corpus: list[SegmentInput]) -> None:
    concept = _by_zh(extractor.run(corpus).concepts)["数据安全"]
    hant = [t for t in concept.terms if t.language == "zh-Hant"]
    assert [t.text for t in hant] == ["數據安全"]
    assert [s.segment for s in hant[0].spans] == [200]


def test_look_alike_renderings_become_variant_candidates(
    extractor: Extractor, corpus: list[SegmentInput]
) -> None:
    concept = _by_zh(extractor.run(corpus).concepts)["网络谣言"]
    variants = [t for t in concept.terms if t.review == "candidate"]
    assert [text_key(t.text) for t in variants] == ["internetrumour"]
    assert variants[0].evidence is not None
    assert variants[0].evidence["rendering_of"] == "online rumour"
    assert [s.segment for s in variants[0].spans] == [300]


def test_known_concepts_gain_citations_and_are_never_proposed_again(extractor: Extractor) -> None:
    known = [
        KnownConcept(
            1, "approved", (KnownTerm(10, "zh-Hans", "数据安全"), KnownTerm(11, "en", "data security"))
        ),
        KnownConcept(
            2, "rejected", (KnownTerm(20, "zh-Hans", "云计算"), KnownTerm(21, "en", "cloud computing"))
        ),
    ]
    segments = pair_segments(PAIRS, "speech", 100) + english_segments(
        ["Data security matters."], "english", 300
    )
    result = extractor.run(segments, known)
    proposed = {c.zh for c in result.concepts}
    assert "数据安全" not in proposed
    assert "云计算" not in proposed
    assert result.skipped_approved >= 1
    assert result.skipped_rejected >= 1
    assert {s.segment for s in result.citations[11]} == {100, 101, 300}
    assert 20 not in result.citations
    assert 21 not in result.citations
    assert all(v.concept_id != 2 for v in result.variants)


def test_a_new_rendering_of_a_known_concept_is_a_variant_not_a_concept(extractor: Extractor) -> None:
    known = [
        KnownConcept(
            5, "candidate", (KnownTerm(50, "zh-Hans", "网络谣言"), KnownTerm(51, "en", "false news"))
        )
    ]
    result = extractor.run(pair_segments(PAIRS, "speech", 100), known)
    assert "网络谣言" not in {c.zh for c in result.concepts}
    assert [(v.concept_id, text_key(v.term.text)) for v in result.variants] == [(5, "onlinerumour")]


def test_runs_are_deterministic(extractor: Extractor, corpus: list[SegmentInput]) -> None:
    first = extractor.run(corpus)
    second = extractor.run(corpus)
    assert [(c.zh, c.en, c.confidence) for c in first.concepts] == [
        (c.zh, c.en, c.confidence) for c in second.concepts
    ]
