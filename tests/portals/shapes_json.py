"""Lists filled by a script from a data endpoint (the page's HTML holds an empty list).

- ``jsonrf``: a jQuery front-end: ``$.ajax({url:'/api/articles', data:{channelId, pageNo,
  pageSize}})`` answers JSON ``{code, data:{total, pageNo, pageSize, pageCount, list:[…]}}``
  (``pageSize`` capped at 10, as real APIs cap it), items with root-relative or absolute
  ``url`` and a ``publishTime``; one item links a PDF (the 图片版) directly.
- ``xhrrf``: an old Java portal (GBK pages): a hand-written ``XMLHttpRequest`` POSTs the
  form body ``columnId=…&curPage=…&rows=8`` to ``/front/infoList.do`` and renders
  ``{total, rows:[{title, linkUrl, pubDate}]}`` with a pager computed in JS from ``total``;
  the articles are query-string pages ``/zwgk/detail.do?infoId=…``.
- ``xmlrf``: a county office's Hanweb-style site whose list script ``fetch``es an XML
  endpoint by a concatenated URL (``'/common/infolist.jsp?cid=3321&pageIndex=' + pageIndex +
  '&pageSize=' + pageSize``; ``pageIndex`` counts from 0), parsed with ``DOMParser``; it
  answers ``<result><totalCount/><totalPage/><items><item><title><![CDATA[…]]></title>``
  ``<link/><pubDate/></item>…``; links are absolute.
"""
from __future__ import annotations

import json

from tests.portals.shapes_common import (Page, Site, article, att, cut, endpoint, new_site, report_text,
                                         page_maker)

# ------------------------------------------------------------------ jsonrf
JSON_NAME, JSON_RENAMED = "云岭市人民防空办公室", "云岭市国防动员办公室"
JSON_NAV = [("首页", "/"), ("机构概况", "/jggk/"), ("新闻中心", "/xwzx/"), ("政务公开", "/zwgk/"),
            ("人防宣教", "/rfxj/"), ("互动交流", "/hdjl/")]
NB = "/zwgk/zfxxgknb/"
# (title as the API gives it, url, publishTime, report year or None, attachments of the article)
JSON_ITEMS = [
    (f"{JSON_RENAMED}2025年政务公开工作要点", NB + "202503/t20250305_6120.html", "2025-03-05 10:12:00", None, []),
    (f"{JSON_RENAMED}2024年政府信息公开工作年度报告", NB + "202501/t20250121_5931.html", "2025-01-21 09:30:00",
     2024, ["P020250121593101.pdf"]),
    (f"{JSON_RENAMED}2024年法治政府建设年度报告", NB + "202501/t20250115_5902.html", "2025-01-15 16:40:21", None, []),
    (f"{JSON_RENAMED}2024年度部门预算", NB + "202402/t20240208_5510.html", "2024-02-08 11:00:00", None,
     ["P020240208551001.pdf"]),
    (f"{JSON_RENAMED}2023年政府信息公开工作年度报告", "ABS" + NB + "202401/t20240119_5488.html",
     "2024-01-19 15:02:11", 2023, ["P020240119548801.docx"]),
    (f"《{JSON_RENAMED}2023年政府信息公开工作年度报告》解读", NB + "202401/t20240119_5489.html",
     "2024-01-19 15:05:40", None, []),
    (f"{JSON_NAME}2022年度部门决算", NB + "202308/t20230815_5301.html", "2023-08-15 09:00:00", None,
     ["P020230815530101.pdf"]),
    (f"{JSON_NAME}2022年政府信息公开工作年度报告（文字版）", NB + "202301/t20230118_5102.html",
     "2023-01-18 10:20:00", 2022, []),
    (f"{JSON_NAME}2022年政府信息公开工作年度报告（图片版）", "/upload/file/2023/01/18/P020230118510301.pdf",
     "2023-01-18 10:21:00", 2022, None),
    (f"{JSON_NAME}2022年度工作总结", NB + "202212/t20221228_5050.html", "2022-12-28 17:30:00", None, []),
    (f"{JSON_NAME}2021年政府信息公开工作年度报告", NB + "202201/t20220124_4410.html", "2022-01-24 08:45:00", 2021, []),
    (f"{JSON_NAME}政府信息公开指南（2021年修订）", NB + "202106/t20210601_4102.html", "2021-06-01 09:00:00", None, []),
    (f"{JSON_NAME}2020年政府信息公开工作年度报告", NB + "202101/t20210125_3801.html", "2021-01-25 14:10:00", 2020,
     ["P020210125380101.pdf"]),
    (f"{JSON_NAME}2019年政府信息公开工作年度报告", NB + "202001/t20200120_3300.html", "2020-01-20 10:00:00", 2019, []),
    ("云岭市人民政府办公室2019年政府信息公开工作年度报告", NB + "202001/t20200116_3290.html",
     "2020-01-16 09:00:00", None, []),
    (f"{JSON_NAME}2018年政府信息公开工作年度报告", NB + "201901/t20190130_2801.html", "2019-01-30 11:11:00", 2018, []),
    (f"{JSON_NAME}2018年工作要点", NB + "201803/t20180302_2502.html", "2018-03-02 10:00:00", None, []),
    (f"{JSON_NAME}2017年政府信息公开年度报告", NB + "201802/t20180228_2403.html", "2018-02-28 10:00:00", 2017, []),
]
JSON_CHANNEL = 1287

