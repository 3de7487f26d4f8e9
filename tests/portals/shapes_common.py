"""What every "unseen" test site of ``tests/portals/shapes.py`` is made of.

A :class:`Site` is the pages a builder serves plus its ground truth, written beside the
pages that make it true: the documents of each report (by year) and the distractors.
The page furniture (:func:`shell`) is the noise real government portals carry around
their lists: 无障碍 / 适老化 links, a top menu, breadcrumbs, a news box, 友情链接
selects, the 主办单位 / ICP / 网站标识码 footer and the 政府网站找错 script.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from tests.portals.server import Page
from tests.portals.sites import docx_bytes, pdf

__all__ = ["Site", "Page", "pdf", "docx_bytes", "shell", "html_page", "report_text", "att", "li",
           "disposition_utf8_percent", "disposition_gbk_raw", "disposition_rfc5987"]


@dataclass
class Site:
    id: str
    name: str                   # the registry's name of the office
    level: str
    province: str
    pages: dict[str, Page]
    reports: dict[int, set[str]]            # year -> path(?query) of every document of that report
    never: set[str]                         # distractors: never archived (may be requested)
    unrequested: set[str] = field(default_factory=set)   # distractors the list already rules out
    post: dict = field(default_factory=dict)
    dynamic: Callable | None = None
    # requests a crawler can only make by reading a page's script (a JSON/XML endpoint, a POST,
    # the pages of a JS-only pager): (method, path?query, form or None); the ground-truth test
    # walks links plus these to check that every report document can be reached
    feeds: list[tuple[str, str, dict | None]] = field(default_factory=list)

    def add(self, path: str, page: Page, *, year: int | None = None, distractor: bool = False,
            listed_as_distractor: bool = False) -> str:
        """Serve ``page`` at ``path``; a report document of ``year``, or a distractor."""
        self.pages[path] = page
        if year is not None:
            self.reports.setdefault(year, set()).add(path)
        if distractor or listed_as_distractor:
            self.never.add(path)
        if listed_as_distractor:
            self.unrequested.add(path)
        return path


def new_site(sid: str, name: str, level: str, province: str) -> Site:
    return Site(sid, name, level, province, pages={}, reports={}, never=set())


# ------------------------------------------------------------------ page furniture
def shell(title: str, body: str, *, site: str, nav: list[tuple[str, str]], crumbs=(), charset: str | None = "utf-8",
          meta: dict | None = None, news: list[tuple[str, str, str]] = (), head: str = "",
          sitecode: str = "3601000012") -> str:
    """A whole portal page around ``body``: header, menu, breadcrumbs, news box, footer."""
    metas = {"SiteName": site, "SiteDomain": "", "SiteIDCode": sitecode, "ColumnName": title}
    metas.update(meta or {})
    meta_html = "".join(f'<meta name="{k}" content="{v}">\n' for k, v in metas.items())
    menu = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in nav)
    crumb = ""
    if crumbs:
        crumb = ('<div class="position">当前位置：' + " &gt; ".join(
            f'<a href="{h}">{t}</a>' if h else f"<span>{t}</span>" for t, h in crumbs) + "</div>")
    news_box = ""
    if news:
        news_box = ('<div class="side-news"><div class="hd"><h3>工作动态</h3><a href="' + news[0][1].rsplit("/", 1)[0]
                    + '/" class="more">更多&gt;&gt;</a></div><ul>'
                    + "".join(f'<li><a href="{h}" title="{t}">{t}</a><em>{d}</em></li>' for t, h, d in news)
                    + "</ul></div>")
    said = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if charset else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{said}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{title}_{site}</title>
{meta_html}<link rel="stylesheet" href="/static/css/common.css">
<script src="/static/js/jquery-1.11.3.min.js"></script>
{head}</head>
<body>
<div class="topbar"><div class="w1200">
<span class="welcome">您好，欢迎访问{site}！</span>
<a href="javascript:void(0);" id="cniil_wza" class="wza">无障碍</a>
<a href="javascript:void(0);" class="shilaohua" onclick="aged.open()">适老化服务</a>
<a href="/wap/index.html" class="sjb">手机版</a>
<a href="javascript:void(0);" onclick="SetHome(this,window.location)">设为首页</a>
<a href="javascript:void(0);" onclick="AddFavorite(document.title,window.location)">加入收藏</a>
</div></div>
<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/static/images/logo.png" alt="{site}"></a>
<form class="search" action="/search/search.html" method="get"><input type="text" name="q" placeholder="请输入关键字">
<input type="submit" value="搜索"></form></div></div>
<div class="nav"><ul class="w1200">{menu}</ul></div>
<div class="main w1200">
{crumb}
{body}
{news_box}
</div>
<div class="links w1200"><span>友情链接：</span>
<select onchange="if(this.value!='')window.open(this.value)"><option value="">—国家部委网站—</option>
<option value="https://www.gov.cn/">中国政府网</option><option value="http://www.mod.gov.cn/">国防部</option></select>
<select onchange="if(this.value!='')window.open(this.value)"><option value="">—省市政府网站—</option>
<option value="https://www.example-province.gov.cn/">省人民政府</option></select></div>
<div class="footer"><div class="w1200">
<p><a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a> | <a href="/sybz/index.html">使用帮助</a></p>
<p>主办单位：{site}　承办：信息中心　地址：人民路88号　邮编：330000　电话：0791-86000000</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">赣ICP备05001234号-1</a>
　<img src="/static/images/gaba.png" alt="">赣公网安备 36010202000123号　网站标识码：{sitecode}</p>
<p><span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C" target="_blank"><img
src="/static/images/dzjg.png" alt="党政机关"></a></span>
<script id="_jiucuo_" sitecode="{sitecode}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></p>
</div></div>
<script src="https://wza.example-cdn.cn/wza/aria.js?appid=c1d2e3" charset="utf-8"></script>
</body>
</html>
"""


