"""The browser as the last extractor (crawler/browser.py).

- ``script_signals`` on frozen pages, one behaviour each; a plain static list page gives none.
- A real Scrapy crawl with scrapy-playwright and Debian's Chromium (marker ``browser``) over tiny
  pages of this module, served on 127.0.0.1 with working JavaScript: one crawl, one browser, for
  the module; each test reads its part of the crawl's record. The crawl runs in its own process
  (a Twisted reactor starts once per process).
- A crawl without browser requests starts neither Playwright's driver nor Chromium.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from parsel import Selector

from crawler import browser
from tests.helpers import REPO

# ---------------------------------------------------------------- script_signals, on frozen pages


def signals(html: str, js: str = "", status: int = 200) -> list[browser.Signal]:
    return browser.script_signals(Selector(text=html), js, "http://rf.example.gov.cn/zwgk/", status=status)


def test_an_empty_list_container_beside_scripts():
    found = signals('<html><body><h2>年度报告</h2><ul id="list"></ul><div id="app"></div>'
                    '<div class="clear"></div><script src="/js/list.js"></script></body></html>')
    assert [s.found_in for s in found] == ["ul#list", "div#app"]
    assert "empty <ul>" in found[0].why


def test_an_empty_container_without_any_script_is_no_signal():
    assert signals('<html><body><ul id="list"></ul></body></html>') == []


def test_a_template_for_a_script_framework():
    found = signals('<html><body><ul><li v-for="item in list"><a :href="item.url">{{ item.title }}</a></li></ul>'
                    '<script src="/js/vue.min.js"></script></body></html>')
    assert ("li", 'a script template (v-for="item in list")') in [(s.found_in, s.why) for s in found]


def test_a_module_loader():
    found = signals('<html><body><ul><li>x</li></ul><script src="/js/require.js" data-main="/js/main"></script>'
                    '<script>require(["jquery", "listModel"], function ($, listModel) { listModel({listUrl: '
                    'SiteInfo.searchUrl}); });</script></body></html>')
    whys = [s.why for s in found]
    assert "a module loader (RequireJS/Sea.js) loads the page's scripts" in whys
    assert any(w.startswith("a module loader call (require([") for w in whys), whys
    assert signals('<html><body><p>x</p><script type="module" src="/app.js"></script></body></html>')[0].why == \
        'an ES module (type="module") builds the page'


def test_a_button_pager_without_links():
    found = signals('<html><body><ul><li><a href="/a.html">a</a></li></ul><div class="pager">'
                    '<button class="next" type="button">下一页</button><span onclick="go(3)">3</span></div>'
                    '<script>function go(n) { load(n); }</script></body></html>')
    assert [(s.found_in, s.why) for s in found] == [
        ("button.next", 'a pager control "下一页" handled by script (<button>), no link'),
        ("span", 'a pager control "3" handled by script (onclick), no link')]


def test_a_pager_of_real_links_is_no_signal():
    assert signals('<html><body><ul><li><a href="/a.html">a</a></li></ul><div class="pager"><a href="index_1.html">'
                   '下一页</a><a href="index_2.html" onclick="track()">3</a></div><script>var _hmt = [];</script>'
                   '</body></html>') == []


def test_a_select_handled_by_script():
    found = signals('<html><body><select onchange="window.location.href=this.options[this.selectedIndex].value">'
                    '<option value="index.html?year=2023">2023</option><option value="index.html?year=2022">2022'
                    '</option></select><script></script></body></html>')
    assert [(s.found_in, s.why) for s in found] == [
        ("select", "a <select> of 2 options whose choice is handled by script (onchange) and navigates")]
    bound = signals('<html><body><select id="year"><option>2023</option><option>2022</option></select>'
                    '<script>$("#year").change(function () { load($(this).val()); });</script></body></html>')
    assert [(s.found_in, s.why) for s in bound] == [
        ("select#year", "a <select> of 2 options whose choice is handled by script ($('#year').change)")]


def test_tabs_handled_by_script():
    found = signals('<html><body><ul class="tabs"><li>工作动态</li><li>年度报告</li></ul><div id="panel"><p>x</p>'
                    '</div><script>$(".tabs li").click(function () { show(this); });</script></body></html>')
    assert [(s.found_in, s.why) for s in found] == [
        ("li", "a tab/menu/tree node \"年度报告\" handled by script ($('.tabs li').click), no link")]
    years = signals('<html><body><p><a href="javascript:void(0)" onclick="show(2022)">2022年</a></p>'
                    '<script></script></body></html>')
    assert [s.why for s in years] == ['a tab/menu/tree node "2022年" handled by script (onclick), no link']


def test_load_more():
    found = signals('<html><body><ul><li><a href="/1.html">1</a></li></ul><div class="more">'
                    '<span>加载更多</span></div><script src="/more.js"></script></body></html>')
    assert [(s.found_in, s.why) for s in found] == [("span", '"加载更多" loads more entries by script')]


def test_a_cookie_challenge():
    page = ('<html><body><script>document.cookie="__jsl_clearance=1700000000.1|0|abc;max-age=3600;path=/";'
            'location.href=location.pathname+location.search</script></body></html>')
    found = signals(page, status=521)
    assert found[0].found_in == "HTTP 521 page"
    assert found[0].why.startswith("jiasule challenge: a script sets a cookie and reloads")


def test_a_plain_static_list_page_gives_no_signal():
    page = ('<html><head><script src="/js/jquery.min.js"></script><script>var _hmt = _hmt || [];</script></head>'
            '<body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div><div class="list">'
            '<ul><li><a href="./202401/t1.html">某市人防办2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>'
            '<li><a href="./202301/t2.html">某市人防办2022年政府信息公开工作年度报告</a><span>2023-01-18</span></li>'
            '</ul></div><div class="clear"></div><div class="page"><a href="index_1.html">下一页</a>'
            '<a href="index_1.html">2</a></div><table><tbody><tr><td>x</td></tr></tbody></table></body></html>')
    assert signals(page) == []


def test_budget_and_availability():
    budget = browser.Budget(pages=2, seconds=5)
    assert budget.take() and budget.take() and not budget.take()
    assert budget.spent() == "browser page budget spent (2 pages, RENFANG_BROWSER_PAGES)"
    budget = browser.Budget(pages=5, seconds=5, used_seconds=5.5)
    assert not budget.take() and budget.spent() == "browser time budget spent (5 s, RENFANG_BROWSER_SECONDS)"
    assert browser.browser_available({"RENFANG_BROWSER": False}) == \
        "the browser is off (RENFANG_BROWSER=False, --no-browser)"
    assert browser.browser_available({"RENFANG_BROWSER": "0"}) is not None
    assert browser.browser_available({"RENFANG_CHROMIUM": "/nonexistent/chromium"}) == \
        "no Chromium at /nonexistent/chromium (Debian package chromium; RENFANG_CHROMIUM)"


def test_cookies_for_scrapy_match_host_and_path():
    seen = browser.Visit("http://127.0.0.1:8000/", cookies=[
        {"name": "__jsl_clearance", "value": "v1", "domain": "127.0.0.1", "path": "/"},
        {"name": "deep", "value": "v2", "domain": "127.0.0.1", "path": "/a/"},
        {"name": "other", "value": "v3", "domain": "rf.example.gov.cn", "path": "/"},
        {"name": "sub", "value": "v4", "domain": ".example.gov.cn", "path": "/"}])
    assert browser.scrapy_cookies(seen, "http://127.0.0.1:8000/x.html") == {"__jsl_clearance": "v1"}
    assert browser.scrapy_cookies(seen, "http://127.0.0.1:8000/a/b.html") == {"__jsl_clearance": "v1", "deep": "v2"}
    assert browser.scrapy_cookies(seen, "http://rf.example.gov.cn/") == {"other": "v3", "sub": "v4"}


# ---------------------------------------------------------------- the pages the browser drives

CHALLENGE_VALUE = "renfang-42"


def _list_js(api: str) -> str:
    """A list filled by a script: XHR of a JSON page, rendered into <ul id="list">, a 下一页 button."""
    return f"""
