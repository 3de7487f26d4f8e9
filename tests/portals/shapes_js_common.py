"""What the script-built test portals (``tests/portals/shapes_js*.py``) are made of, beside
``shapes_common`` (the page furniture, article bodies, attachments) that every shape site uses.

A :class:`JsSite` is a :class:`~tests.portals.shapes_common.Site` that may also guard every
URL (``gate``: a cookie challenge), answer POSTs whose body is JSON (``raw_post``), and says
what a person sees in Chromium (``probes``): the page opened, the clicks and choices made
(``drive``), the links, frames and requests the page's own scripts must have produced
(``shows``) and the strings its static HTML must not hold (``hidden``: what only the script
builds). ``tests/test_portals_js.py`` runs every probe in Chromium.

The ``drive`` functions take a Playwright page (duck-typed: this module imports no
Playwright) and a ``snap()`` that records what the page shows at that moment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tests.portals.shapes_common import Page, Site, article, att, report_text

__all__ = ["JsSite", "Probe", "Row", "js", "new_js_site", "add_rows", "click_until_gone", "click_each",
           "wait_changed", "office_of"]


@dataclass
class Probe:
    """One page a person opens in Chromium (see the module's docstring)."""
    path: str
    shows: set[str]                       # paths (?query) of the site, or absolute URLs elsewhere
    hidden: set[str] = field(default_factory=set)   # not in the static HTML of ``path``
    drive: Callable | None = None         # fn(page, snap): what the person clicks or chooses
    what: str = ""                        # what the script does, in a few words
    ready: str | None = None              # a selector that shows once the script has run
    says: str = ""                        # text the rendered page shows (decoded right: GBK pages)


@dataclass
class JsSite(Site):
    gate: Callable | None = None          # fn(method, path, headers) -> Page | None
    raw_post: dict = field(default_factory=dict)    # path -> fn(query, body, headers) -> Page
    probes: list[Probe] = field(default_factory=list)
    shape: str = ""                       # one line: the shape, for reports


def new_js_site(sid: str, name: str, level: str, province: str, shape: str) -> JsSite:
    return JsSite(sid, name, level, province, pages={}, reports={}, never=set(), shape=shape)


@dataclass
class Row:
    """A list entry and its article: ``year`` None for a distractor; ``files`` the article's
    attachments (paths); ``doc`` when the list links the document itself (no article)."""
    title: str
    path: str
    date: str                             # YYYY-MM-DD (a time may follow)
    year: int | None = None
    files: tuple[str, ...] = ()
    doc: bool = False


def js(text: str, enc: str = "utf-8", charset_header: bool = True) -> Page:
    """A script file, as servers send them (``application/javascript``)."""
    codec = "gb18030" if enc in ("gbk", "gb2312") else enc
    ctype = "application/javascript" + (f";charset={enc.upper()}" if charset_header else "")
    return Page(text.encode(codec), ctype)


def office_of(title: str, name: str, renamed: str) -> str:
    return renamed if "国防动员" in title else name


def file_page(row: Row, path: str) -> Page:
    """An attachment's bytes under the type its name says."""
    kind = path.rsplit(".", 1)[-1].lower()
    ctype = {"pdf": "application/pdf", "doc": "application/msword",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}.get(kind,
                                                                                                 "application/octet-stream")
    return Page(att(f"{row.title}.{kind if kind in ('doc', 'docx') else 'pdf'}"), ctype)


def add_rows(s: Site, pg, rows: list[Row], *, name: str, renamed: str, links=None, body=None,
             crumbs=(), listed: bool = True, extra: str = "") -> None:
    """Every row's article page (``report_text`` for a report) and attachments. ``links(row)``
    gives the attachments' HTML (plain ``<a href>`` by default), ``body(row)`` the article body.
    ``listed``: the list entry already says a distractor is one (it must not be requested)."""
    for row in rows:
        flag = {"year": row.year}
        if row.year is None:
            flag = {"listed_as_distractor": True} if listed else {"distractor": True}
        if row.doc:
            s.add(row.path, file_page(row, row.path), **flag)
            continue
        for f in row.files:
            s.add(f, file_page(row, f), **flag)
        office = office_of(row.title, name, renamed)
        if links is not None:
            att_html = links(row)
        else:
            att_html = "".join(f'<p><a href="{f}" target="_blank">{row.title}.{f.rsplit(".", 1)[1]}</a></p>'
                               for f in row.files)
        text = body(row) if body is not None else (report_text(office, row.year) if row.year else "<p>……</p>")
        s.add(row.path, pg(row.title, article(row.title, row.date[:10], text, source=office, attachments=att_html)
                           + extra, crumbs=crumbs, meta={"ArticleTitle": row.title, "PubDate": row.date[:10]}),
              **flag)


# ------------------------------------------------------------------ what a person does in Chromium
def wait_changed(page, selector: str, before: str, timeout: float = 10_000) -> None:
    """Wait until the element ``selector`` holds other HTML than ``before``."""
    page.wait_for_function("([s, old]) => { const e = document.querySelector(s); return e && e.innerHTML !== old; }",
                           arg=[selector, before], timeout=timeout)


def click_until_gone(page, snap, control: str, watched: str, limit: int = 20) -> int:
    """Click ``control`` (a selector) while it is there and enabled, each time waiting for
    ``watched`` to change and recording what is shown; returns the number of clicks."""
    n = 0
    while n < limit:
        loc = page.locator(control)
        if loc.count() == 0 or not loc.first.is_enabled() or not loc.first.is_visible():
            break
        before = page.inner_html(watched)
        loc.first.click()
        wait_changed(page, watched, before)
        snap()
        n += 1
    return n


def click_each(page, snap, controls: str, watched: str, start: int = 0) -> int:
    """Click every element matching ``controls`` from the ``start``-th on (tabs, years, tree
    nodes), in order, each time waiting for ``watched`` to change and recording what is shown."""
    n = page.locator(controls).count()
    for i in range(start, n):
        before = page.inner_html(watched)
        page.locator(controls).nth(i).click()
        wait_changed(page, watched, before)
        snap()
    return n - start


# ------------------------------------------------------------------ the pages every portal has
def add_home(s: Site, pg, site_name: str, news: tuple[str, str, str], *, paths=("/",), extra: str = "") -> None:
    """The home page (served at each of ``paths``) with a news box of one item, whose article
    is served too; ``extra``: the home page's other boxes."""
    title, href, when = news
    home = pg(site_name, f'<div class="news"><div class="hd"><h3>工作动态</h3></div><ul><li><a href="{href}" '
                         f'title="{title}">{title}</a><span>{when}</span></li></ul></div>' + extra)
    for path in paths:
        s.add(path, home)
    s.add(href, pg(title, article(title, when, "<p>……</p>", source=site_name)))


def menu(items: list[tuple[str, str]], *, title: str = "", cls: str = "side-menu") -> str:
    """A column's left menu: ``<div class=…><h2>title</h2><ul><li><a>…`` of (text, href)."""
    head = f"<h2>{title}</h2>" if title else ""
    return (f'<div class="{cls}">{head}<ul>' + "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in items)
            + "</ul></div>")
