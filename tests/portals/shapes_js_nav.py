"""Navigation that only a script makes (``tests/portals/shapes_js.py`` has the table of every site).

- ``ysrf``: the annual-report column shows one year at a time (``index.html`` = the newest);
  the year ``<select onchange="window.location.href=this.options[this.selectedIndex].value">``
  is EMPTY in the HTML: an inline script fills it with ``new Option(y + '年',
  'index.html?year=' + y)`` from this year back to 2016. The server answers any year
  (``暂无信息`` when it has nothing); 2016 and 2017 hold only a 工作总结 / 工作要点.
- ``cookierf``: a whole portal behind a JavaScript cookie challenge (a 加速乐-like WAF): every
  URL, documents and robots.txt included, answers HTTP 521 with a script that computes
  ``__waf_jsclearance`` (XOR-decoded characters and a hex number) and reloads, until the request
  carries that cookie. Behind it: 首页 → 政府信息公开 → 年度报告, two list pages (下一页).
"""
from __future__ import annotations

import re
from http.cookies import CookieError, SimpleCookie

from tests.portals.shapes_common import Page, li, page_maker
from tests.portals.shapes_js_common import JsSite, Probe, Row, add_home, add_rows, menu, new_js_site

# ------------------------------------------------------------------ ysrf
YS_NAME, YS_RENAMED = "鹤川区人民防空办公室", "鹤川区国防动员办公室"
YS_NAV = [("首页", "/"), ("机构职能", "/jgzn/"), ("工作动态", "/gzdt/"), ("信息公开", "/zwgk/"), ("互动交流", "/hdjl/")]
YB = "/zwgk/ndbg/"


def _ys_rows() -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = {}
    for y in range(2016, 2026):
        name = YS_RENAMED if y >= 2023 else YS_NAME
        rows = [Row(f"{name}{y}年政务公开工作要点", f"{YB}{y}/{y}03/t{y}0305_{y - 2000}31.html", f"{y}-03-05")]
        if y >= 2018:
            files = (f"{YB}{y}/{y + 1}01/P0{y + 1}0118{y - 2000}11.pdf",) if y % 2 else ()
            rows.insert(0, Row(f"{name}{y}年政府信息公开工作年度报告", f"{YB}{y}/{y + 1}01/t{y + 1}0118_{y - 2000}11.html",
                               f"{y + 1}-01-18", y, files))
            rows.append(Row(f"{name}{y}年度部门决算", f"{YB}{y}/{y + 1}08/t{y + 1}0820_{y - 2000}52.html",
                            f"{y + 1}-08-20"))
        else:
            rows.append(Row(f"{name}{y}年工作总结", f"{YB}{y}/{y}12/t{y}1228_{y - 2000}90.html", f"{y}-12-28"))
        out[y] = rows
    return out


YS_YEAR_SCRIPT = """<script type="text/javascript">
(function () {
  var sel = document.getElementById('yearSel'), now = new Date().getFullYear();
  var m = /[?&]year=(\\d{4})/.exec(window.location.search), cur = m ? m[1] : '';
  for (var y = now; y >= 2016; y--) {
    var o = new Option(y + '年', 'index.html?year=' + y);
    if (String(y) === cur) o.selected = true;
    sel.options.add(o);
  }
})();
</script>"""


