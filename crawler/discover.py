"""Every URL a page holds, with where it was found: the first, static layer of discovery.

Real portals hide the way to their reports in many places: a link's ``href``, an
``<option>``'s value that an ``onchange`` handler navigates to, an ``onclick`` calling a
function of the page that builds a download URL from its argument, a string in a script,
an object literal in another script (``listUrl: SiteInfo.searchUrl``), a ``<meta
refresh>``, a frame, a PDF viewer's ``?file=``. Like Heritrix's ExtractorHTML and
ExtractorJS, each extractor here reads one kind of content and returns ``Candidate``s,
each saying where it was found (``found_in``) and why it is a URL (``why``); none knows
about the others, and none decides what a URL is to the crawl: the spider judges every
candidate the same way (a report? a column? a list page? an endpoint?).

Candidates from scripts are *speculative* (Heritrix's ``SPECULATIVE`` hop): strings that
look like URLs, not links anyone clicks. The spider follows them only where the page came
up short, and a 404 there is no failure.

Pure functions: a parsel Selector (and the page's script text) in, candidates out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from archive.vocab import Found
from crawler import extract


@dataclass(frozen=True)
class Candidate:
    url: str                 # absolute, fragment removed
    text: str = ""           # the words that go with it: link text, option label, button text
    found_in: str = ""       # where: "a[href]", "select#year > option[value]", "onclick of li.tab", "script"
    why: str = ""            # what made it a URL: "attribute", "handler window.open", "resolved SiteInfo.searchUrl"
    source: str = Found.MARKUP   # where: archive.vocab.Found
    speculative: bool = False
    tag: str = ""            # the element it was found on (markup and handlers): a, option, li, iframe …
    attribute: str = ""      # the attribute that held it: href, src, value, onclick …

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


#: attributes that hold a URL on any element
URL_ATTRIBUTES = ("href", "src", "data", "action", "formaction", "poster", "background", "longdesc", "cite")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "blob:", "vbscript:")
#: a string that looks like a URL or a site path (ExtractorJS's "likely URI" test, made stricter)
_URLISH = re.compile(r"""^(?:https?://[\w.-]+(?::\d+)?(?:/[^\s'"<>]*)?|//[\w.-]+\.[a-z]{2,}(?:/[^\s'"<>]*)?"""
                     r"""|\.{0,2}/[^\s'"<>]*|[\w.-]+/[^\s'"<>]*\.(?:s?html?|jsp|do|action|aspx?|php|json|xml|pdf|docx?)"""
                     r"""(?:\?[^\s'"<>]*)?|[\w-]+\.(?:s?html?|jsp|do|action|aspx?|php|json|pdf|docx?)(?:\?[^\s'"<>]*)?)$""",
                     re.I)
