"""The sample portal: pages, faults, Hanweb paging, downloads, documents."""
from __future__ import annotations

import csv
import io
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from sample_portal import build_sites, render, server
from sample_portal.sites import DOCUMENTS_DIR, JXRF, PZHRF

DOCS = DOCUMENTS_DIR


@pytest.fixture(scope="module")
def portal():
    with server.start() as p:
        yield p


def fetch(url: str, data: bytes | None = None, method: str | None = None):
    """(status, headers, body) without raising on HTTP errors."""
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def pzh(portal, path=""):
    return portal.url("pzhrf") + path.lstrip("/")


def jx(portal, path=""):
    return portal.url("jxrf") + path.lstrip("/")


PZH_PAGES = [
    "", "robots.txt", "xwdt/", "xwdt/index.html", "xwdt/202003/t20200312_5200.html",
    "xwdt/202001/t20200108_5100.html", "bsfw/index.html", "zwgk/", "zwgk/index.html",
    "zwgk/zfxxgkzn/", "zwgk/zfxxgkzd/", "zwgk/fdzdgknr/", "zwgk/zfxxgknb/",
    "zwgk/zfxxgknb/index.html", "zwgk/zfxxgknb/index_1.html",
    "zwgk/zfxxgknb/202001/t20200120_5123.html", "zwgk/zfxxgknb/202003/t20200305_5150.html",
    "zwgk/zfxxgknb/202002/t20200210_5140.html", "zwgk/zfxxgknb/201901/t20190125_4101.html",
    "zwgk/zfxxgknb/201907/t20190710_4200.html",
    "zwgk/zfxxgknb/202001/P020200120512300000001.pdf",
    "zwgk/zfxxgknb/201901/P020190125410100000001.pdf",
    "zwgk/zfxxgknb/201907/P020190710420000000001.pdf",
]
JX_PAGES = [
    "", "robots.txt", "col/col1001/index.html", "col/col1002/index.html",
    "col/col1003/index.html", "col/col1004/index.html", "col/col1005/index.html",
    "art/2021/1/30/art_1005_3001.html", "art/2021/3/2/art_1005_3010.html",
    "art/2021/7/15/art_1005_3020.html", "art/2020/1/20/art_1005_2001.html",
    "art/2019/9/18/art_1005_1990.html", "art/2020/2/1/art_1005_2010.html",
    "art/2015/3/20/art_1005_1501.html", "art/2021/3/10/art_1002_3101.html",
    "art/2020/12/8/art_1002_2901.html",
    "module/download/downfile.jsp?classid=0&filename=2101301530123.docx",
    "module/download/downfile.jsp?classid=0&filename=2101301530124.pdf",
    "module/download/downfile.jsp?classid=0&filename=2001201030001.docx",
]


