"""The crawler's test portals: one site per CMS style plus faults, in two rounds.

Round 1 → round 2 changes exactly: ``trsx`` 2022 PDF changes bytes (same URL), the
``hanx`` 2021 公告 is removed (list entry gone, page 404), ``trsx`` gets a new 2023 report.

``EXPECTED`` lists, per round, the reports (agency-year) the crawler must find;
``DISTRACTORS`` the paths it must never request.
"""
from __future__ import annotations

import csv
from pathlib import Path

from tests.portals.server import Page, TestPortal

SITE_IDS = ["trsx", "hanx", "plainx", "hintx", "rs412", "jsl521", "spam"]
REGISTRY_IDS = SITE_IDS[:-1]   # the spam host is never in the registry

NAMES = {
    "trsx": ("测试市人民防空办公室", "city", "四川", "trs_wcm", "测试市国防动员办公室|测试市人防办"),
    "hanx": ("测试省国防动员办公室", "province", "江西", "hanweb", "测试省人民防空办公室"),
    "plainx": ("测试区人民防空办公室", "district", "湖北", "", ""),
    "hintx": ("测试县人民防空局", "district", "陕西", "", ""),
    "rs412": ("瑞数市人民防空办公室", "city", "浙江", "", ""),
    "jsl521": ("加速乐市人民防空办公室", "city", "安徽", "", ""),
}


