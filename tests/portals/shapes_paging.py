"""List pagers of shapes other than 下一页 links and ``createPageHTML(n, i, "index", "html")``.

- ``vsbrf``: a VSB/博达 site: ``zfxxgknb.htm`` is the NEWEST page, older pages count down
  ``zfxxgknb/3.htm`` → ``2.htm`` → ``1.htm`` (oldest), with 首页/上页/下页/尾页 links and
  "共22条  1/4"; articles ``/info/<col>/<doc>.htm``; attachments through
  ``/system/_content/download.jsp?…&wbfileid=…`` with a percent-encoded UTF-8 file name.
- ``trs2rf``: a TRS WCM site whose pager is ``createPageHTML('page_div',4,0,'index','html',30)``
  (element id first, record count last, from a shared ``page.js``); the list is
  ``<div><dl><dt><a><font>[年报]</font><span>title</span></a></dt><dd>date</dd></dl>`` with
  titles printed with spaces ("2019 年") or wrapped ("年\\n度报告") and no ``title=``.
- ``anhrf``: an Anhui 政务公开 platform office site: annual reports at
  ``/OpennessAnnualReport/show/<n>.html`` (the two oldest at the older platform's
  ``/xxgkAnnualReport/yearReportDetail/?branch_id=…&year=…``); the list's pager is only
  JavaScript: ``onclick="goPage(2)"`` and ``location.href = '/OpennessAnnualReport/list/' + n + '.html'``.
"""
from __future__ import annotations

from tests.portals.shapes_common import (Page, Site, article, att, cut, disposition_utf8_percent,
                                         new_site, report_text, page_maker)

# ------------------------------------------------------------------ vsbrf
VSB_NAME, VSB_RENAMED = "沂州市人民防空办公室", "沂州市国防动员办公室"
VSB_NAV = [("首页", "/index.htm"), ("机构职能", "/jgzn.htm"), ("工作动态", "/gzdt.htm"), ("政务公开", "/zwgk.htm"),
           ("人防工程", "/rfgc.htm"), ("宣传教育", "/xcjy.htm")]
# (title, doc id, date, year or None, attachment wbfileid or None)
VSB_ROWS = [
    (f"{VSB_RENAMED}2025年政务公开工作要点", 6120, "2025年03月10日", None, None),
    (f"{VSB_RENAMED}2024年政府信息公开工作年度报告", 6071, "2025年01月20日", 2024, 13338120),
    (f"{VSB_RENAMED}2024年度法治政府建设年度报告", 6052, "2025年01月15日", None, None),
    (f"{VSB_RENAMED}2024年部门预算", 5830, "2024年02月06日", None, 13290011),
    ("沂州市人民政府2023年政府信息公开工作年度报告", 5802, "2024年01月30日", None, None),
    (f"{VSB_RENAMED}2023年政府信息公开工作年度报告", 5786, "2024年01月19日", 2023, 13225911),
    (f"{VSB_NAME}2022年度部门决算", 5541, "2023年08月21日", None, None),
    (f"{VSB_NAME}2023年工作要点", 5402, "2023年03月02日", None, None),
    (f"{VSB_NAME}2022年政府信息公开工作年度报告", 5366, "2023年01月17日", 2022, 13110452),
    (f"{VSB_NAME}2022年法治政府建设年度报告", 5350, "2023年01月12日", None, None),
    (f"{VSB_NAME}2021年政府信息公开工作年度报告", 5003, "2022年01月21日", 2021, None),
    (f"{VSB_NAME}2021年度“双随机、一公开”抽查结果公示", 4990, "2022年01月05日", None, None),
    (f"{VSB_NAME}2020年政府信息公开工作年度报告（全文）", 4620, "2021年01月26日", 2020, 12810007),
    (f"{VSB_NAME}2020年度部门决算", 4511, "2020年09月18日", None, None),
    (f"{VSB_NAME}政府信息公开指南", 4402, "2020年05月06日", None, None),
    (f"{VSB_NAME}2019年政府信息公开工作年度报告", 4213, "2020年01月15日", 2019, None),
    (f"{VSB_NAME}2019年工作总结及2020年工作打算", 4201, "2020年01月08日", None, None),
    (f"{VSB_NAME}2019年部门预算", 3917, "2019年02月20日", None, None),
    (f"{VSB_NAME}2018年度政府信息公开工作报告", 3870, "2019年01月30日", 2018, None),
    (f"{VSB_NAME}2018年工作要点", 3511, "2018年03月01日", None, None),
    (f"{VSB_NAME}2017年政府信息公开工作年度报告", 3405, "2018年01月25日", 2017, None),
    (f"{VSB_NAME}关于做好2017年度人民防空工程竣工验收备案工作的通知", 3310, "2017年11月02日", None, None),
]
VSB_PER = 6


