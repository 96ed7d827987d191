"""Each extraction stage on its own, on sentences the team wrote."""

from __future__ import annotations

from collections import Counter

import pytest
from extract_corpus import pair_segments

from termbase.extract import align, candidates, english, glosses, grouping, termhood
from termbase.extract.corpus import Corpus
from termbase.extract.grouping import headword
from termbase.extract.lexicon import Lexicon, stem
from termbase.extract.observe import Observation, Seen, display_form
from termbase.extract.pipeline import Extractor
from termbase.text.segment import default_segmenter


@pytest.fixture(scope="module")
def lexicon(extractor: Extractor) -> Lexicon:
    return extractor.lexicon


def _candidates(text: str, lexicon: Lexicon) -> dict[str, candidates.Candidate]:
    segmenter = default_segmenter()
    tokens = segmenter.tag(text)
    found = candidates.candidates_in(
        tokens, text, segmenter.tokenizer.FREQ, lexicon.has_nominal_sense, lexicon.is_headword
    )
    return {c.text: c for c in found}


def _render(zh: str, en: str, term: str, lexicon: Lexicon) -> str | None:
    tokens = english.tokenize(en)
    links = align.link(zh, default_segmenter().tag(zh), tokens, lexicon, {})
    start = zh.index(term)
    rendering = align.project(links, tokens, start, start + len(term))
    if rendering is None:
        return None
    return en[tokens[rendering.first].start : tokens[rendering.end - 1].end]


# -- stage 1: candidates -------------------------------------------------------------------------


def test_title_marks_enclose_a_candidate_whatever_its_inside(lexicon: Lexicon) -> None:
    found = _candidates("政府发布了《关于加快发展电子商务的意见》。", lexicon)
    assert found["关于加快发展电子商务的意见"].shape == "title"
    assert "电子商务" in found


def test_spans_neither_open_nor_close_with_function_words(lexicon: Lexicon) -> None:
    found = _candidates("我们的隐私保护和他们的财产安全都很重要。", lexicon)
    assert "隐私保护" in found
    for text in found:
        assert not text.startswith(("我们", "的", "和")), text
        assert not text.endswith(("的", "和", "都")), text


def test_two_words_joined_are_not_a_candidate_but_a_shared_modifier_makes_one(lexicon: Lexicon) -> None:
    assert "安全和发展" not in _candidates("我们重视安全和发展。", lexicon)
    assert "数字产品和服务" in _candidates("平台出售数字产品和服务。", lexicon)


def test_a_verb_inside_ends_a_span_unless_it_can_name_something(lexicon: Lexicon) -> None:
    found = _candidates("企业收集用户数据，政府完善治理体系。", lexicon)
    assert "用户数据" in found
    assert "企业收集用户数据" not in found  # 收集 "to gather" only ever glosses a verb
    assert "治理体系" in found  # 治理 is tagged a verb but also glosses "governance"


def test_a_coordination_takes_its_conjuncts_whole(lexicon: Lexicon) -> None:
    found = _candidates("推动绿色能源和实体经济。", lexicon)
    assert "绿色能源和实体经济" in found
    assert "绿色能源和实体" not in found
    assert "能源和实体经济" not in found


def test_latin_letters_alone_are_no_chinese_term(lexicon: Lexicon) -> None:
    found = _candidates("文件编号为WTO，涉及数据治理。", lexicon)
    assert "数据治理" in found
    assert "WTO" not in found
    assert "wto" not in found


def test_an_adverb_tag_between_a_verb_and_its_object_is_read_as_an_attribute(lexicon: Lexicon) -> None:
    # jieba tags 真正 as an adverb; after 坚持 and before a noun it modifies the noun.
    assert "真正民主" in _candidates("各国应坚持真正民主。", lexicon)
    tokens = candidates._retagged(default_segmenter().tag("他们推动真正开放。"), lexicon.is_headword)
    assert [t.flag for t in tokens if t.word == "真正"] == ["d"]  # before a verb: an adverb


def test_an_adverb_that_modifies_nothing_is_read_as_a_noun(lexicon: Lexicon) -> None:
    # jieba tags 进步 as an adverb; at the end of the clause it can modify nothing.
    assert "社会进步" in _candidates("我们共同推动社会进步。", lexicon)
    assert "社会进步" not in _candidates("社会进步很快。", lexicon)  # 很快: 进步 is not before it


