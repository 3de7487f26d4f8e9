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

import json
import re
from http.cookies import CookieError, SimpleCookie

from tests.portals.shapes_common import Page, Site, att, html_page, li, new_site, page_maker, report_text
from tests.portals.shapes_js_common import (JsSite, Probe, Row, add_home, add_rows, click_each, menu, new_js_site,
                                            wait_changed)

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
        for v in values:                            # every year page has the same <select>
            page.wait_for_selector(f"#yearSel option[value='{v}']", state="attached")
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



# used by the ground-truth test to fetch cookierf's pages the way a browser that passed does
COOKIES = {"cookierf": {CK_COOKIE: clearance()}}


# ------------------------------------------------------------------ tabrf
TAB_NAME = "松桥县人民防空办公室"
TAB_NAV = [("首页", "/"), ("机构概况", "/jggk/"), ("工作动态", "/gzdt/"), ("信息公开", "/xxgk/index.html"), ("互动", "/hd/")]
_TB = "/xxgk/ndbg/"
TAB_YEARS = {   # year tab -> (title, article, date, year or None, files) on that year's list
    y: [Row(f"{TAB_NAME}{y}年政府信息公开工作年度报告", f"{_TB}{y}/{y + 1}0{1 + y % 2}/c{y}01.html",
            f"{y + 1}-0{1 + y % 2}-1{y % 9}", y, (f"{_TB}{y}/{y + 1}0{1 + y % 2}/P{y}01.pdf",) if y % 3 == 0 else ())]
    + ([Row(f"《{TAB_NAME}{y}年政府信息公开工作年度报告》图文解读", f"{_TB}{y}/{y + 1}02/c{y}02.html",
            f"{y + 1}-02-03")] if y >= 2022 else [])
    + ([Row(f"{TAB_NAME}{y}年度部门决算", f"{_TB}{y}/{y + 1}08/c{y}03.html", f"{y + 1}-08-28")] if y % 2 else [])
    for y in range(2025, 2018, -1)}
TAB_SCRIPT = """<script>
(function () {
  var panel = document.getElementById('gkPanel'), tabs = document.querySelectorAll('#gkTabs li');
  function showYear(y) {
    fetch('/xxgk/ndbg/' + y + '/list.html').then(function (r) { return r.text(); }).then(function (t) {
      document.getElementById('yearList').innerHTML = t;
    });
  }
  function bindYears() {
    var ys = panel.querySelectorAll('.year-tabs span');
    ys.forEach(function (sp) {
      sp.addEventListener('click', function () {
        ys.forEach(function (o) { o.className = ''; });
        sp.className = 'on';
        showYear(sp.getAttribute('data-year'));
      });
    });
    if (ys.length) { ys[0].className = 'on'; showYear(ys[0].getAttribute('data-year')); }
  }
  function switchTab(li) {
    tabs.forEach(function (o) { o.className = ''; });
    li.className = 'on';
    fetch('/xxgk/tab/' + li.getAttribute('data-col') + '.html').then(function (r) { return r.text(); }).then(function (t) {
      panel.innerHTML = t;
      bindYears();
    });
  }
  tabs.forEach(function (li) { li.onclick = function () { switchTab(li); }; });
})();
</script>"""


