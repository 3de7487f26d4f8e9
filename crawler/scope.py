"""Which URLs a crawl may request: the registry's sites (host and port) and the allowed
host suffixes (``RENFANG_ALLOWED_SUFFIXES``, ``*.gov.cn``); never a copy on a spam host."""
from __future__ import annotations

from urllib.parse import urlsplit


def netloc(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port or (443 if parts.scheme == 'https' else 80)}"


class Scope:
    def __init__(self, sites=(), suffixes=()):
        self.netlocs: set[str] = set()
        self.suffixes = tuple(x.strip().lower() for x in suffixes if x and x.strip())
        for site in sites:
            self.add(site)

    def add(self, site) -> None:
        self.netlocs.add(netloc(site.url))
        if getattr(site, "column_url", ""):
            self.netlocs.add(netloc(site.column_url))

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        if netloc(url) in self.netlocs:
            return True
        host = (parts.hostname or "").lower()
        return any(host.endswith(sfx) or host == sfx.lstrip(".") for sfx in self.suffixes)
