"""Attachments behind download scripts, and the odd shapes real portals have.

- ``attrf``: a district office's site (GBK, said only in ``<meta>``): the reports'
  documents come from download scripts: ``downfile.jsp`` with ``Content-Disposition:
  attachment; filename=<percent-encoded UTF-8>`` (no quotes, no ``filename*``),
  ``download.do?id=`` with raw GBK bytes in ``filename="…"``, ``FileDownload?fileId=`` with
  only RFC 5987 ``filename*=UTF-8''…``; attachments whose link text is only "附件1" /
  "附件2"; two reports linked from the list as the document itself (no article page).
- ``iframerf``: the home page links the disclosure column only as an image (``alt``
  text); the annual-report list sits in an ``<iframe>`` and is paged by query string
  (``list.jsp?catid=28&page=2``) with page-number links only (no 下一页); rows are
  ``<div>`` blocks; one report is split over two pages (``_2.html``), one is reached
  through a 302 → 301 chain (its document is the final URL), one answers HTTP 500 once
  and heals on retry; one is published as 文字版 and 图片版 (two pages).
"""
from __future__ import annotations

from tests.portals.shapes_common import (Page, Site, article, att, disposition_gbk_raw, disposition_rfc5987,
                                         disposition_utf8_percent, html_page, new_site, report_text, page_maker)

# ------------------------------------------------------------------ attrf
AT_NAME, AT_RENAMED = "临江区人民防空办公室", "临江区国防动员办公室"
AT_NAV = [("首页", "/"), ("机构设置", "/jgsz/"), ("工作动态", "/gzdt/"), ("信息公开", "/xxgk/"), ("办事指南", "/bszn/")]
OCTET = "application/octet-stream"


