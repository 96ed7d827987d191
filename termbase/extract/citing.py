"""Stage 6: proposals against the termbase, citations, look-alike variants and counts.

* **Resolution** — a known Chinese term never becomes a second concept; rejected concepts are
  left alone; new renderings of known concepts become variant proposals.
* **Citations** — every occurrence of every live term, new and known, on its own language side,
  and only where it occurs as a word: a Chinese term must start and end on the segment's word
  edges (国家安全 is not cited inside 一个国家安全全 read as 一个/国家/安全全), an English one
  on token edges.
* **Variants** — phrases that render a concept with another domain rendering of one of its
  parts ("Internet rumours" beside "online rumours").
* **Counts** — per document: segments citing the Chinese, the English, and both in aligned
  segments; the last is never larger than the first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import ahocorasick

from termbase.extract import english
from termbase.extract.corpus import Corpus
from termbase.extract.english import EnToken
from termbase.extract.lexicon import Lexicon
from termbase.extract.observe import display_form
from termbase.extract.records import (
    ExtractionResult,
    KnownConcept,
    ProposedConcept,
    ProposedTerm,
    ProposedVariant,
    Spans,
)
from termbase.records import LANG_EN, LANG_ZH_HANT, WorkflowStatus
from termbase.text.normalize import normalize_term, to_simplified
from termbase.text.wording import counted

METHOD_VARIANT = "variant (another rendering of a part)"
MAX_RECOGNIZED_TOKENS = 10
REORDER_PREPOSITIONS = ("of", "in", "on", "over", "for")


def resolve(
    proposals: list[ProposedConcept], known: list[KnownConcept], result: ExtractionResult
) -> list[ProposedConcept]:
    by_zh: dict[str, list[KnownConcept]] = defaultdict(list)
    by_en: dict[str, list[KnownConcept]] = defaultdict(list)
    for concept in known:
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
                ProposedVariant(matched.id, ProposedTerm(proposed.language, proposed.text, Spans(), evidence))
            )
    return new


def recognize(corpus: Corpus, known: list[KnownConcept], result: ExtractionResult) -> None:
    """Cite every occurrence of every live term, new and known, where it occurs as a word."""
    zh_terms: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    en_terms: dict[str, list[Any]] = defaultdict(list)
    for concept in known:
        if concept.status == WorkflowStatus.REJECTED:
            continue
        for term in concept.terms:
            if term.review != "rejected":
                _register(term.language, term.text, term.id, zh_terms, en_terms)
    for proposal in result.concepts:
        for proposed in proposal.terms:
            _register(proposed.language, proposed.text, proposed, zh_terms, en_terms)
    for variant in result.variants:
        _register(variant.term.language, variant.term.text, variant.term, zh_terms, en_terms)

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
        for index, text in corpus.zh_match.items():
            original = corpus.segments[index].zh_text or ""
            key = corpus.segments[index].key
            for end, word in automaton.iter(text):
                start = end - len(word) + 1
                if not corpus.is_word(index, start, end + 1):
                    continue
                for script, target in zh_terms[word]:
                    if script == LANG_ZH_HANT and original[start : end + 1] == word:
                        continue  # the Traditional term is cited where it is written Traditional
                    cite(target, key, start, end + 1)
    if en_terms:
        longest = max(len(k) for k in en_terms)
        for index, tokens in corpus.english():
            key = corpus.segments[index].key
            words = [t.text for t in tokens]
            for first, end in _all_ngrams(tokens):
                text_key = english.words_key(words[first:end])
                if len(text_key) > longest:
                    continue
                for target in en_terms.get(text_key, ()):
                    cite(target, key, tokens[first].start, tokens[end - 1].end)


def propose_variants(
    corpus: Corpus, known: list[KnownConcept], result: ExtractionResult, lexicon: Lexicon
) -> None:
    """Propose look-alike renderings of known and new concepts found in the English texts."""
    taken: set[str] = set()
    concepts: list[tuple[int | ProposedConcept, str, list[str]]] = []
    for concept in known:
        en_texts = [t.text for t in concept.terms if t.language == LANG_EN]
        taken.update(english.text_key(t) for t in en_texts)
        if concept.status == WorkflowStatus.REJECTED:
            continue
        zh_texts = [t.text for t in concept.terms if t.language.startswith("zh") and t.review != "rejected"]
        if zh_texts and en_texts:
            concepts.append((concept.id, to_simplified(zh_texts[0]), en_texts))
    for variant in result.variants:
        if variant.term.language == LANG_EN:
            taken.add(english.text_key(variant.term.text))
    for proposal in result.concepts:
        taken.update(english.text_key(t) for t in proposal.en)
        concepts.append((proposal, proposal.zh, proposal.en))
    wanted: dict[str, list[tuple[int | ProposedConcept, str, str]]] = defaultdict(list)
    for target, zh, en_terms in concepts:
        for en in en_terms:
            for key, change in look_alikes(zh, en, lexicon):
                if key not in taken:
                    wanted[key].append((target, en, change))
    if not wanted:
        return
    found: dict[str, list[tuple[int, list[EnToken]]]] = defaultdict(list)
    for index, tokens in corpus.english():
        words = [t.text for t in tokens]
        for first, end in _all_ngrams(tokens, MAX_RECOGNIZED_TOKENS // 2):
            if tokens[first].stop or tokens[end - 1].stop:
                continue
            key = english.words_key(words[first:end])
            if key not in wanted:
                continue
            if (
                end < len(tokens)
                and tokens[end].chunk == tokens[first].chunk
                and not tokens[end].stop
                and any(key.endswith(_substituted(change)) for _, _, change in wanted[key])
            ):
                continue  # the swapped word modifies what follows ("development of online [services]")
            found[key].append((index, tokens[first:end]))
    for key in sorted(found):
        targets = wanted[key]
        if len({t if isinstance(t, int) else id(t) for t, _, _ in targets}) > 1:
            continue  # the look-alike fits several concepts: not evidence for any one of them
        target, en, change = targets[0]
        forms: Counter[str] = Counter()
        spans = Spans()
        for index, tokens in found[key]:
            forms[display_form(corpus.segments[index].en_text or "", tokens)] += 1
            spans.add(corpus.segments[index].key, tokens[0].start, tokens[-1].end)
        text = max(forms, key=lambda f: (forms[f], -len(f), f))
        occurrences = len(found[key])
        evidence = {
            "method": METHOD_VARIANT,
            "rendering_of": en,
            "paired_with": target.zh if isinstance(target, ProposedConcept) else None,
            "substitution": change,
            "en_count": occurrences,
            "documents": sorted({corpus.segments[i].document for i, _ in found[key]}),
            "explanation": f"{text!r} reads like {en!r} with {change}; found {counted(occurrences, 'time')}",
        }
        term = ProposedTerm(LANG_EN, text, spans, evidence, review="candidate")
        if isinstance(target, int):
            result.variants.append(ProposedVariant(target, term))
        else:
            target.terms.append(term)


def look_alikes(zh: str, en: str, lexicon: Lexicon) -> list[tuple[str, str]]:
    """Keys of phrases that render ``zh`` like ``en`` with another domain rendering of one part.

    Only parts of ``zh`` the domain lexicon renders several ways are swapped (网络: cyber, online,
    Internet), and only in renderings of two or more words: a one-word rendering has synonyms,
    not look-alikes.
    """
    words = english.word_parts(en)
    if not 2 <= len(words) <= 5:
        return []
    out: list[tuple[str, str]] = []
    for i in range(len(zh)):
        for j in range(i + 1, min(len(zh), i + 4) + 1):
            renderings = lexicon.renderings(zh[i:j])
            if len(renderings) < 2:
                continue
            for position, word in enumerate(words):
                if word not in renderings:
                    continue
                for other in renderings:
                    if other == word:
                        continue
                    changed = [*words[:position], other, *words[position + 1 :]]
                    out.append(("".join(changed), f"{word} → {other}"))
                    if len(words) == 2:
                        head, modifier = (
                            (changed[1], changed[0]) if position == 0 else (changed[1], changed[0])
                        )
                        for preposition in REORDER_PREPOSITIONS:
                            out.append((f"{head}{preposition}{modifier}", f"{word} → {other}, reordered"))
    return out


def _substituted(change: str) -> str:
    """The rendering a variant puts in ("cyber → internet, reordered" -> "internet")."""
    return change.split("→", 1)[-1].split(",", 1)[0].strip()


def count(corpus: Corpus, known: list[KnownConcept], result: ExtractionResult) -> None:
    """Per-document counts from the citations: of new proposals (into their evidence) and of the
    candidate concepts already in the termbase that this run cites (to refresh theirs)."""
    index_of = {segment.key: index for index, segment in enumerate(corpus.segments)}
    for concept in result.concepts:
        zh_spans = [t.spans for t in concept.terms if t.language.startswith("zh")]
        en_spans = [t.spans for t in concept.terms if t.language == LANG_EN and t.review == "accepted"]
        concept.evidence["by_document"] = _document_counts(corpus, index_of, zh_spans, en_spans)
    for candidate in known:
        if candidate.status != WorkflowStatus.CANDIDATE:
            continue
        zh_spans = [
            result.citations[t.id]
            for t in candidate.terms
            if t.language.startswith("zh") and t.review != "rejected" and t.id in result.citations
        ]
        en_spans = [
            result.citations[t.id]
            for t in candidate.terms
            if t.language == LANG_EN and t.review == "accepted" and t.id in result.citations
        ]
        if zh_spans or en_spans:
            result.counts[candidate.id] = _document_counts(corpus, index_of, zh_spans, en_spans)


def _document_counts(
    corpus: Corpus, index_of: dict[int, int], zh_spans: list[Spans], en_spans: list[Spans]
) -> dict[str, dict[str, int]]:
    zh = {index_of[s] for spans in zh_spans for s in spans.segments() if s in index_of}
    en = {index_of[s] for spans in en_spans for s in spans.segments() if s in index_of}
    counts: dict[str, list[int]] = {}

    def bump(index: int, field: int) -> None:
        counts.setdefault(corpus.segments[index].document, [0, 0, 0])[field] += 1

    for index in sorted(zh):
        bump(index, 0)
        if any(c.segment in en for c in corpus.contexts.get(index, ())):
            bump(index, 2)
    for index in sorted(en):
        bump(index, 1)
    return {
        document: {"zh_count": values[0], "en_count": values[1], "cooccurrence": values[2]}
        for document, values in sorted(counts.items())
    }


def _register(
    language: str,
    text: str,
    target: Any,
    zh_terms: dict[str, list[tuple[str, Any]]],
    en_terms: dict[str, list[Any]],
) -> None:
    if language.startswith("zh"):
        word = normalize_term(text)
        if word:
            zh_terms[to_simplified(word)].append((language, target))
    elif language == LANG_EN:
        key = english.text_key(text)
        if key:
            en_terms[key].append(target)


def _first_known(concepts: list[KnownConcept]) -> KnownConcept | None:
    """The concept to resolve against: a live one before a rejected one, the oldest first."""
    live = [c for c in concepts if c.status != WorkflowStatus.REJECTED]
    chosen = live or concepts
    return min(chosen, key=lambda c: c.id) if chosen else None


def _term_key(language: str, text: str) -> str:
    return english.text_key(text) if language == LANG_EN else normalize_term(text)


def _all_ngrams(tokens: list[EnToken], limit: int = MAX_RECOGNIZED_TOKENS) -> Iterable[tuple[int, int]]:
    """(first, end) of every run of up to ``limit`` tokens inside one chunk."""
    for first in range(len(tokens)):
        for end in range(first + 1, min(len(tokens), first + limit) + 1):
            if tokens[end - 1].chunk != tokens[first].chunk:
                break
            yield first, end
