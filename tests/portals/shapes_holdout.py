"""Hold-out sites: shapes the crawler was not built against (``shapes.HOLDOUT``).

They are kept out of ``shapes.SITE_IDS`` so that the crawler's own tests do not tune to
them; ``python -m tests.portals.shapes --holdout DATA_DIR`` scores them.

- ``aspxrf``: an ASP.NET WebForms county site: the list is a GridView whose pager is
  ``javascript:__doPostBack('ctl00$ContentPlaceHolder1$AspNetPager1','2')``: page N is a POST
  of the page's form (``__VIEWSTATE``, ``__EVENTVALIDATION``, ``__EVENTTARGET``,
  ``__EVENTARGUMENT=N``) back to ``List.aspx?ClassID=17``; a GET, or a POST without the
  event, answers page 1. Articles ``Show.aspx?ID=…``.
- ``catrf``: a 信息公开目录 (catalogue) table: 索引号 | 信息名称 (plain text) | 发布机构 |
  生成日期 | 操作, the only link being "查看" in the last column; paged by a GET form
  (``catalog.jsp?catId=…&pageNo=N``, 下一页 links); one report's PDF is only in an
  ``<object data=…>``, another's in ``<embed src=…>``.
- ``framerf``: the home page is a ``<frameset>``; the list is JSONP: a ``<script
  src="/api/list.js?col=ndbg&page=1&callback=renderList">`` answering
  ``renderList({"total":…,"pages":…,"data":[{"t":…,"u":…,"d":"20240118"}]})``, further pages by
  ``loadPage(n)`` adding such a script; some item URLs are protocol-relative (``//host/…``).
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.portals.shapes_common import (Page, Site, article, att, endpoint, html_page, new_site, page_maker,
                                         report_text)

# ------------------------------------------------------------------ aspxrf
ASP_NAME, ASP_RENAMED = "鹿鸣县人民防空办公室", "鹿鸣县国防动员办公室"
ASP_NAV = [("首页", "/Default.aspx"), ("机构职能", "/jgzn/Default.aspx"), ("工作动态", "/gzdt/Default.aspx"),
           ("政务公开", "/zwgk/Default.aspx"), ("在线服务", "/zxfw/Default.aspx")]
PAGER = "ctl00$ContentPlaceHolder1$AspNetPager1"
# (title, ID, date, year or None, attachment or None)
ASP_ROWS = [
    (f"{ASP_RENAMED}2025年政务公开工作要点", 3420, "2025-03-04", None, None),
    (f"{ASP_RENAMED}2024年政府信息公开工作年度报告", 3391, "2025-01-21", 2024, "/UploadFiles/2025/1/202501211530123.pdf"),
    (f"{ASP_RENAMED}2024年度法治政府建设工作报告", 3377, "2025-01-13", None, None),
    (f"{ASP_NAME}2023年政府信息公开工作年度报告", 3102, "2024-01-18", 2023, None),
    (f"{ASP_NAME}2023年部门决算公开", 3050, "2023-09-11", None, "/UploadFiles/2023/9/202309111020456.pdf"),
    (f"{ASP_NAME}2022年政府信息公开工作年度报告", 2870, "2023-01-16", 2022, "/UploadFiles/2023/1/202301161100789.doc"),
    (f"{ASP_NAME}2022年工作总结", 2851, "2022-12-30", None, None),
    (f"{ASP_NAME}2021年政府信息公开工作年度报告", 2610, "2022-01-20", 2021, None),
    ("鹿鸣县人民政府2021年政府信息公开工作年度报告", 2602, "2022-01-19", None, None),
    (f"{ASP_NAME}2020年政府信息公开工作年度报告", 2377, "2021-01-22", 2020, None),
    (f"{ASP_NAME}政府信息公开指南", 2201, "2020-05-08", None, None),
    (f"{ASP_NAME}2019年政府信息公开工作年度报告", 2090, "2020-01-17", 2019, None),
    (f"{ASP_NAME}2019年部门预算", 1988, "2019-02-26", None, None),
    (f"{ASP_NAME}2018年政府信息公开工作年度报告", 1850, "2019-02-28", 2018, None),
]
ASP_PER = 4


def _asp_list(k: int, n: int) -> str:
    rows = "".join(f'<tr><td align="left"><a id="ctl00_ContentPlaceHolder1_GridView1_ctl0{i + 2}_HyperLink1" '
                   f'href="Show.aspx?ID={doc}" target="_blank">{t}</a></td><td>{d}</td></tr>'
                   for i, (t, doc, d, _, _) in enumerate(ASP_ROWS[(k - 1) * ASP_PER:k * ASP_PER]))
    nums = "".join(f'<span class="current">{j}</span>' if j == k else
                   f"<a href=\"javascript:__doPostBack('{PAGER}','{j}')\">{j}</a>" for j in range(1, n + 1))
    nxt = (f"<a href=\"javascript:__doPostBack('{PAGER}','{k + 1}')\">下一页</a>" if k < n else
           '<a disabled="disabled">下一页</a>')
    return ('<form name="aspnetForm" method="post" action="./List.aspx?ClassID=17" id="aspnetForm">'
            '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
            '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAgIBD2QWAmYPPCsADQEADxYEHgtfIURhdGFCb3VuZGceC18hSXRlbUNvdW50Ag5kFgJmD2QW{k:02d}" />'
            '<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEWBQKj8a3lCgLs0bLrBgLs0fbZDALs0Yq1BQ==" />'
            "<script type=\"text/javascript\">\n//<![CDATA[\nvar theForm = document.forms['aspnetForm'];\n"
            "function __doPostBack(eventTarget, eventArgument) {\n"
            "    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {\n"
            "        theForm.__EVENTTARGET.value = eventTarget;\n        theForm.__EVENTARGUMENT.value = eventArgument;\n"
            "        theForm.submit();\n    }\n}\n//]]>\n</script>"
            f'<table class="gv" id="ctl00_ContentPlaceHolder1_GridView1" cellspacing="0" border="0">{rows}</table>'
            f'<div id="{PAGER.replace("$", "_")}" class="pager">共{len(ASP_ROWS)}条 第{k}/{n}页 {nums} {nxt}</div>'
            "</form>")


def aspxrf(base: dict) -> Site:
    s = new_site("aspxrf", ASP_NAME, "district", "河北")
    pg = page_maker(ASP_RENAMED, ASP_NAV, "1311000041")
    home = pg(ASP_RENAMED, '<div class="news"><a href="/gzdt/Show.aspx?ID=3501">县国动办开展人防宣传进社区活动</a></div>')
    s.add("/", home)
    s.add("/Default.aspx", home)
    s.add("/gzdt/Show.aspx?ID=3501", pg("县国动办开展人防宣传进社区活动", article(
        "县国动办开展人防宣传进社区活动", "2025-06-20", "<p>……</p>", source=ASP_RENAMED)))
    s.add("/zwgk/Default.aspx", pg("政务公开", '<ul><li><a href="List.aspx?ClassID=15">政府信息公开指南</a></li>'
                                           '<li><a href="List.aspx?ClassID=16">政府信息公开制度</a></li>'
                                           '<li><a href="List.aspx?ClassID=17">政府信息公开年报</a></li></ul>'))
    n = -(-len(ASP_ROWS) // ASP_PER)
    lists = {k: pg("政府信息公开年报", _asp_list(k, n), crumbs=[("首页", "/Default.aspx"), ("政务公开", "/zwgk/Default.aspx"),
                                                        ("政府信息公开年报", None)]) for k in range(1, n + 1)}
    s.add("/zwgk/List.aspx?ClassID=17", lists[1])

    def postback(query, form):
        f = {k: v[0] for k, v in form.items()}
        if query.get("ClassID") != ["17"]:
            return Page(b"<html><body>Runtime Error</body></html>", status=500)
        k = 1
        if f.get("__EVENTTARGET") == PAGER and f.get("__VIEWSTATE") and f.get("__EVENTARGUMENT", "").isdigit():
            k = min(max(int(f["__EVENTARGUMENT"]), 1), n)
        page = lists[k]
        return Page(page.body, page.ctype, validators=False)
    s.post["/zwgk/List.aspx"] = postback
    s.feeds += [("POST", "/zwgk/List.aspx?ClassID=17", {"__EVENTTARGET": PAGER, "__EVENTARGUMENT": str(k),
                                                        "__VIEWSTATE": "x", "__EVENTVALIDATION": "y"})
                for k in range(2, n + 1)]
    for title, doc, date, year, attachment in ASP_ROWS:
        atts = ""
        if attachment:
            atts = f'<a href="{attachment}">{title}.{attachment.rsplit(".", 1)[1]}</a>'
            s.add(attachment, Page(att(title + ".docx" if attachment.endswith(".doc") else title),
                                   "application/msword" if attachment.endswith(".doc") else "application/pdf"),
                  year=year, listed_as_distractor=year is None)
        office = ASP_RENAMED if "国防动员" in title else ASP_NAME
        s.add(f"/zwgk/Show.aspx?ID={doc}", pg(title, article(title, date, report_text(office, year) if year else "<p>……</p>",
                                                             source=office, attachments=atts)),
              year=year, listed_as_distractor=year is None)
    return s


# ------------------------------------------------------------------ catrf
CAT_NAME, CAT_RENAMED = "白鹭市人民防空办公室", "白鹭市国防动员办公室"
CAT_NAV = [("首页", "/"), ("机构概况", "/jggk/"), ("新闻动态", "/xwdt/"), ("政府信息公开", "/xxgk/"), ("互动交流", "/hdjl/")]
# (index number, title, publisher column, date, year or None, how the PDF is embedded)
CAT_ROWS = [
    ("11350200MB0123456X/2024-00021", f"{CAT_RENAMED}2024年政府信息公开工作年度报告", "市国动办", "2025-01-23", 2024,
     "object"),
    ("11350200MB0123456X/2024-00020", f"{CAT_RENAMED}2024年度部门整体支出绩效自评报告", "市国动办", "2025-01-10", None,
     None),
    ("11350200MB0123456X/2023-00018", f"{CAT_RENAMED}2023年政府信息公开工作年度报告", "市国动办", "2024-01-19", 2023,
     "embed"),
    ("11350200MB0123456X/2023-00011", f"{CAT_NAME}2023年政务公开工作要点", "市人防办", "2023-04-03", None, None),
    ("11350200MB0123456X/2022-00016", f"{CAT_NAME}2022年政府信息公开工作年度报告", "市人防办", "2023-01-20", 2022, None),
    ("11350200MB0123456X/2022-00009", f"{CAT_NAME}2022年度部门决算", "市人防办", "2022-08-30", None, None),
    ("11350200MB0123456X/2021-00015", f"{CAT_NAME}2021年政府信息公开工作年度报告", "市人防办", "2022-01-25", 2021, None),
    ("11350200MB0123456X/2021-00014", f"{CAT_NAME}2021年法治政府建设年度报告", "市人防办", "2022-01-24", None, None),
    ("11350200MB0123456X/2020-00012", f"{CAT_NAME}2020年政府信息公开工作年度报告", "市人防办", "2021-01-26", 2020, None),
    ("11350200MB0123456X/2019-00013", f"{CAT_NAME}2019年政府信息公开工作年度报告", "市人防办", "2020-01-16", 2019, None),
    ("11350200MB0123456X/2019-00004", f"{CAT_NAME}政府信息公开指南", "市人防办", "2019-04-01", None, None),
    ("11350200MB0123456X/2018-00010", f"{CAT_NAME}2017年政府信息公开工作年度报告", "市人防办", "2018-03-20", 2017, None),
]
CAT_PER = 5


def catrf(base: dict) -> Site:
    s = new_site("catrf", CAT_NAME, "city", "福建")
    pg = page_maker(CAT_RENAMED, CAT_NAV, "3502000066")
    s.add("/", pg(CAT_RENAMED, '<div class="xxgk-entry"><a href="/xxgk/">政府信息公开</a></div>'))
    s.add("/xxgk/", pg("政府信息公开", '<div class="tree"><ul><li><a href="/xxgk/zn.html">政府信息公开指南</a></li>'
                                     '<li><a href="/xxgk/catalog.jsp?catId=all">政府信息公开目录</a>'
                                     '<ul><li><a href="/xxgk/catalog.jsp?catId=jgzn">机构职能</a></li>'
                                     '<li><a href="/xxgk/catalog.jsp?catId=czzj">财政资金</a></li>'
                                     '<li><a href="/xxgk/catalog.jsp?catId=ndbg">政府信息公开年度报告</a></li></ul></li>'
                                     "</ul></div>"))
    n = -(-len(CAT_ROWS) // CAT_PER)
    for k in range(1, n + 1):
        trs = "".join(f'<tr><td class="syh">{idx}</td><td class="mc">{t}</td><td>{who}</td><td>{d}</td>'
                      f'<td><a href="detail.jsp?id={idx.rsplit("-", 1)[1]}" target="_blank">查看</a></td></tr>'
                      for idx, t, who, d, _, _ in CAT_ROWS[(k - 1) * CAT_PER:k * CAT_PER])
        nav = ((f'<a href="catalog.jsp?catId=ndbg&pageNo={k - 1}">上一页</a> ' if k > 1 else "")
               + (f'<a href="catalog.jsp?catId=ndbg&pageNo={k + 1}">下一页</a>' if k < n else ""))
        body = ('<form action="catalog.jsp" method="get"><select name="catId"><option value="all">全部</option>'
                '<option value="ndbg" selected>政府信息公开年度报告</option></select>'
                f'<input type="text" name="pageNo" value="{k}" size="2"><input type="submit" value="查询"></form>'
                '<table class="catalog"><tr><th>索引号</th><th>信息名称</th><th>发布机构</th><th>生成日期</th>'
                f"<th>操作</th></tr>{trs}</table><div class='pager'>第{k}页/共{n}页 {nav}</div>")
        page = pg("政府信息公开年度报告", body)
        s.add(f"/xxgk/catalog.jsp?catId=ndbg&pageNo={k}", page)
        if k == 1:
            s.add("/xxgk/catalog.jsp?catId=ndbg", page)
    for idx, title, who, date, year, how in CAT_ROWS:
        doc = idx.rsplit("-", 1)[1]
        embed = ""
        if how:
            pdf_path = f"/xxgk/files/{idx[-10:-6]}/{doc}.pdf"
            embed = (f'<object data="{pdf_path}" type="application/pdf" width="100%" height="800"></object>'
                     if how == "object" else f'<embed src="{pdf_path}" type="application/pdf" width="100%" height="800">')
            s.add(pdf_path, Page(att(title + ".pdf"), "application/pdf"), year=year)
        office = CAT_RENAMED if "国防动员" in title else CAT_NAME
        meta_table = (f'<table class="xxgk-meta"><tr><td>索引号：</td><td>{idx}</td><td>发布机构：</td><td>{office}</td></tr>'
                      f'<tr><td>名称：</td><td colspan="3">{title}</td></tr></table>')
        s.add(f"/xxgk/detail.jsp?id={doc}", pg(title, meta_table + article(
            title, date, (report_text(office, year) if year else "<p>……</p>") + embed, source=office)),
            year=year, distractor=year is None)
    return s


# ------------------------------------------------------------------ framerf
FR_NAME = "金沙市人民防空办公室"
FR_ROWS = [
    (f"{FR_NAME}2025年政府信息公开工作年度报告", "/content/2026/01/19/8831.html", "20260119", 2025),
    (f"{FR_NAME}2025年度政务公开工作总结", "/content/2026/01/08/8790.html", "20260108", None),
    (f"{FR_NAME}2024年政府信息公开工作年度报告", "/content/2025/01/20/8012.html", "20250120", 2024),
    (f"{FR_NAME}2024年工作要点", "/content/2024/03/01/7510.html", "20240301", None),
    (f"{FR_NAME}2023年政府信息公开工作年度报告", "//content/2024/01/18/7302.html", "20240118", 2023),
    (f"{FR_NAME}2023年度部门决算", "/content/2023/09/02/7001.html", "20230902", None),
    (f"{FR_NAME}2022年政府信息公开工作年度报告", "//content/2023/01/17/6630.html", "20230117", 2022),
    (f"{FR_NAME}2021年政府信息公开工作年度报告", "/content/2022/01/21/6021.html", "20220121", 2021),
    ("金沙市人民政府办公室2021年政府信息公开工作年度报告", "/content/2022/01/20/6011.html", "20220120", None),
    (f"{FR_NAME}2020年政府信息公开工作年度报告", "/content/2021/01/25/5402.html", "20210125", 2020),
    (f"{FR_NAME}2019年政府信息公开工作年度报告", "/content/2020/01/16/4880.html", "20200116", 2019),
    (f"{FR_NAME}政府信息公开指南", "/content/2019/06/03/4410.html", "20190603", None),
]
FR_PER = 5
FR_SCRIPT = """<ul id="list"></ul><div id="pages"></div>
<script type="text/javascript">
function renderList(res) {
  var html = '';
  for (var i = 0; i < res.data.length; i++) {
    var it = res.data[i];
    html += '<li><a href="' + it.u + '" target="_blank">' + it.t + '</a><span>' + it.d.substr(0, 4) + '-'
         + it.d.substr(4, 2) + '-' + it.d.substr(6, 2) + '</span></li>';
  }
  document.getElementById('list').innerHTML = html;
  var p = '';
  for (var n = 1; n <= res.pages; n++) { p += '<a href="javascript:loadPage(' + n + ')">' + n + '</a> '; }
  document.getElementById('pages').innerHTML = p;
}
function loadPage(n) {
  var s = document.createElement('script');
  s.src = '/api/list.js?col=ndbg&page=' + n + '&callback=renderList';
  document.body.appendChild(s);
}
</script>
<script src="/api/list.js?col=ndbg&page=1&callback=renderList"></script>"""


def framerf(base: dict) -> Site:
    s = new_site("framerf", FR_NAME, "city", "贵州")
    host = urlsplit(base["framerf"]).netloc
    nav = [("首页", "/main.html"), ("新闻中心", "/xwzx/"), ("信息公开", "/xxgk/index.html"), ("办事服务", "/bsfw/")]
    pg = page_maker(FR_NAME, nav, "5205000014")
    s.add("/", html_page(f'<html><head><meta charset="utf-8"><title>{FR_NAME}</title></head>'
                         '<frameset rows="130,*" frameborder="no" border="0"><frame src="/top.html" name="top" '
                         'scrolling="no" noresize><frame src="/main.html" name="main"></frameset>'
                         "<noframes><body>您的浏览器不支持框架。</body></noframes></html>"))
    s.add("/top.html", html_page(f'<html><head><meta charset="utf-8"></head><body><img src="/images/banner.jpg" '
                                 f'alt="{FR_NAME}"></body></html>'))
    s.add("/main.html", pg(FR_NAME, '<div class="news"><ul><li><a href="/content/2025/10/11/8601.html">市人防办'
                                    '开展防空警报试鸣</a></li></ul></div>'))
    s.add("/content/2025/10/11/8601.html", pg("市人防办开展防空警报试鸣", article("市人防办开展防空警报试鸣",
                                                                              "2025-10-11", "<p>……</p>", source=FR_NAME)))
    s.add("/xxgk/index.html", pg("信息公开", '<ul><li><a href="/xxgk/zn.html">信息公开指南</a></li>'
                                          '<li><a href="/xxgk/ndbg.html">信息公开年报</a></li></ul>'))
    s.add("/xxgk/ndbg.html", pg("信息公开年报", FR_SCRIPT))
    items = []
    for title, href, date, year in FR_ROWS:
        path = href[1:] if href.startswith("//") else href
        items.append({"t": title, "u": f"//{host}{path}" if href.startswith("//") else href, "d": date})
        office = FR_NAME
        s.add(path, pg(title, article(title, f"{date[:4]}-{date[4:6]}-{date[6:]}",
                                      report_text(office, year) if year else "<p>……</p>", source=office)),
              year=year, listed_as_distractor=year is None)

    def jsonp(q: dict) -> Page:
        rows = items if q.get("col") == "ndbg" else []
        page = max(int(q.get("page", 1) or 1), 1)
        body = {"total": len(rows), "pages": -(-len(rows) // FR_PER), "data": rows[(page - 1) * FR_PER:page * FR_PER]}
        callback = q.get("callback") or "callback"
        return Page(f"{callback}({json.dumps(body, ensure_ascii=False)});".encode("utf-8"),
                    "application/javascript;charset=UTF-8", validators=False)
    s.dynamic = endpoint("/api/list.js", jsonp)
    s.feeds += [("GET", f"/api/list.js?col=ndbg&page={p}&callback=renderList", None)
                for p in range(1, -(-len(items) // FR_PER) + 1)]
    return s


BUILDERS = {"aspxrf": aspxrf, "catrf": catrf, "framerf": framerf}
