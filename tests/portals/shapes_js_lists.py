"""Script-built lists: the annual-report column's HTML holds an empty container that the
page's scripts fill (``tests/portals/shapes_js.py`` has the table of every site).

- ``cfgrf``: a module loader written by the site (``/common/js/require-lite.js``: ``define`` /
  ``require`` loading ``/common/js/modules/<name>.js``) and ``require(['listModel'], …)`` calling
  ``listModel({listUrl: SiteInfo.searchUrl, params: {channelId: SiteInfo.columns.ndbg, …}})``;
  ``SiteInfo`` is an object literal of another script file (``/common/js/siteinfo.js``): the
  endpoint ``/irs/front/list`` is named nowhere else. JSON ``{resultCode, data: {total, pages,
  rows: [{docTitle, docPubUrl, docPubTime}]}}``, 6 a page, rendered through a
  ``<script type="text/html">`` template; the pager is ``<a href="javascript:;" data-page>``
  bound by ``addEventListener``.
- ``btnrf``: a county site (GBK, said only in ``<meta>``): ``go(p)`` GETs an HTML fragment
  ``listData.jsp?colId=35&pageNo=p&_=<time>`` (GBK too) into ``<div id="infoList">``, reads
  the page count from a hidden ``<input id="totalPage">`` in it and draws ``<button
  onclick="go(2)">`` pagers (no link anywhere). The portal never published a 2020 report.
"""
from __future__ import annotations

import json

from tests.portals.shapes_common import Page, endpoint, html_page, li, page_maker, report_text
from tests.portals.shapes_js_common import (JsSite, Probe, Row, add_home, add_rows, click_until_gone, file_page, js,
                                            menu, new_js_site, wait_changed)

# ------------------------------------------------------------------ cfgrf
CFG_NAME, CFG_RENAMED = "青岚市人民防空办公室", "青岚市国防动员办公室"
CFG_NAV = [("首页", "/index.html"), ("机构概况", "/jggk/index.html"), ("新闻动态", "/xwdt/index.html"),
           ("政府信息公开", "/xxgk/index.html"), ("人防知识", "/rfzs/index.html")]
CFG_CHANNEL = "a3f1c2e4b5d6"
NB = "/xxgk/ndbg/"
CFG_ROWS = [
    Row(f"{CFG_RENAMED}2026年政务公开工作要点", NB + "202603/t20260310_91213.html", "2026-03-10 09:00:00"),
    Row(f"{CFG_RENAMED}2025年政府信息公开工作年度报告", NB + "202601/t20260121_90702.html", "2026-01-21 10:30:00",
        2025, (NB + "202601/P020260121907021.pdf",)),
    Row(f"关于《{CFG_RENAMED}2025年政府信息公开工作年度报告》的解读", NB + "202601/t20260121_90703.html",
        "2026-01-21 10:35:00"),
    Row(f"{CFG_RENAMED}2024年政府信息公开工作年度报告", NB + "202501/t20250122_87702.html", "2025-01-22 16:02:11",
        2024, (NB + "202501/P020250122877021.pdf",)),
    Row(f"{CFG_RENAMED}2024年度法治政府建设年度报告", NB + "202501/t20250115_87410.html", "2025-01-15 11:00:00"),
    Row(f"{CFG_RENAMED}2023年政府信息公开工作年度报告", NB + "202401/t20240119_84480.html", "2024-01-19 09:12:40",
        2023, (NB + "202401/P020240119844801.docx",)),
    Row("青岚市人民政府2023年政府信息公开工作年度报告", NB + "202401/t20240118_84401.html", "2024-01-18 15:00:00"),
    Row(f"{CFG_NAME}2022年政府信息公开工作年度报告", NB + "202301/t20230117_80150.html", "2023-01-17 10:00:00", 2022),
    Row(f"{CFG_NAME}2022年度部门决算", NB + "202208/t20220826_78801.html", "2022-08-26 09:30:00", None,
        (NB + "202208/P020220826788011.pdf",)),
    Row(f"{CFG_NAME}2021年政府信息公开工作年度报告", NB + "202201/t20220124_75520.html", "2022-01-24 08:45:00",
        2021, (NB + "202201/P020220124755201.pdf",)),
    Row(f"{CFG_NAME}2020年政府信息公开工作年度报告", NB + "202101/t20210126_71003.html", "2021-01-26 14:10:00", 2020),
    Row(f"{CFG_NAME}政府信息公开指南（2020年版）", NB + "202006/t20200601_68200.html", "2020-06-01 09:00:00"),
    Row(f"{CFG_NAME}2019年政府信息公开工作年度报告", NB + "202001/t20200120_66010.html", "2020-01-20 10:00:00", 2019),
    Row(f"{CFG_NAME}2019年工作总结", NB + "201912/t20191230_65902.html", "2019-12-30 17:00:00"),
]
CFG_PER = 6

REQUIRE_LITE = r"""/*! require-lite 1.2 | 青岚市国防动员办公室网站 前端模块加载 */
(function (global) {
  var defined = {}, waiting = {}, base = '/common/js/modules/';
  function load(name, cb) {
    if (Object.prototype.hasOwnProperty.call(defined, name)) { cb(defined[name]); return; }
    (waiting[name] = waiting[name] || []).push(cb);
    if (waiting[name].length > 1) return;
    var s = document.createElement('script');
    s.src = base + name + '.js?v=20240301';
    s.onerror = function () { if (global.console) console.error('module not found: ' + name); };
    document.getElementsByTagName('head')[0].appendChild(s);
  }
  function req(deps, cb) {
    var out = new Array(deps.length), left = deps.length;
    if (!left) { cb(); return; }
    for (var i = 0; i < deps.length; i++) (function (i) {
      load(deps[i], function (m) { out[i] = m; if (--left === 0) cb.apply(global, out); });
    })(i);
  }
  global.define = function (name, deps, factory) {
    req(deps, function () {
      defined[name] = factory.apply(global, arguments);
      var cbs = waiting[name] || [];
      waiting[name] = [];
      for (var i = 0; i < cbs.length; i++) cbs[i](defined[name]);
    });
  };
  global.require = req;
})(window);
"""

SITEINFO = """/* 站点配置，勿删 */
var SiteInfo = {
  siteId: 'qlrfb',
  siteName: '青岚市国防动员办公室',
  webRoot: '/',
  searchUrl: '/irs/front/list',
  columns: { gzdt: 'a3f1c2e4b5a1', tzgg: 'a3f1c2e4b5a2', ndbg: '%s' },
  pageSize: %d
};
""" % (CFG_CHANNEL, CFG_PER)

MOD_AJAX = """define('ajax', [], function () {
  function query(params) {
    var q = [];
    for (var k in params) if (params.hasOwnProperty(k)) q.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
    return q.join('&');
  }
  return {
    getJSON: function (url, params, ok) {
      var x = new XMLHttpRequest();
      x.open('GET', url + (url.indexOf('?') < 0 ? '?' : '&') + query(params), true);
      x.onload = function () { if (x.status == 200) ok(JSON.parse(x.responseText)); };
      x.send();
    }
  };
});
"""

MOD_TPL = """define('tpl', [], function () {
  return function (id, data) {
    var src = document.getElementById(id).innerHTML;
    return src.replace(/\\{\\{\\s*(\\w+)\\s*\\}\\}/g, function (m, k) { return data[k] == null ? '' : data[k]; });
  };
});
"""

MOD_LIST = """define('listModel', ['ajax', 'tpl'], function (ajax, tpl) {
  return function (opt) {
    var box = document.getElementById(opt.el), bar = document.getElementById(opt.pager);
    function pager(no, pages, total) {
      var h = '<span class="total">共' + total + '条</span>';
      if (no > 1) h += '<a href="javascript:;" data-page="' + (no - 1) + '">上一页</a>';
      for (var i = 1; i <= pages; i++) {
        h += i == no ? '<span class="cur">' + i + '</span>' : '<a href="javascript:;" data-page="' + i + '">' + i + '</a>';
      }
      if (no < pages) h += '<a href="javascript:;" class="next" data-page="' + (no + 1) + '">下一页</a>';
      bar.innerHTML = h;
      var as = bar.getElementsByTagName('a');
      for (var j = 0; j < as.length; j++) as[j].addEventListener('click', function () {
        load(parseInt(this.getAttribute('data-page'), 10));
      });
    }
    function load(no) {
      var p = {};
      for (var k in opt.params) p[k] = opt.params[k];
      p.pageNo = no;
      ajax.getJSON(opt.listUrl, p, function (res) {
        if (res.resultCode !== '0000') { box.innerHTML = '<li class="empty">暂无信息</li>'; return; }
        var h = '';
        for (var i = 0; i < res.data.rows.length; i++) {
          var r = res.data.rows[i];
          r.date = r.docPubTime.substring(0, 10);
          h += tpl(opt.tpl, r);
        }
        box.innerHTML = h;
        pager(res.data.pageNo, res.data.pages, res.data.total);
      });
    }
    load(1);
  };
});
"""