def test_a_slogan_of_two_paired_words_is_a_candidate_a_modifier_and_noun_is_left_to_the_compound_rules(
    lexicon: Lexicon,
) -> None:
    assert _candidates("实现互惠共赢。", lexicon)["互惠共赢"].shape == "fixed"
    assert "共同课题" not in _candidates("这是各国的共同课题。", lexicon)
    # 作用 is a generic head even where jieba tags it as a verb: 调解 + 作用 is no slogan.
    assert "调解作用" not in _candidates("各国应发挥调解作用。", lexicon)
    assert "表示由衷" not in _candidates("我们对主办方表示由衷的感谢。", lexicon)  # an adverb ends none
    # A kind of support is a service the compound names (财政支撑 financial support).
    assert "财政支撑" in _candidates("这个项目需要财政支撑。", lexicon)


def test_a_preposition_jieba_glues_to_the_word_before_ends_a_span(lexicon: Lexicon) -> None:
    # jieba's dictionary has 侧重于 as a noun; it is 侧重 "to focus on" and 于 "on".
    found = _candidates("该计划侧重于数据治理。", lexicon)
    assert "数据治理" in found
    assert not any("侧重于" in text for text in found)


def test_a_quantifying_determiner_opens_no_span(lexicon: Lexicon) -> None:
    found = _candidates("任何数据主权争议都应通过对话解决。", lexicon)
    assert "数据主权争议" in found
    assert not any(text.startswith("任何") for text in found)


def test_no_span_starts_inside_a_word_or_holds_a_route(lexicon: Lexicon) -> None:
    found = _candidates("代表团从上海到北京参加了新时代论坛。", lexicon)
    assert "新时代论坛" in found
    assert "时代论坛" not in found  # cut from 新时代论坛
    assert "上海到北京" not in found


def test_no_span_takes_a_character_jieba_cut_off_a_neighbouring_word(lexicon: Lexicon) -> None:
    # jieba cuts 他/国/安全, 负责/任的/伙伴 and 贸易/中共/赢 (他国, 负责任, 共赢 are the words).
    assert not any(text.startswith("国") for text in _candidates("各方不应损害他国安全利益。", lexicon))
    assert "任的伙伴" not in _candidates("他们希望做一个负责任的伙伴。", lexicon)
    assert not any("中共" in text for text in _candidates("两国在贸易中共赢。", lexicon))
    # A localizer is a word of its own, though 台 + 上 makes 台上.
    assert "网络平台" in _candidates("数据在网络平台上传播。", lexicon)
    # A word the character before would also make one with is left alone (用 + 人 = 用人).
    assert "人造卫星" in _candidates("他们用人造卫星监测海洋。", lexicon)


def test_a_month_or_a_day_opens_no_numbered_name(lexicon: Lexicon) -> None:
    found = _candidates("2026年3月李明出席了会议。", lexicon)
    assert not any(text.startswith("3") for text in found)
    assert "第三届论坛" in _candidates("他们举办了第三届论坛。", lexicon)


def test_a_dictionary_word_jieba_splits_is_a_candidate(lexicon: Lexicon) -> None:
    assert "云计算" in _candidates("云计算正在改变世界经济。", lexicon)


# -- stage 2: alignment --------------------------------------------------------------------------


def test_each_word_of_a_gloss_is_taken_into_the_rendering(lexicon: Lexicon) -> None:
    zh, en = "企业正在采用云计算。", "Companies are adopting cloud computing."
    assert _render(zh, en, "云计算", lexicon) == "cloud computing"


def test_an_english_word_claimed_twice_goes_to_the_unit_with_no_other_match(lexicon: Lexicon) -> None:
    zh, en = "各国应当共同维护粮食安全。", "All countries should jointly safeguard food security."
    assert _render(zh, en, "粮食安全", lexicon) == "food security"


def test_of_equal_windows_the_one_in_the_same_place_wins(lexicon: Lexicon) -> None:
    zh = "我们加强数据中心建设，打破各部门之间的数据孤岛。"
    en = "We build data centres and break down the data silos between departments."
    assert _render(zh, en, "数据孤岛", lexicon) == "data silos"


def test_names_align_by_pinyin_and_numbers_by_value(lexicon: Lexicon) -> None:
    zh, en = "第三届论坛在杭州举行。", "The third forum was held in Hangzhou."
    assert _render(zh, en, "杭州", lexicon) == "Hangzhou"
    assert _render(zh, en, "第三届论坛", lexicon) == "third forum"


