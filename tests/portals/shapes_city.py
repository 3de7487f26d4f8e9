"""City government portals that host every department's annual report.

The registry row names only the city's 人防 office (``name`` = 某市人民防空办公室, ``url`` =
the portal's home page); the office prints itself 某市人民防空办公室 in older years,
某市国防动员办公室 from 2023, and 市人防办 / 某市人防办 on some entries. Beside it: the city's
own report (某市人民政府), 某市人民政府办公室, 民政局, 人力资源和社会保障局, 防震减灾 / 地震局,
and a county's or district's 人防办 of the same city: none of them is this office.

- ``cityrf``: a TRS portal whose 政府信息公开年报 column lists ~36 reports a year for
  2018–2024, newest first, 20 a page over 13 ``createPageHTML`` pages; long titles cut
  with "..." (full text in ``title=``).
- ``deptrf``: a Guangzhou-style portal: 政府信息公开年报 → 部门年报 → one page per year
  (``2023n/``, two pages each) whose entries are department names only (市教育局, 市人防办,
  市国防动员办公室; the year is the page's heading; ``title=`` sometimes missing), reports at
  ``…/2023n/content/post_<id>.html``; the 市政府年报 tab lists the city's own reports.
- ``bmrf``: a portal grouped by department first: 部门年报 → a list of ~35 departments
  (by their CURRENT names: 市国防动员办公室; beside it 市人防指挥信息保障中心, another
  agency) → each department's own column listing its reports 2019–2024 (older ones
  under the office's old name, one as 市人防办…年报), paged by 下一页.
"""
from __future__ import annotations

from tests.portals.shapes_common import (Page, Site, article, att, cut, li, new_site, report_text,
                                         page_maker)

DEPTS = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
         "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
         "农业农村局", "商务局", "文化广电旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
         "市场监督管理局", "统计局", "医疗保障局", "林业局", "体育局", "信访局", "城市管理局", "行政审批局",
         "防震减灾中心", "机关事务管理局", "人民政府国有资产监督管理委员会", "人民政府办公室"]
SHORT = {"发展和改革委员会": "发展改革委", "人力资源和社会保障局": "人力资源社会保障局", "卫生健康委员会": "卫生健康委",
         "人民政府国有资产监督管理委员会": "国资委", "人民政府办公室": "政府办公室"}


def _portal_nav(city: str) -> list[tuple[str, str]]:
    return [("首页", "/"), (f"走进{city[:-1]}", "/zjjz/"), ("政务公开", "/zwgk/"), ("政务服务", "/zwfw/"),
            ("互动交流", "/hdjl/"), ("专题专栏", "/ztzl/")]


# ------------------------------------------------------------------ cityrf
CITY = "江州市"
CITY_OFFICE = f"{CITY}人民防空办公室"
CITY_YEARS = range(2018, 2025)
# how the office's report is titled each year on the portal
CITY_OFFICE_TITLES = {
    2018: f"{CITY}人民防空办公室2018年政府信息公开工作年度报告",
    2019: "市人防办2019年政府信息公开工作年度报告",
    2020: f"{CITY}人民防空办公室2020年政府信息公开工作年度报告",
    2021: f"{CITY}人防办2021年度政府信息公开工作年度报告",
    2022: f"{CITY}人民防空办公室2022年政府信息公开工作年度报告",
    2023: f"{CITY}国防动员办公室2023年政府信息公开工作年度报告",
    2024: f"{CITY}国防动员办公室2024年政府信息公开工作年度报告",
}
# another office of the same city (a county's, a district's): never this office's
CITY_NEIGHBOURS = {
    2020: "青山县人民防空办公室2020年政府信息公开工作年度报告",
    2021: "青山县人民防空办公室2021年政府信息公开工作年度报告",
    2022: f"{CITY}青山县人民防空办公室2022年政府信息公开工作年度报告",
    2023: "青山县国防动员办公室2023年政府信息公开工作年度报告",
    2024: f"{CITY}湖东区国防动员办公室2024年政府信息公开工作年度报告",
}
CITY_PER = 20


