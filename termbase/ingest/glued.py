"""Split English words that a web page glued together ("autumnday", "theCyberspace").

The dictionary is ``wordfreq``'s English list, which ships inside the package and
needs no download. A token is split only when

* it is not itself a word (wordfreq knows it at Zipf 1.0 or above: "wordpress", "interflow" stay);
* it is not a run of pinyin syllables (romanized Chinese names such as "Hequan" stay whole);
* the split is unambiguous: a lower-to-upper case change ("theCyberspace", "XiJinping"), or
  exactly one way to cut it into the fewest (two or three) common words: Zipf 4.3 or above
  for three letters, 3.5 for four, 3.0 for more, 2.5 from eight, or one of the short
  function words;
* no part is a word-forming prefix or suffix ("cyber|governance" stays "cybergovernance").

The result is a list of offsets where a space belongs; the text itself is never changed.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib.metadata import version

from termbase.ingest.cache import cached

KNOWN_ZIPF = 1.0  # wordfreq knows the token: leave it alone
# The Zipf frequency a part of a split needs, by its length (3, 4, 5-7, 8+ letters).
PART_ZIPF = (0.0, 0.0, 0.0, 4.3, 3.5, 3.0, 3.0, 3.0, 2.5)
MAX_PARTS = 3
MAX_TOKEN = 40

_TOKEN = re.compile(r"[A-Za-z]+")
_URLISH = re.compile(r"://|www\.|@|\.(?:com|org|net|gov|edu|cn|html?)\b|\w\.\w+\.\w", re.IGNORECASE)
_CONTRACTIONS = ("ll", "ve", "re", "s", "d", "t", "m")

# Closed classes of English: short function words a split may produce, and word-forming
# affixes that make one word with what follows or precedes them.
_FUNCTION_WORDS = "a an as at be by do he if in is it me my no of on or so to up us we"
_PREFIXES = (
    "anti auto bio co counter cross cyber de dis eco extra geo hyper inter intra macro micro mid "
    "mini mis mono multi neo non out over post pre pro pseudo re self semi sub super tele trans "
    "tri ultra un under"
)
_SUFFIXES = "able ism ist like less ness ship ward wards wise hood wide"
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
PREFIXES = frozenset(_PREFIXES.split())
SUFFIXES = frozenset(_SUFFIXES.split())


# Every decision below compares a Zipf frequency with one of these, so the word list is
# kept as bands: the words at or above each threshold, and below the one before.
BANDS = (4.3, 3.5, 3.0, 2.5, KNOWN_ZIPF)


def _build_bands() -> dict[float, str]:
    from wordfreq import get_frequency_dict

    bands: dict[float, list[str]] = {band: [] for band in BANDS}
    for word, frequency in get_frequency_dict("en").items():
        if word.isascii() and word.isalpha():
            zipf = math.log10(frequency) + 9
            band = next((b for b in BANDS if zipf >= b), None)
            if band is not None:
                bands[band].append(word)
    return {band: "\n".join(words) for band, words in bands.items()}


@lru_cache(maxsize=1)
def _word_bands() -> tuple[tuple[float, frozenset[str]], ...]:
    """wordfreq's English words in Zipf bands, from the on-disk cache when it is there."""
    bands = cached("wordfreq-en", f"wordfreq {version('wordfreq')}", _build_bands)
    return tuple((band, frozenset(bands[band].split("\n"))) for band in BANDS)


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """The Zipf frequency of a lower-case word, rounded down to its band (0 when unknown)."""
    return next((band for band, words in _word_bands() if word in words), 0.0)


def _known(word: str) -> bool:
    return _zipf(word.lower()) >= KNOWN_ZIPF


def _part(word: str) -> bool:
    """A common word: short words must be very common to count, long ones less so."""
    lowered = word.lower()
    if lowered in FUNCTION_WORDS:
        return True
    if len(lowered) < 3:
        return False
    return _zipf(lowered) >= PART_ZIPF[min(len(lowered), len(PART_ZIPF) - 1)]


# The syllables of Mandarin in pinyin without tones (u-umlaut written u), for telling
# romanized Chinese names from glued English words.
_PINYIN = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca
    cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua
    chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
    deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
    fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang
    gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji
    jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng
    kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian
    liang liao lie lin ling liu lo long lou lu luan lue lun luo ma mai man mang mao me mei men meng
    mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia nian niang
    niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa pai pan pang pao pei pen peng pi pian
    piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran
    rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha
    shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si
    song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu
    tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin xing
    xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan
    zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua
    zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
PINYIN_SYLLABLES = frozenset(_PINYIN.split())


