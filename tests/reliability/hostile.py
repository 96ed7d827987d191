"""Hostile inputs shared by the reliability tests: XML attacks, broken encodings, and a 1 GB stream.

Builders take the secret file's URI and a loopback port whose listener records any
connection, so a test can prove that nothing was read from disk or fetched.
"""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

GIGABYTE = 1024**3

_TBX_HEAD = (
    '<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc>'
    "</fileDesc></martifHeader><text><body>"
)
_TMX_HEADER = (
    '<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en" '
    'creationtool="x" creationtoolversion="1" o-tmf="x"/>'
)


def tbx(term: str, doctype: str = "") -> bytes:
    """A TBX-Basic file with one entry: 网络主权 and the given (raw XML) English term."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{_TBX_HEAD}<termEntry id="c1">'
        '<langSet xml:lang="zh"><tig><term>网络主权</term></tig></langSet>'
        f'<langSet xml:lang="en"><tig><term>{term}</term></tig></langSet></termEntry></body></text></martif>'
    ).encode()


def tmx(segment: str, doctype: str = "") -> bytes:
    """A TMX file with one unit: a Chinese sentence and the given (raw XML) English segment."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{_TMX_HEADER}<body><tu>'
        '<tuv xml:lang="zh-CN"><seg>尊重网络主权。</seg></tuv>'
        f'<tuv xml:lang="en"><seg>{segment}</seg></tuv></tu></body></tmx>'
    ).encode()


def xml_attacks(root: str, secret_uri: str, port: int) -> dict[str, tuple[str, str]]:
    """Name → (DOCTYPE, element content) for each attack, for a document whose root is ``root``."""
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "xxe-file": (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret_uri}">]>', "&xxe;"),
        "xxe-network": (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/x">]>', "&xxe;"),
        "xxe-parameter": (
            f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>',
            "cyber sovereignty",
        ),
        "billion-laughs": (f'<!DOCTYPE {root} [<!ENTITY lol0 "lol">{laughs}]>', "&lol9;"),
        "quadratic-blowup": (f'<!DOCTYPE {root} [<!ENTITY a "{"a" * 50_000}">]>', "&a;" * 50_000),
        "deep-nesting": ("", "<hi>" * 100_000 + "x" + "</hi>" * 100_000),
        "undefined-entity": ("", "cyber &nope; sovereignty"),
    }


# Accepted, but must neither fetch nor read anything: the DTD is not loaded, XInclude not processed.
def harmless_references(root: str, secret_uri: str, port: int) -> dict[str, tuple[str, str]]:
    return {
        "external-dtd": (f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/evil.dtd">', "cyber sovereignty"),
        "local-dtd": (f'<!DOCTYPE {root} SYSTEM "{secret_uri}">', "cyber sovereignty"),
        "xinclude": (
            "",
            f'cyber sovereignty<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret_uri}" '
            'parse="text"/>',
        ),
    }


BROKEN_BYTES = {
    "invalid-utf8": b"cyber \xff\xfe sovereignty",
    "overlong-utf8": b"cyber \xc0\xaf sovereignty",
    "surrogate-utf8": b"cyber \xed\xa0\x80 sovereignty",
    "truncated-utf8": b"cyber sovereignty \xe7\xbd",
    "nul": b"cyber\x00sovereignty",
}


def tbx_with_bytes(raw: bytes) -> bytes:
    head, tail = tbx("@@").split(b"@@")
    return head + raw + tail


def tmx_with_bytes(raw: bytes) -> bytes:
    head, tail = tmx("@@").split(b"@@")
    return head + raw + tail


@dataclass
class Listener:
    """A loopback TCP listener that counts connections (an XXE or DTD fetch would show up here)."""

    port: int
    connections: list[str] = field(default_factory=list)


@contextmanager
def loopback_listener() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    listener = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            listener.connections.append(f"{address}")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


class HugeStream(io.RawIOBase):
    """A 1 GB body that is never materialised: it reports its size and counts what is read."""

    def __init__(self, size: int = GIGABYTE, prefix: bytes = b"") -> None:
        self.size = size
        self.prefix = prefix
        self.read_bytes = 0  # the position: what has been read (seeking to measure does not count)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.read_bytes

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # Seeking only measures the size (as a test client does); the bytes are never produced.
        self.read_bytes = {io.SEEK_SET: 0, io.SEEK_CUR: self.read_bytes, io.SEEK_END: self.size}[
            whence
        ] + offset
        return self.read_bytes

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.read_bytes >= self.size:
            return 0
        n = min(len(buffer), self.size - self.read_bytes)
        chunk = self.prefix[self.read_bytes : self.read_bytes + n]
        chunk += b"a" * (n - len(chunk))
        buffer[:n] = chunk
        self.read_bytes += n
        return n
