"""Fixtures for extraction tests: one extractor per session and a small invented corpus.

The sentences are written for these tests in the style of Internet-governance speeches;
none is taken from the seed documents.
"""

from __future__ import annotations

import pytest
from extract_corpus import ENGLISH_ONLY, PAIRS, TRADITIONAL_PAIRS, english_segments, pair_segments

from termbase.extract.pipeline import Extractor
from termbase.extract.records import SegmentInput


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture
def corpus() -> list[SegmentInput]:
    return (
        pair_segments(PAIRS, "speech", 100)
        + pair_segments(TRADITIONAL_PAIRS, "article", 200)
        + english_segments(ENGLISH_ONLY, "english", 300)
    )