def tabrf(base: dict) -> JsSite:
    s = new_js_site("tabrf", TAB_NAME, "district", "江西",
                    "column tabs and year tabs (<li>/<span> with click handlers) fetch their panes")
    pg = page_maker(TAB_NAME, TAB_NAV, "3609000041")
    add_home(s, pg, TAB_NAME, ("县人防办开展人防工程专项检查", "/gzdt/2025/1010/c901.html", "2025-10-10"))
    fdzd = ('<ul class="list"><li><a href="/xxgk/fdzd/2025/c801.html">松桥县人民防空办公室机构职能</a></li>'
            '<li><a href="/xxgk/fdzd/2025/c802.html">松桥县人民防空办公室领导信息</a></li></ul>')
    s.add("/xxgk/fdzd/2025/c801.html", pg("机构职能", "<p>……</p>"))
    s.add("/xxgk/fdzd/2025/c802.html", pg("领导信息", "<p>……</p>"))
    s.add("/xxgk/index.html", pg("信息公开", '<div class="tab-box"><ul class="tab-hd" id="gkTabs">'
                                 '<li class="on" data-col="fdzd">法定主动公开内容</li><li data-col="zn">政府信息公开指南</li>'
                                 '<li data-col="ndbg">政府信息公开年度报告</li></ul>'
                                 f'<div class="tab-bd" id="gkPanel">{fdzd}</div></div>' + TAB_SCRIPT,
                                 crumbs=[("首页", "/"), ("信息公开", None)]))
    s.add("/xxgk/tab/fdzd.html", html_page(fdzd))
    s.add("/xxgk/tab/zn.html", html_page('<div class="zn"><p>松桥县人民防空办公室政府信息公开指南（2021年修订）……</p></div>'))
    s.add("/xxgk/tab/ndbg.html", html_page('<div class="year-tabs">' + "".join(
        f'<span data-year="{y}">{y}年</span>' for y in TAB_YEARS) + '</div><ul class="list" id="yearList"></ul>'))
    for y, rows in TAB_YEARS.items():
        s.add(f"{_TB}{y}/list.html", html_page("".join(li(r.title, r.path, r.date) for r in rows)))
        add_rows(s, pg, rows, name=TAB_NAME, renamed=TAB_NAME)
    s.feeds += [("GET", "/xxgk/tab/ndbg.html", None)] + [("GET", f"{_TB}{y}/list.html", None) for y in TAB_YEARS]
    entries = {r.path for rows in TAB_YEARS.values() for r in rows}

    def drive(page, snap):
        before = page.inner_html("#gkPanel")
        page.click("#gkTabs li:text-is('政府信息公开年度报告')")
        wait_changed(page, "#gkPanel", before)
        page.wait_for_selector("#yearList a")
        snap()
        click_each(page, snap, "#gkPanel .year-tabs span", "#yearList", start=1)   # the first is shown
    s.probes.append(Probe("/xxgk/index.html", entries, entries | {"/xxgk/tab/ndbg.html"}, drive,
                          "the 年度报告 tab fetches its pane, each year tab fetches that year's list",
                          ready="#gkTabs li"))
    return s


# ------------------------------------------------------------------ treerf
TREE_NAME, TREE_RENAMED = "柏川区人民防空办公室", "柏川区国防动员办公室"
TREE_NAV = [("首页", "/"), ("机构设置", "/jgsz/"), ("工作动态", "/gzdt/"), ("政府信息公开目录", "/gkml/index.html")]
# the office's portal stopped publishing after the 2023 report (the years' nodes 2024, 2025 are empty)
TREE_YEARS = {y: [Row(f"{TREE_RENAMED if y >= 2023 else TREE_NAME}{y}年政府信息公开工作年度报告",
                      f"/gkml/detail/{y + 1}/c{y}1.html", f"{y + 1}-01-2{y % 8}", y,
                      (f"/gkml/files/{y + 1}/{y}nb.{'docx' if y == 2020 else 'pdf'}",) if y % 2 == 0 else ())]
              + ([Row(f"{TREE_NAME}{y}年政务公开工作要点", f"/gkml/detail/{y}/c{y}2.html", f"{y}-03-0{y % 8 + 1}")]
                 if y in (2019, 2021) else [])
              for y in range(2018, 2024)}