def test_a_window_holding_words_of_chinese_outside_the_span_is_refused(lexicon: Lexicon) -> None:
    zh, en = "保护隐私的法律很多。", "There are many laws protecting privacy."
    assert _render(zh, en, "法律", lexicon) == "laws"
    # "protecting" renders 保护, outside the span: no window may hold it, and "laws" alone
    # leaves 隐私 to a word beyond it, so the span has no rendering of its own.
    assert _render(zh, en, "隐私的法律", lexicon) is None
    assert _render(zh, en, "隐私", lexicon) == "privacy"


def test_a_span_whose_english_interleaves_with_a_neighbour_has_no_rendering(lexicon: Lexicon) -> None:
    zh = "他们通过了海洋资源区域保护公约。"
    en = "They adopted the Regional Convention for Protection of Marine Resources."
    assert _render(zh, en, "海洋资源", lexicon) == "Marine Resources"
    # 区域 is "Regional", one word of 公约 away: the span's English wraps around "Convention".
    assert _render(zh, en, "海洋资源区域保护", lexicon) is None


def _coverage(zh: str, en: str, term: str, lexicon: Lexicon) -> float:
    tokens = english.tokenize(en)
    links = align.link(zh, default_segmenter().tag(zh), tokens, lexicon, {})
    start = zh.index(term)
    rendering = align.project(links, tokens, start, start + len(term))
    return rendering.zh_coverage if rendering else 0.0


def test_a_morpheme_the_dictionary_renders_by_an_affix_explains_the_affix(lexicon: Lexicon) -> None:
    # Neither word is a dictionary headword: its parts and their affixes explain it.
    zh, en = "那个国家转向孤立主义。", "That country turned to isolationism."
    assert _render(zh, en, "孤立主义", lexicon) == "isolationism"
    assert _coverage(zh, en, "孤立主义", lexicon) == 1.0
    zh, en = "夜间道路的可见性很差。", "The visibility of roads at night is poor."
    assert _render(zh, en, "可见性", lexicon) == "visibility"
    assert _coverage(zh, en, "可见性", lexicon) == 1.0  # 可见 visible, 性 -ity


def test_an_affix_alone_renders_nothing(lexicon: Lexicon) -> None:
    zh, en = "那个国家转向孤立主义。", "That country turned to isolationism."
    assert _render(zh, en, "主义", lexicon) is None
    assert _render(zh, en, "孤立", lexicon) is None  # its word's affix renders 主义, beside it


def test_a_noun_gloss_finds_the_adjective_of_its_root(lexicon: Lexicon) -> None:
    # 系统 is glossed "system"; the English says "systematic".
    zh, en = "两国推进系统改革。", "The two countries pursue systematic reform."
    assert _render(zh, en, "系统改革", lexicon) == "systematic reform"
    assert _coverage(zh, en, "系统改革", lexicon) == 1.0


def test_a_chinese_head_rendering_an_english_modifier_is_marked(lexicon: Lexicon) -> None:
    # 市场开放 is "markets open up": its last word renders the English modifier.
    assert _rendering("他们希望市场开放。", "They want open markets.", "市场开放", lexicon).head_first
    assert not _rendering("他们希望开放市场。", "They want open markets.", "开放市场", lexicon).head_first
    assert not _rendering("市场准入很重要。", "Access to markets matters.", "市场准入", lexicon).head_first


def _rendering(zh: str, en: str, term: str, lexicon: Lexicon) -> align.Rendering:
    tokens = english.tokenize(en)
    links = align.link(zh, default_segmenter().tag(zh), tokens, lexicon, {})
    rendering = align.project(links, tokens, zh.index(term), zh.index(term) + len(term))
    assert rendering is not None
    return rendering


def test_a_chinese_head_left_unexplained_needs_the_english_head_free(lexicon: Lexicon) -> None:
    # 道路 has no English: "governance" renders 治理, "led" is a free word but no head.
    zh, en = "各国走出了数据治理道路。", "Countries found their own data-led governance."
    assert _rendering(zh, en, "数据治理道路", lexicon).headless
    # 鸿沟 is "chasm" in the dictionary: the free English head "divide" renders it.
    zh, en = "各国应缩小数据鸿沟。", "Countries should narrow the data divide."
    assert not _rendering(zh, en, "数据鸿沟", lexicon).headless


