"""The extraction pipeline: segments in, candidate concepts, variants and citations out.

Stages, each a module with its own tests; reading one is enough to change it:

0. :mod:`.corpus` — segments, Simplified match texts, word edges, aligned English contexts.
1. :mod:`.candidates` — Chinese term candidates from the shapes jieba's tags allow.
2. :mod:`.align` — links between Chinese units and English tokens from several signals, and
   the English rendering of a candidate read off them (phrase-extraction rule).
3. :mod:`.observe` — stages 1 and 2 over every segment, added up per Chinese candidate.
4. :mod:`.termhood` — whether a pair is a term, and the confidence, from evidence alone.
5. :mod:`.grouping` — concepts: synonyms, abbreviations, glosses in the text, headwords.
6. :mod:`.citing` — resolution against the termbase, citations, variants and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from termbase.extract import citing, grouping
from termbase.extract.corpus import Corpus
from termbase.extract.lexicon import Lexicon
from termbase.extract.observe import observe
from termbase.extract.records import ExtractionResult, KnownConcept, SegmentInput
from termbase.text.segment import Segmenter, default_segmenter


class Extractor:
    """Holds the heavy resources (segmenter, lexicon), built lazily and reused across runs."""

    def __init__(self, *, lexicon: Lexicon | None = None, segmenter: Segmenter | None = None) -> None:
        self._lexicon = lexicon
        self._segmenter = segmenter

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon.load()
        return self._lexicon

    @property
    def segmenter(self) -> Segmenter:
        # The process-wide segmenter: extraction adds no words to it, and loading jieba's
        # dictionary and tag table twice would double the start-up time.
        if self._segmenter is None:
            self._segmenter = default_segmenter()
        return self._segmenter

    def run(self, segments: Sequence[SegmentInput], known: Iterable[KnownConcept] = ()) -> ExtractionResult:
        """Propose concepts, variants and citations for ``segments`` against the ``known`` termbase."""
        known = list(known)
        corpus = Corpus(segments, self.segmenter)
        general_freq = self.segmenter.tokenizer.FREQ
        observations = observe(corpus, self.lexicon, general_freq)
        proposals = grouping.propose(corpus, observations, self.lexicon, general_freq)
        del observations
        result = ExtractionResult()
        result.concepts = citing.resolve(proposals, known, result)
        citing.recognize(corpus, known, result)
        citing.propose_variants(corpus, known, result, self.lexicon)
        for concept in result.concepts:
            for term in concept.terms:
                term.spans.sort()
        for spans in result.citations.values():
            spans.sort()
        citing.count(corpus, known, result)
        return result