def cityrf(base: dict) -> Site:
    s = new_site("cityrf", CITY_OFFICE, "city", "江西")
    nav = _portal_nav(CITY)
    col = "/zwgk/zfxxgknb/"

    pg = page_maker(f"{CITY}人民政府门户网站", nav, "3604000001")
    notice = ("关于做好2024年度政府信息公开工作年度报告编制和发布工作的通知", "/zwgk/tzgg/202512/t20251205_7020011.html",
              "2025-12-05")   # names the reports, is none of them
    news = [notice, ("市政府召开第45次常务会议", "/zwgk/jrjz/202511/t20251120_7012345.html", "2025-11-20"),
            ("全市防汛抗旱工作会议召开", "/zwgk/jrjz/202506/t20250603_6990121.html", "2025-06-03")]
    s.add("/", pg(f"{CITY}人民政府门户网站",
                  '<div class="focus"><a href="/ztzl/gfjy/"><img src="/images/gfjy.jpg" alt="全民国防教育"></a></div>'
                  '<div class="zwgk-entry"><ul><li><a href="/zwgk/">政府信息公开</a></li>'
                  '<li><a href="/zwgk/zcwj/">政策文件</a></li><li><a href="/zwgk/rsxx/">人事信息</a></li></ul></div>',
                  news=news))
    for t, h, d in news:
        s.add(h, pg(t, article(t, d, "<p>……</p>", source=f"{CITY}人民政府办公室")), distractor=(t, h, d) == notice)
    s.add("/zwgk/", pg("政府信息公开", '<div class="gk-platform"><div class="l"><ul>'
                                     '<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>'
                                     '<li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li>'
                                     '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
                                     f'<li><a href="{col}">政府信息公开年报</a></li>'
                                     '<li><a href="/zwgk/zwgkgzyd/">政务公开工作要点</a></li></ul></div>'
                                     '<div class="r"><h3>部门信息公开</h3><p>市政府组成部门、直属机构……</p></div></div>',
                       crumbs=[("首页", "/"), ("政府信息公开", None)], news=news))
    entries = []   # (title, path, date, year or None)
    doc = 7100000
    for y in CITY_YEARS:
        titles = [(CITY_OFFICE_TITLES[y], y), (f"{CITY}人民政府{y}年政府信息公开工作年度报告", None)]
        titles += [(f"{CITY}{d}{y}年政府信息公开工作年度报告", None) for d in DEPTS]
        if y in CITY_NEIGHBOURS:
            titles.append((CITY_NEIGHBOURS[y], None))
        for i, (title, year) in enumerate(titles):
            day = 28 - (i * 7) % 27   # spread over January-March of the next year
            month = 1 + (i * 5) % 3
            date = f"{y + 1}-{month:02d}-{day:02d}"
            doc += 1
            entries.append((title, f"{col}{y + 1}{month:02d}/t{y + 1}{month:02d}{day:02d}_{doc}.html", date, year))
    entries.sort(key=lambda e: (e[2], e[1]), reverse=True)
    n = -(-len(entries) // CITY_PER)
    for k in range(n):
        rows = entries[k * CITY_PER:(k + 1) * CITY_PER]
        lis = "".join(li(t, "./" + p[len(col):], d, shown=cut(t, 26)) for t, p, d, _ in rows)
        page = pg("政府信息公开年报", f'<div class="list"><ul>{lis}</ul></div><div class="page">'
                                  f'<script>createPageHTML({n}, {k}, "index", "html");</script></div>',
                  crumbs=[("首页", "/"), ("政府信息公开", "/zwgk/"), ("政府信息公开年报", None)], news=news)
        s.add(col + ("index.html" if k == 0 else f"index_{k}.html"), page)
        if k == 0:
            s.add(col, page)
        else:
            s.feeds.append(("GET", col + f"index_{k}.html", None))
    for title, path, date, year in entries:
        pdf_path = path.rsplit("/", 1)[0] + "/P0" + path.rsplit("_", 1)[1].replace(".html", "001.pdf")
        owner = title.split("20", 1)[0]
        if year:   # the page prints the office's full name of that year
            owner = f"{CITY}国防动员办公室" if year >= 2023 else CITY_OFFICE
        s.add(path, pg(title, article(title, date, report_text(owner, int(title.split("年")[0][-4:])),
                                      source=owner, attachments=f'<a href="./{pdf_path.rsplit("/", 1)[1]}">{title}.pdf</a>'),
                       meta={"ArticleTitle": title, "PubDate": date, "ContentSource": owner}),
              year=year, listed_as_distractor=year is None)
        s.add(pdf_path, Page(att(title + ".pdf"), "application/pdf"), year=year, listed_as_distractor=year is None)
    return s


# ------------------------------------------------------------------ deptrf
TJ = "桐江市"
TJ_OFFICE = f"{TJ}人民防空办公室"
TJ_YEARS = range(2019, 2025)
# (link text, title attribute or None) of the office's entry on each year's page
TJ_OFFICE_LINKS = {
    2019: ("市人防办", f"{TJ}人民防空办公室2019年度政府信息公开工作年度报告"),
    2020: ("市人防办", f"{TJ}人民防空办公室2020年政府信息公开工作年度报告"),
    2021: ("人防办", f"{TJ}人民防空办公室2021年政府信息公开工作年度报告"),
    2022: (f"{TJ}人民防空办公室", None),
    2023: ("市国防动员办公室", f"{TJ}国防动员办公室2023年政府信息公开工作年度报告"),
    2024: ("市国防动员办公室", f"{TJ}国防动员办公室2024年政府信息公开工作年度报告"),
}
# a development zone's 人防办, listed among the city's departments: another office
TJ_ZONE = ("桐江经开区人防办", "桐江经济技术开发区人民防空办公室")
TJ_PER = 20


def deptrf(base: dict) -> Site:
    s = new_site("deptrf", TJ_OFFICE, "city", "广东")
    nav = _portal_nav(TJ)
    root = "/zwgk/zfxxgknb/"

    pg = page_maker(f"{TJ}人民政府门户网站", nav, "4401000102")
    s.add("/", pg(f"{TJ}人民政府门户网站", '<div class="gk"><a href="/zwgk/">政务公开</a></div>'))
    s.add("/zwgk/", pg("政务公开", '<ul><li><a href="/zwgk/zcwj/">政策文件</a></li>'
                                 f'<li><a href="{root}">政府信息公开年报</a></li>'
                                 '<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li></ul>'))
    tabs = (f'<div class="tabs"><a href="{root}szf/">市政府年报</a><a href="{root}bm/">部门年报</a>'
            f'<a href="{root}qzf/">区政府年报</a></div>')
    s.add(root, pg("政府信息公开年报", tabs, crumbs=[("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开年报", None)]))
    # the city's own reports and the districts' (other agencies, listed with their full names)
    post = 9300000
    for tab, names in (("szf", [f"{TJ}人民政府"]), ("qzf", [f"{TJ}南沙区人民政府", f"{TJ}青林区人民政府"])):
        lis = ""
        for y in TJ_YEARS:
            for who in names:
                post += 1
                title = f"{who}{y}年政府信息公开工作年度报告"
                path = f"{root}{tab}/content/post_{post}.html"
                lis += li(title, path, f"{y + 1}-01-20")
                s.add(path, pg(title, article(title, f"{y + 1}-01-20", report_text(who, y), source=who)),
                      listed_as_distractor=True)
        s.add(f"{root}{tab}/", pg("政府信息公开年报", tabs + f"<ul class='list'>{lis}</ul>"))
    years = "".join(f'<li><a href="./{y}n/">{y}年度</a></li>' for y in sorted(TJ_YEARS, reverse=True))
    s.add(f"{root}bm/", pg("部门年报", tabs + f'<ul class="years">{years}</ul>',
                          crumbs=[("首页", "/"), ("政府信息公开年报", root), ("部门年报", None)]))
    for y in TJ_YEARS:
        folder = f"{root}bm/{y}n/"
        links = []   # (link text, title attribute or None, path, year or None)
        for i, d in enumerate(DEPTS):
            post += 1
            links.append((f"市{SHORT.get(d, d)}", f"{TJ}{d}{y}年政府信息公开工作年度报告", f"{folder}content/post_{post}.html",
                          None))
            if i == 17:
                post += 1
                text, title = TJ_OFFICE_LINKS[y]
                links.append((text, title, f"{folder}content/post_{post}.html", y))
        post += 1
        links.append((TJ_ZONE[0], f"{TJ_ZONE[1]}{y}年政府信息公开工作年度报告", f"{folder}content/post_{post}.html",
                      None))
        n = -(-len(links) // TJ_PER)
        for k in range(n):
            cells = "".join(f'<td><a href="./content/{p.rsplit("/", 1)[1]}" target="_blank"'
                            + (f' title="{t}"' if t else "") + f">{text}</a></td>"
                            + ("</tr><tr>" if j % 4 == 3 else "")
                            for j, (text, t, p, _) in enumerate(links[k * TJ_PER:(k + 1) * TJ_PER]))
            page = pg(f"{y}年度部门政府信息公开工作年度报告",
                      tabs + f"<h2>{y}年度部门政府信息公开工作年度报告</h2>"
                      f'<table class="bm-table"><tr>{cells}</tr></table>'
                      f'<div class="page"><script>createPageHTML({n}, {k}, "index", "html");</script></div>',
                      crumbs=[("首页", "/"), ("政府信息公开年报", root), ("部门年报", f"{root}bm/"), (f"{y}年度", None)])
            s.add(folder + ("index.html" if k == 0 else f"index_{k}.html"), page)
            if k == 0:
                s.add(folder, page)
            else:
                s.feeds.append(("GET", folder + f"index_{k}.html", None))
        for text, title, path, year in links:
            full = title or f"{TJ_OFFICE}{y}年政府信息公开工作年度报告"
            owner = full.split(str(y), 1)[0]
            atts = ""
            if year and year >= 2023:
                pid = path.rsplit("_", 1)[1].split(".")[0]
                a = f"/attachment/7/{pid[:4]}/{pid}/{pid}.pdf"
                atts = f'<p><a href="{a}">{full}.pdf</a></p>'
                s.add(a, Page(att(full + ".pdf"), "application/pdf"), year=year)
            s.add(path, pg(full, article(full, f"{y + 1}-01-2{y % 10}", report_text(owner, y), source=owner,
                                         attachments=atts), meta={"ArticleTitle": full}),
                  year=year, listed_as_distractor=year is None and title is not None)
    return s


# ------------------------------------------------------------------ bmrf
WC = "梧川市"
WC_OFFICE, WC_RENAMED = f"{WC}人民防空办公室", f"{WC}国防动员办公室"
WC_YEARS = range(2019, 2025)
WC_OFFICE_TITLES = {
    2019: f"{WC_OFFICE}2019年政府信息公开工作年度报告",
    2020: "市人防办2020年度政府信息公开年报",
    2021: f"{WC_OFFICE}2021年政府信息公开工作年度报告",
    2022: f"{WC_OFFICE}2022年政府信息公开工作年度报告",
    2023: f"{WC_RENAMED}2023年政府信息公开工作年度报告",
    2024: f"{WC_RENAMED}2024年政府信息公开工作年度报告",
}
WC_PER = 4


def bmrf(base: dict) -> Site:
    s = new_site("bmrf", WC_OFFICE, "city", "湖北")
    pg = page_maker(f"{WC}人民政府", _portal_nav(WC), "4207000008")
    root = "/zwgk/zfxxgknb/bmnb/"
    s.add("/", pg(f"{WC}人民政府", '<div class="gk"><a href="/zwgk/">政务公开</a></div>'))
    s.add("/zwgk/", pg("政务公开", '<ul><li><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li>'
                                 '<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li></ul>'))
    s.add("/zwgk/zfxxgknb/", pg("政府信息公开年报", '<ul><li><a href="/zwgk/zfxxgknb/szfnb/">市政府年报</a></li>'
                                                 f'<li><a href="{root}">部门年报</a></li>'
                                                 '<li><a href="/zwgk/zfxxgknb/xsqnb/">县市区年报</a></li></ul>'))
    # department column code -> (name as listed, name its reports print per year, this office?)
    depts = [(f"d{i:02d}", f"市{SHORT.get(d, d)}", lambda y, d=d: f"{WC}{d}", False) for i, d in enumerate(DEPTS)]
    depts.insert(20, ("gdb", "市国防动员办公室", lambda y: WC_OFFICE_TITLES[y].split(str(y))[0], True))
    depts.insert(21, ("rfzx", "市人防指挥信息保障中心", lambda y: f"{WC}人民防空指挥信息保障中心", False))
    cells = "".join(f'<li><a href="./{code}/">{name}</a></li>' for code, name, _, _ in depts)
    s.add(root, pg("部门年报", f'<ul class="bm-list">{cells}</ul>',
                   crumbs=[("首页", "/"), ("政府信息公开年报", "/zwgk/zfxxgknb/"), ("部门年报", None)]))
    doc = 55000
    for code, name, printed, mine in depts:
        entries = []
        for y in sorted(WC_YEARS, reverse=True):
            doc += 1
            title = WC_OFFICE_TITLES[y] if mine else f"{printed(y)}{y}年政府信息公开工作年度报告"
            path = f"{root}{code}/{y + 1}01/t{y + 1}01{10 + y % 17}_{doc}.html"
            entries.append((title, path, f"{y + 1}-01-{10 + y % 17}", y if mine else None))
        n = -(-len(entries) // WC_PER)
        for k in range(n):
            lis = "".join(li(t, p.rsplit("/", 2)[1] + "/" + p.rsplit("/", 1)[1], d)
                          for t, p, d, _ in entries[k * WC_PER:(k + 1) * WC_PER])
            nxt = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < n else ""
            prv = ("" if k == 0 else f'<a href="{"index.html" if k == 1 else f"index_{k - 1}.html"}">上一页</a>')
            page = pg(name, f"<h2>{name}</h2><ul>{lis}</ul><div class='page'>{prv}{nxt}</div>",
                      crumbs=[("首页", "/"), ("部门年报", root), (name, None)])
            s.add(f"{root}{code}/" + ("index.html" if k == 0 else f"index_{k}.html"), page)
            if k == 0:
                s.add(f"{root}{code}/", page)
        for title, path, date, year in entries:
            owner = (WC_RENAMED if year >= 2023 else WC_OFFICE) if year else title.split("20", 1)[0]
            s.add(path, pg(title, article(title, date, report_text(owner, int(date[:4]) - 1), source=owner),
                           meta={"ArticleTitle": title}), year=year, listed_as_distractor=not mine)
    return s


BUILDERS = {"cityrf": cityrf, "deptrf": deptrf, "bmrf": bmrf}