def test_an_adjective_stands_for_a_gloss_that_adds_a_noun_of_state(lexicon: Lexicon) -> None:
    # 原状 is "original state"; English says "original" alone, as a noun.
    zh, en = "他们把广场恢复原状。", "They restored the square to the original."
    assert _coverage(zh, en, "原状", lexicon) == 1.0
    # 友邦 is "friendly state", but 邦 is a country, not a state one is in.
    assert _coverage("他们是友邦。", "They are friendly.", "友邦", lexicon) < 1.0


def test_a_free_word_before_the_window_is_left_to_an_unexplained_word_before_the_span(
    lexicon: Lexicon,
) -> None:
    zh = "他们迎来高水平数据治理和隐私保护。"
    en = "They welcome first-class data governance and privacy protection."
    # 和 is unexplained, but "first-class" renders 高水平, the unexplained word before the span.
    assert _render(zh, en, "数据治理和隐私保护", lexicon) == "data governance and privacy protection"
    assert _render(zh, en, "高水平数据治理和隐私保护", lexicon) == (
        "first-class data governance and privacy protection"
    )


def test_a_conjunction_is_explained_by_and_or_as_well_as(lexicon: Lexicon) -> None:
    zh, en = "他们重视能源安全和环境保护。", "They value energy security and environmental protection."
    assert _coverage(zh, en, "能源安全和环境保护", lexicon) == 1.0
    en = "They value energy security as well as environmental protection."
    assert _coverage(zh, en, "能源安全和环境保护", lexicon) == 1.0
    assert (
        _render(zh, en, "能源安全和环境保护", lexicon)
        == "energy security as well as environmental protection"
    )


def test_a_root_that_is_an_english_prefix_finds_no_derived_words() -> None:
    index = align._EnIndex(english.tokenize("the Internet and the international trade"))
    assert index.matching(stem("international")) == [4]  # not "Internet"
    index = align._EnIndex(english.tokenize("a systematic reform"))
    assert index.matching(stem("system")) == [1]


def test_a_day_or_a_month_is_no_tail_of_a_term() -> None:
    tokens = english.tokenize("the data governance on Monday")
    # 数据治理会议 with 会议 unexplained: the window may grow by one word, but not into a date.
    assert align._extend(tokens, 1, 3, {1, 2}, 2, True) == (1, 3)
    tokens = english.tokenize("the data governance of cities")
    assert align._extend(tokens, 1, 3, {1, 2}, 2, True) == (1, 5)


def _proposed(
    extractor: Extractor, pairs: list[tuple[str, str]], document: str, first_key: int
) -> dict[str, list[str]]:
    """What extraction proposes from segment pairs the team wrote: Chinese -> its English terms."""
    return {c.zh: c.en for c in extractor.run(pair_segments(pairs, document, first_key)).concepts}


# -- stage 4: termhood ---------------------------------------------------------------------------


def _observation(zh: str, form: str, shape: str = "compound", **seen: int) -> tuple[Observation, Seen]:
    record = Seen(count=1, zh_coverage=1.0, en_coverage=1.0, aligned=1, forms=Counter({form: 1}))
    for name, value in seen.items():
        setattr(record, name, value)
    observation = Observation(zh, shape, occurrences=1)
    observation.renderings[english.text_key(form)] = record
    return observation, record


def _judge(observation: Observation, seen: Seen, lexicon: Lexicon) -> termhood.Judgement:
    return termhood.judge(observation, "", seen, lexicon, default_segmenter().tokenizer.FREQ)


def test_a_compound_whose_head_modifies_in_english_is_a_clause_a_slogan_is_not(lexicon: Lexicon) -> None:
    observation, seen = _observation("市场开放", "open market", head_first=1)
    assert _judge(observation, seen, lexicon).reasons == ("the Chinese head modifies in English",)
    observation, seen = _observation("互利共赢", "win-win benefit", shape="fixed", head_first=1)
    assert _judge(observation, seen, lexicon).term


def test_an_adjective_rendering_a_noun_of_state_ends_a_term(lexicon: Lexicon) -> None:
    observation, seen = _observation("建筑原状", "building original")
    assert _judge(observation, seen, lexicon).term
    observation, seen = _observation("建筑原貌", "building original")
    assert _judge(observation, seen, lexicon).reasons == ("English does not end in a noun",)


def test_a_word_tagged_as_a_name_half_explained_by_its_characters_is_a_name(lexicon: Lexicon) -> None:
    for tag, term in (("nr", False), ("n", True)):
        observation, seen = _observation("沃森", "fertile land", zh_coverage=0.5, gaps=1, free=1)
        observation.tags = (tag,)
        seen.kinds = {"dictionary"}
        assert _judge(observation, seen, lexicon).term is term, tag