TREE_YEARS.update({2025: [], 2024: []})
TREE_OTHER = {   # the other catalogue nodes' leaves: (leaf id, name) -> rows
    (51, "部门预决算"): [Row(f"{TREE_NAME}2022年度部门决算", "/gkml/detail/2022/c5101.html", "2022-09-01")],
    (52, "政府采购"): [Row(f"{TREE_NAME}2023年政府采购意向公开", "/gkml/detail/2023/c5201.html", "2023-04-10")],
    (61, "机构职能"): [Row(f"{TREE_NAME}主要职责", "/gkml/detail/2021/c6101.html", "2021-05-06")],
}
TREE_SCRIPT = """<script>
(function () {
  var list = document.getElementById('gkList');
  function loadList(catId, name) {
    fetch('/gkml/list.json?catId=' + catId).then(function (r) { return r.json(); }).then(function (d) {
      if (!d.rows.length) { list.innerHTML = '<p class="empty">' + name + '：暂无信息</p>'; return; }
      var h = '<table class="gk-table"><tr><th>索引号</th><th>名称</th><th>发布日期</th></tr>';
      d.rows.forEach(function (r) {
        h += '<tr><td>' + r.indexNo + '</td><td><a href="' + r.url + '" target="_blank">' + r.title + '</a></td><td>' + r.date + '</td></tr>';
      });
      list.innerHTML = h + '</table>';
    });
  }
  function loadNodes(pid, ul) {
    fetch('/gkml/tree.json?pid=' + pid).then(function (r) { return r.json(); }).then(function (nodes) {
      nodes.forEach(function (n) {
        var li = document.createElement('li');
        li.innerHTML = '<span class="' + (n.isParent ? 'switch' : 'leaf') + '"></span><a href="javascript:;" class="node" data-id="'
                     + n.id + '">' + n.name + '</a>';
        li.querySelector('a').addEventListener('click', function () {
          if (!n.isParent) { loadList(n.id, n.name); return; }
          var sub = li.querySelector('ul');
          if (sub) { sub.style.display = sub.style.display === 'none' ? '' : 'none'; return; }
          sub = document.createElement('ul');
          li.appendChild(sub);
          loadNodes(n.id, sub);
        });
        ul.appendChild(li);
      });
    });
  }
  loadNodes(0, document.getElementById('gkTree'));
})();
</script>"""


def treerf(base: dict) -> JsSite:
    s = new_js_site("treerf", TREE_NAME, "district", "重庆",
                    "a catalogue tree expanded by click (children fetched as JSON), a leaf loads its list; "
                    "no report after 2023")
    pg = page_maker(TREE_RENAMED, TREE_NAV, "5001000093")
    add_home(s, pg, TREE_RENAMED, ("区国动办开展国防动员潜力调查", "/gzdt/2025/c9901.html", "2025-06-11"))
    s.add("/gkml/index.html", pg("政府信息公开目录", '<div class="gkml"><div class="tree-box"><h3>目录导航</h3>'
                                 '<ul id="gkTree" class="ztree"></ul></div><div class="gkml-right"><div id="gkList">'
                                 '<p class="tip">请点击左侧目录查看</p></div></div></div>' + TREE_SCRIPT,
                                 crumbs=[("首页", "/"), ("政府信息公开目录", None)]))
    tree = {0: [{"id": 5, "name": "财政资金", "isParent": True}, {"id": 6, "name": "机构信息", "isParent": True},
                {"id": 40, "name": "政府信息公开年报", "isParent": True}],
            5: [{"id": 51, "name": "部门预决算", "isParent": False}, {"id": 52, "name": "政府采购", "isParent": False}],
            6: [{"id": 61, "name": "机构职能", "isParent": False}],
            40: [{"id": 4000 + y % 100, "name": f"{y}年", "isParent": False} for y in sorted(TREE_YEARS, reverse=True)]}
    leaves = {4000 + y % 100: rows for y, rows in TREE_YEARS.items()}
    leaves.update({leaf: rows for (leaf, _), rows in TREE_OTHER.items()})

    def answer(body) -> Page:
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", validators=False)

    def dynamic(path: str) -> Page | None:
        m = re.fullmatch(r"/gkml/tree\.json\?pid=(\d+)", path)
        if m:
            return answer(tree.get(int(m.group(1)), []))
        m = re.fullmatch(r"/gkml/list\.json\?catId=(\d+)", path)
        if m:
            rows = leaves.get(int(m.group(1)), [])
            return answer({"total": len(rows), "rows": [
                {"indexNo": f"11500110MB1A2B3C4D/{r.date[:4]}-{i + 1:05d}", "title": r.title, "url": r.path,
                 "date": r.date} for i, r in enumerate(rows)]})
        return None
    s.dynamic = dynamic
    for rows in leaves.values():
        add_rows(s, pg, rows, name=TREE_NAME, renamed=TREE_RENAMED)
    s.feeds += [("GET", f"/gkml/tree.json?pid={pid}", None) for pid in tree]
    s.feeds += [("GET", f"/gkml/list.json?catId={leaf}", None) for leaf in leaves]
    entries = {r.path for rows in TREE_YEARS.values() for r in rows}

    def drive(page, snap):
        page.click("#gkTree a.node:text-is('政府信息公开年报')")
        page.wait_for_selector("#gkTree ul a.node")
        click_each(page, snap, "#gkTree ul a.node", "#gkList")
    s.probes.append(Probe("/gkml/index.html", entries, entries | {"政府信息公开年报"}, drive,
                          "a click on 政府信息公开年报 fetches its year nodes; each year node loads its list",
                          ready="#gkTree a.node"))
    return s


