"""Stage 4: is an aligned pair a term, and how sure are we? Evidence only, no topic list.

The evidence, each for a reason a terminologist would give:

* **alignment strength** — how much of the Chinese and of the English the links explain;
* **recurrence** — the same pair found in several segments;
* **English noun-phrase shape** — a rendering that opens with a verb, or holds one, renders a
  clause (促进电子商务 "promoting e-commerce"), not a term; so does a compound whose Chinese
  head renders the English modifier (市场开放 "open market"): both languages put the head last;
  and a verb and its object whose verb the English leaves out (开展数据治理 "data governance")
  is a clause, its object the term;
* **names** — title or quotation marks, or an English rendering in title case, name a thing;
* **lexicalisation** — the Chinese is one dictionary word, or a fixed expression;
* **fragments** — a rendering that only ever opens a longer English name (Digital Trade [Forum])
  is a piece of that name;
* **specialisation** — one word rendered by one word is a term when one side at least is not
  everyday vocabulary (wordfreq for English, jieba's counts for Chinese).

A pair that passes is proposed with a confidence made of the same evidence; BENCHMARKS.md shows
how well each band of it is right on pages the extractor was never built on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from termbase.extract.english import HYPHENS_RE, INNER_WORDS, STOPWORDS, TOKEN_RE, singularize
from termbase.extract.lexicon import Lexicon
from termbase.extract.observe import Observation, Seen
from termbase.extract.scoring import METHOD_ALIGNED, count_part

# A possessive ending ("China’s …") determines a noun as an article does: a name may hold one
# written as a title (《…》 ~ “People’s …”), a term does not.
POSSESSIVE_RE = re.compile(r"['’]s\b")
MIN_QUALITY = 0.7
MIN_NAME_QUALITY = 0.5
# Tags of the words of a compound whose one unexplained word may be rendered freely: nouns only
# (and the conjunctions joining them).
NOMINAL_GAP_TAGS = frozenset({"n", "nz", "nt", "ns", "nr", "vn", "an", "j", "l", "b", "ng"})
MAX_EN_WORDS = 14
# Function words that never stand inside a term's English (auxiliaries, pronouns, modals).
# The function words a term may hold inside (english.INNER_WORDS: "access without barriers") and a
# few more ("as well as", "new", "first"); any other (pronouns, auxiliaries) makes a clause.
TERM_WORDS = INNER_WORDS | {
    "under",
    "into",
    "through",
    "beyond",
    "across",
    "to",
    "as",
    "well",
    "new",
    "first",
    "second",
}
CLAUSE_WORDS = STOPWORDS - TERM_WORDS
# One word rendered by one word is a term when either side is specialised vocabulary: an English
# word this common (Zipf scale, wordfreq) is everyday (community, opportunity, vision) ...
EVERYDAY_ZIPF = 4.5
# ... and so is a pair of a Chinese word this common in jieba's dictionary and a fairly common
# English word (对话 ~ dialogue), while 博主 ~ blogger and 网关 ~ gateway stay.
EVERYDAY_ZH_FREQ = 1000
FAIRLY_COMMON_ZIPF = 4.0
# A phrase of this many words, seen once and not a name, is a description (电子商务平台快速发展).
LONG_PHRASE_TOKENS = 4
# Terms name concepts, not people: a person's name is left to a names register.
PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


@dataclass(frozen=True, slots=True)
class Judgement:
    term: bool
    confidence: float
    reasons: tuple[str, ...]


def judge(
    observation: Observation,
    key: str,
    seen: Seen,
    lexicon: Lexicon,
    general_freq: Mapping[str, int],
) -> Judgement:
    form = seen.forms.most_common(1)[0][0]
    words = [w.lower() for w in TOKEN_RE.findall(POSSESSIVE_RE.sub("", form))]
    reasons: list[str] = []
    quality = seen.quality
    if not words or len(words) > MAX_EN_WORDS:
        return Judgement(False, 0.0, ("English too long",))
    named = observation.shape == "title" or _title_case(form)
    # A name in title case is evidence of its own: half its Chinese explained is enough
    # (国资委 ~ State-owned Assets Supervision and Administration Commission, an abbreviation).
    # One Chinese word the dictionary cannot explain, rendered by the English words left between
    # explained ones, is how a free rendering looks (数字鸿沟 ~ digital divide).
    one_gap = (
        seen.gaps == 1
        and seen.free >= 1  # an English word is left to render it ("energy law" for 能源安全法 has none)
        and seen.headless < seen.count  # and a head left unexplained has the English head for it
        and seen.en_coverage >= 0.99
        and sum(len(HYPHENS_RE.split(w)) for w in words) >= 2  # eco-tourism is two words
        and all(tag in NOMINAL_GAP_TAGS or tag == "c" for tag in observation.tags)
    )
    # Title marks alone do not vouch for a window that renders part of the name (《X中国》 ~ China).
    written_as_name = _title_case(form) or bool(seen.quoted)
    # One dictionary word whose gloss the English half follows, with one word of its own in
    # place of the rest: a near synonym (a gloss's "market-oriented" written "market-led").
    substituted = len(observation.tags) == 1 and seen.gaps == 0 and seen.free == 1
    if quality < (MIN_NAME_QUALITY if written_as_name or one_gap or substituted else MIN_QUALITY):
        return Judgement(False, 0.0, ("weak alignment",))
    if not seen.quoted and POSSESSIVE_RE.search(form):
        return Judgement(False, 0.0, ("English is a clause",))
    if (
        any(
            w in CLAUSE_WORDS and not (w == "all" and before == "for")
            for before, w in zip(["", *words], words, strict=False)
        )
        or _loose_article(words)
        or not named
        and _plural_then_word(words)
    ):
        return Judgement(False, 0.0, ("English is a clause",))
    # A participle may modify a noun (operating system); a verb's base or -s form opens a clause.
    if (
        not words[0].endswith(("ing", "ed"))
        and lexicon.is_english_verb(words[0])
        or any(lexicon.is_english_verb(w) for w in words[1:] if w.endswith("s"))
    ):
        return Judgement(False, 0.0, ("English opens with a verb",))
    # A verb's base form after "and", "or" or "to" is a predicate ("markets and encourage
    # innovation"); after a noun it may head a compound (skills divide).
    if any(
        lexicon.is_english_verb(w) and before in ("and", "or", "to")
        for before, w in zip(words, words[1:], strict=False)
    ):
        return Judgement(False, 0.0, ("English holds a verb",))
    # "the" in a rendering that leaves Chinese unexplained is a stretch of running text pulled
    # in ("strategy for the energy"); a name may hold it (Law of the Sea).
    if not written_as_name and quality < 0.99 and "the" in words:
        return Judgement(False, 0.0, ("a phrase of running text",))
    if observation.shape == "compound" and seen.head_first >= seen.count and not named:
        return Judgement(False, 0.0, ("the Chinese head modifies in English",))
    if observation.verbal and not named and seen.opening_unexplained >= seen.count:
        return Judgement(False, 0.0, ("the opening verb has no English",))
    if seen.fragments >= seen.count and not seen.quoted:
        return Judgement(False, 0.0, ("part of a longer name",))
    if not named and (words[0] in EVALUATIVE or _adverb(words[0]) and len(words) > 1):
        return Judgement(False, 0.0, ("English opens with an evaluation",))
    if len(words) == 1 and lexicon.is_english_verb(words[0]):
        return Judgement(False, 0.0, ("English is a verb",))
    # A set phrase may be rendered by a compound adjective (自力更生 "self-reliant").
    compound_adjective = observation.shape == "fixed" and len(words) == 1 and "-" in words[0]
    if (
        not named
        and not compound_adjective
        and not _ends_in_noun(words)
        and not lexicon.renders_state(observation.text, words[-1])
    ):
        return Judgement(False, 0.0, ("English does not end in a noun",))
    single = len(observation.tags) == 1
    # A transliterated name is a person's; its characters' glosses explain it by chance alone
    # (伯格 "Berg": 伯 is "count"), so only a word explained in full is more than a name.
    if (
        single
        and observation.tags[0] in PERSON_TAGS
        and (seen.kinds <= {"pinyin", "segment"} or quality < 0.99)
    ):
        return Judgement(False, 0.0, ("a person's name",))
    if single and not named and _everyday(observation.text, words, general_freq):
        return Judgement(False, 0.0, ("everyday word",))
    if (
        len(observation.tags) >= LONG_PHRASE_TOKENS
        and not named
        and seen.count < 2
        and not (one_gap or _noun_compound(observation, seen))
    ):
        return Judgement(False, 0.0, ("a long phrase seen once",))
    if observation.verbal and not named:
        reasons.append("opens with a verb")
    confidence = 0.45 + 0.3 * quality
    if quality >= 0.99:
        reasons.append("every part explained")
    if seen.count >= 2:
        # Found together once more is weak evidence for a phrase that translates word for word;
        # a third time, less so (scoring.count_part, which a later run's counts refresh).
        confidence += count_part(METHOD_ALIGNED, seen.count, 0.0)
        reasons.append(f"paired in {seen.count} segments")
    if named:
        confidence += 0.1
        reasons.append("a name")
    if seen.quoted:
        confidence += 0.1
        reasons.append("quoted on both sides")
    if observation.shape == "fixed":
        confidence += 0.05
        reasons.append("fixed expression")
    if lexicon.is_headword(observation.text) and len(observation.text) >= 3:
        confidence += 0.05
        reasons.append("dictionary headword")
    if observation.verbal and not named:
        confidence -= 0.2
    if single and len(words) == 1 and not named:
        confidence -= 0.1
        reasons.append("a single word")
    if seen.aligned < seen.count:
        confidence -= 0.1
        reasons.append("seen in a neighbouring segment")
    return Judgement(True, round(max(min(confidence, 0.97), 0.05), 3), tuple(reasons))


def _noun_compound(observation: Observation, seen: Seen) -> bool:
    """Nouns only, joined or not, every one rendered: a compound name, not a description."""
    return seen.quality >= 0.85 and all(
        tag in NOMINAL_GAP_TAGS or tag in {"c", "p"} for tag in observation.tags
    )


NOUN_SUFFIXES = ("ment", "ness", "tion", "sion", "ship", "ity")
ADJECTIVE_SUFFIXES = (
    "ly",
    "al",
    "ic",
    "ive",
    "ous",
    "ful",
    "less",
    "able",
    "ible",
    "ed",
    "ern",
    "ant",
    "ent",
)
# Nouns with the endings of adjectives: the word class of a final word is judged by its ending.
NOUNS_LIKE_ADJECTIVES = frozenset(
    [
        "proposal",
        "approval",
        "potential",
        "capital",
        "terminal",
        "signal",
        "portal",
        "journal",
        "arrival",
        "festival",
        "manual",
        "rival",
        "survival",
        "renewal",
        "referral",
        "withdrawal",
        "disposal",
        "removal",
        "trial",
        "animal",
        "principal",
        "official",
        "criminal",
        "individual",
        "professional",
        "representative",
        "initiative",
        "incentive",
        "objective",
        "perspective",
        "alternative",
        "executive",
        "directive",
        "relative",
        "detective",
        "collective",
        "native",
        "public",
        "logic",
        "republic",
        "topic",
        "clinic",
        "graphic",
        "traffic",
        "music",
        "economic",
        "mechanic",
        "agent",
        "student",
        "president",
        "government",
        "agreement",
        "development",
        "environment",
        "management",
        "investment",
        "establishment",
        "statement",
        "treatment",
        "movement",
        "settlement",
        "element",
        "assessment",
        "commitment",
        "achievement",
        "engagement",
        "content",
        "component",
        "consent",
        "patent",
        "event",
        "talent",
        "parent",
        "client",
        "element",
        "participant",
        "applicant",
        "consultant",
        "assistant",
        "merchant",
        "tenant",
        "accident",
        "incident",
        "resident",
        "precedent",
        "president",
        "continent",
        "segment",
        "document",
        "instrument",
        "argument",
        "moment",
        "building",
        "meeting",
        "training",
        "funding",
        "planning",
        "marketing",
        "understanding",
        "offering",
        "spending",
        "screening",
        "setting",
        "hearing",
        "warning",
        "briefing",
        "opening",
        "gathering",
        "listing",
        "shipping",
        "pudding",
        "sibling",
        "wedding",
        "need",
        "seed",
        "speed",
        "feed",
        "bed",
        "creed",
        "greed",
        "weed",
        "breed",
        "deed",
        "family",
        "supply",
        "assembly",
        "monopoly",
        "ally",
    ]
)


def _ends_in_noun(words: list[str]) -> bool:
    """No adverb at the end, and no lone adjective (前所未有 "unprecedented" describes, it names nothing)."""
    last = words[-1].split("-")[-1]
    if _adverb(last):
        return False
    if last in NOUNS_LIKE_ADJECTIVES or len(last) <= 3 or not last.isalpha() or last.endswith(NOUN_SUFFIXES):
        return True
    # A modifier left without its noun ("global digital", "dissemination of extremist") or an
    # adjective phrase ("stable and prosperous") names nothing.
    return not last.endswith(ADJECTIVE_SUFFIXES)


def _adverb(word: str) -> bool:
    """An -ly word made from an English word (rapidly, increasingly), not supply or family."""
    if not word.endswith("ly") or len(word) < 5:
        return False
    from wordfreq import zipf_frequency

    base = word[:-2]
    return any(zipf_frequency(form, "en") >= 3.0 for form in (base, base[:-1] + "y", base + "e"))


def _everyday(zh: str, words: list[str], general_freq: Mapping[str, int]) -> bool:
    content = [w for w in words if w not in STOPWORDS]
    if len(content) != 1:
        return False  # 原产地 ~ "place of origin": a conventional rendering, not a gloss
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(content[0], "en")
    return zipf >= EVERYDAY_ZIPF or general_freq.get(zh, 0) > EVERYDAY_ZH_FREQ and zipf >= FAIRLY_COMMON_ZIPF


# Gradable adjectives that judge rather than classify: "great significance", "rapid development"
# describe; a term's modifier sorts its head into a kind (digital trade, regional security).
EVALUATIVE = frozenset(
    [
        "great",
        "greater",
        "greatest",
        "huge",
        "major",
        "important",
        "significant",
        "profound",
        "profoundly",
        "distinctive",
        "unprecedented",
        "rapid",
        "fast",
        "orderly",
        "overall",
        "good",
        "better",
        "best",
        "strong",
        "stronger",
        "deep",
        "broad",
        "wide",
        "far-reaching",
        "key",
        "main",
        "vital",
        "crucial",
        "essential",
        "remarkable",
        "tremendous",
        "enormous",
        "vast",
        "certain",
        "various",
        "serious",
        "full",
        "fully",
        "steady",
        "sound",
        "healthy",
        "active",
        "positive",
        "effective",
        "joint",
    ]
)
ARTICLES = frozenset({"the", "a", "an"})
ARTICLE_HOSTS = TERM_WORDS - ARTICLES - {"well", "new", "first", "second"}


# Plurals that stand before another noun in compounds (human rights protection, goods trade).
PLURAL_MODIFIERS = frozenset(
    [
        "rights",
        "news",
        "arms",
        "sports",
        "goods",
        "affairs",
        "communications",
        "economics",
        "statistics",
        "politics",
        "logistics",
        "services",
        "resources",
    ]
)


def _plural_then_word(words: list[str]) -> bool:
    """A plural followed by another word is a subject and its verb ("rumours harm"), not a
    compound: English compounds take singular modifiers ("privacy protection", "rumour control")."""
    for word, following in zip(words, words[1:], strict=False):
        if following in ARTICLE_HOSTS or word in PLURAL_MODIFIERS or len(word) <= 3:
            continue
        if word.endswith("s") and singularize(word) != word:
            return True
    return False


def _loose_article(words: list[str]) -> bool:
    """An article inside a term follows a preposition or a conjunction ("rule of the law");
    after a content word it opens an object ("rumours harm the public interest")."""
    return any(w in ARTICLES and words[i - 1] not in ARTICLE_HOSTS for i, w in enumerate(words) if i > 0)


def _title_case(form: str) -> bool:
    content = [w for w in form.split() if w.lower() not in STOPWORDS and w[:1].isalpha()]
    return len(content) >= 2 and all(w[:1].isupper() for w in content)