def test_sites_and_registry(portal, tmp_path):
    sites = {s["id"]: s for s in portal.sites}
    assert set(sites) == {"pzhrf", "jxrf"}
    assert sites["pzhrf"]["level"] == "city" and sites["pzhrf"]["province"] == "四川"
    assert sites["jxrf"]["level"] == "province" and sites["jxrf"]["province"] == "江西"
    for s in sites.values():
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", s["url"])
    rows = list(csv.DictReader(portal.write_registry(tmp_path / "r.csv").open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["pzhrf", "jxrf"]
    assert {r["id"]: r["cms"] for r in rows} == {"pzhrf": "trs_wcm", "jxrf": "hanweb"}
    assert rows[0]["url"] == sites["pzhrf"]["url"]
    committed = list(csv.DictReader((Path(server.__file__).parent / "registry.csv")
                                    .open(encoding="utf-8")))
    assert [(r["id"], r["url"]) for r in committed] == [
        ("pzhrf", "http://127.0.0.1:8701/"), ("jxrf", "http://127.0.0.1:8702/")]


@pytest.mark.parametrize("path", PZH_PAGES)
def test_pzhrf_pages_answer(portal, path):
    status, headers, body = fetch(pzh(portal, path))
    assert status == 200, path
    assert body
    assert headers["Last-Modified"] and headers["ETag"]


@pytest.mark.parametrize("path", JX_PAGES)
def test_jxrf_pages_answer(portal, path):
    status, _, body = fetch(jx(portal, path))
    assert status == 200, path
    assert body


def test_pzhrf_pages_are_gbk_on_the_wire(portal):
    for path in ("", "zwgk/zfxxgknb/", "zwgk/zfxxgknb/202001/t20200120_5123.html"):
        status, headers, body = fetch(pzh(portal, path))
        assert headers["Content-Type"] == "text/html"  # no charset in the header
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert 'content="text/html; charset=gb2312"' in text
        assert "攀枝花市人民防空办公室" in text and "主办单位" in text and "ICP备" in text


def test_pzhrf_report_list_and_pager(portal):
    p0 = fetch(pzh(portal, "zwgk/zfxxgknb/index.html"))[2].decode("gbk")
    p1 = fetch(pzh(portal, "zwgk/zfxxgknb/index_1.html"))[2].decode("gbk")
    assert '<script>createPageHTML(2, 0, "index", "html");</script>' in p0
    assert '<script>createPageHTML(2, 1, "index", "html");</script>' in p1
    assert "function createPageHTML(" in p0
    title = "攀枝花市人民防空办公室2019年政府信息公开工作年度报告"
    assert (f'<li><a href="./202001/t20200120_5123.html" target="_blank" title="{title}">'
            f'{title}</a><span>2020-01-20</span></li>') in p0
    item = re.compile(r'<li><a href="\./\d{6}/t\d{8}_\d+\.html" target="_blank" title=')
    assert len(item.findall(p0)) == 3 and len(item.findall(p1)) == 3
    assert './201801/t20180125_4001.html' in p1
    nav = fetch(pzh(portal))[2].decode("gbk")
    for href in ('href="/"', 'href="/xwdt/"', 'href="/zwgk/"', 'href="/bsfw/"'):
        assert href in nav
    zwgk = fetch(pzh(portal, "zwgk/"))[2].decode("gbk")
    for href in ("./zfxxgkzn/", "./zfxxgkzd/", "./fdzdgknr/", "./zfxxgknb/"):
        assert f'href="{href}"' in zwgk


def test_pzhrf_report_article(portal):
    page = fetch(pzh(portal, "zwgk/zfxxgknb/202001/t20200120_5123.html"))[2].decode("gbk")
    assert '<meta name="ArticleTitle" content="攀枝花市人民防空办公室2019年政府信息公开工作年度报告" />' in page
    assert '<meta name="PubDate" content="2020-01-20 10:30" />' in page
    for name in ("ContentSource", "SiteName", "ColumnName"):
        assert f'<meta name="{name}"' in page
    assert '<div class="TRS_Editor">' in page
    fragment = (DOCS / "seed000.html").read_text(encoding="utf-8").strip()
    assert fragment in page
    assert ('附件：<a href="./P020200120512300000001.pdf"' in page
            and "攀枝花市人民防空办公室2019年政府信息公开工作年度报告.pdf</a>" in page)
    assert "rowspan=8" in page and "&nbsp;" in page and "class=MsoNormal" in page


def test_pzhrf_fault_and_robots(portal):
    status, _, _ = fetch(pzh(portal, "zwgk/zfxxgknb/201801/t20180125_4001.html"))
    assert status == 500
    assert fetch(pzh(portal, "robots.txt"))[2] == b"User-agent: *\nDisallow: /search/\n"
    assert fetch(pzh(portal, "no/such/page.html"))[0] == 404
    assert fetch(pzh(portal, "../../../etc/passwd"))[0] == 404


def _form(**over):
    fields = dict(col=1, appid=1, webid=1, path="/", columnid=1005, sourceContentType=1,
                  unitid=5001, webname="江西省人民防空办公室", permissiontype=0)
    fields.update(over)
    return urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None}).encode()


def _records(xml: bytes) -> list[str]:
    return re.findall(r'<record><!\[CDATA\[<li><a href="([^"]+)"', xml.decode("utf-8"))


def test_jxrf_column_page(portal):
    status, headers, body = fetch(jx(portal, "col/col1005/index.html"))
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert '<meta charset="utf-8">' in page
    assert '<div id="5001"><script type="text/xml"><datastore><nextgroup><![CDATA[' in page
    assert _records(page.encode()) == ["/art/2021/1/30/art_1005_3001.html",
                                       "/art/2021/3/2/art_1005_3010.html",
                                       "/art/2021/7/15/art_1005_3020.html"]
    for literal in ("totalRecord: 7", "perPage: 3", "proxyUrl: '/module/web/jpage/dataproxy.jsp'",
                    "columnid:1005", "unitid:5001", "webname:'江西省人民防空办公室'",
                    "sourceContentType:1", "permissiontype:0"):
        assert literal in page
    assert fetch(jx(portal, "col/col1005/index_1.html"))[0] == 404


