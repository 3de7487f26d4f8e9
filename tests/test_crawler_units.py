"""Pure crawler functions on frozen pages and bytes: charsets, anti-bot challenges, list and
article extraction written the way real portals write pages, the ledger, the real-site registry."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.ledger import Ledger, ledger_key
from archive.schema import open_archive
from crawler import extract, shapes
from crawler.antibot import detect_challenge
from crawler.classify import classify_title
from crawler.offices import Office
from crawler.encoding import choose_encoding
from crawler.registry import read_registry
from tests.portals.sites import JIASULE, RUISHU

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
REPO = Path(__file__).resolve().parents[1]


def frozen(name: str, url: str, content_type: str = "text/html") -> HtmlResponse:
    body = (FIXTURES / name).read_bytes()
    return HtmlResponse(url, body=body, headers={"Content-Type": content_type},
                        encoding=choose_encoding(body, content_type))


# ---------------------------------------------------------------------------- charsets
TEXT = "攀枝花市人民防空办公室2019年政府信息公开工作年度报告"


@pytest.mark.parametrize("body, content_type, expected", [
    (f"<html><head><title>{TEXT}</title></head></html>".encode("gbk"), "text/html", "gb18030"),  # says nothing
    (f'<meta charset="gb2312"><p>{TEXT}</p>'.encode("gbk"), "text/html", "gb18030"),           # GB2312 → GB18030
    (f'<meta charset="gb2312"><p>{TEXT}</p>'.encode("gbk"), "text/html; charset=utf-8", "gb18030"),  # header lies
    (f'<meta charset="gb2312"><p>{TEXT}</p>'.encode("utf-8"), "text/html", "utf-8"),            # meta lies
    (f"<p>{TEXT}</p>".encode("utf-8"), "text/html; charset=GBK", "utf-8"),                      # header lies
    (f"<p>{TEXT}</p>".encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8"),               # server default
    (f"<p>{TEXT}</p>".encode("utf-8"), None, "utf-8"),
    ("<p>𠮷 GB18030-only 䶮</p>".encode("gb18030"), "text/html; charset=gbk", "gb18030"),
    (b"\xef\xbb\xbf<p>bom</p>", "text/html; charset=gbk", "utf-8"),
])
def test_choose_encoding(body, content_type, expected):
    assert choose_encoding(body, content_type) == expected
    if expected in ("utf-8", "gb18030"):
        assert ("攀枝花" in body.decode(expected, "replace")) == ("攀枝花".encode(expected) in body)


# ---------------------------------------------------------------------------- anti-bot
@pytest.mark.parametrize("status, body, headers, expected", [
    (412, RUISHU, {}, "ruishu"),
    (200, RUISHU, {}, "ruishu"),                      # 瑞数 also answers 200/202 with the same page
    (521, JIASULE, {"Set-Cookie": "__jsluid_h=abc; path=/"}, "jiasule"),
    (200, JIASULE, {}, "js_cookie"),                 # a bare cookie-and-reload script
    (403, "<html><body>当前访问疑似黑客攻击，已被创宇盾拦截。</body></html>".encode("utf-8"), {}, "chuangyudun"),
    (200, "<html><title>网站防火墙</title><body>您的访问请求可能对网站造成安全威胁</body></html>".encode("gbk"), {}, "waf"),
    (200, f"<html><body><p>{TEXT}</p><script>document.title='x'</script></body></html>".encode("utf-8"), {}, None),
    (404, b"<html><body>404 Not Found</body></html>", {}, None),
    (500, b"<html><body>500</body></html>", {}, None),
    (200, b"%PDF-1.4 ... $_ts = 1 inside a document stream", {}, None),
    (200, b"%PDF-1.4\n" + bytes(range(256)) * 30, {}, None),                   # binary: decodes as nothing
    (403, "<html><body>您的请求带有不合法参数，已被安全狗拦截</body></html>".encode("gb18030"), {}, "safedog"),
    (405, ("<p>" + "正文" * 4000 + "</p>请求已被拦截").encode("utf-8"), {}, None),  # past the head read
])
def test_detect_challenge(status, body, headers, expected):
    assert detect_challenge(status, body, headers) == expected


# ---------------------------------------------------------------------------- frozen pages
def test_word_pasted_trs_article_gbk():
    r = frozen("trs_article_mso_gbk.html", "http://rfb.cngy.gov.cn/zwgk/zfxxgknb/202101/t20210128_5630.html")
    assert r.encoding == "gb18030"
    # ArticleTitle is empty and <h1> hidden-empty: the <title> without its site suffix
    title = extract.page_title(r.selector)
    assert title == "广元市人民防空办公室2020年政府信息公开工作年度报告"
    found = classify_title(title)
    assert (found.year, found.agency) == (2020, "广元市人民防空办公室")
    atts = extract.attachments(r.selector, r.url)
    assert [a.url for a in atts] == [
        "http://rfb.cngy.gov.cn/zwgk/zfxxgknb/202101/P020210128563012345678.pdf",      # 全真版 tab = the attachment
        "http://rfb.cngy.gov.cn/zwgk/zfxxgknb/202101/t20210128_5630_tpb.html",          # 图片版 tab
        "http://rfb.cngy.gov.cn/module/download/downfile.jsp?classid=0&filename=2101281530.docx",
    ]
    # 文字版 is this page itself (#anchor): not a rendition to fetch; print/close/gov.cn links neither


def test_layout_table_list_with_font_tags():
    r = frozen("layout_table_list.html", "http://www.bjxch.gov.cn/rfb/zwgk/nb/index.html")
    items = extract.list_items(r.selector, r.url)
    reports = [(i.url.rsplit("/", 1)[1], classify_title(i.text).year, i.date)
               for i in items if classify_title(i.text)]
    assert reports == [("t20210129_88.html", 2020, "2021-01-29"),   # full title from the title attribute
                       ("P020200115.pdf", 2019, "2020-01-15"),      # a direct document link (图片版)
                       ("t20190110_40.html", 2018, "2019-01-10")]
    assert [f.url for f in shapes.pager_links(r.selector, r.url).follows] == [
        "http://www.bjxch.gov.cn/rfb/zwgk/nb/index_1.html", "http://www.bjxch.gov.cn/rfb/zwgk/nb/index_3.html"]


def test_hanweb_column_of_a_renamed_office():
    r = frozen("hanweb_column_utf8.html", "http://rf.jiangxi.gov.cn/col/col40113/index.html",
               "text/html;charset=UTF-8")
    records = shapes.hanweb_records(r.text, r.url)
    assert [classify_title(x.text) is not None for x in records] == [True, True, False]
    assert classify_title(records[0].text).agency == "江西省国防动员办公室"
    paging = shapes.hanweb_paging(r.text, r.url)
    assert (paging.total, paging.per_page, paging.params["columnid"], paging.params["unitid"]) == (
        11, 3, "40113", "289731")
    pages = shapes.hanweb_page_requests(paging, already=len(records))
    assert [u.split("?")[1] for u, _ in pages] == [
        "startrecord=4&endrecord=6&perpage=3", "startrecord=7&endrecord=9&perpage=3",
        "startrecord=10&endrecord=11&perpage=3"]


def test_pagination_traps_are_capped():
    html = '<script>createPageHTML(1000000, 0, "index", "html");</script>'
    pages = shapes.trs_next_pages(html, "http://x.gov.cn/nb/", limit=300)
    assert len(pages) == 300 and pages[-1] == "http://x.gov.cn/nb/index_300.html"
    assert len(shapes.trs_next_pages(html.replace("1000000", "7"), "http://x.gov.cn/nb/", limit=300)) == 6
    paging = shapes.HanwebPaging("http://x.gov.cn/module/web/jpage/dataproxy.jsp", 15, 10**7, {})
    pages = shapes.hanweb_page_requests(paging, already=15, limit=300)
    assert len(pages) == 300 and pages[-1][0].endswith("startrecord=4501&endrecord=4515&perpage=15")


def test_list_selector_hint():
    r = HtmlResponse("http://x.gov.cn/gk/nb/", body='<div class="row"><span class="t"><a href="a.html">'
                     '某县人民防空局2022年政府信息公开工作年度报告</a></span><em>2023-01-10</em></div>'
                     '<div class="row"><span class="t"><a href="b.html">通知</a></span></div>'.encode(),
                     encoding="utf-8")
    items = extract.list_items_by_selector(r.selector, r.url, "div.row span.t")
    assert [(i.url, i.text) for i in items] == [
        ("http://x.gov.cn/gk/nb/a.html", "某县人民防空局2022年政府信息公开工作年度报告"),
        ("http://x.gov.cn/gk/nb/b.html", "通知")]
    assert len(extract.list_items_by_selector(r.selector, r.url, "xpath://div[@class='row']")) == 2


@pytest.mark.parametrize("title, year", [
    ("四川省人民政府国防动员办公室2023年政府信息公开工作年度报告", 2023),
    ("重庆市人民防空办公室2020年政府信息公开年报", 2020),
    ("长春市人民防空办公室2021年度政府信息公开工作年度报告", 2021),
    ("咸宁市人民防空办公室2018年政府信息公开工作年度报告（图片版）", 2018),
    ("上海市杨浦区国防动员办公室2023年政府信息公开工作年度报告", 2023),
    ("关于公布阜阳市人民防空办公室2013年政府信息公开工作年度报告的公告", 2013),
    ("2008年政府信息公开工作年度报告", 2008),
])
def test_report_title_variants(title, year):
    assert classify_title(title).year == year


@pytest.mark.parametrize("title", [
    "武汉市蔡甸区人民防空办公室2024年度部门决算", "广州市人民防空办公室2020年法治政府建设年度报告",
    "2023年政务公开工作要点", "2022年工作总结", "人防办召开年度工作会议",
])
def test_not_reports(title):
    assert classify_title(title) is None


# ---------------------------------------------------------------------------- ledger
def test_ledger_marks_gone_only_what_a_fetched_parent_no_longer_links(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    led = Ledger(db)
    def rec(key, parent, run, kind="article"):
        led.record(key, url=key, run_id=run, agency_id="a", kind=kind, parent=parent, stage="stored",
                   status=200, sha256="0" * 64, outcome="new")
    for key, parent in [("list", None), ("p2", "list"), ("art1", "list"), ("art2", "p2"), ("att2", "art2")]:
        rec(key, parent, 1)
    # run 2: the list page and art1 fetched; p2 not linked any more -> p2, art2, att2 gone
    rec("list", None, 2)
    rec("art1", "list", 2)
    gone = {e.key for e in led.mark_gone(2, ["a"])}
    assert gone == {"p2", "art2", "att2"}
    assert led.get("art1").gone_since is None
    # run 3: the list page was 304 and paging stopped: what is beneath carried over, nothing gone
    led.record("list", url="list", run_id=3, agency_id="a", kind="list", parent=None, stage="not_modified",
               status=304, outcome="unchanged")
    led.record("p2", url="p2", run_id=3, agency_id="a", kind="list", parent="list", stage="stored",
               status=200, sha256="1" * 64, outcome="changed")  # p2 is back
    assert led.get("p2").gone_since is None
    assert led.carry(["art1"], 3) == 1
    assert led.mark_gone(3, ["a"]) == []   # art2 and att2 were already gone; art1 carried over
    assert led.get("art1").gone_since is None
    assert ledger_key("POST", "http://x/dataproxy.jsp", b"a=1") != ledger_key("POST", "http://x/dataproxy.jsp", b"a=2")
    assert ledger_key("GET", "http://x/a") == "http://x/a"
    db.close()


# ---------------------------------------------------------------------------- registry of real sites
PROVINCIAL_LEVEL = {
    "province": {"河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
                 "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海"},
    "autonomous region": {"内蒙古", "广西", "西藏", "宁夏", "新疆"},
    "province-level city": {"北京", "天津", "上海", "重庆"},
}


def _registry_rows():
    path = REPO / "crawler" / "registry.csv"
    return read_registry(path), {r["id"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}


def _observed():
    return list(csv.DictReader((REPO.parent / "shared" / "real" / "renfang_sites_observed.csv")
                               .open(encoding="utf-8")))


def test_real_site_registry():
    sites, rows = _registry_rows()
    assert len(sites) == 46
    for s in sites:
        assert s.host.endswith(".gov.cn"), s        # copy/spam hosts never enter it
        assert rows[s.id]["known_from"] in ("observed", "derived"), s.id
        assert rows[s.id]["evidence"], s.id         # each row says how it is known
        assert s.cms == "" and "title_filter" not in s.extra, s.id   # no hand-written hints: pages decide
        for url in (s.url, s.column_url):
            assert not url or url.split("/")[2].endswith(".gov.cn"), (s.id, url)
    ids = {s.id for s in sites}
    assert {"jxrf", "scrf", "sdrf", "cqrf", "jlrf", "shrf"} <= ids
    # renamed offices keep one id, with their other names as aliases
    assert "四川省人民政府国防动员办公室" in next(s for s in sites if s.id == "scrf").aliases
    assert {s.level for s in sites} == {"national", "province", "autonomous region", "province-level city",
                                        "city", "district"}
    # every observed .gov.cn office of the shared material is in, each once; mirror hosts are not
    observed = _observed()
    gov_hosts = {r["url"].split("/")[2] for r in observed if r["url"].startswith("http")
                 and r["url_kind"] != "mirror_copy"}
    covered = {s.host for s in sites} | {r["column_url"].split("/")[2] for r in rows.values() if r["column_url"]}
    assert gov_hosts - covered <= {"gdb.fy.gov.cn"}   # Anhui platform host: in fyrf's evidence
    mirrors = {r["url"].split("/")[2] for r in observed if r["url_kind"] == "mirror_copy"}
    assert mirrors and not mirrors & covered
    assert not any(m in r["evidence"] for m in mirrors for r in rows.values())


def test_registry_has_the_national_and_every_provincial_level_office():
    sites, rows = _registry_rows()
    (national,) = [s for s in sites if s.level == "national"]
    assert national.name == "国家人民防空办公室"
    for level, provinces in PROVINCIAL_LEVEL.items():
        found = [s.province for s in sites if s.level == level]
        assert sorted(found) == sorted(provinces), level      # each exactly once
    assert sum(len(p) for p in PROVINCIAL_LEVEL.values()) == 31
    for s in sites:
        if s.level in PROVINCIAL_LEVEL:
            assert s.name.startswith(s.province), s.id


def test_registry_marks_every_guess_as_derived():
    """A row is ``observed`` only when a URL of its office's host is in the shared material;
    a row starting from a government portal guessed from its well-known domain is ``derived``,
    says so in its evidence and carries a title_filter naming only that office."""
    sites, rows = _registry_rows()
    observed_text = " ".join(r["url"] + " " + r["note"] for r in _observed())
    for s in sites:
        row = rows[s.id]
        hosts = {s.host} | ({s.column_url.split("/")[2]} if s.column_url else set())
        if row["known_from"] == "observed":
            assert any(h in observed_text for h in hosts), s.id
        elif s.host not in observed_text:
            assert "guess" in row["evidence"] or "named in" in row["evidence"], s.id
    derived_portals = [s for s in sites if rows[s.id]["known_from"] == "derived" and s.level != "city"]
    assert len(derived_portals) == 26                 # the national office and 25 provincial-level offices
    for s in derived_portals:
        # a provincial portal lists every department's reports: the office's names decide
        office = Office(s.name, s.aliases)
        prefix = s.name.replace("人民防空办公室", "")
        for title in (f"{s.name}2023年政府信息公开工作年度报告",
                      f"{prefix}国防动员办公室2024年政府信息公开工作年度报告",
                      f"{prefix}人民政府国防动员办公室2024年政府信息公开工作年度报告",
                      f"关于公布{prefix}人防办2019年度政府信息公开工作年度报告的公告"):
            assert office.matches(classify_title(title).agency), (s.id, title)
        for title in (f"{prefix}发展和改革委员会2023年政府信息公开工作年度报告",
                      f"{prefix}人民政府办公厅2023年政府信息公开工作年度报告",
                      "某市人民防空办公室2023年政府信息公开工作年度报告"):
            assert not office.matches(classify_title(title).agency), (s.id, title)


def test_a_response_answered_from_the_store_keeps_raw_header_bytes(tmp_path):
    """Resumed runs and 304s rebuild the response from the ledger: a GBK file name must survive."""
    from types import SimpleNamespace

    from archive.store import ObjectStore
    from crawler.middlewares import LedgerMiddleware
    from crawler.extract import content_disposition_filename
    from scrapy import Request

    db = open_archive(tmp_path / "archive.db")
    store = ObjectStore(tmp_path / "objects")
    sha = store.put(b"%PDF-1.4 x")
    raw = 'attachment; filename="江西省报告.pdf"'.encode("gbk")
    led = Ledger(db)
    led.record("http://x.gov.cn/f.jsp", url="http://x.gov.cn/f.jsp", run_id=1, agency_id="a", kind="attachment",
               parent=None, stage="stored", status=200, sha256=sha,
               headers={"content-disposition": raw.decode("latin-1"), "content-type": "application/pdf"})
    class Middleware(LedgerMiddleware):
        state = SimpleNamespace(store=store)   # instead of a running crawl's state
    response = Middleware(None)._stored_response(Request("http://x.gov.cn/f.jsp"), led.get("http://x.gov.cn/f.jsp"),
                                                 status=200)
    assert response.body == b"%PDF-1.4 x"
    assert content_disposition_filename(response.headers.get("Content-Disposition")) == "江西省报告.pdf"
    db.close()


def test_object_store_batch_fsync_keeps_every_object_whole(tmp_path):
    """Batched syncs change when objects reach the disk, never what is stored under a name."""
    from archive.store import ObjectStore, sha256_hex

    every, batch = ObjectStore(tmp_path / "every"), ObjectStore(tmp_path / "batch", fsync="batch")
    bodies = [bytes([i]) * (i + 1) for i in range(50)]
    for body in bodies:
        assert every.put(body) == batch.put(body) == sha256_hex(body)
    batch.sync()
    assert list(every) == list(batch) and every.verify() == batch.verify() == []
    assert not list((tmp_path / "batch").glob("*/.incoming-*"))
    with pytest.raises(ValueError):
        ObjectStore(tmp_path / "x", fsync="never")


# which hosts a process looks up when Scrapy's cookie middleware first judges a cookie's domain
_LOOKUPS = """
import socket, sys
asked = []
def refuse(host, *args, **kwargs):
    asked.append(host)
    raise socket.gaierror("no network in this test")
socket.getaddrinfo = refuse
if sys.argv[1] == "crawler":
    import crawler  # noqa: F401
from scrapy.downloadermiddlewares.cookies import _is_public_domain
print(_is_public_domain("gov.cn"), _is_public_domain("rfb.sc.gov.cn"), sorted(set(asked)))
"""


@pytest.mark.parametrize("first", ["crawler", "scrapy"])
def test_cookie_domains_are_judged_without_fetching_the_public_suffix_list(tmp_path, first):
    """tldextract, under Scrapy's cookie middleware, downloads the Public Suffix List on first
    use (a host outside the registry); with the crawler imported first it uses its bundled list.
    Without: the lookup of publicsuffix.org this guards against (an empty cache, no network)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    proc = subprocess.run([sys.executable, "-c", _LOOKUPS, first], cwd=REPO, capture_output=True, text=True,
                          env={**env, "TLDEXTRACT_CACHE": str(tmp_path / "cache")}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    if first == "crawler":
        assert proc.stdout.strip() == "True False []"
    else:
        assert "publicsuffix.org" in proc.stdout, proc.stdout
