"""Chinese side: noun-phrase candidates from jieba POS patterns, ranked by C-value.

A candidate is a run of tokens that ends in a noun-like head and starts with neither a verb,
a pronoun nor a place or person name. Three further sources catch what the POS patterns miss:
dictionary headwords that span several tokens (世界和平 = 世界/和平), and runs of single
characters where jieba found no word at all (an unknown fixed expression).
"""

from __future__ import annotations

import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from termbase.extract.lexicon import Lexicon
from termbase.text.segment import Token

MAX_TOKENS = 6
MAX_CHARS = 12
# Above this frequency in jieba's general-language dictionary (≈60 M words), a single word is
# everyday vocabulary (发展, 合作, 信息) rather than a term; compounds built on it still qualify.
GENERAL_FREQ_LIMIT = 3000

NOUNISH = frozenset({"n", "nz", "vn", "nt", "nl", "ng", "l", "j", "an", "eng", "nrt"})
INNER = NOUNISH | frozenset({"v", "b", "a", "ns", "s", "vd", "ad"})
NAMES = frozenset({"nr", "nrfg", "nrt", "ns"})
HAN_TOKEN_RE = re.compile(r"^[\u3400-\u9fff]+$")
# Generic heads that turn a term into a description (数据安全问题 "data security issues").
STOP_HEADS = frozenset(
    [
        "问题",
        "方面",
        "领域",
        "工作",
        "情况",
        "过程",
        "方式",
        "手段",
        "活动",
        "能力",
        "水平",
        "作用",
        "意义",
        "内容",
        "部分",
        "时候",
        "时期",
        "基础",
        "条件",
        "因素",
        "方向",
        "目标",
        "方法",
        "措施",
        "办法",
        "任务",
        "举措",
        "行为",
        "事情",
        "东西",
        "地方",
        "程度",
        "结果",
        "成果",
        "途径",
        "环节",
        "局面",
        "形势",
        "阶段",
        "特点",
        "原因",
        "大家",
        "人们",
        "人士",
        "朋友",
        "先生",
        "女士",
        "年",
        "月",
        "日",
        "次",
        "届",
        "个",
        "种",
        "些",
        "之一",
        "上",
        "中",
        "下",
        "里",
        "内",
        "外",
        "优势",
        "未来",
        "亮点",
        "范围",
        "代表",
        "重中之重",
        "源头",
        "变革",
        "前途",
        "命运",
        "思想",
        "带来",
        "发展",
        "支持",
        "建设",
        "开幕式",
    ]
)
# Characters that cannot start or end an unknown expression: particles, pronouns, conjunctions.
FUNCTION_CHARS = frozenset("的了和与及或在是也都就而之其这那我你他她它们着过被把将对从以为于向等个有")


@dataclass(slots=True)
class ZhOccurrence:
    segment: int  # index of the segment in the run's input
    start: int
    end: int