# ------------------------------------------------------------------ jumprf
JUMP_NAME = "桐溪市人民防空办公室"
_J = "/site/rfb/"
JUMP_ROOT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>桐溪市人民防空办公室</title>
<script type="text/javascript">
(function () {
  var ua = navigator.userAgent.toLowerCase();
  var mobile = /(iphone|ipod|ipad|android|mobile|micromessenger)/.test(ua);
  window.location.replace(mobile ? '/m/index.html' : '/site/rfb/index.html');
})();
</script></head><body></body></html>"""
JUMP_ROWS = [
    Row(f"{JUMP_NAME}2025年政府信息公开工作年度报告", _J + "xxgk/ndbg/202601/t20260122_1501.html", "2026-01-22", 2025),
    Row(f"{JUMP_NAME}2025年度政务公开工作要点", _J + "xxgk/ndbg/202503/t20250304_1402.html", "2025-03-04"),
    Row(f"{JUMP_NAME}2024年政府信息公开工作年度报告", _J + "xxgk/ndbg/202501/t20250121_1380.html", "2025-01-21", 2024,
        (_J + "xxgk/ndbg/202501/P020250121138001.pdf",)),
    Row(f"{JUMP_NAME}2023年政府信息公开工作年度报告", _J + "xxgk/ndbg/202401/t20240118_1201.html", "2024-01-18", 2023),
    Row(f"{JUMP_NAME}2023年度部门决算", _J + "xxgk/ndbg/202308/t20230828_1150.html", "2023-08-28"),
    Row(f"{JUMP_NAME}2022年政府信息公开工作年度报告", _J + "xxgk/ndbg/202301/t20230119_1001.html", "2023-01-19", 2022),
    Row(f"{JUMP_NAME}2021年政府信息公开工作年度报告", _J + "xxgk/ndbg/202201/t20220124_0810.html", "2022-01-24", 2021,
        (_J + "xxgk/ndbg/202201/P020220124081001.docx",)),
    Row(f"{JUMP_NAME}2020年政府信息公开工作年度报告", _J + "xxgk/ndbg/202101/t20210126_0602.html", "2021-01-26", 2020),
    Row(f"{JUMP_NAME}2019年政府信息公开工作年度报告", _J + "xxgk/ndbg/202001/t20200121_0401.html", "2020-01-21", 2019),
]


def jumprf(base: dict) -> JsSite:
    s = new_js_site("jumprf", JUMP_NAME, "city", "浙江",
                    "the root only redirects by script: location.replace(mobile ? '/m/…' : '/site/rfb/index.html')")
    nav = [("首页", _J + "index.html"), ("机构概况", _J + "jggk/index.html"), ("人防动态", _J + "rfdt/index.html"),
           ("信息公开", _J + "xxgk/index.html"), ("人防工程", _J + "rfgc/index.html")]
    pg = page_maker(JUMP_NAME, nav, "3305000018")
    s.add("/", html_page(JUMP_ROOT))
    s.add("/m/index.html", html_page('<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
                                     'content="width=device-width"><title>桐溪人防</title></head><body><header>桐溪人防'
                                     f'</header><a href="{_J}index.html">电脑版</a></body></html>'))
    add_home(s, pg, JUMP_NAME, ("市人防办开展人防工程安全隐患排查", _J + "rfdt/202510/t20251012_1601.html", "2025-10-12"),
             paths=(_J + "index.html",))
    side = menu([("政府信息公开指南", _J + "xxgk/zn/index.html"), ("政府信息公开年度报告", _J + "xxgk/ndbg/index.html")])
    crumbs = [("首页", _J + "index.html"), ("信息公开", _J + "xxgk/index.html")]
    s.add(_J + "xxgk/index.html", pg("信息公开", side, crumbs=crumbs))
    chunks = [JUMP_ROWS[:5], JUMP_ROWS[5:]]
    for k, chunk in enumerate(chunks):
        pager = (f'<a href="index_1.html">下一页</a>' if k == 0 else '<a href="index.html">上一页</a>')
        s.add(_J + f"xxgk/ndbg/{'index' if k == 0 else 'index_1'}.html",
              pg("政府信息公开年度报告", side + '<ul class="list">' + "".join(li(r.title, r.path, r.date) for r in chunk)
                 + f'</ul><div class="page">{pager}</div>', crumbs=crumbs + [("政府信息公开年度报告", None)]))
    add_rows(s, pg, JUMP_ROWS, name=JUMP_NAME, renamed=JUMP_NAME, crumbs=crumbs)
    s.probes.append(Probe("/", {_J + "index.html", _J + "xxgk/index.html"}, {_J + "xxgk/index.html"}, None,
                          "the root's script replaces the location with the PC home page", ready="div.nav a"))
    return s


# ------------------------------------------------------------------ postrf
POST_NAME = "枫林县人民防空办公室"
POST_TOKEN = "c0ffee12d4"
POST_PER = 5
POST_ROWS = [
    Row(f"{POST_NAME}2025年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20260119001", "2026-01-19", 2025,
        ("/portal/upload/2026/01/20260119001.pdf",)),
    Row(f"{POST_NAME}2025年政务公开工作要点", "/portal/detail.do?infoId=20250307002", "2025-03-07"),
    Row(f"{POST_NAME}2024年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20250120003", "2025-01-20", 2024),
    Row(f"{POST_NAME}2024年度部门预算", "/portal/detail.do?infoId=20240215004", "2024-02-15"),
    Row(f"{POST_NAME}2023年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20240118005", "2024-01-18", 2023),
    Row(f"{POST_NAME}2022年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20230117006", "2023-01-17", 2022,
        ("/portal/upload/2023/01/20230117006.doc",)),
    Row(f"{POST_NAME}2022年法治政府建设年度报告", "/portal/detail.do?infoId=20230110007", "2023-01-10"),
    Row(f"{POST_NAME}2021年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20220121008", "2022-01-21", 2021),
    Row(f"{POST_NAME}2020年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20210125009", "2021-01-25", 2020),
    Row(f"{POST_NAME}2020年工作总结", "/portal/detail.do?infoId=20201230010", "2020-12-30"),
    Row(f"{POST_NAME}2019年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20200120011", "2020-01-20", 2019),
    Row(f"{POST_NAME}政府信息公开指南", "/portal/detail.do?infoId=20190601012", "2019-06-01"),
    Row(f"{POST_NAME}2018年度政府信息公开工作年度报告", "/portal/detail.do?infoId=20190130013", "2019-01-30", 2018),
]


def postrf(base: dict) -> JsSite:
    s = new_js_site("postrf", POST_NAME, "district", "四川",
                    "root by <meta refresh>; the list's pager submits a POST form (toPage(n) sets pageNo); GET ignores it")
    nav = [("首页", "/portal/index.do"), ("机构职能", "/portal/jgzn.do"), ("工作动态", "/portal/gzdt.do"),
           ("政务公开", "/portal/zwgk.do"), ("在线办事", "/portal/zxbs.do")]
    pg = page_maker(POST_NAME, nav, "5134000027")
    s.add("/", html_page('<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" '
                         'content="0; url=/portal/index.do"><title>页面跳转中</title></head><body><p>页面跳转中，'
                         '请稍候……</p></body></html>'))
    add_home(s, pg, POST_NAME, ("县人防办开展防空警报试鸣", "/portal/gzdt/detail.do?infoId=20250918100", "2025-09-18"),
             paths=("/portal/index.do",))
    side = menu([("政府信息公开指南", "/portal/list.do?colId=zn"), ("政府信息公开年度报告", "/portal/list.do?colId=ndbg")],
                title="政务公开")
    crumbs = [("首页", "/portal/index.do"), ("政务公开", "/portal/zwgk.do")]
    s.add("/portal/zwgk.do", pg("政务公开", side, crumbs=crumbs))
    pages = -(-len(POST_ROWS) // POST_PER)

    def list_page(no: int) -> Page:
        rows = POST_ROWS[(no - 1) * POST_PER:no * POST_PER]
        trs = "".join(f'<tr><td><a href="{r.path}" target="_blank" title="{r.title}">{r.title}</a></td>'
                      f"<td>{r.date}</td></tr>" for r in rows)
        nums = "".join(f"<span class='cur'>{j}</span>" if j == no else
                       f'<a href="javascript:void(0)" onclick="toPage({j})">{j}</a>' for j in range(1, pages + 1))
        nxt = f'<a href="javascript:void(0)" class="next" onclick="toPage({no + 1})">下一页</a>' if no < pages else ""
        body = (side + '<form id="pageForm" name="pageForm" action="/portal/list.do" method="post">'
                '<input type="hidden" name="colId" value="ndbg">'
                f'<input type="hidden" name="pageNo" id="pageNo" value="{no}">'
                f'<input type="hidden" name="pageSize" value="{POST_PER}">'
                f'<input type="hidden" name="csrfToken" value="{POST_TOKEN}"></form>'
                f'<table class="list" width="100%">{trs}</table>'
                f'<div class="pager">共{len(POST_ROWS)}条 第{no}/{pages}页 {nums} {nxt}</div>'
                "<script>function toPage(n) { var f = document.getElementById('pageForm'); f.pageNo.value = n; f.submit(); }"
                "</script>")
        page = pg("政府信息公开年度报告", body, crumbs=crumbs + [("政府信息公开年度报告", None)])
        page.validators = False
        return page
    s.add("/portal/list.do?colId=ndbg", list_page(1))

    def post(query: dict, form: dict) -> Page:
        f = {k: v[0] for k, v in form.items()}
        if f.get("colId") != "ndbg" or f.get("csrfToken") != POST_TOKEN:
            return Page("<html><body>非法请求</body></html>".encode("utf-8"), "text/html; charset=UTF-8", status=403,
                        validators=False)
        no = int(f["pageNo"]) if f.get("pageNo", "").isdigit() else 1
        return list_page(min(max(no, 1), pages))
    s.post["/portal/list.do"] = post
    add_rows(s, pg, POST_ROWS, name=POST_NAME, renamed=POST_NAME, crumbs=crumbs)
    s.feeds += [("POST", "/portal/list.do", {"colId": "ndbg", "pageNo": str(n), "pageSize": str(POST_PER),
                                             "csrfToken": POST_TOKEN}) for n in range(2, pages + 1)]

    def drive(page, snap):
        for _ in range(pages):          # a pager that does not move on stops here
            if not page.locator(".pager a.next").count():
                break
            with page.expect_navigation():
                page.click(".pager a.next")
            snap()
    later = {r.path for r in POST_ROWS[POST_PER:]}
    s.probes.append(Probe("/portal/list.do?colId=ndbg", {r.path for r in POST_ROWS}, later, drive,
                          "下一页 runs toPage(n): the hidden form is POSTed with pageNo=n", ready="table.list a"))
    s.probes.append(Probe("/", {"/portal/index.do", "/portal/zwgk.do"}, {"/portal/zwgk.do"}, None,
                          "the root's <meta refresh> leads to the portal's home page", ready="div.nav a"))
    return s


# ------------------------------------------------------------------ lurerf (and copyx, the copy site)
LURE_NAME = "汀澜市人民防空办公室"
LURE_NAV = [("首页", "/"), ("机构概况", "/jggk/"), ("人防要闻", "/rfyw/"), ("信息公开", "/xxgk/"), ("便民服务", "/bmfw/")]
LURE_ROWS = [
    Row(f"{LURE_NAME}2025年政府信息公开工作年度报告", "/xxgk/ndbg/202601/t20260120_7101.html", "2026-01-20", 2025,
        ("/xxgk/ndbg/202601/P020260120710101.pdf",)),
    Row(f"{LURE_NAME}2024年政府信息公开工作年度报告", "/xxgk/ndbg/202501/t20250117_6801.html", "2025-01-17", 2024),
    Row(f"{LURE_NAME}2024年度部门决算", "/xxgk/ndbg/202409/t20240902_6610.html", "2024-09-02"),
    Row(f"{LURE_NAME}2023年政府信息公开工作年度报告", "/xxgk/ndbg/202401/t20240119_6402.html", "2024-01-19", 2023,
        ("/xxgk/ndbg/202401/P020240119640201.pdf",)),
    Row(f"{LURE_NAME}2022年政府信息公开工作年度报告", "/xxgk/ndbg/202301/t20230118_6003.html", "2023-01-18", 2022),
    Row(f"{LURE_NAME}2022年工作要点", "/xxgk/ndbg/202203/t20220308_5801.html", "2022-03-08"),
    Row(f"{LURE_NAME}2021年政府信息公开工作年度报告", "/xxgk/ndbg/202201/t20220121_5601.html", "2022-01-21", 2021),
    Row(f"{LURE_NAME}2020年政府信息公开工作年度报告", "/xxgk/ndbg/202101/t20210125_5202.html", "2021-01-25", 2020),
]
#: the copy site's paths: a column and report copies carrying the office's titles
COPY_PATHS = {y: f"/rfb/tinglan/{y}/{y}nb.html" for y in (2025, 2024, 2023, 2022)}
LURE_FLOAT = """<div id="floatAd" style="position:absolute;left:0;top:120px;z-index:999"></div>
<script>
var floatItems = [
  {title: '%s', url: '%s'},
  {title: '政府信息公开年度报告汇编', url: '%s'}
];
(function () {
  var box = document.getElementById('floatAd'), h = '<a href="javascript:;" class="close" onclick="this.parentNode.style.display=\\'none\\'">关闭</a>';
  for (var i = 0; i < floatItems.length; i++) {
    h += '<p><a href="' + floatItems[i].url + '" target="_blank" title="' + floatItems[i].title + '">' + floatItems[i].title + '</a></p>';
  }
  box.innerHTML = h;
  var x = 0, dx = 2;
  setInterval(function () { x += dx; if (x < 0 || x > 900) dx = -dx; box.style.left = x + 'px'; }, 50);
})();
</script>"""


def copyx(base: dict) -> Site:
    """A copy site on another loopback port: it re-publishes the office's reports under the
    office's titles (never this office's source)."""
    s = new_site("copyx", "政务信息汇编网", "", "")
    rows = "".join(li(f"{LURE_NAME}{y}年政府信息公开工作年度报告", p, f"{y + 1}-02-01") for y, p in COPY_PATHS.items())
    s.add("/zt/tinglan/ndbg/", html_page(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年度报告'
                                          f'</title></head><body><ul>{rows}</ul></body></html>'))
    for y, p in COPY_PATHS.items():
        s.add(p, html_page(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{LURE_NAME}{y}年政府信息公开工作年度报告'
                           f'</title></head><body><h1>{LURE_NAME}{y}年政府信息公开工作年度报告</h1>'
                           f'{report_text(LURE_NAME, y)}<a href="{p[:-5]}.pdf">下载</a></body></html>'))
        s.add(p[:-5] + ".pdf", Page(att(f"{LURE_NAME}{y}年政府信息公开工作年度报告（转载）"), "application/pdf"))
    return s


def lurerf(base: dict) -> JsSite:
    s = new_js_site("lurerf", LURE_NAME, "city", "广东",
                    "home page lures: report-titled links and a script-built floating box pointing at a copy site "
                    "(another port); the column is 信息公开 → 年度报告 on the own host")
    copy = base["copyx"].rstrip("/")
    pg = page_maker(LURE_NAME, LURE_NAV, "4409000036")
    topics = ('<div class="zt"><h3>专题专栏</h3><ul>'
              f'<li><a href="{copy}/zt/tinglan/ndbg/" target="_blank">政府信息公开年度报告</a></li>'
              f'<li><a href="{copy}{COPY_PATHS[2023]}" target="_blank">{LURE_NAME}2023年政府信息公开工作年度报告</a></li>'
              "</ul></div>")
    floating = LURE_FLOAT % (f"{LURE_NAME}2025年政府信息公开工作年度报告", copy + COPY_PATHS[2025],
                             copy + "/zt/tinglan/ndbg/")
    add_home(s, pg, LURE_NAME, ("市人防办举行人防疏散演练", "/rfyw/202510/t20251020_7301.html", "2025-10-20"),
             extra=topics + floating)
    side = menu([("政府信息公开指南", "/xxgk/zn/"), ("法定主动公开内容", "/xxgk/fdzd/"), ("年度报告", "/xxgk/ndbg/")],
                title="信息公开")
    crumbs = [("首页", "/"), ("信息公开", "/xxgk/")]
    s.add("/xxgk/", pg("信息公开", side, crumbs=crumbs))
    s.add("/xxgk/ndbg/", pg("年度报告", side + '<ul class="list">' + "".join(li(r.title, r.path, r.date) for r in LURE_ROWS)
                            + "</ul>", crumbs=crumbs + [("年度报告", None)]))
    add_rows(s, pg, LURE_ROWS, name=LURE_NAME, renamed=LURE_NAME, crumbs=crumbs)
    s.probes.append(Probe("/", {copy + COPY_PATHS[2025], copy + "/zt/tinglan/ndbg/", "/xxgk/"},
                          {f'href="{copy}{COPY_PATHS[2025]}"'}, None,
                          "a script builds the floating box of lures to the copy site", ready="#floatAd p a"))
    return s


BUILDERS = {"ysrf": ysrf, "cookierf": cookierf, "tabrf": tabrf, "treerf": treerf, "jumprf": jumprf,
            "postrf": postrf, "lurerf": lurerf}
#: hosts served beside the registry's sites and never in the registry
EXTRA = {"copyx": copyx}