def is_pinyin(word: str, syllables: int = 2) -> bool:
    """Whether ``word`` reads as ``syllables`` or more pinyin syllables (a romanized Chinese name)."""
    lowered = word.lower()
    # most[i]: the most syllables that spell lowered[:i] exactly, -1 when none do.
    most = [0] + [-1] * len(lowered)
    for end in range(1, len(lowered) + 1):
        for start in range(max(0, end - 6), end):
            if most[start] >= 0 and lowered[start:end] in PINYIN_SYLLABLES:
                most[end] = max(most[end], most[start] + 1)
    return most[-1] >= syllables


def _dictionary_cuts(word: str) -> list[int] | None:
    """Offsets cutting ``word`` into the fewest common words, when that cut is the only one."""
    n = len(word)
    best: list[tuple[int, int, int]] = [(0, 1, -1)] + [(n + 1, 0, -1)] * n  # (parts, ways, back)
    for end in range(1, n + 1):
        for start in range(end):
            parts, ways, _ = best[start]
            if ways == 0 or not _part(word[start:end]):
                continue
            current = best[end]
            if parts + 1 < current[0]:
                best[end] = (parts + 1, ways, start)
            elif parts + 1 == current[0]:
                best[end] = (current[0], current[1] + ways, current[2])
    parts, ways, _ = best[n]
    if ways != 1 or not 2 <= parts <= MAX_PARTS:
        return None
    cuts: list[int] = []
    position = best[n][2]
    while position > 0:
        cuts.append(position)
        position = best[position][2]
    cuts.reverse()
    pieces = [word[a:b].lower() for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    if pieces[-1] in SUFFIXES or any(p in PREFIXES for p in pieces[:-1]):
        return None
    if any(len(p) == 1 for p in pieces[1:-1]):  # "a" only at either end: "builda", "acomprehensive"
        return None
    return cuts


def _case_cuts(token: str) -> list[int]:
    """Offsets where the case shows a word boundary: "theCyberspace", "ASEANInformation"."""
    cuts: list[int] = []
    for i in range(1, len(token)):
        previous, current = token[i - 1], token[i]
        if previous.islower() and current.isupper():
            cuts.append(i)
        elif i >= 2 and previous.isupper() and current.isupper() and token[i + 1 : i + 2].islower():
            cuts.append(i)  # an acronym, then a word: "ASEANInformation" -> "ASEAN Information"
    # An acronym glued to a lower-case word: "ASEANcountries" -> "ASEAN countries".
    if caps := re.match(r"[A-Z]{2,}(?=[a-z])", token):
        end = caps.end()
        following = next((c for c in cuts if c > end), len(token))
        if _part(token[end:following]):
            cuts = [c for c in cuts if c != end - 1] + [end]
    cuts = sorted(set(cuts))
    pieces = [token[a:b] for a, b in zip([0, *cuts], [*cuts, len(token)], strict=True)]
    if any(len(p) < 2 and p not in ("a", "A", "I") for p in pieces):
        return []
    return cuts


@lru_cache(maxsize=262144)
def _token_splits(token: str) -> tuple[int, ...]:
    if len(token) < 4 or len(token) > MAX_TOKEN or _known(token):
        return ()
    cuts = _case_cuts(token)
    bounds = [0, *cuts, len(token)]
    result = list(cuts)
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = token[start:end]
        if len(piece) < 4 or _known(piece) or is_pinyin(piece):
            continue
        if inner := _dictionary_cuts(piece):
            result.extend(start + cut for cut in inner)
    return tuple(sorted(result))


@lru_cache(maxsize=65536)
def _contraction_split(token: str) -> int | None:
    """After an apostrophe, "llshare" (from "we'llshare"): the contraction ends, a word begins."""
    if _known(token):
        return None
    lowered = token.lower()
    for suffix in _CONTRACTIONS:
        rest = token[len(suffix) :]
        if lowered.startswith(suffix) and len(rest) >= 3 and _part(rest):
            return len(suffix)
    return None


def _in_address(text: str, start: int, end: int) -> bool:
    """Whether the characters start..end belong to a URL, e-mail address or domain name."""
    left = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    right = min((i for i in (text.find(" ", end), text.find("\n", end)) if i >= 0), default=len(text))
    return _URLISH.search(text, left, right) is not None


def find_splits(text: str) -> tuple[int, ...]:
    """Offsets in ``text`` where a space separates two glued words."""
    splits: list[int] = []
    for match in _TOKEN.finditer(text):
        token, offset = match.group(), match.start()
        if offset and text[offset - 1] in "'’":
            if (cut := _contraction_split(token)) is not None and not _in_address(text, offset, match.end()):
                splits.append(offset + cut)
            continue
        if len(token) >= 4 and (cuts := _token_splits(token)) and not _in_address(text, offset, match.end()):
            splits.extend(offset + cut for cut in cuts)
    return tuple(splits)
