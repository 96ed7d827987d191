"""English side: tokens with offsets, stop words, and the grouping key of a span.

A span's key is :func:`termbase.text.normalize.search_key`'s form: lower case, singular, with
hyphens and spaces removed, so "cyber-security", "cybersecurity" and "cyber security" (and
singular/plural) fall under one key.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from termbase.text.normalize import apply_splits, match_text
from termbase.text.normalize import singularize as _singularize

TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:[-‐‑][A-Za-z0-9]+)*")
HYPHENS_RE = re.compile(r"[-‐‑]")

# General English function words (articles, pronouns, prepositions, auxiliaries, conjunctions,
# frequent adverbs and determiners). A span may contain them inside ("access without barriers")
# but never start or end with one.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "across",
        "after",
        "afterwards",
        "again",
        "against",
        "all",
        "almost",
        "alone",
        "along",
        "already",
        "also",
        "although",
        "always",
        "am",
        "among",
        "amongst",
        "an",
        "and",
        "another",
        "any",
        "anyhow",
        "anyone",
        "anything",
        "anyway",
        "anywhere",
        "are",
        "around",
        "as",
        "at",
        "be",
        "became",
        "because",
        "become",
        "becomes",
        "becoming",
        "been",
        "before",
        "beforehand",
        "behind",
        "being",
        "below",
        "beside",
        "besides",
        "between",
        "beyond",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "due",
        "during",
        "each",
        "either",
        "else",
        "elsewhere",
        "enough",
        "etc",
        "even",
        "ever",
        "every",
        "everyone",
        "everything",
        "everywhere",
        "except",
        "few",
        "first",
        "for",
        "former",
        "formerly",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "hence",
        "her",
        "here",
        "hereafter",
        "hereby",
        "herein",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "ie",
        "if",
        "in",
        "indeed",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "latter",
        "least",
        "less",
        "let",
        "like",
        "made",
        "make",
        "makes",
        "making",
        "many",
        "may",
        "me",
        "meanwhile",
        "might",
        "mine",
        "more",
        "moreover",
        "most",
        "mostly",
        "much",
        "must",
        "my",
        "myself",
        "namely",
        "neither",
        "never",
        "nevertheless",
        "next",
        "no",
        "nobody",
        "none",
        "noone",
        "nor",
        "not",
        "nothing",
        "now",
        "nowhere",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "onto",
        "or",
        "other",
        "others",
        "otherwise",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "perhaps",
        "please",
        "quite",
        "rather",
        "re",
        "really",
        "s",
        "said",
        "same",
        "say",
        "says",
        "see",
        "seem",
        "seemed",
        "seeming",
        "seems",
        "several",
        "she",
        "should",
        "since",
        "so",
        "some",
        "somehow",
        "someone",
        "something",
        "sometime",
        "sometimes",
        "somewhere",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "thence",
        "there",
        "thereafter",
        "thereby",
        "therefore",
        "therein",
        "thereupon",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "throughout",
        "thus",
        "to",
        "together",
        "too",
        "toward",
        "towards",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "well",
        "were",
        "what",
        "whatever",
        "when",
        "whence",
        "whenever",
        "where",
        "whereafter",
        "whereas",
        "whereby",
        "wherein",
        "whereupon",
        "wherever",
        "whether",
        "which",
        "while",
        "whither",
        "who",
        "whoever",
        "whole",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "t",
        "ll",
        "ve",
        "d",
        "m",
        "o",
        "mr",
        "mrs",
        "ms",
        "dr",
        "shall",
        "ought",
    ]
)
# The only function words a term may contain inside ("access without barriers", "rights and obligations");
# pronouns, auxiliaries and the like ("choose its online") mark a clause, not a term.
INNER_WORDS = frozenset(
    [
        "of",
        "the",
        "a",
        "an",
        "and",
        "in",
        "for",
        "on",
        "with",
        "between",
        "by",
        "against",
        "over",
        "from",
        "outside",
        "without",
        "within",
    ]
)
singularize = lru_cache(maxsize=100_000)(_singularize)


# Days and months open a date, not the rest of a name (… Meeting on Trade on Monday).
CALENDAR_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


@dataclass(frozen=True, slots=True)
class EnToken:
    text: str  # lower case, as in the match text
    start: int  # offsets into the ORIGINAL en_text
    end: int
    chunk: int  # tokens in different chunks are separated by punctuation
    stop: bool
    acronym: bool  # written in capitals in the original (IT, ICTs, AI)


def word_parts(text: str) -> list[str]:
    """Singular lower-case word parts, hyphenated words split: "Cross-border" -> [cross, border]."""
    out: list[str] = []
    for token in TOKEN_RE.findall(text.lower()):
        out.extend(singularize(p) for p in HYPHENS_RE.split(token) if p)
    return out


def span_key(tokens: list[EnToken] | tuple[EnToken, ...]) -> str:
    """The grouping key of a token sequence (same form as ``search_key(text, "en")``)."""
    return words_key([t.text for t in tokens])


def words_key(words: Sequence[str]) -> str:
    """The grouping key of a sequence of token texts (see :func:`span_key`)."""
    return "".join(p for w in words for p in (singularize(x) for x in HYPHENS_RE.split(w)) if p)


def text_key(text: str) -> str:
    return "".join(word_parts(text))


def tokenize(
    original: str, match: str | None = None, splits: tuple[int, ...] | list[int] = ()
) -> list[EnToken]:
    """Tokens of an English text with offsets into ``original``.

    ``match`` is the segment's length-preserving normalised text (computed when omitted) and
    ``splits`` the offsets where glued words ("theCyberspace") are to be split.
    """
    if match is None or len(match) != len(original):
        match = match_text(original)
    view, origin = apply_splits(match, list(splits))
    original_view, _ = apply_splits(original, list(splits))
    tokens: list[EnToken] = []
    chunk = 0
    previous_end = 0
    for found in TOKEN_RE.finditer(view):
        gap = view[previous_end : found.start()]
        if gap.strip() not in ("", "'", "’") and tokens:
            chunk += 1  # punctuation, but not the apostrophe of a possessive (China’s)
        previous_end = found.end()
        word = sys.intern(found.group())  # a corpus repeats its words: each is stored once
        start = origin[found.start()]
        end = origin[found.end() - 1] + 1
        surface = original_view[found.start() : found.end()]
        acronym = len(surface) >= 2 and sum(c.isupper() for c in surface) >= 2 and surface[:2].isupper()
        stop = word in STOPWORDS and not acronym
        tokens.append(EnToken(word, start, end, chunk, stop, acronym))
    return tokens
