"""A 开普云-style provincial site: a Vue front-end over the ``/igs/front/search/list.html`` API.

- ``kpyrf``: ``/`` is only a redirect page (``<meta http-equiv="refresh">`` and
  ``window.location.href``) to ``/xjrf/index.shtml``. The 政府信息公开年报 column's HTML is a
  Vue template (``v-for="item in list"``, ``:href="item.DOCPUBURL"``) filled by
  ``axios.get('/igs/front/search/list.html', {params: {… pageNumber, pageSize,
  'filter[CHANNEL_ID]': …}})`` answering ``{page: {content: [{DOCTITLE, DOCPUBURL, PUBDATE}],
  totalElements, totalPages, number}}`` (without the channel filter: every document of the
  site, news included); ``PUBDATE`` is epoch milliseconds; articles at
  ``…/YYYYMM/<32 hex>.shtml``. One report's PDF is shown only in a pdf.js viewer
  (``<iframe src="/pdfjs/web/viewer.html?file=…pdf">``), another's is opened by
  ``onclick="window.open('…')"`` on a ``javascript:void(0)`` link.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

from tests.portals.shapes_common import (Page, Site, article, att, endpoint, html_page, new_site, page_maker,
                                         report_text)

KPY_NAME, KPY_RENAMED = "西江省人民防空办公室", "西江省国防动员办公室"
KPY_NAV = [("首页", "/xjrf/index.shtml"), ("机构概况", "/xjrf/jggk/index.shtml"), ("国防动员要闻", "/xjrf/gdyw/index.shtml"),
           ("政务公开", "/xjrf/zwgk/index.shtml"), ("互动交流", "/xjrf/hdjl/index.shtml")]
CHANNEL = "15873"
COL = "/xjrf/zwgk/zfxxgknb/"
# (title, publication date, report year or None, how the PDF is linked: None | "link" | "viewer" | "onclick")
KPY_ROWS = [
    (f"{KPY_RENAMED}2024年政府信息公开工作年度报告", "2025-01-24 10:30", 2024, "viewer"),
    (f"{KPY_RENAMED}2024年度法治政府建设情况报告", "2025-01-20 16:00", None, None),
    (f"{KPY_RENAMED}2024年部门预算", "2024-02-05 09:00", None, "link"),
    (f"{KPY_RENAMED}2023年政府信息公开工作年度报告", "2024-01-22 11:00", 2023, "onclick"),
    (f"{KPY_NAME}2023年政务公开工作要点", "2023-04-11 09:30", None, None),
    (f"{KPY_NAME}2022年政府信息公开工作年度报告", "2023-01-19 15:20", 2022, "link"),
    (f"{KPY_NAME}2022年度部门决算", "2022-09-01 10:00", None, "link"),
    (f"{KPY_NAME}2021年政府信息公开工作年度报告", "2022-01-25 09:00", 2021, None),
    (f"{KPY_NAME}2021年工作总结和2022年工作计划", "2022-01-06 10:00", None, None),
    (f"{KPY_NAME}2020年政府信息公开工作年度报告", "2021-01-27 17:05", 2020, None),
    ("西江省人民政府2020年政府信息公开工作年度报告", "2021-01-26 09:00", None, None),
    (f"{KPY_NAME}2019年政府信息公开工作年度报告", "2020-01-20 10:00", 2019, None),
    (f"{KPY_NAME}政府信息公开指南（2019年版）", "2019-12-02 10:00", None, None),
    (f"{KPY_NAME}2018年政府信息公开工作年度报告", "2019-03-26 10:00", 2018, None),
]
LIST_APP = """<div id="app" v-cloak>
  <ul class="news-list">
    <li v-for="item in list" :key="item.DOCID"><a :href="item.DOCPUBURL" target="_blank" :title="item.DOCTITLE">{{ item.DOCTITLE }}</a><span>{{ item.PUBDATE | formatDate }}</span></li>
  </ul>
  <div class="pagination" v-if="totalPages > 1">
    <a href="javascript:;" @click="getList(1)">首页</a>
    <a href="javascript:;" v-for="n in totalPages" :class="{active: n == pageNumber}" @click="getList(n)">{{ n }}</a>
    <a href="javascript:;" @click="getList(totalPages)">尾页</a>
  </div>
