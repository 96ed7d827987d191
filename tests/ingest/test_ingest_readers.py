"""Layouts: the seeds, TMX (UTF-8 and UTF-16), TSV, text pairs, and what is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from termbase.ingest.decode import InputFile
from termbase.ingest.errors import IngestError
from termbase.ingest.readers import Source, group_sources, prepare, read_document
from termbase.records import LANG_ZH_HANS, LANG_ZH_HANT, Layout, SegmentKind
from termbase.text.normalize import apply_splits, has_han

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _seed(prefix: str) -> InputFile:
    return InputFile.from_path(next(SEEDS.glob(f"{prefix}_*.txt")))


def _kinds(segments: object) -> set[SegmentKind]:
    return {s.kind for s in segments}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("prefix", "layout", "script"),
    [
        ("000", Layout.EN_THEN_ZH, LANG_ZH_HANS),
        ("001", Layout.EN_THEN_ZH, LANG_ZH_HANS),
        ("002", Layout.PIPE_PAIRS, LANG_ZH_HANT),
        ("003", Layout.EN_ONLY, LANG_ZH_HANS),
        ("004", Layout.EN_ONLY, LANG_ZH_HANS),
    ],
)
def test_seed_layouts_are_recognised(prefix: str, layout: Layout, script: str) -> None:
    document = read_document(_seed(prefix))
    assert document.layout == layout
    assert document.zh_script == script
    if layout == Layout.EN_ONLY:
        assert _kinds(document.segments) == {SegmentKind.EN}
    else:
        assert SegmentKind.PAIR in _kinds(document.segments)
    for segment in document.segments:
        if segment.zh_text:
            assert has_han(segment.zh_text)
        if segment.kind == SegmentKind.PAIR:
            assert segment.en_text
            assert not has_han(segment.en_text)


def test_pipe_pairs_keep_every_line_and_the_original_script() -> None:
    document = read_document(_seed("002"))
    lines = [
        line for line in (SEEDS / next(SEEDS.glob("002_*.txt")).name).read_text("utf-8").splitlines() if line
    ]
    assert len(document.segments) == len(lines)
    first = document.segments[0]
    assert first.zh_text is not None
    assert first.zh_text.startswith("2016年5月11日,外交部軍控司司長王群")  # Traditional, as written
    assert first.en_text is not None
    assert first.en_text.endswith("The full text is as follows:")
    assert all(s.alignment == "source" for s in document.segments)


def test_glued_words_of_seed_003_are_split_with_offsets_kept() -> None:
    document = read_document(_seed("003"))
    views = []
    for segment in document.segments:
        assert segment.en_text is not None
        view, origin = apply_splits(segment.en_text, segment.en_splits)
        views.append(view)
        assert view.replace(" ", "") == segment.en_text.replace(" ", "")
        assert len(origin) == len(view) + 1
    joined = " ".join(views)
    for phrase in ("golden autumn day", "of the Cyberspace Administration", "Information Harbor Forum"):
        assert phrase in joined
    assert any("autumnday" in (s.en_text or "") for s in document.segments)  # the original is kept


def test_english_only_pages_lose_their_furniture() -> None:
    texts = [s.en_text or "" for s in read_document(_seed("003")).segments]
    assert texts[0] == "Lu's speech at the opening ceremony of China-ASEAN Information Harbor Forum"
    assert not any("USB flash drives" in t or "share:" in t or "your position" in t for t in texts)
    assert texts[-1] == "Thank you."


TMX = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="test" creationtoolversion="1" segtype="sentence" o-tmf="x"
          adminlang="en" srclang="zh-CN" datatype="plaintext"/>
  <body>
    <tu><tuv xml:lang="zh-CN"><seg>尊重<bpt i="1">&lt;b&gt;</bpt>网络主权<ept i="1">&lt;/b&gt;</ept></seg></tuv>
        <tuv xml:lang="en-US"><seg>Respect <hi>cyber sovereignty</hi></seg></tuv></tu>
    <tu><tuv lang="ZH-TW"><seg>網絡空間</seg></tuv><tuv xml:lang="EN"><seg>cyberspace</seg></tuv></tu>
    <tu><tuv xml:lang="fr"><seg>souveraineté</seg></tuv><tuv xml:lang="en"><seg>sovereignty</seg></tuv></tu>
  </body>
</tmx>
"""


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_tmx_in_utf8_and_utf16(encoding: str) -> None:
    data = TMX.format(encoding=encoding).encode(encoding.lower())
    document = read_document(InputFile.from_bytes("memory.tmx", data))
    assert document.layout == Layout.TMX
    assert [(s.zh_text, s.en_text) for s in document.segments] == [
        ("尊重网络主权", "Respect cyber sovereignty"),  # inline codes dropped, <hi> text kept
        ("網絡空間", "cyberspace"),
    ]
    assert document.zh_script == LANG_ZH_HANT  # a zh-TW variant
    assert {s.alignment for s in document.segments} == {"tmx"}


def test_tmx_is_recognised_without_its_extension() -> None:
    data = TMX.format(encoding="UTF-8").encode()
    assert read_document(InputFile.from_bytes("export.xml", data)).layout == Layout.TMX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<?xml version='1.0'?><tmx version='1.4'><body><tu><tuv xml:lang='en'><seg>x</seg></tuv>",
            "malformed TMX",
        ),
        (
            b"<?xml version='1.0'?><tmx version='1.4'><body></body></tmx>",
            "no Chinese-English translation unit",
        ),
        (b"<?xml version='1.0'?><martif><text/></martif>", "not a TMX"),
    ],
)
def test_bad_tmx_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message) as caught:
        read_document(InputFile.from_bytes("bad.tmx", data))
    assert caught.value.file == "bad.tmx"


