"""Paragraphs from numbered lines, with web-page boilerplate kept out.

Speeches copied from web pages carry the page around them: "Posted on", share
counters, breadcrumbs, language menus, lists of related links, advertisements,
and a comment section with its form. None of that is citable. The rules here are
about the shapes of such lines, never about a particular document's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from termbase.text.normalize import HAN_RE


@dataclass(frozen=True, slots=True)
class Paragraph:
    line: int  # line number of its first line in the file
    text: str


_TERMINAL_END = re.compile(r"[.!?:;,。！？：；，、\"'”’)\]）」』》]$")
_BULLET = re.compile(r"^[•·▪●■◦‣∙]\s*")
_WORDS = re.compile(r"\S+")

# Lines that open a comment section: everything after them is comments or the comment form.
_COMMENTS_START = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post a comment|add (?:a |your )?comment|"
    r"(?:one|two|three|four|five|\d+) (?:thoughts?|responses?|comments?|replies) (?:on|to)\b.*|"
    r"(?:\d+ )?(?:comments?|responses?|replies)(?: \(\d+\))?:?|"
    r"fill in your details below\b.*|you are commenting using\b.*)$",
    re.IGNORECASE,
)
_POSTED = re.compile(r"^(?:posted|published|updated|last updated)\b.{0,60}$", re.IGNORECASE)
_AD = re.compile(
    r"^(?:advertisements?|sponsored(?: content| links?)?|report this ad|ads? by \S+|"
    r"privacy (?:&|and) cookies:.*)$",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"^(?:(?:share|shares|likes?|tweets?|comments?|views?|reads?)\s*[:：]?\s*\d+|"
    r"share(?: this)?(?: on \w+)?:?|like this:?|like loading\W*|tweet|email|print|"
    r"(?:share|分享)\s*(?:to|到)?\s*[:：]?)$",
    re.IGNORECASE,
)
_CREDITS = re.compile(
    r"^(?:(?:author|source|editor|reporter|photo|来源|作者|编辑|责任编辑)\s*[:：].{0,80})$", re.IGNORECASE
)
_BREADCRUMB = re.compile(
    r"^(?:your (?:position|location)|you are here|当前位置|您的位置)\s*[:：]|^\S.{0,40}(?:\s*[>»›]\s*\S.{0,30}){2,}$",
    re.IGNORECASE,
)


def _is_menu(text: str) -> bool:
    """A line of three or more short items separated by bars: a language or section menu."""
    items = [item.strip() for item in re.split(r"\s[|｜]\s", text)]
    return len(items) >= 3 and all(0 < len(_WORDS.findall(item)) <= 3 and len(item) <= 30 for item in items)


def is_boilerplate(text: str) -> bool:
    """Whether a single line is page furniture rather than text."""
    return bool(
        _POSTED.match(text)
        or _AD.match(text)
        or _SHARE.match(text)
        or _CREDITS.match(text)
        or _BREADCRUMB.match(text)
        or _is_menu(text)
    )


def starts_comments(text: str) -> bool:
    return bool(_COMMENTS_START.match(text))


def _is_link_item(text: str) -> bool:
    """A bullet line short enough to be a link title, not a point in an argument."""
    return bool(_BULLET.match(text)) and len(_WORDS.findall(_BULLET.sub("", text))) <= 10


def _continues(previous: str, following: str) -> bool:
    """Whether ``following`` is a hard-wrapped continuation of an English line."""
    if HAN_RE.search(previous) or HAN_RE.search(following):
        return False
    return not _TERMINAL_END.search(previous) and following[:1].islower()


def paragraphs(lines: Iterable[tuple[int, str]], *, web: bool = True) -> Iterator[Paragraph]:
    """Non-empty lines as paragraphs; English hard wraps are joined.

    With ``web`` (plain-text documents), boilerplate lines are dropped, runs of three
    or more short bullet lines (related links) are dropped, and everything from the
    start of a comment section on is dropped.
    """
    pending: Paragraph | None = None
    bullets: list[Paragraph] = []

    def emit(paragraph: Paragraph) -> Iterator[Paragraph]:
        if web and _is_link_item(paragraph.text):
            bullets.append(paragraph)
            return
        if len(bullets) < 3:
            yield from bullets
        bullets.clear()
        yield paragraph

    for number, raw in lines:
        text = raw.strip()
        if not text:
            if pending is not None:
                yield from emit(pending)
                pending = None
            continue
        if web and starts_comments(text):
            break
        if web and is_boilerplate(text):
            continue
        if pending is not None and _continues(pending.text, text) and not _BULLET.match(text):
            pending = Paragraph(pending.line, f"{pending.text} {text}")
            continue
        if pending is not None:
            yield from emit(pending)
        pending = Paragraph(number, text)
    if pending is not None:
        yield from emit(pending)
    if len(bullets) < 3:
        yield from bullets
