"""Page shapes: what a list page says about where its entries and its further pages are.

Real portals page their annual-report lists in many ways. Each strategy below
recognises one *shape* from what the page itself contains (its scripts, its markup,
its links) and returns what to request next, with the reason it saw; a page may
have several shapes and the crawl takes the union. Nothing here is chosen by a
registry column: ``cms`` only narrows the strategies when a user insists.

- ``links``        entries: every link whose text is a report title (any markup: li, tr, div, dd)
- ``trs_pager``    TRS WCM ``createPageHTML(count, current, "index", "html")`` (either argument order)
- ``hanweb``       Hanweb jcms ``<datastore>`` records, further records by POST to ``dataproxy.jsp``
- ``script_api``   rows filled by a script from a JSON/XML endpoint: the endpoint and its paging
                   parameters read from the page's own script and called directly
- ``script_pager`` a pager written in script (``goPage(n)`` → ``"list_" + n + ".html"``)
- ``pager_links``  下一页 / 下页 / 尾页 / page-number links of any shape (count-down ``list/N.htm`` too)
- ``postback``     an ASP.NET pager: ``javascript:__doPostBack('pager','2')`` → the page's form POSTed
                   back with ``__EVENTTARGET``/``__EVENTARGUMENT`` (and its ``__VIEWSTATE``)
- ``year_index``   a ``<select>`` of years or links per year ("2023年") → one page per year
- ``sub_columns``  menu items of annual-report sub-columns (部门年报) and of this office (市人防办)
- ``iframe``       a list inside an ``<iframe>``

Pure functions: text or a parsel Selector in, dataclasses out.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from archive.vocab import Found, Kind
from crawler import discover, extract
from crawler.classify import is_column_link, normalize_title, year_link
from crawler.extract import Link
from crawler.offices import CIVIL_DEFENCE, Office

STRATEGIES = ("links", "trs_pager", "hanweb", "script_api", "script_pager", "pager_links", "postback",
              "year_index", "sub_columns", "iframe")
#: registry ``cms`` values understood as a set of strategies (a hint that overrides detection)
CMS_STRATEGIES = {
    "trs_wcm": ("links", "trs_pager", "pager_links"),
    "hanweb": ("links", "hanweb", "pager_links"),
}


@dataclass(frozen=True)
class Follow:
    """A request a page asks for: another list page, an endpoint, a per-year page."""
    url: str
    strategy: str
    reason: str
    kind: str = Kind.LIST            # Kind.LIST (a page of entries) or Kind.API (a JSON/XML endpoint)
    method: str = "GET"
    form: dict | None = None         # POST form fields
    body: str | None = None          # POST body as sent (JSON endpoints)
    pager: bool = False              # a further page of the same list: early stop may skip it
    explore: bool = False            # may hold nothing without that meaning a layout change
    guess: bool = False              # made up from a template: a 404 is no failure
    api: dict | None = None          # the endpoint's paging (for script_api)
    postback: str | None = None      # the __EVENTARGUMENT of an ASP.NET pager (asked once per list)


@dataclass
class Analysis:
    entries: list[Link] = field(default_factory=list)
    follows: list[Follow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # "strategy: what it saw"
    #: the <select>s whose options gave URLs (``select#year``; "*": a year index read them all):
    #: the browser need not choose them
    options_read: set = field(default_factory=set)

    def add(self, other: "Analysis") -> None:
        self.entries += other.entries
        self.follows += other.follows
        self.notes += other.notes


def scripts(sel: Selector) -> str:
    """The page's inline scripts (not the XML datastores Hanweb keeps in script tags)."""
    return "\n".join(sel.xpath("//script[not(@src) and not(contains(@type, 'xml'))]/text()").getall())


def analyse_list(sel: Selector, text: str, url: str, office: Office, *, limit: int,
                 only: tuple[str, ...] | None = None, from_proxy: bool = False, js: str | None = None) -> Analysis:
    """Every shape of a list page: its entries and everything further to request (``js``: the
    page's inline scripts, when the caller has them already)."""
    use = set(only or STRATEGIES)
    out = Analysis()
    js = scripts(sel) if js is None else js
    if "links" in use:
        out.entries += extract.list_items(sel, url)
    if "hanweb" in use:
        out.add(hanweb(text, url, limit=limit, from_proxy=from_proxy))
    if from_proxy:
        return out          # a dataproxy answer: records only, the first page asked for the rest
    if "trs_pager" in use:
        out.add(trs_pager(text, url, limit=limit, js=js))
    if "script_api" in use:
        out.add(script_api(js, url, sel))
    if "script_pager" in use:
        out.add(script_pager(sel, js, url, limit=limit))
    if "pager_links" in use:
        out.add(pager_links(sel, url))
    if "postback" in use:
        out.add(postback(sel, url))
    if "year_index" in use:
        out.add(year_index(sel, js, url))
    if "sub_columns" in use:
        out.add(sub_columns(sel, url, office))
    if "iframe" in use:
        out.add(iframes(sel, url))
    return out


# ---------------------------------------------------------------------- TRS WCM
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")


def _js_value(token: str, js: str):
    """A literal argument (number or string) or a variable assigned one in the script."""
    token = token.strip()
    if re.fullmatch(r"-?\d+", token):
        return int(token)
    m = re.fullmatch(r"""(['"])(.*)\1""", token)
    if m:
        return m.group(2)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        v = re.search(rf"(?:var|let|const)?\s*\b{re.escape(token)}\s*=\s*([^;,\n]+)", js)
        if v and v.group(1).strip() != token:
            return _js_value(v.group(1), "")
    m = re.fullmatch(r"(?:this|that|self|vm|[A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)", token)
    if m:   # this.pageSize: a member set in the script (a Vue data object, an options object)
        v = re.search(rf"""\b{re.escape(m.group(1))}\s*[:=]\s*(-?\d+|'[^'\n]*'|"[^"\n]*")\s*[,;}}\n]""", js)
        if v:
            return _js_value(v.group(1), "")
    return None


