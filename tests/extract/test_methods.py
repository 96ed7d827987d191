"""The evidence that finds one-off terms: derivational suffixes, elided generic heads, coined
[1+2] compounds, quotation marks on both sides, and word boundaries for nested candidates.

Every sentence is invented for these tests; none is taken from the seed documents.
"""

from __future__ import annotations

from extract_corpus import pair_segments

from termbase.extract import english, quotes
from termbase.extract.lexicon import Lexicon
from termbase.extract.pairing import EnSides, Explainer, StringTable, _modifier_cut
from termbase.extract.pipeline import METHOD_QUOTED, Extractor, _word_boundaries


def _lexicon(*cedict: str) -> Lexicon:
    lexicon = Lexicon()
    lexicon.add_cedict(cedict)
    return lexicon


def _coverage(zh: str, en: str, lexicon: Lexicon) -> tuple[float, float]:
    explainer = Explainer(zh, lexicon)
    parts = [p for t in english.tokenize(en) if not t.stop for p in explainer.token_parts(t)]
    assessment = explainer.assess(parts)
    return assessment.cov_zh, assessment.cov_en


def test_an_english_word_in_less_is_explained_by_its_base_word() -> None:
    lexicon = _lexicon("法 法 [fa3] /law/method/")
    explainer = Explainer("法", lexicon)
    assert explainer.part_hits("lawless")
    assert not explainer.part_hits("less")
    assert not explainer.part_hits("lawyer")


def test_a_generic_head_the_suffix_character_glosses_may_be_left_out() -> None:
    lexicon = _lexicon(
        "新 新 [xin1] /new/",
        "常態 常态 [chang2 tai4] /normal state/",
        "態 态 [tai4] /state/form/",
    )
    assert _coverage("新常态", "new normal", lexicon) == (1.0, 1.0)
    assert _coverage("新常态", "new normal state", lexicon) == (1.0, 1.0)
    # The generic word alone never stands for the gloss (it explains only 态), and the elision
    # needs the suffix character's own gloss.
    assert _coverage("常态", "state", lexicon)[0] == 0.5
    assert _coverage("常态", "normal", _lexicon("常態 常态 [chang2 tai4] /normal state/")) == (0.0, 0.0)


def test_a_head_that_is_not_generic_is_never_left_out() -> None:
    lexicon = _lexicon("亮點 亮点 [liang4 dian3] /bright spot/", "點 点 [dian3] /spot/point/")
    assert _coverage("亮点", "bright", lexicon) == (0.0, 0.0)


def test_a_coined_one_plus_two_compound_seen_once_is_proposed(extractor: Extractor) -> None:
    segments = pair_segments(
        [
            ("数字技术催生了新业态。", "Digital technology has given rise to new formats."),
            ("各国面临新挑战。", "All countries face new challenges."),
        ],
        "speech",
        1,
    )
    found = {c.zh: c for c in extractor.run(segments).concepts}
    assert found["新业态"].en == ["new formats"]
    assert found["新业态"].confidence < 0.8  # seen once, outside the domain: for review
    # 挑战 is everyday vocabulary: 新挑战 "new challenges" is a description, not a term.
    assert "新挑战" not in found


def test_quotes_pair_in_order_and_sayings_hold_their_place() -> None:
    never = lambda _: False  # noqa: E731
    zh = "他们讲“蓝天行动”,我们讲“数字丝路”,正如“行百里者半九十,”所说。"
    zh_quotes = quotes.zh_quotes(zh, never)
    assert [zh[s:e] for s, e in zh_quotes if s >= 0] == ["蓝天行动", "数字丝路"]
    assert zh_quotes[-1] == (-1, -1)  # a saying with punctuation
    en = 'They say “Operation Clear Sky”, we say "Digital Silk Road", as “half way is only the beginning of the journey”.'
    tokens = english.tokenize(en)
    en_quotes = quotes.en_quotes(en, tokens)
    assert en_quotes[-1] == (-1, -1)  # too long to be a term
    pairs = quotes.quote_pairs(zh_quotes, en_quotes)
    assert [(zh[z[0] : z[1]], " ".join(t.text for t in tokens[e[0] : e[1]])) for z, e in pairs] == [
        ("蓝天行动", "operation clear sky"),
        ("数字丝路", "digital silk road"),
    ]
    assert quotes.quote_pairs(zh_quotes, en_quotes[:2]) == []  # counts differ: no evidence
    assert quotes.zh_quotes("“胸有成竹”", lambda w: w == "胸有成竹") == [(-1, -1)]  # an idiom


