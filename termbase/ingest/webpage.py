"""Saved web pages: the main text found by trafilatura, its paragraphs kept, and the page's metadata.

trafilatura drops the page furniture (navigation, share buttons, related links, comment
sections and their forms, footers) and hands back the main text as XML with one element per
paragraph, heading, list item or table cell, and a ``<lb/>`` where the page broke a line.
Every line stays a paragraph of its own, so Chinese and English lines taking turns inside one
``<p>`` are seen as such. Tables whose two columns are Chinese and English become pairs.

The title, the date and the address (``<link rel="canonical">``, else ``og:url``) become the
document's metadata.
"""

from __future__ import annotations

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from termbase.ingest.errors import IngestError
from termbase.ingest.formats import Extracted
from termbase.ingest.layout import Item, table_items

_BLOCKS = frozenset({"p", "head", "item", "quote", "code"})


def _lines(element: etree._Element) -> list[str]:
    for br in element.iter("lb"):
        br.tail = "\n" + (br.tail or "")
    text = "".join(element.itertext())
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _walk(element: etree._Element, items: list[Item]) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "table":
            rows = [
                [" ".join(_lines(cell)) for cell in row if cell.tag == "cell"] for row in child.iter("row")
            ]
            items.extend(table_items(rows))
        elif child.tag == "list":
            _walk(child, items)
        elif child.tag in _BLOCKS:
            items.extend(_lines(child))
        else:
            _walk(child, items)


def _canonical(page: str) -> str | None:
    try:
        tree = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    for href in tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"):
        if href.strip():
            return str(href).strip()
    return None


def read_html(page: str, *, name: str) -> Extracted:
    """The main text of a web page as paragraphs, with its title, date and address."""
    result = trafilatura.extract(
        page,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
        with_metadata=True,
    )
    if not result:
        raise IngestError("no main text found in this web page", file=name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    doc = etree.fromstring(result.encode("utf-8"), parser)
    main = doc.find("main")
    items: list[Item] = []
    if main is not None:
        _walk(main, items)
    if not items:
        raise IngestError("no main text found in this web page", file=name)
    title = " ".join((doc.get("title") or "").split()) or None
    return Extracted(
        items=items,
        title=title[:500] if title else None,
        date=doc.get("date") or None,
        source_url=(_canonical(page) or doc.get("url") or None),
    )