def trs_next_pages(html: str, base_url: str, limit: int | None = None, js: str | None = None) -> list[str]:
    """Every list page a TRS pager announces: ``createPageHTML(count, current, "index", "html")``
    or ``createPageHTML('page_div', count, current, 'index', 'html', records)``, with literals
    or variables; pages ``index_1.html`` … ``index_{count-1}.html`` beside the current one, at
    most ``limit`` (a pager announcing a million pages is a trap)."""
    for m in _CREATE_PAGE.finditer(html):
        if re.search(r"function\s*$", html[max(0, m.start() - 12):m.start()]):
            continue      # the pager's own definition, not a call
        values = [_js_value(a, js if js is not None else html) for a in m.group(1).split(",")]
        numbers = [v for v in values if isinstance(v, int)]
        strings = [v for v in values if isinstance(v, str)]
        ext_at = next((i for i, s in enumerate(strings) if s.lower() in ("html", "htm", "shtml", "jsp", "php")),  # not vocabulary: URL extensions
                      None)
        if numbers and ext_at:
            break
    else:
        return []
    count, stem, ext = numbers[0], strings[ext_at - 1], strings[ext_at]
    if re.search(rf"/{re.escape(stem)}_\d+\.{re.escape(ext)}$", urlsplit(base_url).path):
        return []        # a further page: the first one announced them all
    if limit is not None:
        count = min(count, limit + 1)
    return [urljoin(base_url, f"{stem}_{i}.{ext}") for i in range(1, count)]


def trs_pager(html: str, url: str, limit: int, js: str = "") -> Analysis:
    pages = trs_next_pages(html, url, limit=limit, js=js or html)
    if not pages:
        return Analysis()
    return Analysis(follows=[Follow(p, "trs_pager", "createPageHTML pager", pager=True) for p in pages],
                    notes=[f"trs_pager: createPageHTML announces {len(pages) + 1} list pages"])


# ---------------------------------------------------------------------- Hanweb jcms
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def hanweb_records(text: str, base_url: str) -> list[Link]:
    """List entries held in a Hanweb datastore (in a page's script or a dataproxy answer)."""
    html = "".join(_RECORD.findall(text))
    return extract.list_items(Selector(text=f"<ul>{html}</ul>"), base_url) if html else []


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


def hanweb(text: str, url: str, limit: int, from_proxy: bool = False) -> Analysis:
    records = hanweb_records(text, url)
    if not records and "<datastore" not in text:
        return Analysis()
    out = Analysis(entries=records, notes=[f"hanweb: {len(records)} records in a <datastore>"])
    paging = None if from_proxy else hanweb_paging(text, url)
    if paging:
        pages = hanweb_page_requests(paging, already=len(records), limit=limit)
        out.follows += [Follow(u, "hanweb", "dataproxy.jsp page", method="POST", form=form, pager=True)
                        for u, form in pages]
        out.notes.append(f"hanweb: totalRecord {paging.total}, perPage {paging.per_page}: "
                         f"{len(pages)} dataproxy.jsp POSTs")
    return out


# ---------------------------------------------------------------------- links of a pager
PAGER_WORDS = re.compile(r"^(下一?页|下一頁|后一?页|下页|尾页|末页|最后一?页|最末页|上一?页|上页|前一?页|首页|"
                         r"next|Next|NEXT|last|Last|>|>>|»|›|→)$")
_PAGE_COUNT = re.compile(r"共\s*(\d+)\s*页|(?<![\d/])\d{1,3}\s*/\s*(\d{1,3})(?![\d/])|(?:pageCount|totalPage|totalPages|"
                         r"countPage|pageTotal|page_count)\s*[:=]\s*['\"]?(\d+)")


def _under(url: str, list_url: str) -> bool:
    """``url`` lies in the list's own folder (its further pages do; the site menu does not)."""
    a, b = urlsplit(url), urlsplit(list_url)
    if a.netloc != b.netloc:
        return False
    folder = b.path[:b.path.rfind("/") + 1] or "/"
    return a.path.startswith(folder)


def pager_links(sel: Selector, url: str) -> Analysis:
    """下一页 / 下页 / 尾页 / 首页 and page-number links that stay in the list's folder:
    ``index_2.html``, ``?page=2``, count-down ``list/3.htm`` … ``list/1.htm``."""
    here = extract.page_url(url)
    found: dict[str, str] = {}
    for link in extract.links(sel, url):
        text = normalize_title(link.text)
        target = extract.page_url(link.url)
        if target == here or not (PAGER_WORDS.match(text) or re.fullmatch(r"\[?\d{1,4}\]?", text)):
            continue
        if _under(target, url):
            found.setdefault(target, text)
    if not found:
        return Analysis()
    return Analysis(follows=[Follow(u, "pager_links", f"pager link {t!r}", pager=True) for u, t in found.items()],
                    notes=[f"pager_links: {len(found)} pager links ({', '.join(sorted(set(found.values()))[:6])})"])


# ---------------------------------------------------------------------- ASP.NET postbacks
_POSTBACK = re.compile(r"""__doPostBack\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]*)['"]\s*\)""")


def postback(sel: Selector, url: str) -> Analysis:
    """WebForms pagers: a pager link runs ``__doPostBack(target, argument)``, which submits the
    page's form with ``__EVENTTARGET``/``__EVENTARGUMENT`` set; the form's hidden fields
    (``__VIEWSTATE``, ``__EVENTVALIDATION``) go with it."""
    follows = []
    for a in sel.xpath("//a[contains(@href, '__doPostBack') or contains(@onclick, '__doPostBack')]"):
        text = normalize_title(" ".join(a.css("::text").getall()))
        m = _POSTBACK.search((a.attrib.get("href") or "") + " " + (a.attrib.get("onclick") or ""))
        if not m or not (PAGER_WORDS.match(text) or re.fullmatch(r"\[?\d{1,4}\]?", text)):
            continue
        form = a.xpath("ancestor::form[1]") or sel.xpath("//form[.//input[@name='__VIEWSTATE']][1]")
        if not form:
            continue
        fields = {i.attrib["name"]: i.attrib.get("value", "") for i in form[0].xpath(".//input[@name]")
                  if i.attrib.get("type", "text").lower() not in ("submit", "button", "image", "reset", "file")}  # not vocabulary: input types
        fields.update({"__EVENTTARGET": m.group(1), "__EVENTARGUMENT": m.group(2)})
        action = urljoin(url, form[0].attrib.get("action") or url)
        follows.append(Follow(action, "postback", f"__doPostBack pager {m.group(1)} {m.group(2)!r}",
                              method="POST", form=fields, pager=True, postback=m.group(2)))
    if not follows:
        return Analysis()
    return Analysis(follows=follows, notes=[f"postback: {len(follows)} ASP.NET pager postbacks"])


