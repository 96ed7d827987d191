"""Terminology QA: missing approved target terms and deprecated target terms, with offsets."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput
from termbase.services.qa import DEPRECATED_TERM, MISSING_TERM, check


def _concept(session: Session, status: str, *terms: tuple[str, str, str]) -> int:
    concept = concept_service.create_concept(
        session,
        [TermInput(language=lang, text=text, usage_status=usage) for lang, text, usage in terms],
        actor="t",
        status=status,
    )
    session.commit()
    return concept.id


@pytest.fixture
def ids(session: Session) -> dict[str, int]:
    return {
        "sovereignty": _concept(
            session,
            "approved",
            ("zh-Hans", "网络主权", "preferred"),
            ("en", "cyber sovereignty", "preferred"),
            ("en", "internet sovereignty", "admitted"),
            ("en", "network sovereignty", "superseded"),
        ),
        "space": _concept(
            session, "approved", ("zh-Hans", "网络空间", "preferred"), ("en", "cyberspace", "admitted")
        ),
        "no-english": _concept(session, "approved", ("zh-Hans", "互联网+", "preferred")),
        "candidate": _concept(
            session,
            "candidate",
            ("zh-Hans", "数字主权", "admitted"),
            ("en", "digital sovereignty", "admitted"),
        ),
    }


def test_any_approved_target_term_satisfies_the_check(session: Session, ids: dict[str, int]) -> None:
    assert check(session, "尊重网络主权", "respect Internet sovereignty") == []
    assert check(session, "尊重网络主权", "respect cyber sovereignty") == []


def test_missing_term_offsets_point_into_the_source(session: Session, ids: dict[str, int]) -> None:
    source = "网络空间里也有网络主权。"
    issues = check(session, source, "Cyberspace has sovereignty too.")
    assert [(i.kind, i.side, source[i.start : i.end]) for i in issues] == [
        (MISSING_TERM, "source", "网络主权")
    ]
    assert [s.text for s in issues[0].suggestions] == ["cyber sovereignty", "internet sovereignty"]


def test_each_missing_occurrence_is_reported(session: Session, ids: dict[str, int]) -> None:
    issues = check(session, "网络主权就是网络主权", "sovereignty is sovereignty")
    assert [(i.start, i.end) for i in issues] == [(0, 4), (6, 10)]


def test_a_term_inside_a_longer_target_match_still_counts(session: Session, ids: dict[str, int]) -> None:
    # "cyberspace" is there, even though a longer term could swallow it in leftmost-longest recognition.
    _concept(
        session,
        "approved",
        ("en", "cyberspace governance", "admitted"),
        ("zh-Hans", "网络空间治理", "admitted"),
    )
    assert check(session, "网络空间", "cyberspace governance") == []


def test_superseded_and_deprecated_target_terms(session: Session, ids: dict[str, int]) -> None:
    target = "Network sovereignty is respected."
    issues = check(session, "网络主权受到尊重。", target)
    assert [i.kind for i in issues] == [MISSING_TERM, DEPRECATED_TERM]
    deprecated = issues[1]
    assert (deprecated.side, target[deprecated.start : deprecated.end]) == ("target", "Network sovereignty")
    assert deprecated.usage_status == "superseded"
    assert [s.text for s in deprecated.suggestions] == ["cyber sovereignty", "internet sovereignty"]
    assert "cyber sovereignty" in deprecated.message


def test_concepts_without_target_terms_or_approval_are_not_checked(
    session: Session, ids: dict[str, int]
) -> None:
    assert check(session, "互联网+和数字主权", "Internet Plus and data sovereignty") == []


def test_empty_texts(session: Session, ids: dict[str, int]) -> None:
    assert check(session, "", "") == []
    assert [i.kind for i in check(session, "网络主权", "")] == [MISSING_TERM]


def test_the_longest_source_term_is_checked_not_a_shorter_one_inside_it(
    session: Session, ids: dict[str, int]
) -> None:
    _concept(session, "approved", ("zh-Hans", "主权", "preferred"), ("en", "sovereignty", "preferred"))
    # 网络主权 is checked (the target lacks all its renderings), not the 主权 inside it.
    [issue] = check(session, "尊重网络主权", "respect national freedom")
    assert (issue.text, issue.concept_id) == ("网络主权", ids["sovereignty"])
    # "cyber-sovereignty" does not contain the word "sovereignty": 主权 must not be reported missing.
    assert check(session, "尊重网络主权", "respect cyber-sovereignty") == []


def test_an_unreviewed_longer_term_keeps_a_shorter_approved_one_from_raising_alarms(
    session: Session, ids: dict[str, int]
) -> None:
    _concept(session, "approved", ("zh-Hans", "主权", "preferred"), ("en", "sovereignty", "preferred"))
    # 数字主权 is a candidate: by default it is not checked, and 主权 inside it is not either.
    assert check(session, "维护数字主权", "defend digital autonomy") == []
    # Asked for, candidates are checked, and the issue says it is unreviewed.
    [issue] = check(session, "维护数字主权", "defend digital autonomy", include_unapproved=True)
    assert (issue.text, issue.reviewed) == ("数字主权", False)
    assert [(s.text, s.reviewed) for s in issue.suggestions] == [("digital sovereignty", False)]
    assert "unreviewed" in issue.message
    # Approved entries' issues are reviewed ones.
    [approved] = check(session, "网络主权", "freedom", include_unapproved=True)
    assert approved.reviewed
    assert "unreviewed" not in approved.message