</div>
<script src="/xjrf/static/js/vue.min.js"></script>
<script src="/xjrf/static/js/axios.min.js"></script>
<script>
Vue.filter('formatDate', function (v) { var d = new Date(v); return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate(); });
new Vue({
  el: '#app',
  data: { list: [], pageNumber: 1, pageSize: 5, totalPages: 0 },
  mounted: function () { this.getList(1); },
  methods: {
    getList: function (n) {
      var that = this;
      axios.get('/igs/front/search/list.html', {
        params: {
          index: 'xjrf-document', type: 'document', siteId: '67', pageNumber: n, pageSize: this.pageSize,
          'filter[CHANNEL_ID]': '%s', 'filter[AVAILABLE]': 'true', orderProperty: 'PUBDATE', orderDirection: 'desc'
        }
      }).then(function (res) {
        that.list = res.data.page.content;
        that.totalPages = res.data.page.totalPages;
        that.pageNumber = n;
      });
    }
  }
});
</script>""" % CHANNEL


def _doc_id(title: str) -> str:
    return hashlib.md5(title.encode("utf-8")).hexdigest()


def _epoch_ms(when: str) -> int:
    t = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=timezone(timedelta(hours=8)))
    return int(t.timestamp() * 1000)


def kpyrf(base: dict) -> Site:
    s = new_site("kpyrf", KPY_NAME, "province", "广西")
    host = base["kpyrf"].rstrip("/")
    pg = page_maker(KPY_RENAMED, KPY_NAV, "4500000059")
    s.add("/", html_page('<html><head><meta http-equiv="refresh" content="0;url=/xjrf/index.shtml">'
                         '<script>window.location.href="/xjrf/index.shtml";</script></head><body></body></html>'))
    s.add("/xjrf/index.shtml", pg(KPY_RENAMED, '<div class="gdyw"><ul><li><a href="/xjrf/gdyw/202510/'
                                               f'{_doc_id("news")}.shtml">省国动办部署秋冬季人防工程安全检查</a></li></ul></div>'))
    s.add(f"/xjrf/gdyw/202510/{_doc_id('news')}.shtml", pg("省国动办部署秋冬季人防工程安全检查", article(
        "省国动办部署秋冬季人防工程安全检查", "2025-10-14 09:00", "<p>……</p>", source=KPY_RENAMED)))
    menu = ('<div class="zwgk-menu"><a href="/xjrf/zwgk/zfxxgkzn/index.shtml">政府信息公开指南</a>'
            '<a href="/xjrf/zwgk/zfxxgkzd/index.shtml">政府信息公开制度</a>'
            '<a href="/xjrf/zwgk/fdzdgknr/index.shtml">法定主动公开内容</a>'
            f'<a href="{COL}index.shtml">政府信息公开年报</a></div>')
    s.add("/xjrf/zwgk/index.shtml", pg("政务公开", menu, crumbs=[("首页", "/xjrf/index.shtml"), ("政务公开", None)]))
    s.add(COL + "index.shtml", pg("政府信息公开年报", menu + LIST_APP,
                                  crumbs=[("首页", "/xjrf/index.shtml"), ("政务公开", "/xjrf/zwgk/index.shtml"),
                                          ("政府信息公开年报", None)]))
    content = []
    news_docs = [{"DOCID": _doc_id("news"), "DOCTITLE": "省国动办部署秋冬季人防工程安全检查",
                  "DOCPUBURL": f"{host}/xjrf/gdyw/202510/{_doc_id('news')}.shtml",
                  "PUBDATE": _epoch_ms("2025-10-14 09:00"), "CHANNELID": "15801", "SITEID": "67"}]
    for title, when, year, how in KPY_ROWS:
        doc = _doc_id(title)
        path = f"{COL}{when[:4]}{when[5:7]}/{doc}.shtml"
        content.append({"DOCID": doc, "DOCTITLE": title, "DOCPUBURL": host + path, "PUBDATE": _epoch_ms(when),
                        "CHANNELID": CHANNEL, "SITEID": "67"})
        pdf_path = f"/xjrf/uploadfiles/{when[:4]}/{when[5:7]}/{doc[:12]}.pdf"
        atts, viewer = "", ""
        if how == "link":
            atts = f'<a href="{pdf_path}" target="_blank">{title}.pdf</a>'
        elif how == "onclick":
            atts = f'<a href="javascript:void(0)" onclick="window.open(\'{pdf_path}\')">{title}.pdf</a>'
        elif how == "viewer":
            viewer = (f'<iframe src="/pdfjs/web/viewer.html?file={pdf_path}" width="100%" height="900" '
                      'frameborder="0"></iframe>')
        if how:
            s.add(pdf_path, Page(att(title + ".pdf"), "application/pdf"), year=year, listed_as_distractor=year is None)
        office = KPY_RENAMED if "国防动员" in title else KPY_NAME
        body = (report_text(office, year) if year else "<p>……</p>") + viewer
        s.add(path, pg(title, article(title, when, body, source=office, attachments=atts),
                       meta={"ArticleTitle": title, "PubDate": when, "ContentSource": office}),
              year=year, listed_as_distractor=year is None)
    s.add("/pdfjs/web/viewer.html", html_page('<!DOCTYPE html><html><head><meta charset="utf-8"><title>PDF.js viewer</title>'
                                              '<script src="viewer.js"></script></head><body><div id="viewerContainer">'
                                              "</div></body></html>"))

    def igs(q: dict) -> Page:
        channel = q.get("filter[CHANNEL_ID]")
        # a search index: without a channel filter it answers every document of the site
        rows = content if channel == CHANNEL else (content + news_docs if channel is None else [])
        size = min(max(int(q.get("pageSize", 10) or 10), 1), 20)
        number = max(int(q.get("pageNumber", 1) or 1), 1)
        body = {"page": {"content": rows[(number - 1) * size:number * size], "totalElements": len(rows),
                         "totalPages": -(-len(rows) // size), "number": number - 1, "size": size},
                "ok": True}
        return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8",
                    validators=False)
    s.dynamic = endpoint("/igs/front/search/list.html", igs)
    s.feeds += [("GET", f"/igs/front/search/list.html?index=xjrf-document&type=document&siteId=67&pageNumber={n}"
                 f"&pageSize=5&filter%5BCHANNEL_ID%5D={CHANNEL}&filter%5BAVAILABLE%5D=true", None)
                for n in range(1, -(-len(content) // 5) + 1)]
    return s


BUILDERS = {"kpyrf": kpyrf}