# ---------------------------------------------------------------------- a pager in script
_CONCAT = re.compile(r"""(['"])([^'"\n]*)\1\s*\+\s*\(?\s*([A-Za-z_$][\w$]*)\s*(?:[+-]\s*\d+\s*)?\)?\s*\+\s*(['"])([^'"\n]*)\4""")
_PAGE_VAR = re.compile(r"^(n|i|p|pn|num|no|page\w*|cur\w*|index|idx|pageNo|pageIndex|pno|pg)$", re.I)
_PAGE_FILE = re.compile(r"\.(s?html?|jsp|php|aspx?)$|[?&]\w*=$", re.I)


_PAGER_LINK_TEXT = re.compile(r"\[?\d{1,4}\]?|" + PAGER_WORDS.pattern.strip("^$"))


def page_count(sel: Selector, js: str) -> int | None:
    """How many pages a pager says the list has ("共5页", "1/5", pageCount = 5, goPage(5))."""
    text = " ".join(sel.css("body ::text").getall())
    counts = [int(g) for m in _PAGE_COUNT.finditer(text + "\n" + js) for g in m.groups() if g]
    # goPage(5) counts only on a link a reader takes for a pager (its text a page number or a
    # pager word): an article's font-size links run doZoom(18) with 大/中/小 as their text
    calls = [int(n) for a in sel.xpath("//a[@href or @onclick]")
             if _PAGER_LINK_TEXT.fullmatch(normalize_title(" ".join(a.css("::text").getall())))
             for n in re.findall(r"\w+\(\s*(\d{1,4})\s*\)",
                                 (a.attrib.get("href") or "") + " " + (a.attrib.get("onclick") or ""))]
    best = max(counts + calls, default=0)
    return best or None


def script_pager(sel: Selector, js: str, url: str, limit: int) -> Analysis:
    """A pager written in script: the page URL is built as ``"list_" + n + ".html"``."""
    templates = []
    for m in _CONCAT.finditer(js):
        prefix, var, suffix = m.group(2), m.group(3), m.group(5)
        if _PAGE_VAR.match(var) and (_PAGE_FILE.search(suffix) or _PAGE_FILE.search(prefix)) \
                and not suffix.startswith(("(", ")")):
            templates.append((prefix, suffix))
    if not templates:
        return Analysis()
    count = min(page_count(sel, js) or 0, limit)
    if count < 2:
        return Analysis(notes=[f"script_pager: page template {templates[0][0]}N{templates[0][1]} "
                               "but no page count printed"])
    follows = []
    for prefix, suffix in dict.fromkeys(templates):
        follows += [Follow(urljoin(url, f"{prefix}{n}{suffix}"), "script_pager",
                           f"script builds pages as {prefix}N{suffix}", pager=True, guess=True)
                    for n in range(1, count + 1)]
    return Analysis(follows=follows, notes=[f"script_pager: {count} pages from {len(set(templates))} template(s)"])


# ---------------------------------------------------------------------- rows from an endpoint
PAGE_KEYS = re.compile(r"^(page|pageNo|pageNum|pageNumber|pageIndex|pageindex|page_no|page_num|curPage|"
                       r"currentPage|current|currPage|cur|pn|p|pageno|pagenum|start|offset|startrecord)$", re.I)
SIZE_KEYS = re.compile(r"^(pageSize|page_size|pagesize|size|rows|limit|perPage|perpage|per_page|num|length|"
                       r"count|ps|pageCount|endrecord)$", re.I)
_ENDPOINT = re.compile(r"/(?:api|interface|service|services|rest|data|json|gateway|front|search|query|list|ajax)"
                       r"(?:[/?.]|$)|\.(?:json|do|action|jsp|aspx|ashx|php|xml)(?:\?|$)", re.I)
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf)(?:\?|$)", re.I)
_CALL = re.compile(r"""(?P<fn>\$\.ajax|jQuery\.ajax|\$\.(?:get|post|getJSON)|axios(?:\.(?:get|post))?|fetch|\.open)\s*\(""")