<script>
var page = 1, total = 1;
function load(n) {{
  var x = new XMLHttpRequest();
  x.open('GET', '{api}' + (('{api}'.indexOf('?') < 0) ? '?' : '&') + 'page=' + n);
  x.onload = function () {{
    var d = JSON.parse(x.responseText), ul = document.getElementById('list');
    ul.innerHTML = '';
    d.items.forEach(function (it) {{
      var li = document.createElement('li');
      li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a>';
      ul.appendChild(li);
    }});
    page = n; total = d.pages; pager();
  }};
  x.send();
}}
function pager() {{
  var p = document.getElementById('pager');
  p.innerHTML = '';
  if (page < total) {{
    var b = document.createElement('button');
    b.className = 'next'; b.type = 'button'; b.textContent = '下一页';
    b.onclick = function () {{ load(page + 1); }};
    p.appendChild(b);
  }}
}}
load(1);
</script>"""


def build_pages(other: str) -> dict:
    """path -> fn(query, cookies) -> (status, content type, body, delay)."""
    def html(body: str, status: int = 200):
        return lambda q, c: (status, "text/html; charset=utf-8", f"<html><head><meta charset='utf-8'></head>"
                                                                f"<body>{body}</body></html>", 0)

    def api_list(pages: int, delay: float = 0.0):
        def answer(q, c):
            n = int(q.get("page", ["1"])[0])
            items = [{"url": f"/doc/p{n}-{i}.html", "title": f"人防办{2000 + n}年政府信息公开工作年度报告（{i}）"}
                     for i in range(3)]
            return 200, "application/json", json.dumps({"pages": pages, "items": items}, ensure_ascii=False), delay
        return answer

    def tab(q, c):
        col = q.get("col", [""])[0]
        body = ('<ul><li><a href="/nb/2023.html">2023年度报告</a></li><li><a href="/nb/2022.html">2022年度报告</a>'
                '</li></ul>' if col == "nb" else "<p>工作动态</p>")
        return 200, "text/html; charset=utf-8", body, 0

    def challenged(content: str):
        def answer(q, c):
            if c.get("__jsl_clearance") == CHALLENGE_VALUE:
                return 200, "text/html; charset=utf-8", f"<html><body>{content}</body></html>", 0
            # 加速乐-like: HTTP 521, the cookie computed by script, then a reload
            return 521, "text/html", ("<html><body><script>var v = 6 * 7; document.cookie = '__jsl_clearance="
                                      "renfang-' + v + '; path=/'; setTimeout(function () { location.reload(); }, "
                                      "150);</script></body></html>"), 0
        return answer

    return {
        "/static.html": html('<ul><li><a href="/doc/1.html">2023年度报告</a></li></ul>'),
        "/xhr.html": html('<h1>年度报告</h1><ul id="list"></ul><div id="pager"></div>' + _list_js("/api/list.json")
                          + f'<img src="{other}pixel.gif"><script>fetch("{other}track?x=1").catch(function(){{}});'
                          "</script>"),
        "/api/list.json": api_list(1),
        "/pager.html": html('<ul id="list"></ul><div id="pager"></div>' + _list_js("/api/pager")),
        "/api/pager": api_list(3),
        "/slow.html": html('<ul id="list"></ul><div id="pager"></div>' + _list_js("/api/slow")),
        "/api/slow": api_list(1000, delay=0.3),
        "/select/index.html": html(
            '<select id="year" onchange="window.location.href=this.options[this.selectedIndex].value">'
            '<option value="index.html?year=2023">2023年</option><option value="index.html?year=2022">2022年</option>'
            '<option value="index.html?year=2021">2021年</option></select>'
            '<select id="kind"><option value="a">全部</option><option value="b">年度报告</option></select>'
            '<div id="shown"></div><script>document.getElementById("kind").addEventListener("change", function () {'
            'document.getElementById("shown").innerHTML = "<a href=\\"/kind/" + this.value + ".html\\">" + '
            'this.value + "</a>"; });</script>'),
        "/tabs.html": html(
            '<ul class="tabs"><li data-col="news">工作动态</li><li data-col="nb">年度报告</li></ul><div id="panel">'
            '</div><p><span class="yr" onclick="window.open(\'/doc/2022.pdf\')">2022年</span> '
            f'<span class="yr" onclick="window.open(\'{other}lure.html\')">2021年</span></p>'
            '<script>document.querySelectorAll(".tabs li").forEach(function (li) { li.addEventListener("click", '
            'function () { fetch("/api/tab?col=" + li.dataset.col).then(function (r) { return r.text(); })'
            '.then(function (t) { document.getElementById("panel").innerHTML = t; }); }); });</script>'),
        "/api/tab": tab,
        "/challenge/": challenged('<a href="/doc/2023.pdf">2023年政府信息公开工作年度报告</a>'),
        "/challenge/next.html": challenged("<p>passed without the browser</p>"),
    }


class _Server:
    """A loopback server of ``pages``; ``hits`` logs (path, status, cookie header)."""

    def __init__(self, pages: dict):
        self.pages, self.hits = pages, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                cookies = {}
                for pair in (self.headers.get("Cookie") or "").split(";"):
                    if "=" in pair:
                        k, v = pair.split("=", 1)
                        cookies[k.strip()] = v.strip()
                fn = server.pages.get(parts.path)
                status, ctype, body, delay = fn(parse_qs(parts.query), cookies) if fn else (
                    404, "text/html", "<html><body>404</body></html>", 0)
                server.hits.append((self.path, status, self.headers.get("Cookie") or "",
                                    self.headers.get("User-Agent") or ""))
                if delay:
                    time.sleep(delay)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):   # the browser closed the page meanwhile
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- the crawl (in its own process)

def descendants(pid: int) -> list[str]:
    """Command lines of every process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        try:
            out.append(Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass
        todo += children.get(p, [])
    return out


def run_crawl(cases_path: str, out_path: str) -> None:
    """The test spider's crawl: each case is one request, through the browser (a visit) or not."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.scope import Scope

    config = json.loads(Path(cases_path).read_text())
    record: dict = {"cases": {}, "chromium_seen": [], "plain": {}}

    class BrowserTestSpider(scrapy.Spider):
        name = "browser_test"

        async def start(self):
            for case in config["cases"]:
                url = config["base"] + case["path"].lstrip("/")
                if not case.get("browser"):
                    yield scrapy.Request(url, self.parse_plain, cb_kwargs={"case": case}, dont_filter=True)
                    continue
                budget = browser.Budget(pages=case.get("pages", 12), seconds=case.get("seconds", 60))
                taken = [budget.take() for _ in range(case.get("takes", 1))]
                record["cases"][case["name"]] = {"taken": taken, "spent": budget.spent()}
                scope = Scope([type("Site", (), {"url": config["base"]})()])
                yield scrapy.Request(url, self.parse_browser, errback=self.failed, dont_filter=True,
                                     cb_kwargs={"case": case, "budget": budget},
                                     meta=browser.browser_meta(case["name"], scope=scope))

        async def parse_browser(self, response, case, budget):
            browser.count_browser_page(self.crawler.stats, case["name"])
            record["chromium_seen"] += [c for c in descendants(os.getpid()) if "chromium" in c]
            started = time.monotonic()
            seen = await browser.visit(response.meta["playwright_page"], budget=budget,
                                       max_seconds=case.get("max_seconds"))
            entry = record["cases"][case["name"]]
            entry.update(status=response.status, flags=response.flags, final_url=seen.final_url,
                         seconds=time.monotonic() - started, used_seconds=budget.used_seconds,
                         snapshots=seen.snapshots, navigations=seen.navigations, cookies=seen.cookies,
                         steps=seen.steps, undriven=seen.undriven, blocked=seen.blocked,
                         responses=[vars(c) for c in seen.responses],
                         page_closed=response.meta["playwright_page"].is_closed())
            for after in case.get("then", []):
                url = config["base"] + after.lstrip("/")
                yield scrapy.Request(url, self.parse_plain, dont_filter=True,
                                     cookies=browser.scrapy_cookies(seen, url),
                                     cb_kwargs={"case": {"name": f"{case['name']} then {after}"}},
                                     meta={"handle_httpstatus_all": True})

        def parse_plain(self, response, case):
            record["plain"][case["name"]] = {"status": response.status, "flags": response.flags,
                                             "body": response.text[:2000]}

        def failed(self, failure):
            browser.release_page(failure)
            record["cases"].setdefault(failure.request.url, {})["error"] = repr(failure.value)

        def closed(self, reason):
            handler = self.crawler.engine.downloader.handlers._handlers.get("http")
            record["handler"] = {"class": type(handler).__name__,
                                 "driver_started": getattr(handler, "browser_provider", None) is not None,
                                 "browser_started": hasattr(handler, "browser"),
                                 "open_pages": handler._get_total_page_count() if hasattr(handler, "browser")
                                 else None}
            record["processes_at_close"] = descendants(os.getpid())
            record["stats"] = {k: v for k, v in self.crawler.stats.get_stats().items()
                               if isinstance(v, (int, float, str))}

    settings = get_project_settings()
    settings.setdict({"DOWNLOADER_MIDDLEWARES": {}, "SPIDER_MIDDLEWARES": {}, "ITEM_PIPELINES": {},
                      "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                      "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "INFO",
                      "RETRY_ENABLED": False, "TELNETCONSOLE_ENABLED": False, **config.get("settings", {})},
                     priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(BrowserTestSpider)
    process.start()
    Path(out_path).write_text(json.dumps(record, ensure_ascii=False, default=str))


def crawl(tmp_path: Path, base: str, cases: list[dict], settings: dict | None = None,
          watch: bool = False) -> dict:
    """Run the test spider in a new process; with ``watch``, every process below it is sampled
    while it runs (chromium_while_running)."""
    cases_path, out_path = tmp_path / "cases.json", tmp_path / "record.json"
    cases_path.write_text(json.dumps({"base": base, "cases": cases, "settings": settings or {}}))
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from tests.test_crawler_browser import run_crawl; "
                             "run_crawl(sys.argv[1], sys.argv[2])", str(cases_path), str(out_path)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: set[str] = set()
    log = []
    reader = threading.Thread(target=lambda: log.append(proc.stdout.read()), daemon=True)
    reader.start()
    while watch and proc.poll() is None:
        seen |= set(descendants(proc.pid))
        time.sleep(0.05)
    proc.wait(timeout=120)
    reader.join(5)
    assert proc.returncode == 0, "".join(log)[-4000:]
    record = json.loads(out_path.read_text())
    record["processes_while_running"] = sorted(seen)
    record["log"] = "".join(log)
    return record


@pytest.fixture(scope="module")
def served():
    other = _Server({"/pixel.gif": lambda q, c: (200, "image/gif", "GIF89a", 0),
                     "/track": lambda q, c: (200, "text/plain", "ok", 0),
                     "/lure.html": lambda q, c: (200, "text/html", "<html>lure</html>", 0)})
    site = _Server(build_pages(other.url))
    try:
        yield site, other
    finally:
        site.stop()
        other.stop()


CASES = [
    {"name": "xhr", "path": "/xhr.html", "browser": True},
    {"name": "pager", "path": "/pager.html", "browser": True},
    {"name": "select", "path": "/select/index.html", "browser": True},
    {"name": "tabs", "path": "/tabs.html", "browser": True},
    {"name": "challenge", "path": "/challenge/", "browser": True, "then": ["/challenge/next.html"]},
    {"name": "slow", "path": "/slow.html", "browser": True, "pages": 1, "takes": 2, "seconds": 3.0},
]


@pytest.fixture(scope="module")
def driven(served, tmp_path_factory):
    """One crawl, one Chromium: every case of CASES visited."""
    site, other = served
    assert os.access("/usr/bin/chromium", os.X_OK), "Debian package chromium is not installed"
    record = crawl(tmp_path_factory.mktemp("browser"), site.url, CASES)
    record["hits"], record["other_hits"] = site.hits, other.hits
    return record


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_the_xhr_list_is_captured_and_rendered(driven):
    case = driven["cases"]["xhr"]
    assert case["status"] == 200 and "playwright" in case["flags"], case
    lists = [r for r in case["responses"] if "/api/list.json" in r["url"]]
    assert len(lists) == 1 and lists[0]["status"] == 200 and lists[0]["method"] == "GET", case["responses"]
    assert lists[0]["content_type"] == "application/json" and lists[0]["found_in"] == "load"
    assert [i["url"] for i in json.loads(lists[0]["body"])["items"]] == ["/doc/p1-0.html", "/doc/p1-1.html",
                                                                       "/doc/p1-2.html"]
    assert '<a href="/doc/p1-2.html">' in case["snapshots"][0][1]        # the list the script built
    assert case["page_closed"] is True
    assert driven["stats"]["renfang/browser_pages"] == 6 and driven["stats"]["renfang/browser_pages/xhr"] == 1


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_requests_to_other_hosts_are_blocked(driven, served):
    _, other = served
    case = driven["cases"]["xhr"]
    assert driven["other_hits"] == [], driven["other_hits"]
    assert sorted(case["blocked"]) == [other.url + "pixel.gif", other.url + "track?x=1"]
    tabs = driven["cases"]["tabs"]
    assert (other.url + "lure.html", "window.open off the site, not followed (clicked 2021年 (span.yr))") in \
        [tuple(n) for n in tabs["navigations"]], tabs["navigations"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_a_button_pager_is_clicked_through_three_pages(driven):
    case = driven["cases"]["pager"]
    pages = sorted(r["url"].rsplit("page=", 1)[1] for r in case["responses"] if "/api/pager" in r["url"])
    assert pages == ["1", "2", "3"], case["responses"]
    assert case["steps"] == ["clicked 下一页 (#pager button.next) → 3 new entries",
                             "clicked 下一页 (#pager button.next) → 3 new entries"], case
    html = case["snapshots"][-1][1]
    assert "/doc/p3-0.html" in html and "<button" not in html       # the last page has no 下一页


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_every_option_of_each_select_is_chosen(driven, served):
    site, _ = served
    case = driven["cases"]["select"]
    base = site.url + "select/index.html"
    assert [tuple(n) for n in case["navigations"]] == [
        (f"{base}?year=2023", "select#year option 2023年"), (f"{base}?year=2022", "select#year option 2022年"),
        (f"{base}?year=2021", "select#year option 2021年")]
    assert case["steps"] == ["select#year: 3 options, 3 navigated, 0 changed the page",
                             "select#kind: 2 options, 0 navigated, 2 changed the page"], case
    assert any('href="/kind/b.html"' in html for _, html in case["snapshots"])
    assert case["final_url"] == base                  # the choices that navigate were recorded, not made
    assert not [h for h in site.hits if "year=" in h[0]]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_a_tab_naming_the_annual_report_column_is_clicked(driven, served):
    site, _ = served
    case = driven["cases"]["tabs"]
    assert "clicked 年度报告 (li) → 2 new entries" in case["steps"], case
    assert any('href="/nb/2023.html"' in html for _, html in case["snapshots"])
    assert [r["url"] for r in case["responses"]] == [site.url + "api/tab?col=nb"]
    # a year whose click opens a document: recorded for Scrapy, not opened
    assert (site.url + "doc/2022.pdf", "window.open (clicked 2022年 (span.yr))") in \
        [tuple(n) for n in case["navigations"]], case["navigations"]
    assert not [h for h in site.hits if h[0] == "/doc/2022.pdf"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_a_521_cookie_challenge_is_passed_and_its_cookie_handed_to_scrapy(driven):
    case = driven["cases"]["challenge"]
    assert case["status"] == 521                      # the first answer, as the spider sees it
    assert case["steps"][0].startswith("challenge (HTTP 521) passed: reloaded into HTTP 200 after "), case
    assert "2023年政府信息公开工作年度报告" in case["snapshots"][0][1]
    assert {c["name"]: c["value"] for c in case["cookies"]} == {"__jsl_clearance": "renfang-42"}
    after = driven["plain"]["challenge then /challenge/next.html"]
    assert after["status"] == 200 and "playwright" not in after["flags"], after
    assert "passed without the browser" in after["body"]
    plain_hits = [h for h in driven["hits"] if h[0] == "/challenge/next.html"]
    assert plain_hits and plain_hits[0][2] == "__jsl_clearance=renfang-42"
    assert plain_hits[0][3].startswith("renfang-archive/")      # Scrapy's own request, our User-Agent


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_the_budget_is_honoured(driven):
    case = driven["cases"]["slow"]
    assert case["taken"] == [True, False] and case["spent"].startswith("browser page budget spent (1 pages")
    assert case["seconds"] < 3.0 + 1.5, case["seconds"]       # 3 s of budget, a step's settling at most
    assert 2.5 < case["used_seconds"] < 4.5
    assert 1 <= len(case["steps"]) < 15, case["steps"]    # how many fit in 3 s depends on the machine's load
    assert [u for u in case["undriven"] if u.startswith("pager #pager button.next: stopped after ")
            and u.endswith('pages, "下一页" still there: browser time budget spent')], case["undriven"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.loopback
def test_one_browser_for_the_crawl_and_every_page_closed(driven):
    assert driven["stats"]["playwright/browser_count"] == 1
    assert driven["chromium_seen"], "no chromium process while pages were driven"
    assert driven["handler"]["open_pages"] == 0
    assert all(case["page_closed"] for case in driven["cases"].values())


@pytest.mark.slow
@pytest.mark.loopback
def test_a_crawl_without_browser_requests_starts_no_browser(served, tmp_path):
    site, _ = served
    record = crawl(tmp_path, site.url, [{"name": "static", "path": "/static.html"},
                                        {"name": "xhr-plain", "path": "/xhr.html"}], watch=True)
    assert record["plain"]["static"]["status"] == 200 and record["plain"]["static"]["flags"] == []
    assert '<ul id="list"></ul>' in record["plain"]["xhr-plain"]["body"]      # no script ran
    assert record["handler"] == {"class": "BrowserDownloadHandler", "driver_started": False,
                                 "browser_started": False, "open_pages": None}
    assert not [c for c in record["processes_while_running"] if "chromium" in c or "playwright" in c], \
        record["processes_while_running"]
    assert "playwright/browser_count" not in record["stats"]
    assert "renfang/browser_off" not in record["stats"]


@pytest.mark.slow
@pytest.mark.loopback
def test_with_the_browser_off_the_handler_is_scrapys_own(served, tmp_path):
    site, _ = served
    record = crawl(tmp_path, site.url, [{"name": "static", "path": "/static.html"}],
                   settings={"RENFANG_BROWSER": "False"})
    assert record["handler"]["class"] == "HTTP11DownloadHandler"
    assert record["stats"]["renfang/browser_off"] == "the browser is off (RENFANG_BROWSER=False, --no-browser)"
    assert record["plain"]["static"]["status"] == 200


@pytest.mark.slow
def test_a_crawl_of_the_sample_portal_starts_no_browser(registry, tmp_path):
    """`renfang crawl` of the sample portal (no page built by script): neither Chromium nor
    Playwright's driver is ever among the crawl's processes."""
    from crawler.run import EXIT_SITES_NOT_OK
    from tests.helpers import FAST, RENFANG

    proc = subprocess.Popen([*RENFANG, "crawl", "--registry", str(registry), "--data-dir", str(tmp_path / "data"),
                             *FAST], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: set[str] = set()
    while proc.poll() is None:
        seen |= set(descendants(proc.pid))
        time.sleep(0.05)
    assert proc.wait(timeout=300) == EXIT_SITES_NOT_OK, proc.stderr.read()[-3000:]   # pzhrf: one dead link
    assert not [c for c in seen if "chromium" in c or "playwright" in c], seen