def test_a_verb_and_its_object_whose_verb_has_no_english_is_not_a_term(lexicon: Lexicon) -> None:
    zh, en = "各国开展数据治理。", "Countries carry out data governance."
    assert _rendering(zh, en, "开展数据治理", lexicon).opening_unexplained
    assert not _rendering(zh, en, "数据治理", lexicon).opening_unexplained
    observation, seen = _observation("开展数据治理", "data governance", opening_unexplained=1)
    observation.verbal = True
    assert _judge(observation, seen, lexicon).reasons == ("the opening verb has no English",)
    observation, seen = _observation("治理结构", "governing structure")
    observation.verbal = True
    assert _judge(observation, seen, lexicon).term


def test_a_fully_explained_noun_phrase_is_a_term(lexicon: Lexicon) -> None:
    observation, seen = _observation("数据治理", "data governance")
    judgement = _judge(observation, seen, lexicon)
    assert judgement.term
    assert 0.7 <= judgement.confidence < 0.8  # seen once: to review, not in the sure band


def test_words_that_only_look_like_adverbs_or_adjectives_do_not_stop_a_term(lexicon: Lexicon) -> None:
    assert _judge(*_observation("供应链管理", "supply chain management"), lexicon).term
    assert _judge(*_observation("技术进步", "technological advancement"), lexicon).term
    assert _judge(*_observation("家庭政策", "family policy"), lexicon).term


def test_recurrence_and_names_raise_confidence(lexicon: Lexicon) -> None:
    once = _judge(*_observation("数据治理", "data governance"), lexicon).confidence
    twice = _judge(*_observation("数据治理", "data governance", count=2, aligned=2), lexicon).confidence
    named = _judge(
        *_observation("数据治理论坛", "Data Governance Forum", count=2, aligned=2), lexicon
    ).confidence
    assert once < twice < named


def test_a_coordination_of_nouns_with_one_word_rendered_freely_is_a_term(lexicon: Lexicon) -> None:
    observation, seen = _observation(
        "新一代能源安全和环境保护",
        "next-generation energy security and environmental protection",
        zh_coverage=0.75,
        gaps=1,
        free=1,
    )
    observation.tags = ("nz", "n", "an", "c", "n", "vn")
    assert _judge(observation, seen, lexicon).term


def test_a_long_compound_of_nouns_seen_once_is_a_term_a_long_description_is_not(lexicon: Lexicon) -> None:
    compound, seen = _observation("城市交通管理委员会", "urban traffic management committee", zh_coverage=0.9)
    compound.tags = ("n", "n", "vn", "n")
    assert _judge(compound, seen, lexicon).term
    description, seen = _observation("平台用户数量增长", "growth of platform users", zh_coverage=0.9)
    description.tags = ("n", "n", "d", "v")
    assert _judge(description, seen, lexicon).reasons == ("a long phrase seen once",)


def test_a_hyphenated_rendering_leaves_room_for_one_free_word(lexicon: Lexicon) -> None:
    observation, seen = _observation("能源转型", "energy-transition", zh_coverage=0.5, gaps=1, free=1)
    observation.tags = ("n", "vn")
    assert _judge(observation, seen, lexicon).term


def test_one_dictionary_word_half_explained_takes_one_english_word_in_place_of_the_rest(
    lexicon: Lexicon,
) -> None:
    # 自力更生 "self-reliance": a page writing "self-sufficiency" shares half the gloss.
    observation, seen = _observation("自力更生", "self-sufficiency", "fixed", zh_coverage=0.5, gaps=0, free=1)
    observation.tags = ("i",)
    assert _judge(observation, seen, lexicon).term
    seen.free = 0
    assert _judge(observation, seen, lexicon).reasons == ("weak alignment",)


def test_a_set_phrase_may_be_rendered_by_a_compound_adjective(lexicon: Lexicon) -> None:
    fixed, seen = _observation("自力更生", "self-reliant", "fixed")
    fixed.tags = ("i",)
    assert _judge(fixed, seen, lexicon).term
    compound, seen = _observation("期待已久", "long-awaited")
    compound.tags = ("v", "d")
    assert _judge(compound, seen, lexicon).reasons == ("English does not end in a noun",)