def _balanced(js: str, start: int, open_ch: str = "(", close_ch: str = ")") -> str:
    """The text from ``start`` (an opening bracket) to its matching close, strings skipped."""
    depth, i, quote = 0, start, None
    while i < len(js):
        c = js[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return js[start + 1:i]
        i += 1
    return js[start + 1:]


def _object(text: str, js: str) -> dict:
    """A JS object literal's simple members: ``{channelId: 12, pageNo: page, type: 'nb'}``
    (values: numbers, strings, variables resolved from the script, else None)."""
    out = {}
    for quoted, bare, value in re.findall(r"""(?:['"]([^'"\n]+)['"]|([A-Za-z_$][\w$]*))\s*:\s*([^,{}\n]+)""", text):
        out[quoted or bare] = _js_value(value.strip().rstrip(","), js)
    return out


def _url_expr(expr: str, js: str) -> tuple[str | None, str | None]:
    """(url, page_key_in_url) of a URL expression: a literal, a variable, ``'…page=' + p``,
    ``'/list?cid=' + CID + '&page=' + p``, or a template literal ``…?page=${p}``."""
    expr = expr.strip().split(",")[0] if not expr.strip().startswith("`") else expr.strip()
    value = _concat(expr, js) if "+" in expr else None
    if value and _UNKNOWN in value:
        base, _, query = value.partition("?")
        params, key = _query_params(query)
        if any(v is None and k != key and not SIZE_KEYS.match(k) for k, v in params.items()):
            # '/tree.json?pid=' + pid: a parameter the script computes (a tree node, a column it
            # was handed) that is not the page number; without it the URL is another one
            return None, None
        known = {k: v for k, v in params.items() if v is not None}
        return (base + ("?" + urlencode(known) if known else "")), key
    m = re.match(r"""(['"`])(.*?)\1\s*(\+\s*([A-Za-z_$][\w$.]*))?""", expr, re.S)
    if m:
        literal = m.group(2)
        if m.group(1) == "`" and "${" in literal:     # `/list?cid=${CID}&page=${p}`
            def resolve(v):
                value = _js_value(v.group(1), js)
                return str(value) if value is not None else f"{_UNKNOWN}{v.group(1)}{_UNKNOWN}"
            value = re.sub(r"\$\{([^}]+)\}", resolve, literal)
            base, _, query = value.partition("?")
            params, key = _query_params(query)
            known = {k: v for k, v in params.items() if v is not None}
            return base + ("?" + urlencode(known) if known else ""), key
        if m.group(3):
            key = re.search(r"[?&](\w+)=$", literal)
            return literal, key.group(1) if key else None
        return literal, None
    value = _js_value(expr.split(",")[0], js)
    return (value, None) if isinstance(value, str) else (None, None)


_UNKNOWN = "\x00"


def _concat(expr: str, js: str) -> str | None:
    """A JS string concatenation evaluated as far as the script says: literals kept, variables
    assigned a literal resolved, any other variable left as ``\x00name\x00``."""
    parts = re.findall(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$.\[\]]*|\d+""", expr)
    if not parts:
        return None
    out = []
    for part in parts:
        if part[0] in "'\"":
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        else:
            value = _js_value(part, js) if re.fullmatch(r"[A-Za-z_$][\w$]*", part) else None
            out.append(str(value) if value is not None else f"{_UNKNOWN}{part}{_UNKNOWN}")
    return "".join(out)


def _query_params(text: str) -> tuple[dict, str | None]:
    """``a=1&curPage=\x00p\x00&rows=8`` → ({a: 1, curPage: None, rows: 8}, "curPage")."""
    params, page_key = {}, None
    for pair in text.split("&"):
        key, _, value = pair.partition("=")
        if not key or _UNKNOWN in key:
            continue
        if _UNKNOWN in value:
            params[key] = None
            if page_key is None and PAGE_KEYS.match(key):
                page_key = key
        else:
            params[key] = int(value) if value.isdigit() else value
    return params, page_key


@dataclass
class Endpoint:
    url: str
    method: str = "GET"
    params: dict = field(default_factory=dict)
    page_key: str | None = None
    json_body: bool = False
    first: int | None = None       # the page number the script asks for first


def _first_call(js: str, at: int) -> int | None:
    """The number the page's script first calls the function holding position ``at`` with:
    ``function showList(pageIndex) {… $.ajax …}`` + ``showList(0)`` → 0."""
    fns = list(re.finditer(r"function\s+([A-Za-z_$][\w$]*)\s*\(([^)]*)\)", js[:at]))
    if not fns:
        return None
    name = fns[-1].group(1)
    for call in re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*\(\s*(\d+)\s*[,)]", js):
        if not re.search(r"function\s*$", js[max(0, call.start() - 10):call.start()]):
            return int(call.group(1))
    return None


def script_endpoints(js: str, base_url: str) -> list[Endpoint]:
    """The data endpoints a page's script calls ($.ajax, $.get/$.post/$.getJSON, fetch, axios,
    XMLHttpRequest.open), with their parameters and which of them is the page number."""
    found: list[Endpoint] = []
    for m in _CALL.finditer(js):
        fn = m.group("fn")
        args = _balanced(js, m.end() - 1)
        method, params, page_key, json_body = "GET", {}, None, False
        if fn.endswith("post") or re.search(r"""(?:type|method)\s*:\s*['"]post['"]""", args, re.I):
            method = "POST"
        if re.search(r"application/json|JSON\.stringify", args):
            json_body = True
        if fn == ".open":
            om = re.match(r"""\s*['"](\w+)['"]\s*,\s*(.+)""", args, re.S)
            if not om:
                continue
            method = om.group(1).upper()
            url, page_key = _url_expr(om.group(2), js)
            sm = re.search(r"\.send\s*\(", js[m.end():m.end() + 2000])
            if sm:
                sent = _concat(_balanced(js, m.end() + sm.end() - 1), js)
                if sent and "=" in sent:
                    params, key = _query_params(sent)
                    page_key = page_key or key
        elif args.lstrip().startswith("{"):          # $.ajax({url: …, data: {…}})
            block = _balanced(args, args.index("{"), "{", "}")
            um = re.search(r"""\burl\s*:\s*([^,\n]+(?:\+[^,\n]+)?)""", block)
            if not um:
                continue
            url, page_key = _url_expr(um.group(1), js)
            dm = re.search(r"\b(?:data|params|body)\s*:\s*(?:JSON\.stringify\()?\s*\{", block)
            if dm:
                params = _object(_balanced(block, dm.end() - 1, "{", "}"), js)
        else:                                         # $.get('url', {…}), fetch('url' + p, {…})
            url, page_key = _url_expr(args, js)
            om = re.search(r"\{", args)
            if om:
                inner = _balanced(args, om.start(), "{", "}")
                pm = re.search(r"\b(?:params|data|body)\s*:\s*(?:JSON\.stringify\()?\s*\{", inner)
                if pm:
                    params = _object(_balanced(inner, pm.end() - 1, "{", "}"), js)
                else:   # $.get('url', {…}): the object is the data itself (fetch options are not)
                    params = {k: v for k, v in _object(inner, js).items()
                              if k not in ("method", "headers", "body", "mode", "credentials", "cache")}
                if re.search(r"""method\s*:\s*['"]post""", inner, re.I):
                    method = "POST"
        if not url or _STATIC.search(url) or url.startswith(("javascript:", "#", "data:")):
            continue
        url = urljoin(base_url, url)
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if page_key is None:
            page_key = next((k for k in [*params, *query] if PAGE_KEYS.match(k)), None)
        if _UNKNOWN in urlsplit(url).path or re.search(r"\s", urlsplit(url).path):
            continue    # a path built from a value the scripts compute ('/ndbg/' + y + '/list.html')
        found.append(Endpoint(url, method, params, page_key, json_body, _first_call(js, m.start())))
    return [e for i, e in enumerate(found) if all((e.url, e.method) != (f.url, f.method) for f in found[:i])]