def test_a_phrase_quoted_on_both_sides_is_proposed_with_its_written_capitals(extractor: Extractor) -> None:
    segments = pair_segments(
        [("我们把这次合作称为“蓝天行动”。", "We call this cooperation “Operation Clear Sky”.")], "speech", 1
    )
    (concept,) = extractor.run(segments).concepts
    assert (concept.zh, concept.en) == ("蓝天行动", ["Operation Clear Sky"])
    assert concept.evidence["method"] == METHOD_QUOTED
    assert concept.evidence["quoted_together"] == 1
    assert concept.confidence < 0.8
    spans = [t.spans for t in concept.terms if t.language == "en"][0]
    assert [(s.segment, s.start, s.end) for s in spans] == [(1, 26, 45)]


def test_quotes_make_a_dictionary_pair_seen_once_a_term(extractor: Extractor) -> None:
    plain = pair_segments([("他说这是蓝色经济。", "He said it was a blue economy.")], "a", 1)
    assert extractor.run(plain).concepts == []  # seen once, outside the domain: no term
    quoted = pair_segments([("他说这是“蓝色经济”。", "He said it was a “blue economy”.")], "b", 1)
    (concept,) = extractor.run(quoted).concepts
    assert (concept.zh, concept.en) == ("蓝色经济", ["blue economy"])
    assert concept.evidence["quoted_together"] == 1


def test_word_boundaries_ignore_a_dictionary_word_straddling_two_others() -> None:
    lexicon = Lexicon()
    lexicon.add_table(
        ["多利\tdolly", "利益\tinterest", "相关\trelevant", "大数据\tbig data", "战略\tstrategy"]
    )
    assert 1 in _word_boundaries("多利益相关方", lexicon)  # 多/利益/相关/方: 利益相关方 is the head
    assert 1 not in _word_boundaries("大数据战略", lexicon)  # 数据战略 cuts 大数据


def test_a_span_ending_in_an_adjective_before_its_noun_is_cut_short() -> None:
    tokens = english.tokenize("It is by no means a lawless frontier.")
    lawless = next(k for k, t in enumerate(tokens) if t.text == "lawless")
    sides = EnSides(StringTable())
    sides.append(tokens)
    side = sides[0]
    assert _modifier_cut(side, lawless + 1)
    assert not _modifier_cut(side, lawless + 2)


def test_quotes_crossed_in_order_give_no_evidence(extractor: Extractor) -> None:
    assert quotes.consistent([("蓝天", "blue sky"), ("白云", "white cloud"), ("蓝天", "blue sky")])
    assert not quotes.consistent([("蓝天", "blue sky"), ("白云", "white cloud"), ("蓝天", "white cloud")])
    segments = pair_segments(
        [
            (
                "甲方讲“蓝天行动”,乙方讲“白云计划”,没有“白云计划”哪来“蓝天行动”?",
                "One side says “Operation Clear Sky”, the other “White Cloud Plan”; "
                "without “Operation Clear Sky”, where would “White Cloud Plan” come from?",
            )
        ],
        "speech",
        1,
    )
    assert {c.evidence["method"] for c in extractor.run(segments).concepts} <= {"dictionary"}


def test_sides_read_their_own_part_of_the_run_wide_arrays_widened_as_values_grow() -> None:
    table = StringTable()
    for number in range(300):  # word numbers above 255 widen the one-byte column
        table.number(f"word{number}")
    short = english.tokenize("Cyber sovereignty.")
    long = english.tokenize(" ".join(["data"] * 60) + ", and the digital economy")  # offsets above 255
    sides = EnSides(table)
    sides.append(short, [(0, 2, "cybersovereignty")])
    sides.append(None)
    sides.append(long, [(62, 64, "digitaleconomy")])
    assert [index in sides for index in range(4)] == [True, False, True, False]
    assert sides.get(1) is None
    assert [index for index, _ in sides.items()] == [0, 2]
    first, last = sides[0], sides[2]
    assert first.words == ("cyber", "sovereignty")
    assert [(first.start(k), first.end(k)) for k in range(2)] == [(0, 5), (6, 17)]
    assert list(first.spans) == [(0, 2, "cybersovereignty")]
    assert last.words == tuple(t.text for t in long)
    assert [last.end(k) for k in range(len(long))] == [t.end for t in long]
    assert last.chunks == [t.chunk for t in long]
    assert list(last.spans) == [(62, 64, "digitaleconomy")]
    assert last.key(62, 64) == "digitaleconomy"
    assert table.strings[last.word_numbers[0]] == "data"
