"""Stage 5: from judged pairs to proposed concepts.

Each Chinese candidate keeps its best rendering (:meth:`Observation.best`); pairs that pass
:mod:`.termhood` become concepts. Two Chinese terms with one English rendering are synonyms of
one concept, unless one contains the other: the longer then says more than its English and is
dropped (电子商务发展 "e-commerce"). Abbreviations defined in the English text join the
concept of their full form as a second English term, and glosses written in the Chinese text
(中文（English）) give pairs of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from termbase.extract import glosses, termhood
from termbase.extract.corpus import Corpus
from termbase.extract.english import text_key
from termbase.extract.lexicon import Lexicon
from termbase.extract.observe import Observation, Seen
from termbase.extract.records import ProposedConcept, ProposedTerm
from termbase.extract.scoring import METHOD_ALIGNED, METHOD_GLOSS, count_part
from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT
from termbase.text.normalize import singularize
from termbase.text.wording import counted

MAX_RENDERINGS_TRIED = 3


def propose(
    corpus: Corpus, observations: dict[str, Observation], lexicon: Lexicon, general_freq: Mapping[str, int]
) -> list[ProposedConcept]:
    _add_glosses(corpus, observations)
    judged: dict[str, tuple[str, Seen, termhood.Judgement]] = {}
    for text, observation in observations.items():
        # The likeliest rendering that is a term: "trade fair" when "trade fair held" ranks
        # first but opens a clause.
        # A rendering that explains under half of either side is noise, however often it recurs.
        ranked = [(k, s) for k, s in observation.ranked() if s.quality >= termhood.MIN_NAME_QUALITY]
        for key, seen in ranked[:MAX_RENDERINGS_TRIED]:
            if seen.count < ranked[0][1].count:
                break  # a rarer rendering does not stand in for a rejected commoner one
            judgement = (
                termhood.Judgement(True, 0.93, ("glossed in the text",))
                if "gloss" in seen.kinds
                else termhood.judge(observation, key, seen, lexicon, general_freq)
            )
            if judgement.term:
                judged[text] = (key, seen, judgement)
                break
    by_key: dict[str, list[str]] = {}
    for text in sorted(judged, key=lambda t: (len(t), t)):
        by_key.setdefault(judged[text][0], []).append(text)
    defined = glosses.definitions(s.en_text or "" for s in corpus.segments)
    short_forms = {text_key(full): short for full, short in defined.items()}
    full_forms = {short: full for full, short in defined.items()}
    out: list[ProposedConcept] = []
    for _key, texts in sorted(by_key.items()):
        kept: list[str] = []
        for text in texts:
            if not any(k in text for k in kept):
                kept.append(text)
        kept.sort(key=lambda t: (-judged[t][2].confidence, t))
        out.append(_concept(observations, kept, judged, short_forms, full_forms, lexicon))
    out.sort(key=lambda c: (-c.confidence, c.zh))
    return out


def _concept(
    observations: dict[str, Observation],
    texts: list[str],
    judged: dict[str, tuple[str, Seen, termhood.Judgement]],
    short_forms: dict[str, str],
    full_forms: dict[str, str],
    lexicon: Lexicon,
) -> ProposedConcept:
    """One concept: the first of ``texts`` with its rendering, the others as Chinese synonyms;
    ``short_forms`` maps a full form's key to the abbreviation the text defines, ``full_forms``
    the abbreviation to its full form."""
    main = texts[0]
    key, seen, judgement = judged[main]
    observation = observations[main]
    english = headword(seen.forms, lexicon.plural_glosses(main))
    terms = [ProposedTerm(LANG_ZH_HANS, main)]
    traditional = max(observation.traditional, key=lambda f: (observation.traditional[f], f), default=None)
    if traditional:
        terms.append(ProposedTerm(LANG_ZH_HANT, traditional))
    for synonym in texts[1:]:
        terms.append(ProposedTerm(LANG_ZH_HANS, synonym))
    short = short_forms.get(text_key(english))
    if short is None and english in full_forms:
        # Rendered by its abbreviation: the full form the text defines comes first.
        english, short = full_forms[english], english
    terms.append(ProposedTerm(LANG_EN, english))
    if short:
        terms.append(ProposedTerm(LANG_EN, short))
    method = METHOD_GLOSS if "gloss" in seen.kinds else METHOD_ALIGNED
    both, zh_count = seen.count, observation.occurrences
    score_dice = round(2 * both / (zh_count + both), 3) if zh_count + both else 0.0
    base = round(judgement.confidence - count_part(method, both, score_dice), 3)
    evidence = {
        "method": method,
        "signals": sorted(seen.kinds),
        "reasons": list(judgement.reasons),
        "zh_count": zh_count,
        "cooccurrence": both,
        "dice": score_dice,
        "dictionary_coverage": {"zh": round(seen.zh_coverage, 2), "en": round(seen.en_coverage, 2)},
        "confidence_base": base,
        "cautions": 0,
        "documents": sorted(observation.documents),
        "explanation": (
            f"{main} ↔ {english!r}: found together in {both} of {counted(zh_count, 'segment')}; "
            f"the links explain {seen.zh_coverage:.0%} of the Chinese and {seen.en_coverage:.0%} of the English"
            + (f" ({', '.join(judgement.reasons)})" if judgement.reasons else "")
        ),
    }
    if short:
        evidence["abbreviation"] = short
    if len(texts) > 1:
        evidence["synonyms"] = texts[1:]
    if len(seen.forms) > 1:
        evidence["english_forms"] = sorted(seen.forms)
    return ProposedConcept(terms, judgement.confidence, evidence)


def headword(forms: Counter[str], plural_glosses: Collection[str] = ()) -> str:
    """The form a termbase writes: the commonest spelling, singular unless a name or plural-only
    (a coordination, or written as the dictionary's ``plural_glosses`` write it: human rights)."""
    form = max(forms, key=lambda f: (forms[f], -len(f), f))
    words = form.split(" ")
    last = words[-1]
    content = [
        w for w in words if w[:1].isalpha() and w.lower() not in {"of", "and", "the", "for", "on", "in"}
    ]
    is_name = len(content) >= 2 and all(w[:1].isupper() for w in content)
    plural_only = " and " in form or form.lower() in plural_glosses  # "rules and standards"
    if not is_name and not plural_only and last.islower() and "-" not in last:
        words[-1] = _singular_in_use(last)
    return " ".join(words)


PLURAL_ONLY_ZIPF_GAP = 1.0  # a "singular" this much rarer than the plural is not one in use


def _singular_in_use(word: str) -> str:
    """The singular, unless the word is no plural (ethos) or its singular is rarely written
    (statistics): wordfreq tells a form in use from a stripped -s."""
    singular = singularize(word)
    if singular == word:
        return word
    from wordfreq import zipf_frequency

    if zipf_frequency(singular, "en") < zipf_frequency(word, "en") - PLURAL_ONLY_ZIPF_GAP:
        return word
    return singular


def _add_glosses(corpus: Corpus, observations: dict[str, Observation]) -> None:
    """Pairs the text itself states (中文（English）, "English (中文)") win over alignment."""
    english_texts = (s.en_text or "" for s in corpus.segments)
    found = [*glosses.chinese_glosses(corpus.zh_match.values()), *glosses.english_glosses(english_texts)]
    for before, english in found:
        # The Chinese term is the longest candidate that ends at the bracket.
        text = next((before[i:] for i in range(len(before) - 1) if before[i:] in observations), None)
        if text is None:
            continue
        observation = observations[text]
        key = text_key(english)
        seen = observation.renderings.get(key) or Seen()
        seen.count = max(seen.count, 1)
        seen.zh_coverage = seen.en_coverage = 1.0
        seen.aligned = max(seen.aligned, 1)
        seen.kinds.add("gloss")
        seen.forms[english] += 1
        observation.renderings = {key: seen}
