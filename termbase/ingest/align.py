"""Align a Chinese text with its English translation: paragraphs first, then sentences.

The method is Gale and Church's (Computational Linguistics 19(1), 1993): dynamic
programming over "beads" (1-1, 1-0, 0-1, 2-1, ...), each scored by how well the
lengths agree. Two things are added, as Wu (1994) and Kueng and Su (2002) found
necessary for Chinese-English:

* the length ratio and its variance are the document's own: a first pass with the
  overall character ratio, then both re-estimated from the confident 1-1 beads;
* lexical anchors (:mod:`termbase.ingest.anchors`: numbers and dictionary hits) add a
  log-likelihood ratio to each bead, and afterwards check every pair: a pair whose
  anchors speak against it is split into two unaligned units. So a paragraph present
  on one side only ends up on its own, never in a misaligned pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from termbase.ingest import sentences
from termbase.ingest.anchors import EnAnchors, Lexicon, ZhAnchors, default_lexicon, en_anchors, zh_anchors
from termbase.text.normalize import HAN_RE

# Prior probabilities of bead shapes (zh units, en units). Gale and Church's, with room for
# Chinese sentences that English splits in two or three, which these translations often do.
PARAGRAPH_MOVES: dict[tuple[int, int], float] = {
    (1, 1): 0.86,
    (1, 0): 0.04,  # headings, salutations and captions often appear on one side only
    (0, 1): 0.04,
    (2, 1): 0.02,
    (1, 2): 0.02,
    (2, 2): 0.005,
    (1, 3): 0.002,
    (3, 1): 0.002,
}
SENTENCE_MOVES: dict[tuple[int, int], float] = {
    (1, 1): 0.78,
    (1, 0): 0.015,
    (0, 1): 0.015,
    (2, 1): 0.05,
    (1, 2): 0.09,
    (2, 2): 0.02,
    (1, 3): 0.02,
    (3, 1): 0.005,
}
# Two short paragraphs in swapped order ("name, date" against "date, name"): paired crosswise.
SWAP_PRIOR = 0.01
SWAP_MAX_LENGTH = 60  # characters of Chinese in the two units together

# Log-likelihood ratios of anchor evidence, true translation against a neighbouring pair:
# log(P(hit | translation) / P(hit | neighbour)), and the same for a miss. The rates were
# measured on the source-paired sentences of seed 002 (for example, 63% of Chinese
# dictionary words find their gloss in the true English, 22% in the next pair's).
ZH_WORD_HIT = 1.0  # a Chinese dictionary word whose gloss appears in the English
ZH_WORD_MISS = -0.7
EN_WORD_HIT = 1.2  # an English content word explained by a gloss on the Chinese side
EN_WORD_MISS = -0.6
NUMBER_HIT = 2.5
NUMBER_MISS = -1.0
# The pieces of evidence are not independent (a word and its neighbours hit together), so
# their sum is damped before it is added to the length cost.
LEXICAL_WEIGHT = 0.5
SPECIFIC_GLOSS = 6  # at most this many gloss stems: a word whose absence counts
# A unit joined to others in a bead (2-1, 1-2, ...) that shares no anchor at all with the
# other side: most likely a unit of its own, untranslated, not part of the translation.
ORPHAN = -4.0

# A pair whose anchor evidence is below this (and whose lengths do not vouch for it) is split.
REJECT_BELOW = -3.0
MAX_LENGTH_COST = 30.0
BAND_CELLS = 400_000  # beyond this many DP cells, search only a band around the diagonal


@dataclass(frozen=True, slots=True)
class Unit:
    """A paragraph or sentence to align, with its length and anchors."""

    text: str
    length: int  # characters other than spaces
    han: int = 0  # of which Han characters (Chinese units)
    zh: ZhAnchors | None = None
    en: EnAnchors | None = None


@dataclass(frozen=True, slots=True)
class Bead:
    zh: tuple[int, ...]
    en: tuple[int, ...]
    score: float | None = None  # 0..1 for pairs: how strongly length and anchors support them
    lexical: float = 0.0
    length_cost: float = 0.0


@dataclass(slots=True)
class LengthModel:
    """Gale-Church length model: English length ~ N(ratio * Han + other, variance * Han).

    Lengths count characters other than spaces. On the Chinese side only Han characters
    are scaled by the ratio; digits, Latin letters and punctuation stand for themselves,
    so "2015年12月16日" is not taken for eleven Chinese characters' worth of English.
    """

    ratio: float
    variance: float
    cache: dict[tuple[int, int, int], float] = field(default_factory=dict, repr=False)

    def cost(self, han: int, other: int, en_length: int) -> float:
        key = (han, other, en_length)
        if (known := self.cache.get(key)) is not None:
            return known
        value = self._cost(han, other, en_length)
        self.cache[key] = value
        return value

    def _cost(self, han: int, other: int, en_length: int) -> float:
        if han + other == 0 or en_length == 0:
            return 0.0  # a unit on one side only: its prior alone decides
        expected = han * self.ratio + other
        mean = max((han + (en_length - other) / self.ratio) / 2, 1.0)
        delta = (en_length - expected) / math.sqrt(self.variance * mean)
        probability = math.erfc(abs(delta) / math.sqrt(2))
        return min(MAX_LENGTH_COST, -math.log(max(probability, 1e-300)))


def _length(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _han(text: str) -> int:
    return len(HAN_RE.findall(text))


class _Problem:
    """Two sequences of units with their pairwise anchor evidence precomputed.

    For every pair (Chinese unit i, English unit j) near enough to the diagonal to be
    searched, ``_hits[i][j]`` is a bit mask of the words of unit i whose gloss occurs in
    unit j, and ``_explained[i][j]`` the stems of unit j that a gloss in unit i explains.
    A bead's evidence is then a few bit and set operations.
    """

    def __init__(self, zh: Sequence[Unit], en: Sequence[Unit], band: int | None) -> None:
        self.zh, self.en, self.band = zh, en, band
        self._memo: dict[tuple[int, int, int, int], float] = {}
        # Words with a short gloss are specific: missing their translation is evidence against
        # a pair. Words glossed many ways (作为 "as; to act as; conduct; deed; ...") are not.
        self._specific = [
            sum(1 << k for k, gloss in enumerate(u.zh.words) if len(gloss) <= SPECIFIC_GLOSS) if u.zh else 0
            for u in zh
        ]
        self._stems = [len(u.en.stems) if u.en else 0 for u in en]
        self._zh_numbers = [u.zh.numbers if u.zh else frozenset() for u in zh]
        self._en_numbers = [u.en.numbers if u.en else frozenset() for u in en]
        self._zh_han = [u.han for u in zh]
        self._zh_other = [u.length - u.han for u in zh]
        self._en_lengths = [u.length for u in en]
        self._hits: list[dict[int, int]] = []
        self._explained: list[dict[int, frozenset[str]]] = []
        glossed = [frozenset().union(*u.zh.words) if u.zh and u.zh.words else frozenset() for u in zh]
        en_stems = [u.en.stems if u.en else frozenset() for u in en]
        for i, unit in enumerate(zh):
            words = unit.zh.words if unit.zh else ()
            hits: dict[int, int] = {}
            explained: dict[int, frozenset[str]] = {}
            for j in self.columns(i, margin=4):
                stems = en_stems[j]
                mask = 0
                for k, gloss in enumerate(words):
                    if gloss & stems:
                        mask |= 1 << k
                hits[j] = mask
                explained[j] = stems & glossed[i]
            self._hits.append(hits)
            self._explained.append(explained)

    def columns(self, i: int, *, margin: int = 0) -> range:
        m = len(self.en)
        if self.band is None:
            return range(m + 1 if margin == 0 else m)
        centre = round(i * m / max(len(self.zh), 1))
        last = m if margin == 0 else m - 1
        return range(max(0, centre - self.band - margin), min(last, centre + self.band + margin) + 1)

    def lexical(self, zh_ids: range, en_ids: range) -> float:
        key = (zh_ids.start, zh_ids.stop, en_ids.start, en_ids.stop)
        if (known := self._memo.get(key)) is not None:
            return known
        hits = misses = explained = stems = orphans = 0
        zh_set: frozenset[str] = frozenset().union(*(self._zh_numbers[i] for i in zh_ids))
        en_set: frozenset[str] = frozenset().union(*(self._en_numbers[j] for j in en_ids))
        for i in zh_ids:
            row = self._hits[i]
            mask = 0
            for j in en_ids:
                mask |= row.get(j, 0)
            hits += mask.bit_count()
            misses += (self._specific[i] & ~mask).bit_count()
            if len(zh_ids) > 1 and not mask and self._specific[i] and not self._zh_numbers[i] & en_set:
                orphans += 1
        for j in en_ids:
            stems += self._stems[j]
            covered: set[str] = set()
            for i in zh_ids:
                covered.update(self._explained[i].get(j, ()))
            explained += len(covered)
            if len(en_ids) > 1 and not covered and self._stems[j] and not self._en_numbers[j] & zh_set:
                orphans += 1
        value = (
            ZH_WORD_HIT * hits
            + ZH_WORD_MISS * misses
            + EN_WORD_HIT * explained
            + EN_WORD_MISS * (stems - explained)
            + ORPHAN * orphans
        )
        if zh_set or en_set:
            value += NUMBER_HIT * len(zh_set & en_set) + NUMBER_MISS * len(zh_set ^ en_set)
        self._memo[key] = value
        return value

    def lengths(self, zh_ids: range, en_ids: range) -> tuple[int, int, int]:
        """Han characters and other characters of the Chinese units, characters of the English ones."""
        return (
            sum(self._zh_han[zh_ids.start : zh_ids.stop]),
            sum(self._zh_other[zh_ids.start : zh_ids.stop]),
            sum(self._en_lengths[en_ids.start : en_ids.stop]),
        )


@dataclass(slots=True)
class Aligner:
    lexicon: Lexicon = field(default_factory=default_lexicon)
    model: LengthModel | None = None

    def zh_unit(self, text: str) -> Unit:
        return Unit(text, _length(text), _han(text), zh=zh_anchors(text, self.lexicon))

    def en_unit(self, text: str) -> Unit:
        return Unit(text, _length(text), en=en_anchors(text))

    @staticmethod
    def _problem(zh: Sequence[Unit], en: Sequence[Unit]) -> _Problem:
        n, m = len(zh), len(en)
        band = None
        if (n + 1) * (m + 1) > BAND_CELLS:
            band = max(50, abs(n - m) + 20, int(BAND_CELLS / (n + m + 2)))
        elif n * m > 400:
            # The path strays from the diagonal by at most the surplus of one side, plus slack.
            band = abs(n - m) + 12
        return _Problem(zh, en, band)

    @staticmethod
    def _score(lexical: float, length_cost: float) -> float:
        return 1 / (1 + math.exp(-(lexical - length_cost + 2)))

    def _swap(self, problem: _Problem, i: int, j: int, model: LengthModel) -> tuple[float, list[Bead]] | None:
        """Cost of pairing zh[i-2] with en[j-1] and zh[i-1] with en[j-2], for short units."""
        if i < 2 or j < 2 or sum(problem.lengths(range(i - 2, i), range(0))[:2]) > SWAP_MAX_LENGTH:
            return None
        total = -math.log(SWAP_PRIOR)
        beads = []
        for zi, ej in ((i - 2, j - 1), (i - 1, j - 2)):
            length_cost = model.cost(*problem.lengths(range(zi, zi + 1), range(ej, ej + 1)))
            lexical = problem.lexical(range(zi, zi + 1), range(ej, ej + 1))
            if lexical <= 0:
                return None  # crossing pairs must each have anchors of their own
            total += length_cost - LEXICAL_WEIGHT * lexical
            beads.append(Bead((zi,), (ej,), self._score(lexical, length_cost), lexical, length_cost))
        return total, beads

    def _search(
        self,
        problem: _Problem,
        moves: dict[tuple[int, int], float],
        model: LengthModel,
        *,
        swaps: bool = False,
    ) -> list[Bead]:
        n, m = len(problem.zh), len(problem.en)
        inf = float("inf")
        cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
        back: dict[tuple[int, int], list[Bead]] = {}
        priors = [(dz, de, -math.log(prior)) for (dz, de), prior in moves.items()]
        length_cache = model.cache
        for i in range(n + 1):
            for j in problem.columns(i):
                if i == 0 and j == 0:
                    continue
                best, best_from = inf, None
                for dz, de, prior_cost in priors:
                    pi, pj = i - dz, j - de
                    if pi < 0 or pj < 0 or (previous := cost.get((pi, pj))) is None:
                        continue
                    zh_ids, en_ids = range(pi, i), range(pj, j)
                    lengths = problem.lengths(zh_ids, en_ids)
                    length_cost = length_cache.get(lengths)
                    if length_cost is None:
                        length_cost = model.cost(*lengths)
                    lexical = problem.lexical(zh_ids, en_ids) if dz and de else 0.0
                    total = previous + prior_cost + length_cost - LEXICAL_WEIGHT * lexical
                    if total < best:
                        score = self._score(lexical, length_cost) if dz and de else None
                        best, best_from = (
                            total,
                            [Bead(tuple(zh_ids), tuple(en_ids), score, lexical, length_cost)],
                        )
                swap = self._swap(problem, i, j, model) if swaps else None
                if swap and (previous := cost.get((i - 2, j - 2))) is not None and previous + swap[0] < best:
                    best, best_from = previous + swap[0], swap[1]
                if best_from is not None:
                    cost[(i, j)] = best
                    back[(i, j)] = best_from
        beads: list[Bead] = []
        i, j = n, m
        while i > 0 or j > 0:
            step = back[(i, j)]
            beads.extend(reversed(step))
            i -= sum(len(b.zh) for b in step)
            j -= sum(len(b.en) for b in step)
        beads.reverse()
        return beads

    @staticmethod
    def _verify(beads: list[Bead]) -> list[Bead]:
        """Split pairs the anchors speak against: better unaligned than misaligned."""
        checked: list[Bead] = []
        for bead in beads:
            if bead.zh and bead.en and bead.lexical - bead.length_cost < REJECT_BELOW:
                checked.extend(Bead((i,), ()) for i in bead.zh)
                checked.extend(Bead((), (j,)) for j in bead.en)
            else:
                checked.append(bead)
        return checked

    def estimate(
        self, zh: Sequence[Unit], en: Sequence[Unit], problem: _Problem | None = None
    ) -> LengthModel:
        """The document's length model: overall ratio first, then refined on confident pairs."""
        han_total = sum(u.han for u in zh) or 1
        other_total = sum(u.length - u.han for u in zh)
        en_total = sum(u.length for u in en)
        ratio = max((en_total - other_total) / han_total, 0.5)
        model = LengthModel(ratio, 6.8 * ratio * ratio / 2)
        # The first pass only needs the confident 1-1 pairs, so it searches the simplest shapes.
        moves = {shape: PARAGRAPH_MOVES[shape] for shape in ((1, 1), (1, 0), (0, 1))}
        beads = self._search(problem or self._problem(zh, en), moves, model)
        # Pairs as (Han characters, English characters beyond the Chinese side's other characters).
        pairs = [
            (zh[b.zh[0]].han, en[b.en[0]].length - (zh[b.zh[0]].length - zh[b.zh[0]].han))
            for b in beads
            if len(b.zh) == 1 and len(b.en) == 1 and b.lexical > 0 and zh[b.zh[0]].han >= 10
        ]
        if len(pairs) >= 3:
            refined = max(sum(e for _, e in pairs) / sum(z for z, _ in pairs), 0.5)  # long pairs weigh more
            residuals = [((e - refined * z) ** 2) / max((z + e / refined) / 2, 1.0) for z, e in pairs]
            # the median of squared residuals is 0.455 times the variance of a normal distribution
            variance = max(median(residuals) / 0.455, refined)
            model = LengthModel(refined, min(variance, 30 * refined * refined))
        return model

    def align(
        self,
        zh: Sequence[Unit],
        en: Sequence[Unit],
        *,
        moves: dict[tuple[int, int], float] = PARAGRAPH_MOVES,
        model: LengthModel | None = None,
    ) -> list[Bead]:
        return self.align_with_model(zh, en, moves=moves, model=model)[0]

    def align_with_model(
        self,
        zh: Sequence[Unit],
        en: Sequence[Unit],
        *,
        moves: dict[tuple[int, int], float] = PARAGRAPH_MOVES,
        model: LengthModel | None = None,
    ) -> tuple[list[Bead], LengthModel]:
        """Beads, and the length model used (estimated from these units unless given)."""
        problem = self._problem(zh, en)
        model = model or self.model or self.estimate(zh, en, problem)
        return self._verify(self._search(problem, moves, model, swaps=moves is PARAGRAPH_MOVES)), model


