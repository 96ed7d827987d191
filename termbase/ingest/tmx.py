"""TMX 1.4 translation memories: Chinese-English translation units, read as a stream.

lxml reads the file incrementally and decodes it itself (UTF-8, UTF-16 with its BOM,
or whatever the XML declaration names). The parser resolves no entities and fetches
nothing from the network. Inline codes (``bpt``, ``ept``, ``ph``, ``it``, ``ut``) hold the
source format's markup and are left out; ``hi`` and ``sub`` hold text and are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from termbase.ingest.decode import InputFile
from termbase.ingest.errors import IngestError
from termbase.records import LANG_EN, LANG_ZH_HANT, SegmentKind, SegmentRecord
from termbase.text.lang import is_chinese, normalize_language_tag

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})


@dataclass(slots=True)
class TmxStats:
    """What the reader saw, for the document's metadata."""

    units: int = 0
    hant: bool = False


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) not in _CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _language(tuv: etree._Element) -> str | None:
    tag = tuv.get(XML_LANG) or tuv.get("lang")  # TMX 1.1 used a plain "lang" attribute
    return normalize_language_tag(tag) if tag else None


def read_tmx(file: InputFile, stats: TmxStats | None = None) -> Iterator[SegmentRecord]:
    """Translation units with a Chinese and an English variant; others are skipped."""
    stats = stats if stats is not None else TmxStats()
    root_seen = False
    with file.open() as handle:
        events = etree.iterparse(
            handle,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, element in events:
                name = _local(element.tag)
                if event == "start":
                    if not root_seen:
                        root_seen = True
                        if name != "tmx":
                            raise IngestError(
                                f"XML file whose root is <{name}>, not a TMX file", file=file.name
                            )
                        _refuse_entities(element, file)
                    continue
                if name != "tu":
                    continue
                record = _unit(element, stats)
                # Drop what has been read, so memory stays flat however long the file.
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
                if record is not None:
                    stats.units += 1
                    yield record
        except etree.XMLSyntaxError as exc:
            raise IngestError(f"malformed TMX: {exc.msg}", file=file.name, line=exc.lineno) from None
    if stats.units == 0:
        raise IngestError("TMX file holds no Chinese-English translation unit", file=file.name)


def _refuse_entities(root: etree._Element, file: InputFile) -> None:
    """Refuse a DOCTYPE that declares entities, as the TBX reader does.

    They are never expanded (``resolve_entities=False``), but an unexpanded reference would
    be stored as the literal text ``&name;``: such a file is hostile or broken, not a corpus.
    """
    dtd = root.getroottree().docinfo.internalDTD
    names = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
    if names:
        raise IngestError(
            f"the DOCTYPE declares entities ({', '.join(str(n) for n in names[:5])}); "
            "files that declare entities are refused for safety",
            file=file.name,
            line=root.sourceline,
        )


def _unit(tu: etree._Element, stats: TmxStats) -> SegmentRecord | None:
    zh: str | None = None
    en: str | None = None
    for tuv in tu:
        if _local(tuv.tag) != "tuv":
            continue
        language = _language(tuv)
        seg = next((child for child in tuv if _local(child.tag) == "seg"), None)
        if language is None or seg is None:
            continue
        text = " ".join(_text(seg).split())
        if not text:
            continue
        if is_chinese(language) and zh is None:
            zh = text
            stats.hant = stats.hant or language == LANG_ZH_HANT
        elif language == LANG_EN and en is None:
            en = text
    if zh and en:
        return SegmentRecord(SegmentKind.PAIR, zh_text=zh, en_text=en, alignment="tmx")
    return None