CFG_LIST_SCRIPT = """<script src="/common/js/require-lite.js"></script>
<script src="/common/js/siteinfo.js"></script>
<script type="text/html" id="ndbgTpl"><li><a href="{{docPubUrl}}" target="_blank" title="{{docTitle}}">{{docTitle}}</a><span class="date">{{date}}</span></li></script>
<script>
require(['listModel'], function (listModel) {
  listModel({ el: 'ndbgList', pager: 'ndbgPager', listUrl: SiteInfo.searchUrl, tpl: 'ndbgTpl',
              params: { channelId: SiteInfo.columns.ndbg, pageSize: SiteInfo.pageSize } });
});
</script>"""


def cfgrf(base: dict) -> JsSite:
    s = new_js_site("cfgrf", CFG_NAME, "city", "山东",
                    "module loader + list endpoint named only in a SiteInfo object of another script")
    pg = page_maker(CFG_RENAMED, CFG_NAV, "3711000052")
    add_home(s, pg, CFG_RENAMED, ("市国动办组织开展2025年度防空警报试鸣", "/xwdt/202510/t20251015_91802.html",
                                  "2025-10-15"), paths=("/", "/index.html"),
             extra='<div class="box gk"><a href="/xxgk/index.html"><img src="/images/xxgk.png" alt="政府信息公开"></a></div>')
    side = menu([("政府信息公开指南", "/xxgk/zn/index.html"), ("政府信息公开制度", "/xxgk/zd/index.html"),
                 ("法定主动公开内容", "/xxgk/fdzdgknr/index.html"), ("政府信息公开年报", NB + "index.html"),
                 ("依申请公开", "/xxgk/ysqgk/index.html")], title="政府信息公开", cls="xxgk-menu")
    crumbs = [("首页", "/index.html"), ("政府信息公开", "/xxgk/index.html")]
    s.add("/xxgk/index.html", pg("政府信息公开", side + '<div class="xxgk-main"><p>请选择栏目</p></div>',
                                 crumbs=crumbs))
    s.add(NB + "index.html", pg("政府信息公开年报", side + '<div class="xxgk-main"><h3>政府信息公开年报</h3>'
                                '<ul class="list" id="ndbgList"></ul><div class="pager" id="ndbgPager"></div></div>'
                                + CFG_LIST_SCRIPT, crumbs=crumbs + [("政府信息公开年报", None)]))
    for path, text in (("/common/js/require-lite.js", REQUIRE_LITE), ("/common/js/siteinfo.js", SITEINFO),
                       ("/common/js/modules/ajax.js", MOD_AJAX), ("/common/js/modules/tpl.js", MOD_TPL),
                       ("/common/js/modules/listModel.js", MOD_LIST)):
        s.add(path, js(text))
    add_rows(s, pg, CFG_ROWS, name=CFG_NAME, renamed=CFG_RENAMED, crumbs=crumbs)
    items = [{"docId": 91213 - i * 311, "docTitle": r.title, "docPubUrl": r.path, "docPubTime": r.date,
              "channelId": CFG_CHANNEL} for i, r in enumerate(CFG_ROWS)]

    def api(q: dict) -> Page:
        if q.get("channelId") != CFG_CHANNEL:
            body = {"resultCode": "1001", "resultMsg": "栏目不存在", "data": None}
        else:
            size = min(max(int(q.get("pageSize") or 10), 1), 20)
            no = max(int(q.get("pageNo") or 1), 1)
            body = {"resultCode": "0000", "resultMsg": "成功",
                    "data": {"total": len(items), "pageNo": no, "pageSize": size, "pages": -(-len(items) // size),
                             "rows": items[(no - 1) * size:no * size]}}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    s.dynamic = endpoint("/irs/front/list", api)
    pages = -(-len(items) // CFG_PER)
    s.feeds += [("GET", f"/irs/front/list?channelId={CFG_CHANNEL}&pageSize={CFG_PER}&pageNo={n}", None)
                for n in range(1, pages + 1)]
    entries = {r.path for r in CFG_ROWS}
    s.probes.append(Probe(NB + "index.html", entries, entries | {"/irs/front/list"},
                          lambda page, snap: click_until_gone(page, snap, "#ndbgPager a.next", "#ndbgList"),
                          "listModel fills #ndbgList from SiteInfo.searchUrl, 下一页 until the last page",
                          ready="#ndbgList a"))
    return s


# ------------------------------------------------------------------ btnrf
BTN_NAME = "石砚县人民防空办公室"
BTN_NAV = [("首  页", "/index.jsp"), ("机构设置", "/jgsz/index.jsp"), ("人防动态", "/rfdt/index.jsp"),
           ("政务公开", "/gkml/index.jsp"), ("人防工程", "/rfgc/index.jsp"), ("宣传教育", "/xcjy/index.jsp")]
BTN_COL = 35
BTN_PER = 5
_U = "/uploadfiles/gkml/"
BTN_ROWS = [
    Row("石砚县人防办2026年政务公开工作要点", "content.jsp?id=2311&colId=35", "2026-02-26"),
    Row(f"{BTN_NAME}2025年度政府信息公开工作年度报告", "content.jsp?id=2296&colId=35", "2026-01-16", 2025,
        (_U + "202601/20260116093512345.doc",)),
    Row(f"{BTN_NAME}2025年度部门预算公开", "content.jsp?id=2270&colId=35", "2025-12-30"),
    Row(f"{BTN_NAME}2024年政府信息公开工作年度报告", "content.jsp?id=2188&colId=35", "2025-01-20", 2024,
        (_U + "202501/20250120101122001.doc",)),
    Row(f"{BTN_NAME}2023年政府信息公开工作年度报告", "content.jsp?id=2050&colId=35", "2024-01-22", 2023),
    Row(f"{BTN_NAME}2023年工作总结及2024年工作计划", "content.jsp?id=2041&colId=35", "2024-01-05"),
    Row("石砚县人防办2022年度政府信息公开工作报告", "content.jsp?id=1902&colId=35", "2023-01-18", 2022),
    Row(f"{BTN_NAME}2021年度部门决算", "content.jsp?id=1810&colId=35", "2022-09-01"),
    Row(f"{BTN_NAME}2021年政府信息公开工作年度报告", "content.jsp?id=1755&colId=35", "2022-01-25", 2021,
        (_U + "202201/20220125160000888.doc",)),
    Row(f"{BTN_NAME}政府信息公开指南", "content.jsp?id=1520&colId=35", "2020-05-12"),
    Row(f"{BTN_NAME}2019年政府信息公开工作年度报告", "content.jsp?id=1433&colId=35", "2020-01-17", 2019),
    Row(f"{BTN_NAME}2019年人民防空工作要点", "content.jsp?id=1301&colId=35", "2019-03-11"),
    Row(f"{BTN_NAME}2018年政府信息公开工作年度报告", "content.jsp?id=1288&colId=35", "2019-01-29", 2018),
]
BTN_SCRIPT = """<script type="text/javascript">
var COL_ID = %d;
function drawButtons(p, total) {
  var h = '';
  h += '<button type="button" onclick="go(1)"' + (p == 1 ? ' disabled="disabled"' : '') + '>首页</button>';
  h += '<button type="button" onclick="go(' + (p - 1) + ')"' + (p == 1 ? ' disabled="disabled"' : '') + '>上一页</button>';
  for (var i = 1; i <= total; i++) {
    h += '<button type="button"' + (i == p ? ' class="cur"' : '') + ' onclick="go(' + i + ')">' + i + '</button>';
  }
  h += '<button type="button" class="next" onclick="go(' + (p + 1) + ')"' + (p >= total ? ' disabled="disabled"' : '') + '>下一页</button>';
  h += '<button type="button" onclick="go(' + total + ')"' + (p >= total ? ' disabled="disabled"' : '') + '>尾页</button>';
  h += '<span class="info">第' + p + '页/共' + total + '页</span>';
  document.getElementById('pageBtns').innerHTML = h;
}
function go(p) {
  var xhr = window.XMLHttpRequest ? new XMLHttpRequest() : new ActiveXObject('Microsoft.XMLHTTP');
  xhr.open('GET', 'listData.jsp?colId=' + COL_ID + '&pageNo=' + p + '&_=' + new Date().getTime(), true);
  xhr.onreadystatechange = function () {
    if (xhr.readyState == 4 && xhr.status == 200) {
      document.getElementById('infoList').innerHTML = xhr.responseText;
      drawButtons(p, parseInt(document.getElementById('totalPage').value, 10));
    }
  };
  xhr.send(null);
}
go(1);
</script>""" % BTN_COL


def btnrf(base: dict) -> JsSite:
    s = new_js_site("btnrf", BTN_NAME, "district", "湖南",
                    "HTML fragments loaded by go(p) into an empty div; <button onclick> pagers; GBK")
    pg = page_maker(BTN_NAME, BTN_NAV, "4307000019", enc="gbk", said_in="meta")
    add_home(s, pg, BTN_NAME, ("县人防办开展防空防灾知识进校园活动", "/rfdt/content.jsp?id=2320&colId=12", "2025-05-20"),
             paths=("/", "/index.jsp"))
    left = menu([("公开指南", "/gkml/zn/index.jsp"), ("公开制度", "/gkml/zd/index.jsp"), ("公开目录", "/gkml/ml/index.jsp"),
                 ("年度报告", "/gkml/nb/index.jsp")], title="政务公开", cls="leftnav")
    crumbs = [("首页", "/index.jsp"), ("政务公开", "/gkml/index.jsp")]
    s.add("/gkml/index.jsp", pg("政务公开", left + "<div class='right'>请选择栏目</div>", crumbs=crumbs))
    s.add("/gkml/nb/index.jsp", pg("年度报告", left + '<div class="right"><div class="tit">年度报告</div>'
                                   '<div class="infoList" id="infoList"></div><div class="pagebtns" id="pageBtns">'
                                   "</div></div>" + BTN_SCRIPT, crumbs=crumbs + [("年度报告", None)]))
    rows = [Row(r.title, "/gkml/nb/" + r.path, r.date, r.year, r.files) for r in BTN_ROWS]
    add_rows(s, pg, rows, name=BTN_NAME, renamed=BTN_NAME, crumbs=crumbs)
    pages = -(-len(rows) // BTN_PER)

    def fragment(q: dict) -> Page:
        no = min(max(int(q.get("pageNo") or 1), 1), pages) if q.get("colId") == str(BTN_COL) else 0
        part = rows[(no - 1) * BTN_PER:no * BTN_PER] if no else []
        trs = "".join(f'<tr><td class="t"><a href="{r.path.rsplit("/", 1)[1]}" target="_blank" title="{r.title}">'
                      f'{r.title}</a></td><td class="d">[{r.date}]</td></tr>' for r in part)
        text = (f'<input type="hidden" id="totalPage" value="{pages if no else 0}">'
                f'<table class="list" width="100%">{trs or "<tr><td>暂无信息</td></tr>"}</table>')
        return html_page(text, "gbk", validators=False)
    s.dynamic = endpoint("/gkml/nb/listData.jsp", fragment)
    s.feeds += [("GET", f"/gkml/nb/listData.jsp?colId={BTN_COL}&pageNo={n}", None) for n in range(1, pages + 1)]
    entries = {r.path for r in rows}
    s.probes.append(Probe("/gkml/nb/index.jsp", entries, {r.path.rsplit("/", 1)[1] for r in rows},
                          lambda page, snap: click_until_gone(page, snap, "#pageBtns button.next", "#infoList"),
                          "go(p) loads listData.jsp fragments; 下一页 <button> until disabled",
                          ready="#infoList a", says=rows[-1].title))
    return s



# ------------------------------------------------------------------ morerf
MORE_NAME = "凤鸣市人民防空办公室"
MORE_NAV = [("首页", "/index.shtml"), ("机构设置", "/jgsz/index.shtml"), ("人防动态", "/rfdt/index.shtml"),
            ("政务公开", "/zwgk/index.shtml"), ("防空防灾", "/fkfz/index.shtml")]
MORE_COL = 88
MORE_SHOWN = 5
_M = "/zwgk/ndbg/"
MORE_ROWS = [
    Row(f"{MORE_NAME}2025年政府信息公开工作年度报告", _M + "2026/0120/c88a6012.shtml", "2026-01-20", 2025,
        (_M + "2026/0120/P6012_1.pdf",)),
    Row(f"{MORE_NAME}2025年度政务公开工作总结", _M + "2026/0112/c88a5990.shtml", "2026-01-12"),
    Row(f"{MORE_NAME}2024年政府信息公开工作年度报告", _M + "2025/0121/c88a5421.shtml", "2025-01-21", 2024),
    Row(f"{MORE_NAME}2024年政务公开工作要点", _M + "2024/0301/c88a5008.shtml", "2024-03-01"),
    Row(f"{MORE_NAME}2023年政府信息公开工作年度报告", _M + "2024/0119/c88a4870.shtml", "2024-01-19", 2023,
        (_M + "2024/0119/P4870_1.docx",)),
    Row(f"{MORE_NAME}2022年政府信息公开工作年度报告", _M + "2023/0117/c88a4302.shtml", "2023-01-17", 2022),
    Row(f"{MORE_NAME}2022年度部门决算", _M + "2022/0830/c88a4111.shtml", "2022-08-30"),
    Row(f"{MORE_NAME}2021年政府信息公开工作年度报告", _M + "2022/0124/c88a3805.shtml", "2022-01-24", 2021),
    Row(f"{MORE_NAME}2020年政府信息公开工作年度报告", _M + "2021/0125/c88a3301.shtml", "2021-01-25", 2020,
        (_M + "2021/0125/P3301_1.pdf",)),
    Row(f"{MORE_NAME}2020年法治政府建设年度报告", _M + "2021/0115/c88a3266.shtml", "2021-01-15"),
    Row(f"{MORE_NAME}2019年政府信息公开工作年度报告", _M + "2020/0120/c88a2810.shtml", "2020-01-20", 2019),
    Row(f"{MORE_NAME}2018年政府信息公开工作年度报告", _M + "2019/0128/c88a2304.shtml", "2019-01-28", 2018),
    Row(f"{MORE_NAME}政府信息公开指南", _M + "2018/0601/c88a2050.shtml", "2018-06-01"),
    Row(f"{MORE_NAME}2017年政府信息公开工作年度报告", _M + "2018/0131/c88a1902.shtml", "2018-01-31", 2017),
]
MORE_SCRIPT = """<script>
(function () {
  const btn = document.getElementById('loadMore'), ul = document.getElementById('newsList');
  let offset = %d;
  const limit = 5;
  btn.addEventListener('click', async function () {
    btn.textContent = '加载中…';
    const res = await fetch(`/api/cms/more?colId=%d&offset=${offset}&limit=${limit}`);
    const data = await res.json();
    data.items.forEach(function (it) {
      const li = document.createElement('li');
      li.innerHTML = `<a href="${it.link}" target="_blank" title="${it.title}">${it.title}</a><span class="date">${it.pubDate}</span>`;
      ul.appendChild(li);
    });
    offset += data.items.length;
    if (data.hasMore) { btn.textContent = '加载更多'; } else { btn.parentNode.innerHTML = '<span class="nomore">没有更多了</span>'; }
  });
})();
</script>""" % (MORE_SHOWN, MORE_COL)


def morerf(base: dict) -> JsSite:
    s = new_js_site("morerf", MORE_NAME, "city", "陕西",
                    "5 entries in the HTML, the rest appended by a 加载更多 button (fetch, template literals)")
    pg = page_maker(MORE_NAME, MORE_NAV, "6103000027")
    add_home(s, pg, MORE_NAME, ("市人防办开展人防宣传教育进社区活动", "/rfdt/2025/0916/c12a6001.shtml", "2025-09-16"),
             paths=("/", "/index.shtml"))
    side = menu([("信息公开指南", "/zwgk/zn/index.shtml"), ("法定主动公开内容", "/zwgk/fdzd/index.shtml"),
                 ("政府信息公开年报", _M + "index.shtml")], title="政务公开")
    crumbs = [("首页", "/index.shtml"), ("政务公开", "/zwgk/index.shtml")]
    s.add("/zwgk/index.shtml", pg("政务公开", side, crumbs=crumbs))
    first = "".join(li(r.title, r.path, r.date) for r in MORE_ROWS[:MORE_SHOWN])
    s.add(_M + "index.shtml", pg("政府信息公开年报", side + f'<div class="list"><ul id="newsList">{first}</ul>'
                                 '<div class="more-box"><a href="javascript:;" id="loadMore">加载更多</a></div></div>'
                                 + MORE_SCRIPT, crumbs=crumbs + [("政府信息公开年报", None)]))
    add_rows(s, pg, MORE_ROWS, name=MORE_NAME, renamed=MORE_NAME, crumbs=crumbs)

    def more(q: dict) -> Page:
        rows = MORE_ROWS if q.get("colId") == str(MORE_COL) else []
        offset, limit = max(int(q.get("offset") or 0), 0), min(max(int(q.get("limit") or 5), 1), 10)
        part = rows[offset:offset + limit]
        body = {"hasMore": offset + limit < len(rows),
                "items": [{"title": r.title, "link": r.path, "pubDate": r.date} for r in part]}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", validators=False)
    s.dynamic = endpoint("/api/cms/more", more)
    s.feeds += [("GET", f"/api/cms/more?colId={MORE_COL}&offset={o}&limit=5", None)
                for o in range(MORE_SHOWN, len(MORE_ROWS), 5)]
    later = {r.path for r in MORE_ROWS[MORE_SHOWN:]}
    s.probes.append(Probe(_M + "index.shtml", {r.path for r in MORE_ROWS}, later,
                          lambda page, snap: click_until_gone(page, snap, "#loadMore", "#newsList"),
                          "加载更多 appends the older entries (fetch) until 没有更多了", ready="#loadMore"))
    return s


# ------------------------------------------------------------------ layrf
LAY_NAME, LAY_RENAMED = "安澜市人民防空办公室", "安澜市国防动员办公室"
LAY_NAV = [("首页", "/"), ("机构简介", "/jgjj/"), ("新闻中心", "/xwzx/"), ("信息公开", "/xxgk/"), ("人防工程", "/rfgc/")]
LAY_PER = 6
_L = "/xxgk/ndbg/"
LAY_ROWS = [
    Row(f"{LAY_RENAMED}2025年政府信息公开工作年度报告", _L + "content_3188.html", "2026-01-19", 2025,
        ("/uploadfile/2026/0119/20260119094512871.pdf",)),
    Row(f"{LAY_RENAMED}2025年度部门整体支出绩效评价报告", _L + "content_3170.html", "2026-01-08"),
    Row(f"{LAY_RENAMED}2024年政府信息公开工作年度报告", _L + "content_3010.html", "2025-01-20", 2024),
    Row(f"{LAY_RENAMED}2024年政务公开工作要点", _L + "content_2870.html", "2024-03-12"),
    Row(f"{LAY_RENAMED}2023年政府信息公开工作年度报告", _L + "content_2790.html", "2024-01-22", 2023,
        ("/uploadfile/2024/0122/20240122150011002.docx",)),
    Row(f"{LAY_NAME}2022年政府信息公开工作年度报告", _L + "content_2512.html", "2023-01-18", 2022),
    Row(f"安澜市人民政府2022年政府信息公开工作年度报告", _L + "content_2501.html", "2023-01-17"),
    Row(f"{LAY_NAME}2021年政府信息公开工作年度报告", _L + "content_2233.html", "2022-01-21", 2021),
    Row(f"{LAY_NAME}2021年度部门决算", _L + "content_2210.html", "2021-09-03"),
    Row(f"{LAY_NAME}2020年政府信息公开工作年度报告", _L + "content_1988.html", "2021-01-26", 2020),
    Row(f"{LAY_NAME}2019年政府信息公开工作年度报告", _L + "content_1710.html", "2020-01-19", 2019,
        ("/uploadfile/2020/0119/20200119101010101.pdf",)),
    Row(f"{LAY_NAME}2019年工作总结", _L + "content_1702.html", "2019-12-27"),
    Row(f"{LAY_NAME}政府信息公开指南", _L + "content_1500.html", "2019-05-20"),
]
LAYUI = r"""/** layui-v2.8.18-lite (安澜市人防网站 精简版) MIT License */
;!function (win) {
  "use strict";
  var doc = win.document, mods = {};
  mods.laypage = {
    render: function (o) {
      var elem = doc.getElementById(o.elem), pages = Math.ceil(o.count / o.limit) || 1;
      function draw(curr) {
        var h = '<div class="layui-box layui-laypage layui-laypage-default"><span class="layui-laypage-count">共 ' + o.count + ' 条</span>';
        h += curr > 1 ? '<a href="javascript:;" class="layui-laypage-prev" data-page="' + (curr - 1) + '">上一页</a>'
                      : '<a href="javascript:;" class="layui-laypage-prev layui-disabled">上一页</a>';
        for (var i = 1; i <= pages; i++) {
          h += i === curr ? '<span class="layui-laypage-curr"><em>' + i + '</em></span>'
                          : '<a href="javascript:;" data-page="' + i + '">' + i + '</a>';
        }
        h += curr < pages ? '<a href="javascript:;" class="layui-laypage-next" data-page="' + (curr + 1) + '">下一页</a>'
                          : '<a href="javascript:;" class="layui-laypage-next layui-disabled">下一页</a>';
        elem.innerHTML = h + '</div>';
        var as = elem.querySelectorAll('a[data-page]');
        for (var j = 0; j < as.length; j++) as[j].onclick = function () {
          var n = +this.getAttribute('data-page');
          draw(n);
          o.jump({curr: n, limit: o.limit, pages: pages}, false);
        };
      }
      draw(o.curr || 1);
      o.jump({curr: o.curr || 1, limit: o.limit, pages: pages}, true);
    }
  };
  win.layui = {
    v: '2.8.18',
    use: function (names, cb) {
      names = typeof names === 'string' ? [names] : names;
      setTimeout(function () { cb.apply(win, names.map(function (n) { return mods[n]; })); }, 0);
    }
  };
}(window);
"""
LAY_SCRIPT = """<script src="/static/layui/layui.js"></script>
<script>
layui.use(['laypage'], function (laypage) {
  var catalogId = 'ndbg', pageSize = %d;
  function getList(curr, done) {
    fetch('/xxgk/api/list', {method: 'POST', headers: {'Content-Type': 'application/json;charset=UTF-8'},
                             body: JSON.stringify({catalogId: catalogId, pageIndex: curr, pageSize: pageSize})})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        var h = '';
        res.data.records.forEach(function (it) {
          h += '<li><a href="' + it.url + '" target="_blank" title="' + it.title + '">' + it.title + '</a><span>' + it.publishDate + '</span></li>';
        });
        document.getElementById('dataList').innerHTML = h;
        if (done) done(res.data.total);
      });
  }
  getList(1, function (total) {
    laypage.render({elem: 'pageBox', count: total, limit: pageSize, jump: function (obj, first) { if (!first) getList(obj.curr); }});
  });
});
</script>""" % LAY_PER


def layrf(base: dict) -> JsSite:
    s = new_js_site("layrf", LAY_NAME, "city", "浙江",
                    "layui laypage: jump(obj) POSTs a JSON body {catalogId, pageIndex, pageSize} to the list API")
    pg = page_maker(LAY_RENAMED, LAY_NAV, "3310000061")
    add_home(s, pg, LAY_RENAMED, ("市国动办召开2025年人防工作会议", "/xwzx/2025/0312/content_3030.html", "2025-03-12"))
    side = menu([("政府信息公开指南", "/xxgk/zn/"), ("政府信息公开制度", "/xxgk/zd/"), ("法定主动公开内容", "/xxgk/fdzd/"),
                 ("政府信息公开年度报告", _L)], title="信息公开", cls="layui-nav-tree")
    crumbs = [("首页", "/"), ("信息公开", "/xxgk/")]
    s.add("/xxgk/", pg("信息公开", side, crumbs=crumbs))
    s.add(_L, pg("政府信息公开年度报告", side + '<div class="list"><ul id="dataList"></ul><div id="pageBox"></div></div>'
                 + LAY_SCRIPT, crumbs=crumbs + [("政府信息公开年度报告", None)]))
    s.add("/static/layui/layui.js", js(LAYUI))
    add_rows(s, pg, LAY_ROWS, name=LAY_NAME, renamed=LAY_RENAMED, crumbs=crumbs)

    def api(query: dict, raw: bytes, headers) -> Page:
        try:
            ask = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Page(b'{"code":400,"msg":"\\u53c2\\u6570\\u9519\\u8bef"}', "application/json", status=400,
                        validators=False)
        rows = LAY_ROWS if ask.get("catalogId") == "ndbg" else []
        size = min(max(int(ask.get("pageSize") or 10), 1), 20)
        no = max(int(ask.get("pageIndex") or 1), 1)
        body = {"code": 0, "msg": "success", "data": {"total": len(rows), "records": [
            {"id": int(r.path.rsplit("_", 1)[1][:-5]), "title": r.title, "url": r.path, "publishDate": r.date}
            for r in rows[(no - 1) * size:no * size]]}}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    s.raw_post["/xxgk/api/list"] = api
    entries = {r.path for r in LAY_ROWS}
    s.probes.append(Probe(_L, entries, entries,
                          lambda page, snap: click_until_gone(page, snap, "#pageBox a.layui-laypage-next[data-page]",
                                                              "#dataList"),
                          "laypage's jump POSTs JSON to /xxgk/api/list; 下一页 until the last page", ready="#dataList a"))
    return s


# ------------------------------------------------------------------ nuxtrf
NUXT_NAME, NUXT_RENAMED = "澄湖区人民防空办公室", "澄湖区国防动员办公室"
NUXT_PER = 6
_N = "/xxgk/ndbg/"
NUXT_ROWS = [
    Row(f"{NUXT_RENAMED}2025年政府信息公开工作年度报告", _N + "202601/t20260119_512.html", "2026-01-19", 2025,
        (_N + "202601/P020260119512001.pdf",)),
    Row(f"{NUXT_RENAMED}2025年政务公开工作要点", _N + "202503/t20250306_470.html", "2025-03-06"),
    Row(f"{NUXT_RENAMED}2024年政府信息公开工作年度报告", _N + "202501/t20250120_455.html", "2025-01-20", 2024),
    Row(f"{NUXT_RENAMED}2023年政府信息公开工作年度报告", _N + "202401/t20240118_401.html", "2024-01-18", 2023),
    Row(f"{NUXT_RENAMED}2023年度部门决算", _N + "202309/t20230901_380.html", "2023-09-01"),
    Row(f"{NUXT_NAME}2022年政府信息公开工作年度报告", _N + "202301/t20230117_342.html", "2023-01-17", 2022,
        (_N + "202301/P020230117342001.pdf",)),
    Row(f"{NUXT_NAME}2022年法治政府建设情况报告", _N + "202212/t20221226_330.html", "2022-12-26"),
    Row(f"{NUXT_NAME}2021年政府信息公开工作年度报告", _N + "202201/t20220121_291.html", "2022-01-21", 2021),
    Row(f"{NUXT_NAME}2020年政府信息公开工作年度报告", _N + "202101/t20210125_240.html", "2021-01-25", 2020),
    Row(f"{NUXT_NAME}2020年工作总结", _N + "202012/t20201229_236.html", "2020-12-29"),
    Row(f"{NUXT_NAME}政府信息公开指南", _N + "202006/t20200605_210.html", "2020-06-05"),
]
NUXT_APP = """/* _nuxt/app: the client renders the page from the server's state (window.__NUXT__) */
(function () {
  var state = window.__NUXT__, d = state.data[0], h = '<div class="list-page"><h3>' + d.column.name + '</h3><ul class="list">';
  d.list.forEach(function (it) {
    h += '<li><a href="' + it.path + '" target="_blank" title="' + it.title + '">' + it.title + '</a><span>' + it.date + '</span></li>';
  });
  h += '</ul><div class="pagination">';
  for (var p = 1; p <= d.pageCount; p++) {
    h += p === d.page ? '<span class="active">' + p + '</span>' : '<a href="' + state.routePath + '?page=' + p + '">' + p + '</a>';
  }
  document.getElementById('__layout').innerHTML = h + '</div></div>';
})();
"""


def _nuxt_state(rows: list[Row], page: int, pages: int) -> str:
    """``window.__NUXT__`` as Nuxt 2 prints it: an IIFE whose repeated values are parameters,
    every "/" escaped as \\u002F (so no path is written out whole)."""
    def esc(text: str) -> str:
        return json.dumps(text, ensure_ascii=False).replace("/", "\\u002F")
    months = sorted({r.path[len(_N):].split("/")[0] for r in rows})
    params = ["a", "b"] + [chr(ord("c") + i) for i in range(len(months))]
    args = [esc(_N), esc(NUXT_RENAMED)] + [esc(m + "/") for m in months]
    items = ",".join("{title:%s,path:a+%s+%s,date:%s}" % (esc(r.title), params[2 + months.index(r.path[len(_N):].split("/")[0])],
                                                           esc(r.path.rsplit("/", 1)[1]), esc(r.date)) for r in rows)
    return ("window.__NUXT__=(function(%s){return {layout:\"default\",data:[{column:{name:\"政府信息公开年度报告\","
            "code:\"ndbg\"},list:[%s],page:%d,pageCount:%d}],fetch:{},error:null,state:{site:{name:b}},"
            "serverRendered:true,routePath:a,config:{_app:{basePath:\"\\u002F\",assetsPath:\"\\u002F_nuxt\\u002F\"}}}}"
            "(%s));" % (",".join(params), items, page, pages, ",".join(args)))


def nuxtrf(base: dict) -> JsSite:
    s = new_js_site("nuxtrf", NUXT_NAME, "district", "江苏",
                    "Nuxt: the list is window.__NUXT__ (an IIFE, paths split into parameters, \\u002F) rendered by app.js")
    nav = [("首页", "/"), ("机构职能", "/jgzn/"), ("工作动态", "/gzdt/"), ("信息公开", "/xxgk/"), ("互动交流", "/hdjl/")]
    pg = page_maker(NUXT_RENAMED, nav, "3205000072")
    add_home(s, pg, NUXT_RENAMED, ("区国动办开展防空警报试鸣宣传", "/gzdt/202509/t20250918_501.html", "2025-09-18"))
    side = menu([("信息公开指南", "/xxgk/zn/"), ("信息公开制度", "/xxgk/zd/"), ("政府信息公开年度报告", _N)], cls="xxgk-side")
    s.add("/xxgk/", pg("信息公开", side, crumbs=[("首页", "/"), ("信息公开", None)]))
    pages = -(-len(NUXT_ROWS) // NUXT_PER)

    def list_page(no: int) -> Page:
        rows = NUXT_ROWS[(no - 1) * NUXT_PER:no * NUXT_PER]
        text = (f'<!doctype html><html data-n-head-ssr lang="zh-CN"><head><meta charset="utf-8">'
                f'<title>政府信息公开年度报告 - {NUXT_RENAMED}</title><meta data-n-head="ssr" name="viewport" '
                'content="width=device-width,initial-scale=1"><link rel="preload" href="/_nuxt/app.9c2e1d.js" as="script">'
                '</head><body><div data-server-rendered="true" id="__nuxt"><div id="__layout">'
                '<div class="page-loading">加载中…</div></div></div>'
                f"<script>{_nuxt_state(rows, no, pages)}</script>"
                '<script src="/_nuxt/app.9c2e1d.js" defer></script></body></html>')
        return html_page(text, validators=False)
    s.add("/_nuxt/app.9c2e1d.js", js(NUXT_APP))

    def dynamic(path: str) -> Page | None:
        if path == _N:
            return list_page(1)
        if path.startswith(_N + "?page="):
            tail = path[len(_N) + 6:]
            return list_page(min(max(int(tail), 1), pages)) if tail.isdigit() else list_page(1)
        return None
    s.dynamic = dynamic
    add_rows(s, pg, NUXT_ROWS, name=NUXT_NAME, renamed=NUXT_RENAMED)
    s.feeds += [("GET", f"{_N}?page={n}", None) for n in range(1, pages + 1)]
    first = {r.path for r in NUXT_ROWS[:NUXT_PER]}

    def drive(page, snap):
        with page.expect_navigation():
            page.click("#__layout .pagination a")
        page.wait_for_selector("#__layout ul.list a")
        snap()
    s.probes.append(Probe(_N, {r.path for r in NUXT_ROWS}, first, drive,
                          "app.js renders window.__NUXT__ (paths built from the IIFE's parameters); page 2 alike",
                          ready="#__layout ul.list a"))
    return s


# ------------------------------------------------------------------ sparf
SPA_NAME, SPA_RENAMED = "楚汀市人民防空办公室", "楚汀市国防动员办公室"
SPA_API = "/prod-api"
SPA_PER = 5
# (articleId, title, publishTime, year or None, attachment files (name, path))
SPA_ROWS = [
    (3310, f"{SPA_RENAMED}2025年政府信息公开工作年度报告", "2026-01-20 09:30:00", 2025,
     [("楚汀市国防动员办公室2025年政府信息公开工作年度报告.pdf", "/prod-api/profile/upload/2026/01/20/a81f3c2d.pdf")]),
    (3302, f"{SPA_RENAMED}2025年度部门整体支出绩效自评报告", "2026-01-09 16:00:00", None,
     [("绩效自评报告.pdf", "/prod-api/profile/upload/2026/01/09/77b1e0aa.pdf")]),
    (3150, f"{SPA_RENAMED}2024年政府信息公开工作年度报告", "2025-01-21 10:00:00", 2024,
     [("2024年年报.pdf", "/prod-api/profile/upload/2025/01/21/5d2e9b10.pdf")]),
    (3101, f"{SPA_RENAMED}2024年政务公开工作要点", "2024-03-08 10:00:00", None, []),
    (2988, f"{SPA_RENAMED}2023年政府信息公开工作年度报告", "2024-01-18 11:20:00", 2023, []),
    (2810, f"{SPA_NAME}2022年政府信息公开工作年度报告", "2023-01-16 15:00:00", 2022,
     [("2022年政府信息公开工作年度报告.docx", "/prod-api/profile/upload/2023/01/16/0c4f7d61.docx")]),
    (2790, f"{SPA_NAME}2022年度部门决算公开", "2022-09-05 09:00:00", None,
     [("2022年度部门决算.pdf", "/prod-api/profile/upload/2022/09/05/1a2b3c4d.pdf")]),
    (2630, f"{SPA_NAME}2021年政府信息公开工作年度报告", "2022-01-24 09:00:00", 2021, []),
    (2440, f"{SPA_NAME}2020年政府信息公开工作年度报告", "2021-01-25 09:00:00", 2020,
     [("2020年年报.pdf", "/prod-api/profile/upload/2021/01/25/9e8d7c6b.pdf")]),
    (2301, f"{SPA_NAME}2019年政府信息公开工作年度报告", "2020-01-21 09:00:00", 2019,
     [("2019年年报.pdf", "/prod-api/profile/upload/2020/01/21/4f5e6d7c.pdf")]),
    (2200, f"{SPA_NAME}政府信息公开指南", "2019-06-10 09:00:00", None, []),
]
SPA_COLUMNS = [
    {"code": "home", "name": "首页", "children": []},
    {"code": "jgzn", "name": "机构职能", "children": []},
    {"code": "xxgk", "name": "政府信息公开", "children": [
        {"code": "xxgkzn", "name": "政府信息公开指南"}, {"code": "fdzdgk", "name": "法定主动公开内容"},
        {"code": "ndbg", "name": "政府信息公开年报"}]},
    {"code": "gzdt", "name": "工作动态", "children": []},
]
SPA_INDEX = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{SPA_RENAMED}</title>
<link href="/static/css/app.4e5f6a.css" rel="stylesheet"></head>
<body><noscript><strong>很抱歉，{SPA_RENAMED}网站需要启用JavaScript才能正常浏览。</strong></noscript><div id="app"></div>
<script src="/config.js"></script><script src="/static/js/app.7d8e9f.js"></script></body></html>"""
SPA_CONFIG = """window.__APP_CONFIG__ = {
  VUE_APP_TITLE: '楚汀市国防动员办公室',
  VUE_APP_BASE_API: '%s',
  SITE_ID: 12
};
""" % SPA_API
SPA_APP = """(function () {
  'use strict';
  var cfg = window.__APP_CONFIG__, app = document.getElementById('app'), columns = [];
  function get(url) { return fetch(cfg.VUE_APP_BASE_API + url, {headers: {'Accept': 'application/json'}}).then(function (r) { return r.json(); }); }
  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function frame(inner) {
    var nav = columns.map(function (c) { return '<li><a href="#/' + (c.code === 'home' ? '' : 'column/' + c.code) + '">' + esc(c.name) + '</a></li>'; }).join('');
    app.innerHTML = '<div class="header"><h1>' + esc(cfg.VUE_APP_TITLE) + '</h1><ul class="nav">' + nav + '</ul></div><div class="main">' + inner + '</div>';
  }
  var views = {
    home: function () { frame('<div class="banner">人民防空 利国利民</div>'); },
    column: function (code) {
      var col = columns.filter(function (c) { return c.code === code; })[0] || {name: '', children: []};
      frame('<h2>' + esc(col.name) + '</h2><ul class="sub">' + col.children.map(function (c) {
        return '<li><a href="#/list/' + c.code + '/1">' + esc(c.name) + '</a></li>'; }).join('') + '</ul>');
    },
    list: function (code, page) {
      page = +page;
      get('/cms/article/list?columnCode=' + code + '&pageNum=' + page + '&pageSize=%d').then(function (res) {
        var pages = Math.ceil(res.total / %d), h = '<ul class="article-list">';
        res.rows.forEach(function (r) {
          h += '<li><a href="#/detail/' + r.articleId + '">' + esc(r.title) + '</a><span>' + r.publishTime.slice(0, 10) + '</span></li>';
        });
        h += '</ul><div class="pagination">';
        if (page > 1) h += '<a class="prev" href="#/list/' + code + '/' + (page - 1) + '">上一页</a>';
        h += '<span>' + page + ' / ' + pages + '</span>';
        if (page < pages) h += '<a class="next" href="#/list/' + code + '/' + (page + 1) + '">下一页</a>';
        frame(h + '</div>');
      });
    },
    detail: function (id) {
      get('/cms/article/' + id).then(function (res) {
        var a = res.data, files = (a.attachments || []).map(function (f) {
          return '<li><a href="' + f.url + '" target="_blank">' + esc(f.name) + '</a></li>'; }).join('');
        frame('<div class="article"><h1>' + esc(a.title) + '</h1><div class="info">发布时间：' + a.publishTime + '</div>'
              + '<div class="content">' + a.content + '</div>' + (files ? '<ul class="files">' + files + '</ul>' : '') + '</div>');
      });
    }
  };
  function route() {
    var m, h = location.hash || '#/';
    if ((m = /^#\\/column\\/(\\w+)$/.exec(h))) return views.column(m[1]);
    if ((m = /^#\\/list\\/(\\w+)\\/(\\d+)$/.exec(h))) return views.list(m[1], m[2]);
    if ((m = /^#\\/detail\\/(\\d+)$/.exec(h))) return views.detail(m[1]);
    return views.home();
  }
  get('/cms/column/tree?siteId=' + cfg.SITE_ID).then(function (res) {
    columns = res.data;
    window.addEventListener('hashchange', route);
    route();
  });
})();
""" % (SPA_PER, SPA_PER)


def spa_detail(article_id: int) -> str:
    return f"{SPA_API}/cms/article/{article_id}"


def sparf(base: dict) -> JsSite:
    s = new_js_site("sparf", SPA_NAME, "city", "湖北",
                    "hash-routed single-page app (#/list/ndbg/2, #/detail/ID); API base only in /config.js")
    s.add("/", html_page(SPA_INDEX))
    s.add("/index.html", html_page(SPA_INDEX))
    s.add("/config.js", js(SPA_CONFIG))
    s.add("/static/js/app.7d8e9f.js", js(SPA_APP))

    def answer(body: dict) -> Page:
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    for aid, title, when, year, files in SPA_ROWS:
        flag = {"year": year} if year else {"listed_as_distractor": True}
        office = SPA_RENAMED if "国防动员" in title else SPA_NAME
        content = report_text(office, year) if year else "<p>……</p>"
        detail = {"code": 200, "msg": "操作成功", "data": {
            "articleId": aid, "title": title, "publishTime": when, "columnCode": "ndbg", "content": content,
            "attachments": [{"name": n, "url": u} for n, u in files]}}
        s.add(spa_detail(aid), answer(detail), **({} if files and year else flag))
        for name, path in files:
            s.add(path, file_page(Row(title, path, when), name), **flag)
    s.add(f"{SPA_API}/cms/column/tree?siteId=12", answer({"code": 200, "msg": "操作成功", "data": SPA_COLUMNS}))

    def article_list(q: dict) -> Page:
        rows = SPA_ROWS if q.get("columnCode") == "ndbg" else []
        size = min(max(int(q.get("pageSize") or 10), 1), 50)
        no = max(int(q.get("pageNum") or 1), 1)
        return answer({"code": 200, "msg": "查询成功", "total": len(rows), "rows": [
            {"articleId": aid, "title": t, "publishTime": w} for aid, t, w, _, _ in rows[(no - 1) * size:no * size]]})
    s.dynamic = endpoint(f"{SPA_API}/cms/article/list", article_list)
    pages = -(-len(SPA_ROWS) // SPA_PER)
    s.feeds += [("GET", f"{SPA_API}/cms/column/tree?siteId=12", None)]
    s.feeds += [("GET", f"{SPA_API}/cms/article/list?columnCode=ndbg&pageNum={n}&pageSize={SPA_PER}", None)
                for n in range(1, pages + 1)]
    s.feeds += [("GET", spa_detail(aid), None) for aid, *_ in SPA_ROWS]
    details = {f"/#/detail/{aid}" for aid, *_ in SPA_ROWS}

    def drive(page, snap):
        """首页 → 政府信息公开 → 政府信息公开年报 → 下一页 … → the newest report's page."""
        for link in ("政府信息公开", "政府信息公开年报"):
            before = page.inner_html("#app")
            page.click(f"#app a:text-is('{link}')")
            wait_changed(page, "#app", before)
        page.wait_for_selector("#app .article-list a")
        snap()
        click_until_gone(page, snap, "#app .pagination a.next", "#app")
        page.evaluate(f"location.hash = '#/detail/{SPA_ROWS[0][0]}'")
        page.wait_for_selector("#app ul.files a")
        snap()
    newest = {p for _, p in SPA_ROWS[0][4]}
    s.probes.append(Probe("/", details | newest | {spa_detail(SPA_ROWS[0][0])}, details | newest | {"/prod-api"},
                          drive, "the app routes #/column, #/list/ndbg/N, #/detail/ID over the API named in config.js",
                          ready="#app .nav a"))
    return s


# ------------------------------------------------------------------ dwrf
DW_NAME = "青溪县人民防空办公室"
DW_NAV = [("首页", "/index.html"), ("机构概况", "/jggk/index.html"), ("工作动态", "/gzdt/index.html"),
          ("信息公开", "/xxgk/index.html"), ("便民服务", "/bmfw/index.html")]
_D = "/xxgk/ndbg/"
DW_PER = 6
DW_ROWS = [   # relative to the column, as TRS writes them into its js 调用 files; no 2022 report was published
    Row(f"{DW_NAME}2025年政府信息公开工作年度报告", "./202601/t20260116_8812.html", "2026-01-16", 2025,
        ("./202601/P020260116881201.pdf",)),
    Row(f"{DW_NAME}2025年政务公开工作要点", "./202503/t20250311_8501.html", "2025-03-11"),
    Row(f"{DW_NAME}2024年政府信息公开工作年度报告", "./202501/t20250122_8330.html", "2025-01-22", 2024),
    Row(f"{DW_NAME}2023年政府信息公开工作年度报告", "./202401/t20240119_8002.html", "2024-01-19", 2023,
        ("./202401/P020240119800201.doc",)),
    Row(f"{DW_NAME}2023年度部门决算", "./202309/t20230908_7790.html", "2023-09-08"),
    Row(f"{DW_NAME}2022年度工作总结", "./202212/t20221230_7520.html", "2022-12-30"),
    Row(f"{DW_NAME}2021年政府信息公开工作年度报告", "./202201/t20220125_7013.html", "2022-01-25", 2021),
    Row(f"{DW_NAME}2020年政府信息公开工作年度报告", "./202101/t20210122_6540.html", "2021-01-22", 2020),
    Row(f"{DW_NAME}2019年政府信息公开工作年度报告", "./202001/t20200117_6001.html", "2020-01-17", 2019),
    Row(f"{DW_NAME}2019年部门预算", "./201902/t20190225_5870.html", "2019-02-25"),
    Row(f"{DW_NAME}2018年政府信息公开工作年度报告", "./201901/t20190130_5702.html", "2019-01-30", 2018),
]


def _dw_js(rows: list[Row]) -> str:
    """A TRS 'js 调用' file: the list written into the page with document.writeln."""
    def w(line: str) -> str:
        return 'document.writeln("' + line.replace("\\", "\\\\").replace('"', '\\"') + '");\n'
    return (w('<ul class="list">') + "".join(w(li(r.title, r.path, r.date).strip()) for r in rows) + w("</ul>"))


def dwrf(base: dict) -> JsSite:
    s = new_js_site("dwrf", DW_NAME, "district", "安徽",
                    "the list is document.writeln'd by a GBK script file (TRS js 调用); no 2022 report")
    pg = page_maker(DW_NAME, DW_NAV, "3411000056", enc="gbk")
    add_home(s, pg, DW_NAME, ("县人防办组织开展人防知识进校园活动", "/gzdt/202510/t20251009_8890.html", "2025-10-09"),
             paths=("/", "/index.html"))
    side = menu([("信息公开指南", "/xxgk/zn/index.html"), ("信息公开制度", "/xxgk/zd/index.html"),
                 ("政府信息公开年度报告", _D + "index.html")], title="信息公开")
    crumbs = [("首页", "/index.html"), ("信息公开", "/xxgk/index.html")]
    s.add("/xxgk/index.html", pg("信息公开", side, crumbs=crumbs))
    chunks = [DW_ROWS[i:i + DW_PER] for i in range(0, len(DW_ROWS), DW_PER)]
    for k, chunk in enumerate(chunks):
        stem = "index" if k == 0 else f"index_{k}"
        pager = "".join(f'<a href="{"index" if j == 0 else f"index_{j}"}.html">{j + 1}</a> ' if j != k else
                        f"<span>{j + 1}</span> " for j in range(len(chunks)))
        nxt = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < len(chunks) else ""
        s.add(_D + stem + ".html", pg("政府信息公开年度报告", side + '<div class="list-box">'
                                      f'<script type="text/javascript" src="/xxgk/ndbg/{stem}.js"></script></div>'
                                      f'<div class="page">{pager}{nxt}</div>', crumbs=crumbs + [("政府信息公开年度报告", None)]))
        s.add(f"{_D}{stem}.js", js(_dw_js(chunk), "gbk", charset_header=False))
    rows = [Row(r.title, _D + r.path[2:], r.date, r.year, tuple(_D + f[2:] for f in r.files)) for r in DW_ROWS]
    add_rows(s, pg, rows, name=DW_NAME, renamed=DW_NAME, crumbs=crumbs,
             links=lambda row: "".join(f'<p><a href="./{f.rsplit("/", 1)[1]}">{row.title}.{f.rsplit(".", 1)[1]}</a></p>'
                                       for f in row.files))
    for k, chunk in enumerate(chunks):
        stem = "index" if k == 0 else f"index_{k}"
        paths = {_D + r.path[2:] for r in chunk}
        s.probes.append(Probe(f"{_D}{stem}.html", paths, {r.path for r in chunk}, None,
                              "a GBK script file writes the list into the page (document.writeln)", ready="ul.list a",
                              says=chunk[0].title))
    return s


# ------------------------------------------------------------------ tplrf
TPL_NAME = "邕岸市人民防空办公室"
TPL_NAV = [("首页", "/"), ("机构设置", "/jgsz/"), ("人防要闻", "/rfyw/"), ("政务公开", "/zwgk/"), ("人防科普", "/rfkp/")]
_T = "/zwgk/nb/"
TPL_PER = 4
TPL_ROWS = [
    Row(f"{TPL_NAME}2025年政府信息公开工作年度报告", _T + "2026/01/21/art_7721_60912.html", "2026-01-21", 2025,
        ("/module/download/downfile.jsp?classid=0&filename=ab12cd34.pdf",)),
    Row(f"{TPL_NAME}2025年度法治政府建设情况报告", _T + "2026/01/12/art_7721_60840.html", "2026-01-12"),
    Row(f"{TPL_NAME}2024年政府信息公开工作年度报告", _T + "2025/01/20/art_7721_57701.html", "2025-01-20", 2024),
    Row(f"{TPL_NAME}2024年政务公开工作要点", _T + "2024/03/04/art_7721_54010.html", "2024-03-04"),
    Row(f"{TPL_NAME}2023年政府信息公开工作年度报告", _T + "2024/01/19/art_7721_53302.html", "2024-01-19", 2023),
    Row(f"{TPL_NAME}2022年政府信息公开工作年度报告", _T + "2023/01/18/art_7721_48820.html", "2023-01-18", 2022,
        ("/module/download/downfile.jsp?classid=0&filename=9f8e7d6c.docx",)),
    Row(f"{TPL_NAME}2022年度部门决算", _T + "2022/09/06/art_7721_46012.html", "2022-09-06"),
    Row(f"{TPL_NAME}2021年政府信息公开工作年度报告", _T + "2022/01/24/art_7721_43001.html", "2022-01-24", 2021),
    Row(f"{TPL_NAME}2020年政府信息公开工作年度报告", _T + "2021/01/26/art_7721_39005.html", "2021-01-26", 2020),
    Row(f"{TPL_NAME}政府信息公开指南", _T + "2020/06/02/art_7721_35510.html", "2020-06-02"),
]
AVALON = r"""/*! avalon.lite — ms-controller / ms-for / ms-attr / ms-text / ms-visible / ms-click and {{ }} */
(function (win) {
  var vms = {};
  function expr(code, vm) {
    return new Function('vm', 'with (vm) { return (' + code.replace(/@/g, 'vm.') + '); }')(vm);
  }
  function text(tpl, vm) {
    return tpl.replace(/\{\{\s*([^}]+?)\s*\}\}/g, function (m, code) { var v = expr(code, vm); return v == null ? '' : v; });
  }
  function render(root, vm) {
    root.querySelectorAll('[ms-for]').forEach(function (node) {
      if (!node.__tpl) { node.__tpl = node.outerHTML; node.__parent = node.parentNode; node.__mark = document.createComment('ms-for'); node.parentNode.insertBefore(node.__mark, node); }
    });
    root.querySelectorAll('[data-ms-clone]').forEach(function (n) { n.remove(); });
    root.__fors = root.__fors || Array.prototype.slice.call(root.querySelectorAll('[ms-for]'));
    root.__fors.forEach(function (node) {
      var m = /^\s*(\w+)\s+in\s+(.+)$/.exec(node.getAttribute('ms-for')), list = expr(m[2], vm);
      if (node.parentNode) node.parentNode.removeChild(node);
      list.forEach(function (item) {
        var box = document.createElement('div');
        var scope = Object.create(vm); scope[m[1]] = item;
        box.innerHTML = text(node.__tpl, scope);
        var el = box.firstElementChild;
        el.removeAttribute('ms-for'); el.setAttribute('data-ms-clone', '');
        [el].concat(Array.prototype.slice.call(el.querySelectorAll('[ms-attr]'))).forEach(function (n) {
          var a = n.getAttribute('ms-attr');
          if (!a) return;
          var obj = expr(a, scope);
          for (var k in obj) n.setAttribute(k, obj[k]);
          n.removeAttribute('ms-attr');
        });
        node.__mark.parentNode.insertBefore(el, node.__mark);
      });
    });
    root.querySelectorAll('[ms-text]').forEach(function (n) { n.textContent = expr(n.getAttribute('ms-text'), vm); });
    root.querySelectorAll('[ms-visible]').forEach(function (n) { n.style.display = expr(n.getAttribute('ms-visible'), vm) ? '' : 'none'; });
    root.querySelectorAll('[ms-click]').forEach(function (n) {
      if (n.__bound) return;
      n.__bound = true;
      n.addEventListener('click', function () { expr(n.getAttribute('ms-click'), vm); });
    });
  }
  win.avalon = {
    define: function (def) {
      var vm = def, root = document.querySelector('[ms-controller="' + def.$id + '"]');
      vm.$render = function () { render(root, vm); };
      vms[def.$id] = vm;
      return vm;
    },
    scan: function () { for (var id in vms) vms[id].$render(); }
  };
})(window);
"""
TPL_LIST_JS = """(function () {
  var seq = 0;
  function jsonp(url, cb) {
    var name = 'jsonp_' + new Date().getTime() + '_' + (seq++), s = document.createElement('script');
    window[name] = function (data) { delete window[name]; s.parentNode.removeChild(s); cb(data); };
    s.src = url + (url.indexOf('?') < 0 ? '?' : '&') + 'callback=' + name;
    document.body.appendChild(s);
  }
  var init = JSON.parse(document.getElementById('listData').textContent);
  var vm = avalon.define({
    $id: 'nbList', rows: init.rows, page: init.page, pages: init.pages,
    go: function (n) {
      jsonp('/zwgk/nb/list.jsonp?unitid=7721&page=' + n, function (d) { vm.rows = d.rows; vm.page = d.page; vm.pages = d.pages; vm.$render(); });
    }
  });
  avalon.scan();
})();
"""


def tplrf(base: dict) -> JsSite:
    s = new_js_site("tplrf", TPL_NAME, "city", "广西",
                    "an avalon-like ms-for template rendered from <script type=application/json>; later pages by JSONP "
                    "with a generated callback name")
    pg = page_maker(TPL_NAME, TPL_NAV, "4501000083")
    add_home(s, pg, TPL_NAME, ("市人防办开展城市防空袭演练", "/rfyw/2025/9/18/art_7701_60001.html", "2025-09-18"))
    side = menu([("政府信息公开指南", "/zwgk/zn/"), ("政府信息公开制度", "/zwgk/zd/"), ("政府信息公开年报", _T)],
                title="政务公开")
    crumbs = [("首页", "/"), ("政务公开", "/zwgk/")]
    s.add("/zwgk/", pg("政务公开", side, crumbs=crumbs))
    pages = -(-len(TPL_ROWS) // TPL_PER)

    def data(no: int) -> dict:
        return {"page": no, "pages": pages, "rows": [{"title": r.title, "link": r.path, "date": r.date}
                                                     for r in TPL_ROWS[(no - 1) * TPL_PER:no * TPL_PER]]}
    template = ('<div ms-controller="nbList" class="list-box"><ul class="list">'
                '<li ms-for="el in @rows"><a ms-attr="{href: el.link, title: el.title}" target="_blank">{{el.title}}</a>'
                '<span class="date">{{el.date}}</span></li></ul><div class="pager">'
                '<a href="javascript:;" class="prev" ms-visible="@page > 1" ms-click="@go(@page - 1)">上一页</a>'
                '<span class="num" ms-text="@page + \' / \' + @pages"></span>'
                '<a href="javascript:;" class="next" ms-visible="@page < @pages" ms-click="@go(@page + 1)">下一页</a>'
                "</div></div>")
    inline = json.dumps(data(1), ensure_ascii=False).replace("</", "<\\/")
    s.add(_T, pg("政府信息公开年报", side + template + f'<script type="application/json" id="listData">{inline}</script>'
                 '<script src="/js/avalon.lite.js"></script><script src="/zwgk/nb/list.js"></script>',
                 crumbs=crumbs + [("政府信息公开年报", None)]))
    s.add("/js/avalon.lite.js", js(AVALON))
    s.add("/zwgk/nb/list.js", js(TPL_LIST_JS))
    add_rows(s, pg, TPL_ROWS, name=TPL_NAME, renamed=TPL_NAME, crumbs=crumbs)

    def jsonp(q: dict) -> Page:
        no = min(max(int(q.get("page") or 1), 1), pages) if q.get("unitid") == "7721" else 1
        body = data(no) if q.get("unitid") == "7721" else {"page": 1, "pages": 0, "rows": []}
        cb = q.get("callback") or "callback"
        if not cb.replace("_", "").isalnum():
            return Page(b"bad callback", status=400, validators=False)
        return Page(f"{cb}({json.dumps(body, ensure_ascii=False)});".encode("utf-8"),
                    "application/javascript;charset=UTF-8", validators=False)
    s.dynamic = endpoint("/zwgk/nb/list.jsonp", jsonp)
    s.feeds += [("GET", f"/zwgk/nb/list.jsonp?unitid=7721&page={n}&callback=jsonp_1", None) for n in range(1, pages + 1)]
    later = {r.path for r in TPL_ROWS[TPL_PER:]}
    s.probes.append(Probe(_T, {r.path for r in TPL_ROWS}, later | {"list.jsonp", 'href="/zwgk/nb/2026'},
                          lambda page, snap: click_until_gone(page, snap, ".pager a.next", "ul.list"),
                          "the template renders the inline JSON; 下一页 loads the next page by JSONP",
                          ready="ul.list li[data-ms-clone] a"))
    return s


# ------------------------------------------------------------------ scrollrf
SCROLL_NAME, SCROLL_RENAMED = "白沙县人民防空办公室", "白沙县国防动员办公室"
SCROLL_CID = 31
SCROLL_SHOWN = 4
_S = "/zwgk/ndbg/"
SCROLL_ROWS = [
    Row(f"{SCROLL_RENAMED}2025年政府信息公开工作年度报告", _S + "202601/t20260121_9120.html", "2026-01-21", 2025,
        (_S + "202601/W020260121912001.pdf",)),
    Row(f"{SCROLL_RENAMED}2024年政府信息公开工作年度报告", _S + "202501/t20250117_8870.html", "2025-01-17", 2024),
    Row(f"{SCROLL_RENAMED}2024年度部门决算", _S + "202409/t20240910_8700.html", "2024-09-10"),
    Row(f"{SCROLL_NAME}2023年政府信息公开工作年度报告", _S + "202401/t20240122_8402.html", "2024-01-22", 2023),
    Row(f"{SCROLL_NAME}2022年政府信息公开工作年度报告", _S + "202301/t20230119_8011.html", "2023-01-19", 2022,
        (_S + "202301/W020230119801101.docx",)),
    Row(f"{SCROLL_NAME}2022年政务公开工作要点", _S + "202203/t20220315_7805.html", "2022-03-15"),
    Row(f"{SCROLL_NAME}2021年政府信息公开工作年度报告", _S + "202201/t20220120_7600.html", "2022-01-20", 2021),
    Row(f"{SCROLL_NAME}2020年政府信息公开工作年度报告", _S + "202101/t20210126_7210.html", "2021-01-26", 2020),
    Row(f"{SCROLL_NAME}2019年政府信息公开工作年度报告", _S + "202001/t20200116_6830.html", "2020-01-16", 2019,
        (_S + "202001/W020200116683001.pdf",)),
    Row(f"{SCROLL_NAME}2019年工作总结", _S + "201912/t20191230_6800.html", "2019-12-30"),
    Row(f"{SCROLL_NAME}2018年政府信息公开工作年度报告", _S + "201901/t20190130_6402.html", "2019-01-30", 2018),
]


def scroll_sign(page: int) -> str:
    """The request signature the list's script computes for each page (the server checks it)."""
    return format((page * 7919 + SCROLL_CID) % 10007, "x")


SCROLL_SCRIPT = """<script>
(function () {
  var list = document.getElementById('infoList'), tip = document.getElementById('loadTip'), page = 1, busy = false, done = false;
  function sign(p) { return ((p * 7919 + %d) %% 10007).toString(16); }
  function next() {
    if (busy || done) return;
    busy = true; tip.textContent = '加载中…';
    var p = page + 1;
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/portal/info/scroll?cid=%d&page=' + p + '&sign=' + sign(p));
    xhr.onload = function () {
      var d = JSON.parse(xhr.responseText);
      d.list.forEach(function (it) {
        var li = document.createElement('li');
        li.innerHTML = '<a href="' + it.url + '" target="_blank">' + it.title + '</a><span>' + it.date + '</span>';
        list.appendChild(li);
      });
      page = p; busy = false;
      if (!d.more) { done = true; tip.textContent = '已经到底了'; observer.disconnect(); }
      else { tip.textContent = '下拉加载'; observer.unobserve(tip); observer.observe(tip); }  // still in view: the next
    };
    xhr.send();
  }
  var observer = new IntersectionObserver(function (es) { if (es[0].isIntersecting) next(); });
  observer.observe(tip);
})();
</script>""" % (SCROLL_CID, SCROLL_CID)


def scrollrf(base: dict) -> JsSite:
    s = new_js_site("scrollrf", SCROLL_NAME, "county", "海南",
                    "4 entries in the HTML, the rest loaded as the page scrolls (IntersectionObserver, signed XHR)")
    nav = [("首页", "/"), ("机构概况", "/jggk/"), ("工作动态", "/gzdt/"), ("政务公开", "/zwgk/"), ("互动交流", "/hdjl/")]
    pg = page_maker(SCROLL_RENAMED, nav, "4690000033")
    add_home(s, pg, SCROLL_RENAMED, ("县国动办组织防空警报试鸣", "/gzdt/202509/t20250918_9001.html", "2025-09-18"))
    side = menu([("政府信息公开指南", "/zwgk/zn/"), ("法定主动公开内容", "/zwgk/fdzd/"), ("政府信息公开年度报告", _S)])
    crumbs = [("首页", "/"), ("政务公开", "/zwgk/")]
    s.add("/zwgk/", pg("政务公开", side, crumbs=crumbs))
    first = "".join(li(r.title, r.path, r.date) for r in SCROLL_ROWS[:SCROLL_SHOWN])
    # a tall page: the signpost at its foot comes into view only when a reader scrolls down
    s.add(_S, pg("政府信息公开年度报告", side + f'<div class="list"><ul id="infoList">{first}</ul>'
                 '<div style="height:2400px"></div><div id="loadTip" class="load-tip">下拉加载</div></div>'
                 + SCROLL_SCRIPT, crumbs=crumbs + [("政府信息公开年度报告", None)]))
    add_rows(s, pg, SCROLL_ROWS, name=SCROLL_NAME, renamed=SCROLL_RENAMED, crumbs=crumbs)
    per = 4

    def scroll(q: dict) -> Page:
        no = int(q.get("page") or 0) if (q.get("page") or "").isdigit() else 0
        if q.get("cid") != str(SCROLL_CID) or no < 2 or q.get("sign") != scroll_sign(no):
            return Page(json.dumps({"code": 403, "msg": "签名错误"}, ensure_ascii=False).encode("utf-8"),
                        "application/json", status=403, validators=False)
        rows = SCROLL_ROWS[(no - 1) * per:no * per]
        body = {"more": no * per < len(SCROLL_ROWS),
                "list": [{"title": r.title, "url": r.path, "date": r.date} for r in rows]}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", validators=False)
    s.dynamic = endpoint("/portal/info/scroll", scroll)
    pages = -(-len(SCROLL_ROWS) // per)
    s.feeds += [("GET", f"/portal/info/scroll?cid={SCROLL_CID}&page={n}&sign={scroll_sign(n)}", None)
                for n in range(2, pages + 1)]
    later = {r.path for r in SCROLL_ROWS[SCROLL_SHOWN:]}

    def drive(page, snap):
        for _ in range(pages):
            before = page.locator("#infoList li").count()
            page.mouse.wheel(0, 4000)
            page.wait_for_timeout(400)
            if page.locator("#infoList li").count() == before:
                break
        page.wait_for_selector("#loadTip:text('已经到底了')")
        snap()
    s.probes.append(Probe(_S, {r.path for r in SCROLL_ROWS}, later, drive,
                          "scrolling brings the signpost into view; each time the next signed page is appended",
                          ready="#infoList a"))
    return s


BUILDERS = {"cfgrf": cfgrf, "btnrf": btnrf, "morerf": morerf, "layrf": layrf, "nuxtrf": nuxtrf, "sparf": sparf,
            "dwrf": dwrf, "tplrf": tplrf, "scrollrf": scrollrf}