def endpoint_request(ep: Endpoint, page: int, size: int | None = None) -> tuple[str, str, dict | None, str | None]:
    """(url, method, form, body) asking ``ep`` for page ``page`` (an offset for start/offset keys)."""
    params = {k: ("" if v is None else v) for k, v in ep.params.items()}
    if ep.page_key:
        params[ep.page_key] = page
    parts = urlsplit(ep.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if ep.method == "GET":
        query.update({k: str(v) for k, v in params.items()})
        return urlunsplit(parts._replace(query=urlencode(query))), "GET", None, None
    if ep.page_key in query:
        query[ep.page_key] = str(page)
    url = urlunsplit(parts._replace(query=urlencode(query)))
    if ep.json_body:
        return url, "POST", None, json.dumps(params, ensure_ascii=False)
    return url, "POST", {k: str(v) for k, v in params.items()}, None


def captured_api(url: str, method: str, post_data: str | None, rows: int) -> dict | None:
    """The endpoint of a list a page fetched in the browser, described as ``script_api``'s
    follows describe one (``api_next`` pages it without the browser): its page parameter read off
    the query, the form or the JSON body it was asked with; None without one. ``rows``: how many
    rows its answer held (the page size when no parameter says)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    params, json_body, post = {}, False, method.upper() == "POST"
    if post and post_data:
        try:
            data = json.loads(post_data)
        except ValueError:
            data = None
        if isinstance(data, dict):
            params, json_body = data, True
        else:
            params = dict(parse_qsl(post_data, keep_blank_values=True))
    sent = {**query, **params}
    page_key = next((k for k in (params if post else query) if PAGE_KEYS.match(k)), None) or next(
        (k for k in query if PAGE_KEYS.match(k)), None)
    if page_key is None:
        return None
    value = str(sent[page_key])
    size = next((int(v) for k, v in sent.items() if SIZE_KEYS.match(k) and str(v).isdigit()), None)
    return {"url": url, "method": "POST" if post else "GET", "params": params, "page_key": page_key,
            "json_body": json_body, "page": int(value) if value.isdigit() else 1, "size": size or rows or None,
            "templates": []}


def endpoint_key(api: dict) -> tuple:
    """What makes two requests the same endpoint: all they send but the page number."""
    ep = Endpoint(api["url"], api["method"], api["params"], api["page_key"], api["json_body"])
    url, method, form, body = endpoint_request(ep, 0)
    return url, method, json.dumps(form, sort_keys=True), body


def pages_after(seen: list[tuple[dict, "ApiPage"]], *, again: bool = False
                ) -> list[tuple[str, str, dict | None, str | None, dict]]:
    """The pages of one endpoint after those a browser visit saw (``seen``: (captured_api, its
    answer) per page): up to the page count an answer states, else the next while pages come back
    full; with ``again`` the pages seen too (asked again, so the archive holds what the page
    fetched). (url, method, form, body, api for ``parse_api``) each."""
    seen = sorted(seen, key=lambda pair: pair[0]["page"])
    (first, _), (last, got) = seen[0], seen[-1]
    ep = Endpoint(last["url"], last["method"], last["params"], last["page_key"], last["json_body"])
    offset = bool(re.match(r"start|offset", last["page_key"], re.I))
    done = {api["page"] for api, _ in seen}
    if got.pages is not None and not offset:
        todo = [n for n in range(first["page"], first["page"] + got.pages) if n not in done]
    elif got.entries and (not last.get("size") or len(got.entries) >= last["size"]):
        todo = [last["page"] + (last.get("size") or len(got.entries) if offset else 1)]
    else:
        todo = []
    seen_first = got.entries[0].url if got.entries else None
    if again:
        todo = sorted(done) + todo
    return [(*endpoint_request(ep, n), {**last, "page": n, "first": False, "seen_first": seen_first}) for n in todo]


def first_page(ep: Endpoint) -> int:
    value = ep.params.get(ep.page_key) if ep.page_key else None
    if isinstance(value, int):
        return value
    if ep.first is not None:
        return ep.first
    return 0 if ep.page_key and re.match(r"start|offset", ep.page_key, re.I) else 1


def script_src_endpoints(sel: Selector, base_url: str) -> list[Endpoint]:
    """JSONP lists loaded as ``<script src="/api/list.js?col=ndbg&page=1&callback=render">``."""
    out = []
    for src in sel.css("script::attr(src)").getall():
        url = urljoin(base_url, src.strip())
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        page_key = next((k for k in query if PAGE_KEYS.match(k)), None)
        if page_key and (query.keys() & {"callback", "cb", "jsonp", "jsoncallback"} or _ENDPOINT.search(url)):
            base = urlunsplit(urlsplit(url)._replace(query=urlencode({k: v for k, v in query.items() if k != page_key})))
            value = query[page_key]
            out.append(Endpoint(base, "GET", {}, page_key, False, int(value) if value.isdigit() else None))
    return out


_INLINE_ARRAY = re.compile(r"[=:(]\s*(\[\s*\{.*?\}\s*\])\s*[;,)]", re.S)


def inline_records(sel: Selector, js: str, url: str) -> list[Link]:
    """Rows a script renders from data written into the page itself: ``var list = [{"title": …,
    "url": …}, …];`` or ``<script type="application/json">``."""
    blobs = _INLINE_ARRAY.findall(js) + sel.xpath("//script[contains(@type, 'json')]/text()").getall()
    out: list[Link] = []
    for blob in blobs:
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        out += [l for l in (record_link(r, url, record_templates(js)) for r in _records(data)) if l]
    return out


def script_api(js: str, url: str, sel: Selector | None = None) -> Analysis:
    out = Analysis()
    if sel is not None:
        rows = inline_records(sel, js, url)
        if rows:
            out.entries += rows
            out.notes.append(f"script_api: {len(rows)} rows written into the page's script as data")
    templates = record_templates(js)
    for ep in script_endpoints(js, url) + (script_src_endpoints(sel, url) if sel is not None else []):
        if not (_ENDPOINT.search(urlsplit(ep.url).path + ("?" if urlsplit(ep.url).query else ""))
                or ep.page_key or ep.params):
            continue
        page = first_page(ep)
        req_url, method, form, body = endpoint_request(ep, page)
        size = next((v for k, v in ep.params.items() if SIZE_KEYS.match(k) and isinstance(v, int)), None)
        out.follows.append(Follow(req_url, "script_api", f"the page's script loads its rows from {ep.url}",
                                  kind=Kind.API, method=method, form=form, body=body, pager=False,
                                  api={"url": ep.url, "method": ep.method, "params": ep.params,
                                       "page_key": ep.page_key, "json_body": ep.json_body,
                                       "page": page, "size": size, "templates": templates}))
        out.notes.append(f"script_api: {ep.method} {ep.url} (page parameter: {ep.page_key or 'none'})")
    if out.follows:
        out.notes += [f"script_api: record URLs built as {p}<{f}>{s}" for p, f, s in templates[:3]]
    return out


_TITLE_KEYS = re.compile(r"^(title|doctitle|docTitle|name|subject|topic|biaoti|bt|articletitle|showtitle|"
                         r"filename|label|text|wzbt|infotitle|mc)$", re.I)
_URL_KEYS = re.compile(r"^(url|link|href|docurl|doc_url|path|linkurl|pageurl|detailurl|arturl|fileurl|"
                       r"visiturl|redirecturl|docpuburl|puburl|infourl|wzurl|src)$", re.I)
_DATE_KEYS = re.compile(r"date|time|pub|rq|fbsj", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def record_templates(js: str) -> list[tuple[str, str, str]]:
    """URL templates a script builds record links with: ``'/art/' + item.id + '.html'``."""
    out = []
    for m in re.finditer(r"""(?:'([^'\n]*)'|"([^"\n]*)")\s*\+\s*[A-Za-z_$][\w$]*(?:\[\w+\])?\.([A-Za-z_$][\w$]*)"""
                         r"""(?:\s*\+\s*(?:'([^'\n]*)'|"([^"\n]*)"))?""", js):
        prefix, fld, suffix = m.group(1) or m.group(2) or "", m.group(3), m.group(4) or m.group(5) or ""
        prefix = re.sub(r"^.*href\s*=\s*['\"]?", "", prefix)
        if prefix.startswith(("/", "http", "./", "../")) or suffix.startswith((".htm", ".shtml", ".jsp")):
            out.append((prefix, fld, re.split(r"['\"\s>]", suffix)[0]))
    return out