_ASSET = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|eot|map|swf|mp4|mp3)(?:[?#]|$)", re.I)
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|zip|rar|7z|ofd)(?:[?#]|$)", re.I)


class _PerPage:
    """What is computed once per parsed page and asked for again (the ``<base href>``, the
    markup's candidates, the whole chain): kept by the page's tree, as ``extract.links`` keeps
    its links. Several extractors and callbacks read the same page (``frame_urls`` reads the
    markup's candidates for viewers; a report page reached as a list is read twice); the tree is
    never changed once parsed, so an answer for the same tree and arguments is the same answer."""

    def __init__(self, most: int = 16):
        self.most = most
        self.entries: dict = {}

    def get(self, sel: Selector, key, compute):
        root = sel.root
        if not hasattr(root, "iter"):       # not a parsed tree (a JSON selector): nothing to keep
            return compute()
        k = (id(root), key)
        hit = self.entries.get(k)
        if hit is not None and hit[0] is root:
            return hit[1]
        value = compute()
        if len(self.entries) > self.most:
            self.entries.clear()
        self.entries[k] = (root, value)
        return value


_BASE_URLS = _PerPage()
_MARKUP = _PerPage()
_CANDIDATES = _PerPage()


def _clean(value: str | None) -> str:
    return (value or "").strip().replace("\\/", "/")


def _absolute(base: str, value: str) -> str | None:
    value = _clean(value)
    if not value or (value.lower().startswith(_SKIP_SCHEMES) and not extract.HASH_ROUTE.match(value)) or "\x00" in value:
        return None
    try:
        url = urljoin(base, value)
    except ValueError:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return extract.page_url(url)


#: queries of every page compiled once (extract.xpath_strings)
_HEAD_BASE = etree.XPath("//head/base/@href", smart_strings=False)
_BASE = etree.XPath("//base/@href", smart_strings=False)
_REFRESH = etree.XPath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content", smart_strings=False)
_INLINE = etree.XPath("//script[not(@src) and not(contains(@type, 'xml'))]/text()", smart_strings=False)
_SCRIPT_SRC = etree.XPath("//script/@src", smart_strings=False)


def base_url(sel: Selector, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when the page has one."""
    return _BASE_URLS.get(sel, url, lambda: _base_url(sel, url))


def _base_url(sel: Selector, url: str) -> str:
    base = next(iter(extract.xpath_strings(sel, _HEAD_BASE, "//head/base/@href")
                     or extract.xpath_strings(sel, _BASE, "//base/@href")), None)
    return urljoin(url, base.strip()) if base and base.strip() else url


def describe(el) -> str:
    """``tag#id.class`` of an lxml element, for ``found_in``."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    out = tag
    if el.get("id"):
        out += "#" + el.get("id")
    elif el.get("class"):
        out += "." + ".".join(el.get("class").split()[:2])
    return out


def element_text(el) -> str:
    text = re.sub(r"\s+", " ", " ".join(t for t in el.itertext() if t)).strip()
    if not text:
        text = (el.get("title") or el.get("alt") or el.get("aria-label") or "").strip()
    if not text:
        text = " ".join(filter(None, (i.get("alt") or i.get("title") for i in el.iter("img")))).strip()
    return text[:200]


# ---------------------------------------------------------------------- markup
def markup_urls(sel: Selector, url: str) -> list[Candidate]:
    """Every attribute that can hold a URL (``href``, ``src``, ``data``, ``action``, the
    ``value`` of an ``<option>``, any ``data-*`` whose value looks like a URL)."""
    return list(_MARKUP.get(sel, url, lambda: _markup_urls(sel, url)))


def _markup_urls(sel: Selector, url: str) -> list[Candidate]:
    base, out = base_url(sel, url), []
    root = sel.root
    if not hasattr(root, "iter"):
        return out
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in (Found.SCRIPT, "style", "base", "link", "meta"):
            continue
        for name, value in el.attrib.items():
            name = name.lower()
            if name in URL_ATTRIBUTES or (name.startswith("data-") and _URLISH.match(_clean(value) or "-")):
                target = _absolute(base, value)
                if target is None or (name in ("src", "poster", "background") and el.tag == "img"):
                    continue
                out.append(Candidate(target, _text_for(el), f"{describe(el)}[{name}]", "attribute",
                                     Found.FRAME if el.tag in ("iframe", "frame", "embed", "object") else Found.MARKUP,  # not vocabulary
                                     tag=el.tag, attribute=name))
        if el.tag == "option" and el.get("value"):
            value = _clean(el.get("value"))
            if _URLISH.match(value) and not value.isdigit():
                target = _absolute(base, value)
                select = next((a for a in el.iterancestors("select")), None)
                if target:
                    out.append(Candidate(target, element_text(el),
                                         f"{describe(select) if select is not None else 'select'} > option[value]",
                                         "an option's value is a URL", Found.MARKUP, tag="option", attribute="value"))
    return out


def _text_for(el) -> str:
    if el.tag in ("a", "area", "button", "option", "li", "span", "div", "td"):
        return element_text(el)
    return (el.get("title") or el.get("alt") or "").strip()


# ---------------------------------------------------------------------- frames and viewers
def frame_urls(sel: Selector, url: str) -> list[Candidate]:
    """Documents and pages a page shows inside itself: ``<iframe>``/``<frame>``/``<embed>``/
    ``<object>``, and a PDF viewer's document (``viewer.html?file=/x.pdf``) anywhere."""
    base, out = base_url(sel, url), []
    for node in sel.xpath("//iframe[@src]|//frame[@src]|//embed[@src]|//object[@data]"):
        el = node.root
        target = _absolute(base, el.get("src") or el.get("data"))
        if target:
            out.append(Candidate(target, "", f"{describe(el)}[{'data' if el.tag == 'object' else 'src'}]",
                                 "a framed page or document", Found.FRAME, tag=el.tag,
                                 attribute="data" if el.tag == "object" else "src"))
    for c in list(out) + markup_urls(sel, url):
        out += viewer_documents(c)
    return _unique(out)


def viewer_documents(c: Candidate) -> list[Candidate]:
    """The document a viewer is asked to show: ``…/viewer.html?file=%2Fupload%2Fa.pdf``."""
    out = []
    for key, values in parse_qs(urlsplit(c.url).query).items():
        if key.lower() not in ("file", "url", "src", "path", "pdf", "filepath", "fileurl", "doc"):  # not vocabulary
            continue
        for value in values:
            value = unquote(value)
            if _DOCUMENT.search(value) or value.startswith(("/", "http")):
                target = _absolute(c.url if value.startswith(".") else c.url, value)
                if target:
                    out.append(Candidate(target, c.text, f"{c.found_in} ?{key}=", "a viewer's document", Found.VIEWER))
    return out


# ---------------------------------------------------------------------- refresh
def refresh_urls(sel: Selector, url: str) -> list[Candidate]:
    """``<meta http-equiv="refresh" content="0;url=…">``."""
    out = []
    for content in extract.xpath_strings(sel, _REFRESH, _REFRESH.path):
        m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", content, re.I)
        target = _absolute(base_url(sel, url), m.group(1)) if m else None
        if target:
            out.append(Candidate(target, "", "meta[http-equiv=refresh]", "the page refreshes to it", Found.REFRESH))
    return out


# ---------------------------------------------------------------------- scripts: a tiny evaluator
_STRING = r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"""
_TOKEN = re.compile(rf"""(?P<s>{_STRING})|(?P<n>\d+(?:\.\d+)?)|(?P<id>[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\[\s*(?:'[^']*'|"[^"]*"|\d+)\s*\])*)|(?P<op>\+)|(?P<other>\S)""")
_UNKNOWN = "\x00"


def _unquote_js(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


_TRANSPARENT = re.compile(r"\b(?:window\.)?(?:encodeURIComponent|encodeURI|escape|String|(?:\$|jQuery)\.trim)"
                          r"\s*\(\s*([^()]*?)\s*\)")


class Symbols:
    """What a page's scripts assign: ``var SiteInfo = {searchUrl: '/api/search.do'}``,
    ``window.APP_CONFIG = {...}``, ``SiteInfo.column = 12``, ``var base = '/xxgk/'``.
    Values are strings, numbers or nested dicts; anything else is unknown. Later
    assignments win, as they would at run time for scripts run in page order."""

    def __init__(self, js: str, known: dict | None = None):
        self.values: dict[str, object] = dict(known or {})
        for m in re.finditer(r"(?:\b(?:var|let|const)\s+|(?<![\w$.])(?:window\.)?)([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
                             r"\s*=(?![=>])\s*", js):
            name = m.group(1)
            if name in ("var", "let", "const", "return", "this") or name.startswith("this."):
                continue
            value, _ = self._value(js, m.end())
            if value is not None:
                self._assign(name, value)

    def _assign(self, name: str, value) -> None:
        head, *rest = name.split(".")
        if not rest:
            self.values[head] = value
            return
        node = self.values.setdefault(head, {})
        if not isinstance(node, dict):
            return
        for part in rest[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return
        node[rest[-1]] = value

    def lookup(self, path: str):
        parts = [p for p in re.split(r"\s*\.\s*|\[\s*['\"]?|['\"]?\s*\]", path) if p]
        if parts and parts[0] == "window":
            parts = parts[1:]
        node = self.values
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _value(self, js: str, at: int):
        """(value, end) of the expression at ``at``: an object literal, or a concatenation."""
        while at < len(js) and js[at] in " \t\r\n":
            at += 1
        if js.startswith("{", at):
            end = _match(js, at, "{", "}")
            return self.object_literal(js[at + 1:end]), end + 1
        end = _expression_end(js, at)
        value = self.evaluate(js[at:end])
        return (value if value not in (None, "") else None), end

    def object_literal(self, body: str) -> dict:
        out, i = {}, 0
        while i < len(body):
            m = re.compile(r"""\s*,?\s*(?:(['"])([^'"\n]+)\1|([A-Za-z_$][\w$]*))\s*:\s*""").match(body, i)
            if not m:
                nxt = body.find(",", i + 1)
                if nxt < 0:
                    break
                i = nxt
                continue
            key = m.group(2) or m.group(3)
            j = m.end()
            if body.startswith("{", j):
                end = _match(body, j, "{", "}")
                out[key] = self.object_literal(body[j + 1:end])
                i = end + 1
                continue
            if body.startswith("[", j) or body.startswith("function", j) or re.match(r"\([^)]*\)\s*=>", body[j:j + 80]):
                opener = body.find("{", j) if not body.startswith("[", j) else j
                if opener < 0:
                    break
                i = _match(body, opener, body[opener], "}" if body[opener] == "{" else "]") + 1
                continue
            end = _expression_end(body, j)
            value = self.evaluate(body[j:end])
            if value is not None:
                out[key] = value
            i = end
        return out

    def evaluate(self, expr: str):
        """A JS expression made of literals, names and ``+``: its value as far as the scripts say;
        an unknown name inside a string becomes ``\\x00name\\x00``; None when nothing is known."""
        expr = expr.strip().rstrip(";")
        if not expr:
            return None
        # calls that leave an id as it is (encodeURIComponent('8f3a') is 8f3a): their argument
        while (bare := _TRANSPARENT.sub(r"\1", expr)) != expr:
            expr = bare
        parts, known = [], False
        for m in _TOKEN.finditer(expr):
            kind = m.lastgroup
            tok = m.group(kind)
            if kind == "op":
                continue
            if kind == "other":  # not vocabulary
                return None if not parts else ("".join(parts) if known else None)
            if kind == "s":
                text = _unquote_js(tok)
                if tok[0] == "`":
                    text = re.sub(r"\$\{([^}]+)\}", lambda v: self._string_of(v.group(1)), text)
                parts.append(text)
                known = True
            elif kind == "n":
                if len(expr.strip()) == len(tok):
                    return int(tok) if tok.isdigit() else float(tok)
                parts.append(tok)
            else:
                value = self.lookup(tok)
                if isinstance(value, dict) and len(expr.strip()) == len(tok):
                    return value
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    parts.append(str(value))
                    known = True
                else:
                    parts.append(f"{_UNKNOWN}{tok}{_UNKNOWN}")
        if not known:
            return None
        return "".join(parts)

    def _string_of(self, name: str) -> str:
        value = self.lookup(name.strip())
        return str(value) if isinstance(value, (str, int, float)) else f"{_UNKNOWN}{name.strip()}{_UNKNOWN}"


def _match(text: str, start: int, open_ch: str, close_ch: str) -> int:
    """The index of the bracket closing the one at ``start`` (strings and comments skipped)."""
    depth, i, quote = 0, start, None
    while i < len(text):
        c = text[i]
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
                return i
        i += 1
    return len(text) - 1


def _expression_end(text: str, at: int) -> int:
    """Where a simple expression starting at ``at`` ends: at a top-level ``, ; ) } ]`` or line end
    not followed by ``+``."""
    i, quote, depth = at, None, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and c in ",;":
            return i
        elif depth == 0 and c == "\n" and not re.match(r"\s*\+", text[i:i + 40]) and not re.search(r"\+\s*$", text[at:i]):
            return i
        i += 1
    return i


def _urlish(value: str) -> bool:
    value = value.strip()
    return (len(value) > 1 and len(value) < 500 and not re.search(r"[\s<>{}|\\^]", value.replace(_UNKNOWN, ""))
            and bool(_URLISH.match(value.replace(_UNKNOWN, "x"))) and not _ASSET.search(value.split(_UNKNOWN)[0])
            and not value.startswith(("//#", "/*", "//-")) and value not in ("/", "./", "../"))


def _resolve_unknowns(value: str, prefix_ok: bool = False) -> tuple[str, list[str]]:
    """A partially known URL: unknown query values dropped (their keys returned, the page
    number is often among them); "" when an unknown sits inside the path (its folder with
    ``prefix_ok``: a speculative guess)."""
    path, _, query = value.partition("?")
    if _UNKNOWN in path:
        prefix = path.split(_UNKNOWN)[0]
        return (prefix if prefix_ok and prefix.endswith("/") and len(prefix) > 1 else ""), []
    keys, pairs = [], []
    for pair in query.split("&") if query else []:
        key, eq, val = pair.partition("=")
        if _UNKNOWN in key:
            continue
        if _UNKNOWN in val:
            keys.append(key)
            continue
        pairs.append(pair)
    return path + ("?" + "&".join(pairs) if pairs else ""), keys


def script_urls(js: str, url: str, symbols: Symbols | None = None, where: str = Found.SCRIPT) -> list[Candidate]:
    """URLs a script holds: string literals that look like URLs or paths, and concatenations
    and object members resolved through what the page's scripts assign
    (``listUrl: SiteInfo.searchUrl`` → ``/api/search.do``). Relative ones resolve against the
    page (a script's strings are resolved by the document that runs it)."""
    symbols = symbols or Symbols(js)
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(value: str, why: str, context: str = ""):
        if not isinstance(value, str) or not _urlish(value):
            return
        resolved, open_keys = _resolve_unknowns(value, prefix_ok=True)
        if not resolved or not _urlish(resolved):
            return
        target = _absolute(url, resolved)
        if not target or target in seen:
            return
        seen.add(target)
        note = why + (f" (unknown parameters: {', '.join(open_keys)})" if open_keys else "")
        out.append(Candidate(target, context, where, note, Found.SCRIPT, speculative=True))

    # every expression after = : ( , that is a literal or a concatenation with a literal
    for m in re.finditer(r"[=:(,]\s*(?=['\"`A-Za-z_$])", js):
        end = _expression_end(js, m.end())
        expr = js[m.end():end]
        if len(expr) > 400 or not re.search(r"['\"`]|\.", expr):
            continue
        value = symbols.evaluate(expr)
        if isinstance(value, str):
            refs = [t for t in re.findall(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+", expr)
                    if symbols.lookup(t) is not None]
            add(value, f"resolved {refs[0]}" if refs and not re.match(r"\s*['\"`]", expr) else "a string that is a URL",
                _member_name(js, m.start()))
    # every string member of every assigned object (SiteInfo.searchUrl, APP_CONFIG.api)
    for name, value in _flatten(symbols.values):
        if isinstance(value, str):
            add(value, f"assigned to {name}", name.rsplit(".", 1)[-1])
    return out


def _member_name(js: str, at: int) -> str:
    m = re.search(r"([A-Za-z_$][\w$]*)\s*['\"]?\s*[:=]\s*$", js[max(0, at - 60):at + 1])
    return m.group(1) if m else ""


def _flatten(values: dict, prefix: str = ""):
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


# ---------------------------------------------------------------------- handlers
_NAVIGATE = re.compile(r"""(?:window\.open|open|(?:window\.|document\.|top\.|parent\.|self\.)?location(?:\.href)?\s*=(?!=)"""
                       r"""|location\.(?:assign|replace)|\.load|\$\.get|\$\.post|\$\.getJSON|fetch|\.attr\(\s*['"](?:src|href)['"]\s*,)\s*\(?""")


def handler_urls(sel: Selector, url: str, js: str, symbols: Symbols | None = None) -> list[Candidate]:
    """URLs opened by event handlers and ``javascript:`` links: ``window.open('…')``,
    ``location.href = '…'``, ``location.assign``/``replace``, an ``onchange`` that navigates to
    the chosen option's value, and a call to a function the page defines, evaluated with the
    call's arguments (``downloadFile('8f3a')`` → ``'/down.jsp?fileid=' + id`` → ``…?fileid=8f3a``)."""
    base, out = base_url(sel, url), []
    symbols = symbols or Symbols(js)
    functions = page_functions(js)
    root = sel.root
    if not hasattr(root, "iter"):
        return out
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.attrib:   # most elements have no attribute at all
            continue
        for name in ("onclick", "onchange", "href", "ondblclick", "onmousedown", "data-href", "data-url"):
            code = el.get(name) or ""
            if name == "href":
                if not code.strip().lower().startswith("javascript:"):
                    continue
                code = code.split(":", 1)[1]
            if not code.strip() or (name.startswith("data-") and not re.search(r"[(=]", code)):
                continue
            where = f"{name} of {describe(el)}"
            text = element_text(el)
            for value, why in handler_targets(code, functions, symbols):
                resolved, _ = _resolve_unknowns(value)
                target = _absolute(base, resolved) if resolved else None
                if target:
                    out.append(Candidate(target, text, where, why, Found.HANDLER, tag=el.tag, attribute=name))
            if el.tag == "select" and re.search(r"this\.(?:value|options\[[^\]]*\]\.value)|\.val\(\)", code):
                for opt in el.iter("option"):
                    value = _clean(opt.get("value"))
                    if value and not value.isdigit():
                        target = _absolute(base, value)
                        if target:
                            out.append(Candidate(target, element_text(opt), f"{where} > option",
                                                 "the select navigates to the chosen option's value", Found.HANDLER,
                                                 tag="option", attribute="value"))
    return out


def page_functions(js: str) -> dict[str, tuple[list[str], str]]:
    """Functions a page defines: name → (parameters, body)."""
    out = {}
    for m in re.finditer(r"function\s+([A-Za-z_$][\w$]*)\s*\(([^)]*)\)\s*\{|(?:var|let|const)?\s*([A-Za-z_$][\w$.]*)\s*=\s*"
                         r"(?:function\s*\(([^)]*)\)|\(([^)]*)\)\s*=>)\s*\{", js):
        name = m.group(1) or m.group(3)
        params = [p.strip() for p in (m.group(2) or m.group(4) or m.group(5) or "").split(",") if p.strip()]
        start = m.end() - 1
        body = js[start + 1:_match(js, start, "{", "}")]
        out[name.rsplit(".", 1)[-1]] = (params, body)
    return out


def handler_targets(code: str, functions: dict, symbols: Symbols, depth: int = 0) -> list[tuple[str, str]]:
    """The URLs a piece of handler code opens: direct navigations, or those of a page function it calls."""
    out = []
    for m in _NAVIGATE.finditer(code):
        end = _expression_end(code, m.end())
        value = symbols.evaluate(code[m.end():end])
        if isinstance(value, str) and _urlish(value):
            out.append((value, f"handler {m.group(0).strip('( ')}"))
    if depth < 2:
        for call in re.finditer(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(", code):
            name = call.group(1)
            if name not in functions or name in ("open", "fetch"):  # not vocabulary
                continue
            args = _split_args(code[call.end():_match(code, call.end() - 1, "(", ")")])
            params, body = functions[name]
            bound = {**symbols.values}
            for param, arg in zip(params, args):
                value = symbols.evaluate(arg)
                if value is not None and not (isinstance(value, str) and _UNKNOWN in value):
                    bound[param] = value
            local = Symbols(body, bound)      # the body's own assignments, with the call's arguments
            for value, why in handler_targets(body, functions, local, depth + 1):
                out.append((value, f"{name}({', '.join(a.strip() for a in args)}) → {why}"))
    return out


def _split_args(text: str) -> list[str]:
    out, depth, quote, cur = [], 0, None, ""
    for c in text:
        if quote:
            cur += c
            if c == quote:
                quote = None
            continue
        if c in "'\"`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += c
    if cur.strip():
        out.append(cur)
    return out


def script_redirect(sel: Selector, url: str, js: str) -> list[Candidate]:
    """A page whose script sends the browser elsewhere at once (``location.replace('/xxgk/')``,
    ``window.location.href = '/portal/index.shtml'``) outside any function or handler."""
    out = []
    symbols = Symbols(js)
    for m in re.finditer(r"(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=(?!=)\s*|location\.(?:replace|assign)\s*\(\s*",
                         js):
        if _inside_function(js, m.start()):
            continue
        end = _expression_end(js, m.end())
        value = symbols.evaluate(js[m.end():end])
        if isinstance(value, str) and _urlish(value):
            target = _absolute(base_url(sel, url), _resolve_unknowns(value)[0])
            if target and target != extract.page_url(url):
                out.append(Candidate(target, "", Found.SCRIPT, "the page's script navigates to it", Found.REFRESH))
    return out


def _inside_function(js: str, at: int) -> bool:
    for m in re.finditer(r"function\s*[\w$]*\s*\([^)]*\)\s*\{|=>\s*\{", js[:at]):
        start = m.end() - 1
        if _match(js, start, "{", "}") > at:
            return True
    return False


# ---------------------------------------------------------------------- the chain
def inline_scripts(sel: Selector) -> str:
    """The page's inline scripts in page order (not the XML datastores kept in script tags)."""
    return "\n;\n".join(extract.xpath_strings(sel, _INLINE, _INLINE.path))


#: script files that are libraries, never a page's own configuration
LIBRARY = re.compile(r"(?:^|[/._-])(?:jquery|vue|react|angular|avalon|layui|bootstrap|echarts|swiper|lodash|axios|"
                     r"require|sea|zepto|moment|polyfill|html5shiv|respond|json2|md5|base64|crypto|analytics|"
                     r"hm\.js|stat|wza|aria|barrierfree|jsencrypt|pdf(?:\.worker)?|viewer)(?:[._-]|\.min|$)", re.I)


#: a page's own script files read for the URLs they hold, at most (when the page came up short)
LINKED_SCRIPTS_PER_PAGE = 4
#: the part of one script file read (a configuration object sits near its start)
SCRIPT_BYTES = 200_000


def linked_scripts(sel: Selector, url: str) -> list[str]:
    """The page's own script files (``<script src>`` on its host, not a known library)."""
    host = urlsplit(url).netloc
    out = []
    for src in extract.xpath_strings(sel, _SCRIPT_SRC, _SCRIPT_SRC.path):
        target = _absolute(base_url(sel, url), src)
        if target and urlsplit(target).netloc == host and not LIBRARY.search(urlsplit(target).path.rsplit("/", 1)[-1]):
            if target not in out:
                out.append(target)
    return out


def page_candidates(sel: Selector, url: str, js: str | None = None, linked_js: str = "") -> list[Candidate]:
    """Every URL the page holds, from every extractor, each once (the first place it was found).
    Computed once per page and arguments (a callback asking again gets the same list)."""
    return list(_CANDIDATES.get(sel, (url, js, linked_js), lambda: _page_candidates(sel, url, js, linked_js)))


def _page_candidates(sel: Selector, url: str, js: str | None, linked_js: str) -> list[Candidate]:
    js = inline_scripts(sel) if js is None else js
    everything = linked_js + "\n;\n" + js if linked_js else js
    symbols = Symbols(everything)
    found = (markup_urls(sel, url) + handler_urls(sel, url, everything, symbols) + refresh_urls(sel, url)
             + script_redirect(sel, url, js) + frame_urls(sel, url) + script_urls(everything, url, symbols))
    return _unique(found)


def _unique(cands: list[Candidate]) -> list[Candidate]:
    out: dict[str, Candidate] = {}
    for c in cands:
        prev = out.get(c.url)
        if prev is None or (not prev.text and c.text and not c.speculative):
            out[c.url] = c
    return list(out.values())


def is_document_url(url: str) -> bool:
    return bool(_DOCUMENT.search(url))


def is_asset_url(url: str) -> bool:
    return bool(_ASSET.search(url))
