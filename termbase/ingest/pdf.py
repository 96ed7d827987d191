"""PDFs with a text layer, read with pdfminer.six: paragraphs rebuilt, page furniture dropped.

pdfminer's layout analysis groups a page's lines into text boxes by their spacing, which is
where a paragraph ends. Inside a box the lines are joined again: an English word hyphenated
at the end of a line is made whole ("gover-" + "nance"), English lines are joined with a
space, Chinese lines without one, and a line in the other language starts a paragraph of its
own (so Chinese and English lines taking turns stay apart). A paragraph cut by a page break is
joined across it.

Running headers and footers are the lines near the top or bottom of the page that come back
on most pages (page numbers counted as the same line whatever the number); they are dropped.

Refused with their reason: a scanned PDF (pages but no text layer), a password-protected PDF
and a damaged one.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTPage, LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException

from termbase.ingest.errors import IngestError
from termbase.ingest.formats import Extracted
from termbase.ingest.layout import EN, ZH, Item, language
from termbase.text.normalize import HAN_RE

MARGIN = 0.12  # share of the page height at the top and at the bottom where headers and footers sit
REPEATED = 0.5  # share of the pages a margin line must come back on to be furniture
# Gaps between words, in character widths, that still belong to one line: justified text spreads
# its words far apart, and pdfminer's default (2) cuts such a line into pieces.
CHAR_MARGIN = 8.0
_DIGITS = re.compile(r"\d+")
_HYPHENATED = re.compile(r"[A-Za-z]-$")
_TERMINAL = re.compile(r"[.!?:;。！？：；…”’\"')）」』]$")


@dataclass(slots=True)
class _Box:
    lines: list[str]
    top: float  # distance from the top of the page, as a share of its height
    bottom: float


def _key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.split()).lower())


def _pages(data: bytes, name: str) -> list[list[_Box]]:
    pages: list[list[_Box]] = []
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams(char_margin=CHAR_MARGIN)):
            assert isinstance(page, LTPage)
            height = page.height or 1.0
            boxes = []
            for element in page:
                if not isinstance(element, LTTextContainer):
                    continue
                lines = [
                    " ".join(line.get_text().split())
                    for line in element
                    if isinstance(line, LTTextLine) and line.get_text().strip()
                ]
                if lines:
                    boxes.append(_Box(lines, (height - element.y1) / height, (height - element.y0) / height))
            boxes.sort(key=lambda b: b.top)
            pages.append(boxes)
    except PDFPasswordIncorrect:
        raise IngestError(
            "the PDF is password-protected; save a copy without a password", file=name
        ) from None
    except PDFEncryptionError as exc:
        raise IngestError(f"the PDF is encrypted in a way that cannot be read ({exc})", file=name) from None
    except (PDFException, PSException, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise IngestError(f"damaged PDF ({exc.__class__.__name__}: {exc})"[:300], file=name) from None
    return pages


def _in_margin(box: _Box) -> bool:
    return box.bottom <= MARGIN or box.top >= 1 - MARGIN


def _furniture(pages: list[list[_Box]]) -> set[str]:
    """Keys of the margin lines that come back on most pages."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for boxes in pages:
        keys = {_key(line) for box in boxes if _in_margin(box) for line in box.lines}
        counts.update(keys)
    return {key for key, count in counts.items() if count >= max(2, REPEATED * len(pages))}


def _script(text: str) -> str | None:
    found = language(text)
    return found if found in (ZH, EN) else None


def _join(previous: str, following: str) -> str:
    if _HYPHENATED.search(previous) and following[:1].islower():
        return previous[:-1] + following
    wide_end = previous[-1:] and not previous[-1].isascii()  # Han or full-width punctuation
    if wide_end and following[:1] and not following[0].isascii():
        return previous + following
    return f"{previous} {following}"


def _paragraphs(lines: list[str]) -> list[str]:
    """A box's lines as paragraphs: joined, unless the language changes."""
    out: list[str] = []
    for line in lines:
        if out and _script(out[-1]) == _script(line):
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
    return out


def _continues(previous: str, following: str) -> bool:
    """Whether a paragraph at the top of a page goes on from the last one of the page before."""
    if _TERMINAL.search(previous) or _script(previous) != _script(following):
        return False
    return following[:1].islower() or bool(HAN_RE.match(previous[-1:]) and HAN_RE.match(following[:1]))


def read_pdf(data: bytes, *, name: str) -> Extracted:
    """The paragraphs of a PDF's text layer, without running headers and footers."""
    pages = _pages(data, name)
    if not pages:
        raise IngestError("the PDF has no pages", file=name)
    if not any(box.lines for boxes in pages for box in boxes):
        raise IngestError(
            f"a scanned PDF: its {len(pages)} page{'s' if len(pages) != 1 else ''} hold no text layer "
            "(run OCR on it first)",
            file=name,
        )
    furniture = _furniture(pages)
    items: list[Item] = []
    for boxes in pages:
        first_on_page = True
        for box in boxes:
            lines = [line for line in box.lines if not (_in_margin(box) and _key(line) in furniture)]
            if not lines:
                continue
            for paragraph in _paragraphs(lines):
                if (
                    first_on_page
                    and items
                    and isinstance(items[-1], str)
                    and _continues(items[-1], paragraph)
                ):
                    items[-1] = _join(items[-1], paragraph)
                else:
                    items.append(paragraph)
                first_on_page = False
    if not items:
        raise IngestError("the PDF holds no text besides its headers and footers", file=name)
    return Extracted(items=items)