class Occurrences:
    """A candidate's occurrences, held as ints rather than an object each: a run keeps every
    candidate's, and a frequent one has thousands. Iterating gives :class:`ZhOccurrence` objects."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: array[int] = array("i")  # segment, start and end of each, one after the other

    def append(self, occurrence: ZhOccurrence) -> None:
        self._values.extend((occurrence.segment, occurrence.start, occurrence.end))

    def __len__(self) -> int:
        return len(self._values) // 3

    def __iter__(self) -> Iterator[ZhOccurrence]:
        values = self._values
        return map(ZhOccurrence, values[::3], values[1::3], values[2::3])


@dataclass(slots=True)
class ZhCandidate:
    text: str  # Simplified, as in the segment's match text
    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    source: str  # pos-pattern, headword, unknown-run
    occurrences: Occurrences = field(default_factory=Occurrences)
    cvalue: float = 0.0

    @property
    def frequency(self) -> int:
        return len(self.occurrences)

    @property
    def segments(self) -> set[int]:
        return {o.segment for o in self.occurrences}


def _is_han(word: str) -> bool:
    return HAN_TOKEN_RE.match(word) is not None


def _head_ok(token: Token, lexicon: Lexicon) -> bool:
    if token.word in STOP_HEADS or not _is_han(token.word) and token.flag != "eng":
        return False
    if token.flag in NOUNISH:
        return True
    # 执法 is tagged as a verb, but "law enforcement" is a noun gloss: 网络执法 is a term.
    return token.flag == "v" and len(token.word) >= 2 and lexicon.has_nominal_sense(token.word)


START_TAGS = NOUNISH - {"nrt"}


# Actors that open a clause rather than a term (人民使用, 政府网页); 国家机关 and 人类历史 stay.
GENERIC_STARTS = ("人民", "政府", "中国", "我国", "各国", "我们", "大家")
# Words that never sit inside a term.
INNER_STOPS = frozenset(
    ["是", "的", "了", "在", "和", "与", "或", "并", "而", "也", "都", "就", "将", "被", "把", "对"]
)


def _start_ok(token: Token, lexicon: Lexicon) -> bool:
    if token.word[0] in FUNCTION_CHARS or token.word.startswith(GENERIC_STARTS):
        return False
    if token.flag in {"a", "b"}:
        # 重要原则 "important principle" and 主要源头 describe; 新材料 and 大分子 name.
        return len(token.word) == 1
    if token.flag not in START_TAGS:
        return False
    return _is_han(token.word) or token.flag == "eng"


def _opens_clause(token: Token, lexicon: Lexicon) -> bool:
    word = token.word
    return lexicon.is_verb_only(word) or len(word) > 2 and lexicon.is_verb_only(word[:2])


def _single_ok(
    token: Token, general_freq: Mapping[str, int], lexicon: Lexicon, tag_word: Callable[[str], str]
) -> bool:
    """One word alone is a term when it is rare in general language, and for two characters
    only when it is one of the domain's own words (监管): 办法 and 同学 are everyday words."""
    if len(token.word) < 2 or not _is_han(token.word) or token.word in STOP_HEADS:
        return False
    if token.flag not in NOUNISH or token.flag in {"nrt", "j"}:
        return False
    if general_freq.get(token.word, 0) > GENERAL_FREQ_LIMIT:
        return False
    if lexicon.is_domain_word(token.word) or lexicon.is_headword(token.word):
        return len(token.word) > 2 or lexicon.is_domain_word(token.word)
    # jieba's dictionary also lists phrases: 公共服务 names, 幸福生活 "happy life" describes.
    head = _first_word(token.word, general_freq)
    if head is None or token.word[len(head) :] in STOP_HEADS:
        return False
    return _start_ok(Token(head, tag_word(head), 0, len(head)), lexicon)


def _first_word(word: str, general_freq: Mapping[str, int]) -> str | None:
    """The longest dictionary word that starts ``word`` and leaves a dictionary word behind."""
    for cut in range(len(word) - 1, 0, -1):
        if general_freq.get(word[:cut], 0) > 0 and general_freq.get(word[cut:], 0) > 0:
            return word[:cut]
    return None


