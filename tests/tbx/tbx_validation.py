"""Validate TBX against the official schemas (copied into tests/data/tbx/schemas) plus our own checks.

The recipe is the one in ``shared/tbx/NOTES.md`` §5:

* 2008: TBX-Basic RelaxNG, the TBX-Basic DTD, and the Schematron 1.5 rules embedded in the
  RelaxNG, copied into an ISO Schematron schema lxml can run.
* v3: the core RelaxNG and the TBX-Basic DCA Schematron, with its three XPath 2 constructs
  rewritten in memory so lxml's XSLT 1 implementation compiles it.

The official Schematron fires only the first matching rule per pattern, which shadows
the v3 ``transactionType`` value check and the ``@target`` check; :func:`own_checks` covers
those and the rules TBX-Basic states only in prose (partOfSpeech on every term).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from lxml import etree, isoschematron

from termbase.tbx.vocab import PARTS_OF_SPEECH_2008, PARTS_OF_SPEECH_V3, TBX_V3_NS, Generation

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "tbx" / "schemas"
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
OLD_SCH = "http://www.ascc.net/xml/schematron"
ISO_SCH = "http://purl.oclc.org/dsdl/schematron"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

V3_SCH_REWRITES = [
    ('queryBinding="xslt2"', 'queryBinding="xslt"'),
    (
        "matches(@target,'https?://.+')",
        "(starts-with(@target,'http://') or starts-with(@target,'https://'))",
    ),
    ("contains(./local-name(),'Grp')", "contains(local-name(),'Grp')"),
    ("not(./local-name() = 'transacGrp')", "not(local-name() = 'transacGrp')"),
]


@cache
def rng_2008() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "2008" / "TBXBasicRNGV02.rng")))


@cache
def dtd_2008() -> etree.DTD:
    return etree.DTD(str(SCHEMAS / "2008" / "TBXBasiccoreStructV02.dtd"))


@cache
def sch_2008_schema() -> etree._Element:
    """The Schematron 1.5 patterns embedded in the 2008 RelaxNG, copied into one ISO Schematron schema."""
    rng = etree.parse(str(SCHEMAS / "2008" / "TBXBasicRNGV02.rng"))
    schema = etree.Element(f"{{{ISO_SCH}}}schema", queryBinding="xslt", nsmap={None: ISO_SCH})
    for old in rng.iter(f"{{{OLD_SCH}}}pattern"):
        pattern = etree.SubElement(schema, f"{{{ISO_SCH}}}pattern", id=old.get("name", "p"))
        for old_rule in old.iter(f"{{{OLD_SCH}}}rule"):
            rule = etree.SubElement(pattern, f"{{{ISO_SCH}}}rule", context=old_rule.get("context", ""))
            for old_assert in old_rule.iter(f"{{{OLD_SCH}}}assert"):
                check = etree.SubElement(rule, f"{{{ISO_SCH}}}assert", test=old_assert.get("test", ""))
                check.text = " ".join("".join(old_assert.itertext()).split())
    return schema


@cache
def sch_2008() -> isoschematron.Schematron:
    return isoschematron.Schematron(sch_2008_schema(), store_report=True)


def sch_2008_pattern_count() -> int:
    return len(sch_2008_schema().findall(f"{{{ISO_SCH}}}pattern"))


@cache
def rng_v3() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "v3" / "TBXcoreStructV03.rng")))


@cache
def sch_v3() -> isoschematron.Schematron:
    text = (SCHEMAS / "v3" / "TBX-Basic_DCA.sch").read_text(encoding="utf-8-sig")
    for old, new in V3_SCH_REWRITES:
        assert old in text, f"the official Schematron changed: {old!r} not found"
        text = text.replace(old, new)
    return isoschematron.Schematron(etree.fromstring(text.encode("utf-8")), store_report=True)


def _schematron_failures(schematron: isoschematron.Schematron, doc: etree._Element) -> list[str]:
    if schematron.validate(doc):
        return []
    report = schematron.validation_report
    return [
        f"schematron: {' '.join(t.split())} at {node.getparent().get('location')}"
        for node in report.xpath("//svrl:failed-assert/svrl:text", namespaces=SVRL)
        for t in [node.text or ""]
    ]


def official_errors(data: bytes, generation: Generation) -> list[str]:
    """Everything the official schemas say about ``data`` (empty when valid)."""
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    errors: list[str] = []
    if generation is Generation.TBX_2008:
        for name, validator in (("rng", rng_2008()), ("dtd", dtd_2008())):
            if not validator.validate(doc):
                errors += [f"{name}: line {e.line}: {e.message}" for e in validator.error_log]
        errors += _schematron_failures(sch_2008(), doc)
    else:
        if not rng_v3().validate(doc):
            errors += [f"rng: line {e.line}: {e.message}" for e in rng_v3().error_log]
        errors += _schematron_failures(sch_v3(), doc)
    return errors


def own_checks(data: bytes, generation: Generation, lang_codes: set[str] | None = None) -> list[str]:
    """Rules the official Schematron misses or TBX-Basic states only in prose."""
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = "" if generation is Generation.TBX_2008 else f"{{{TBX_V3_NS}}}"
    entry, lang_el, term_el = (
        ("termEntry", "langSet", "tig")
        if generation is Generation.TBX_2008
        else ("conceptEntry", "langSec", "termSec")
    )
    errors: list[str] = []
    ids = [el.get("id") for el in doc.iter() if el.get("id") is not None]
    for duplicate, count in Counter(ids).items():
        if count > 1:
            errors.append(f"id {duplicate!r} used {count} times")
    known = set(ids)
    for el in doc.iter():
        target = el.get("target") if isinstance(el.tag, str) else None
        if target and not target.startswith(("http://", "https://")) and target not in known:
            errors.append(f"line {el.sourceline}: target {target!r} does not resolve")
    for transac in doc.iter(f"{ns}transac"):
        if transac.get("type") == "transactionType" and transac.text not in ("origination", "modification"):
            errors.append(f"line {transac.sourceline}: transactionType {transac.text!r}")
    for concept in doc.iter(f"{ns}{entry}"):
        if not concept.get("id"):
            errors.append(f"line {concept.sourceline}: {entry} without id")
    allowed_pos = PARTS_OF_SPEECH_2008 if generation is Generation.TBX_2008 else PARTS_OF_SPEECH_V3
    for term in doc.iter(f"{ns}{term_el}"):
        pos = [n for n in term.findall(f"{ns}termNote") if n.get("type") == "partOfSpeech"]
        if len(pos) != 1:
            errors.append(f"line {term.sourceline}: {len(pos)} partOfSpeech notes on a term")
        elif pos[0].text not in allowed_pos:
            errors.append(f"line {term.sourceline}: partOfSpeech {pos[0].text!r}")
    for section in doc.iter(f"{ns}{lang_el}"):
        code = section.get(XML_LANG)
        if not code:
            errors.append(f"line {section.sourceline}: {lang_el} without xml:lang")
        elif lang_codes is not None and code not in lang_codes:
            errors.append(f"line {section.sourceline}: unexpected language code {code!r}")
    if doc.get(XML_LANG) is None:
        errors.append("root without xml:lang")
    return errors


def all_errors(data: bytes, generation: Generation, lang_codes: set[str] | None = None) -> list[str]:
    return official_errors(data, generation) + own_checks(data, generation, lang_codes)
