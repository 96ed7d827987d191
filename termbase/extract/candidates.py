"""Stage 1: Chinese term candidates in one segment, from the shapes jieba's tags allow.

A candidate is a span of whole jieba tokens inside one clause. Its shape is judged by its edges,
not by a topic list: it may not start or end with a function word (particle, preposition,
conjunction, pronoun, adverb), it must end in a nominal head (noun, verbal noun, name,
abbreviation, fixed expression), and it never crosses punctuation. Title marks 《》 and
quotation marks “” enclose candidates of their own, whatever their inside is, and a
four-character fixed expression (成语, 惯用语) is a candidate as it stands.

Tags are features, not filters: jieba tags 蓝皮书 as a person's name, so names
and places are admitted like nouns, and the evidence of the later stages decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from termbase.text.segment import Token

MAX_TOKENS = 10
MAX_CHARS = 18
# Above this count in jieba's general-language dictionary (about 60 M words), a lone word is
# everyday vocabulary (发展, 合作); compounds built on it still qualify.
GENERAL_FREQ_LIMIT = 3000

NOMINAL_TAGS = frozenset(
    {"n", "nz", "nt", "nl", "ng", "vn", "an", "j", "l", "i", "eng", "nr", "nrt", "nrfg", "ns"}
)
FIXED_TAGS = frozenset({"i", "l"})
NAME_TAGS = frozenset({"nt", "nz", "j"})
# Tags that end a span wherever they stand: particles, prepositions, pronouns, modal particles,
# interjections, onomatopoeia, punctuation, and time words (去年, 目前).
BREAK_TAGS = frozenset(
    {"u", "uj", "ul", "uz", "ug", "uv", "ud", "p", "y", "e", "o", "x", "t", "tg", "z", "zg", "d"}
)
# Words that join two names (东亚峰会暨部长级会议): never inside one term.
NAME_JOINERS = frozenset({"暨", "及其"})
# One-character verbs that link two things rather than name one (到, 是, 有, 在).
FUNCTION_VERBS = frozenset({"到", "是", "有", "在", "为", "向", "给", "让", "使", "被", "把"})
# Pronouns, demonstratives and quantifying determiners (任何, 所有) end a span (jieba's pronoun tag
# also falls on 多边 in 多边机制).
PRONOUNS = frozenset(
    [
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "她们",
        "它们",
        "咱们",
        "自己",
        "大家",
        "这",
        "那",
        "这些",
        "那些",
        "这个",
        "那个",
        "这里",
        "那里",
        "这样",
        "那样",
        "这种",
        "那种",
        "其",
        "其他",
        "其它",
        "其中",
        "该",
        "此",
        "本",
        "各",
        "每",
        "某",
        "任何",
        "所有",
        "一切",
        "各国",
        "我国",
        "哪",
        "什么",
        "怎么",
        "如何",
        "谁",
    ]
)
# Tags a span may hold inside but not at either edge.
INNER_ONLY_TAGS = frozenset({"c", "cc", "d", "vd", "ad", "f", "q", "m", "v", "s", "b", "a"})
# Coordinating conjunctions that may join the parts of one term (规则和标准, 技术革命和社会变革).
COORDINATORS = frozenset({"和", "与", "及", "以及", "同", "暨", "并"})
# Heads that turn a phrase into a description rather than a name of a thing (隐私保护问题).
GENERIC_HEADS = frozenset(
    [
        # abstract nouns that evaluate or describe rather than classify (发展机遇, 驱动力量)
        "机遇",
        "机会",
        "努力",
        "力量",
        "潜力",
        "挑战",
        "风险",
        "特点",
        "特征",
        "影响",
        "生活",
        "愿景",
        "趋势",
        "大势",
        "成就",
        "贡献",
        "前途",
        "前景",
        "问题",
        "方面",
        "领域",
        "工作",
        "情况",
        "过程",
        "方式",
        "手段",
        "活动",
        "水平",
        "作用",
        "意义",
        "内容",
        "部分",
        "时候",
        "时期",
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
        "之一",
        "上",
        "中",
        "下",
        "里",
        "内",
        "外",
        "前",
        "后",
        "间",
        "等",
        "们",
        "时",
        "年",
        "月",
        "日",
        "次",
        "届",
        "个",
        "种",
        "些",
    ]
)
# Particles that jieba may leave glued to a character cut off the word before (负责 | 任的).
PARTICLES = frozenset("的了着过地得")
# A number before these is a date (9月), not the number of a name (第三届, 三项原则).
DAY_UNITS = frozenset({"月", "日", "号"})
# Characters that cannot open a span: they continue the previous word (的, 了) or refer back (其, 该).
NON_INITIAL_CHARS = frozenset("的了着过之其该此这那")
ORDINAL_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[届次个项条]?|[\d]+年?|[二三四五六七八九十]+[项点大条]|一项|一点)$"
)
NUMERAL_RE = re.compile(r"^(?:[\d]+|[二三四五六七八九十百千万两]+)[方项点届次大条]?$")
POSITION_WORDS = frozenset(
    [
        "之间",
        "之中",
        "之内",
        "之外",
        "之后",
        "之前",
        "以来",
        "以上",
        "以下",
        "以后",
        "以前",
        "以外",
        "以内",
        "上面",
        "下面",
        "前面",
        "后面",
        "里面",
        "外面",
        "中间",
        "当中",
        "方面",
    ]
)
TITLE_PAIRS = {"《": "》", "“": "”", "「": "」", "『": "』", "〈": "〉", '"': '"'}
HAN_RE = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span of tokens [first, end) in one segment, with what its shape says about it."""

    first: int
    end: int
    start: int  # character offsets in the segment's text
    stop: int
    text: str
    shape: str  # "title" (in title or quotation marks), "fixed", "name", "word", "compound"
    verbal: bool = False  # opens with a verb: a clause unless its English is a noun phrase
    tags: tuple[str, ...] = ()  # jieba's tag of each token

    @property
    def length(self) -> int:
        return self.stop - self.start