def html_page(text: str, enc: str = "utf-8", *, header_charset: bool = True, **kw) -> Page:
    """A Page of ``text`` encoded ``enc``; the Content-Type header names the charset or not."""
    label = {"utf-8": "UTF-8", "gbk": "GBK", "gb2312": "GB2312", "gb18030": "GB18030"}[enc]
    codec = "gb18030" if enc in ("gbk", "gb2312") else enc
    return Page(text.encode(codec), f"text/html; charset={label}" if header_charset else "text/html", **kw)


def page_maker(site: str, nav: list[tuple[str, str]], sitecode: str, *, enc: str = "utf-8",
               said_in: str = "both") -> Callable[..., Page]:
    """One site's page function ``pg(title, body, crumbs=(), meta=None, **shell options) -> Page``;
    ``said_in`` is where the encoding is declared: "both", "meta" (only ``<meta>``) or
    "header" (only the HTTP Content-Type)."""
    def pg(title: str, body: str, crumbs=(), meta: dict | None = None, **kw) -> Page:
        text = shell(title, body, site=site, nav=nav, crumbs=crumbs, meta=meta, sitecode=sitecode,
                     charset=None if said_in == "header" else enc, **kw)
        return html_page(text, enc, header_charset=said_in != "meta")
    return pg


def li(title: str, href: str, date: str, *, shown: str | None = None, cls: str = "") -> str:
    """A list row as most CMSs print it: the title in title="", maybe cut short in the text."""
    c = f' class="{cls}"' if cls else ""
    return (f'<li{c}><a href="{href}" target="_blank" title="{title}">{shown or title}</a>'
            f'<span class="date">{date}</span></li>\n')


def cut(title: str, n: int = 24) -> str:
    """The list text of a long title: the first ``n`` characters and "..."."""
    return title if len(title) <= n else title[:n] + "..."


def report_text(office: str, year: int, *, extra: str = "") -> str:
    """An article body that reads like a report pasted from Word (mso spans, a table)."""
    v = 2021 if year >= 2021 else (2019 if year >= 2019 else 0)
    table = ("" if v == 0 else
             '<table border="1" cellspacing="0" style="border-collapse:collapse" width="600">'
             '<tr><td colspan="4" style="background:#DDD"><p class="MsoNormal" align="center">'
             '<b><span style="font-family:宋体">第二十条第（一）项</span></b></p></td></tr>'
             '<tr><td><p class="MsoNormal">信息内容</p></td><td><p>本年制发件数</p></td>'
             '<td><p>本年废止件数</p></td><td><p>现行有效件数</p></td></tr>'
             '<tr><td><p class="MsoNormal">规章</p></td><td>0</td><td>0</td><td>0</td></tr>'
             '<tr><td><p class="MsoNormal">行政规范性文件</p></td><td>1</td><td>0</td><td>6</td></tr></table>')
    return (f'<div class="TRS_Editor"><div class="Custom_UnionStyle">'
            f'<p class="MsoNormal" align="center" style="text-align:center"><b><span style="font-size:16pt;'
            f'font-family:方正小标宋简体;mso-hansi-font-family:宋体">{office}{year}年政府信息公开工作年度报告'
            f'</span></b><span lang="EN-US"><o:p></o:p></span></p>'
            f'<p class="MsoNormal" style="text-indent:32pt"><span style="font-family:仿宋_GB2312">本报告根据《中华人民共和国'
            f'政府信息公开条例》（以下简称《条例》）第五十条规定编制。报告中所列数据统计期限自{year}年1月1日起至'
            f'{year}年12月31日止。</span></p>'
            f'<p class="MsoNormal"><b><span style="font-family:黑体">一、总体情况</span></b></p>'
            f'<p class="MsoNormal"><span style="font-family:仿宋_GB2312">{year}年，{office}认真贯彻落实……</span></p>'
            f'<p class="MsoNormal"><b>二、主动公开政府信息情况</b></p>{table}'
            f'<p class="MsoNormal"><b>三、收到和处理政府信息公开申请情况</b></p>'
            f'<p class="MsoNormal"><b>四、政府信息公开行政复议、行政诉讼情况</b></p>'
            f'<p class="MsoNormal"><b>五、存在的主要问题及改进情况</b></p>'
            f'<p class="MsoNormal"><b>六、其他需要报告的事项</b></p>{extra}</div></div>')


