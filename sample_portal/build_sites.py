"""Write the pages of the sample sites into ``sample_portal/sites/<id>/``.

    python -m sample_portal.build_sites

The generated files are committed, so a reader can browse the portal as
files; re-running this script reproduces them byte for byte. 攀枝花 (pzhrf)
pages are stored in GBK, exactly as served (``iconv -f gbk`` to read them);
江西 (jxrf) pages in UTF-8. The 攀枝花 report article embeds
``documents/seed000.html`` (run ``python -m sample_portal.render`` first).
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from sample_portal.sites import (
    DATAPROXY, DOCUMENTS_DIR, JX_NEWS_COLUMN, JX_NEWS_RECORDS, JX_NEWS_UNIT, JX_PER_PAGE,
    JX_REPORT_COLUMN, JX_REPORT_RECORDS, JX_REPORT_UNIT, JX_WEBNAME, JXRF, PZH_NEWS,
    PZH_REPORT_LIST, PZHRF, Record, downfile_url, hanweb_record,
)

E = html.escape


def paras(*texts: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{c}>{E(t)}</p>" for t in texts)


# ===========================================================================
# 攀枝花市人民防空办公室 — TRS WCM
# ===========================================================================

PZH_CSS = """
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f3f3f3}
a{color:#333;text-decoration:none}a:hover{color:#c00}
.top{width:1000px;margin:0 auto;height:110px;background:#b71c1c;color:#fff;position:relative}
.top .logo{position:absolute;left:30px;top:22px}.top .logo h1{margin:0;font-size:32px;letter-spacing:4px}
.top .logo span{font-size:12px;letter-spacing:1px}
.top .search{position:absolute;right:20px;top:40px}.top .search a{color:#fff}
.nav{width:1000px;margin:0 auto;background:#8e0000;height:42px}
.nav ul{margin:0;padding:0;list-style:none}.nav li{float:left;width:25%;text-align:center;line-height:42px}
.nav li a{color:#fff;font-size:16px}
.main{width:960px;margin:0 auto;background:#fff;padding:10px 20px 30px;min-height:500px}
.position{border-bottom:1px solid #ddd;padding:6px 0;color:#666;font-size:12px}
.list{list-style:none;padding:0}.list li{border-bottom:1px dashed #ddd;line-height:36px}
.list li span{float:right;color:#999}
.page{text-align:center;padding:15px 0;color:#666}
.article h1{text-align:center;font-size:22px;color:#b71c1c;margin:20px 0 10px}
.article .info{text-align:center;color:#888;font-size:12px;border-bottom:1px solid #eee;padding-bottom:8px}
.TRS_Editor{padding:15px 10px;font-size:16px}
.fj{padding:10px;border-top:1px dashed #ccc}
.footer{width:1000px;margin:0 auto;background:#555;color:#ddd;text-align:center;font-size:12px;
 padding:12px 0;line-height:22px}.footer a{color:#ddd}
"""

PZH_PAGER_JS = r"""<script>
/* TRS WCM 分页 */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	// 1 输出首页和上一页
	if(nCurrIndex == 0){
		document.write("<span>首页</span>&nbsp;&nbsp;<span>上一页</span>&nbsp;&nbsp;");
	}else if(nCurrIndex == 1){
		document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;&nbsp;");
		document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">上一页</a>&nbsp;&nbsp;");
	}else{
		document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;&nbsp;");
		document.write("<a href=\""+_sPageName+"_" + (nCurrIndex-1) + "."+_sPageExt+"\">上一页</a>&nbsp;&nbsp;");
	}
	// 2 输出下一页和尾页
	if(nCurrIndex == (_nPageCount-1)){
		document.write("<span>下一页</span>&nbsp;&nbsp;<span>尾页</span>");
	}else{
		document.write("<a href=\""+_sPageName+"_" + (nCurrIndex+1) + "."+_sPageExt+"\">下一页</a>&nbsp;&nbsp;");
		document.write("<a href=\""+_sPageName+"_" + (_nPageCount-1) + "."+_sPageExt+"\">尾页</a>");
	}
	document.write("&nbsp;&nbsp;共" + _nPageCount + "页&nbsp;&nbsp;当前第" + (nCurrIndex+1) + "页");
}
</script>"""


def pzh_meta(title: str, column: str, pubdate: str, source: str = PZHRF.name,
             description: str = "") -> str:
    return "\n".join([
        f'<meta name="SiteName" content="{PZHRF.name}" />',
        '<meta name="SiteIDCode" content="5104000014" />',
        f'<meta name="ColumnName" content="{E(column)}" />',
        f'<meta name="ColumnType" content="{E(column)}" />',
        f'<meta name="ArticleTitle" content="{E(title)}" />',
        f'<meta name="PubDate" content="{pubdate}" />',
        f'<meta name="ContentSource" content="{E(source)}" />',
        f'<meta name="Keywords" content="{E(column)}" />',
        f'<meta name="Description" content="{E(description or title)}" />',
    ])


def pzh_page(title: str, crumbs: list[tuple[str, str]], content: str, meta: str = "") -> str:
    crumb = " &gt; ".join(['<a href="/">首页</a>'] + [
        f'<a href="{href}">{E(name)}</a>' if href else E(name) for name, href in crumbs])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=EmulateIE7" />
{meta}
<title>{E(title)}</title>
<style type="text/css">{PZH_CSS}</style>
</head>
<body>
<div class="top">
  <div class="logo"><h1>攀枝花市人民防空办公室</h1><span>PANZHIHUA CIVIL AIR DEFENCE OFFICE</span></div>
  <div class="search"><a href="/search/index.html">站内搜索</a></div>
</div>
<div class="nav">
  <ul>
    <li><a href="/">首页</a></li>
    <li><a href="/xwdt/">人防要闻</a></li>
    <li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/bsfw/">办事服务</a></li>
  </ul>
</div>
<div class="main">
<div class="position">当前位置：{crumb}</div>
{content}
</div>
<div class="footer">
  <p>主办单位：攀枝花市人民防空办公室　　承办单位：攀枝花市人民防空办公室办公室</p>
  <p>网站标识码：5104000014　　蜀ICP备05003829号-1　　川公网安备 51040202000131号</p>
  <p>建议使用1024×768分辨率　IE8.0以上版本浏览器浏览本站</p>
</div>
</body>
</html>
"""


def pzh_list(records: list[Record]) -> str:
    items = "\n".join(
        f'  <li><a href="{r.url}" target="_blank" title="{E(r.title)}">{E(r.title)}</a>'
        f'<span>{r.date}</span></li>' for r in records)
    return f'<ul class="list">\n{items}\n</ul>'


def pzh_article(title: str, column: str, crumbs, pubdate: str, body: str,
                attachment: tuple[str, str] | None = None, source: str = PZHRF.name) -> str:
    fj = ""
    if attachment:
        href, name = attachment
        fj = (f'<div class="fj">附件：<a href="{href}" OLDSRC="/protect{href[1:]}" '
              f'target="_blank">{E(name)}</a></div>')
    content = f"""<div class="article">
<h1>{E(title)}</h1>
<div class="info">发布时间：{pubdate}　　来源：{E(source)}　　【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</div>
<div class="TRS_Editor">
{body}
</div>
{fj}
</div>"""
    return pzh_page(f"{title}_攀枝花市人民防空办公室", crumbs, content,
                    pzh_meta(title, column, pubdate, source))


NB_CRUMBS = [("政务公开", "/zwgk/"), ("政府信息公开年报", "/zwgk/zfxxgknb/")]
NEWS_CRUMBS = [("人防要闻", "/xwdt/")]


def pzh_pages(documents: Path) -> dict[str, str]:
    pages: dict[str, str] = {}
    news_links = "\n".join(
        f'  <li><a href="/xwdt/{r.url[2:]}" target="_blank" title="{E(r.title)}">{E(r.title)}</a>'
        f'<span>{r.date}</span></li>' for r in PZH_NEWS)
    pages["index.html"] = pzh_page("攀枝花市人民防空办公室", [], f"""<div class="home">
<h2>人防要闻</h2>
<ul class="list">
{news_links}
</ul>
<h2>政务公开</h2>
<p><a href="/zwgk/">政府信息公开</a>　<a href="/bsfw/">办事服务</a></p>
</div>""", f'<meta name="SiteName" content="{PZHRF.name}" />\n<meta name="SiteIDCode" content="5104000014" />')

    pages["xwdt/index.html"] = pzh_page("人防要闻_攀枝花市人民防空办公室", [("人防要闻", "")],
                                        f'<h2>人防要闻</h2>\n{PZH_PAGER_JS}\n{pzh_list(PZH_NEWS)}\n'
                                        '<div class="page"><script>createPageHTML(1, 0, "index", "html");</script></div>',
                                        f'<meta name="SiteName" content="{PZHRF.name}" />\n'
                                        '<meta name="ColumnName" content="人防要闻" />')
    pages["xwdt/202003/t20200312_5200.html"] = pzh_article(
        PZH_NEWS[0].title, "人防要闻", NEWS_CRUMBS, "2020-03-12 16:05", paras(
            "为切实做好人防工程安全管理工作，3月以来，市人防办组织工程科、执法大队对全市已建人防工程开展安全隐患排查整治。",
            "检查组重点检查了人防工程防护设备完好情况、消防设施配置、平时使用安全管理制度落实等内容，"
            "对发现的问题当场反馈并建立整改台账，明确整改时限和责任人。",
            "下一步，市人防办将持续加强人防工程日常监管，确保人防工程安全、战备效能良好。"))
    pages["xwdt/202001/t20200108_5100.html"] = pzh_article(
        PZH_NEWS[1].title, "人防要闻", NEWS_CRUMBS, "2020-01-08 09:40", paras(
            "1月7日，攀枝花市召开2020年全市人民防空工作会议，总结2019年全市人防工作，部署2020年重点任务。",
            "会议要求，各县（区）人防部门要坚持战建备一体化推进，抓好人防工程建设、指挥通信保障和宣传教育工作，"
            "切实提升城市综合防护能力。"))

    pages["bsfw/index.html"] = pzh_page("办事服务_攀枝花市人民防空办公室", [("办事服务", "")], """<h2>办事服务</h2>
<ul class="list">
  <li>结合民用建筑修建防空地下室审批（办事指南）</li>
  <li>拆除人民防空工程审批（办事指南）</li>
  <li>人民防空工程竣工验收备案（办事指南）</li>
</ul>
<p>咨询电话：0812-3330000（工作日 9:00—12:00，14:30—18:00）</p>""")
    pages["search/index.html"] = pzh_page("站内搜索_攀枝花市人民防空办公室", [("站内搜索", "")],
                                          '<form action="/search/index.html" method="get">'
                                          '<input type="text" name="searchword" /> <input type="submit" value="搜索" /></form>')

    pages["zwgk/index.html"] = pzh_page("政务公开_攀枝花市人民防空办公室", [("政务公开", "")], """<h2>政府信息公开</h2>
<ul class="list gklm">
  <li><a href="./zfxxgkzn/" title="政府信息公开指南">政府信息公开指南</a></li>
  <li><a href="./zfxxgkzd/" title="政府信息公开制度">政府信息公开制度</a></li>
  <li><a href="./fdzdgknr/" title="法定主动公开内容">法定主动公开内容</a></li>
  <li><a href="./zfxxgknb/" title="政府信息公开年报">政府信息公开年报</a></li>
</ul>""", f'<meta name="SiteName" content="{PZHRF.name}" />\n<meta name="ColumnName" content="政务公开" />')
    gk = [("政务公开", "/zwgk/")]
    pages["zwgk/zfxxgkzn/index.html"] = pzh_page(
        "政府信息公开指南_攀枝花市人民防空办公室", gk + [("政府信息公开指南", "")],
        "<h2>攀枝花市人民防空办公室政府信息公开指南</h2>\n" + paras(
            "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
            "一、主动公开。主动公开的政府信息通过本机关门户网站、政务新媒体等途径公开，自信息形成或者变更之日起20个工作日内予以公开。",
            "二、依申请公开。公民、法人或者其他组织可以向本机关申请获取相关政府信息，申请应当采用书面形式。",
            "三、受理机构：攀枝花市人民防空办公室办公室，办公时间：工作日上午9:00—12:00，下午14:30—18:00。"))
    pages["zwgk/zfxxgkzd/index.html"] = pzh_page(
        "政府信息公开制度_攀枝花市人民防空办公室", gk + [("政府信息公开制度", "")],
        "<h2>政府信息公开制度</h2>\n" + paras(
            "攀枝花市人民防空办公室政府信息公开保密审查制度",
            "攀枝花市人民防空办公室政府信息主动公开制度",
            "攀枝花市人民防空办公室依申请公开政府信息工作制度"))
    pages["zwgk/fdzdgknr/index.html"] = pzh_page(
        "法定主动公开内容_攀枝花市人民防空办公室", gk + [("法定主动公开内容", "")],
        "<h2>法定主动公开内容</h2>\n" + paras(
            "机构职能　　政策文件　　规划计划　　财政资金　　行政执法　　人事信息　　建议提案办理"))

    # 政府信息公开年报: two list pages with the TRS pager
    list_meta = (f'<meta name="SiteName" content="{PZHRF.name}" />\n'
                 '<meta name="ColumnName" content="政府信息公开年报" />\n'
                 '<meta name="ColumnType" content="政府信息公开年报" />')
    for i, records in enumerate(PZH_REPORT_LIST):
        name = "index.html" if i == 0 else f"index_{i}.html"
        pages[f"zwgk/zfxxgknb/{name}"] = pzh_page(
            "政府信息公开年报_攀枝花市人民防空办公室", gk + [("政府信息公开年报", "")],
            f'<h2>政府信息公开年报</h2>\n{PZH_PAGER_JS}\n{pzh_list(records)}\n'
            f'<div class="page"><script>createPageHTML({len(PZH_REPORT_LIST)}, {i}, "index", "html");</script></div>',
            list_meta)

    nb = "zwgk/zfxxgknb/"
    r = PZH_REPORT_LIST[0][0]
    fragment = (documents / "seed000.html").read_text(encoding="utf-8")
    pages[nb + "202001/t20200120_5123.html"] = pzh_article(
        r.title, "政府信息公开年报", NB_CRUMBS, "2020-01-20 10:30", fragment.strip(),
        ("./P020200120512300000001.pdf", r.title + ".pdf"))
    r = PZH_REPORT_LIST[0][1]
    pages[nb + "202003/t20200305_5150.html"] = pzh_article(
        r.title, "政府信息公开年报", NB_CRUMBS, "2020-03-05 15:20", paras(
            "为深入贯彻落实《中华人民共和国政府信息公开条例》和省、市政务公开工作部署，现就2020年我办政务公开工作提出如下要点。",
            "一、加强政策解读。围绕人防工程建设、防空警报设施管理等重点领域，做好政策文件解读，增强解读的针对性和实效性。",
            "二、推进重点领域信息公开。及时公开行政许可、行政处罚等执法信息，主动公开财政预决算信息。",
            "三、提升平台建设水平。加强门户网站和政务新媒体管理，做好信息发布审核，确保发布信息准确规范。",
            "四、强化组织保障。落实政务公开工作责任，加强业务培训，按时编制发布政府信息公开工作年度报告。"))
    r = PZH_REPORT_LIST[0][2]
    pages[nb + "202002/t20200210_5140.html"] = pzh_article(
        r.title, "政府信息公开年报", NB_CRUMBS, "2020-02-10 11:00", paras(
            "2019年，攀枝花市人民防空办公室深入学习贯彻习近平法治思想，认真落实法治政府建设各项任务，现将有关情况报告如下。",
            "一、主要举措和成效。健全依法决策机制，落实重大行政决策合法性审查；规范行政执法行为，全面推行行政执法公示、执法全过程记录和重大执法决定法制审核制度。",
            "二、存在的不足。人防行政执法队伍专业化水平有待提升，法治宣传的覆盖面还需进一步扩大。",
            "三、2020年工作打算。持续推进人防领域依法行政，加强执法人员培训，深化“谁执法谁普法”责任制落实。"))
    r = PZH_REPORT_LIST[1][0]
    pages[nb + "201901/t20190125_4101.html"] = pzh_article(
        r.title, "政府信息公开年报", NB_CRUMBS, "2019-01-25 16:45", paras(
            "根据《中华人民共和国政府信息公开条例》规定，现将攀枝花市人民防空办公室2018年政府信息公开工作年度报告予以公布，全文详见附件。"),
        ("./P020190125410100000001.pdf", r.title + ".pdf"))
    r = PZH_REPORT_LIST[1][1]
    pages[nb + "201907/t20190710_4200.html"] = pzh_article(
        r.title, "政府信息公开年报", NB_CRUMBS, "2019-07-10 09:30", paras(
            "按照市财政局关于部门决算公开的统一要求，现将攀枝花市人民防空办公室2018年部门决算予以公开，详见附件。"),
        ("./P020190710420000000001.pdf", "攀枝花市人民防空办公室2018年部门决算.pdf"))
    return pages


# ===========================================================================
# 江西省人民防空办公室 — Hanweb jcms
# ===========================================================================

JX_CSS = """
body{margin:0;font:14px/1.8 "Microsoft YaHei",sans-serif;color:#333}
a{color:#333;text-decoration:none}
.header{background:#0b4f9c;height:120px}.header .logo{width:1200px;margin:0 auto;color:#fff;font-size:34px;line-height:120px;letter-spacing:3px}
.nav{background:#083b75}.nav ul{width:1200px;margin:0 auto;padding:0;list-style:none;height:46px}
.nav li{float:left;margin-right:60px;line-height:46px}.nav a{color:#fff;font-size:17px}
.container{width:1200px;margin:0 auto;padding:15px 0 40px;min-height:480px}
.bt-position{color:#666;font-size:13px;border-bottom:2px solid #0b4f9c;padding-bottom:6px}
.default_pgContainer li,.list li{list-style:none;border-bottom:1px dotted #ccc;line-height:38px}
.default_pgContainer li span,.list li span{float:right;color:#999}
.article .title{text-align:center;font-size:24px;color:#0b4f9c}
.article .info{text-align:center;color:#999;font-size:13px}
#zoom{font-size:16px;line-height:2;padding:20px 40px}
.footer{background:#eee;color:#666;text-align:center;font-size:13px;padding:20px 0;line-height:24px}
"""


def jx_head_meta(title: str = "", column: str = "", pubdate: str = "", source: str | None = None,
                 description_name: str = "Description") -> str:
    tags = [f'<meta name="SiteName" content="{JX_WEBNAME}">',
            '<meta name="SiteIDCode" content="3600000041">']
    if column:
        tags.append(f'<meta name="ColumnName" content="{E(column)}">')
        tags.append(f'<meta name="ColumnType" content="{E(column)}">')
    if title:
        tags += [f'<meta name="ArticleTitle" content="{E(title)}">',
                 f'<meta name="PubDate" content="{pubdate}">',
                 f'<meta name="ContentSource" content="{E(JX_WEBNAME if source is None else source)}">',
                 f'<meta name="Keywords" content="{E(column)}">',
                 f'<meta name="{description_name}" content="{E(title)}">']
    return "\n".join(tags)


def jx_page(title: str, crumbs: list[tuple[str, str]], content: str, meta: str = "") -> str:
    crumb = " &gt; ".join(['<a href="/">首页</a>'] + [
        f'<a href="{href}">{E(n)}</a>' if href else E(n) for n, href in crumbs])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
{meta}
<title>{E(title)}</title>
<style>{JX_CSS}</style>
</head>
<body>
<div class="header"><div class="logo">江西省人民防空办公室</div></div>
<div class="nav">
  <ul>
    <li><a href="/">首页</a></li>
    <li><a href="/col/col1001/index.html">政务公开</a></li>
    <li><a href="/col/col1002/index.html">新闻中心</a></li>
  </ul>
</div>
<div class="container">
<div class="bt-position">当前位置：{crumb}</div>
{content}
</div>
<div class="footer">
  <p>主办：江西省人民防空办公室　　网站标识码：3600000041</p>
  <p>赣ICP备05004315号-1　　赣公网安备 36010202000321号</p>
</div>
</body>
</html>
"""


def jx_column(column: int, unit: int, records: list[Record], per_page: int) -> str:
    """A Hanweb jpage list: the first page of records inline, the rest via dataproxy.jsp."""
    first = "".join(f"<record><![CDATA[{hanweb_record(r)}]]></record>" for r in records[:per_page])
    next_group = (f'<a href="{DATAPROXY}?page=1&webid=1&path=/&columnid={column}&unitid={unit}'
                  f'&webname={JX_WEBNAME}&permissiontype=0"></a>')
    return (f'<div id="{unit}"><script type="text/xml"><datastore>'
            f"<nextgroup><![CDATA[{next_group}]]></nextgroup>"
            f"<recordset>{first}</recordset></datastore></script></div>"
            f"<script>$(function(){{ $('#{unit}').jpage({{ dataStore: dataStore, perPage: {per_page}, "
            f"totalRecord: {len(records)}, proxyUrl: '{DATAPROXY}', groupSize: 1, "
            f"barPosition: 'bottom', ajaxParam: {{col:1, appid:1, webid:1, path:'/', "
            f"columnid:{column}, sourceContentType:1, unitid:{unit}, webname:'{JX_WEBNAME}', "
            f"permissiontype:0}} }}); }});</script>")


def jx_article(rec: Record, column: str, crumbs, pubdate: str, body: str,
               attachments: list[tuple[str, str]] = (), source: str | None = None,
               shown_source: str = JX_WEBNAME, description_name: str = "Description") -> str:
    fj = ""
    if attachments:
        links = "<br>".join(f'<a href="{href}" target="_blank">{E(name)}</a>'
                            for href, name in attachments)
        fj = f'\n<p>附件：{links}</p>'
    content = f"""<div class="article">
<div class="title">{E(rec.title)}</div>
<div class="info"><span>发布时间：{pubdate}</span>　<span>来源：{E(shown_source)}</span>　<span>字号：[ <a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a> ]</span></div>
<div id="zoom">
{body}{fj}
</div>
</div>"""
    return jx_page(f"{rec.title}_{JX_WEBNAME}", crumbs, content,
                   jx_head_meta(rec.title, column, pubdate, source, description_name))


def jx_pages() -> dict[str, str]:
    pages: dict[str, str] = {}
    home_news = "\n".join(f'  <li><a href="{r.url}" target="_blank" title="{E(r.title)}">{E(r.title)}</a>'
                          f'<span>{r.date}</span></li>' for r in JX_NEWS_RECORDS)
    pages["index.html"] = jx_page(JX_WEBNAME, [], f"""<h2><a href="/col/col1002/index.html">新闻中心</a></h2>
<ul class="list">
{home_news}
</ul>
<h2><a href="/col/col1001/index.html">政务公开</a></h2>""", jx_head_meta())

    gk = [("政务公开", "/col/col1001/index.html")]
    pages["col/col1001/index.html"] = jx_page(f"政务公开_{JX_WEBNAME}", [("政务公开", "")], """<h2>政务公开</h2>
<ul class="list">
  <li><a href="/col/col1003/index.html" target="_blank">政府信息公开指南</a></li>
  <li><a href="/col/col1004/index.html" target="_blank">政府信息公开制度</a></li>
  <li><a href="/col/col1005/index.html" target="_blank">政府信息公开年报</a></li>
</ul>""", jx_head_meta(column="政务公开"))
    pages["col/col1002/index.html"] = jx_page(
        f"新闻中心_{JX_WEBNAME}", [("新闻中心", "")],
        "<h2>新闻中心</h2>\n" + jx_column(JX_NEWS_COLUMN, JX_NEWS_UNIT, JX_NEWS_RECORDS, 15),
        jx_head_meta(column="新闻中心"))
    pages["col/col1003/index.html"] = jx_page(
        f"政府信息公开指南_{JX_WEBNAME}", gk + [("政府信息公开指南", "")],
        "<h2>江西省人民防空办公室政府信息公开指南</h2>\n" + paras(
            "本指南根据《中华人民共和国政府信息公开条例》编制，需要获得本机关政府信息公开服务的公民、法人或者其他组织，可以阅读本指南。",
            "一、主动公开。本机关主动公开的政府信息，通过江西省人民防空办公室门户网站“政务公开”栏目公开。",
            "二、依申请公开。申请人可以通过信函、当面提交或者网上申请等方式提出政府信息公开申请。",
            "三、受理机构：江西省人民防空办公室综合处。"), jx_head_meta(column="政府信息公开指南"))
    pages["col/col1004/index.html"] = jx_page(
        f"政府信息公开制度_{JX_WEBNAME}", gk + [("政府信息公开制度", "")],
        "<h2>政府信息公开制度</h2>\n" + paras(
            "江西省人民防空办公室政府信息公开工作制度",
            "江西省人民防空办公室政府信息公开保密审查办法",
            "江西省人民防空办公室依申请公开政府信息办理规程"), jx_head_meta(column="政府信息公开制度"))
    pages["col/col1005/index.html"] = jx_page(
        f"政府信息公开年报_{JX_WEBNAME}", gk + [("政府信息公开年报", "")],
        "<h2>政府信息公开年报</h2>\n"
        + jx_column(JX_REPORT_COLUMN, JX_REPORT_UNIT, JX_REPORT_RECORDS, JX_PER_PAGE),
        jx_head_meta(column="政府信息公开年报"))

    nb = gk + [("政府信息公开年报", "/col/col1005/index.html")]
    col = "政府信息公开年报"
    R = JX_REPORT_RECORDS

    def path(rec: Record) -> str:
        return rec.url.lstrip("/")

    pages[path(R[0])] = jx_article(R[0], col, nb, "2021-01-30 15:30", paras(
        "根据《中华人民共和国政府信息公开条例》要求，江西省人民防空办公室编制了2020年政府信息公开工作年度报告，现予以公布。",
        "本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。如对本报告有疑问，请与江西省人民防空办公室综合处联系。"),
        [(downfile_url("2101301530123.docx"), "江西省人民防空办公室2020年政府信息公开工作年度报告.docx"),
         (downfile_url("2101301530124.pdf"), "江西省人民防空办公室2020年政府信息公开工作年度报告.pdf")])
    pages[path(R[1])] = jx_article(R[1], col, nb, "2021-03-02 10:10", paras(
        "为认真贯彻落实国务院办公厅和省政府办公厅关于政务公开工作的部署要求，结合人防工作实际，制定本要点。",
        "一、深化决策公开。严格落实重大行政决策预公开制度，扩大公众参与。",
        "二、加强政策解读回应。对涉及人防工程建设、易地建设费等方面的政策文件同步开展解读。",
        "三、规范依申请公开办理。严格按照法定时限答复，规范答复文书格式。",
        "四、按时编制发布2020年政府信息公开工作年度报告。"))
    pages[path(R[2])] = jx_article(R[2], col, nb, "2021-07-15 16:00", paras(
        "根据《中华人民共和国预算法》和省财政厅关于做好部门决算公开工作的要求，现将江西省人民防空办公室2020年度部门决算公开如下。",
        "一、部门基本情况。江西省人民防空办公室是省政府主管全省人民防空工作的工作部门。",
        "二、收入支出决算总体情况说明。2020年度收入总计、支出总计详见部门决算公开报表。",
        "三、其他重要事项的情况说明。本部门2020年度“三公”经费支出较上年有所下降。"))
    pages[path(R[3])] = jx_article(R[3], col, nb, "2020-01-20 17:20", paras(
        "现将江西省人民防空办公室2019年政府信息公开工作年度报告予以公布，详见附件。"),
        [(downfile_url("2001201030001.docx"), "江西省人防办2019年政府信息公开工作年度报告.docx")],
        source="", shown_source="江西省人防办")
    pages[path(R[4])] = jx_article(R[4], "新闻中心", nb, "2019-09-18 11:25", paras(
        "9月18日上午10时，南昌、九江、赣州等11个设区市同时组织防空警报试鸣，全省共试鸣防空警报器千余台。",
        "试鸣期间，各地同步开展人民防空知识宣传教育和疏散演练，增强市民国防观念和防空防灾意识。"))
    pages[path(R[5])] = jx_article(R[5], col, nb, "2020-02-01 09:00", paras(
        "2019年，江西省人民防空办公室坚持以习近平新时代中国特色社会主义思想为指导，全面推进人防领域依法行政，现将法治政府建设情况报告如下。",
        "一、完善人防法规制度体系，开展人防规章和规范性文件清理。",
        "二、深化“放管服”改革，推进人防行政审批“一网通办”。",
        "三、加强行政执法监督，全面落实行政执法三项制度。"), description_name="Desctiption")
    pages[path(R[6])] = jx_article(R[6], col, nb, "2015-03-20 10:00", (
        '<p style="text-align:center"><strong>江西省人民防空办公室2014年度政府信息公开工作年度报告</strong></p>\n'
        + paras(
            "本报告根据《中华人民共和国政府信息公开条例》要求，由江西省人民防空办公室编制。全文包括概述、主动公开政府信息情况、"
            "依申请公开政府信息情况、政府信息公开收费及减免情况、因政府信息公开申请提起行政复议和行政诉讼情况、存在的主要问题及改进措施。"
            "本报告中所列数据的统计期限自2014年1月1日起至2014年12月31日止。",
            "一、概述。2014年，我办按照省政府关于政府信息公开工作的部署，进一步完善政府信息公开工作机制，"
            "明确综合处负责政府信息公开的日常工作，做好政府信息公开目录的编制和更新。",
            "二、主动公开政府信息情况。2014年共主动公开政府信息156条，其中通过门户网站公开152条，"
            "通过新闻发布会、报刊等其他方式公开4条。",
            "三、依申请公开、收费及行政复议、行政诉讼情况。2014年我办未收到政府信息公开申请，"
            "未收取政府信息公开相关费用，未发生因政府信息公开申请提起行政复议和行政诉讼的情况。"
            "下一步，我办将进一步规范政府信息公开工作，提高公开工作的质量和时效。")))

    news = [("新闻中心", "/col/col1002/index.html")]
    pages[path(JX_NEWS_RECORDS[0])] = jx_article(
        JX_NEWS_RECORDS[0], "新闻中心", news, "2021-03-10 18:00", paras(
            "3月10日，全省人民防空工作会议在南昌召开，总结“十三五”时期全省人防工作，部署2021年重点任务。",
            "会议强调，要坚持战建备一体化发展，推动人防工作融入城市建设发展大局。"))
    pages[path(JX_NEWS_RECORDS[1])] = jx_article(
        JX_NEWS_RECORDS[1], "新闻中心", news, "2020-12-08 15:40", paras(
            "12月上旬，省人防办组织开展人防工程平战转换演练，检验人防工程临战转换能力。",
            "演练围绕防护设备启闭、战时通风系统转换等科目展开，达到了预期目的。"))
    return pages


ROBOTS = {
    "pzhrf": "User-agent: *\nDisallow: /search/\n",
    "jxrf": "User-agent: *\nDisallow:\n",
}


def build(documents: Path = DOCUMENTS_DIR) -> list[Path]:
    written = []
    for spec, pages in ((PZHRF, pzh_pages(documents)), (JXRF, jx_pages())):
        root = spec.root
        if root.exists():
            shutil.rmtree(root)
        for rel, text in sorted(pages.items()):
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(text.encode(spec.encoding))  # strict: every character must fit
            written.append(p)
        (root / "robots.txt").write_bytes(ROBOTS[spec.id].encode("ascii"))
        written.append(root / "robots.txt")
    return written


def main() -> int:
    files = build()
    for p in files:
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