def _records(data) -> list[dict]:
    """The list of row objects in a JSON answer: the list with most objects carrying Chinese text."""
    best: list[dict] = []
    best_score = 0

    def walk(node, depth=0):
        nonlocal best, best_score
        if depth > 6:
            return
        if isinstance(node, list):
            rows = [x for x in node if isinstance(x, dict)]
            score = sum(1 for r in rows if any(isinstance(v, str) and _CJK.search(v) for v in r.values()))
            if score > best_score:
                best, best_score = rows, score
            for x in node:
                walk(x, depth + 1)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v, depth + 1)
    walk(data)
    return best


def _looks_like_url(value) -> bool:
    return isinstance(value, str) and bool(re.match(r"(https?://|/|\./|\.\./)\S+$|\S+\.(s?html?|jsp|pdf|docx?)$",
                                                    value))


def record_link(row: dict, base_url: str, templates: list[tuple[str, str, str]]) -> Link | None:
    title = next((v for k, v in row.items() if _TITLE_KEYS.match(k) and isinstance(v, str) and v.strip()), None)
    if title is None:
        texts = [v for v in row.values() if isinstance(v, str) and _CJK.search(v) and not _looks_like_url(v)]
        title = max(texts, key=len) if texts else None
    href = next((v for k, v in row.items() if _URL_KEYS.match(k) and _looks_like_url(v)), None) \
        or next((v for v in row.values() if _looks_like_url(v) and v != title), None)
    if href is None:
        for prefix, fld, suffix in templates:
            if row.get(fld) not in (None, ""):
                href = f"{prefix}{row[fld]}{suffix}"
                break
    if not (title and href):
        return None
    date = next((str(v)[:10] for k, v in row.items() if _DATE_KEYS.search(k) and isinstance(v, str)
                 and re.match(r"\d{4}-\d{1,2}-\d{1,2}", v)), "")
    title = re.sub(r"<[^>]+>", "", title)    # some APIs mark search hits with <em>
    return Link(urljoin(base_url, href.strip()), title.strip(), date)


_TOTAL_PAGES = re.compile(r"^(totalPage|totalPages|pageCount|pages|pageTotal|total_page|totalpage|pagecount|"
                          r"page_count|lastPage|countPage)$", re.I)
_TOTAL_ROWS = re.compile(r"^(total|totalCount|totalRecord|totalrecord|recordCount|records|count|totalElements|"
                         r"totalNum|totalRows|total_count|rowCount|totalSize)$", re.I)


def _find_int(data, pattern, depth=0) -> int | None:
    if depth > 4:
        return None
    if isinstance(data, dict):
        for k, v in data.items():
            if pattern.match(k) and (isinstance(v, int) or (isinstance(v, str) and v.isdigit())):
                return int(v)
        for v in data.values():
            if isinstance(v, dict):
                found = _find_int(v, pattern, depth + 1)
                if found is not None:
                    return found
    return None


@dataclass
class ApiPage:
    entries: list[Link]
    pages: int | None              # how many pages the endpoint says it has
    format: str                    # json, xml, html