def test_tmx_entities_are_not_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<tmx version="1.4"><body><tu><tuv xml:lang="zh"><seg>\xe4\xb8\xbb\xe6\x9d\x83&x;</seg></tuv>'
        b'<tuv xml:lang="en"><seg>sovereignty</seg></tuv></tu></body></tmx>'
    )
    # Refused outright, as the TBX reader does, rather than stored with a literal "&x;".
    with pytest.raises(IngestError, match="declares entities") as caught:
        read_document(InputFile.from_bytes("x.tmx", data))
    assert "root:" not in str(caught.value)


def test_tsv_with_header_quotes_and_either_column_order() -> None:
    data = (
        "zh\ten\n"
        "网络主权\tcyber sovereignty\n"
        '"the ""Internet Plus"" plan"\t“互联网+”行动计划\n'
        "\n"
        "数字经济\tdigital economy\n"
    ).encode()
    document = read_document(InputFile.from_bytes("glossary.tsv", data))
    assert document.layout == Layout.TSV
    assert [(s.zh_text, s.en_text) for s in document.segments] == [
        ("网络主权", "cyber sovereignty"),
        ("“互联网+”行动计划", 'the "Internet Plus" plan'),
        ("数字经济", "digital economy"),
    ]


def test_tsv_line_without_a_tab_names_its_line() -> None:
    data = "网络主权\tcyber sovereignty\n数字经济 digital economy\n".encode()
    with pytest.raises(IngestError, match="no tab") as caught:
        read_document(InputFile.from_bytes("pairs.tsv", data))
    assert caught.value.line == 2


def test_tab_separated_content_is_tsv_whatever_its_name() -> None:
    data = "网络主权\tcyber sovereignty\n数字经济\tdigital economy\n".encode()
    assert read_document(InputFile.from_bytes("pairs.txt", data)).layout == Layout.TSV


def test_text_pair_by_file_names() -> None:
    zh = "网络空间是人类共同的活动空间。\n\n各国应该加强沟通、扩大共识、深化合作。\n"
    en = "Cyberspace is a common space for human activity.\n\nAll countries should strengthen communication, broaden consensus and deepen collaboration.\n"
    files = [
        InputFile.from_bytes("speech.en.txt", en.encode()),
        InputFile.from_bytes("speech.zh-Hans.txt", zh.encode()),
    ]
    (source,) = group_sources(files)
    assert source.stem == "speech"
    document = read_document(source)
    assert document.layout == Layout.TEXT_PAIR
    assert [(s.zh_text, s.en_text) for s in document.segments] == [
        ("网络空间是人类共同的活动空间。", "Cyberspace is a common space for human activity."),
        (
            "各国应该加强沟通、扩大共识、深化合作。",
            "All countries should strengthen communication, broaden consensus and deepen collaboration.",
        ),
    ]


def test_text_pair_sides_must_hold_their_language() -> None:
    files = [
        InputFile.from_bytes("a.zh.txt", b"Only English here.\n"),
        InputFile.from_bytes("a.en.txt", b"Also English.\n"),
    ]
    (source,) = group_sources(files)
    with pytest.raises(IngestError, match="holds no Chinese") as caught:
        prepare(source)
    assert caught.value.file == "a.zh.txt"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "\n\n".join(
                ["网络主权是基础。", "Cyber sovereignty is the basis."] * 6 + ["这一段还没有译文。"] * 28
            ),
            "ambiguous layout: paragraphs 1–12 alternate, 13–40 are all Chinese",
        ),
        (
            "\n\n".join(["An English paragraph."] * 6 + ["网络主权是基础。", "Cyber sovereignty."] * 4),
            "ambiguous layout: paragraphs 1–6 are all English, 7–14 alternate",
        ),
        ("<root><item>网络主权</item></root>", "XML file that is neither a TMX translation memory nor XLIFF"),
        ("<html><body>hi</body></html>", "no main text found in this web page"),
    ],
)
def test_unknown_layouts_are_named(text: str, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_document(InputFile.from_bytes("doc.txt", text.encode()))


def test_manifest_layout_must_match() -> None:
    source = Source(name="004.txt", stem="004", files=(_seed("004"),))
    with pytest.raises(
        IngestError, match="the manifest says layout pipe-pairs, but the file reads as en-only"
    ):
        prepare(source, layout=Layout.PIPE_PAIRS)


class _CountingReader(io.RawIOBase):
    """A large pipe-pairs file produced on the fly, counting the bytes handed out."""

    def __init__(self, lines: int) -> None:
        self.line = "网络主权是各国平等参与国际网络空间治理的基础 | Cyber sovereignty underpins equal participation\n".encode()
        self.remaining = lines
        self.served = 0
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        while len(self.buffer) < len(target) and self.remaining:
            self.buffer += self.line * min(self.remaining, 1000)
            self.remaining -= min(self.remaining, 1000)
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        self.served += n
        return n


def test_a_50_mb_file_streams() -> None:
    lines = 50 * 1024 * 1024 // 110 + 1
    readers: list[_CountingReader] = []

    def opener() -> io.BufferedReader:
        readers.append(_CountingReader(lines))
        return io.BufferedReader(readers[-1])

    size = lines * len(_CountingReader(1).line)
    assert size > 50 * 1024 * 1024
    reader = prepare(
        Source("big.txt", "big", (InputFile(name="big.txt", size=size, opener=opener),)),
        max_bytes=64 * 1024 * 1024,
    )
    assert reader.layout == Layout.PIPE_PAIRS
    segments = reader.segments()
    first = next(segments)
    assert first.kind == SegmentKind.PAIR
    assert readers[-1].served < 4 * 1024 * 1024  # the first pair came before the file was read
    assert sum(1 for _ in segments) + 1 == lines
