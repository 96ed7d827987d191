"""The concept service the UI and API edit through: versions, terms, merge, split, history, revert."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from termbase.models import Concept, Document, Segment
from termbase.services import concepts as svc
from termbase.services import search as search_service
from termbase.services.concepts import TermInput
from termbase.services.errors import Conflict, Invalid


def _pair(session: Session, zh: str, en: str, **fields: object) -> Concept:
    concept = svc.create_concept(
        session,
        [TermInput(language="zh-Hans", text=zh, usage_status="preferred"), TermInput(language="en", text=en)],
        actor="test",
        **fields,
    )
    session.commit()
    return concept


def test_create_derives_keys_and_pinyin(session: Session) -> None:
    concept = _pair(session, "網絡主權", "Cyber-Sovereignty")
    zh, en = concept.terms
    assert (zh.normalized, zh.search_key, zh.pinyin_key, zh.pinyin_initials) == (
        "网络主权",
        "网络主权",
        "wangluozhuquan",
        "wlzq",
    )
    assert zh.pinyin == "wǎngluò zhǔquán"
    assert (en.search_key, en.pinyin) == ("cybersovereignty", None)
    assert concept.status == "candidate"
    assert [e.action for e in svc.history(session, concept.id)] == ["create"]


def test_create_refuses_bad_input(session: Session) -> None:
    with pytest.raises(Invalid):
        svc.create_concept(session, [], actor="test")
    with pytest.raises(Invalid):
        svc.create_concept(session, [TermInput(language="en", text="   ")], actor="test")
    with pytest.raises(Invalid):
        svc.create_concept(session, [TermInput(language="fr", text="souveraineté")], actor="test")
    with pytest.raises(Conflict):
        svc.create_concept(
            session,
            [TermInput(language="en", text="data"), TermInput(language="en", text="Data")],
            actor="test",
        )


def test_stale_versions_are_refused_with_the_current_state(session: Session) -> None:
    concept = _pair(session, "网络安全", "cybersecurity")
    seen = concept.version
    svc.set_status(session, concept.id, "approved", version=seen, actor="first")
    session.commit()
    with pytest.raises(Conflict) as caught:
        svc.set_status(session, concept.id, "rejected", version=seen, actor="second")
    assert caught.value.details["field"] == "version"
    assert caught.value.details["current_version"] == seen + 1
    assert caught.value.details["current"]["status"] == "approved"
    session.rollback()
    assert svc.get_concept(session, concept.id).status == "approved"
    svc.set_status(session, concept.id, "rejected", version=None, actor="bulk")  # no version: no check
    assert svc.history(session, concept.id)[0].action == "status:rejected"


def test_terms_add_edit_and_remove(session: Session) -> None:
    concept = _pair(session, "网络攻击", "cyber attack")
    term = svc.add_term(
        session, concept.id, TermInput(language="en", text="cyberattack"), version=concept.version, actor="t"
    )
    session.commit()
    assert term.search_key == "cyberattack"
    zh = next(t for t in concept.terms if t.language == "zh-Hans")
    svc.update_term(session, zh.id, version=concept.version, actor="t", pinyin="wǎng luò gōng jī")
    assert zh.pinyin == "wǎng luò gōng jī"
    svc.update_term(session, zh.id, version=concept.version, actor="t", pinyin=None)
    assert zh.pinyin == "wǎngluò gōngjī"  # derived again from the characters, word by word
    with pytest.raises(Conflict):
        svc.update_term(session, term.id, version=concept.version, actor="t", text="Cyber Attack")
    session.rollback()
    concept = svc.get_concept(session, concept.id)
    svc.remove_term(session, term.id, version=concept.version, actor="t")
    single = _pair(session, "主权", "sovereignty")
    svc.remove_term(session, single.terms[1].id, version=single.version, actor="t")
    with pytest.raises(Invalid):
        svc.remove_term(session, single.terms[0].id, version=single.version, actor="t")


def test_merge_moves_terms_citations_and_comments(session: Session) -> None:
    document = Document(slug="d", title="D", layout="pipe-pairs", content_hash="0" * 64)
    document.segments = [
        Segment(position=0, kind="pair", zh_text="尊重网络主权", en_text="respect cyber sovereignty")
    ]
    session.add(document)
    session.flush()
    segment_id = document.segments[0].id
    target = _pair(session, "网络主权", "cyber sovereignty")
    source = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="网络主权", citations=[(segment_id, 2, 6)]),
            TermInput(language="en", text="Internet sovereignty"),
        ],
        actor="test",
    )
    svc.add_comment(session, source.id, author="mei", body="Same concept as the other entry.")
    session.commit()
    source_id = source.id
    merged = svc.merge_concepts(
        session,
        target.id,
        source_id,
        actor="ed",
        target_version=target.version,
        source_version=source.version,
    )
    session.commit()
    assert {t.text for t in merged.terms} == {"网络主权", "cyber sovereignty", "Internet sovereignty"}
    zh = next(t for t in merged.terms if t.text == "网络主权")
    assert [(c.segment_id, c.start, c.end) for c in zh.citations] == [(segment_id, 2, 6)]
    assert [c.body for c in merged.comments] == ["Same concept as the other entry."]
    assert session.get(Concept, source_id) is None
    assert svc.history(session, source_id)[0].action == "merged-into"
    assert svc.history(session, target.id)[0].action == "merge"
    with pytest.raises(Invalid):
        svc.merge_concepts(session, target.id, target.id, actor="ed")


def test_split_moves_the_chosen_terms(session: Session) -> None:
    concept = _pair(session, "信息技术", "information technology")
    ict = svc.add_term(
        session, concept.id, TermInput(language="en", text="ICT"), version=concept.version, actor="t"
    )
    session.commit()
    new = svc.split_concept(session, concept.id, [ict.id], version=concept.version, actor="t")
    assert [t.text for t in new.terms] == ["ICT"]
    assert {t.text for t in svc.get_concept(session, concept.id).terms} == {
        "信息技术",
        "information technology",
    }
    with pytest.raises(Invalid):
        svc.split_concept(session, concept.id, [t.id for t in concept.terms], version=None, actor="t")
    with pytest.raises(Invalid):
        svc.split_concept(session, concept.id, [], version=None, actor="t")


def test_revert_restores_an_earlier_state_and_a_deleted_entry(session: Session) -> None:
    concept = _pair(session, "互联网治理", "Internet governance")
    concept_id = concept.id
    svc.update_concept(session, concept_id, version=concept.version, actor="t", note="first note")
    session.commit()
    edit = svc.history(session, concept_id)[0]
    svc.revert(session, edit.id, actor="t")
    session.commit()
    assert svc.get_concept(session, concept_id).note is None
    assert svc.history(session, concept_id)[0].action == "revert"
    svc.delete_concept(session, concept_id, version=None, actor="t")
    session.commit()
    deletion = svc.history(session, concept_id)[0]
    assert deletion.action == "delete"
    restored = svc.revert(session, deletion.id, actor="t")
    session.commit()
    assert restored.id == concept_id
    assert {t.text for t in restored.terms} == {"互联网治理", "Internet governance"}
    with pytest.raises(Invalid):
        svc.revert(session, svc.history(session, concept_id)[-1].id, actor="t")  # the creation


def test_comments_are_validated(session: Session) -> None:
    concept = _pair(session, "数字经济", "digital economy")
    with pytest.raises(Invalid):
        svc.add_comment(session, concept.id, author="mei", body="  ")
    with pytest.raises(Invalid):
        svc.add_comment(session, concept.id, author="mei", body="x" * 5001)
    comment = svc.add_comment(session, concept.id, author="mei", body=" Check the UN rendering. ")
    assert comment.body == "Check the UN rendering."


def _merged_pair(session: Session) -> tuple[int, int, int]:
    """Entry A (manual) and entry B (extracted, approved, cited, commented); B merged into A."""
    document = Document(slug="whales", title="Whales", layout="pipe-pairs", content_hash="1" * 64)
    document.segments = [
        Segment(position=0, kind="pair", zh_text="遵守鲸歌协议", en_text="observe the whale song accord")
    ]
    session.add(document)
    session.flush()
    segment_id = document.segments[0].id
    target = svc.create_concept(
        session,
        [TermInput(language="zh-Hans", text="鲸歌协议"), TermInput(language="en", text="whale song pact")],
        actor="test",
    )
    source = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="鲸歌协议", citations=[(segment_id, 2, 6)]),
            TermInput(language="en", text="whale song accord", citations=[(segment_id, 12, 29)]),
        ],
        actor="extraction",
        origin="extraction",
        status="approved",
        confidence=0.8,
        evidence={"method": "test"},
        note="from the whale corpus",
        definitions={"en": "An accord on whale songs."},
    )
    svc.add_comment(session, source.id, author="mei", body="Is this the same accord?")
    session.commit()
    target_id, source_id = target.id, source.id
    svc.merge_concepts(
        session,
        target_id,
        source_id,
        actor="ed",
        target_version=target.version,
        source_version=source.version,
    )
    session.commit()
    return target_id, source_id, segment_id


def _found(session: Session, query: str) -> set[int]:
    results = search_service.search(session, query, include_unapproved=True)
    return {hit.concept_id for hit in results.hits}


@pytest.mark.parametrize("side", ["target", "source"])
def test_undoing_a_merge_brings_both_entries_back(session: Session, side: str) -> None:
    target_id, source_id, segment_id = _merged_pair(session)
    target = svc.get_concept(session, target_id)
    if side == "target":
        entry = next(e for e in svc.history(session, target_id) if e.action == "merge")
        restored = svc.revert(session, entry.id, actor="ed", version=target.version)
        assert restored.id == target_id
    else:
        entry = next(e for e in svc.history(session, source_id) if e.action == "merged-into")
        restored = svc.revert(session, entry.id, actor="ed", expect_deleted=True)
        assert restored.id == source_id
    session.commit()
    session.expire_all()

    source = svc.get_concept(session, source_id)
    assert (source.origin, source.status, source.confidence) == ("extraction", "approved", 0.8)
    assert source.evidence == {"method": "test"}
    assert source.note == "from the whale corpus"
    assert {d.language: d.text for d in source.definitions} == {"en": "An accord on whale songs."}
    assert [c.body for c in source.comments] == ["Is this the same accord?"]
    assert {(t.language, t.text): [(c.segment_id, c.start) for c in t.citations] for t in source.terms} == {
        ("zh-Hans", "鲸歌协议"): [(segment_id, 2)],
        ("en", "whale song accord"): [(segment_id, 12)],
    }
    target = svc.get_concept(session, target_id)
    assert {(t.language, t.text): len(t.citations) for t in target.terms} == {
        ("zh-Hans", "鲸歌协议"): 0,
        ("en", "whale song pact"): 0,
    }
    assert target.note is None
    assert not target.definitions
    assert not target.comments
    assert _found(session, "whale song accord") == {source_id}
    assert _found(session, "鲸歌协议") == {target_id, source_id}
    assert [e.action for e in svc.history(session, source_id)][:2] == ["unmerge", "merged-into"]
    assert svc.history(session, target_id)[0].action == "unmerge"
    # Once undone, the merge cannot be undone a second time from either side.
    with pytest.raises((Invalid, Conflict)):
        svc.revert(session, entry.id, actor="ed", expect_deleted=side == "source")


def test_undoing_a_merge_keeps_later_changes_to_the_target(session: Session) -> None:
    target_id, source_id, _ = _merged_pair(session)
    target = svc.get_concept(session, target_id)
    moved = next(t for t in target.terms if t.text == "whale song accord")
    svc.update_term(session, moved.id, version=target.version, actor="ed", note="checked")
    svc.add_term(
        session, target_id, TermInput(language="en", text="cetacean song pact"), version=None, actor="ed"
    )
    session.commit()
    entry = next(e for e in svc.history(session, target_id) if e.action == "merge")
    svc.revert(session, entry.id, actor="ed", version=svc.get_concept(session, target_id).version)
    session.commit()
    session.expire_all()
    assert {t.text for t in svc.get_concept(session, target_id).terms} == {
        "鲸歌协议",
        "whale song pact",
        "cetacean song pact",
    }
    back = next(t for t in svc.get_concept(session, source_id).terms if t.text == "whale song accord")
    assert (back.id, back.note) == (moved.id, "checked")


def test_approval_makes_the_first_accepted_term_of_each_language_preferred(session: Session) -> None:
    concept = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="潮汐账本"),
            TermInput(language="en", text="tidal ledger"),
            TermInput(language="en", text="tide ledger", review="candidate"),
        ],
        actor="extraction",
    )
    session.commit()
    assert {t.usage_status for t in concept.terms} == {"admitted"}
    version = concept.version
    svc.set_status(session, concept.id, "approved", version=version, actor="ed")
    session.commit()
    assert concept.version == version + 1
    usage = {t.text: t.usage_status for t in concept.terms}
    assert usage == {"潮汐账本": "preferred", "tidal ledger": "preferred", "tide ledger": "admitted"}
    assert svc.history(session, concept.id)[0].after["terms"][1]["usage_status"] == "preferred"


def test_approval_keeps_an_editors_usage_choice(session: Session) -> None:
    concept = svc.create_concept(
        session,
        [TermInput(language="zh-Hans", text="潮汐账本"), TermInput(language="en", text="tidal ledger")],
        actor="extraction",
    )
    session.commit()
    english = concept.terms[1]
    # The editor decided the English term is only admitted (an explicit choice, recorded).
    svc.set_usage(session, english.id, "preferred", version=concept.version, actor="ed")
    svc.set_usage(session, english.id, "admitted", version=concept.version, actor="ed")
    svc.set_status(session, concept.id, "approved", version=concept.version, actor="ed")
    session.commit()
    assert {t.text: t.usage_status for t in concept.terms} == {
        "潮汐账本": "preferred",
        "tidal ledger": "admitted",
    }


def test_one_preferred_term_per_language_and_deprecation(session: Session) -> None:
    concept = svc.create_concept(
        session,
        [
            TermInput(language="en", text="tidal ledger", usage_status="preferred"),
            TermInput(language="en", text="tide book", review="candidate"),
            TermInput(language="zh-Hans", text="潮汐账本", usage_status="preferred"),
        ],
        actor="t",
    )
    session.commit()
    ledger, book, zh = concept.terms
    svc.set_usage(session, book.id, "preferred", version=concept.version, actor="ed")
    session.commit()
    assert (book.usage_status, book.review) == ("preferred", "accepted")  # preferring accepts a proposal
    assert (ledger.usage_status, zh.usage_status) == ("admitted", "preferred")
    svc.set_usage(session, ledger.id, "deprecated", version=concept.version, actor="ed")
    session.commit()
    assert ledger.usage_status == "deprecated"
    assert svc.history(session, concept.id)[0].action == "usage"
    with pytest.raises(Invalid):
        svc.set_usage(session, ledger.id, "favourite", version=concept.version, actor="ed")


def test_review_one_term_and_undo_it(session: Session) -> None:
    concept = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="潮汐账本"),
            TermInput(language="en", text="tidal ledger", usage_status="preferred"),
        ],
        actor="t",
    )
    session.commit()
    english = concept.terms[1]
    svc.review_term(session, english.id, "rejected", version=concept.version, actor="ed")
    session.commit()
    assert (english.review, english.usage_status) == ("rejected", "admitted")
    entry = svc.history(session, concept.id)[0]
    assert entry.action == "term:rejected"
    with pytest.raises(Invalid):  # the last live term: reject the entry instead
        svc.review_term(session, concept.terms[0].id, "rejected", version=concept.version, actor="ed")
    session.rollback()
    svc.revert(session, entry.id, actor="ed", version=concept.version)
    session.commit()
    session.expire_all()
    restored = svc.get_term(session, english.id)
    assert (restored.review, restored.usage_status) == ("accepted", "preferred")
