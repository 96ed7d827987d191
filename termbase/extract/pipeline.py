"""The extraction pipeline: segments in, candidate concepts, variants and citations out.

1. Chinese candidates (jieba POS patterns, C-value) and English spans per segment.
2. Pairing over each candidate's aligned contexts: full dictionary coverage first, then
   phrases quoted on both sides (:mod:`.quotes`), then co-occurrence for what the dictionary
   cannot explain; accepted pairs are learned and a second pass explains longer terms built
   on them (compositional). A pair seen once must name something (termhood): a domain word,
   a phrase both authors quoted, a coined [1+2] compound, or a dictionary word of its own.
3. Resolution against the termbase: a known Chinese term never becomes a second concept;
   rejected concepts are left alone; new renderings of known concepts become variant proposals.
4. Recognition: every occurrence of every term (new and known) in every segment becomes a
   citation, on the language side where it occurs, with offsets into the original text.
5. Variants: phrases that render a known concept with another domain rendering of one of its
   parts ("Internet sovereignty" beside "cyber sovereignty") are proposed on that concept.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

from termbase.extract import chinese, english, quotes
from termbase.extract.chinese import ZhCandidate, ZhOccurrence
from termbase.extract.english import EnToken, singularize
from termbase.extract.lexicon import Lexicon, stem
from termbase.extract.pairing import (
    Context,
    Contexts,
    EnSides,
    Explainer,
    Match,
    StringTable,
    cooccurrence_choice,
    dice,
    full_matches,
    partial_coverage,
    rendering_counts,
)
from termbase.extract.records import (
    SOURCE_ALIGNMENT,
    ExtractionResult,
    KnownConcept,
    ProposedConcept,
    ProposedTerm,
    ProposedVariant,
    SegmentInput,
    Spans,
)
from termbase.extract.scoring import (
    METHOD_COOCCURRENCE,
    METHOD_DICTIONARY,
    METHOD_LEARNED,
    METHOD_QUOTED,
    confidence_of,
)
from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT, WorkflowStatus
from termbase.text.normalize import match_text, normalize_term, to_simplified
from termbase.text.segment import Segmenter, default_segmenter
from termbase.text.wording import counted, plural

METHOD_VARIANT = "variant (another rendering of a part)"
POSITION_WINDOW = 0.03  # share of a document an unaligned Chinese segment may drift from its English
MAX_RECOGNIZED_TOKENS = 10
REORDER_PREPOSITIONS = ("of", "in", "on", "over", "for")
# A head noun above this frequency in jieba's general dictionary (the ~4,700 commonest
# two-character words) is everyday vocabulary: 新 + 挑战 is a description, 新 + 常态 a coinage.
COINED_HEAD_FREQ_LIMIT = 1000


@dataclass(slots=True)
class _Pair:
    """A pairing decision with what later steps need of its matches, not the matches themselves."""

    candidate: ZhCandidate
    key: str
    method: str
    base: float  # the part of the confidence fixed by how the pair was found (scoring)
    both: int
    dice: float
    evidence: dict[str, Any]
    alternatives: list[str]
    first: Match  # the first match of the key: its words are learned and judged for termhood
    claims: array[int]  # segment, first and end token of each aligned match of the key
    forms: dict[str, Counter[str]]  # how the key and each alternative are written, with counts
    whole_only: bool  # some match is rendered by the term's own gloss alone
    stand_in: bool  # every match is explained only through an interchangeable rendering
    coordination: bool  # in some match the English may continue after "and"/"or"
    cautions: int = 0

    @property
    def confidence(self) -> float:
        return confidence_of(self.method, self.base, self.both, self.dice, self.cautions)


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
        return _Run(self, segments, list(known)).execute()


class _Run:
    def __init__(self, extractor: Extractor, segments: Sequence[SegmentInput], known: list[KnownConcept]):
        self.segments = list(segments)
        self.known = known
        self.lexicon = _RunLexicon(extractor.lexicon)
        self.segmenter = extractor.segmenter
        self.zh_match: dict[int, str] = {}
        self.sides = EnSides(StringTable())
        self.en_frequency: Counter[str] = Counter()
        self.contexts = Contexts(len(self.segments))
        self._segment_index: dict[int, int] | None = None
        self._count_entries: dict[tuple[int, int, int], dict[str, int]] = {}

    # -- preparation ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        for index, segment in enumerate(self.segments):
            if segment.zh_text:
                zh = segment.zh_match
                if zh is None or len(zh) != len(segment.zh_text):
                    zh = match_text(segment.zh_text)
                # Most Chinese text is its own match text: the run then keeps no copy of it.
                self.zh_match[index] = segment.zh_text if zh == segment.zh_text else zh
            if segment.en_text:
                tokens = english.tokenize(segment.en_text, segment.en_match, segment.en_splits)
                spans = [
                    (i, j, english.span_key(tokens[i:j]))
                    for i, j in english.iter_spans(tokens, 0, len(tokens))
                ]
                self.sides.append(tokens, spans)
                self.en_frequency.update({key for _, _, key in spans})
            else:
                self.sides.append(None)
        self._build_contexts()

    def _build_contexts(self) -> None:
        by_document: dict[str, list[int]] = defaultdict(list)
        for index, segment in enumerate(self.segments):
            by_document[segment.document].append(index)
        for indices in by_document.values():
            indices.sort(key=lambda i: self.segments[i].position)
            en_positions = _relative_positions(indices, lambda i: len(self.segments[i].en_text or ""))
            zh_positions = _relative_positions(indices, lambda i: len(self.segments[i].zh_text or ""))
            with_en = [i for i in indices if i in self.sides]
            for rank, index in enumerate(indices):
                if index not in self.zh_match:
                    continue
                segment = self.segments[index]
                contexts: list[Context] = []
                if index in self.sides:
                    contexts.append(Context(index, near=False))
                    if segment.alignment != SOURCE_ALIGNMENT:
                        for other in (rank - 1, rank + 1):
                            if 0 <= other < len(indices) and indices[other] in self.sides:
                                contexts.append(Context(indices[other], near=True))
                else:
                    # A Chinese segment without English: look at the English at the same relative place.
                    start, end = zh_positions[index]
                    for other in with_en:
                        if other == index:
                            continue
                        e_start, e_end = en_positions[other]
                        if e_end >= start - POSITION_WINDOW and e_start <= end + POSITION_WINDOW:
                            contexts.append(Context(other, near=True))
                self.contexts.set(index, contexts)

    # -- pairing -------------------------------------------------------------------------------

    def _candidates(self) -> dict[str, ZhCandidate]:
        general = self.segmenter.tokenizer.FREQ
        tagged = ((index, text, self.segmenter.tag(text)) for index, text in self.zh_match.items())
        return chinese.collect(tagged, self.lexicon.base, general, self._tag_word)

    def _tag_word(self, word: str) -> str:
        """jieba's part of speech for one dictionary word."""
        tokens = self.segmenter.tag(word)
        return tokens[0].flag if len(tokens) == 1 else "x"

    def _pair(self, candidates: dict[str, ZhCandidate]) -> dict[str, _Pair]:
        pairs: dict[str, _Pair] = {}
        claimed: dict[int, int] = {}  # segment -> its claimed tokens, as bits
        # Pass 1: dictionary; pass 2: co-occurrence; pass 3: dictionary again with learned pairs.
        for text in sorted(candidates):
            pair = self._dictionary_pair(candidates[text], learned=False)
            if pair:
                pairs[text] = pair
        for text, pair in self._quoted_pairs(candidates).items():
            if text not in pairs:
                pairs[text] = pair
                candidates.setdefault(text, pair.candidate)
            elif pairs[text].key == pair.key:
                # The dictionary explains what both authors quoted: a name, even when seen once.
                pairs[text].evidence["quoted_together"] = pair.evidence["quoted_together"]
        for pair in pairs.values():
            for segment, first, end in zip(
                pair.claims[::3], pair.claims[1::3], pair.claims[2::3], strict=True
            ):
                claimed[segment] = claimed.get(segment, 0) | (1 << end) - (1 << first)
        for text in sorted(candidates):
            if text in pairs:
                continue
            pair = self._cooccurrence_pair(candidates[text], claimed)
            if pair:
                pairs[text] = pair
        for pair in pairs.values():
            tokens = self._tokens_of(pair.first)
            self.lexicon.learn(pair.candidate.text, english.content_words(tokens))
        for text in sorted(candidates):
            if text in pairs:
                continue
            pair = self._dictionary_pair(candidates[text], learned=True)
            if pair:
                pairs[text] = pair
        pairs = {text: pair for text, pair in pairs.items() if self._termhood(pair)}
        pairs = _drop_nested(pairs, self.lexicon.base)
        self._temper(pairs)
        return pairs

    def _quoted_pairs(self, candidates: dict[str, ZhCandidate]) -> dict[str, _Pair]:
        """Phrases quoted on both sides of aligned segments, paired in order (see :mod:`.quotes`)."""
        found: dict[str, dict[str, list[tuple[int, int, int]]]] = defaultdict(lambda: defaultdict(list))
        for index, zh in self.zh_match.items():
            side = self.sides.get(index)
            if side is None:
                continue
            zh_quotes = quotes.zh_quotes(zh, self.lexicon.base.is_idiom)
            if not zh_quotes:
                continue
            en_quotes = quotes.en_quotes(self.segments[index].en_text or "", side.tokens())
            paired = [
                (zh[start:end], side.key(first, last), first, last)
                for (start, end), (first, last) in quotes.quote_pairs(zh_quotes, en_quotes)
            ]
            if not quotes.consistent([(text, key) for text, key, _, _ in paired]):
                continue  # the two sides quote in different orders: no evidence from here
            for text, key, first, last in paired:
                if key:
                    found[text][key].append((index, first, last))
        out: dict[str, _Pair] = {}
        for text, by_key in sorted(found.items()):
            key = max(sorted(by_key), key=lambda k: len(by_key[k]))
            quoted = by_key[key]
            candidate = candidates.get(text) or self._quoted_candidate(text)
            segment_of = {o.segment: n for n, o in enumerate(candidate.occurrences)}
            explainer = Explainer(text, self.lexicon.base)
            matches = []
            for index, first, last in quoted:
                tokens = self.sides[index].tokens(first, last)
                cov_zh, cov_en = partial_coverage(explainer, tokens)
                matches.append(
                    Match(key, index, first, last, cov_zh, cov_en, False, False, segment_of.get(index, 0))
                )
            both = len({m.segment for m in matches})
            zh_count = len(candidate.segments)
            en_count = max(self.en_frequency[key], both)
            cov_zh, cov_en = matches[0].cov_zh, matches[0].cov_en
            # Quotes mark a name, not its translation: they pair reliably, but a pair the
            # dictionary cannot explain stays below the high-confidence band.
            base = round(0.62 + 0.04 * cov_zh + 0.04 * cov_en, 4)
            score_dice = dice(both, zh_count, en_count)
            evidence = {
                "method": METHOD_QUOTED,
                "zh_count": zh_count,
                "en_count": en_count,
                "cooccurrence": both,
                "dice": round(score_dice, 3),
                "dictionary_coverage": {"zh": round(cov_zh, 2), "en": round(cov_en, 2)},
                "quoted_together": both,
                "neighbour_only": False,
                "cvalue": round(candidate.cvalue, 2),
                "candidate_source": candidate.source,
            }
            out[text] = self._decided(
                candidate, key, matches, METHOD_QUOTED, base, both, score_dice, evidence
            )
        return out

    def _quoted_candidate(self, text: str) -> ZhCandidate:
        """A quoted phrase the POS patterns did not propose, with all its occurrences."""
        tokens = self.segmenter.tag(text)
        candidate = ZhCandidate(text, tuple(t.word for t in tokens), tuple(t.flag for t in tokens), "quoted")
        for index, zh in self.zh_match.items():
            start = zh.find(text)
            while start >= 0:
                candidate.occurrences.append(ZhOccurrence(index, start, start + len(text)))
                start = zh.find(text, start + len(text))
        candidate.cvalue = math.log2(len(text) + 1) * len(candidate.occurrences)
        return candidate

    def _temper(self, pairs: dict[str, _Pair]) -> None:
        """Lower the confidence of pairs that are right less often than their evidence suggests.

        Measured on the seed documents' proposals: words outside the domain's core morphemes
        (创业者), candidates mostly seen inside a longer proposal (世界互联网 in 世界互联网大会),
        and English followed by "and"/"or" plus another word the term explains ("lawful rights
        [and interests]") were the wrong ones among otherwise well-explained pairs.
        """
        occurrences = _OccurrencesBySegment([pair.candidate for pair in pairs.values()])
        for pair in pairs.values():
            reasons = []
            candidate = pair.candidate
            if not self._domain(candidate.text):
                reasons.append("outside the domain's core vocabulary")
            inside = sum(
                1
                for o in candidate.occurrences
                if any(
                    s <= o.start and o.end <= e and (s, e) != (o.start, o.end)
                    for s, e, _ in occurrences.in_segment(o.segment)
                )
            )
            if inside * 2 >= len(candidate.occurrences) and inside:
                reasons.append("mostly seen inside a longer proposal")
            if pair.stand_in:
                reasons.append("explained only through an interchangeable rendering")
            if pair.coordination:
                reasons.append("the English may continue after 'and'/'or'")
            if reasons:
                pair.cautions = len(reasons)
                pair.evidence["caution"] = "; ".join(reasons)

    def _coordination_follows(self, candidate: ZhCandidate, match: Match) -> bool:
        side = self.sides[match.segment]
        end = match.end
        if (
            end + 1 >= len(side.word_numbers)
            or side.word(end) not in ("and", "or")
            or side.chunk(end) != side.chunk(end - 1)
        ):
            return False
        explainer = Explainer(candidate.text, self.lexicon.base)
        return any(explainer.word_parts(side.word(end + 1)))

    def _domain(self, text: str) -> bool:
        return any(self.lexicon.base.is_domain_word(key) for _, _, key in self.lexicon.base.units(text))

    def _termhood(self, pair: _Pair) -> bool:
        """Keep pairs that name something: domain words, or recurring ones; never clauses."""
        candidate = pair.candidate
        tokens = self._tokens_of(pair.first)
        first = next((t for t in tokens if not t.stop), None)
        if first is None:
            return False
        if "quoted_together" in pair.evidence:
            return True  # both authors marked it as a name
        if len(candidate.tokens) > 1 and (
            first.text.endswith("ed")
            or candidate.tags[0] in {"v", "vn"}
            and not first.text.endswith(english.NOMINAL_SUFFIXES)
        ):
            return False  # 发展网络经济 "developed the online economy" is a clause
        if self._domain(candidate.text) or len(candidate.segments) >= 2:
            return True
        if self._coined_compound(pair, tokens):
            return True
        # Seen once and outside the domain's morphemes: only a four-character dictionary word
        # rendered exactly by its own gloss (知识产权 "intellectual property rights"); idioms excluded.
        text = candidate.text
        return (
            len(text) >= 4
            and self.lexicon.base.is_headword(text)
            and not self.lexicon.base.is_idiom(text)
            and pair.whole_only
            and len(english.content_words(tokens)) >= 2  # 别无他法 "alternatives" is a paraphrase
        )

    def _coined_compound(self, pair: _Pair, tokens: list[EnToken]) -> bool:
        """A one-character modifier on a specialised two-character noun, unknown to jieba as a
        whole and rendered word for word (新基建 "new infrastructure"; not 新挑战 "new challenges").

        Free modifier-noun phrases avoid the [1+2] rhythm (煤炭店, not *煤商店; Duanmu, *The
        Phonology of Standard Chinese*, 2000): when it occurs, it is usually a lexicalised,
        often newly coined, compound, so it names something even when seen once.
        """
        candidate = pair.candidate
        general = self.segmenter.tokenizer.FREQ
        words = candidate.tokens
        return (
            pair.method == METHOD_DICTIONARY
            and len(words) == 2
            and len(words[0]) == 1
            and len(words[1]) == 2
            and candidate.tags[1] in chinese.NOUNISH
            and not general.get(candidate.text)
            and 0 < general.get(words[1], 0) <= COINED_HEAD_FREQ_LIMIT
            and all(not t.stop for t in tokens)
            and len(english.content_words(tokens)) == 2
        )

    def _tokens_of(self, match: Match) -> list[EnToken]:
        return self.sides[match.segment].tokens(match.first, match.end)

    def _dictionary_pair(self, candidate: ZhCandidate, *, learned: bool) -> _Pair | None:
        explainer = Explainer(candidate.text, self.lexicon.current(learned))
        if not explainer.units:
            return None
        matches = full_matches(candidate, explainer, self.contexts, self.sides)
        if not matches:
            return None
        counts = rendering_counts(matches)
        aligned = rendering_counts(m for m in matches if not m.near)
        whole = {m.key for m in matches if m.whole}
        whole_only = {m.key for m in matches if m.whole_only}
        length = {m.key: m.end - m.first for m in matches}

        coordinated = {
            m.key
            for m in matches
            if any(self.sides[m.segment].word(k) in ("and", "or") for k in range(m.first, m.end))
        }

        def rank(key: str) -> tuple[int, int, int, int, int, int, str]:
            return (
                aligned[key],
                counts[key],
                int(key in whole_only),
                int(key in whole),
                -int(key in coordinated),
                -length[key],
                key,
            )

        best = max(counts, key=rank)
        zh_count = len(candidate.segments)
        en_count = self.en_frequency[best]
        both = counts[best]
        score_dice = dice(both, zh_count, max(en_count, both))
        # Calibrated on held-out documents: a compositional pair seen once is right about
        # three times in four; recurrence, an aligned source pair and the term's own
        # dictionary gloss each make it more likely.
        base = 0.68  # recurrence (+0.12) and Dice >= 0.5 (+0.04) are added by scoring
        if aligned[best]:
            base += 0.03
        if best in whole_only:
            base += 0.12
        elif best in whole:
            base += 0.05
        if learned:
            base -= 0.07
        best_stems = set(english.content_words(self._tokens_of(next(m for m in matches if m.key == best))))
        alternatives = [
            key
            for key in sorted(counts, key=rank, reverse=True)
            if key != best
            and aligned[key] >= 2
            and counts[key] * 2 >= counts[best]
            and not best_stems
            & set(english.content_words(self._tokens_of(next(m for m in matches if m.key == key))))
        ]
        best_matches = matches.with_key(best)
        explained = best_matches[0].explained
        evidence = {
            "method": METHOD_LEARNED if learned else METHOD_DICTIONARY,
            "zh_count": zh_count,
            "en_count": en_count,
            "cooccurrence": both,
            "dice": round(score_dice, 3),
            "dictionary_coverage": {"zh": 1.0, "en": 1.0},
            "explained_by": explained,
            "neighbour_only": not aligned[best],
            "cvalue": round(candidate.cvalue, 2),
            "candidate_source": candidate.source,
        }
        return self._decided(
            candidate,
            best,
            best_matches,
            METHOD_LEARNED if learned else METHOD_DICTIONARY,
            round(base, 4),
            both,
            score_dice,
            evidence,
            alternatives,
            matches,
        )

    def _cooccurrence_pair(self, candidate: ZhCandidate, claimed: dict[int, int]) -> _Pair | None:
        explainer = Explainer(candidate.text, self.lexicon.base)
        choice = cooccurrence_choice(
            candidate, explainer, self.contexts, self.sides, self.en_frequency, claimed=claimed
        )
        if choice is None:
            return None
        aligned = sum(1 for m in choice.matches if not m.near)
        if aligned < 2:
            return None  # neighbours alone are too loose for pairs the dictionary cannot explain
        explained = choice.cov_zh >= 0.3 and choice.cov_en >= 0.3
        if not explained and (choice.both < 3 or choice.dice < 0.9):
            return None
        base = round(0.35 + 0.1 * choice.cov_zh + 0.1 * choice.cov_en, 4)
        evidence = {
            "method": METHOD_COOCCURRENCE,
            "zh_count": choice.zh_count,
            "en_count": choice.en_count,
            "cooccurrence": choice.both,
            "dice": round(choice.dice, 3),
            "dictionary_coverage": {"zh": round(choice.cov_zh, 2), "en": round(choice.cov_en, 2)},
            "neighbour_only": aligned == 0,
            "cvalue": round(candidate.cvalue, 2),
            "candidate_source": candidate.source,
        }
        return self._decided(
            candidate,
            choice.key,
            choice.matches,
            METHOD_COOCCURRENCE,
            base,
            choice.both,
            choice.dice,
            evidence,
        )

    def _decided(
        self,
        candidate: ZhCandidate,
        key: str,
        matches: Sequence[Match],
        method: str,
        base: float,
        both: int,
        score_dice: float,
        evidence: dict[str, Any],
        alternatives: Sequence[str] = (),
        all_matches: Sequence[Match] = (),
    ) -> _Pair:
        """The pair of ``candidate`` and ``key``, keeping of its ``matches`` (and, for the
        alternatives, of ``all_matches``) only what the later steps read."""
        claims: array[int] = array("i")
        for match in matches:
            if match.key == key and not match.near:
                claims.extend((match.segment, match.first, match.end))
        forms = {key: self._forms(key, matches)}
        for alternative in alternatives:
            forms[alternative] = self._forms(alternative, all_matches)
        return _Pair(
            candidate,
            key,
            method,
            base,
            both,
            score_dice,
            evidence,
            list(alternatives),
            matches[0],
            claims,
            forms,
            any(m.whole_only for m in matches),
            all(m.stand_in for m in matches),
            any(self._coordination_follows(candidate, m) for m in matches),
        )

    # -- assembling ----------------------------------------------------------------------------

    def _forms(self, key: str, matches: Iterable[Match]) -> Counter[str]:
        """How the matches of an English key are written, with counts."""
        forms: Counter[str] = Counter()
        for match in matches:
            if match.key != key:
                continue
            tokens = self._tokens_of(match)
            original = self.segments[match.segment].en_text or ""
            forms[_display_form(original, tokens)] += 1
        return forms

    def _proposals(self, pairs: dict[str, _Pair]) -> list[ProposedConcept]:
        out: list[ProposedConcept] = []
        by_key: dict[str, ProposedConcept] = {}
        ordered = sorted(pairs.values(), key=lambda p: (-p.confidence, p.candidate.text))
        for pair in ordered:
            text, forms = _preferred(pair.forms[pair.key]), sorted(pair.forms[pair.key])
            if not text:
                continue
            evidence = dict(pair.evidence)
            evidence["confidence_base"] = pair.base
            evidence["cautions"] = pair.cautions
            evidence["explanation"] = _explanation(pair, text)
            if len(forms) > 1:
                evidence["english_forms"] = forms
            evidence["documents"] = sorted(
                {self.segments[o.segment].document for o in pair.candidate.occurrences}
            )
            existing = by_key.get(pair.key)
            if existing is not None:
                # Two Chinese terms rendered by the same English phrase: synonyms of one concept.
                existing.terms.append(ProposedTerm(LANG_ZH_HANS, pair.candidate.text))
                existing.evidence.setdefault("synonyms", []).append(pair.candidate.text)
                continue
            terms = [ProposedTerm(LANG_ZH_HANS, pair.candidate.text)]
            traditional = self._traditional_form(pair.candidate)
            if traditional:
                terms.append(ProposedTerm(LANG_ZH_HANT, traditional))
            terms.append(ProposedTerm(LANG_EN, text))
            for key in pair.alternatives:
                alt_text = _preferred(pair.forms[key])
                if alt_text:
                    terms.append(ProposedTerm(LANG_EN, alt_text))
            concept = ProposedConcept(terms, pair.confidence, evidence)
            by_key[pair.key] = concept
            out.append(concept)
        return out

    def _traditional_form(self, candidate: ZhCandidate) -> str | None:
        forms: Counter[str] = Counter()
        for occurrence in candidate.occurrences:
            original = self.segments[occurrence.segment].zh_text or ""
            written = original[occurrence.start : occurrence.end]
            if written != candidate.text and to_simplified(written) == candidate.text:
                forms[written] += 1
        return _preferred(forms) or None

    # -- resolution against the termbase ---------------------------------------------------------

    def _resolve(self, proposals: list[ProposedConcept], result: ExtractionResult) -> list[ProposedConcept]:
        by_zh: dict[str, list[KnownConcept]] = defaultdict(list)
        by_en: dict[str, list[KnownConcept]] = defaultdict(list)
        for concept in self.known:
            for term in concept.terms:
                if term.language.startswith("zh"):
                    by_zh[normalize_term(term.text)].append(concept)
                elif term.language == LANG_EN:
                    by_en[english.text_key(term.text)].append(concept)
        new: list[ProposedConcept] = []
        for proposal in proposals:
            zh_keys = [normalize_term(t.text) for t in proposal.terms if t.language.startswith("zh")]
            en_keys = [english.text_key(t.text) for t in proposal.terms if t.language == LANG_EN]
            matched = _first_known([c for k in zh_keys for c in by_zh.get(k, [])])
            if matched is None and en_keys:
                matched = _first_known(by_en.get(en_keys[0], []))
            if matched is None:
                new.append(proposal)
                continue
            if matched.status == WorkflowStatus.REJECTED:
                result.skipped_rejected += 1
                continue
            if matched.status == WorkflowStatus.APPROVED:
                result.skipped_approved += 1
            else:
                result.matched_existing += 1
            have = {(t.language, _term_key(t.language, t.text)) for t in matched.terms}
            for proposed in proposal.terms:
                key = (proposed.language, _term_key(proposed.language, proposed.text))
                if key in have:
                    continue
                have.add(key)
                evidence = {
                    "method": f"rendering found by pairing ({proposal.evidence.get('method')})",
                    "paired_with": proposal.zh,
                    "confidence": proposal.confidence,
                    "zh_count": proposal.evidence.get("zh_count"),
                    "cooccurrence": proposal.evidence.get("cooccurrence"),
                    "explanation": proposal.evidence.get("explanation"),
                }
                result.variants.append(
                    ProposedVariant(
                        matched.id, ProposedTerm(proposed.language, proposed.text, Spans(), evidence)
                    )
                )
        return new

    # -- recognition and variants ----------------------------------------------------------------

    def _recognize(self, result: ExtractionResult) -> None:
        """Cite every occurrence of every live term, new and known, on its own language side."""
        zh_terms: dict[str, list[tuple[str, Any]]] = defaultdict(list)  # simplified -> targets
        en_terms: dict[str, list[Any]] = defaultdict(list)
        for concept in self.known:
            if concept.status == WorkflowStatus.REJECTED:
                continue
            for known in concept.terms:
                if known.review == "rejected":
                    continue
                self._register(known.language, known.text, known.id, zh_terms, en_terms)
        for proposal in result.concepts:
            for term in proposal.terms:
                self._register(term.language, term.text, term, zh_terms, en_terms)
        for variant in result.variants:
            self._register(variant.term.language, variant.term.text, variant.term, zh_terms, en_terms)

        def cite(target: Any, segment: int, start: int, end: int) -> None:
            if isinstance(target, ProposedTerm):
                target.spans.add(segment, start, end)
            else:
                spans = result.citations.get(target)
                if spans is None:
                    spans = result.citations[target] = Spans()
                spans.add(segment, start, end)

        if zh_terms:
            automaton = ahocorasick.Automaton()
            for word in zh_terms:
                automaton.add_word(word, word)
            automaton.make_automaton()
            for index, text in self.zh_match.items():
                original = self.segments[index].zh_text or ""
                key = self.segments[index].key
                for end, word in automaton.iter(text):
                    start = end - len(word) + 1
                    for script, target in zh_terms[word]:
                        written = original[start : end + 1]
                        if script == LANG_ZH_HANT and written == word:
                            continue  # the Traditional term is cited where it is written Traditional
                        cite(target, key, start, end + 1)
        if en_terms:
            longest = max(len(k) for k in en_terms)
            for index, side in self.sides.items():
                key = self.segments[index].key
                words = side.words
                for first, end in _all_ngrams(side.chunks):
                    text_key = english.words_key(words[first:end])
                    if len(text_key) > longest:
                        continue
                    for target in en_terms.get(text_key, ()):
                        cite(target, key, side.start(first), side.end(end - 1))

    def _register(
        self,
        language: str,
        text: str,
        target: Any,
        zh_terms: dict[str, list[tuple[str, Any]]],
        en_terms: dict[str, list[Any]],
    ) -> None:
        if language.startswith("zh"):
            word = normalize_term(text)
            if word:
                zh_terms[word].append((language, target))
        elif language == LANG_EN:
            key = english.text_key(text)
            if key:
                en_terms[key].append(target)

    def _variants(self, result: ExtractionResult) -> None:
        """Propose look-alike renderings of known and new concepts found in the English texts."""
        taken: set[str] = set()
        # (target, simplified Chinese, English renderings); a target is a known concept id or a new concept.
        concepts: list[tuple[int | ProposedConcept, str, list[str]]] = []
        for concept in self.known:
            en_texts = [t.text for t in concept.terms if t.language == LANG_EN]
            taken.update(english.text_key(t) for t in en_texts)
            if concept.status == WorkflowStatus.REJECTED:
                continue
            zh_texts = [
                t.text for t in concept.terms if t.language.startswith("zh") and t.review != "rejected"
            ]
            if zh_texts and en_texts:
                concepts.append((concept.id, to_simplified(zh_texts[0]), en_texts))
        for variant in result.variants:
            if variant.term.language == LANG_EN:
                taken.add(english.text_key(variant.term.text))
        for proposal in result.concepts:
            taken.update(english.text_key(t) for t in proposal.en)
            concepts.append((proposal, proposal.zh, proposal.en))
        wanted: dict[str, list[tuple[int | ProposedConcept, str, str, str]]] = defaultdict(list)
        for target, zh, en_terms in concepts:
            for en in en_terms:
                for key, change in self._look_alikes(zh, en):
                    if key not in taken:
                        wanted[key].append((target, zh, en, change))
        if not wanted:
            return
        found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for index, side in self.sides.items():
            words = side.words
            for first, end in _all_ngrams(side.chunks, MAX_RECOGNIZED_TOKENS // 2):
                if (side.flags[first] | side.flags[end - 1]) & english.STOP_FLAG:
                    continue
                key = english.words_key(words[first:end])
                if key not in wanted:
                    continue
                if (
                    end < len(words)
                    and side.chunk(end) == side.chunk(first)
                    and not side.flags[end] & english.STOP_FLAG
                    and any(key.endswith(_substitute(change)) for *_, change in wanted[key])
                ):
                    continue  # the swapped word modifies what follows ("development of online [services]")
                found[key].append((index, first, end))
        for key in sorted(found):
            occurrences = found[key]
            target, zh, en, change = wanted[key][0]
            if len({id(t) if not isinstance(t, int) else t for t, *_ in wanted[key]}) > 1:
                continue  # the look-alike fits several concepts: not evidence for any one of them
            forms: Counter[str] = Counter()
            spans = Spans()
            for index, first, end in occurrences:
                tokens = self.sides[index].tokens(first, end)
                forms[_display_form(self.segments[index].en_text or "", tokens)] += 1
                spans.add(self.segments[index].key, tokens[0].start, tokens[-1].end)
            text = _preferred(forms)
            evidence = {
                "method": METHOD_VARIANT,
                "rendering_of": en,
                "paired_with": zh,
                "substitution": change,
                "en_count": len(occurrences),
                "documents": sorted({self.segments[i].document for i, *_ in occurrences}),
                "explanation": f"{text!r} reads like {en!r} with {change}; found {counted(len(occurrences), 'time')}",
            }
            term = ProposedTerm(LANG_EN, text, spans, evidence, review="candidate")
            if isinstance(target, int):
                result.variants.append(ProposedVariant(target, term))
            else:
                target.terms.append(term)

    def _look_alikes(self, zh: str, en: str) -> list[tuple[str, str]]:
        """Keys of phrases that render ``zh`` like ``en`` but with another domain rendering of a part."""
        tokens = english.tokenize(en)
        if not tokens or len(tokens) > 5:
            return []
        explainer = Explainer(zh, self.lexicon.base)
        parts: list[list[str]] = []  # per content token: its word parts
        for token in tokens:
            parts.append([p for p in english.HYPHENS_RE.split(token.text) if p])
        out: list[tuple[str, str]] = []
        base = [[singularize(p) for p in ps] for ps in parts]
        for position, token in enumerate(tokens):
            if token.stop:
                continue
            pieces = _pieces(token.text, explainer)
            if len(pieces) + sum(1 for t in tokens if not t.stop) < 3:
                continue  # a one-word rendering (Internet) has no look-alikes, only synonyms
            for piece_index, (piece, units) in enumerate(pieces):
                for unit in sorted(units):
                    start, end, _ = explainer.units[unit]
                    for rendering in self.lexicon.base.renderings(zh[start:end]):
                        if rendering == piece or stem(rendering) == stem(piece):
                            continue
                        new_pieces = [p for p, _ in pieces]
                        new_pieces[piece_index] = rendering
                        words = [
                            w for i, ws in enumerate(base) for w in (new_pieces if i == position else ws)
                        ]
                        out.append(("".join(words), f"{piece} → {rendering}"))
                        if len(tokens) == 2 and not tokens[0].stop and not tokens[1].stop:
                            head = base[1] if position == 0 else [p for p in new_pieces]
                            modifier = new_pieces if position == 0 else base[0]
                            for preposition in REORDER_PREPOSITIONS:
                                out.append(
                                    (
                                        "".join([*head, preposition, *modifier]),
                                        f"{piece} → {rendering}, reordered",
                                    )
                                )
        return out

    # -- run -------------------------------------------------------------------------------------

    def execute(self) -> ExtractionResult:
        result = ExtractionResult()
        self._prepare()
        candidates = self._candidates()
        pairs = self._pair(candidates)
        proposals = self._proposals(pairs)
        result.concepts = self._resolve(proposals, result)
        self._recognize(result)
        self._variants(result)
        # Variants found just now get their citations from the variant search itself.
        for concept in result.concepts:
            for term in concept.terms:
                term.spans.sort()
        for spans in result.citations.values():
            spans.sort()
        self._count(result)
        return result

    def _count(self, result: ExtractionResult) -> None:
        """Per-document counts from the citations: of new proposals (into their evidence) and of
        the candidate concepts already in the termbase that this run cites (to refresh theirs)."""
        for concept in result.concepts:
            zh_spans = [t.spans for t in concept.terms if t.language.startswith("zh")]
            en_spans = [t.spans for t in concept.terms if t.language == LANG_EN and t.review == "accepted"]
            concept.evidence["by_document"] = self._document_counts(zh_spans, en_spans)
        for known in self.known:
            if known.status != WorkflowStatus.CANDIDATE:
                continue
            zh_spans = [
                result.citations[t.id]
                for t in known.terms
                if t.language.startswith("zh") and t.review != "rejected" and t.id in result.citations
            ]
            en_spans = [
                result.citations[t.id]
                for t in known.terms
                if t.language == LANG_EN and t.review == "accepted" and t.id in result.citations
            ]
            if zh_spans or en_spans:
                result.counts[known.id] = self._document_counts(zh_spans, en_spans)

    def _document_counts(self, zh_spans: list[Spans], en_spans: list[Spans]) -> dict[str, dict[str, int]]:
        """Segments citing the Chinese, the English, and Chinese with the English in one of its contexts."""
        index_of = self._index_of()
        zh = {index_of[s] for spans in zh_spans for s in spans.segments() if s in index_of}
        en = {index_of[s] for spans in en_spans for s in spans.segments() if s in index_of}
        counts: dict[str, list[int]] = {}

        def bump(index: int, field: int) -> None:
            counts.setdefault(self.segments[index].document, [0, 0, 0])[field] += 1

        for index in sorted(zh):
            bump(index, 0)
            if any(c.segment in en for c in self.contexts.get(index)):
                bump(index, 2)
        for index in sorted(en):
            bump(index, 1)
        return {document: self._count_entry(*counts[document]) for document in sorted(counts)}

    def _count_entry(self, zh_count: int, en_count: int, cooccurrence: int) -> dict[str, int]:
        """One document's counts; equal counts share one dict, as a run has one per concept and
        document it cites them in and most are alike. Read-only, like the rest of the evidence."""
        key = (zh_count, en_count, cooccurrence)
        entry = self._count_entries.get(key)
        if entry is None:
            entry = self._count_entries[key] = {
                "zh_count": zh_count,
                "en_count": en_count,
                "cooccurrence": cooccurrence,
            }
        return entry

    def _index_of(self) -> dict[int, int]:
        if self._segment_index is None:
            self._segment_index = {segment.key: index for index, segment in enumerate(self.segments)}
        return self._segment_index


class _RunLexicon:
    """The shared lexicon plus the pairs learned in this run (kept apart so runs stay independent)."""

    def __init__(self, base: Lexicon) -> None:
        self.base = base
        self._learned: Lexicon | None = None
        self._pending: list[tuple[str, list[str]]] = []

    def learn(self, zh: str, en_words: list[str]) -> None:
        self._pending.append((zh, en_words))
        self._learned = None

    def current(self, learned: bool) -> Lexicon:
        if not learned or not self._pending:
            return self.base
        if self._learned is None:
            self._learned = _Overlay(self.base, self._pending)
        return self._learned


class _Overlay(Lexicon):
    def __init__(self, base: Lexicon, pairs: list[tuple[str, list[str]]]) -> None:
        super().__init__()
        self._base = base
        for zh, words in pairs:
            self.learn(zh, words)
        self.max_key_length = max(base.max_key_length, self.max_key_length)

    def glosses(self, zh: str) -> set[frozenset[str]]:
        return self._base.glosses(zh) | super().glosses(zh)

    def is_strict(self, zh: str, gloss: frozenset[str]) -> bool:
        # A learned pair was seen once as a whole: only the whole of it explains anything.
        return gloss in super().glosses(zh) and gloss not in self._base.glosses(zh)

    def __contains__(self, zh: object) -> bool:
        return zh in self._base or super().__contains__(zh)

    def units(self, zh: str) -> list[tuple[int, int, str]]:
        out = []
        for i in range(len(zh)):
            for j in range(i + 1, min(len(zh), i + self.max_key_length) + 1):
                key = zh[i:j]
                if key in self:
                    out.append((i, j, key))
        return out


def _drop_nested(pairs: dict[str, _Pair], lexicon: Lexicon) -> dict[str, _Pair]:
    """Drop fragments: a candidate seen only inside longer accepted ones, unless it is their head.

    Chinese terms are head-final: 数字经济 ends 全球数字经济 and is a term of its own, while
    国家大数据 (in 国家大数据战略) and 网络空间全球 (in 网络空间全球治理) lack a head. A candidate
    that cuts a word of the longer one in two (数据战略 in 大数据/战略) is a fragment too. The
    words are found by backward maximum matching over the dictionary, so a word that merely
    straddles two others (多利 in 多/利益/相关/方) cuts nothing. Dictionary words of their own
    are always kept.
    """
    occurrences = _OccurrencesBySegment([pair.candidate for pair in pairs.values()])
    word_boundaries = [_word_boundaries(text, lexicon) for text in pairs]

    def inside(start: int, end: int, outer_start: int, outer_end: int, boundaries: frozenset[int]) -> bool:
        if not (outer_start <= start and end <= outer_end) or (outer_start, outer_end) == (start, end):
            return False
        if end != outer_end:
            return True  # not the head of the longer term
        return start - outer_start not in boundaries

    kept = {}
    for text, pair in pairs.items():
        if lexicon.is_headword(text):
            kept[text] = pair
            continue
        free = any(
            not any(
                inside(o.start, o.end, s, e, word_boundaries[n])
                for s, e, n in occurrences.in_segment(o.segment)
            )
            for o in pair.candidate.occurrences
        )
        if free:
            kept[text] = pair
    return kept


class _OccurrencesBySegment:
    """Start, end and candidate number of the candidates' occurrences, grouped by segment in
    one array: an array per segment cost a run more in headers than in values."""

    __slots__ = ("_firsts", "_values")

    def __init__(self, candidates: Sequence[ZhCandidate]) -> None:
        top = max((o.segment for c in candidates for o in c.occurrences), default=-1)
        firsts = array("i", [0]) * (top + 2)  # where each segment's occurrences start, in threes
        for candidate in candidates:
            for occurrence in candidate.occurrences:
                firsts[occurrence.segment + 1] += 1
        for segment in range(1, len(firsts)):
            firsts[segment] += firsts[segment - 1]
        filled = array("i", firsts)
        values = array("i", [0]) * (3 * firsts[-1])
        for number, candidate in enumerate(candidates):
            for occurrence in candidate.occurrences:
                at = 3 * filled[occurrence.segment]
                values[at] = occurrence.start
                values[at + 1] = occurrence.end
                values[at + 2] = number
                filled[occurrence.segment] += 1
        self._firsts = firsts
        self._values = values

    def in_segment(self, segment: int) -> Iterator[tuple[int, int, int]]:
        """(start, end, candidate number) of each occurrence in ``segment``, in candidate order."""
        part = self._values[3 * self._firsts[segment] : 3 * self._firsts[segment + 1]]
        return zip(part[::3], part[1::3], part[2::3], strict=True)


def _word_boundaries(text: str, lexicon: Lexicon) -> frozenset[int]:
    """Word boundaries of ``text`` by backward maximum matching over the lexicon's keys."""
    longest: dict[int, int] = {}  # end -> start of the longest known word ending there
    for start, end, _ in lexicon.units(text):
        longest[end] = min(longest.get(end, end - 1), start)
    cuts = set()
    end = len(text)
    while end > 0:
        cuts.add(end)
        end = longest.get(end, end - 1)
    return frozenset(cuts)


def _first_known(concepts: list[KnownConcept]) -> KnownConcept | None:
    """The concept a proposal belongs to: a live one if any, else a rejected one (to skip it)."""
    if not concepts:
        return None
    live = [c for c in concepts if c.status != WorkflowStatus.REJECTED]
    return min(live or concepts, key=lambda c: c.id)


def _term_key(language: str, text: str) -> str:
    return english.text_key(text) if language == LANG_EN else normalize_term(text)


def _relative_positions(indices: list[int], length: Any) -> dict[int, tuple[float, float]]:
    total = sum(length(i) for i in indices) or 1
    out = {}
    position = 0
    for index in indices:
        size = length(index)
        out[index] = (position / total, (position + size) / total)
        position += size
    return out


def _all_ngrams(chunks: Sequence[int], limit: int = MAX_RECOGNIZED_TOKENS) -> Iterable[tuple[int, int]]:
    """(first, end) of every run of up to ``limit`` tokens inside one chunk, given each token's chunk."""
    for first in range(len(chunks)):
        for end in range(first + 1, min(len(chunks), first + limit) + 1):
            if chunks[end - 1] != chunks[first]:
                break
            yield first, end


def _pieces(word: str, explainer: Explainer) -> list[tuple[str, frozenset[int]]]:
    """A token's word parts with the units explaining them; a compound is split (cyber|space)."""
    out: list[tuple[str, frozenset[int]]] = []
    for part in english.HYPHENS_RE.split(word):
        if not part:
            continue
        part = singularize(part)
        hits = explainer.part_hits(part)
        stems = {word_stem for _, word_stem in hits}
        if len(stems) <= 1:
            out.append((part, frozenset(explainer.glosses[g][0] for g, _ in hits)))
            continue
        # A split compound: give each half its own units.
        for k in range(3, len(part) - 2):
            left, right = stem(part[:k]), stem(part[k:])
            if left in stems and right in stems:
                for piece, piece_stem in ((part[:k], left), (part[k:], right)):
                    units = frozenset(explainer.glosses[g][0] for g, s in hits if s == piece_stem)
                    out.append((piece, units))
                break
        else:
            out.append((part, frozenset(explainer.glosses[g][0] for g, _ in hits)))
    return out


def _substitute(change: str) -> str:
    """The rendering put in by a variant ("cyber → internet, reordered" -> "internet")."""
    return change.split("→", 1)[-1].split(",", 1)[0].strip()


def _display_form(original: str, tokens: list[EnToken]) -> str:
    """The span as written, lower-cased unless it is a proper name or an acronym."""
    words = [original[t.start : t.end] for t in tokens]
    content = [w for w, t in zip(words, tokens, strict=True) if not t.stop and w[:1].isalpha()]
    if len(content) >= 2 and all(w[:1].isupper() for w in content):
        return " ".join(words)  # a name written in title case (World Internet Conference)
    kept = []
    for word in words:
        if word.isupper() and len(word) > 1 or word[:1].isupper() and word[1:].lower() != word[1:]:
            kept.append(word)  # acronyms and mixed case (ICTs, eBay)
        elif word[:1].isupper() and word.lower() in _PROPER_WORDS:
            kept.append(word)
        else:
            kept.append(word.lower())
    return " ".join(kept)


# Common nouns the domain always capitalises.
_PROPER_WORDS = frozenset({"internet", "web"})


def _preferred(forms: Counter[str]) -> str:
    if not forms:
        return ""
    return max(forms, key=lambda f: (forms[f], -len(f), f))


def _explanation(pair: _Pair, text: str) -> str:
    evidence = pair.evidence
    found = (
        f"found together in {evidence['cooccurrence']} of {counted(evidence['zh_count'], 'segment')} "
        f"with {pair.candidate.text}"
    )
    if pair.method == METHOD_QUOTED:
        return (
            f"{pair.candidate.text} ↔ {text!r}: quoted on both sides of {evidence['quoted_together']} "
            f"aligned {plural('segment', evidence['quoted_together'])}; {found}"
        )
    if pair.method == METHOD_COOCCURRENCE:
        coverage = evidence["dictionary_coverage"]
        return (
            f"{pair.candidate.text} ↔ {text!r}: {found} (Dice {evidence['dice']}); "
            f"dictionary explains {coverage['zh']:.0%} of the Chinese and {coverage['en']:.0%} of the English"
        )
    parts = "; ".join(f"{zh} → {', '.join(words)}" for zh, words in evidence.get("explained_by", {}).items())
    return f"{pair.candidate.text} ↔ {text!r}: every part explained ({parts}); {found}"