def test_jxrf_dataproxy_paging(portal):
    base = jx(portal, "module/web/jpage/dataproxy.jsp")
    status, _, body = fetch(base + "?startrecord=4&endrecord=6&perpage=3", _form())
    assert status == 200
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>7</totalrecord>')
    assert _records(body) == ["/art/2020/1/20/art_1005_2001.html",
                              "/art/2019/9/18/art_1005_1990.html",
                              "/art/2020/2/1/art_1005_2010.html"]
    status, _, body = fetch(base + "?startrecord=7&endrecord=9&perpage=3", _form())
    assert status == 200 and _records(body) == ["/art/2015/3/20/art_1005_1501.html"]
    assert fetch(base + "?startrecord=1&endrecord=3&perpage=3", _form(columnid=None))[0] == 400
    assert fetch(base + "?startrecord=4&endrecord=6&perpage=3")[0] == 405  # GET


def test_jxrf_articles(portal):
    page = fetch(jx(portal, "art/2021/1/30/art_1005_3001.html"))[2].decode("utf-8")
    assert ('附件：<a href="/module/download/downfile.jsp?classid=0&filename=2101301530123.docx"'
            in page)
    assert "江西省人民防空办公室2020年政府信息公开工作年度报告.docx</a>" in page
    assert "/module/download/downfile.jsp?classid=0&filename=2101301530124.pdf" in page
    for name in ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName"):
        assert f'<meta name="{name}"' in page
    old = fetch(jx(portal, "art/2015/3/20/art_1005_1501.html"))[2].decode("utf-8")
    assert "江西省人民防空办公室2014年度政府信息公开工作年度报告" in old and "<table" not in old
    assert fetch(jx(portal, "robots.txt"))[2] == b"User-agent: *\nDisallow:\n"


@pytest.mark.parametrize("key,doc,name", [
    ("2101301530123.docx", "seed004.docx", "江西省人民防空办公室2020年政府信息公开工作年度报告.docx"),
    ("2101301530124.pdf", "seed004.pdf", "江西省人民防空办公室2020年政府信息公开工作年度报告.pdf"),
    ("2001201030001.docx", "not_a_report.docx", "江西省人防办2019年政府信息公开工作年度报告.docx"),
])
def test_jxrf_downfile(portal, key, doc, name):
    status, headers, body = fetch(jx(portal, f"module/download/downfile.jsp?classid=0&filename={key}"))
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    raw = headers["Content-Disposition"].encode("latin-1")  # http.client decodes as latin-1
    assert raw == b'attachment; filename="' + name.encode("gbk") + b'"'
    assert body == (DOCS / doc).read_bytes()


def test_jxrf_downfile_unknown(portal):
    assert fetch(jx(portal, "module/download/downfile.jsp?classid=0&filename=nope.pdf"))[0] == 404


@pytest.mark.parametrize("path,doc", [
    ("zwgk/zfxxgknb/202001/P020200120512300000001.pdf", "seed000.pdf"),
    ("zwgk/zfxxgknb/201901/P020190125410100000001.pdf", "truncated.pdf"),
    ("zwgk/zfxxgknb/201907/P020190710420000000001.pdf", "juesuan_2018.pdf"),
])
def test_pzhrf_documents_byte_identical(portal, path, doc):
    status, headers, body = fetch(pzh(portal, path))
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body == (DOCS / doc).read_bytes()


def test_requests_are_logged(portal):
    portal.clear_requests()
    fetch(pzh(portal, "robots.txt"))
    fetch(jx(portal, "module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=3"), _form())
    assert portal.requests == [
        ("pzhrf", "GET", "/robots.txt"),
        ("jxrf", "POST", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=3")]


# --- the documents themselves ------------------------------------------------

def test_seed000_pdf_font_text_and_merged_tables():
    pdfplumber = pytest.importorskip("pdfplumber")
    data = (DOCS / "seed000.pdf").read_bytes()
    assert b"/FontFile2" in data and b"WenQuanYiZenHei" in data  # embedded TrueType subset
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].width == pytest.approx(595.3, abs=0.5)  # A4
        text = "\n".join(p.extract_text() for p in pdf.pages)
        assert "攀枝花" in text and "增加 36 件" in text and "- 2 -" in text
        assert any("WenQuanYiZenHei" in c["fontname"] for c in pdf.pages[0].chars)
        tables = [(i, t) for i, p in enumerate(pdf.pages) for t in p.extract_tables()]
    apps = [(i, t) for i, t in tables if len(t[0]) == 10]
    assert len(apps) == 2 and apps[0][0] + 1 == apps[1][0]  # section 三 splits across pages
    head, tail = apps[0][1], apps[1][1]
    assert len(head) + len(tail) == 26
    assert head[0][1] is None and head[0][3] == "申请人情况" and head[0][9] == "总计"
    assert "不予" in (next(r for r in head if r[2] and "国家秘密" in r[2])[1] or "")
    assert tail[0][:2] == ["", ""]  # continuation of merged label cells, header not repeated
    assert tail[-1][0] == "四、结转下年度继续办理" and tail[-2][3:] == ["0"] * 7  # printed 总计 0
    appeals = next(t for _, t in tables if len(t[0]) == 15)
    assert appeals[-1][:5] == [""] * 5 and appeals[-1][5:] == ["0"] * 10


def test_truncated_is_the_start_of_seed000():
    full = (DOCS / "seed000.pdf").read_bytes()
    cut = (DOCS / "truncated.pdf").read_bytes()
    assert cut == full[: int(len(full) * 0.4)]
    assert b"%%EOF" not in cut


def test_seed004_docx_has_merged_cells_and_grid():
    docx = pytest.importorskip("docx")
    d = docx.Document(str(DOCS / "seed004.docx"))
    assert len(d.tables) == 3
    apps = d.tables[1]
    xml = apps._tbl.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml and "w:cantSplit" in xml
    widths = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
              for g in apps._tbl.tblGrid]
    assert len(widths) == 10 and widths[2] > widths[0]
    assert apps.cell(5, 0).text == "三、本年度办理结果" and apps.cell(24, 0).text == "三、本年度办理结果"
    assert apps.cell(24, 9).text == "2"  # (七) 总计
    assert [c.text for c in d.tables[0].rows[2].cells] == ["规章", "15", "15", "15"]
    assert str(d.core_properties.created).startswith("2021-01-30")


