"""HTML (文字版 article pages) -> grids + text.

Pages pasted from Word carry hundreds of KB of mso markup; lxml copes, and only the article
body is read. Each <table> is rebuilt as a grid honouring rowspan/colspan (covered positions
None); &nbsp;-only cells are blank.
"""
from __future__ import annotations

import re

import lxml.html

from .grid import Extracted, Grid, GridTooLarge, SpanCell, build_grid
from .model import ParseError
from .normalize import decode_text, fix_radicals
from .sniff import HTML
from .vocab import ParseStatus

MAX_GRID_CELLS = 200_000  # the three report tables have ~300 cells; spans can blow a grid up
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Article containers of the common government CMSs (TRS WCM, Hanweb, others), most specific first
_BODY_XPATHS = (
    '//*[@id="zoom"]', '//*[contains(@class,"TRS_Editor")]', '//*[@id="UCAP-CONTENT"]',
    '//*[contains(@class,"trs_editor_view")]', '//*[@id="Zoom"]', '//*[@id="content"]',
    '//*[contains(@class,"article-content")]', '//*[contains(@class,"article_con")]',
    '//*[contains(@class,"bt_content")]', '//*[contains(@class,"main-txt")]', '//article',
)
_BLOCK = {"p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "section", "article", "center", "dd", "dt", "dl", "blockquote", "pre",  # not vocabulary: HTML tags
          "header", "footer", "hr", "caption", "tbody", "thead"}
_SKIP = {"script", "style", "noscript", "template", "head", "select", "button"}
_META_TITLE = ("ArticleTitle", "articletitle", "title", "og:title")
_META_DATE = ("PubDate", "pubdate", "publishdate", "firstpublishedtime")
_META_SOURCE = ("ContentSource", "contentsource", "author", "SiteName")


def extract_html(data: bytes) -> Extracted:
    m = _CHARSET.search(data[:4096])
    source = decode_text(data, m.group(1).decode("ascii", "ignore") if m else None)
    source = _XML_DECL.sub("", fix_radicals(source))
    doc = lxml.html.document_fromstring(source)
    meta = {(el.get("name") or el.get("property") or "").strip(): (el.get("content") or "").strip()
            for el in doc.iter("meta")}
    title = _first(meta, _META_TITLE) or _text_of(doc.find(".//title"))
    body = article_body(doc)
    grids = [table_to_grid(t) for t in body.iter("table")]
    text = element_to_text(body)
    return Extracted(HTML, grids, [text], pages=None, title_hint=title or None,
                     date_hint=_iso_date(_first(meta, _META_DATE)),
                     agency_hint=_first(meta, _META_SOURCE) or None)


def _first(meta: dict, names) -> str:
    return next((meta[n] for n in names if meta.get(n)), "")


def _text_of(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip() if el is not None else ""


def _iso_date(value: str) -> str | None:
    m = re.search(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})", value or "")
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def article_body(doc):
    for xpath in _BODY_XPATHS:
        for el in doc.xpath(xpath):
            if len(el.text_content().strip()) >= 50:
                return el
    body = doc.find("body")
    return body if body is not None else doc


def element_to_text(el, skip_tables: bool = False) -> str:
    """Visible text with a newline per block and a TAB between table cells (the seed form)."""
    parts: list[str] = []

    def walk(e, top=False):
        tag = e.tag if isinstance(e.tag, str) else None
        if tag is not None and tag.lower() not in _SKIP \
                and not (skip_tables and not top and tag.lower() == "table"):
            tag = tag.lower()
            if tag in _BLOCK:
                parts.append("\n")
            elif tag in ("td", "th"):
                parts.append("\t")
            parts.append(_collapse(e.text, tag == "pre"))
            for child in e:
                walk(child)
            if tag in _BLOCK and tag != "br":
                parts.append("\n")
        if not top:
            parts.append(_collapse(e.tail, False))

    walk(el, top=True)
    lines = []
    for line in "".join(parts).replace("\xa0", " ").replace("\u3000", " ").split("\n"):
        cells = [re.sub(r"[ \r\f\v]+", " ", c).strip() for c in line.strip("\t ").split("\t")]
        lines.append("\t".join(cells).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _collapse(text: str | None, pre: bool) -> str:
    """HTML whitespace: a run of spaces, TABs and source line breaks renders as one space."""
    if not text:
        return ""
    return text if pre else re.sub(r"[ \t\r\n\f]+", " ", text)


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return min(max(int(m.group(1)), 1), 200) if m else 1  # clamp: rowspan="999" exists


def table_to_grid(table) -> Grid:
    """The table's own rows (not nested tables') on the grid (grid.build_grid)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    spans = [[SpanCell(cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
              for td in tr.xpath("./td | ./th")] for tr in rows]
    try:
        return build_grid(spans, MAX_GRID_CELLS)
    except GridTooLarge as e:
        raise ParseError(ParseStatus.TOO_LARGE, str(e)) from e


def cell_text(td) -> str:
    text = element_to_text(td, skip_tables=True).replace("\t", " ")
    return re.sub(r"\n\s*\n+", "\n", text).strip()
