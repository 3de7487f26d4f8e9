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
    quirks = is_quirks(doc.getroottree().docinfo.doctype)
    grids = [table_to_grid(t, quirks) for t in body.iter("table") if not hidden(t)]
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
        if tag is not None and tag.lower() not in _SKIP and not hidden(e) \
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


_DIGITS = re.compile(r"[ \t\n\f\r]*([0-9]+)")
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # HTML's own limits


def _span_value(value: str | None) -> int | None:
    """HTML's "rules for parsing non-negative integers": leading whitespace, then digits
    (``"2px"`` is 2); None when there are none."""
    m = _DIGITS.match(value or "")
    return int(m.group(1)) if m else None


def colspan_of(value: str | None) -> int:
    """``colspan``: 1 when missing, unparsable or 0; at most 1000 (the HTML table model)."""
    n = _span_value(value)
    return min(n, MAX_COLSPAN) if n else 1


def rowspan_of(value: str | None, quirks: bool = True) -> int:
    """``rowspan``: 1 when missing or unparsable; at most 65534; 0 (down to the end of the row
    group) only in a no-quirks document, else 1 (the HTML table model)."""
    n = _span_value(value)
    if n is None:
        return 1
    if n == 0:
        return 1 if quirks else 0
    return min(n, MAX_ROWSPAN)


_HIDDEN = re.compile(r"(?:^|;)\s*display\s*:\s*none\b", re.I)


def hidden(el) -> bool:
    """An element a browser does not render: ``hidden``, or ``display:none`` in its style
    (Word's hidden text, a CMS's hidden duplicate row)."""
    return el.get("hidden") is not None or bool(_HIDDEN.search(el.get("style") or ""))


# doctypes whose documents render in quirks mode (the HTML standard's list, the common ones)
_QUIRKS_PUBLIC = ("-//w3c//dtd html 3", "-//w3c//dtd html 2", "-//ietf//dtd html",
                  "-//w3c//dtd html 4.0 transitional//", "-//w3c//dtd html 4.0 frameset//",
                  "-//w3o//dtd w3 html", "-//microsoft//dtd internet explorer")
_QUIRKS_NO_SYSTEM = ("-//w3c//dtd html 4.01 transitional//", "-//w3c//dtd html 4.01 frameset//")


def is_quirks(doctype: str | None) -> bool:
    """Whether a page with this ``<!DOCTYPE …>`` renders in quirks mode: no doctype at all (as
    Word's pasted pages), an old HTML public id, HTML 4.01 Transitional without its system id."""
    m = re.match(r"\s*<!doctype\s+(\S+)(.*)>\s*$", doctype or "", re.I | re.S)
    if not m or m.group(1).lower() != "html":  # not vocabulary: the doctype's name
        return True
    ids = re.findall(r"[\"']([^\"']*)[\"']", m.group(2))
    public = ids[0].lower() if re.search(r"\bpublic\b", m.group(2), re.I) and ids else ""
    system = ids[1] if public and len(ids) > 1 else ""
    return public.startswith(_QUIRKS_PUBLIC) or (public.startswith(_QUIRKS_NO_SYSTEM) and not system)


def table_rows(table) -> tuple[list, list[int]]:
    """The table's own rendered rows (not nested tables', not hidden ones) in the order a browser
    lays them out, and where each row group ends: ``<thead>`` / ``<tbody>`` / runs of bare
    ``<tr>`` in source order, every ``<tfoot>`` after them (the HTML table model)."""
    groups, feet, bare = [], [], []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            bare.append(child)
            continue
        if bare and tag in ("thead", "tbody", "tfoot"):   # (a comment does not end a run)
            groups.append(bare)
            bare = []
        if tag in ("thead", "tbody"):
            groups.append(child.xpath("./tr"))
        elif tag == "tfoot":
            feet.append(child.xpath("./tr"))
    if bare:
        groups.append(bare)
    rows, ends = [], []
    for group in groups + feet:
        rows += [tr for tr in group if not hidden(tr)]
        ends.append(len(rows))
    return rows, ends


def table_to_grid(table, quirks: bool = True) -> Grid:
    """The table on the grid (grid.build_grid), as a browser lays it out: row groups,
    ``colspan``/``rowspan`` parsed by HTML's rules; a hidden row or cell (``display:none``)
    has no box, so it takes no position and no rowspan counts it."""
    rows, ends = table_rows(table)
    spans = [[SpanCell(cell_text(td), rowspan_of(td.get("rowspan"), quirks), colspan_of(td.get("colspan")))
              for td in tr.xpath("./td | ./th") if not hidden(td)] for tr in rows]
    try:
        return build_grid(spans, MAX_GRID_CELLS, group_ends=ends)
    except GridTooLarge as e:
        raise ParseError(ParseStatus.TOO_LARGE, str(e)) from e
    return grid


def cell_text(td) -> str:
    text = element_to_text(td, skip_tables=True).replace("\t", " ")
    return re.sub(r"\n\s*\n+", "\n", text).strip()