def _vsb_pager(k: int, n: int, total: int) -> str:
    """The VSB pager of page ``k`` (1 = newest) of ``n``; links relative to that page."""
    def href(j):   # page j's URL relative to page k's folder
        if k == 1:
            return "zfxxgknb.htm" if j == 1 else f"zfxxgknb/{n - j + 1}.htm"
        return "../zfxxgknb.htm" if j == 1 else f"{n - j + 1}.htm"
    first = "首页" if k == 1 else f'<a href="{href(1)}" class="Next">首页</a>'
    prev = "上页" if k == 1 else f'<a href="{href(k - 1)}" class="Next">上页</a>'
    nxt = "下页" if k == n else f'<a href="{href(k + 1)}" class="Next">下页</a>'
    last = "尾页" if k == n else f'<a href="{href(n)}" class="Next">尾页</a>'
    return ('<div align="center"><table cellspacing="0" cellpadding="0" border="0"><tr><td colspan="2" align="center">'
            '<table cellspacing="0" cellpadding="0" border="0"><tr>'
            f'<td nowrap align="left" width="1%" id="fanye215618">共{total}条&nbsp;&nbsp;{k}/{n}&nbsp;</td>'
            f'<td nowrap align="left"><div>&nbsp;{first}&nbsp;{prev}&nbsp;{nxt}&nbsp;{last}&nbsp;'
            '<input type="text" name="ssss" size="2" class="defaultInput" id="u10_goto"/>'
            f'<input type="button" class="defaultButtonStyle" onclick="_simple_list_gotopage_fun({n},\'ShowPage\',2)" '
            'value="跳转"></div></td></tr></table></td></tr></table></div>')


