"""Disclosure columns indexed by year.

- ``selrf``: a provincial office's TRS site (GB2312): the annual-report column is a
  ``<select>`` whose options' values are the year pages' URLs
  (``onchange="window.location.href=this.value"``); each year page lists that year's
  report (a 手机版 twin, a PDF rendition beside it, a 解读) or, for 2017, only a 工作总结.
- ``ndrf``: a Hanweb site (GBK, said only in the HTTP header) whose 政府信息公开年报 column
  is a row of links "2025年" … "2016年", each to the xxgk module's
  ``/module/xxgk/xxgkAnnualReport.jsp?area=<code>&fbtime=<year>``; that page IS the report
  (and carries a ``<select onchange="location.href='…&fbtime='+this.value">``); years
  without a report say 暂无 (the module answers any area and year); the column also links the
  city government's own reports (another area code, a ``<select>`` of its years).
"""
from __future__ import annotations

from tests.portals.shapes_common import (Page, Site, article, att, endpoint, html_page, new_site, page_maker,
                                         report_text)

# ------------------------------------------------------------------ selrf
SEL_NAME, SEL_RENAMED = "东陵省人民防空办公室", "东陵省人民政府国防动员办公室"
SEL_NAV = [("首页", "/"), ("机构职能", "/jgzn/"), ("新闻中心", "/xwzx/"), ("政务公开", "/zwgk/"),
           ("人防知识", "/rfzs/"), ("公众参与", "/gzcy/")]
# year page -> entries (title, path relative to the year folder, date, report year or None, extras)
SEL_YEARS = {
    2024: [(f"{SEL_RENAMED}2024年政府信息公开工作年度报告", "202501/t20250123_3301.html", "2025-01-23", 2024,
            {"pdf": "P020250123330101.pdf"})],
    2023: [(f"{SEL_RENAMED}2023年政府信息公开工作年度报告", "202401/t20240125_2987.html", "2024-01-25", 2023, {}),
           (f"一图读懂{SEL_RENAMED}2023年政府信息公开工作年度报告", "202401/t20240125_2988.html", "2024-01-25",
            None, {})],
    2022: [(f"{SEL_NAME}2022年政府信息公开工作年度报告", "202301/t20230130_2671.html", "2023-01-30", 2022,
            {"wap": True})],
    2021: [(f"{SEL_NAME}2021年政府信息公开工作年度报告", "202201/t20220127_2302.html", "2022-01-27", 2021, {}),
           (f"{SEL_NAME}2021年政府信息公开工作年度报告（PDF版）", "202201/P020220127230201.pdf", "2022-01-27", 2021,
            {})],
    2020: [(f"{SEL_NAME}2020年政府信息公开工作年度报告", "202101/t20210129_1980.html", "2021-01-29", 2020, {})],
    2019: [(f"{SEL_NAME}2019年政府信息公开工作年度报告", "202001/t20200122_1702.html", "2020-01-22", 2019, {}),
           (f"{SEL_NAME}2019年法治政府建设情况报告", "202001/t20200110_1688.html", "2020-01-10", None, {})],
    2018: [(f"{SEL_NAME}2018年政府信息公开工作年度报告", "201903/t20190311_1411.html", "2019-03-11", 2018, {})],
    2017: [(f"{SEL_NAME}2017年度工作总结", "201801/t20180112_1102.html", "2018-01-12", None, {})],
}


