"""The published archive as a researcher reads it (issue 23, points 3 and 4): figures are
numbers in every export, checks are sentences, each state is said in words with its reason,
money has its unit, and every internal link of the site answers.

The session's sample-portal archive, extended as tests/helpers.extend_archive extends it, is
served by one Datasette for the module.
"""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest

from tests.helpers import Site, extend_archive, start_datasette, stop_datasette

pytestmark = [pytest.mark.slow]  # test tiers: README "Development" (loopback: from its fixtures)


@pytest.fixture(scope="module")
def site(archive_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("reading") / "data"
    extend_archive(archive_dir, data_dir)
    proc, base = start_datasette(data_dir)
    try:
        yield Site(base, data_dir)
    finally:
        stop_datasette(proc)


# ---------------------------------------------------------------- integers as integers

def test_counts_are_integers_in_datasettes_json_and_csv_of_facts_and_checks(site):
    facts = site.rows("/archive/facts.json", report_id="pzhrf-2019", _size="max")
    values = [f["value"] for f in facts if f["value"] is not None]
    assert values and all(type(v) is int for v in values), values[:10]
    received = next(f for f in facts if (f["table_name"], f["row_code"], f["column_code"]) ==
                    ("applications", "received", "natural_person"))
    assert received["value"] == 2
    checks = site.rows("/archive/checks.json", report_id="pzhrf-2019", _size="max")
    sides = [c[k] for c in checks for k in ("lhs", "rhs") if c[k] is not None]
    assert sides and all(type(v) is int for v in sides), sides[:10]
    for path in ("/archive/facts.csv", "/archive/checks.csv"):
        text = site.get(path, report_id="pzhrf-2019", _size="max")[2].decode("utf-8")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [c for c in cells if c.endswith(".0") and c[:-2].isdigit()], path
    # money keeps its decimals (洪泽区 2023 prints its fees in 万元)
    money = site.sql("select value from facts where value != cast(value as integer)")
    assert all(type(m["value"]) is float for m in money)


# ---------------------------------------------------------------- figures always numbers

def test_a_figure_stated_in_a_sentence_is_a_number_with_the_sentence_as_its_source(site):
    """江西 2014 (a pre-2019 report without tables): 未收到政府信息公开申请 is 0 in the cell, the
    sentence is kept as the cell's source text, in facts and on the report page."""
    sentence = ("2014年我办未收到政府信息公开申请，未收取政府信息公开相关费用，"
                "未发生因政府信息公开申请提起行政复议和行政诉讼的情况。")
    facts = {(f["table_name"], f["row_code"]): f for f in site.rows("/archive/facts.json", report_id="jxrf-2014")}
    received = facts[("applications", "received")]
    assert (received["value"], received["raw"], received["sentence"]) == (0, "未收到政府信息公开申请", sentence)
    assert all(type(f["value"]) is int and f["sentence"] == sentence for f in facts.values())
    page = site.get("/-/report/jxrf-2014")[2].decode("utf-8")
    cell = page[page.index('data-code="received.total"'):]
    cell = cell[:cell.index("</td>")]
    assert '<a class="fact" href="/archive/facts/jxrf-2014,applications,received,total">0</a>' in cell
    assert "2014年我办" not in cell.split('title="', 1)[1].split('"', 1)[1]   # only in its tooltip
    assert 'class="stated"' in cell
    # no number cell of the page holds a sentence
    import re
    for text in re.findall(r'<a class="fact" href="[^"]*">([^<]*)</a>', page):
        assert text == "" or re.fullmatch(r"-?[\d.,]+", text), text
    stated = page[page.index('id="stated"'):]
    assert sentence in stated and "未收到政府信息公开申请" in stated


# ---------------------------------------------------------------- states in one vocabulary, with reasons

def test_an_unread_report_says_where_it_is_on_the_portal_and_why_it_was_not_fetched(site):
    """攀枝花 2017: listed, its page answers HTTP 500. The page names its state (listed_only, in
    words), the reason (no_document, in words), the portal URL and the fetch error."""
    report = site.sql("select url, list_url, parse_message from reports where id = 'pzhrf-2017'")[0]
    assert report["parse_message"] == f"its document {report['url']} could not be fetched: HTTP 500"
    page = site.get("/-/report/pzhrf-2017")[2].decode("utf-8")
    box = page[page.index('id="status"'):]
    box = box[:box.index("</div>")]
    assert "No figures: listed_only — listed on the portal, no document fetched" in box
    assert "<code>no_document</code>, the report is listed on the portal, but no document of it could be fetched" in box
    assert f'On the portal 网站原址: <a href="{report["url"]}" rel="nofollow">' in box
    assert f'<a href="{report["list_url"]}" rel="nofollow">' in box
    assert f'<li><a href="{report["url"]}" rel="nofollow">{report["url"]}</a> (article): <code>HTTP 500</code>' in box
    data = site.json("/-/report/pzhrf-2017.json")
    assert data["state"]["code"] == "listed_only" and data["failures"][0]["status"] == 500


def test_one_state_per_report_on_every_page(site):
    """A report is in one state (archive.vocab.report_state = the coverage view's rule); its parse
    status is the reason, never a second name for the state: the report page, the office page and
    the coverage view agree, and each state shown is explained in words where it is shown."""
    from archive.vocab import COVERAGE_STATES

    cells = site.sql("select agency_id, report_id, status from coverage where report_id is not null")
    assert {c["status"] for c in cells} >= {"archived", "listed_only", "unreadable", "not_report"}
    for c in cells:
        data = site.json(f"/-/report/{c['report_id']}.json")
        assert data["state"]["code"] == c["status"], c
        page = site.get(f"/-/report/{c['report_id']}")[2].decode("utf-8")
        words = COVERAGE_STATES[c["status"]][0]
        assert f'<span class="st {c["status"]}" title="{words}">{c["status"]}</span>' in page, c
    office = site.get("/-/office/pzhrf")[2].decode("utf-8")
    head = office[office.index('class="printed office-years"'):]
    head = head[:head.index("</tr>")]
    shown = re.findall(r'<span class="st ([a-z_]+)" title="([^"]*)">([a-z_]+)</span>', head)
    # 2017 answers 500, 2018 is a truncated PDF, 2019 is read, 2020 only listed (extend_archive)
    assert [s[0] for s in shown] == [s[2] for s in shown] == ["listed_only", "unreadable", "archived", "listed_only"]
    for state, title, _ in shown:
        assert title.startswith(COVERAGE_STATES[state][0]), title
    assert "no_document: the report is listed on the portal" in shown[0][1]
    # the parse statuses are no state names in those headers
    assert not re.search(r'>(no_document|corrupt|parsed)</span>', head)


def test_a_report_without_checks_is_not_all_checks_pass(site):
    """江西 2014 (figures from sentences, no table): no check could be made."""
    assert site.sql("select count(*) as n from checks where report_id = 'jxrf-2014'") == [{"n": 0}]
    feed = site.get("/-/feed.atom")[2].decode("utf-8")
    entry = feed[feed.index("江西省人民防空办公室 (江西), 2014"):]
    entry = entry[:entry.index("</summary>")]
    assert "no checks" in entry and "pass" not in entry, entry
    assert re.search(r"2019: parsed, \d+ figures, 4 of \d+ checks fail", feed)
    office = site.get("/-/office/jxrf")[2].decode("utf-8")
    row = office[office.index("failing checks 不成立"):]
    row = row[:row.index("</tr>")]
    assert "no checks 无" in row


# ---------------------------------------------------------------- the home and search pages

def test_home_page_announces_its_feeds_and_the_search_tab_is_named_not_its_sql(site):
    home = site.get("/")[2].decode("utf-8")
    head = home[:home.index("</head>")]
    for path in ("/-/feed.atom", "/-/changes.atom", "/-/alerts.atom"):
        assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{path}">', head)
        assert site.get(path)[0] == 200
    title = re.search(r"<title>(.*?)</title>", site.get("/archive/search", q="人防")[2].decode("utf-8"), re.S)[1]
    assert title.startswith("全文检索 Full-text search") and "select" not in title.lower()
    title = re.search(r"<title>(.*?)</title>", site.get("/archive", sql="select 1")[2].decode("utf-8"), re.S)[1]
    assert title.startswith("SQL query 查询") and "select" not in title.lower()


# ---------------------------------------------------------------- the compare page

def test_compare_shows_money_with_its_unit_and_answers_as_json_and_csv(site):
    figure = "disclosure.procurement.amount"
    status, _, body = site.get("/-/compare", figure=figure)
    page = body.decode("utf-8")
    assert status == 200
    assert '<a href="/-/report/jxrf-2020">3995.07</a> <span class="unit">万元</span>' in page
    assert "total 合计 in 万元" in page
    assert '<a href="/-/compare.json?figure=disclosure.procurement.amount">JSON</a>' in page
    data = site.json("/-/compare.json", figure=figure)
    assert data["figure"] == {"code": figure, "label": data["figure"]["label"], "money": True}
    row = next(r for r in data["rows"] if r["report_id"] == "jxrf-2020")
    assert (row["value"], row["unit"]) == (3995.07, "万元")
    assert {(t["year"], t["unit"]) for t in data["totals"] if t["unit"]} >= {(2020, "万元")}
    status, headers, body = site.get("/-/compare.csv", figure=figure)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {"report_id": "jxrf-2020", "value": "3995.07", "unit": "万元"}.items() <= next(
        r for r in lines if r["report_id"] == "jxrf-2020").items()
    counts = list(csv.DictReader(io.StringIO(site.get("/-/compare.csv", figure="applications.received.total")[2]
                                             .decode("utf-8"))))
    assert all(not r["value"].endswith(".0") for r in counts) and any(r["value"] == "2" for r in counts)
    import urllib.error
    for path in ("/-/compare.json", "/-/compare.csv"):
        with pytest.raises(urllib.error.HTTPError) as e:
            site.get(path, figure="no.such.figure")
        assert e.value.code == 400


# ---------------------------------------------------------------- every link of the demo site

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]