def test_an_article_in_a_half_explained_rendering_marks_running_text(lexicon: Lexicon) -> None:
    observation, seen = _observation("能源安全战略", "strategy for the energy", zh_coverage=0.75)
    assert _judge(observation, seen, lexicon).reasons == ("a phrase of running text",)
    name, seen = _observation("能源安全宣言", "Declaration on the Energy Union", zh_coverage=0.75)
    assert _judge(name, seen, lexicon).term
    whole, seen = _observation("海洋法", "law of the sea")
    assert _judge(whole, seen, lexicon).term


def test_a_chinese_word_left_unexplained_needs_an_english_word_left_to_render_it(lexicon: Lexicon) -> None:
    # 安全 of 能源安全法 is in neither "energy law" link nor any other English word.
    observation, seen = _observation("能源安全法", "energy law", zh_coverage=0.6, gaps=1, free=0)
    observation.tags = ("n", "n", "n")
    assert _judge(observation, seen, lexicon).reasons == ("weak alignment",)
    observation, seen = _observation("数据治理道路", "data-led governance", zh_coverage=0.6, gaps=1, free=1)
    observation.tags = ("n", "vn", "n")
    assert _judge(observation, seen, lexicon).term
    seen.headless = 1
    assert _judge(observation, seen, lexicon).reasons == ("weak alignment",)
    for en, free in (("They help build up eco-tourism.", 1), ("They help build up ecological tourism.", 0)):
        tokens = english.tokenize(en)
        zh = "他们帮助发展生态旅游。"
        links = align.link(zh, default_segmenter().tag(zh), tokens, lexicon, {})
        rendering = align.project(links, tokens, zh.index("生态旅游"), zh.index("生态旅游") + 4)
        assert rendering is not None
        assert rendering.free == free, en  # "eco" is no gloss of 生态


def test_a_clause_that_looks_like_a_noun_phrase_in_chinese_is_not_proposed(extractor: Extractor) -> None:
    segments = pair_segments([("网络谣言损害公众利益。", "Online rumours harm the public interest.")], "c", 1)
    proposed = {c.zh for c in extractor.run(segments).concepts}
    assert "网络谣言" in proposed
    assert "网络谣言损害公众利益" not in proposed


@pytest.mark.parametrize(
    ("zh", "form", "reason"),
    [
        ("推动数据治理", "promote data governance", "English opens with a verb"),
        ("谣言损害利益", "rumours harm the public interest", "English is a clause"),
        ("数据治理", "data governance", "part of a longer name"),
        ("数据治理", "data governance", "weak alignment"),
        ("坚定不移", "steadfastly", "English does not end in a noun"),
        ("日益突出", "increasingly prominent", "English opens with an evaluation"),
        ("发展中", "developing", "English is a verb"),
        ("重大意义", "great significance", "English opens with an evaluation"),
        ("市场创新", "markets and encourage innovation", "English holds a verb"),
        ("区域数字", "regional digital", "English does not end in a noun"),
    ],
)
def test_clauses_fragments_and_weak_pairs_are_not_terms(
    zh: str, form: str, reason: str, lexicon: Lexicon
) -> None:
    observation, seen = _observation(zh, form)
    if reason == "part of a longer name":
        seen.fragments = 1
    if reason == "weak alignment":
        seen.zh_coverage = 0.25
    judgement = _judge(observation, seen, lexicon)
    assert not judgement.term
    assert judgement.reasons == (reason,)


def test_the_opening_of_a_longer_english_name_is_a_fragment_its_whole_and_head_are_terms(
    extractor: Extractor,
) -> None:
    found = _proposed(
        extractor,
        [
            ("数字治理论坛在上海召开。", "The Digital Governance Forum opened in Shanghai."),
            ("论坛通过了数字贸易路线图。", "The forum adopted the Digital Trade Roadmap."),
        ],
        "names",
        800,
    )
    assert found["数字治理论坛"] == ["Digital Governance Forum"]
    assert "数字治理" not in found  # "Digital Governance [Forum]"
    assert found["路线图"] == ["Roadmap"]  # one word of its own, the head of the name


def test_what_follows_a_name_without_continuing_it_does_not_make_it_a_fragment(
    extractor: Extractor,
) -> None:
    found = _proposed(
        extractor,
        [
            # a person's name in apposition, which the Chinese leaves out
            ("外交部长在会上发言。", "Foreign Minister Wang Yi spoke at the meeting."),
            # a day opens a date, not the rest of the name
            (
                "数据治理部长级会议周四发表声明。",
                "The Ministerial Meeting on Data Governance on Thursday issued a statement.",
            ),
            # title marks bound the name on the left: "European Union" renders 欧盟
            (
                "各国承诺落实欧盟《数字合作宣言》。",
                "Countries pledged to implement the European Union Declaration on Digital Cooperation.",
            ),
        ],
        "apposition",
        950,
    )
    assert found["外交部长"] == ["Foreign Minister"]
    assert found["数据治理部长级会议"] == ["Ministerial Meeting on Data Governance"]
    assert found["数字合作宣言"] == ["Declaration on Digital Cooperation"]