@dataclass(frozen=True, slots=True)
class AlignedText:
    """One output unit: a pair, or one side only, with where it came from."""

    zh_text: str | None
    en_text: str | None
    score: float | None
    zh_index: int | None  # index of the (first) Chinese paragraph, for ordering and messages
    en_index: int | None


def _join(paragraph_texts: Sequence[str], spans: Sequence[tuple[int, int, int]]) -> str:
    """Text of consecutive sentences: the original slice within a paragraph, a line break across."""
    pieces: list[str] = []
    for paragraph, start, end in _merge_spans(spans):
        pieces.append(paragraph_texts[paragraph][start:end])
    return "\n".join(pieces)


def _merge_spans(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for paragraph, start, end in spans:
        if merged and merged[-1][0] == paragraph:
            merged[-1] = (paragraph, merged[-1][1], end)
        else:
            merged.append((paragraph, start, end))
    return merged


def align_paragraphs(
    zh_paragraphs: Sequence[str], en_paragraphs: Sequence[str], *, aligner: Aligner | None = None
) -> list[AlignedText]:
    """Align paragraphs, then the sentences inside each aligned group of paragraphs."""
    aligner = aligner or Aligner()
    zh_units = [aligner.zh_unit(t) for t in zh_paragraphs]
    en_units = [aligner.en_unit(t) for t in en_paragraphs]
    beads, model = aligner.align_with_model(zh_units, en_units)
    out: list[AlignedText] = []
    for bead in beads:
        if not bead.en:
            out.extend(AlignedText(zh_paragraphs[i], None, None, i, None) for i in bead.zh)
            continue
        if not bead.zh:
            out.extend(AlignedText(None, en_paragraphs[j], None, None, j) for j in bead.en)
            continue
        zh_spans = [(i, a, b) for i in bead.zh for a, b in sentences.split_zh(zh_paragraphs[i])]
        en_spans = [(j, a, b) for j in bead.en for a, b in sentences.split_en(en_paragraphs[j])]
        zh_sentences = [aligner.zh_unit(zh_paragraphs[i][a:b]) for i, a, b in zh_spans]
        en_sentences = [aligner.en_unit(en_paragraphs[j][a:b]) for j, a, b in en_spans]
        for inner in aligner.align(zh_sentences, en_sentences, moves=SENTENCE_MOVES, model=model):
            zh_text = _join(zh_paragraphs, [zh_spans[k] for k in inner.zh]) if inner.zh else None
            en_text = _join(en_paragraphs, [en_spans[k] for k in inner.en]) if inner.en else None
            out.append(
                AlignedText(
                    zh_text,
                    en_text,
                    inner.score,
                    zh_spans[inner.zh[0]][0] if inner.zh else None,
                    en_spans[inner.en[0]][0] if inner.en else None,
                )
            )
    return out