def attrf(base: dict) -> Site:
    s = new_site("attrf", AT_NAME, "district", "吉林")

    pg = page_maker(AT_RENAMED, AT_NAV, "2206000011", enc="gbk", said_in="meta")
    s.add("/", pg(AT_RENAMED, '<div class="news"><ul><li><a href="/gzdt/202509/20250912083011.html">区国动办开展'
                              '人防工程专项检查</a></li></ul></div>'))
    s.add("/gzdt/202509/20250912083011.html", pg("区国动办开展人防工程专项检查", article(
        "区国动办开展人防工程专项检查", "2025-09-12", "<p>……</p>", source=AT_RENAMED)))
    s.add("/xxgk/", pg("信息公开", '<table class="gk"><tr><td><a href="/xxgk/zn/">信息公开指南</a></td>'
                                 '<td><a href="/xxgk/zd/">信息公开制度</a></td><td><a href="/xxgk/ml/">信息公开目录</a></td>'
                                 '<td><a href="/xxgk/ndbg/">信息公开年报</a></td></tr></table>',
                       crumbs=[("首页", "/"), ("信息公开", None)]))
    rows = []   # (title, href, date)

    def report(title, path, date, year, atts):
        """An article page with its attachments: (link text, download path, file name, header fn, ctype)."""
        links = "".join(f'<p><a href="{dl}" target="_blank">{text}</a></p>' for text, dl, _, _, _ in atts)
        office = AT_RENAMED if "国防动员" in title else AT_NAME
        body = report_text(office, year) if year else "<p>……</p>"
        s.add(path, pg(title, article(title, date, body, source=office, attachments=links),
                       meta={"ArticleTitle": title, "PubDate": date}), year=year, listed_as_distractor=year is None)
        for _, dl, fname, header, ctype in atts:
            s.add(dl, Page(att(fname), ctype, headers=[header(fname)] if header else []),
                  year=year, listed_as_distractor=year is None)
        rows.append((title, path, date))

    t = f"{AT_RENAMED}2025年部门预算公开"
    report(t, "/xxgk/ndbg/202502/20250214100021.html", "2025-02-14", None,
           [("预算公开表.pdf", "/module/download/downfile.jsp?classid=0&filename=2502141000211.pdf", t + ".pdf",
             disposition_utf8_percent, OCTET)])
    t = f"{AT_RENAMED}2024年政府信息公开工作年度报告"
    report(t, "/xxgk/ndbg/202501/20250115093001.html", "2025-01-15", 2024,
           [(t + ".pdf", "/module/download/downfile.jsp?classid=0&filename=2501150930123.pdf", t + ".pdf",
             disposition_utf8_percent, OCTET)])
    t = f"{AT_NAME}2023年法治政府建设年度报告"
    report(t, "/xxgk/ndbg/202401/20240126090512.html", "2024-01-26", None, [])
    t = f"{AT_NAME}2023年政府信息公开工作年度报告"
    report(t, "/xxgk/ndbg/202401/20240118101502.html", "2024-01-18", 2023,
           [("附件1", "/attach/download.do?id=88213", t + ".docx", disposition_gbk_raw, OCTET)])
    t = f"{AT_NAME}2022年政府信息公开工作年度报告"
    report(t, "/xxgk/ndbg/202301/20230116083012.html", "2023-01-16", 2022,
           [("点击下载", "/servlet/FileDownload?fileId=8f3a2c01", t + ".pdf", disposition_rfc5987,
             "application/x-download")])
    # listed as the documents themselves
    direct = [
        (f"{AT_NAME}2022年度部门决算", "/module/download/downfile.jsp?classid=0&filename=2208301400377.pdf",
         "2022-08-30", None, disposition_utf8_percent, OCTET),
        (f"{AT_NAME}2021年政府信息公开工作年度报告", "/module/download/downfile.jsp?classid=0&filename=2201201030456.pdf",
         "2022-01-20", 2021, disposition_utf8_percent, OCTET),
        (f"{AT_NAME}2021年工作要点", "/module/download/downfile.jsp?classid=0&filename=2103021100112.docx",
         "2021-03-02", None, disposition_utf8_percent, OCTET),
        (f"{AT_NAME}2020年政府信息公开工作年度报告（Word版）", "/uploadfiles/202101/20210125104512.docx",
         "2021-01-25", 2020, None,
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    for title, path, date, year, header, ctype in direct:
        ext = path.rsplit(".", 1)[1]
        s.add(path, Page(att(f"{title}.{ext}"), ctype, headers=[header(f"{title}.{ext}")] if header else []),
              year=year, listed_as_distractor=year is None)
        rows.append((title, path, date))
    t = f"{AT_NAME}2019年政府信息公开工作年度报告"
    report(t, "/xxgk/ndbg/202001/20200117150003.html", "2020-01-17", 2019,
           [("附件1", "/attach/download.do?id=61002", "附件1：2019年政府信息公开工作年度报告.pdf", disposition_gbk_raw, OCTET),
            ("附件2", "/attach/download.do?id=61003", "附件2：2019年政府信息公开情况统计表.docx", disposition_gbk_raw, OCTET)])
    t = f"{AT_NAME}政府信息公开指南"
    report(t, "/xxgk/ndbg/201905/20190510090001.html", "2019-05-10", None, [])
    rows.sort(key=lambda r: r[2], reverse=True)
    trs = "".join(f'<tr><td class="t"><a href="{h}" target="_blank" title="{t}">{t}</a></td><td class="d">[{d}]</td></tr>'
                  for t, h, d in rows)
    s.add("/xxgk/ndbg/", pg("信息公开年报", f'<table class="list" width="100%">{trs}</table>',
                            crumbs=[("首页", "/"), ("信息公开", "/xxgk/"), ("信息公开年报", None)]))
    return s


# ------------------------------------------------------------------ iframerf
IF_NAME, IF_RENAMED = "东阳区人民防空办公室", "东阳区国防动员办公室"
IF_NAV = [("首页", "/"), ("新闻动态", "/xwdt/"), ("办事服务", "/bsfw/"), ("互动交流", "/hdjl/")]
IF_PER = 6
C = "/xxgk/content/"
# (title, list href, date, year or None)
IF_ROWS = [
    (f"{IF_RENAMED}2025年政务公开工作要点", C + "2025-03/20250311_9003.html", "2025/03/11", None),
    (f"{IF_RENAMED}2024年政府信息公开工作年度报告", C + "2025-01/20250118_8812.html", "2025/01/18", 2024),
    (f"{IF_RENAMED}2024年法治政府建设年度报告", C + "2025-01/20250110_8790.html", "2025/01/10", None),
    ("东阳区人民政府2023年政府信息公开工作年度报告", C + "2024-01/20240125_7830.html", "2024/01/25", None),
    (f"{IF_NAME}2023年政府信息公开工作年度报告", "/xxgk/jump.jsp?id=7791", "2024/01/20", 2023),
    (f"{IF_NAME}2022年度部门决算", C + "2023-08/20230828_7002.html", "2023/08/28", None),
    (f"{IF_NAME}2022年政府信息公开工作年度报告", C + "2023-01/20230119_6620.html", "2023/01/19", 2022),
    (f"{IF_NAME}2022年工作要点", C + "2022-02/20220222_5790.html", "2022/02/22", None),
    (f"{IF_NAME}2021年政府信息公开工作年度报告", C + "2022-01/20220121_5531.html", "2022/01/21", 2021),
    (f"{IF_NAME}2020年度政府信息公开工作年度报告（文字版）", C + "2021-01/20210122_4410.html", "2021/01/22", 2020),
    (f"{IF_NAME}2020年度政府信息公开工作年度报告（图片版）", C + "2021-01/20210122_4411.html", "2021/01/22", 2020),
    (f"{IF_NAME}2019年政府信息公开工作年度报告", C + "2020-01/20200115_3302.html", "2020/01/15", 2019),
    (f"{IF_NAME}2018年政府信息公开年报", C + "2019-02/20190226_2208.html", "2019/02/26", 2018),
    (f"{IF_NAME}2018年度工作总结", C + "2019-01/20190108_2150.html", "2019/01/08", None),
    (f"{IF_NAME}政府信息公开工作年度报告（2017年）", C + "2018-03/20180329_1602.html", "2018/03/29", 2017),
]


def iframerf(base: dict) -> Site:
    s = new_site("iframerf", IF_NAME, "district", "天津")

    pg = page_maker(IF_RENAMED, IF_NAV, "1201000077")
    s.add("/", pg(IF_RENAMED, '<div class="entries"><a href="/xxgk/index.jsp" target="_blank"><img '
                              'src="/images/btn_xxgk.png" alt="政府信息公开" width="280" height="90"></a>'
                              '<a href="/bsfw/"><img src="/images/btn_bsfw.png" alt="办事服务"></a></div>'))
    s.add("/xxgk/index.jsp", pg("政府信息公开", '<div class="menu"><a href="/xxgk/gkzn.jsp">公开指南</a>'
                                             '<a href="/xxgk/gkzd.jsp">公开制度</a><a href="/xxgk/ndbg.jsp">公开年报</a>'
                                             '<a href="/xxgk/ysq.jsp">依申请公开</a></div>'))
    s.add("/xxgk/ndbg.jsp", pg("公开年报", '<div class="frame"><iframe src="/xxgk/list.jsp?catid=28" name="listFrame" '
                                        'id="listFrame" width="100%" height="620" frameborder="0" scrolling="no">'
                                        "</iframe></div>",
                               crumbs=[("首页", "/"), ("政府信息公开", "/xxgk/index.jsp"), ("公开年报", None)]))
    n = -(-len(IF_ROWS) // IF_PER)
    for k in range(1, n + 1):
        items = "".join(f'<div class="item"><div class="tit"><a href="{h}" target="_blank" title="{t}">{t}</a></div>'
                        f'<div class="time">{d}</div></div>' for t, h, d, _ in IF_ROWS[(k - 1) * IF_PER:k * IF_PER])
        nums = "".join(f"<b>{j}</b>" if j == k else f'<a href="list.jsp?catid=28&page={j}">{j}</a>'
                       for j in range(1, n + 1))
        frame = html_page('<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/css/list.css">'
                          f'</head><body><div class="list">{items}</div><div class="pages">{nums}</div></body></html>')
        s.add(f"/xxgk/list.jsp?catid=28&page={k}", frame)
        if k == 1:
            s.add("/xxgk/list.jsp?catid=28", frame)
    for title, href, date, year in IF_ROWS:
        office = IF_RENAMED if "国防动员" in title else IF_NAME
        body = report_text(office, year) if year and "图片版" not in title else "<p>……</p>"
        kw = {}
        if "图片版" in title:
            body = "".join(f'<p><img src="/xxgk/upload/2021/01/4411_{i}.jpg" alt="{title}第{i}页"></p>' for i in (1, 2))
            for i in (1, 2):     # the report's pages, as pictures (the crawler archives each)
                s.add(f"/xxgk/upload/2021/01/4411_{i}.jpg", Page(_page_jpeg(f"{title} {i}"), "image/jpeg"), year=year)
        atts = ""
        if year == 2022:
            kw["fail_first"] = 1
            atts = f'<a href="/xxgk/upload/2023/01/6620_1.pdf">{title}.pdf</a>'
            s.add("/xxgk/upload/2023/01/6620_1.pdf", Page(att(title + ".pdf"), "application/pdf"), year=year)
        if href.startswith("/xxgk/jump.jsp"):
            s.add(href, Page(b"", status=302, location=C + "2024-01/7791.html", validators=False))
            s.add(C + "2024-01/7791.html", Page(b"", status=301, location=C + "2024-01/20240120_7791.html",
                                                validators=False))
            href = C + "2024-01/20240120_7791.html"
        if year == 2024:   # split over two pages
            second = href.replace(".html", "_2.html")
            name = href.rsplit("/", 1)[1]
            text = report_text(office, year)
            cut_at = text.index('<p class="MsoNormal"><b>三、')
            s.add(second, pg(title, article(title, date, text[cut_at:], source=office)
                             + f'<div class="pagebar">共2页 <a href="{name}">上一页</a> <a href="{name}">1</a> <b>2</b></div>'),
                  year=year)
            body = (text[:cut_at] + f'<div class="pagebar">共2页 <b>1</b> <a href="{second.rsplit("/", 1)[1]}">'
                    f'2</a> <a href="{second.rsplit("/", 1)[1]}">下一页</a></div>')
        content = pg(title, article(title, date, body, source=office, attachments=atts),
                     meta={"ArticleTitle": title, "PubDate": date.replace("/", "-")})
        content.fail_first = kw.get("fail_first", 0)
        s.add(href, content, year=year, listed_as_distractor=year is None)
    return s


BUILDERS = {"attrf": attrf, "iframerf": iframerf}


def _page_jpeg(text: str) -> bytes:
    """A small JPEG page (a different picture per page)."""
    import hashlib
    import io

    from PIL import Image

    shade = hashlib.sha1(text.encode("utf-8")).digest()[0]
    out = io.BytesIO()
    Image.new("L", (64, 90), shade).save(out, "JPEG", quality=80)
    return out.getvalue()
