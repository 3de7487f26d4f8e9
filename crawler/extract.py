"""Pure extraction functions for the CMS styles of 人防 portals.

Each takes a Scrapy response (or text) and returns plain data; spiders only
turn that data into requests and items. Tests call these on frozen pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from crawler.classify import link_score

# Attachments worth archiving with a report.
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|zip|rar|ofd|jpe?g|png)(?:$|[?#])", re.I)
ATTACHMENT_URL = re.compile(r"downfile\.jsp|download", re.I)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    date: str = ""


def links(sel: Selector, base_url: str) -> list[Link]:
    out = []
    for a in sel.css("a[href]"):
        href = a.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(a.css("::text").getall()).strip() or a.attrib.get("title", "").strip()
        out.append(Link(urljoin(base_url, href), text))
    return out


def best_link(sel: Selector, base_url: str, wanted: tuple[str, ...]) -> Link | None:
    """The link whose text best names one of the ``wanted`` columns."""
    scored = [(link_score(l.text, wanted), i, l) for i, l in enumerate(links(sel, base_url))]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None


def list_items(sel: Selector, base_url: str) -> list[Link]:
    """Entries of an article list: ``<li>`` (or table row) holding a link and usually a date."""
    out = []
    for li in sel.xpath("//li[a[@href]] | //tr[td/a[@href]]"):
        a = li.xpath(".//a[@href]")[0]
        title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
        date = re.search(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}", " ".join(li.css("::text").getall()))
        out.append(Link(urljoin(base_url, a.attrib["href"].strip()), title,
                        date.group(0) if date else ""))
    return out


# --- TRS WCM: static pages index.html, index_1.html … announced by createPageHTML(count, current, "index", "html")
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")


def trs_next_pages(html: str, base_url: str, limit: int | None = None) -> list[str]:
    """All further list pages announced by the TRS pager (only on the first page), at most
    ``limit`` of them (a pager announcing a million pages is a trap)."""
    m = _CREATE_PAGE.search(html)
    if not m:
        return []
    count, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    if current != 0:
        return []
    if limit is not None:
        count = min(count, limit + 1)
    return [urljoin(base_url, f"{stem}_{i}.{ext}") for i in range(1, count)]


# --- Hanweb (大汉) jcms: records in <script type="text/xml"><datastore>…, more via POST dataproxy.jsp
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def hanweb_records(text: str, base_url: str) -> list[Link]:
    """List entries held in a Hanweb datastore (in a page's script or a dataproxy answer)."""
    html = "".join(_RECORD.findall(text))
    return list_items(Selector(text=f"<ul>{html}</ul>"), base_url) if html else []


@dataclass(frozen=True)
class HanwebPaging:
    proxy_url: str
    per_page: int
    total: int
    params: dict


def hanweb_paging(html: str, base_url: str) -> HanwebPaging | None:
    """The dataproxy.jsp paging parameters of a Hanweb list page, if it has more records."""
    if "<datastore" not in html:
        return None
    def num(name: str) -> int | None:
        m = re.search(name + r"\s*[:=]\s*['\"]?(\d+)", html)
        return int(m.group(1)) if m else None
    total, per_page = num("totalRecord"), num("perPage")
    proxy = re.search(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]", html)
    params = {}
    ajax = re.search(r"ajaxParam\s*:\s*\{(.*?)\}", html, re.S)
    if ajax:
        for k, v in re.findall(r"(\w+)\s*:\s*['\"]?([^,'\"}]*)['\"]?", ajax.group(1)):
            params[k] = v.strip()
    else:  # older pages carry the parameters on the <nextgroup> link
        nxt = re.search(r"<nextgroup>\s*<!\[CDATA\[\s*<a href=['\"]([^'\"]+)", html)
        if nxt and "?" in nxt.group(1):
            params = dict(p.split("=", 1) for p in nxt.group(1).split("?", 1)[1].split("&") if "=" in p)
    if not (total and per_page):
        return None
    return HanwebPaging(urljoin(base_url, proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp"),
                       per_page, total, params)


def hanweb_page_requests(paging: HanwebPaging, already: int, limit: int | None = None) -> list[tuple[str, dict]]:
    """(url, form) for every dataproxy page after the ``already`` records shown in the page
    (at most ``limit`` of them: a totalRecord of millions is a trap, not a list)."""
    out = []
    start = already + 1
    while start <= paging.total and (limit is None or len(out) < limit):
        end = min(start + paging.per_page - 1, paging.total)
        url = f"{paging.proxy_url}?startrecord={start}&endrecord={end}&perpage={paging.per_page}"
        out.append((url, dict(paging.params)))
        start = end + 1
    return out


# --- plain lists: a "下一页" link
def next_page_link(sel: Selector, base_url: str) -> str | None:
    for l in links(sel, base_url):
        if l.text.replace(" ", "") in ("下一页", "下页", ">", "›", "后一页"):
            return l.url
    return None


# Tabs and links to other renditions of the same report: 全真版 / 文字版 / 图片版 / 超链版 / 手机版.
RENDITION_TEXT = re.compile(r"^[\[【（(]?\s*(全真版|文字版|图片版|超链版|PDF版|pdf版|手机版|原文|附件下载|下载附件)\s*[\]】）)]?$")


def attachments(sel: Selector, base_url: str) -> list[Link]:
    """Links to the documents attached to an article (PDF, DOCX, downfile.jsp …) and to
    its other renditions (全真版 / 文字版 / 图片版 tabs)."""
    seen, out = {base_url.split("#")[0]}, []
    for l in links(sel, base_url):
        url = l.url.split("#")[0]
        if url in seen:
            continue
        text = re.sub(r"\s+", "", l.text)
        if ATTACHMENT_EXT.search(url) or ATTACHMENT_URL.search(url) or RENDITION_TEXT.match(text):
            seen.add(url)
            out.append(Link(url, l.text))
    return out


def list_items_by_selector(sel: Selector, base_url: str, selector: str) -> list[Link]:
    """Entries of a list chosen by a registry hint: a CSS (or ``xpath:…``) selector of the entries."""
    nodes = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    out = []
    for node in nodes:
        a = node if node.root.tag == "a" else (node.xpath(".//a[@href]") or [None])[0]
        if a is None or not a.attrib.get("href"):
            continue
        title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
        date = re.search(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}", " ".join(node.css("::text").getall()))
        out.append(Link(urljoin(base_url, a.attrib["href"].strip()), title, date.group(0) if date else ""))
    return out


def page_title(sel: Selector) -> str:
    """The article's title: the guideline meta tag ArticleTitle, else <h1>, else <title>."""
    for value in (sel.xpath("//meta[@name='ArticleTitle']/@content").get(),
                  " ".join(sel.css("h1 ::text").getall())):
        if value and value.strip():
            return re.sub(r"\s+", " ", value).strip()
    title = re.sub(r"\s+", " ", sel.css("title::text").get() or "").strip()
    # <title> is often "文章标题_网站名" / "文章标题 - 网站名": keep the article's part
    return re.split(r"\s*(?:_|——|\s-\s|\|)\s*", title)[0] if title else ""
