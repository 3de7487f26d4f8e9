"""Archived web pages as a reader sees them: links rewritten, as pywb and ArchiveBox replay them.

An archived HTML page keeps the links its portal wrote (``./202001/t20200120_5123.html``,
``/col/col1005/index.html``): served from ``/-/documents/<sha256>`` as they are, they point into
the archive's own site and answer 404. :func:`rewrite_html` resolves every link of the page
against the URL it was fetched at (its ``<base href>`` first) and points it at the archived copy
(``/-/documents/<sha256>`` of the newest version the archive holds of that URL) where the archive
has the URL, at the original URL otherwise. Only the attribute values are rewritten; the rest of
the page is left as it was. The exact bytes stay at ``/-/documents/<sha256>?raw=1`` (their
SHA-256 in the headers).
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

DOCUMENT_ROUTE = "/-/documents/"
#: pages larger than this are served as they are (rewriting holds the whole page in memory)
MAX_REWRITE_BYTES = 8 << 20

_TAG = re.compile(r"<(a|area|link|img|script|iframe|frame|form|source|embed|input|object|base)\b[^>]*>", re.I)
_ATTR = re.compile(r"""(\s(href|src|action|data|background)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_BASE = re.compile(r"""<base\b[^>]*\shref\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_KEEP = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")


def _value(raw: str) -> str:
    return html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw)


def links(text: str, base_url: str) -> tuple[str, list[str]]:
    """The page's base URL (its ``<base href>`` resolved, else ``base_url``) and every absolute
    URL its rewritable attributes hold, without fragments."""
    found = _BASE.search(text)
    base = urljoin(base_url, _value(found.group(1)).strip()) if found else base_url
    out = []
    for tag in _TAG.finditer(text):
        if tag.group(1).lower() == "base":
            continue
        for attr in _ATTR.finditer(tag.group(0)):
            value = _value(attr.group(3)).strip()
            if value and not value.lower().startswith(_KEEP):
                out.append(urljoin(base, value).split("#", 1)[0])
    return base, out


def rewrite_html(text: str, base_url: str, archived: Callable[[Iterable[str]], dict[str, str]]) -> str:
    """``text`` with each link pointed at its archived copy (``archived(urls)`` → {url: sha256} of
    the URLs the archive holds) or at its original, absolute URL; fragments kept."""
    base, urls = links(text, base_url)
    held = archived(sorted(set(urls)))

    def target(value: str) -> str:
        absolute = urljoin(base, value.strip())
        url, _, fragment = absolute.partition("#")
        if urlsplit(url).scheme not in ("http", "https"):
            return value
        sha = held.get(url)
        return (DOCUMENT_ROUTE + sha if sha else url) + (f"#{fragment}" if fragment else "")

    def attr(m: re.Match) -> str:
        value = _value(m.group(3))
        if not value.strip() or value.strip().lower().startswith(_KEEP):
            return m.group(0)
        return f'{m.group(1)}"{html.escape(target(value), quote=True)}"'

    # <base href> itself stays: the links it governs are absolute once rewritten
    return _TAG.sub(lambda tag: tag.group(0) if tag.group(1).lower() == "base" else _ATTR.sub(attr, tag.group(0)),
                    text)


def archived_urls(conn, urls: list[str]) -> dict[str, str]:
    """{url: sha256} for the URLs the archive holds a body of: the newest version fetched at the
    URL (or reached through it, ``final_url``), or recorded for it as a report's document."""
    out: dict[str, str] = {}
    for start in range(0, len(urls), 400):
        chunk = urls[start:start + 400]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            f"""select url, sha256, at from (
                  select url, sha256, fetched_at as at from fetches where sha256 is not null and url in ({marks})
                  union all
                  select final_url, sha256, fetched_at from fetches where sha256 is not null and final_url in ({marks})
                  union all
                  select url, sha256, first_seen from report_documents where url in ({marks}))
                order by at""", [*chunk, *chunk, *chunk]).fetchall()
        for url, sha256, _ in rows:   # oldest first: the newest version wins
            out[url] = sha256
    return out


def fetched_at(conn, sha256: str) -> str | None:
    """The URL a document was fetched at (its newest fetch; else the report's document URL)."""
    row = conn.execute("""select coalesce(final_url, url) from fetches where sha256 = ?
                          order by fetched_at desc limit 1""", [sha256]).fetchone()
    if row is None:
        row = conn.execute("select url from report_documents where sha256 = ? order by first_seen desc limit 1",
                           [sha256]).fetchone()
    url = row[0] if row else None
    return url.split("#", 1)[0] if url else None