def selrf(base: dict) -> Site:
    s = new_site("selrf", SEL_NAME, "province", "辽宁")

    pg = page_maker(SEL_RENAMED, SEL_NAV, "2100000043", enc="gb2312")
    s.add("/", pg(SEL_RENAMED, '<div class="zt"><a href="/zt/2025gfjy/"><img src="/images/zt_gfjy.jpg" '
                               'alt="全民国防教育日专题"></a></div>'))
    s.add("/zwgk/", pg("政务公开", '<ul class="gk-cols"><li><a href="./zfxxgkzn/">政府信息公开指南</a></li>'
                                 '<li><a href="./zfxxgkzd/">政府信息公开制度</a></li>'
                                 '<li><a href="./fdzdgknr/">法定主动公开内容</a></li>'
                                 '<li><a href="./ndbg/">政府信息公开年度报告</a></li></ul>',
                       crumbs=[("首页", "/"), ("政务公开", None)]))
    options = "".join(f'<option value="/zwgk/ndbg/{y}/index.html">{y}年度</option>' for y in sorted(SEL_YEARS, reverse=True))
    s.add("/zwgk/ndbg/", pg("政府信息公开年度报告",
                            '<div class="nb-select">请选择年度：<select id="selYear" name="selYear" '
                            "onchange=\"if(this.value!=''){window.location.href=this.value;}\">"
                            f'<option value="">--请选择--</option>{options}</select></div>'
                            '<div class="nb-tip">请选择年度查看本单位政府信息公开工作年度报告。</div>',
                            crumbs=[("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开年度报告", None)]))
    for y, entries in SEL_YEARS.items():
        folder = f"/zwgk/ndbg/{y}/"
        lis = "".join(f'<li><a href="./{h}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>'
                      for t, h, d, _, _ in entries)
        s.add(folder + "index.html", pg(f"{y}年度", f'<h2>{y}年度</h2><ul class="list">{lis}</ul>',
                                        crumbs=[("首页", "/"), ("政务公开", "/zwgk/"),
                                                ("政府信息公开年度报告", "/zwgk/ndbg/"), (f"{y}年度", None)]))
        for title, href, date, year, extra in entries:
            path = folder + href
            if href.endswith(".pdf"):
                s.add(path, Page(att(title), "application/pdf"), year=year)
                continue
            atts, tabs = "", ""
            if "pdf" in extra:
                atts = f'<a href="./{extra["pdf"]}">{title}.pdf</a>'
                s.add(path.rsplit("/", 1)[0] + "/" + extra["pdf"], Page(att(title + ".pdf"), "application/pdf"),
                      year=year)
            if extra.get("wap"):
                wap = path.replace(".html", "_wap.html")
                tabs = f'<div class="tabs"><a href="./{wap.rsplit("/", 1)[1]}">手机版</a></div>'
                s.add(wap, html_page(f"<html><head><meta charset='gb2312'><title>{title}</title></head><body>"
                                     f"<h3>{title}</h3>{report_text(SEL_NAME, year)}</body></html>", "gb2312"),
                      year=year)
            office = SEL_RENAMED if "国防动员" in title else SEL_NAME
            body = report_text(office, year) if year else "<p>……</p>"
            s.add(path, pg(title, tabs + article(title, date, body, source=office, attachments=atts),
                           meta={"ArticleTitle": title, "PubDate": date}),
                  year=year, listed_as_distractor=year is None)
    return s


# ------------------------------------------------------------------ ndrf
ND_NAME, ND_RENAMED = "瓯江市人民防空办公室", "瓯江市国防动员办公室"
ND_NAV = [("首页", "/index.html"), ("机构概况", "/col/col1229001/index.html"), ("新闻动态", "/col/col1229002/index.html"),
          ("信息公开", "/col/col1229003/index.html"), ("人防服务", "/col/col1229004/index.html")]
AREA = "330300000012345678"
CITY_AREA = "330300000000000000"
ND_YEARS = range(2025, 2015, -1)
ND_REPORTS = range(2019, 2026)


def _nd_module(year: int, area: str, body: str) -> str:
    """The Hanweb xxgk annual-report module page: a year <select> and the report."""
    opts = "".join(f'<option value="{y}"{" selected" if y == year else ""}>{y}</option>' for y in ND_YEARS)
    return ('<div class="xxgk-nb"><div class="nb-bar">选择年份：<select name="fbtime" id="fbtime" '
            f"onchange=\"location.href='xxgkAnnualReport.jsp?area={area}&fbtime='+this.value\">{opts}</select></div>"
            f'<div class="nb-content">{body}</div></div>')