def pdf(text: str) -> bytes:
    """A small PDF-looking document (the crawler sniffs, it does not parse)."""
    return (b"%PDF-1.4\n% renfang test document\n1 0 obj << /Title (" + text.encode("utf-8").hex().encode()
            + b") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def docx_bytes(text: str) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in (("[Content_Types].xml", "<Types/>"),
                           ("word/document.xml",
                            f"<w:document><w:body><w:p><w:t>{text}</w:t></w:p></w:body></w:document>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)  # same bytes every build
    return buf.getvalue()


def html(title: str, body: str, charset_meta: str | None = None, encoding: str = "utf-8") -> bytes:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title>"
            f'<meta name="ArticleTitle" content="{title}"></head><body>{body}'
            '<div class="footer"><a href="http://www.example.com/">友情链接</a> 主办单位 ICP备</div>'
            "</body></html>").encode(encoding)


def _li(title: str, href: str, date: str) -> str:
    return f'<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{date}</span></li>'


# ---------------------------------------------------------------- TRS WCM, GBK, no charset anywhere
def trsx(base: dict, rnd: int) -> dict:
    enc, ct = "gbk", "text/html"   # neither header nor <meta> says GBK
    name = NAMES["trsx"][0]
    spam = base["spam"]
    def page(title, body):
        return Page(html(title, body, None, enc), ct)
    nb = "/zwgk/xxgknb/"
    lists = [
        [(f"{name}2022年政府信息公开工作年度报告", "./202301/t20230115_301.html", "2023-01-15"),
         (f"{name}2023年政务公开工作要点", "./202303/t20230301_310.html", "2023-03-01"),
         (f"{name}2021年政府信息公开工作年度报告", "./202201/t20220120_201.html", "2022-01-20"),
         # a spam copy and an off-site copy listed as if they were reports: never requested
         ("四川省人民政府国防动员办公室2023年政府信息公开工作年度报告",
          f"{spam}rfb/scrf/zfxxgkndbg/2024/1/18/90b0056f.shtml", "2024-01-18"),
         ("测试市人民防空办公室2021年政府信息公开工作年度报告（转载）",
          "http://m.pouringspot.example/rfb/2021.shtml", "2022-01-21")],
        [(f"{name}2021年法治政府建设年度报告", "./202202/t20220210_210.html", "2022-02-10"),
         (f"{name}2020年政府信息公开工作年度报告", "./202101/t20210125_101.html", "2021-01-25"),
         (f"{name}2020年度部门决算", "./202107/t20210710_120.html", "2021-07-10")],
        [(f"{name}2019年政府信息公开工作年度报告", "./202001/P020200110000001.pdf", "2020-01-10"),
         (f"{name}2019年工作总结和2020年工作计划", "./202001/t20200105_90.html", "2020-01-05")],
    ]
    if rnd >= 2:
        lists[0].insert(0, (f"{name}2023年政府信息公开工作年度报告", "./202401/t20240118_401.html", "2024-01-18"))
    pages = {
        "/": Page(b"", status=302, location="/index.html"),
        "/index.html": page(name, '<div class="nav"><a href="/">首页</a><a href="/xwdt/">新闻动态</a>'
                                   '<a href="/zwgk">政务公开</a></div>'),
        "/zwgk": Page(b"", status=301, location="/zwgk/"),
        "/zwgk/": page("政务公开", '<ul><li><a href="./zfxxgkzn/">政府信息公开指南</a></li>'
                               '<li><a href="./xxgknb/">政府信息公开年报</a></li></ul>'),
        "/zwgk/xxgknb/": page("政府信息公开年报", "<p>见列表</p>" + "".join(_li(*e) for e in lists[0])
                             + '<script>createPageHTML(3, 0, "index", "html");</script>'),
    }
    for i, entries in enumerate(lists):
        stem = "index.html" if i == 0 else f"index_{i}.html"
        pages[nb + stem] = page("政府信息公开年报", "<ul>" + "".join(_li(*e) for e in entries) + "</ul>"
                                f'<script>createPageHTML(3, {i}, "index", "html");</script>')
    pdf22 = pdf("trsx 2022 report" + (" revised" if rnd >= 2 else ""))
    pages.update({
        nb + "202301/t20230115_301.html": page(
            f"{name}2022年政府信息公开工作年度报告",
            '<div class="TRS_Editor"><p>一、总体情况</p><table><tr><td>0</td></tr></table></div>'
            '<p>附件：<a href="./P020230115301001.pdf">2022年报告.pdf</a></p>'
            '<a href="./t20230115_301_wap.html">手机版</a>'),
        nb + "202301/t20230115_301_wap.html": page(f"{name}2022年政府信息公开工作年度报告", "<p>一、总体情况</p>"),
        nb + "202301/P020230115301001.pdf": Page(pdf22, "application/pdf",
                                                 modified=1704067200.0 + (86400 if rnd >= 2 else 0)),
        nb + "202303/t20230301_310.html": page(f"{name}2023年政务公开工作要点", "<p>要点</p>"),
        nb + "202201/t20220120_201.html": Page(html(f"{name}2021年政府信息公开工作年度报告",
                                                    "<p>2021年报告正文</p>", None, enc), ct, fail_first=1),
        nb + "202202/t20220210_210.html": page(f"{name}2021年法治政府建设年度报告", "<p>法治</p>"),
        nb + "202107/t20210710_120.html": page(f"{name}2020年度部门决算",
                                               '<a href="./P020210710120001.pdf">决算.pdf</a>'),
        nb + "202107/P020210710120001.pdf": Page(pdf("juesuan"), "application/pdf"),
        nb + "202001/P020200110000001.pdf": Page(
            pdf("trsx 2019 report"), "application/octet-stream",
            headers=[("Content-Disposition", 'attachment; filename="'
                      + f"{name}2019年报告.pdf".encode("gbk").decode("latin-1") + '"')]),
        nb + "202001/t20200105_90.html": page("工作总结", "<p>总结</p>"),
    })
    if rnd >= 2:
        pages[nb + "202401/t20240118_401.html"] = page(
            f"{name}2023年政府信息公开工作年度报告", '<p>正文</p><a href="./P020240118401001.pdf">附件</a>')
        pages[nb + "202401/P020240118401001.pdf"] = Page(pdf("trsx 2023 report"), "application/pdf")
    return {"pages": pages}


# ---------------------------------------------------------------- Hanweb jcms, UTF-8, dataproxy POST
def hanx(base: dict, rnd: int) -> dict:
    name = NAMES["hanx"][0]
    ct = "text/html; charset=UTF-8"
    def page(title, body):
        return Page(html(title, body), ct)
    records = [
        (f"{name}2023年政府信息公开工作年度报告", "/art/2024/1/20/art_2001_31.html", "2024-01-20"),
        (f"{name}2024年政务公开工作要点", "/art/2024/3/1/art_2001_32.html", "2024-03-01"),
        ("测试省人民防空办公室2022年政府信息公开工作年度报告", "/art/2023/1/20/art_2001_21.html", "2023-01-20"),
        (f"{name}2022年度部门决算", "/art/2023/7/1/art_2001_22.html", "2023-07-01"),
        ("测试省人民防空办公室关于公布2021年度政府信息公开工作年度报告的公告",
         "/art/2022/1/25/art_2001_11.html", "2022-01-25"),
    ]
    if rnd >= 2:
        records = [r for r in records if "2021年度" not in r[0]]
    per = 2
    def cdata(rs):
        return "".join(f"<record><![CDATA[{_li(*r)}]]></record>" for r in rs)
    col = page("政府信息公开年报",
               f'<div id="5001"><script type="text/xml"><datastore><recordset>{cdata(records[:per])}'
               "</recordset></datastore></script></div>"
               f"<script>$('#5001').jpage({{dataStore: dataStore, perPage: {per}, totalRecord: {len(records)},"
               " proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {col:1, webid:1, path:'/',"
               " columnid:2001, unitid:5001}});</script>")
    def dataproxy(query, form):
        if not form.get("columnid"):
            return Page(b"missing columnid", status=400)
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        xml = (f"<datastore><totalrecord>{len(records)}</totalrecord><recordset>"
               f"{cdata(records[start - 1:end])}</recordset></datastore>")
        return Page(xml.encode("utf-8"), "text/xml;charset=UTF-8")
    same = pdf("hanx 2023 report")
    gbk_name = f"{name}2023年政府信息公开工作年度报告.pdf".encode("gbk").decode("latin-1")
    pages = {
        "/": page(name, '<a href="/col/col1001/index.html">信息公开</a><a href="/col/col1002/index.html">新闻中心</a>'),
        "/col/col1001/index.html": page("信息公开", '<a href="/col/col2001/index.html">政府信息公开年报</a>'
                                                   '<a href="/col/col2002/index.html">政府信息公开指南</a>'),
        "/col/col2001/index.html": col,
        "/art/2024/1/20/art_2001_31.html": page(
            f"{name}2023年政府信息公开工作年度报告",
            '<p>正文</p><a href="/module/download/downfile.jsp?classid=0&filename=a31.pdf">附件下载</a>'
            '<a href="/picture/0/rep2023.pdf">全真版</a>'
            '<a href="/module/download/downfile.jsp?classid=0&filename=mirror.pdf">图片版</a>'),
        # a download that redirects to a copy on a spam host: never followed
        "/module/download/downfile.jsp?classid=0&filename=mirror.pdf": Page(
            b"", status=302, location=f"{base['spam']}rfb/mirror/rep2023.pdf"),
        # the same bytes under two URLs
        "/module/download/downfile.jsp?classid=0&filename=a31.pdf": Page(
            same, "application/octet-stream",
            headers=[("Content-Disposition", f'attachment; filename="{gbk_name}"')]),
        "/picture/0/rep2023.pdf": Page(same, "application/pdf"),
        "/art/2024/3/1/art_2001_32.html": page("要点", "<p>要点</p>"),
        # moved: the list's URL redirects
        "/art/2023/1/20/art_2001_21.html": Page(b"", status=302, location="/art/2023/1/20/art_2001_21_0.html"),
        "/art/2023/1/20/art_2001_21_0.html": page(
            "测试省人民防空办公室2022年政府信息公开工作年度报告",
            '<a href="/module/download/downfile.jsp?classid=0&filename=a21.docx">2022年报告.docx</a>'),
        "/module/download/downfile.jsp?classid=0&filename=a21.docx": Page(
            docx_bytes("hanx 2022"), "application/octet-stream",
            headers=[("Content-Disposition", "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A2022.docx")]),
        "/art/2023/7/1/art_2001_22.html": page("决算", "<p>决算</p>"),
    }
    if rnd < 2:
        pages["/art/2022/1/25/art_2001_11.html"] = page(
            "测试省人民防空办公室关于公布2021年度政府信息公开工作年度报告的公告",
            '<a href="/module/download/downfile.jsp?classid=0&filename=a11.pdf">附件</a>')
        pages["/module/download/downfile.jsp?classid=0&filename=a11.pdf"] = Page(pdf("hanx 2021"), "application/pdf")
    return {"pages": pages, "post": {"/module/web/jpage/dataproxy.jsp": dataproxy}}


# ---------------------------------------------------------------- generic: 下一页, wrong charsets, slow page
def plainx(base: dict, rnd: int) -> dict:
    name = NAMES["plainx"][0]
    wrong_header = "text/html; charset=utf-8"   # the bytes are GBK: the header lies
    def gbk(title, body):
        return Page(html(title, body, "gb2312", "gbk"), wrong_header)
    pages = {
        "/": gbk(name, '<table><tr><td><a href="/xxgk/">政府信息公开</a></td></tr></table>'),
        "/xxgk/": gbk("政府信息公开", '<a href="/xxgk/nb/list1.html">年度报告</a>'),
        "/xxgk/nb/list1.html": gbk("年度报告", "<ul>" + _li(f"{name}2023年政府信息公开工作年度报告",
                                                          "/xxgk/nb/2023.html", "2024-01-30")
                                   + _li(f"{name}2023年法治政府建设年度报告", "/xxgk/nb/fz2023.html", "2024-02-01")
                                   + '</ul><a href="/xxgk/nb/list2.html">下一页</a>'),
        "/xxgk/nb/list2.html": Page(html("年度报告", "<ul>" + _li(f"{name}2022年度政府信息公开年报",
                                                               "/xxgk/nb/2022.html", "2023-01-30")
                                         + _li("2021年政府信息公开工作年度报告", "/xxgk/nb/2021.pdf", "2022-01-30")
                                         + "</ul>", "gb2312", "gbk"), wrong_header, delay=0.6),
        # UTF-8 bytes under a <meta> that says gb2312 (wrong meta, no header charset)
        "/xxgk/nb/2023.html": Page(html(f"{name}2023年政府信息公开工作年度报告",
                                        '<a href="/xxgk/nb/2023.docx">下载附件</a>', "gb2312", "utf-8"),
                                   "text/html"),
        "/xxgk/nb/2023.docx": Page(docx_bytes("plainx 2023"), "application/msword"),
        "/xxgk/nb/2022.html": gbk(f"{name}2022年度政府信息公开年报", "<p>正文</p>"),
        "/xxgk/nb/2021.pdf": Page(pdf("plainx 2021"), "application/pdf"),
        "/xxgk/nb/fz2023.html": gbk("法治", "<p>法治</p>"),
    }
    return {"pages": pages}


# ---------------------------------------------------------------- a site needing registry hints
def hintx(base: dict, rnd: int) -> dict:
    name = NAMES["hintx"][0]
    ct = "text/html; charset=utf-8"
    rows = "".join(f'<div class="row"><span class="t"><a href="{h}">{t}</a></span><em>{d}</em></div>'
                   for t, h, d in [(f"{name}2022年政府信息公开工作年度报告", "/gk/nb/2022.html", "2023-01-10"),
                                   (f"{name}2022年工作总结", "/gk/nb/zj2022.html", "2023-01-05")])
    # the disclosure column is linked only by an image (its alt text says 政务公开), the
    # annual-report list holds <div> rows, not <li> or table rows
    return {"pages": {
        "/": Page(html(name, '<p>首页</p><div class="banner"><a href="/gk/"><img src="/img/zwgk.png" '
                             'alt="政务公开"></a></div>'), ct),
        "/gk/": Page(html("政务公开", '<div class="side"><a href="/gk/zn/">公开指南</a>'
                                     '<a href="/gk/nb/">年度报告</a></div>'), ct),
        "/gk/zn/": Page(html("公开指南", "<p>指南</p>"), ct),
        "/gk/nb/": Page(html("年报", rows), ct),
        "/gk/nb/2022.html": Page(html(f"{name}2022年政府信息公开工作年度报告", "<p>正文</p>"), ct),
        "/gk/nb/zj2022.html": Page(html("总结", "<p>总结</p>"), ct),
    }}


RUISHU = (b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
          b'<meta id="FSSBBIl1UgzbN7N" content="xyz" r="m"><script type="text/javascript">'
          b'$_ts=window["$_ts"];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qEq";</script>'
          b'<script type="text/javascript" r="m" src="/4QbVtADbnLVIc/c.FxJzG50F.js"></script></head><body></body></html>')
JIASULE = (b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+"
           b"('a')+('n')+('c')+('e')+('=1700000000.123|0|abc')+';Expires=Mon, 20-Nov-23 10:00:00 GMT;Path=/;';"
           b"location.href=location.pathname+location.search</script>")


def rs412(base: dict, rnd: int) -> dict:
    challenge = Page(RUISHU, "text/html", status=412, validators=False)
    return {"pages": {"/": challenge, "/index.html": challenge}}


def jsl521(base: dict, rnd: int) -> dict:
    challenge = Page(JIASULE, "text/html", status=521, validators=False,
                     headers=[("Set-Cookie", "__jsluid_h=0123456789abcdef; max-age=31536000; path=/")])
    return {"pages": {"/": challenge}}


def spam(base: dict, rnd: int) -> dict:
    return {"pages": {}}


BUILDERS = {"trsx": trsx, "hanx": hanx, "plainx": plainx, "hintx": hintx, "rs412": rs412,
            "jsl521": jsl521, "spam": spam}

EXPECTED = {
    1: {"trsx-2022", "trsx-2021", "trsx-2020", "trsx-2019", "hanx-2023", "hanx-2022", "hanx-2021",
        "plainx-2023", "plainx-2022", "plainx-2021", "hintx-2022"},
}
EXPECTED[2] = EXPECTED[1] | {"trsx-2023"}

# paths of distractors (and of what only distractors link) that must never be requested
DISTRACTORS = {
    "trsx": ["/zwgk/xxgknb/202303/t20230301_310.html", "/zwgk/xxgknb/202202/t20220210_210.html",
             "/zwgk/xxgknb/202107/t20210710_120.html", "/zwgk/xxgknb/202107/P020210710120001.pdf",
             "/zwgk/xxgknb/202001/t20200105_90.html"],
    "hanx": ["/art/2024/3/1/art_2001_32.html", "/art/2023/7/1/art_2001_22.html"],
    "plainx": ["/xxgk/nb/fz2023.html"],
    "hintx": ["/gk/nb/zj2022.html"],
}


def start() -> TestPortal:
    portal = TestPortal(SITE_IDS)
    build(portal, 1)
    return portal


def build(portal: TestPortal, rnd: int) -> None:
    base = {sid: s.url for sid, s in portal.sites.items()}
    for sid, fn in BUILDERS.items():
        spec = fn(base, rnd)
        portal.sites[sid].set_pages(spec["pages"], spec.get("post"))


def write_registry(portal: TestPortal, path: Path, ids: list[str] | None = None, hints: bool = False) -> Path:
    """The registry as a new user writes it: id,name,level,province,url and nothing else.
    ``hints=True`` adds the optional columns (cms, aliases, column_url, list_selector)."""
    fields = ["id", "name", "level", "province", "url"]
    if hints:
        fields += ["cms", "aliases", "column_url", "list_selector"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for sid in ids or REGISTRY_IDS:
            name, level, province, cms, aliases = NAMES[sid]
            row = {"id": sid, "name": name, "level": level, "province": province, "url": portal.url(sid)}
            if hints:
                row.update(cms=cms, aliases=aliases)
                if sid == "hintx":
                    row.update(column_url=portal.url(sid) + "gk/nb/", list_selector="div.row span.t")
            w.writerow(row)
    return path