def test_a_span_that_cuts_a_dictionary_word_does_not_take_its_english(lexicon: Lexicon) -> None:
    zh, en = "美国国务卿出席会议。", "The US Secretary of State attended the meeting."
    assert _render(zh, en, "美国国务卿", lexicon) == "US Secretary of State"
    assert _render(zh, en, "美国国务", lexicon) == "US"  # "Secretary" renders 国务卿


# -- stage 5: headwords, abbreviations, glosses --------------------------------------------------


def test_capitals_in_a_heading_do_not_make_a_name(extractor: Extractor) -> None:
    segments = pair_segments(
        [
            ("第三章 数据治理", "Chapter III. Data Governance"),
            ("数据治理论坛在上海召开。", "The Data Governance Forum opened in Shanghai."),
        ],
        "heading",
        900,
    )
    found = {c.zh: c for c in extractor.run(segments).concepts}
    assert found["数据治理论坛"].en == ["Data Governance Forum"]
    assert "a name" not in found["数据治理"].evidence["reasons"]
    assert found["数据治理"].en == ["data governance"]


def test_a_rendering_that_explains_under_half_is_not_taken_however_often_seen(
    extractor: Extractor, lexicon: Lexicon
) -> None:
    segments = pair_segments([("数据治理很重要。", "Data governance matters.")], "ranked", 1)
    corpus = Corpus(segments, extractor.segmenter)
    observation = Observation("数据治理", "compound", occurrences=3, tags=("n", "vn"))
    observation.renderings["development"] = Seen(
        count=2, zh_coverage=0.33, en_coverage=1.0, aligned=2, forms=Counter({"development": 2})
    )
    # Half explained, the other half rendered freely: weaker than full, but no noise.
    observation.renderings["datagovernance"] = Seen(
        count=1,
        zh_coverage=0.5,
        en_coverage=1.0,
        aligned=1,
        gaps=1,
        free=1,
        forms=Counter({"data governance": 1}),
    )
    proposed = grouping.propose(
        corpus, {"数据治理": observation}, lexicon, extractor.segmenter.tokenizer.FREQ
    )
    assert [(c.zh, c.en) for c in proposed] == [("数据治理", ["data governance"])]


def test_a_title_line_and_its_english_line_are_a_pair_as_wholes(extractor: Extractor) -> None:
    found = _proposed(
        extractor,
        [
            ("三、城乡数据普惠行动", "III. Rural and Urban Data Action for All"),
            ("王小明", "Wang Xiaoming"),  # a byline: a person, not a term
        ],
        "title-line",
        960,
    )
    assert found["城乡数据普惠行动"] == ["rural and urban data action for all"]
    assert "王小明" not in found


def test_a_title_marked_in_both_languages_is_a_name_written_as_it_stands(extractor: Extractor) -> None:
    found = _proposed(
        extractor,
        [("全文:《新时期的中国数据治理》", "Full Text: China’s Data Governance in a New Period")],
        "title-both",
        961,
    )
    assert found["新时期的中国数据治理"] == ["China’s Data Governance in a New Period"]


def test_a_possessive_is_for_names_written_as_titles(lexicon: Lexicon) -> None:
    observation, seen = _observation("中国数据市场", "China’s data market")
    assert _judge(observation, seen, lexicon).reasons == ("English is a clause",)
    observation, seen = _observation("中国数据市场", "China’s Data Market", shape="title", quoted=1)
    assert _judge(observation, seen, lexicon).term


def test_a_possessive_stays_inside_its_phrase() -> None:
    original = "They studied Japan’s data protection rules."
    tokens = english.tokenize(original)
    assert len({t.chunk for t in tokens}) == 1
    window = tokens[2:7]
    assert display_form(original, window) == "Japan’s data protection rules"


def test_a_plural_the_dictionary_writes_stays_plural(extractor: Extractor) -> None:
    found = _proposed(
        extractor,
        [
            ("两国讨论了人权。", "The two countries discussed human rights."),
            ("两国讨论了贸易规则。", "The two countries discussed trade rules."),
        ],
        "plural-only",
        970,
    )
    assert found["人权"] == ["human rights"]  # CC-CEDICT: "human rights"
    assert found["贸易规则"] == ["trade rule"]