def candidates_in(
    tokens: list[Token],
    segment: int,
    lexicon: Lexicon,
    general_freq: Mapping[str, int],
    text: str,
    tag_word: Callable[[str], str],
) -> Iterable[tuple[str, tuple[str, ...], tuple[str, ...], str, ZhOccurrence]]:
    """All candidate occurrences in one tokenised segment: (text, tokens, tags, source, occurrence)."""
    n = len(tokens)
    for i in range(n):
        first = tokens[i]
        if not _start_ok(first, lexicon):
            continue
        for j in range(i, min(n, i + MAX_TOKENS)):
            token = tokens[j]
            if j > i and (token.flag not in INNER or token.word in INNER_STOPS):
                break
            if j > i and _opens_clause(first, lexicon):
                break  # 使用数据 "use of data", 保护隐私 "protect privacy": clauses
            if j > i and token.flag == "a" and len(token.word) > 1:
                break
            if not (_is_han(token.word) or token.flag == "eng"):
                break
            if token.end - first.start > MAX_CHARS:
                break
            if token.flag == "v" and not lexicon.has_nominal_sense(token.word):
                break  # a verb inside makes a clause (用户访问网页), unless it names (执法)
            if not _head_ok(token, lexicon) or token.word[-1] in FUNCTION_CHARS:
                continue
            if j == i and not _single_ok(token, general_freq, lexicon, tag_word):
                continue
            span = tokens[i : j + 1]
            yield (
                text[first.start : token.end],
                tuple(t.word for t in span),
                tuple(t.flag for t in span),
                "pos-pattern",
                ZhOccurrence(segment, first.start, token.end),
            )
    # Dictionary headwords of three or more characters that jieba split (世界和平).
    for i in range(n):
        for j in range(i + 1, min(n, i + 4)):
            start, end = tokens[i].start, tokens[j].end
            word = text[start:end]
            if end - start > MAX_CHARS:
                break
            if len(word) >= 3 and lexicon.is_headword(word) and not lexicon.is_idiom(word) and _is_han(word):
                span = tokens[i : j + 1]
                if all(not t.flag.startswith("nr") for t in span):
                    yield (
                        word,
                        tuple(t.word for t in span),
                        tuple(t.flag for t in span),
                        "headword",
                        ZhOccurrence(segment, start, end),
                    )
    # Runs of single characters: jieba knew no word here, so the run may be an unknown expression.
    i = 0
    while i < n:
        j = i
        while j < n and len(tokens[j].word) == 1 and _is_han(tokens[j].word) and tokens[j].flag not in NAMES:
            j += 1
        if j - i in (3, 4, 5):
            run = tokens[i:j]
            word = text[run[0].start : run[-1].end]
            if word[0] not in FUNCTION_CHARS and word[-1] not in FUNCTION_CHARS:
                yield (
                    word,
                    tuple(t.word for t in run),
                    tuple(t.flag for t in run),
                    "unknown-run",
                    ZhOccurrence(segment, run[0].start, run[-1].end),
                )
        i = max(j, i + 1)


def collect(
    tagged: Iterable[tuple[int, str, list[Token]]],
    lexicon: Lexicon,
    general_freq: Mapping[str, int],
    tag_word: Callable[[str], str],
) -> dict[str, ZhCandidate]:
    """Candidates over all segments, keyed by their Simplified text, with C-values."""
    found: dict[str, ZhCandidate] = {}
    for segment, text, tokens in tagged:
        seen: set[tuple[str, int]] = set()  # one segment's: an occurrence is found in its own
        for word, words, tags, source, occurrence in candidates_in(
            tokens, segment, lexicon, general_freq, text, tag_word
        ):
            key = (word, occurrence.start)
            if key in seen:
                continue
            seen.add(key)
            candidate = found.get(word)
            if candidate is None:
                candidate = found[word] = ZhCandidate(word, words, tags, source)
            candidate.occurrences.append(occurrence)
    _cvalues(found)
    return found


def _cvalues(found: dict[str, ZhCandidate]) -> None:
    """C-value (Frantzi et al. 2000): frequency discounted by the longer candidates that contain it."""
    containers: dict[str, list[str]] = defaultdict(list)
    by_length = sorted(found, key=len)
    texts = set(found)
    for text in by_length:
        for i in range(len(text)):
            for j in range(i + 2, len(text) + 1):
                inner = text[i:j]
                if inner != text and inner in texts:
                    containers[inner].append(text)
    for text, candidate in found.items():
        longer = containers.get(text, [])
        frequency = float(candidate.frequency)
        if longer:
            nested = sum(found[t].frequency for t in longer) / len(longer)
            frequency = max(frequency - nested, 0.0)
        candidate.cvalue = math.log2(len(text) + 1) * frequency