LIST_SCRIPT = """<script type="text/javascript">
var channelId = %d;
var pageSize = 6;
function renderPager(pageNo, pageCount, total) {
  var h = '<span>共' + total + '条 ' + pageNo + '/' + pageCount + '页</span>';
  h += '<a href="javascript:;" onclick="loadList(1)">首页</a>';
  if (pageNo > 1) h += '<a href="javascript:;" onclick="loadList(' + (pageNo - 1) + ')">上一页</a>';
  if (pageNo < pageCount) h += '<a href="javascript:;" onclick="loadList(' + (pageNo + 1) + ')">下一页</a>';
  h += '<a href="javascript:;" onclick="loadList(' + pageCount + ')">尾页</a>';
  $('#pageBar').html(h);
}
function loadList(pageNo) {
  $.ajax({
    url: '/api/articles',
    type: 'get',
    dataType: 'json',
    data: {channelId: channelId, pageNo: pageNo, pageSize: pageSize},
    success: function (res) {
      if (res.code != 200) { $('#listContent').html('<li>暂无数据</li>'); return; }
      var html = '';
      $.each(res.data.list, function (i, item) {
        html += '<li><a href="' + item.url + '" target="_blank" title="' + item.title + '">' + item.title
             + '</a><span>' + item.publishTime.substring(0, 10) + '</span></li>';
      });
      $('#listContent').html(html);
      renderPager(res.data.pageNo, res.data.pageCount, res.data.total);
    }
  });
}
$(function () { loadList(1); });
</script>""" % JSON_CHANNEL


