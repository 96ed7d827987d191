"""Paste a segment: every known term in it, highlighted, with its preferred translation.

Uses the recognition engine the API's ``/recognize`` uses, so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request

from termbase.auth import Permission, requires
from termbase.records import TermReview, UsageStatus
from termbase.services import recognition
from termbase.services.documents import Mark, concept_labels, resolve_overlaps
from termbase.text.lang import is_chinese
from termbase.web import bp
from termbase.web.helpers import db, read_all

MAX_TEXT = 20_000


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    language: str
    usage_status: str
    proposed: bool  # a variant awaiting review


@dataclass(frozen=True, slots=True)
class Found:
    """One term found in the text: a row of the results table, however often the text uses it."""

    match: recognition.Match  # its first occurrence
    count: int  # how many times the text uses it
    written: list[str]  # the forms the text writes it in, when they differ from the term
    label: str
    same_language_preferred: list[str]  # for a deprecated or superseded term: what to use instead
    translations: list[Translation]


_USAGE_ORDER = {"preferred": 0, "admitted": 1, "superseded": 2, "deprecated": 3}


def _translations(
    match: recognition.Match, terms: list[recognition.TermInfo], full: bool
) -> list[Translation]:
    """The other language's terms: accepted ones first (preferred first), then proposed variants.

    With ``full`` (candidates asked for) unreviewed terms are listed too, marked as proposed;
    otherwise only approved ones.
    """
    chosen = [
        t
        for t in terms
        if is_chinese(t.language) != is_chinese(match.language)
        and t.review != TermReview.REJECTED.value
        and (full or t.approved)
    ]
    chosen.sort(
        key=lambda t: (t.review != TermReview.ACCEPTED.value, _USAGE_ORDER.get(t.usage_status, 9), t.id)
    )
    return [
        Translation(t.text, t.language, t.usage_status, t.review != TermReview.ACCEPTED.value) for t in chosen
    ]


@bp.route("/paste", methods=["GET", "POST"])
@requires(Permission.READ_APPROVED)
def paste() -> Any:
    text = request.form.get("text", "") if request.method == "POST" else ""
    # Approved entries only, unless a reader of candidates asks for them too.
    candidates = read_all() and request.form.get("candidates") == "1"
    error = None
    found: list[Found] = []
    marks: tuple[Mark, ...] = ()
    if len(text) > MAX_TEXT:
        error = f"The text is {len(text):,} characters long; paste at most {MAX_TEXT:,} at a time."
        text = text[:MAX_TEXT]
    elif text.strip():
        found, marks = _recognize(text, candidates)
    return render_template(
        "paste/index.html",
        text=text,
        found=found,
        occurrences=sum(f.count for f in found),
        marks=marks,
        error=error,
        submitted=request.method == "POST",
        candidates=candidates,
        may_include_candidates=read_all(),
        max_text=MAX_TEXT,
    )


def _recognize(text: str, full: bool) -> tuple[list[Found], tuple[Mark, ...]]:
    session = db()
    matches = recognition.recognize(session, text, include_unapproved=full)
    labels = concept_labels(session, {m.concept_id for m in matches}, include_unapproved=full)
    terms = recognition.concept_terms(session, (m.term_id for m in matches))
    rows: dict[tuple[int, int], list[recognition.Match]] = {}
    for match in matches:
        rows.setdefault((match.concept_id, match.term_id), []).append(match)
    found = []
    for occurrences in rows.values():
        match = occurrences[0]
        instead: list[str] = []
        if match.usage_status in (UsageStatus.DEPRECATED.value, UsageStatus.SUPERSEDED.value):
            instead = [
                t.text
                for t in terms.get(match.concept_id, [])
                if t.language == match.language
                and t.usage_status == UsageStatus.PREFERRED.value
                and (t.approved or full)
            ]
        written = sorted({m.text for m in occurrences if m.text != match.term_text})
        found.append(
            Found(
                match,
                len(occurrences),
                written,
                labels.get(match.concept_id, ""),
                instead,
                _translations(match, terms.get(match.concept_id, []), full),
            )
        )
    marks = resolve_overlaps(
        (
            Mark(
                start=m.start,
                end=m.end,
                concept_id=m.concept_id,
                status=m.concept_status,
                label=labels.get(m.concept_id, ""),
            )
            for m in matches
        ),
        len(text),
    )
    return found, marks
