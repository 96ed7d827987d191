"""Chinese word segmentation around the project's own jieba tokenizer.

jieba's global ``jieba.dt`` is shared mutable state; the termbase keeps its own
``jieba.Tokenizer`` so that words added for extraction never leak elsewhere.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from termbase.text.normalize import to_simplified

if TYPE_CHECKING:
    import jieba
    import jieba.posseg


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    flag: str
    start: int
    end: int


def _pos_tokenizer(tokenizer: jieba.Tokenizer) -> jieba.posseg.POSTokenizer:
    """A POS tagger over our own tokenizer that reuses the tag table jieba parsed at import.

    Parsing jieba's dictionary again costs seconds per process; a copy keeps words added
    to our tokenizer out of jieba's global tagger. jieba is imported here, not with the
    module: its tag table costs a process 70 MB, which commands that never segment (an
    export) should not pay.
    """
    import jieba.posseg

    class POSTokenizer(jieba.posseg.POSTokenizer):
        def load_word_tag(self, f: Any) -> None:
            f.close()
            self.word_tag_tab = dict(jieba.posseg.dt.word_tag_tab)

    return POSTokenizer(tokenizer)


class Segmenter:
    """Lazily initialised jieba tokenizer with POS tagging and offsets.

    Input is converted to Simplified first (jieba ships no Traditional dictionary);
    offsets refer to the original string because the conversion keeps length.
    """

    def __init__(self, cache_dir: str | None = None) -> None:
        self._cache_dir = cache_dir or tempfile.gettempdir()
        self._lock = threading.Lock()
        self._tokenizer: jieba.Tokenizer | None = None
        self._pos: jieba.posseg.POSTokenizer | None = None

    def _ready(self) -> jieba.posseg.POSTokenizer:
        if self._pos is None:
            with self._lock:
                if self._pos is None:
                    import jieba

                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.tmp_dir = self._cache_dir
                    tokenizer.cache_file = os.path.join(self._cache_dir, "termbase-jieba.cache")
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
                    self._pos = _pos_tokenizer(tokenizer)
        return self._pos

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        self._ready()
        assert self._tokenizer is not None
        return self._tokenizer

    def add_word(self, word: str, *, tag: str = "nz", freq: int | None = None) -> None:
        """Add a word; always with a tag, because jieba tags untagged words like punctuation."""
        self.tokenizer.add_word(word, freq=freq, tag=tag)

    def cut(self, text: str) -> list[str]:
        simplified = to_simplified(text)
        words = self.tokenizer.lcut(simplified, HMM=True)
        # Return the original characters, not the simplified ones.
        out, pos = [], 0
        for w in words:
            out.append(text[pos : pos + len(w)])
            pos += len(w)
        return out

    def split_compound(self, word: str) -> list[str]:
        """A word of four or more characters as its parts, when dictionary words of two or more cover it.

        jieba's dictionary holds compounds such as 电子商务 beside their parts (电子, 商务); pinyin
        is written part by part (``diànzi shāngwù``), whether or not jieba kept the compound
        whole. The fewest parts win, longer first parts break ties; a word no such parts cover
        (an idiom, a name) stays whole.
        """
        size = len(word)
        if size < 4:
            return [word]
        dag = self.tokenizer.get_DAG(to_simplified(word))
        best: list[list[str] | None] = [None] * size + [[]]
        for start in range(size - 1, -1, -1):
            for last in dag.get(start, ()):
                length = last - start + 1
                rest = best[last + 1]
                if length < 2 or length >= size or rest is None:
                    continue
                parts = [word[start : last + 1], *rest]
                current = best[start]
                if current is None or len(parts) < len(current):
                    best[start] = parts
        return best[0] or [word]

    def tag(self, text: str) -> list[Token]:
        """POS-tagged tokens with offsets into ``text``."""
        pos_tokenizer = self._ready()
        tokens: list[Token] = []
        offset = 0
        for pair in pos_tokenizer.lcut(to_simplified(text), HMM=True):
            word = text[offset : offset + len(pair.word)]
            tokens.append(Token(word, pair.flag, offset, offset + len(pair.word)))
            offset += len(pair.word)
        return tokens


_default: Segmenter | None = None
_default_lock = threading.Lock()


def default_segmenter() -> Segmenter:
    """The process-wide segmenter used for pinyin grouping and extraction."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Segmenter()
    return _default