def att(title: str) -> bytes:
    """An attachment's bytes: a PDF unless the name says .doc/.docx."""
    return docx_bytes(title) if title.endswith((".doc", ".docx")) else pdf(title)


# ------------------------------------------------------------------ download headers
def disposition_utf8_percent(filename: str) -> tuple[str, str]:
    """``attachment; filename=%E6%B1%9F…`` (UTF-8 percent-encoded, no quotes, no filename*)."""
    return "Content-Disposition", "attachment; filename=" + quote(filename)


def disposition_gbk_raw(filename: str) -> tuple[str, str]:
    """``attachment; filename="<raw GBK bytes>"`` (the header carries GBK as latin-1)."""
    return "Content-Disposition", 'attachment; filename="' + filename.encode("gbk").decode("latin-1") + '"'


def disposition_rfc5987(filename: str) -> tuple[str, str]:
    """``attachment; filename*=UTF-8''…`` only (RFC 5987/6266)."""
    return "Content-Disposition", "attachment; filename*=UTF-8''" + quote(filename)


def article(title: str, date: str, body: str, *, source: str, attachments: str = "",
            prev_next: tuple = (), shown_title: str | None = None) -> str:
    """An article's content block: title, 发布时间/来源, 字号 and 打印 links, body, attachments, 上一篇/下一篇."""
    pn = ""
    if prev_next:
        pn = '<div class="prev-next">' + "".join(
            f'<p>{label}：<a href="{h}" title="{t}">{t}</a></p>' for label, t, h in prev_next) + "</div>"
    return (f'<div class="article"><h1 class="title">{shown_title or title}</h1>'
            f'<div class="info"><span>发布时间：{date}</span><span>来源：{source}</span>'
            '<span>浏览次数：<script>document.write(Math.floor(Math.random()*1000))</script></span>'
            '<span class="font">字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a>'
            ' <a href="javascript:doZoom(14)">小</a></span></div>'
            f'<div class="content" id="zoom">{body}</div>'
            + (f'<div class="attachments"><p>附件：</p>{attachments}</div>' if attachments else "")
            + '<div class="tools"><a href="javascript:window.print()">【打印本页】</a>'
            '<a href="javascript:window.close()">【关闭窗口】</a></div>' + pn + "</div>")


_LINK = re.compile(r'(?:href|src)\s*=\s*["\']([^"\'#<>\s]+)["\']', re.I)
_ASSET = re.compile(r"\.(?:css|js|jpg|jpeg|png|gif|ico|swf)$|^javascript:|^mailto:", re.I)


def endpoint(route: str, answer: Callable[[dict[str, str]], Page | None]) -> Callable[[str], Page | None]:
    """A ``Site.dynamic`` handler: GET ``route?…`` is ``answer(query)`` (first value of each
    parameter, decoded), any other path is not this handler's."""
    def handle(path: str) -> Page | None:
        url = urlsplit(path)
        return answer({k: v[0] for k, v in parse_qs(url.query).items()}) if url.path == route else None
    return handle


def drop_validators(site: Site) -> None:
    """Script-made pages (``.jsp``, ``.do``, a query string) come without ETag / Last-Modified,
    as from real application servers: a recrawl cannot ask "changed since?" for them."""
    for path, page in site.pages.items():
        if ".jsp" in path or ".do" in path or "?" in path:
            page.validators = False


def fill_links(site: Site, root: str) -> None:
    """Serve a plain column page at every same-site link of the site's pages that has none
    (menus, footers, sibling columns, the 手机版 home): a real portal's menu links answer, and
    a crawler that wanders into them meets pages, not errors. None of them is ever a report's
    document (they join ``site.never``; requesting them is allowed)."""
    for path, page in list(site.pages.items()):
        if "html" not in page.ctype or page.status != 200:
            continue
        for href in _LINK.findall(page.body.decode("latin-1")):
            href = href.replace("&amp;", "&")
            if _ASSET.search(href):
                continue
            url = urlsplit(urljoin(root + path.lstrip("/"), href))
            if url.netloc != urlsplit(root).netloc:
                continue
            key = url.path + ("?" + url.query if url.query else "")
            if key in site.pages or url.path in site.pages or (site.dynamic and site.dynamic(key)):
                continue
            site.never.add(key)
            site.pages[key] = html_page(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site.name}</title>'
                                        f'</head><body><div class="nav"><a href="/">首页</a></div>'
                                        '<div class="list"><p>暂无信息</p></div></body></html>')