def ndrf(base: dict) -> Site:
    s = new_site("ndrf", ND_NAME, "city", "浙江")

    pg = page_maker(ND_RENAMED, ND_NAV, "3303000055", enc="gbk", said_in="header")
    home = pg(ND_RENAMED, '<div class="news"><ul><li><a href="/art/2025/9/18/art_1229002_59011.html">'
              '市国动办组织开展防空警报试鸣</a></li></ul></div>')
    s.add("/", home)
    s.add("/index.html", home)
    s.add("/art/2025/9/18/art_1229002_59011.html", pg("市国动办组织开展防空警报试鸣", article(
        "市国动办组织开展防空警报试鸣", "2025-09-18", "<p>……</p>", source="瓯江市国防动员办公室")))
    cols = ('<div class="xxgk-menu"><ul><li><a href="/col/col1229010/index.html">政府信息公开指南</a></li>'
            '<li><a href="/col/col1229011/index.html">政府信息公开制度</a></li>'
            '<li><a href="/col/col1229012/index.html">法定主动公开内容</a></li>'
            '<li><a href="/col/col1229013/index.html">政府信息公开年报</a></li></ul></div>')
    s.add("/col/col1229003/index.html", pg("信息公开", cols, crumbs=[("首页", "/index.html"), ("信息公开", None)]))
    plans = [(f"{ND_RENAMED}2025年政务公开工作要点", "/art/2025/3/4/art_1229012_58812.html", "2025-03-04"),
             (f"{ND_RENAMED}2024年度部门决算", "/art/2025/8/26/art_1229012_59002.html", "2025-08-26")]
    records = "".join(f'<record><![CDATA[<li><a href="{h}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>]]>'
                      "</record>" for t, h, d in plans)
    s.add("/col/col1229012/index.html", pg("法定主动公开内容", cols + '<div id="51234"><script type="text/xml">'
                                                          f"<datastore><recordset>{records}</recordset></datastore>"
                                                          "</script></div>"))
    for t, h, d in plans:
        s.add(h, pg(t, article(t, d, "<p>……</p>", source=ND_RENAMED)), listed_as_distractor=True)
    years = "".join(f'<li><a href="/module/xxgk/xxgkAnnualReport.jsp?area={AREA}&fbtime={y}" target="_blank">{y}年</a></li>'
                    for y in ND_YEARS)
    s.add("/col/col1229013/index.html", pg(
        "政府信息公开年报", cols + f'<div class="nb-years"><ul>{years}</ul></div>'
        f'<p class="city"><a href="/module/xxgk/xxgkAnnualReport.jsp?area={CITY_AREA}&fbtime=2024">市政府信息公开年报</a></p>',
        crumbs=[("首页", "/index.html"), ("信息公开", "/col/col1229003/index.html"), ("政府信息公开年报", None)]))
    for y in ND_YEARS:
        path = f"/module/xxgk/xxgkAnnualReport.jsp?area={AREA}&fbtime={y}"
        if y not in ND_REPORTS:
            s.add(path, pg("政府信息公开年报", _nd_module(y, AREA, '<p class="empty">暂无该年度年报信息！</p>')),
                  distractor=True)
            continue
        office = ND_RENAMED if y >= 2024 else ND_NAME
        title = f"{office}{y}年政府信息公开工作年度报告"
        atts = ""
        if y == 2025:
            dl = "/module/download/downfile.jsp?classid=0&filename=2601201530123456.pdf"
            atts = f'<p><a href="{dl}">{title}.pdf</a></p>'
            s.add(dl, Page(att(title + ".pdf"), "application/pdf"), year=y)
        s.add(path, pg(title, _nd_module(y, AREA, f"<h1>{title}</h1>" + report_text(office, y) + atts),
                       meta={"ArticleTitle": title}), year=y)
    for y in ND_YEARS:   # the city government's own reports, one year <select> away
        city = f"瓯江市人民政府{y}年政府信息公开工作年度报告"
        s.add(f"/module/xxgk/xxgkAnnualReport.jsp?area={CITY_AREA}&fbtime={y}",
              pg(city, _nd_module(y, CITY_AREA, f"<h1>{city}</h1>" + report_text("瓯江市人民政府", y))),
              distractor=True)

    def module(q: dict) -> Page | None:
        """The module answers any area and year (暂无 when it has nothing), as the real JSP does."""
        if not q.get("fbtime", "").isdigit():
            return None
        return pg("政府信息公开年报", _nd_module(int(q["fbtime"]), q.get("area", ""),
                                            '<p class="empty">暂无该年度年报信息！</p>'))
    s.dynamic = endpoint("/module/xxgk/xxgkAnnualReport.jsp", module)
    return s


BUILDERS = {"selrf": selrf, "ndrf": ndrf}