def test_not_a_report_docx():
    docx = pytest.importorskip("docx")
    d = docx.Document(str(DOCS / "not_a_report.docx"))
    text = "\n".join(p.text for p in d.paragraphs)
    assert not d.tables and "通知" in text and "人民防空" in text and "年度报告" not in text


@pytest.mark.slow
def test_rendering_is_reproducible(tmp_path):
    """The committed documents are what render.py produces (and it is deterministic)."""
    if not render.DEFAULT_SEEDS.is_dir():
        pytest.fail(f"seeds not found at {render.DEFAULT_SEEDS}")
    if not Path(render.FONT_PATH).exists():
        pytest.fail("fonts-wqy-zenhei not installed (scripts/setup.sh installs it)")
    render.render_all(render.DEFAULT_SEEDS, tmp_path)
    for p in sorted(DOCS.iterdir()):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


def test_site_files_are_generated_from_build_sites():
    for spec, pages in ((PZHRF, build_sites.pzh_pages(DOCS)), (JXRF, build_sites.jx_pages())):
        for rel, text in pages.items():
            assert (spec.root / rel).read_bytes() == text.encode(spec.encoding), rel
        on_disk = {p.relative_to(spec.root).as_posix() for p in spec.root.rglob("*") if p.is_file()}
        assert on_disk == set(pages) | {"robots.txt"}


def test_docx_zip_is_deterministic():
    with zipfile.ZipFile(DOCS / "seed004.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- conditional requests ----------------------------------------------------

@pytest.mark.parametrize("url_of", [
    lambda p: pzh(p, "zwgk/zfxxgknb/202001/t20200120_5123.html"),              # a static page
    lambda p: pzh(p, "zwgk/zfxxgknb/202001/P020200120512300000001.pdf"),       # a document
    lambda p: jx(p, "module/download/downfile.jsp?classid=0&filename=2101301530124.pdf"),  # a download script
])
def test_conditional_requests_answer_304(portal, url_of):
    url = url_of(portal)
    status, headers, body = fetch(url)
    assert status == 200 and body
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')

    def conditional(**h):
        req = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in h.items()})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    # the ETag it gave: 304, no body, the same validators
    status, h304, empty = conditional(If_None_Match=etag)
    assert (status, empty) == (304, b"")
    assert h304["ETag"] == etag and h304["Last-Modified"] == modified
    assert h304.get("Content-Type") is None
    # the Last-Modified it gave, without an ETag: 304 too
    status, _, empty = conditional(If_Modified_Since=modified)
    assert (status, empty) == (304, b"")
    # an ETag of other bytes: the page in full, even with a matching If-Modified-Since
    # (If-None-Match takes precedence, RFC 9110 13.2.2)
    stale = '"' + "0" * 16 + '"'
    assert stale != etag
    status, h200, again = conditional(If_None_Match=stale, If_Modified_Since=modified)
    assert (status, again) == (200, body)
    assert h200["ETag"] == etag
    # another date: the page in full
    status, _, again = conditional(If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")
    assert (status, again) == (200, body)


def test_conditional_requests_never_turn_errors_into_304(portal):
    status, headers, _ = fetch(pzh(portal, "zwgk/zfxxgknb/202001/t20200120_5123.html"))
    req = urllib.request.Request(pzh(portal, "no/such/page.html"),
                                 headers={"If-None-Match": headers["ETag"],
                                          "If-Modified-Since": headers["Last-Modified"]})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 404