def test_a_word_whose_singular_is_not_in_use_keeps_its_form() -> None:
    assert headword(Counter({"corporate ethos": 1})) == "corporate ethos"
    assert headword(Counter({"trade statistics": 1})) == "trade statistics"
    assert headword(Counter({"trade rules": 1})) == "trade rule"


def test_headwords_are_singular_unless_names_or_coordinations() -> None:
    assert headword(Counter({"online rumours": 2})) == "online rumour"
    assert headword(Counter({"Digital Trade Rules": 1})) == "Digital Trade Rules"
    assert headword(Counter({"rules and standards": 1})) == "rules and standards"


def test_abbreviations_are_read_in_both_orders() -> None:
    found = glosses.abbreviations(
        [
            "The Internet Corporation for Assigned Names and Numbers (ICANN) met in May.",
            "Delegates of the WTO (World Trade Organization) agreed.",
            "This Is Not Related (XYZ) at all.",
        ]
    )
    assert found[english.text_key("Internet Corporation for Assigned Names and Numbers")] == "ICANN"
    assert found[english.text_key("World Trade Organization")] == "WTO"
    assert len(found) == 2


def test_a_chinese_gloss_in_brackets_pairs_the_chinese_before_it() -> None:
    pairs = list(glosses.chinese_glosses(["各方讨论了数字鸿沟（digital divide）问题。"]))
    assert pairs == [("各方讨论了数字鸿沟", "digital divide")]


def test_an_english_term_glossed_in_chinese_is_read_back_to_the_last_function_word() -> None:
    pairs = list(
        glosses.english_glosses(
            [
                "The report on algorithmic transparency (算法透明度) was published.",
                "It cites the Right to Be Forgotten (被遗忘权), among others.",
            ]
        )
    )
    assert pairs == [("算法透明度", "algorithmic transparency"), ("被遗忘权", "Right to Be Forgotten")]


def test_an_abbreviation_defined_in_the_english_joins_its_concept(extractor: Extractor) -> None:
    segments = pair_segments(
        [
            ("世界贸易组织发布了报告。", "The World Trade Organization (WTO) published a report."),
            ("世界贸易组织欢迎各方参与。", "The WTO welcomes all parties."),
        ],
        "trade",
        500,
    )
    found = {c.zh: c for c in extractor.run(segments).concepts}
    assert found["世界贸易组织"].en == ["World Trade Organization", "WTO"]


def test_a_glossed_term_is_proposed_even_when_the_english_side_says_it_otherwise(
    extractor: Extractor,
) -> None:
    segments = pair_segments(
        [
            (
                "专家讨论了算法透明度（algorithmic transparency）。",
                "Experts discussed how open algorithms should be.",
            )
        ],
        "gloss",
        600,
    )
    found = {c.zh: c for c in extractor.run(segments).concepts}
    assert found["算法透明度"].en == ["algorithmic transparency"]
    assert found["算法透明度"].evidence["method"] == "glossed in the text"


# -- stage 6: citations and counts ---------------------------------------------------------------


def test_a_term_is_cited_only_where_it_occurs_as_a_word(extractor: Extractor) -> None:
    corpus = Corpus(
        pair_segments([("他们发展中国家的经济。", "They develop the economy of the country.")], "d", 1),
        default_segmenter(),
    )
    text = corpus.zh_match[0]
    assert not corpus.is_word(0, text.index("中国"), text.index("中国") + 2)  # 发展中国家 = 发展中国家
    assert corpus.is_word(0, text.index("经济"), text.index("经济") + 2)


def test_counts_never_say_found_together_more_often_than_found(extractor: Extractor) -> None:
    segments = pair_segments(
        [
            ("数据治理需要规则。", "Data governance needs rules."),
            ("数据治理很重要。", "Data governance matters."),
            ("各方讨论数据治理。", "The parties discussed it."),
        ],
        "counts",
        700,
    )
    concept = {c.zh: c for c in extractor.run(segments).concepts}["数据治理"]
    for counts in concept.evidence["by_document"].values():
        assert counts["cooccurrence"] <= min(counts["zh_count"], counts["en_count"])
    assert concept.evidence["by_document"]["counts"] == {"zh_count": 3, "en_count": 2, "cooccurrence": 2}