def api_page(text: str, url: str, page_size: int | None, templates=()) -> ApiPage:
    """The rows of one endpoint answer (JSON, JSONP, XML, or an HTML fragment)."""
    body = text.strip()
    jsonp = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?$", body, re.S)
    if jsonp:
        body = jsonp.group(1)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if data is not None:
        rows = _records(data)
        entries = [l for l in (record_link(r, url, list(templates)) for r in rows) if l]
        pages = _find_int(data, _TOTAL_PAGES)
        if pages is None:
            total = _find_int(data, _TOTAL_ROWS)
            per = page_size or len(rows)
            pages = -(-total // per) if total is not None and per else None
        return ApiPage(entries, pages, "json")
    if body.startswith("<?xml") or re.match(r"^<(datastore|root|rss|result|data|response|list)\b", body):
        entries = hanweb_records(body, url) or _xml_rows(body, url)
        m = re.search(r"<(?:totalpage|pagecount|totalPage|pageCount)>\s*(\d+)", body)
        total = re.search(r"<(?:totalrecord|total|totalRecord|count)>\s*(\d+)", body)
        pages = int(m.group(1)) if m else (-(-int(total.group(1)) // page_size) if total and page_size else None)
        return ApiPage(entries, pages, "xml")
    html = Selector(text=body)       # a fragment, or a whole page a form POST answers: its pager says how many
    return ApiPage(extract.list_items(html, url), page_count(html, ""), "html")


def _xml_rows(body: str, url: str) -> list[Link]:
    sel = Selector(text=body, type="xml")
    sel.remove_namespaces()
    out = []
    for node in sel.xpath("//*[title or Title or TITLE][url or link or href or Url or URL or Link]"):
        title = node.xpath("(title|Title|TITLE)/text()").get("")
        href = node.xpath("(url|link|href|Url|URL|Link)/text()").get("")
        date = node.xpath("(date|pubDate|time|publishDate)/text()").get("")
        if title.strip() and href.strip():
            out.append(Link(urljoin(url, href.strip()), title.strip(), date[:10]))
    return out


def api_next(api: dict, got: ApiPage) -> list[tuple[int, tuple]]:
    """Further pages of an endpoint after the one in ``api["page"]``: all at once when the
    answer says how many there are; else the next one while pages come back full."""
    if not api.get("page_key"):
        return []
    ep = Endpoint(api["url"], api["method"], api["params"], api["page_key"], api["json_body"])
    offset = bool(re.match(r"start|offset", api["page_key"], re.I))
    step = (api.get("size") or len(got.entries) or 1) if offset else 1
    page = api["page"]
    if got.pages is not None and not offset and api.get("first", True):
        # up to the last page: numbered from 1 unless the first page asked was 0 (a replayed
        # form's page 2 lists the pages after it, not as many again)
        last = api.get("base", 0 if page == 0 else 1) + got.pages - 1
        return [(n, endpoint_request(ep, n)) for n in range(page + 1, last + 1)]
    if got.pages is None and got.entries:
        return [(page + step, endpoint_request(ep, page + step))]
    return []


# ---------------------------------------------------------------------- per-year pages
def year_index(sel: Selector, js: str, url: str) -> Analysis:
    """One page per year: a ``<select>`` whose options are URLs or years (the URL built by its
    onchange script or its form), or links whose text is a year ("2023年", "2023年度")."""
    follows: dict[str, Follow] = {}
    for select in sel.css("select"):
        values = [(o.attrib.get("value", "").strip(), normalize_title(" ".join(o.css("::text").getall())))
                  for o in select.css("option")]
        onchange = select.attrib.get("onchange", "")
        template = _year_template(onchange, js)
        form = select.xpath("ancestor::form[1]")
        for value, label in values:
            year = year_link(value) or year_link(label)
            guess = True       # a URL the crawler builds: a 404 there is no failure of the site
            if value and not value.isdigit() and ("/" in value or "." in value or "?" in value):
                target, guess = urljoin(url, value), False
            elif year and template:
                target = urljoin(url, template.replace("{}", str(year)))
            elif year and form and select.attrib.get("name"):
                action = form[0].attrib.get("action") or url
                sep = "&" if "?" in action else "?"
                target = urljoin(url, f"{action}{sep}{urlencode({select.attrib['name']: value or year})}")
            else:
                continue
            if year or year_link(label):
                follows.setdefault(target, Follow(target, "year_index", f"year selector option {label or value}",
                                                  explore=True, guess=guess))
    for link in extract.links(sel, url):
        if year_link(link.text) and extract.page_url(link.url) != extract.page_url(url):
            follows.setdefault(link.url, Follow(link.url, "year_index", f"per-year link {link.text!r}",
                                                explore=True))
    if not follows:
        return Analysis()
    return Analysis(follows=list(follows.values()),
                    notes=[f"year_index: {len(follows)} per-year pages"])


def _year_template(onchange: str, js: str) -> str | None:
    """The URL an onchange handler builds from the chosen year, with {} for the year."""
    m = _CONCAT_VALUE.search(onchange)
    if m:
        return m.group(2) + "{}" + (m.group(5) or "")
    fn = re.match(r"\s*(?:javascript:)?\s*([A-Za-z_$][\w$]*)\s*\(", onchange)
    if fn:
        body = re.search(rf"function\s+{re.escape(fn.group(1))}\s*\(\s*(\w*)\s*\)\s*\{{", js)
        if body:
            inner = _balanced(js, body.end() - 1, "{", "}")
            m = _CONCAT.search(inner) or _CONCAT_VALUE.search(inner)
            if m:
                return m.group(2) + "{}" + (m.group(5) or "")
            m = re.search(r"""(['"])([^'"\n]*[?&]\w+=)\1\s*\+\s*\w+\s*;""", inner)
            if m:
                return m.group(2) + "{}"
    return None


_CONCAT_VALUE = re.compile(r"""(['"])([^'"\n]*)\1\s*\+\s*(this\.value|this\.options\[[^\]]*\]\.value|\w+)"""
                           r"""(\s*\+\s*(?:['"])([^'"\n]*)(?:['"]))?""")


# ---------------------------------------------------------------------- sub-columns, iframes
_NAME_END = re.compile(r"(办公室|办|局|委员会|委|中心)$")


def sub_columns(sel: Selector, url: str, office: Office) -> Analysis:
    """Menu items leading further into the annual reports: sub-columns (部门年报, 区县年报) and
    this office's own section on a portal that groups reports by department (市人防办)."""
    follows: dict[str, Follow] = {}
    for link in extract.links(sel, url):
        text = normalize_title(link.text)
        target = extract.page_url(link.url)
        if target == extract.page_url(url):
            continue
        if is_column_link(text):
            follows.setdefault(target, Follow(target, "sub_columns", f"annual-report column {text!r}",
                                              explore=True))
        elif (len(text) <= 24 and CIVIL_DEFENCE.search(text) and _NAME_END.search(text) and office.matches(text)
              and not re.fullmatch(r"/(index\.\w+)?", urlsplit(target).path)):   # not the logo's home link
            follows.setdefault(target, Follow(target, "sub_columns", f"this office's section {text!r}",
                                              explore=True))
    if not follows:
        return Analysis()
    return Analysis(follows=list(follows.values()), notes=[f"sub_columns: {len(follows)} sub-columns"])


def iframes(sel: Selector, url: str) -> Analysis:
    srcs = [urljoin(url, s.strip()) for s in sel.css("iframe::attr(src), frame::attr(src)").getall()
            if s.strip() and not s.strip().startswith(("javascript:", "about:"))]
    if not srcs:
        return Analysis()
    return Analysis(follows=[Follow(s, "iframe", "list inside an iframe", explore=True) for s in srcs],
                    notes=[f"iframe: {len(srcs)} framed page(s)"])


# ---------------------------------------------------------------------- every URL the page holds
#: a pager control's words: 下一页, 下页, 后页, 尾页, next, a page number
_PAGER_TEXT = re.compile(r"^(?:下一?页|后一?页|尾页|末页|next|>|»|›|\d{1,3})$", re.I)
#: the most speculative URLs (strings in scripts) one page may cost
SPECULATIVE_PER_PAGE = 6


def generic(candidates, url: str, *, on_target) -> tuple[Analysis, list[Follow]]:
    """What every URL the page holds (``crawler.discover``) adds to the named strategies:
    entries opened by handlers and controls (``onclick`` of a row, ``data-href``), column and
    per-year pages named by controls (a ``<select>``'s options, tabs), pagers driven by
    handlers, framed pages, a refresh or script redirect; and, apart (the second value), the
    URLs its scripts hold: endpoints asked like an API, pages explored (a 404 there is no
    failure), which the spider follows only where the page came up short. Off-target
    candidates are never followed."""
    out = Analysis()
    here = extract.page_url(url)
    follows: dict[str, Follow] = {}
    speculative: dict[str, Follow] = {}
    for c in candidates:
        if c.url == here or not on_target(c.url) or discover.is_asset_url(c.url):
            continue
        text = normalize_title(c.text)
        where = f"{c.found_in}: {c.why}"
        # a plain <a href> is read by extract.links already (with its row's date and title)
        plain_link = c.tag in ("a", "area") and c.attribute == "href"
        if c.source == Found.HANDLER or (c.source == Found.MARKUP and not plain_link and c.attribute not in ("src", "data")):
            if c.text and not plain_link:
                out.entries.append(Link(c.url, c.text))       # judged like any list entry
            if text and (is_column_link(text) or year_link(text)):
                follows.setdefault(c.url, Follow(c.url, "generic", f"{'year' if year_link(text) else 'column'} "
                                                 f"{c.text!r} ({where})", explore=True))
            elif text and _PAGER_TEXT.match(text) and urlsplit(c.url).netloc == urlsplit(url).netloc:
                follows.setdefault(c.url, Follow(c.url, "generic", f"pager {c.text!r} ({where})", pager=True))
        elif c.source == Found.FRAME and not discover.is_document_url(c.url):
            follows.setdefault(c.url, Follow(c.url, "generic", f"a framed page ({where})", explore=True))
        elif c.source == Found.REFRESH:
            follows.setdefault(c.url, Follow(c.url, "generic", f"the page moves on to it ({where})", explore=True))
        elif c.source == Found.SCRIPT and len(speculative) < SPECULATIVE_PER_PAGE and not discover.is_document_url(c.url):
            follow = _speculative_follow(c, where)
            if follow is not None:
                speculative.setdefault(follow.url, follow)
    out.follows = list(follows.values())
    if out.follows:
        out.notes.append(f"generic: {len(out.follows)} URL(s) from controls, frames and refreshes")
    return out, [f for u, f in speculative.items() if u not in follows]


def _speculative_follow(c, where: str) -> Follow | None:
    """A URL a script holds, asked as an endpoint (its rows read like an API's) or explored as a page."""
    parts = urlsplit(c.url)
    path = parts.path + ("?" if parts.query else "")
    open_keys = re.findall(r"(?:unknown parameters: )([^)]*)", c.why)
    open_keys = [k.strip() for k in open_keys[0].split(",")] if open_keys else []
    unknown = [k for k in open_keys if not (PAGE_KEYS.match(k) or SIZE_KEYS.match(k))]
    if unknown:
        return None       # a URL the script completes with values it computes: only a browser knows them
    if _ENDPOINT.search(path) or re.search(r"\.(?:do|action|json|ashx)$", parts.path):
        page_key = next((k for k in open_keys if PAGE_KEYS.match(k)), None)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        page_key = page_key or next((k for k in query if PAGE_KEYS.match(k)), None)
        ep = Endpoint(urlunsplit(parts), "GET", {}, page_key, False, None)
        page = first_page(ep) if page_key else 1
        req_url = endpoint_request(ep, page)[0] if page_key else c.url
        return Follow(req_url, "generic", f"a script names an endpoint ({where})", kind=Kind.API, explore=True,
                      guess=True, api={"url": ep.url, "method": "GET", "params": {}, "page_key": page_key,
                                       "json_body": False, "page": page, "size": None, "templates": []})
    if re.search(r"\.(?:s?html?|jsp|aspx?|php)$|/$", parts.path):
        return Follow(c.url, "generic", f"a script names a page ({where})", explore=True, guess=True)
    return None
