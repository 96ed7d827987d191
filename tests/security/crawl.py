"""A bounded crawl of the web UI through the test client: every page reachable by links, once."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import lxml.html
from flask.testing import FlaskClient

SKIP_PREFIXES = ("/static/", "/export/download", "/api/", "/logout")


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    html: str

    def tree(self) -> lxml.html.HtmlElement:
        return lxml.html.document_fromstring(self.html)


def crawl(client: FlaskClient, start: Iterable[str], limit: int = 200) -> Iterator[Page]:
    """GET ``start`` and every same-site link found, breadth first, at most ``limit`` pages."""
    queue = deque(start)
    seen: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()
        page = Page(url, response.status_code, dict(response.headers), body)
        yield page
        if response.mimetype != "text/html" or not body.strip():
            continue
        for element, _attribute, link, _pos in page.tree().iterlinks():
            if element.tag != "a":
                continue
            link, _fragment = urldefrag(link)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIP_PREFIXES):
                continue
            if link not in seen:
                queue.append(link)