def is_han_word(token: Token) -> bool:
    return HAN_RE.search(token.word) is not None or token.flag == "eng"


def _can_open(tokens: list[Token], i: int, is_nominal: Callable[[str], bool]) -> bool:
    token = tokens[i]
    if token.flag in BREAK_TAGS or token.word in PRONOUNS or token.word[0] in NON_INITIAL_CHARS:
        return False
    if token.word in COORDINATORS:
        return False
    if token.flag in INNER_ONLY_TAGS:
        # A number opens a numbered name (第三届…, 2035年…, 三项原则); an adjective or a
        # distinguishing word opens a compound (新型…, 大数据); a verb of two characters may
        # modify a noun (治理结构) — the English shape decides later whether it was a clause.
        if ORDINAL_RE.match(token.word) or token.flag == "m" and NUMERAL_RE.search(token.word):
            # A month or a day dates what follows (9月 + a name), it numbers nothing.
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            return (
                following is not None and following.flag not in BREAK_TAGS and following.word not in DAY_UNITS
            )
        if token.flag == "v":
            return (
                len(token.word) == 2
                and is_nominal(token.word)
                or i + 1 < len(tokens)
                and tokens[i + 1].flag in {"vd", "d"}
            )
        # 新 and 大 name (新业态, 大数据); 重要 and 巨大 describe (重要原则, 巨大机遇).
        return token.flag == "b" or token.flag == "a" and len(token.word) == 1
    return is_han_word(token)


def _can_close(token: Token, is_nominal: Callable[[str], bool]) -> bool:
    if token.word in GENERIC_HEADS or token.word in COORDINATORS or token.word in PRONOUNS:
        return False
    if token.flag == "f":
        return len(token.word) == 2 and token.word not in POSITION_WORDS
    if token.flag in NOMINAL_TAGS:
        return True
    # 治理 and 建设 are tagged as verbs but head terms (数据治理): a two-character verb may close a
    # compound; whether the whole is a term is for the evidence to say.
    return token.flag in {"v", "vn", "a"} and len(token.word) >= 2 and is_nominal(token.word)


