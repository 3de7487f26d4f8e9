"""Pure extraction from one page: its links, its list entries, its attachments, its title.

Each function takes a parsel Selector (or text) and the page's URL and returns
plain data; ``crawler.shapes`` decides what the page is, the spider only turns
the result into requests and items. Tests call these on frozen pages.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.classify import link_score, normalize_title

# Attachments worth archiving with a report.
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|zip|rar|7z|ofd|jpe?g|png|tiff?)(?:$|[?#])", re.I)
# Download scripts: downfile.jsp?filename=…, /download?id=…, getFile.do, DownloadServlet, /attachment/…
ATTACHMENT_URL = re.compile(r"down(?:load)?(?:file)?|getfile|fileget|attach(?:ment)?|openfile|/files?/|fujian",
                            re.I)
# Tabs and links to other renditions of the same report: 全真版 / 文字版 / 图片版 / 超链版 / 手机版,
# and attachment links named only by their number (附件1, 附件：).
RENDITION_TEXT = re.compile(r"^[\[【（(]?\s*(全真版|文字版|图片版|超链版|PDF版|pdf版|手机版|原文|附件\d*|附件下载|下载附件"
                            r"|点击下载|下载|查看原文|原文下载)\s*[\]】）):：]?$")
DATE = re.compile(r"(19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_SCRIPT_URL = re.compile(r"""(?:window\.open|location(?:\.href)?\s*=|location\.assign|openWin\w*|goto\w*)\s*\(?\s*['"]([^'"]+)['"]""")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    date: str = ""


def _text(el) -> str:
    return re.sub(r"\s+", " ", " ".join(t for t in el.itertext() if t)).strip()


def link_text(a) -> str:
    """What a link says: its text, else its title, else the alt text of its image. A title
    attribute longer than the text wins (lists truncate titles with "…")."""
    el = a.root if isinstance(a, Selector) else a
    text = _text(el)
    title = (el.get("title") or "").strip()
    if title and len(normalize_title(title)) > len(normalize_title(text)):
        text = title
    if not text:
        text = " ".join(filter(None, (img.get("alt") or img.get("title") for img in el.iter("img")))).strip()
    return text


#: a fragment that is a route of a single-page app (``#/list/ndbg/2``, ``#!/detail/31``): another
#: page the app's scripts build, not a place on this one
HASH_ROUTE = re.compile(r"#!?/[^/\s]")     # "#/" alone is the app's root: the page itself


def is_hash_route(url: str) -> bool:
    """``url`` names a route of a single-page app: only a browser can open it."""
    _, hash_, fragment = url.partition("#")
    return bool(hash_) and bool(HASH_ROUTE.match("#" + fragment))


def page_url(url: str) -> str:
    """The page a URL opens: without its fragment, unless the fragment is an app's route."""
    return url if is_hash_route(url) else url.split("#")[0]


def href_of(a) -> str | None:
    """The URL a link opens: its href (an app's ``#/route`` too), or the URL a
    ``javascript:``/onclick handler opens."""
    el = a.root if isinstance(a, Selector) else a
    href = (el.get("href") or "").strip()
    if href and (HASH_ROUTE.match(href) or not href.lower().startswith(("javascript:", "mailto:", "tel:", "#"))):
        return href
    m = _SCRIPT_URL.search(href + " " + (el.get("onclick") or ""))
    return m.group(1) if m else None


_LINKS_CACHE: dict = {}
# Links that say nothing of what they open: a catalogue (信息公开目录) row's title is in another cell
GENERIC_TEXT = re.compile(r"^[\[【(]?(查看|详情|详细|详细信息|浏览|阅读|阅读全文|点击查看|查看详情|打开|更多|>>|»|下载)[\]】)]?$")


def _row_title(a) -> str:
    """The title of the row a generic link (查看) sits in: its longest cell that is not a date,
    a number or the link itself."""
    node = a
    for _ in range(4):
        node = node.getparent()
        if node is None:
            return ""
        if node.tag in ("tr", "li", "dl"):
            break
    else:
        return ""
    cells = [_text(c) for c in node if isinstance(c.tag, str) and c is not a and a not in c.iterdescendants()]
    cells = [c for c in cells if c and not DATE.fullmatch(c) and not re.fullmatch(r"[A-Za-z0-9./-]{0,40}", c)]
    return max(cells, key=len) if cells else ""


def links(sel: Selector, base_url: str) -> list[Link]:
    """Every link of the page with its text and the date printed beside it: the nearest
    enclosing element (up to three levels) that holds a date and no other link (a
    ``<div class="tit">`` inside ``<div class="item">`` beside ``<div class="time">``).
    Computed once per page (every strategy reads the same links)."""
    key = (id(sel.root), base_url)
    cached = _LINKS_CACHE.get(key)
    if cached is not None and cached[0] is sel.root:
        return cached[1]
    out = []
    root = sel.root
    for a in (root.iter("a") if hasattr(root, "iter") else ()):
        if not isinstance(a.tag, str):
            continue
        href = href_of(a)
        if not href:
            continue
        date, node = None, a
        for _ in range(4 if a.getparent() is not None and a.getparent().tag == "td" else 3):
            node = node.getparent()
            if node is None or sum(1 for _ in zip(range(2), node.iter("a"))) > 1:
                break
            date = DATE.search(" ".join(t for t in node.itertext() if t))
            if date:
                break
        text = link_text(a)
        if GENERIC_TEXT.match(re.sub(r"\s+", "", text)):
            text = _row_title(a) or text
        out.append(Link(urljoin(base_url, href), text, _date(date.group(0)) if date else ""))
    if len(_LINKS_CACHE) > 16:
        _LINKS_CACHE.clear()
    _LINKS_CACHE[key] = (root, out)
    return out


def _date(text: str) -> str:
    y, m, d = re.findall(r"\d+", text)[:3]
    return f"{y}-{int(m):02d}-{int(d):02d}"


def best_links(sel: Selector, base_url: str, wanted: tuple[str, ...], most: int = 2,
               accept=lambda link: True) -> list[Link]:
    """The links whose text best names one of the ``wanted`` columns (ties: first on the
    page), at most ``most`` distinct URLs of the best score; only those ``accept`` takes."""
    scored = [(link_score(l.text, wanted), i, l) for i, l in enumerate(links(sel, base_url)) if accept(l)]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return []
    top = max(s[0] for s in scored)
    out: dict[str, Link] = {}
    for score, _, link in sorted(scored, key=lambda s: (-s[0], s[1])):
        if score == top and page_url(link.url) not in out and len(out) < most:
            out[page_url(link.url)] = link
    return list(out.values())


def best_link(sel: Selector, base_url: str, wanted: tuple[str, ...]) -> Link | None:
    """The link whose text best names one of the ``wanted`` columns."""
    found = best_links(sel, base_url, wanted, most=1)
    return found[0] if found else None


def list_items(sel: Selector, base_url: str) -> list[Link]:
    """Entries of an article list: each link with its title (the title attribute when the
    list truncates) and the date on its row, one per URL (the longest title kept)."""
    out: dict[str, Link] = {}
    for link in links(sel, base_url):
        key = page_url(link.url)
        if key not in out or len(link.text) > len(out[key].text):
            out[key] = link
    return list(out.values())


def list_items_by_selector(sel: Selector, base_url: str, selector: str) -> list[Link]:
    """Entries of a list chosen by a registry hint: a CSS (or ``xpath:…``) selector of the entries."""
    nodes = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    out = []
    for node in nodes:
        a = node if node.root.tag == "a" else (node.xpath(".//a[@href]") or [None])[0]
        if a is None or not href_of(a):
            continue
        date = DATE.search(" ".join(node.css("::text").getall()))
        out.append(Link(urljoin(base_url, href_of(a)), link_text(a), _date(date.group(0)) if date else ""))
    return out


_INDEX_PAGE = re.compile(r"/(?:index\.\w+|default\.\w+)?$", re.I)


def attachments(sel: Selector, base_url: str) -> list[Link]:
    """Links to the documents attached to an article (PDF, DOCX, downfile.jsp …), to its
    other renditions (全真版 / 文字版 / 图片版 tabs), and documents it embeds (a pdf.js viewer's
    ``file=``, ``<iframe>``/``<embed>``/``<object>`` of a PDF, the pages of a report published
    as page images). A site's 手机版 home page in its top bar is not a rendition of the report."""
    seen, out = {page_url(base_url)}, []
    for l in links(sel, base_url) + embedded(sel, base_url) + page_images(sel, base_url):
        url = page_url(l.url)
        if url in seen or parse_qs(urlsplit(url).query).get("file"):
            continue         # a viewer's link: its file= is taken by embedded()
        text = re.sub(r"\s+", "", l.text)
        path = urlsplit(url).path + "?" + urlsplit(url).query
        document = ATTACHMENT_EXT.search(url) or ATTACHMENT_URL.search(path) or ATTACHMENT_EXT.search(text)
        if document or (RENDITION_TEXT.match(text) and not _INDEX_PAGE.search(urlsplit(url).path)):
            seen.add(url)
            out.append(Link(url, l.text))
    return out


#: documents (not pictures: a script's pictures are banners and sliders) a script may name
_SCRIPT_DOCUMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|zip|rar|7z|ofd)(?:$|[?#])", re.I)


def control_attachments(candidates, base_url: str, known=()) -> list[Link]:
    """Documents an article reaches only through a control (``crawler.discover`` candidates):
    ``onclick="downloadFile('8f3a')"``, a ``data-url``, a viewer's file, a framed PDF, and a
    document its scripts name (``PDFObject.embed('/u/x.pdf')``, ``var fileUrl = '/u/x.pdf'`` set
    into a viewer's ``src``): on an article, a script's document is what the article shows."""
    seen, out = {page_url(base_url), *known}, []
    for c in candidates:
        if c.url in seen or (c.tag in ("a", "area") and c.attribute == "href"):
            continue
        url = c.url
        for value in parse_qs(urlsplit(url).query).get("file", [])[:1]:   # a viewer: its document
            url = urljoin(url if value.startswith(".") else base_url, value)
        if url in seen or (c.speculative and not _SCRIPT_DOCUMENT.search(url)):
            continue     # a script's page, endpoint or picture is no attachment; its document is
        path = urlsplit(url).path + "?" + urlsplit(url).query
        if ATTACHMENT_EXT.search(url) or ATTACHMENT_URL.search(path):
            seen.add(url)
            out.append(Link(url, c.text or f"{c.found_in}: {c.why}"))
    return out


_DOWNLOAD_WORDS = re.compile(r"附件|下载|全文|年度报告|年报|\.(pdf|docx?|wps|xlsx?|zip|rar|ofd)\b", re.I)


def download_controls(sel: Selector) -> list[str]:
    """The texts of controls that download by script (``onclick``, a ``javascript:`` link) and say
    so (附件, 下载, a file name): an article whose documents only its scripts name."""
    out = []
    for el in sel.xpath("//*[@onclick] | //a[starts-with(normalize-space(@href), 'javascript:')]"):
        text = " ".join(el.xpath(".//text()").getall()).strip()
        if _DOWNLOAD_WORDS.search(text) or _DOWNLOAD_WORDS.search(el.attrib.get("title", "")):
            out.append(text)
    return out


def embedded(sel: Selector, base_url: str) -> list[Link]:
    """Documents a page shows inline: ``viewer.html?file=/x.pdf``, ``<embed src=x.pdf>``."""
    out = []
    for src in sel.css("iframe::attr(src), embed::attr(src), object::attr(data)").getall():
        if src.strip().lower().startswith(("javascript", "about:")):
            continue
        url = urljoin(base_url, src.strip())
        files = parse_qs(urlsplit(url).query).get("file", [])
        for value in files:          # viewer.html?file=… : the document, not the viewer
            out.append(Link(urljoin(url if value.startswith(".") else base_url, unquote(value)), "embedded document"))
        if not files and ATTACHMENT_EXT.search(url):
            out.append(Link(url, "embedded document"))
    return out


PAGE_IMAGE = re.compile(r"\.(jpe?g|png|tiff?|bmp)(?:$|[?#])", re.I)
# site furniture, by its file name or its place: never a page of a report
_FURNITURE = re.compile(r"logo|banner|icon|ico[_-]|btn|button|qr|erweima|share|weixin|weibo|wechat|"
                        r"arrow|bullet|spacer|blank|/bg|bg[_-]|top[_-]|foot|print|close|search", re.I)
_FURNITURE_PLACE = ("ancestor::*[self::header or self::nav or self::footer or "
                    "contains(@class, 'head') or contains(@class, 'foot') or contains(@class, 'nav') or "
                    "contains(@id, 'head') or contains(@id, 'foot') or contains(@id, 'nav')]")
MIN_PAGE_IMAGES = 2
MAX_TABLE_CELLS = 20  # an article printing its tables in markup is the report itself


def page_images(sel: Selector, base_url: str) -> list[Link]:
    """The pages of a report published as page images, in the article's order: an article
    whose body is a series of ``<img>`` of JPEG/PNG pages (two or more, lazy-loading
    ``data-original`` / ``data-src`` too), and no table of its own. Logos, banners, QR codes
    and whatever sits in the page's header, navigation or footer are no pages. The load reads
    the pages, in this order, as one document (``archive/pages.py``)."""
    if len(sel.css("td, th")) > MAX_TABLE_CELLS:
        return []
    out: list[Link] = []
    seen: set[str] = set()
    for img in sel.css("img"):
        src = next((img.attrib[a].strip() for a in ("data-original", "data-src", "src")
                    if img.attrib.get(a, "").strip()), "")
        if not src or src.startswith("data:"):
            continue
        url = urljoin(base_url, src)
        if url in seen or not PAGE_IMAGE.search(url) or _FURNITURE.search(urlsplit(url).path) \
                or img.xpath(_FURNITURE_PLACE):
            continue
        seen.add(url)
        out.append(Link(url, img.attrib.get("alt") or f"page image {len(out) + 1}"))
    return out if len(out) >= MIN_PAGE_IMAGES else []


_PAGE_TEXT = re.compile(r"\d{1,3}|下一页|下页|后一页")


def continuation_pages(sel: Selector, base_url: str) -> list[str]:
    """Further pages of one article split over several (``t2025_8812_2.html``, ``?page=2``):
    pager links whose URL is the article's own plus a page number."""
    parts = urlsplit(base_url)
    page_of = None
    out = []
    for l in links(sel, base_url):
        if not _PAGE_TEXT.fullmatch(l.text.replace(" ", "")):
            continue
        u = urlsplit(l.url)
        if u.netloc != parts.netloc:
            continue
        if page_of is None:     # (a pattern of the page's own URL: made only where a link is a pager's)
            stem = re.sub(r"\.\w+$", "", parts.path)
            # page 2 links page 3 too: its own stem, and the stem without its _2
            page_of = re.compile("(?:" + "|".join({re.escape(stem), re.escape(re.sub(r"_\d{1,3}$", "", stem))})
                                 + r")_\d{1,3}\.\w+")
        if (page_of.fullmatch(u.path)
                or (u.path == parts.path and re.search(r"(?:^|&)(?:page|p|pageNo|pn)=\d+", u.query))):
            if page_url(l.url) != page_url(base_url) and l.url not in out:
                out.append(page_url(l.url))
    return out


#: page_titles' queries compiled once: the XPath parsel makes of the same selectors ("h1, h2, h3",
#: "::text", "title::text"), run on the parsed tree without a Selector made per node
_TITLE_META = etree.XPath("//meta[@name='ArticleTitle']/@content", smart_strings=False)
_HEADINGS = etree.XPath("descendant-or-self::h1 | descendant-or-self::h2 | descendant-or-self::h3")
_TEXTS = etree.XPath("descendant-or-self::text()", smart_strings=False)
_TITLE_TEXT = etree.XPath("descendant-or-self::title/text()", smart_strings=False)


#: parsel's ``Selector.type`` of a page parsed as HTML (its parsed tree is lxml's)
PARSEL_HTML = "html"  # not vocabulary: parsel's word, not a rendition of ours


def xpath_strings(sel: Selector, compiled: etree.XPath, query: str) -> list[str]:
    """``sel.xpath(query).getall()`` of a query that selects text or attribute values, ``compiled``
    being the same query compiled once: run on an HTML page's parsed tree with no Selector made
    per result (parsel's way for any other selector)."""
    root = sel.root
    if sel.type == PARSEL_HTML and isinstance(root, etree._Element):
        return [str(v) for v in compiled(root)]
    return sel.xpath(query).getall()


def page_titles(sel: Selector) -> list[str]:
    """The titles a page gives itself, most specific first: the guideline meta tag
    ArticleTitle, <h1>…<h3>, <title> (its article part: "标题_站点名" / "标题 - 站点名")."""
    out = []
    root = sel.root
    if sel.type == PARSEL_HTML and isinstance(root, etree._Element):
        meta, title = _TITLE_META(root)[:1], _TITLE_TEXT(root)[:1]
        values = [meta[0] if meta else None, *(" ".join(map(str, _TEXTS(h))) for h in _HEADINGS(root)[:3])]
        title = str(title[0]) if title else None
    else:
        values = [sel.xpath("//meta[@name='ArticleTitle']/@content").get(),
                  *(" ".join(h.css("::text").getall()) for h in sel.css("h1, h2, h3")[:3])]
        title = sel.css("title::text").get()
    for value in values:
        if value and value.strip():
            out.append(re.sub(r"\s+", " ", value).strip())
    title = re.sub(r"\s+", " ", title or "").strip()
    if title:
        out.append(re.split(r"\s*(?:_|——|\s-\s|\|)\s*", title)[0])
    return out


def page_title(sel: Selector) -> str:
    """The article's title: the guideline meta tag ArticleTitle, else <h1>, else <title>."""
    titles = page_titles(sel)
    return titles[0] if titles else ""


# --- file names of downloads
def query_filename(url: str) -> str:
    """``downfile.jsp?filename=2101.pdf``: the file name a download script was asked for."""
    query = parse_qs(urlsplit(url).query)
    values = query.get("filename") or query.get("fileName")
    return values[0] if values and "." in values[0] else ""


def url_filename(url: str) -> str:
    """The last segment of the URL's path (as ``PurePosixPath(path).name``: a trailing ``/`` or
    ``.`` segment skipped), percent-decoded; string work, not a path object, once per document."""
    segments = [s for s in urlsplit(url).path.split("/") if s and s != "."]
    return unquote(segments[-1]) if segments else ""


MAX_FILENAME_BYTES = 255  # a file name on every common file system


def safe_filename(name: str) -> str:
    """A server's file name as the archive stores and shows it: its last path segment (``../``,
    ``C:\\``, ``/etc/`` dropped), without control or format characters (NUL, CR, LF, bidi
    overrides, zero-width ones), spaces collapsed, at most 255 UTF-8 bytes (the extension kept);
    '' when nothing is left (``..``). The raw header stays in ``fetches.headers``."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = "".join(" " if c.isspace() else c for c in name if unicodedata.category(c) not in ("Cc", "Cf")
                   or c.isspace())
    name = re.sub(r" +", " ", name).strip(" .")
    if len(name.encode("utf-8")) > MAX_FILENAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext.encode("utf-8")) <= 16 else ""
        stem = stem if ext else name
        room = MAX_FILENAME_BYTES - len(ext.encode("utf-8")) - bool(ext)
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
        name = stem + ("." + ext if ext else "")
    return name


def content_disposition_filename(value: bytes | None) -> str:
    """The file name of a Content-Disposition header: RFC 5987 ``filename*``, else the
    ``filename`` as sent — percent-encoded UTF-8, or raw UTF-8/GBK bytes, which Chinese
    servers send without saying which. Never raises: a name that decodes in no known
    encoding is kept with replacement characters."""
    if not value:
        return ""
    m = re.search(rb"filename\*\s*=\s*([\w-]*)'[^']*'([^;]+)", value, re.I)
    if m:
        charset = m.group(1).decode("ascii", "replace") or "utf-8"
        raw = unquote_to_bytes(m.group(2).strip().strip(b'"').decode("latin-1"))
        return _decode_name(raw, (charset, "utf-8", "gb18030"))
    m = re.search(rb'filename\s*=\s*(?:"([^"]*)"|([^;]+))', value, re.I)
    if not m:
        return ""
    raw = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if re.search(rb"%[0-9A-Fa-f]{2}", raw):
        raw = unquote_to_bytes(raw.decode("latin-1"))
    return _decode_name(raw, ("utf-8", "gb18030"))


def _decode_name(raw: bytes, encodings: tuple[str, ...]) -> str:
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return raw.decode("utf-8", "replace")