def vsbrf(base: dict) -> Site:
    s = new_site("vsbrf", VSB_NAME, "city", "山东")

    pg = page_maker(VSB_RENAMED, VSB_NAV, "3713000019")
    home = pg(VSB_RENAMED, '<div class="tzgg"><h3>通知公告</h3><ul><li><a href="info/1021/6301.htm" title="关于2025年'
              '防空警报试鸣的通告">关于2025年防空警报试鸣的通告</a></li></ul></div>'
              '<div class="zwgk"><a href="zwgk.htm">政务公开</a></div>')
    s.add("/", home)
    s.add("/index.htm", home)
    s.add("/info/1021/6301.htm", pg("关于2025年防空警报试鸣的通告", article("关于2025年防空警报试鸣的通告",
                                                                           "2025-09-10", "<p>……</p>", source="本站")))
    s.add("/zwgk.htm", pg("政务公开", '<div class="sub-cols"><ul>'
                                      '<li><a href="zwgk/zfxxgkzn.htm">政府信息公开指南</a></li>'
                                      '<li><a href="zwgk/zfxxgkzd.htm">政府信息公开制度</a></li>'
                                      '<li><a href="zwgk/fdzdgknr.htm">法定主动公开内容</a></li>'
                                      '<li><a href="zwgk/zfxxgknb.htm">政府信息公开年报</a></li></ul></div>',
                          crumbs=[("首页", "index.htm"), ("政务公开", None)]))
    n = -(-len(VSB_ROWS) // VSB_PER)
    for k in range(1, n + 1):
        rows = VSB_ROWS[(k - 1) * VSB_PER:k * VSB_PER]
        up = "../" if k == 1 else "../../"
        items = "".join(f'<li id="line_u10_{i}"><a href="{up}info/1097/{doc}.htm" target="_blank" title="{t}">'
                        f'{cut(t, 22)}</a><span>{d}</span></li>' for i, (t, doc, d, _, _) in enumerate(rows))
        path = "/zwgk/zfxxgknb.htm" if k == 1 else f"/zwgk/zfxxgknb/{n - k + 1}.htm"
        s.add(path, pg("政府信息公开年报", f'<div class="list"><ul>{items}</ul></div>' + _vsb_pager(k, n, len(VSB_ROWS)),
                       crumbs=[("首页", up + "index.htm"), ("政务公开", up + "zwgk.htm"), ("政府信息公开年报", None)]))
    for i, (title, doc, date, year, wbfile) in enumerate(VSB_ROWS):
        atts = ""
        if wbfile:
            fname = f"{title}.pdf"
            dl = f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1595112003&wbfileid={wbfile}"
            atts = (f'<ul style="list-style-type:none;"><li>附件【<a href="{dl}" target="_blank">{fname}</a>】已下载'
                    f'<span id="nattach{wbfile}"><script language="javascript">getClickTimes({wbfile},1595112003,'
                    '"wbnewsfile","attach")</script></span>次</li></ul>')
            s.add(dl, Page(att(fname), "application/octet-stream", headers=[disposition_utf8_percent(fname)]),
                  year=year, listed_as_distractor=year is None)
        office = VSB_RENAMED if "国防动员" in title else VSB_NAME
        body = report_text(office, year) if year else "<p>……</p>"
        nb = [(lbl, r[0], f"{r[1]}.htm") for lbl, r in (("上一条", VSB_ROWS[i - 1] if i else None),
                                                        ("下一条", VSB_ROWS[i + 1] if i + 1 < len(VSB_ROWS) else None)) if r]
        content = ('<form name="_newscontent_fromname"><div class="v_news_content">'
                   + article(title, date, body, source=office, attachments=atts, prev_next=nb) + "</div></form>")
        s.add(f"/info/1097/{doc}.htm", pg(title, content, meta={"ArticleTitle": title, "ContentSource": office}),
              year=year, listed_as_distractor=year is None)
    return s


# ------------------------------------------------------------------ trs2rf
TRS_NAME = "湘南市人民防空办公室"
TRS_NAV = [("首页", "/"), ("机构设置", "/jgsz/"), ("工作动态", "/gzdt/"), ("政府信息公开", "/zfxxgk/"),
           ("办事服务", "/bsfw/"), ("互动交流", "/hdjl/")]
PAGE_JS = """function createPageHTML(elementName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nRecordCount) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var html = "共" + _nRecordCount + "条 ";
  var nCurrIndex = _nCurrIndex || 0;
  if (nCurrIndex == 0) { html += "<span>首页</span> <span>上一页</span> "; }
  else {
    html += "<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ";
    var prev = nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
    html += "<a href=\\"" + prev + "\\">上一页</a> ";
  }
  if (nCurrIndex + 1 == _nPageCount) { html += "<span>下一页</span> <span>尾页</span>"; }
  else {
    html += "<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> ";
    html += "<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>";
  }
  document.getElementById(elementName).innerHTML = html;
}
"""
# (title as printed in the link, path under the column, date, year or None, attachment or None);
# "[年报]" etc. are <font> tags before the title; "\n" is a line break inside the printed title.
TRS_ROWS = [
    ("[要点]", f"{TRS_NAME}2023年政务公开工作要点", "202303/t20230310_10811.html", "2023.03.10", None, None),
    ("[年报]", f"{TRS_NAME}2022年政府信息公开工作年度报告", "202301/t20230115_10523.html", "2023.01.15", 2022,
     "P020230115523401058213.pdf"),
    ("[解读]", f"图解：{TRS_NAME}2022年政府信息公开工作年度报告", "202301/t20230115_10524.html", "2023.01.15", None, None),
    ("[统计]", f"{TRS_NAME}2022年政府信息公开申请情况统计表", "202301/t20230112_10502.html", "2023.01.12", None, None),
    ("[考核]", "湘南市2022年度政务公开工作考核结果通报", "202212/t20221220_10311.html", "2022.12.20", None, None),
    ("[转发]", "湘南市应急管理局2021年政务公开工作年度报告", "202202/t20220215_9930.html", "2022.02.15", None, None),
    ("[年报]", f"{TRS_NAME}2021年政府信息公开工作年度报告", "202201/t20220119_9870.html", "2022.01.19", 2021, None),
    ("[预决算]", f"{TRS_NAME}2021年部门决算公开", "202108/t20210825_9512.html", "2021.08.25", None, None),
    ("[年报]", f"{TRS_NAME}2020年政府信息公开工作年度报告", "202101/t20210128_9001.html", "2021.01.28", 2020, None),
    ("[要点]", f"{TRS_NAME}2020年政务公开工作要点", "202004/t20200408_8650.html", "2020.04.08", None, None),
    ("[年报]", f"{TRS_NAME} 2019 年政府信息公开工作年度报告", "202001/t20200121_8402.html", "2020.01.21", 2019,
     "P020200121840201.docx"),
    ("[法治]", f"{TRS_NAME}2019年法治政府建设工作报告", "202001/t20200110_8366.html", "2020.01.10", None, None),
    ("[预决算]", f"{TRS_NAME}2019年部门预算", "201902/t20190215_7710.html", "2019.02.15", None, None),
    ("[年报]", f"{TRS_NAME}2018年政府信息公开工\n作年度报告", "201901/t20190130_7655.html", "2019.01.30", 2018, None),
    ("[指南]", f"{TRS_NAME}政府信息公开指南", "201806/t20180601_7201.html", "2018.06.01", None, None),
    ("[年报]", f"{TRS_NAME}2017年政府信息公开年度报告", "201803/t20180320_6802.html", "2018.03.20", 2017, None),
    ("[总结]", f"{TRS_NAME}2017年工作总结", "201801/t20180110_6710.html", "2018.01.10", None, None),
    ("[年报]", f"{TRS_NAME}2016年政府信息公开工作年\n度报告", "201703/t20170322_6003.html", "2017.03.22", 2016, None),
    ("[年报]", "湘南市人民政府2016年政府信息公开工作年度报告", "201703/t20170315_5980.html", "2017.03.15", None, None),
]
TRS_PER = 5


def trs2rf(base: dict) -> Site:
    s = new_site("trs2rf", TRS_NAME, "city", "湖南")
    col = "/zfxxgk/gknb/"

    pg = page_maker(TRS_NAME, TRS_NAV, "4310000022")
    s.add("/", pg(TRS_NAME, '<div class="tab"><ul><li><a href="/gzdt/tzgg/">通知公告</a></li></ul></div>'))
    s.add("/js/page.js", Page(PAGE_JS.encode(), "application/javascript"))
    s.add("/zfxxgk/", pg("政府信息公开", '<div class="xxgk-nav"><ul>'
                                     '<li><a href="./zfxxgkzn/" target="_self">政府信息公开指南</a></li>'
                                     '<li><a href="./zfxxgkzd/">政府信息公开制度</a></li>'
                                     '<li><a href="./fdzdgknr/">法定主动公开内容</a></li>'
                                     f'<li><a href="{col}">政府信息公开年报</a></li></ul></div>',
                         crumbs=[("首页", "/"), ("政府信息公开", None)]))
    news = [("市人防办召开2022年度政府信息公开工作推进会", "/gzdt/202212/t20221209_10288.html", "2022-12-09"),
            ("市人防办开展“5·12”防灾减灾日宣传活动", "/gzdt/202205/t20220512_9921.html", "2022-05-12")]
    for title, href, date in news:   # beside the list: news that speak of the disclosure work
        s.add(href, pg(title, article(title, date, "<p>……</p>", source=TRS_NAME)), distractor=True)
    n = -(-len(TRS_ROWS) // TRS_PER)
    for k in range(n):
        rows = TRS_ROWS[k * TRS_PER:(k + 1) * TRS_PER]
        dl = "".join(f'<dl><dt><a href="./{h}" target="_blank"><font color="#cc0000">{tag}</font>'
                     f'<span>{t}</span></a></dt><dd>{d}</dd></dl>\n' for tag, t, h, d, _, _ in rows)
        body = (f'<div class="list_con">{dl}</div><div class="page" id="page_div"></div>'
                f"<script>createPageHTML('page_div',{n},{k},'index','html',{len(TRS_ROWS)});</script>")
        page = pg("政府信息公开年报", body, crumbs=[("首页", "/"), ("政府信息公开", "/zfxxgk/"), ("政府信息公开年报", None)],
                  head='<script src="/js/page.js"></script>', news=news)
        s.add(col + ("index.html" if k == 0 else f"index_{k}.html"), page)
        if k == 0:
            s.add(col, page)
        else:
            s.feeds.append(("GET", col + f"index_{k}.html", None))
    for tag, title, href, date, year, attachment in TRS_ROWS:
        flat = title.replace("\n", "")
        atts = ""
        if attachment:
            atts = f'<p><a href="./{attachment}" OLDSRC="/protect/P0202301/{attachment}">{flat}</a></p>'
            ctype = "application/pdf" if attachment.endswith(".pdf") else "application/msword"
            s.add(col + href.rsplit("/", 1)[0] + "/" + attachment, Page(att(flat + "." + attachment.split(".")[1]), ctype),
                  year=year)
        body = report_text(TRS_NAME, year) if year else "<p>……</p>"
        s.add(col + href, pg(flat, article(flat, date.replace(".", "-"), body, source=TRS_NAME, attachments=atts),
                             meta={"ArticleTitle": flat, "PubDate": date.replace(".", "-") + " 09:00"}),
              year=year, listed_as_distractor=year is None)
    return s


# ------------------------------------------------------------------ anhrf
AH_NAME, AH_RENAMED = "江淮市人民防空办公室", "江淮市国防动员办公室"
AH_NAV = [("首页", "/index.html"), ("机构概况", "/jggk/index.html"), ("国动要闻", "/gdyw/index.html"),
          ("政务公开", "/public/column/6596301?type=4&action=xxgk"), ("互动交流", "/hdjl/index.html")]
BRANCH = "5230036b7f8b9a1808ee347f"
# (title, path, date, year or None, attachment or None); the platform relabels old reports
# with the new name (as the real 阜阳 platform does), and the list carries 图解 beside reports
AH_ROWS = [
    (f"{AH_RENAMED}2024年政府信息公开工作年度报告", "/OpennessAnnualReport/show/1342.html", "2025-01-17", 2024,
     "/group4/M00/0C/2A/wKgCZmeJa1WAHk7rAAHjmtXq7Nk341.pdf"),
    (f"图解{AH_RENAMED}2024年政府信息公开工作年度报告", "/OpennessAnnualReport/show/1343.html", "2025-01-17", None,
     None),
    (f"{AH_RENAMED}2023年政府信息公开工作年度报告", "/OpennessAnnualReport/show/1107.html", "2024-01-19", 2023,
     "/group3/M00/05/1A/wKgAZmWx1a2AJk3rAAEjmtXq7Nk123.pdf"),
    (f"{AH_RENAMED}2022年政府信息公开工作年度报告", "/OpennessAnnualReport/show/621.html", "2023-01-18", 2022, None),
    (f"{AH_RENAMED}2020年政府信息公开工作年度报告", "/OpennessAnnualReport/show/388.html", "2021-01-29", 2020, None),
    (f"{AH_RENAMED}2018年政府信息公开工作年度报告", "/OpennessAnnualReport/show/162.html", "2019-03-11", 2018, None),
    (f"{AH_RENAMED}2016年政府信息公开工作年度报告", "/OpennessAnnualReport/show/75.html", "2017-03-27", 2016, None),
    (f"{AH_NAME}2015年政府信息公开工作年度报告",
     f"/xxgkAnnualReport/yearReportDetail/?branch_id={BRANCH}&year=2015", "2016-03-30", 2015, None),
    (f"{AH_NAME}2014年政府信息公开工作年度报告",
     f"/xxgkAnnualReport/yearReportDetail/?branch_id={BRANCH}&year=2014", "2015-03-25", 2014, None),
]
AH_PER = 4
GOPAGE = """<script type="text/javascript">
function goPage(n) {
  var url = '/OpennessAnnualReport/list/' + n + '.html';
  window.location.href = url;
}
</script>"""


def anhrf(base: dict) -> Site:
    s = new_site("anhrf", AH_NAME, "city", "安徽")

    pg = page_maker(AH_RENAMED, AH_NAV, "3412000030")
    home = pg(AH_RENAMED, '<div class="gdyw"><ul><li><a href="/gdyw/8912345.html">市国动办召开党组理论学习中心组'
              '学习会</a></li></ul></div>')
    s.add("/", home)
    s.add("/index.html", home)
    s.add("/gdyw/8912345.html", pg("市国动办召开党组理论学习中心组学习会",
                                   article("市国动办召开党组理论学习中心组学习会", "2025-06-03", "<p>……</p>",
                                           source="办公室")))
    tree = ('<div class="xxgk-tree"><ul>'
            '<li><a href="/public/column/6596301?type=4&action=guide">信息公开指南</a></li>'
            '<li><a href="/public/column/6596301?type=4&action=zhidu">信息公开制度</a></li>'
            '<li><a href="/public/column/6596301?type=4&catId=7019831&action=list">法定主动公开内容</a></li>'
            '<li><a href="/OpennessAnnualReport/index.html">信息公开年报</a></li>'
            '<li><a href="/public/column/6596301?type=4&action=apply">依申请公开</a></li></ul></div>')
    s.add("/public/column/6596301?type=4&action=xxgk", pg("政务公开", tree + "<div class='xxgk-home'>……</div>",
                                                          crumbs=[("首页", "/index.html"), ("政务公开", None)]))
    s.add("/public/column/6596301?type=4&action=guide", pg("信息公开指南", tree + "<p>信息公开指南……</p>"))
    plans = [(f"{AH_RENAMED}2025年政务公开工作要点", "/public/6596301/1139981201.html", "2025-03-12"),
             (f"{AH_RENAMED}2024年度部门决算", "/public/6596301/1137710033.html", "2025-08-29"),
             (f"{AH_RENAMED}2024年法治政府建设年度报告", "/public/6596301/1135521010.html", "2025-01-24")]
    s.add("/public/column/6596301?type=4&catId=7019831&action=list",
          pg("法定主动公开内容", tree + "<ul class='xxgk_list'>" + "".join(
              f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for t, h, d in plans) + "</ul>"))
    for t, h, d in plans:
        s.add(h, pg(t, article(t, d, "<p>……</p>", source=AH_RENAMED)), listed_as_distractor=True)
    n = -(-len(AH_ROWS) // AH_PER)
    for k in range(1, n + 1):
        rows = AH_ROWS[(k - 1) * AH_PER:k * AH_PER]
        lis = "".join(f'<li class="clearfix"><a href="{h}" target="_blank" title="{t}" class="title">{cut(t, 26)}'
                      f'</a><span class="date">{d}</span></li>' for t, h, d, _, _ in rows)
        pager = (f'<div class="pagination" id="pagination"><span class="total">共{len(AH_ROWS)}条</span>'
                 + "".join(f'<a href="javascript:void(0)" class="active">{j}</a>' if j == k else
                           f'<a href="javascript:void(0)" onclick="goPage({j})">{j}</a>' for j in range(1, n + 1))
                 + (f'<a href="javascript:void(0)" onclick="goPage({k + 1})">下一页</a>' if k < n else "")
                 + f'<a href="javascript:void(0)" onclick="goPage({n})">末页</a></div>')
        page = pg("信息公开年报", tree + f'<ul class="clearfix xxgk_nb_list">{lis}</ul>{pager}{GOPAGE}',
                  crumbs=[("首页", "/index.html"), ("政务公开", "/public/column/6596301?type=4&action=xxgk"),
                          ("信息公开年报", None)])
        s.add(f"/OpennessAnnualReport/list/{k}.html", page)
        s.feeds.append(("GET", f"/OpennessAnnualReport/list/{k}.html", None))
        if k == 1:
            s.add("/OpennessAnnualReport/index.html", page)
    for title, path, date, year, attachment in AH_ROWS:
        atts = ""
        if attachment:
            atts = f'<p><a href="{attachment}" target="_blank">{title}.pdf</a></p>'
            s.add(attachment, Page(att(title + ".pdf"), "application/pdf"), year=year)
        office = AH_RENAMED if year is None or year >= 2016 else AH_NAME
        body = (report_text(office, year) if year else '<p><img src="/group4/M00/0C/2B/tujie2024.jpg" alt="图解"></p>')
        meta = {"ArticleTitle": title, "PubDate": date, "ContentSource": AH_RENAMED}
        s.add(path, pg(title, '<div class="nb-detail">' + article(title, date, body, source=office, attachments=atts)
                       + "</div>", meta=meta), year=year, listed_as_distractor=year is None)
    return s


BUILDERS = {"vsbrf": vsbrf, "trs2rf": trs2rf, "anhrf": anhrf}