def ysrf(base: dict) -> JsSite:
    s = new_js_site("ysrf", YS_NAME, "district", "甘肃",
                    "year <select> whose options a script builds; onchange navigates to index.html?year=Y")
    pg = page_maker(YS_RENAMED, YS_NAV, "6204000023")
    add_home(s, pg, YS_RENAMED, ("区国动办开展“9·18”防空警报试鸣", "/gzdt/202509/t20250918_901.html", "2025-09-18"))
    side = menu([("信息公开指南", "/zwgk/zn/"), ("信息公开制度", "/zwgk/zd/"), ("年度报告", f"{YB}index.html"),
                 ("依申请公开", "/zwgk/ysq/")], cls="sub-nav")
    crumbs = [("首页", "/"), ("信息公开", "/zwgk/")]
    s.add("/zwgk/", pg("信息公开", side, crumbs=crumbs))
    by_year = _ys_rows()
    newest = max(by_year)

    def year_page(y: int | None) -> Page:
        rows = by_year.get(y if y is not None else newest, [])
        items = "".join(li(r.title, r.path, r.date) for r in rows) or '<li class="empty">暂无信息</li>'
        body = (side + '<div class="list-box"><div class="hd"><h3>年度报告</h3><div class="year-filter">年份：'
                '<select id="yearSel" onchange="window.location.href=this.options[this.selectedIndex].value">'
                '<option value="">--请选择年份--</option></select></div></div>'
                f'<ul class="list">{items}</ul></div>' + YS_YEAR_SCRIPT)
        return pg("年度报告", body, crumbs=crumbs + [("年度报告", None)])

    def dynamic(path: str) -> Page | None:
        # index.html (the newest year) and index.html?year=Y: one script page (the query decides)
        m = re.fullmatch(re.escape(YB) + r"index\.html(?:\?year=(\d+))?", path)
        if not m:
            return None
        page = year_page(int(m.group(1)) if m.group(1) else None)
        page.validators = False
        return page
    s.dynamic = dynamic
    for y, rows in by_year.items():
        add_rows(s, pg, rows, name=YS_NAME, renamed=YS_RENAMED, crumbs=crumbs)
    s.feeds += [("GET", f"{YB}index.html?year={y}", None) for y in by_year]
    others = {r.path for y, rows in by_year.items() if y != newest for r in rows}

    def drive(page, snap):
        values = page.eval_on_selector_all("#yearSel option", "os => os.map(o => o.value).filter(v => v)")
        for v in values:
            page.goto(page.url.split("?")[0])       # back at the column, choose the next year
            with page.expect_navigation():
                page.select_option("#yearSel", v)
            snap()
    s.probes.append(Probe(YB + "index.html", {r.path for rows in by_year.values() for r in rows},
                          others | {'value="index.html?year='}, drive,
                          "a script fills the year <select>; choosing each option navigates to its year page",
                          ready="#yearSel option[value^='index']"))
    return s


# ------------------------------------------------------------------ cookierf
CK_NAME = "霞溪市人民防空办公室"
CK_NAV = [("网站首页", "/index.html"), ("机构概况", "/jggk/index.html"), ("人防要闻", "/rfyw/index.html"),
          ("政府信息公开", "/zfxxgk/index.html"), ("人防工程", "/rfgc/index.html")]
CK_COOKIE = "__waf_jsclearance"
_CK_CODES, _CK_KEY, _CK_NUMBER = [52, 54, 53, 51, 62, 62, 48, 101], 7, 1765000051


def clearance() -> str:
    """The cookie value the challenge script computes (the same arithmetic, in Python)."""
    return "".join(chr(c ^ _CK_KEY) for c in _CK_CODES) + "-" + format(_CK_NUMBER, "x")