def jsonrf(base: dict) -> Site:
    s = new_site("jsonrf", JSON_NAME, "city", "云南")
    host = base["jsonrf"].rstrip("/")

    pg = page_maker(JSON_RENAMED, JSON_NAV, "5301000031")
    news = [("市国动办开展2025年度防空警报试鸣工作", "/xwzx/gzdt/202509/t20250915_6301.html", "2025-09-15"),
            ("市国动办召开2025年人防工程质量监督工作会议", "/xwzx/gzdt/202504/t20250410_6180.html", "2025-04-10")]
    s.add("/", pg(JSON_RENAMED, '<div class="banner"><img src="/static/images/banner1.jpg" alt="国防动员"></div>'
                  '<div class="box"><h3>通知公告</h3><ul><li><a href="/xwzx/tzgg/202510/t20251020_6350.html">'
                  '关于开展2025年人民防空宣传教育“五进”活动的通知</a></li></ul></div>'
                  '<div class="box"><h3>政务公开</h3><a href="/zwgk/">进入政务公开专栏&gt;&gt;</a></div>'))
    for t, h, d in news + [("关于开展2025年人民防空宣传教育“五进”活动的通知", "/xwzx/tzgg/202510/t20251020_6350.html",
                            "2025-10-20")]:
        s.add(h, pg(t, article(t, d, "<p>……</p>", source=JSON_RENAMED)))
    menu = ('<div class="left-menu"><h2>政务公开</h2><ul>'
            '<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>'
            '<li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li>'
            '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
            f'<li><a href="{NB}">政府信息公开年报</a></li>'
            '<li><a href="/zwgk/ysqgk/">依申请公开</a></li></ul></div>')
    s.add("/zwgk/", pg("政务公开", menu + '<div class="right"><p>请选择左侧栏目。</p></div>',
                       crumbs=[("首页", "/"), ("政务公开", None)]))
    s.add("/zwgk/zfxxgkzn/", pg("政府信息公开指南", menu + "<p>政府信息公开指南（2021年修订）……</p>"))
    s.add(NB, pg("政府信息公开年报",
                 menu + '<div class="right"><div class="hd">政府信息公开年报</div>'
                 '<ul class="list" id="listContent"></ul><div class="page" id="pageBar"></div></div>' + LIST_SCRIPT,
                 crumbs=[("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开年报", None)]))

    items = []
    for i, (title, url, when, year, atts) in enumerate(JSON_ITEMS):
        path = url[3:] if url.startswith("ABS") else url
        items.append({"id": 6200 - i * 37, "title": title, "url": host + path if url.startswith("ABS") else path,
                      "publishTime": when, "source": "办公室", "channelId": JSON_CHANNEL})
        if atts is None:   # the list links the document itself
            s.add(path, Page(att(title), "application/pdf"), year=year, distractor=year is None)
            continue
        prev_next = []
        if i > 0:
            prev_next.append(("上一篇", JSON_ITEMS[i - 1][0], JSON_ITEMS[i - 1][1].replace("ABS", "")))
        if i + 1 < len(JSON_ITEMS):
            prev_next.append(("下一篇", JSON_ITEMS[i + 1][0], JSON_ITEMS[i + 1][1].replace("ABS", "")))
        links = "".join(f'<p><a href="./{a}" target="_blank">{title}.{a.rsplit(".", 1)[1]}</a></p>' for a in atts)
        office = JSON_RENAMED if "国防动员" in title else JSON_NAME
        body = report_text(office, year) if year else "<p>……</p>"
        s.add(path, pg(title, article(title, when, body, source="办公室", attachments=links, prev_next=prev_next),
                       meta={"ArticleTitle": title, "PubDate": when[:16], "ContentSource": "办公室",
                             "ColumnName": "政府信息公开年报"}),
              year=year, listed_as_distractor=year is None)
        for a in atts:
            ctype = "application/pdf" if a.endswith(".pdf") else "application/octet-stream"
            s.add(path.rsplit("/", 1)[0] + "/" + a, Page(att(title + "." + a.rsplit(".", 1)[1]), ctype),
                  year=year, listed_as_distractor=year is None)

    def api(q: dict) -> Page:
        if q.get("channelId") != str(JSON_CHANNEL):
            body = {"code": 400, "msg": "栏目不存在", "data": None}
        else:
            size = min(max(int(q.get("pageSize", 10) or 10), 1), 10)
            no = max(int(q.get("pageNo", 1) or 1), 1)
            count = -(-len(items) // size)
            body = {"code": 200, "msg": "操作成功",
                    "data": {"total": len(items), "pageNo": no, "pageSize": size, "pageCount": count,
                             "list": items[(no - 1) * size:no * size]}}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    s.dynamic = endpoint("/api/articles", api)
    s.feeds += [("GET", f"/api/articles?channelId={JSON_CHANNEL}&pageNo={no}&pageSize=6", None)
                for no in range(1, -(-len(items) // 6) + 1)]
    return s


# ------------------------------------------------------------------ xhrrf
XHR_NAME, XHR_RENAMED = "青禾市人民防空办公室", "青禾市国防动员办公室"
XHR_NAV = [("网站首页", "/index.jsp"), ("机构职能", "/jgzn/index.jsp"), ("人防动态", "/rfdt/index.jsp"),
           ("政务公开", "/zwgk/index.jsp"), ("人防工程", "/rfgc/index.jsp"), ("公众参与", "/gzcy/index.jsp")]
# (title as printed, infoId, pubDate, year or None, attachment download id or None)
XHR_ROWS = [
    (f"关于印发《{XHR_RENAMED}2025年政务公开工作要点》的通知", "8a8a94e1f0c3", "2025/03/01", None, None),
    (f"{XHR_RENAMED}2025年度部门预算", "8a8a94e1f0a7", "2025/02/10", None, "f2025ys"),
    (f"{XHR_RENAMED}2024年政府信息公开工作年度报告", "8a8a94e1ef51", "2025/01/20", 2024, "f2024nb"),
    (f"{XHR_NAME}2023年工作要点", "8a8a94e1d930", "2023/02/27", None, None),
    (f"{XHR_NAME}2023年度部门预算", "8a8a94e1d911", "2023/02/15", None, None),
    (f"{XHR_NAME}2022年法治政府建设情况报告", "8a8a94e1d8c2", "2023/01/30", None, None),
    (f"{XHR_NAME}2022 年政府信息公开工作年度报告", "8a8a94e1d8a0", "2023/01/17", 2022, None),
    (f"{XHR_NAME}2021年度部门决算公开", "8a8a94e1c7f3", "2022/08/20", None, None),
    (f"{XHR_NAME}2021年政府信息公开工作年度报告", "8a8a94e1c6b2", "2022/01/18", 2021, "f2021nb"),
    (f"{XHR_NAME}2021年度政务公开工作总结", "8a8a94e1c690", "2022/01/10", None, None),
    (f"{XHR_NAME}2020年度部门决算", "8a8a94e1b77e", "2021/08/26", None, None),
    (f"{XHR_NAME}2020年度政府信息公开工作报告", "8a8a94e1b5d1", "2021/01/22", 2020, None),
    (f"{XHR_NAME}关于调整政府信息公开工作领导小组的通知", "8a8a94e1a4c8", "2020/06/01", None, None),
    (f"{XHR_NAME}二〇一九年政府信息公开工作年度报告", "8a8a94e1a3b9", "2020/01/21", 2019, None),
    (f"{XHR_NAME}政府信息公开指南", "8a8a94e1a001", "2019/05/10", None, None),
    (f"{XHR_NAME}2019年部门预算", "8a8a94e19f42", "2019/02/20", None, None),
    (f"{XHR_NAME}2018年工作要点", "8a8a94e18e10", "2018/03/09", None, None),
    (f"{XHR_NAME}2017年政府信息公开工作年度报告", "8a8a94e18d77", "2018/03/15", 2017, None),
    (f"{XHR_NAME}2017年人民防空工作总结", "8a8a94e18c05", "2018/01/12", None, None),
    (f"{XHR_NAME}权力清单和责任清单", "8a8a94e17b31", "2017/06/30", None, None),
    (f"{XHR_NAME}2016年度政府信息公开工作年度报告", "8a8a94e17a02", "2017/03/20", 2016, None),
    (f"{XHR_NAME}2016年工作要点", "8a8a94e16911", "2016/02/28", None, None),
]
XHR_COLUMN = "4028e4a35c1f0b7a015c2a6e3d0f0012"
XHR_SCRIPT = """<script language="javascript">
var COLUMN_ID = "%s";
var ROWS = 8;
function render(list) {
  var s = "";
  for (var i = 0; i < list.length; i++) {
    s += "<tr><td class='t'><a href='" + list[i].linkUrl + "' target='_blank' title='" + list[i].title + "'>"
      + list[i].title + "</a></td><td class='d'>" + list[i].pubDate + "</td></tr>";
  }
  document.getElementById("infoTable").innerHTML = s;
}
function initPager(total, curPage) {
  var pages = Math.ceil(total / ROWS), s = "共" + total + "条记录 第" + curPage + "/" + pages + "页 ";
  for (var p = 1; p <= pages; p++) {
    s += (p == curPage) ? "<b>" + p + "</b> " : "<a href='javascript:getList(" + p + ")'>" + p + "</a> ";
  }
  document.getElementById("pager").innerHTML = s;
}
function getList(curPage) {
  var xhr = new XMLHttpRequest();
  xhr.open("POST", "/front/infoList.do", true);
  xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
  xhr.onreadystatechange = function () {
    if (xhr.readyState == 4 && xhr.status == 200) {
      var res = JSON.parse(xhr.responseText);
      render(res.rows);
      initPager(res.total, curPage);
    }
  };
  xhr.send("columnId=" + COLUMN_ID + "&curPage=" + curPage + "&rows=" + ROWS);
}
window.onload = function () { getList(1); };
</script>""" % XHR_COLUMN


def xhrrf(base: dict) -> Site:
    s = new_site("xhrrf", XHR_NAME, "city", "山西")

    pg = page_maker(XHR_NAME, XHR_NAV, "1409000007", enc="gbk", said_in="meta")
    home = pg(XHR_NAME, '<div class="focus"><img src="/images/rf01.jpg" alt="人防宣传"></div>'
              '<div class="zwgk-entry"><a href="/zwgk/index.jsp"><img src="/images/zwgk.gif" alt="政务公开"></a></div>'
              '<div class="news"><ul><li><a href="/rfdt/detail.do?infoId=8a8a94e20001">市人防办开展防空防灾知识进校园活动</a>'
              '</li></ul></div>')
    s.add("/", home)
    s.add("/index.jsp", home)
    s.add("/rfdt/detail.do?infoId=8a8a94e20001", pg("市人防办开展防空防灾知识进校园活动",
                                                   article("市人防办开展防空防灾知识进校园活动", "2025-05-12",
                                                           "<p>……</p>", source="本站")))
    left = ('<div class="leftnav"><dl><dt>政务公开</dt>'
            '<dd><a href="/zwgk/list.jsp?columnId=4028e4a35c1f0b7a015c2a6e3d0f0010">机构概况</a></dd>'
            '<dd><a href="/zwgk/list.jsp?columnId=4028e4a35c1f0b7a015c2a6e3d0f0011">政策法规</a></dd>'
            f'<dd><a href="/zwgk/list.jsp?columnId={XHR_COLUMN}">政府信息公开年度报告</a></dd>'
            '<dd><a href="/zwgk/list.jsp?columnId=4028e4a35c1f0b7a015c2a6e3d0f0013">财政资金</a></dd>'
            "</dl></div>")
    s.add("/zwgk/index.jsp", pg("政务公开", left + "<div class='right'>请选择栏目</div>",
                                crumbs=[("网站首页", "/index.jsp"), ("政务公开", None)]))
    s.add(f"/zwgk/list.jsp?columnId={XHR_COLUMN}", pg(
        "政府信息公开年度报告",
        left + "<div class='right'><h3>政府信息公开年度报告</h3><table width='100%' id='infoTable'></table>"
        "<div id='pager' class='pager'></div></div>" + XHR_SCRIPT,
        crumbs=[("网站首页", "/index.jsp"), ("政务公开", "/zwgk/index.jsp"), ("政府信息公开年度报告", None)]))

    rows = []
    for title, info, date, year, file_id in XHR_ROWS:
        link = f"/zwgk/detail.do?infoId={info}"
        rows.append({"infoId": info, "title": title, "linkUrl": link, "pubDate": date, "clickCount": 12})
        links = ""
        if file_id:
            dl = f"/zwgk/downloadFile.do?fileId={file_id}"
            links = f'<a href="{dl}">{cut(title, 18)}.pdf</a>'
            s.add(dl, Page(att(title + ".pdf"), "application/pdf"), year=year, listed_as_distractor=year is None)
        body = report_text(XHR_RENAMED if "国防动员" in title else XHR_NAME, year) if year else "<p>……</p>"
        s.add(link, pg(title, article(title, date.replace("/", "-"), body, source="办公室", attachments=links),
                       meta={"ArticleTitle": title, "PubDate": date}),
              year=year, listed_as_distractor=year is None)

    def info_list(query, form):
        f = {k: v[0] for k, v in form.items()}
        chosen = rows if f.get("columnId") == XHR_COLUMN else []
        per = max(int(f.get("rows", 8) or 8), 1)
        cur = max(int(f.get("curPage", 1) or 1), 1)
        body = {"total": len(chosen), "curPage": cur, "rows": chosen[(cur - 1) * per:cur * per]}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    s.post["/front/infoList.do"] = info_list
    s.feeds += [("POST", "/front/infoList.do", {"columnId": XHR_COLUMN, "curPage": str(p), "rows": "8"})
                for p in range(1, -(-len(rows) // 8) + 1)]
    s.add("/front/infoList.do", Page(b'{"error":"Request method \'GET\' not supported"}', "application/json",
                                     status=405))
    return s


# ------------------------------------------------------------------ xmlrf
XML_NAME, XML_RENAMED = "南江县人民防空办公室", "南江县国防动员办公室"
XML_NAV = [("首页", "/index.html"), ("机构概况", "/col/col3301/index.html"), ("工作动态", "/col/col3302/index.html"),
           ("政府信息公开", "/col/col3310/index.html"), ("互动交流", "/col/col3305/index.html")]
XML_CID = "3321"
# (title, article path, date, year or None, attachment file name or None)
XML_ROWS = [
    (f"{XML_RENAMED}2025年度政府信息公开工作年度报告", "/art/2026/1/16/art_3321_790112.html", "2026-01-16", 2025,
     "2601161030555.pdf"),
    (f"{XML_RENAMED}2025年政务公开工作要点", "/art/2025/3/20/art_3321_781002.html", "2025-03-20", None, None),
    (f"{XML_RENAMED}2024年政府信息公开工作年度报告", "/art/2025/1/22/art_3321_771201.html", "2025-01-22", 2024,
     "2501221500021.pdf"),
    (f"{XML_NAME}2024年部门预算", "/art/2024/2/2/art_3321_760230.html", "2024-02-02", None, "2402021120877.pdf"),
    (f"{XML_NAME}2023年政府信息公开工作年度报告", "/art/2024/1/19/art_3321_759877.html", "2024-01-19", 2023, None),
    (f"{XML_NAME}2023年法治政府建设年度报告", "/art/2024/1/12/art_3321_759501.html", "2024-01-12", None, None),
    ("南江县人民政府办公室2023年政府信息公开工作年度报告", "/art/2024/1/10/art_3321_759388.html", "2024-01-10", None,
     None),
    ("南江县政务服务和大数据管理局2023年政务公开工作年度报告", "/art/2024/1/9/art_3321_759301.html", "2024-01-09",
     None, None),
    (f"{XML_NAME}2022年政府信息公开工作年度报告", "/art/2023/1/18/art_3321_741010.html", "2023-01-18", 2022, None),
    (f"{XML_NAME}2022年度部门决算", "/art/2022/9/6/art_3321_733321.html", "2022-09-06", None, None),
    (f"{XML_NAME}2021年政府信息公开工作年度报告", "/art/2022/1/20/art_3321_722145.html", "2022-01-20", 2021, None),
    (f"{XML_NAME}2021年工作总结", "/art/2021/12/30/art_3321_720998.html", "2021-12-30", None, None),
    (f"{XML_NAME}2020年政府信息公开工作年度报告", "/art/2021/1/26/art_3321_701177.html", "2021-01-26", 2020,
     "2101261610002.docx"),
    (f"{XML_NAME}政府信息公开指南", "/art/2020/6/1/art_3321_690012.html", "2020-06-01", None, None),
    (f"{XML_NAME}2019年政府信息公开工作年度报告", "/art/2020/1/21/art_3321_682231.html", "2020-01-21", 2019, None),
    (f"{XML_NAME}2019年工作要点", "/art/2019/3/5/art_3321_670010.html", "2019-03-05", None, None),
    (f"{XML_NAME}2015年政府信息公开工作年度报告", "/art/2016/3/28/art_3321_600211.html", "2016-03-28", 2015, None),
]
XML_SCRIPT = """<script type="text/javascript">
var pageSize = 8;
function showList(pageIndex) {
  fetch('/common/infolist.jsp?cid=%s&pageIndex=' + pageIndex + '&pageSize=' + pageSize)
    .then(function (r) { return r.text(); })
    .then(function (text) {
      var xml = new DOMParser().parseFromString(text, 'text/xml'), html = '';
      var items = xml.getElementsByTagName('item');
      for (var i = 0; i < items.length; i++) {
        var t = items[i].getElementsByTagName('title')[0].textContent;
        var u = items[i].getElementsByTagName('link')[0].textContent;
        var d = items[i].getElementsByTagName('pubDate')[0].textContent;
        html += '<li><a href="' + u + '" target="_blank">' + t + '</a><span>' + d + '</span></li>';
      }
      document.getElementById('xxgk_list').innerHTML = html;
      var totalPage = parseInt(xml.getElementsByTagName('totalPage')[0].textContent), pager = '';
      for (var p = 0; p < totalPage; p++) {
        pager += (p == pageIndex) ? '<span>' + (p + 1) + '</span>' : '<a href="javascript:showList(' + p + ')">' + (p + 1) + '</a>';
      }
      document.getElementById('xxgk_pager').innerHTML = pager;
    });
}
window.onload = function () { showList(0); };
</script>""" % XML_CID


def xmlrf(base: dict) -> Site:
    s = new_site("xmlrf", XML_NAME, "district", "四川")
    host = base["xmlrf"].rstrip("/")
    pg = page_maker(XML_RENAMED, XML_NAV, "5119000021")
    home = pg(XML_RENAMED, '<div class="tzgg"><ul><li><a href="/art/2025/10/9/art_3302_785501.html">县国动办开展'
              '2025年度人民防空志愿者培训</a></li></ul></div>')
    s.add("/", home)
    s.add("/index.html", home)
    s.add("/art/2025/10/9/art_3302_785501.html", pg("县国动办开展2025年度人民防空志愿者培训", article(
        "县国动办开展2025年度人民防空志愿者培训", "2025-10-09", "<p>……</p>", source=XML_RENAMED)))
    menu = ('<div class="xxgk-left"><ul><li><a href="/col/col3311/index.html">政府信息公开指南</a></li>'
            '<li><a href="/col/col3312/index.html">政府信息公开制度</a></li>'
            '<li><a href="/col/col3313/index.html">法定主动公开内容</a></li>'
            f'<li><a href="/col/col{XML_CID}/index.html">政府信息公开年度报告</a></li></ul></div>')
    s.add("/col/col3310/index.html", pg("政府信息公开", menu, crumbs=[("首页", "/index.html"), ("政府信息公开", None)]))
    s.add(f"/col/col{XML_CID}/index.html", pg(
        "政府信息公开年度报告", menu + '<div class="xxgk-right"><ul id="xxgk_list"></ul><div id="xxgk_pager"></div></div>'
        + XML_SCRIPT, crumbs=[("首页", "/index.html"), ("政府信息公开", "/col/col3310/index.html"),
                              ("政府信息公开年度报告", None)]))
    for title, path, date, year, fname in XML_ROWS:
        links = ""
        if fname:
            dl = f"/module/download/downfile.jsp?classid=0&filename={fname}"
            links = f'<a href="{dl}">{title}.{fname.rsplit(".", 1)[1]}</a>'
            ctype = "application/pdf" if fname.endswith(".pdf") else "application/msword"
            s.add(dl, Page(att(f"{title}.{fname.rsplit('.', 1)[1]}"), ctype), year=year,
                  listed_as_distractor=year is None)
        office = XML_RENAMED if "国防动员" in title else XML_NAME
        body = report_text(office, year) if year else "<p>……</p>"
        s.add(path, pg(title, article(title, date, body, source=office, attachments=links),
                       meta={"ArticleTitle": title, "PubDate": date}), year=year, listed_as_distractor=year is None)

    def infolist(q: dict) -> Page:
        rows = XML_ROWS if q.get("cid") == XML_CID else []
        size = max(int(q.get("pageSize", 8) or 8), 1)
        index = max(int(q.get("pageIndex", 0) or 0), 0)
        items = "".join(f"<item><title><![CDATA[{t}]]></title><link>{host}{p}</link><pubDate>{d}</pubDate></item>"
                        for t, p, d, _, _ in rows[index * size:(index + 1) * size])
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><result><totalCount>{len(rows)}</totalCount>'
               f"<totalPage>{-(-len(rows) // size)}</totalPage><pageIndex>{index}</pageIndex>"
               f"<items>{items}</items></result>")
        return Page(xml.encode("utf-8"), "text/xml;charset=UTF-8", validators=False)
    s.dynamic = endpoint("/common/infolist.jsp", infolist)
    s.feeds += [("GET", f"/common/infolist.jsp?cid={XML_CID}&pageIndex={i}&pageSize=8", None)
                for i in range(-(-len(XML_ROWS) // 8))]
    return s


BUILDERS = {"jsonrf": jsonrf, "xhrrf": xhrrf, "xmlrf": xmlrf}
