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

from tests.portals.shapes_common import Page, endpoint, html_page, page_maker
from tests.portals.shapes_js_common import (JsSite, Probe, Row, add_home, add_rows, click_until_gone, js, menu,
                                            new_js_site)

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
                          ready="#infoList a"))
    return s


BUILDERS = {"cfgrf": cfgrf, "btnrf": btnrf}