def _clauses(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """[first, end) token ranges between punctuation."""
    first = 0
    for i, token in enumerate(tokens):
        if token.flag == "x" and not token.word.strip().isalnum():
            if i > first:
                yield first, i
            first = i + 1
    if first < len(tokens):
        yield first, len(tokens)


def _shape(tokens: list[Token], first: int, end: int, general_freq: Mapping[str, int]) -> str | None:
    span = tokens[first:end]
    if end - first == 1:
        token = span[0]
        if len(token.word) < 2 and token.flag != "eng":
            return None
        if token.flag in FIXED_TAGS and len(token.word) >= 4:
            return "fixed"
        if token.flag in NAME_TAGS:
            return "name"
        if general_freq.get(token.word, 0) > GENERAL_FREQ_LIMIT or token.flag not in NOMINAL_TAGS:
            return None
        return "word"
    if span[-1].flag in NAME_TAGS or span[0].flag in {"nt", "nz"}:
        return "name"
    return "compound"


def candidates_in(
    tokens: list[Token],
    text: str,
    general_freq: Mapping[str, int],
    is_nominal: Callable[[str], bool],
    is_headword: Callable[[str], bool],
) -> list[Candidate]:
    """Every candidate span in one tokenised segment (Simplified match text ``text``).

    ``is_nominal`` tells whether a word tagged as a verb has a nominal sense (治理 governance);
    ``is_headword`` whether the dictionary lists a word (云计算, which jieba splits).
    """
    tokens = _retagged(tokens, is_headword)
    out: list[Candidate] = []
    seen: dict[tuple[int, int], int] = {}

    def add(first: int, end: int, shape: str) -> None:
        start, stop = tokens[first].start, tokens[end - 1].end
        if not HAN_RE.search(text, start, stop):
            return  # Latin letters copied into the Chinese (AI, RES) are no Chinese term
        verbal = tokens[first].flag == "v" and shape != "title"
        tags = tuple(t.flag for t in tokens[first:end])
        candidate = Candidate(first, end, start, stop, text[start:stop], shape, verbal, tags)
        where = seen.get((start, stop))
        if where is None:
            seen[(start, stop)] = len(out)
            out.append(candidate)
        elif shape == "title":
            out[where] = candidate  # title marks say more than the shape of the words inside

    for clause_first, clause_end in _clauses(tokens):
        for i in range(clause_first, clause_end):
            if (
                not _can_open(tokens, i, is_nominal)
                or _truncated_modifier(tokens, i, clause_first)
                or _opens_inside_word(tokens, i, clause_first, is_headword)
            ):
                continue
            for j in range(i, min(clause_end, i + MAX_TOKENS)):
                token = tokens[j]
                if token.word in NAME_JOINERS:
                    break
                if token.word in COORDINATORS:
                    if j > i:
                        continue
                    break
                if (
                    token.flag in BREAK_TAGS
                    or token.word in PRONOUNS
                    or not (is_han_word(token) or token.flag == "m")
                ):
                    break
                if j > i and token.flag == "v" and len(token.word) > 1 and not is_nominal(token.word):
                    break  # a verb inside makes a clause (谣言损害利益), unless it names (治理)
                if j > i and token.word in FUNCTION_VERBS:
                    break  # 北京到华盛顿: a route, not a name
                if tokens[j].end - tokens[i].start > MAX_CHARS:
                    break
                if not _can_close(token, is_nominal) or _closes_inside_word(
                    tokens, j, clause_end, is_headword
                ):
                    continue
                if _bare_coordination(tokens[i : j + 1]) or _cut_conjunct(tokens, i, j + 1, clause_end):
                    continue
                shape = _shape(tokens, i, j + 1, general_freq)
                if shape is not None:
                    add(i, j + 1, shape)
    for first, end in _enclosed(tokens):
        add(first, end, "title")
    for first, end in _paired_words(tokens, text, is_headword):
        add(first, end, "fixed")
    for first, end in _headwords(tokens, text, is_headword):
        add(first, end, "word")
    return out


# What an adverb modifies: verbs, adjectives, prepositions and other adverbs.
MODIFIED_TAGS = frozenset({"v", "vd", "vn", "vg", "a", "ad", "an", "ag", "d", "p", "c"})


def _retagged(tokens: list[Token], is_headword: Callable[[str], bool]) -> list[Token]:
    """Tokens with jieba's adverb tag taken off words that cannot be adverbs there. An adverb
    stands before a verb, an adjective, a preposition or another adverb: a word tagged so after
    a noun and before none of these is a noun (社会进步, where jieba tags 进步 as an adverb),
    and one between a verb and a noun is the noun's attribute. A word jieba's dictionary glued
    to the preposition after it is read as the preposition, which ends a span."""
    out = list(tokens)
    for i, token in enumerate(tokens):
        if _glued_preposition(token.word, is_headword):
            out[i] = Token(token.word, "p", token.start, token.end)
            continue
        if token.flag != "d" or len(token.word) < 2:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        after_noun = i > 0 and tokens[i - 1].flag in NOMINAL_TAGS
        if after_noun and (following is None or following.flag not in MODIFIED_TAGS):
            out[i] = Token(token.word, "n", token.start, token.end)
        elif (
            i > 0
            and tokens[i - 1].flag == "v"
            and following is not None
            and following.flag in NOMINAL_TAGS | {"r"}
            and following.word not in PRONOUNS
        ):
            # Between a verb and its object noun it can modify neither the verb (it follows it)
            # nor a noun (adverbs do not): it is the object's attribute (坚持真正的… without 的).
            out[i] = Token(token.word, "b", token.start, token.end)
    return out


# Prepositions that jieba's dictionary glues to the word before them in a few phrase entries.
PREPOSITIONS = frozenset("对向从把被给在为于与")


def _glued_preposition(word: str, is_headword: Callable[[str], bool]) -> bool:
    """A dictionary word and a preposition, written as one word by jieba (侧重 + 于 "focus on")
    but by no dictionary, where the preposition makes no word with the character
    before it (方向 does in 东北方向)."""
    return (
        len(word) >= 3
        and word[-1] in PREPOSITIONS
        and is_headword(word[:-1])
        and not is_headword(word)
        and not is_headword(word[-2:])
    )


def _paired_words(
    tokens: list[Token], text: str, is_headword: Callable[[str], bool]
) -> Iterator[tuple[int, int]]:
    """Four-character phrases of two dictionary words ending in a verb or an adjective (互惠共赢),
    the set pattern of slogans, where they stand alone: before punctuation, 的 or the end of the
    segment."""
    for i in range(len(tokens)):
        for j in range(i + 2, min(len(tokens), i + 4) + 1):
            start, stop = tokens[i].start, tokens[j - 1].end
            if stop - start > 4:
                break
            if stop - start < 4 or not HAN_RE.match(text[start]):
                continue
            following = tokens[j] if j < len(tokens) else None
            standing_alone = following is None or following.flag == "x" or following.word == "的"
            phrase = text[start:stop]
            # A noun at the end makes a modifier and its head, which the compound rules judge
            # (合作机遇 has a generic head), and so does a generic head jieba tags as a verb
            # (调解作用); a slogan pairs two verbs or adjectives (互惠共赢), and an adverb ends none
            # (表示由衷的…: it modifies what follows).
            if (
                standing_alone
                and tokens[j - 1].flag not in NOMINAL_TAGS | {"t", "d"}
                and tokens[j - 1].word not in GENERIC_HEADS
                and is_headword(phrase[:2])
                and is_headword(phrase[2:])
                and HAN_RE.match(phrase[3])
            ):
                yield i, j


def _headwords(
    tokens: list[Token], text: str, is_headword: Callable[[str], bool]
) -> Iterator[tuple[int, int]]:
    """Dictionary words of three or more characters that jieba split (云计算 = 云/计算)."""
    for i in range(len(tokens)):
        for j in range(i + 2, min(len(tokens), i + 4) + 1):
            word = text[tokens[i].start : tokens[j - 1].end]
            if len(word) > MAX_CHARS:
                break
            if len(word) >= 3 and HAN_RE.match(word) and is_headword(word):
                yield i, j


def _truncated_modifier(tokens: list[Token], i: int, clause_first: int) -> bool:
    """Whether the span would start inside a word: a one-character modifier stands right before
    (时代中国特色 cut from 新时代中国特色), or two single characters jieba split belong together
    (美互联网论坛 cut from 中美互联网论坛)."""
    if i == clause_first:
        return False
    before = tokens[i - 1]
    if len(before.word) != 1 or not HAN_RE.match(before.word):
        return False
    if before.flag in {"a", "b"}:
        return True
    bound = before.flag not in BREAK_TAGS | {"c", "cc", "d", "r", "v", "m", "q"}
    return bound and before.word not in COORDINATORS and before.word[0] not in NON_INITIAL_CHARS


def _opens_inside_word(
    tokens: list[Token], i: int, clause_first: int, is_headword: Callable[[str], bool]
) -> bool:
    """Whether jieba cut the span's first character off the word before it: with that word it
    makes a dictionary word (他 + 国 = 他国, 负责 + 任 = 负责任), and the first token is that
    character alone or that character and a particle (任的)."""
    if i == clause_first:
        return False
    before, first = tokens[i - 1].word, tokens[i].word
    if not HAN_RE.match(before[-1:]) or not is_headword(before + first[0]):
        return False
    return len(first) == 1 or all(char in PARTICLES for char in first[1:])


def _closes_inside_word(
    tokens: list[Token], j: int, clause_end: int, is_headword: Callable[[str], bool]
) -> bool:
    """Whether jieba cut the span's last character off a one-character word after it (贸易中共赢
    cut 贸易/中共/赢, where 共赢 is the word). A localizer or a function word after a noun is a word
    of its own, whatever it makes with the character before (网络平台 + 上, though 台上 is a word)."""
    if j + 1 >= clause_end:
        return False
    after, last = tokens[j + 1], tokens[j].word
    return (
        len(after.word) == 1
        and HAN_RE.match(after.word) is not None
        and after.flag not in BREAK_TAGS | {"f", "c"}
        and is_headword(last[-1] + after.word)
    )


def _bare_coordination(span: list[Token]) -> bool:
    """Two words joined (发展和安全, 对话与合作) pair general words; a coordination is a term
    candidate only with a shared modifier or head (数字产品和服务, 地区和平与稳定)."""
    joined = sum(1 for t in span if t.word in COORDINATORS)
    return joined > 0 and len(span) - joined < 3


def _cut_conjunct(tokens: list[Token], first: int, end: int, clause_end: int) -> bool:
    """Whether a coordination leaves part of a conjunct outside: conjuncts are whole noun phrases
    (技术革命和社会变革, not 技术革命和社会 nor 革命和社会变革)."""
    if not any(t.word in COORDINATORS for t in tokens[first:end]):
        return False
    after = tokens[end] if end < clause_end else None
    before = tokens[first - 1] if first > 0 else None
    # Leftwards only a plain noun: jieba tags verbs before an object as verbal nouns (出售).
    return (after is not None and after.flag in {"n", "vn", "ng"}) or (
        before is not None and before.flag == "n"
    )


def _enclosed(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """Token ranges between title or quotation marks (《新时代的…》, “…”), up to MAX_CHARS."""
    for i, token in enumerate(tokens):
        closing = TITLE_PAIRS.get(token.word)
        if closing is None:
            continue
        for j in range(i + 1, min(len(tokens), i + 2 + MAX_TOKENS * 2)):
            if tokens[j].word == closing:
                if j > i + 1 and tokens[j - 1].end - tokens[i + 1].start <= MAX_CHARS * 2:
                    inner = tokens[i + 1 : j]
                    if sum(len(HAN_RE.findall(t.word)) for t in inner) >= 2:
                        yield i + 1, j
                break
            if tokens[j].word in TITLE_PAIRS or tokens[j].word in "。！？；":
                break