def test_every_internal_link_of_the_demo_site_answers(archive_dir, tmp_path):
    """The demo's archive (the sample portal crawled and loaded) as a visitor clicks through it:
    every internal URL within three clicks of the home page (pages, tables, facets, sort links,
    exports, archived documents and the archived pages' rewritten links) answers; none is a 404
    or a server error. Archived pages link to their archived copies or to the portal (not
    followed: another host)."""
    import shutil
    import urllib.error
    import urllib.parse
    import urllib.request

    data = tmp_path / "demo"
    shutil.copytree(archive_dir, data)
    proc, base = start_datasette(data)
    try:
        seen, queue, statuses, broken = {base + "/": 0}, [base + "/"], {}, []
        archived_pages = 0
        while queue:
            url = queue.pop(0)
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    status, ctype, body = r.status, r.headers.get("content-type", ""), r.read()
            except urllib.error.HTTPError as e:
                status, ctype, body = e.code, "", b""
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500 or status == 404:
                broken.append((status, url))
            if seen[url] >= 3 or "text/html" not in ctype:
                continue
            archived_pages += "/-/documents/" in url
            parser = _Links()
            parser.feed(body.decode("utf-8", "replace"))
            for link in parser.urls:
                absolute = urllib.parse.urljoin(url, link).split("#", 1)[0]
                if absolute.startswith(base + "/") and absolute not in seen:
                    seen[absolute] = seen[url] + 1
                    queue.append(absolute)
    finally:
        stop_datasette(proc)
    assert broken == [], f"{len(broken)} of {len(seen)} URLs broken ({statuses}): {broken[:20]}"
    assert len(seen) > 1000, len(seen)        # the whole site, not the home page alone
    assert archived_pages >= 3                # archived portal pages were read and their links followed