CK_CHALLENGE = ("""<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>
<script>
(function () {
  var _0x1 = [%s], _0x2 = %d, _0x3 = '';
  for (var i = 0; i < _0x1.length; i++) _0x3 += String.fromCharCode(_0x1[i] ^ _0x2);
  var _0x4 = (1765000000 + 17 * 3).toString(16);
  document.cookie = '%s=' + _0x3 + '-' + _0x4 + '; max-age=1800; path=/';
  setTimeout(function () { location.href = location.pathname + location.search; }, 200);
})();
</script></body></html>""" % (", ".join(map(str, _CK_CODES)), _CK_KEY, CK_COOKIE)).encode("utf-8")
CK_ROWS = [
    Row(f"{CK_NAME}2025年政府信息公开工作年度报告", "/zfxxgk/ndbg/202601/t20260122_4410.html", "2026-01-22", 2025,
        ("/zfxxgk/ndbg/202601/P020260122441001.pdf",)),
    Row(f"{CK_NAME}2025年度政务公开工作总结", "/zfxxgk/ndbg/202601/t20260110_4398.html", "2026-01-10"),
    Row(f"{CK_NAME}2024年政府信息公开工作年度报告", "/zfxxgk/ndbg/202501/t20250120_4102.html", "2025-01-20", 2024),
    Row(f"{CK_NAME}2024年政务公开工作要点", "/zfxxgk/ndbg/202403/t20240305_3950.html", "2024-03-05"),
    Row(f"{CK_NAME}2023年政府信息公开工作年度报告", "/zfxxgk/ndbg/202401/t20240118_3801.html", "2024-01-18", 2023,
        ("/zfxxgk/ndbg/202401/P020240118380101.pdf",)),
    Row(f"{CK_NAME}2022年政府信息公开工作年度报告", "/zfxxgk/ndbg/202301/t20230116_3420.html", "2023-01-16", 2022),
    Row(f"{CK_NAME}2022年度部门决算", "/zfxxgk/ndbg/202209/t20220901_3350.html", "2022-09-01"),
    Row(f"{CK_NAME}2021年政府信息公开工作年度报告", "/zfxxgk/ndbg/202201/t20220121_3011.html", "2022-01-21", 2021),
    Row(f"{CK_NAME}2020年政府信息公开工作年度报告", "/zfxxgk/ndbg/202101/t20210125_2702.html", "2021-01-25", 2020,
        ("/zfxxgk/ndbg/202101/P020210125270201.doc",)),
]


def cookierf(base: dict) -> JsSite:
    s = new_js_site("cookierf", CK_NAME, "city", "福建",
                    "every URL behind a JS cookie challenge (HTTP 521, cookie computed by script, reload)")
    pg = page_maker(CK_NAME, CK_NAV, "3509000031")
    add_home(s, pg, CK_NAME, ("市人防办召开人防工程质量安全工作会议", "/rfyw/202510/t20251020_4501.html", "2025-10-20"),
             paths=("/", "/index.html"))
    side = menu([("政府信息公开指南", "/zfxxgk/zn/index.html"), ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.html"),
                 ("政府信息公开年度报告", "/zfxxgk/ndbg/index.html")], cls="gk-menu")
    crumbs = [("网站首页", "/index.html"), ("政府信息公开", "/zfxxgk/index.html")]
    s.add("/zfxxgk/index.html", pg("政府信息公开", side, crumbs=crumbs))
    per = 5
    chunks = [CK_ROWS[i:i + per] for i in range(0, len(CK_ROWS), per)]
    for k, chunk in enumerate(chunks):
        nxt = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < len(chunks) else ""
        prev = (f'<a href="{"index.html" if k == 1 else f"index_{k - 1}.html"}">上一页</a>' if k else "")
        s.add(f"/zfxxgk/ndbg/{'index' if k == 0 else f'index_{k}'}.html",
              pg("政府信息公开年度报告", side + '<ul class="list">' + "".join(li(r.title, r.path, r.date) for r in chunk)
                 + f'</ul><div class="page">{prev} {nxt}</div>', crumbs=crumbs + [("政府信息公开年度报告", None)]))
    add_rows(s, pg, CK_ROWS, name=CK_NAME, renamed=CK_NAME, crumbs=crumbs)
    value = clearance()

    def gate(method: str, path: str, headers) -> Page | None:
        jar = SimpleCookie()
        try:
            jar.load(headers.get("Cookie") or "")
        except CookieError:   # a malformed Cookie header is no clearance
            jar = SimpleCookie()
        if CK_COOKIE in jar and jar[CK_COOKIE].value == value:
            return None
        return Page(CK_CHALLENGE, "text/html", status=521, validators=False,
                    headers=[("Set-Cookie", "__waf_uid=9f1c0e37a2b84d55; max-age=31536000; path=/; HttpOnly")])
    s.gate = gate
    entries = {r.path for r in CK_ROWS[:per]}
    s.probes.append(Probe("/zfxxgk/ndbg/index.html", entries, entries, None,
                          "the 521 challenge script sets the cookie and reloads; the list is then served",
                          ready="ul.list a"))
    return s


BUILDERS = {"ysrf": ysrf, "cookierf": cookierf}

# used by the ground-truth test to fetch cookierf's pages the way a browser that passed does
COOKIES = {"cookierf": {CK_COOKIE: clearance()}}