def test_an_archived_page_is_served_with_its_links_rewritten_and_its_bytes_kept(site):
    """攀枝花 2019's article page (GBK, relative links): served from /-/documents/ with each link
    pointing at the archived copy (its attachment, the list it came from) or at the portal; the
    exact bytes, with their SHA-256, at ?raw=1."""
    import hashlib

    (article,) = site.sql("select sha256, url from report_documents where report_id = 'pzhrf-2019' "
                          "and kind = 'article' order by first_seen limit 1")
    (pdf,) = site.sql("select sha256 from report_documents where report_id = 'pzhrf-2019' and kind = 'pdf'")
    status, headers, body = site.get("/-/documents/" + article["sha256"])
    page = body.decode("utf-8")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["X-Archived-SHA256"] == article["sha256"] and "X-Content-SHA256" not in headers
    assert headers["Content-Security-Policy"].startswith("sandbox")
    assert f'href="/-/documents/{pdf["sha256"]}"' in page              # the attachment, archived
    assert "攀枝花市人民防空办公室2019年政府信息公开工作年度报告" in page   # decoded from GBK
    portal = article["url"].split("/zwgk/")[0]
    assert f'href="{portal}/bsfw/"' in page                             # never crawled: the original
    assert not re.search(r'(href|src)="(\./|/(?!-/documents/)|[a-z0-9_]+\.html)', page)
    status, headers, raw = site.get("/-/documents/" + article["sha256"], raw=1)
    assert hashlib.sha256(raw).hexdigest() == article["sha256"] == headers["X-Content-SHA256"]


# ---------------------------------------------------------------- checks in words

def test_checks_are_said_in_words_wherever_they_are_listed(site):
    """The office page gives each failing check the sentence its report page gives it; the
    checks table names each check's rule beside its code."""
    report = site.json("/-/report/pzhrf-2019.json")
    sentences = [c["sentence"] for c in report["checks"] if c["status"] == "fail"]
    assert sentences and all("：" in s or ":" in s for s in sentences)
    office = site.get("/-/office/pzhrf")[2].decode("utf-8")
    table = office[office.index("Failing checks 勾稽关系不成立"):]
    import html as html_module
    shown = [html_module.unescape(t) for t in re.findall(r'<td class="sentence">([^<]*)</td>', table)]
    assert shown and set(shown) == set(sentences), (shown, sentences)
    checks = site.get("/archive/checks", report_id="pzhrf-2019")[2].decode("utf-8")
    assert '<code>applications.balance</code> <span class="rule">每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度</span>' in checks
