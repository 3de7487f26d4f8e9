"""Report documents that only a script names (``tests/portals/shapes_js.py`` has the table).

- ``dlrf``: a plain list; each article's attachment is ``<a href="javascript:void(0);"
  onclick="downloadFile('8f3a21')">``, the page function living in ``/static/js/article.js``
  (``window.location.href = ctx + '/attachment/download.do?fileId=' + …`` with ``var ctx =
  '/jpportal'``); the download answers ``application/octet-stream`` with the file name in raw
  GBK. Most articles say only 详见附件: the report is the attachment.
"""
from __future__ import annotations

from tests.portals.shapes_common import Page, disposition_gbk_raw, html_page, li, page_maker
from tests.portals.shapes_js_common import JsSite, Probe, Row, add_home, add_rows, file_page, js, menu, new_js_site

# ------------------------------------------------------------------ dlrf
DL_NAME, DL_RENAMED = "金坪市人民防空办公室", "金坪市国防动员办公室"
DL_NAV = [("首页", "/"), ("机构职能", "/jgzn/"), ("人防动态", "/rfdt/"), ("信息公开", "/xxgk/"), ("办事服务", "/bsfw/")]
DL_CTX = "/jpportal"
DB = "/xxgk/ndbg/"
# (title, article path, date, year or None, file id, file name)
DL_ROWS = [
    (f"{DL_RENAMED}2025年政府信息公开工作年度报告", DB + "2026-01/23/article_1425.html", "2026-01-23", 2025,
     "8f3a21", "2025年政府信息公开工作年度报告.pdf"),
    (f"{DL_RENAMED}2025年度部门整体支出绩效自评报告", DB + "2026-01/10/article_1410.html", "2026-01-10", None,
     "8f3a02", "绩效自评报告.pdf"),
    (f"{DL_RENAMED}2024年政府信息公开工作年度报告", DB + "2025-01/21/article_1302.html", "2025-01-21", 2024,
     "7c1e90", "金坪市国防动员办公室2024年政府信息公开工作年度报告.pdf"),
    (f"{DL_RENAMED}2024年政务公开工作要点", DB + "2024-03/04/article_1201.html", "2024-03-04", None, None, None),
    (f"{DL_NAME}2023年政府信息公开工作年度报告", DB + "2024-01/19/article_1188.html", "2024-01-19", 2023,
     "6b2d45", "2023年年报.docx"),
    (f"{DL_NAME}2022年政府信息公开工作年度报告", DB + "2023-01/18/article_1050.html", "2023-01-18", 2022,
     "5a9f13", "2022年政府信息公开工作年度报告.pdf"),
    (f"{DL_NAME}2022年度部门决算", DB + "2022-09/02/article_1001.html", "2022-09-02", None,
     "5a0c77", "2022年度部门决算.pdf"),
    (f"{DL_NAME}2021年政府信息公开工作年度报告", DB + "2022-01/24/article_0903.html", "2022-01-24", 2021,
     "4e7b20", "2021年度报告.pdf"),
    (f"{DL_NAME}2020年政府信息公开工作年度报告", DB + "2021-01/22/article_0788.html", "2021-01-22", 2020,
     "3d6c81", "2020年政府信息公开工作年度报告.doc"),
    (f"{DL_NAME}2019年政府信息公开工作年度报告", DB + "2020-01/20/article_0650.html", "2020-01-20", 2019,
     "2c5a09", "2019年政府信息公开工作年度报告.pdf"),
]
DL_ARTICLE_JS = """/* 文章页公共脚本 */
var ctx = '%s';
function doZoom(size) { document.getElementById('zoom').style.fontSize = size + 'px'; }
function downloadFile(fileId) {
  if (!fileId) { alert('附件不存在！'); return; }
  window.location.href = ctx + '/attachment/download.do?fileId=' + encodeURIComponent(fileId);
}
""" % DL_CTX


def dl_url(file_id: str) -> str:
    return f"{DL_CTX}/attachment/download.do?fileId={file_id}"


def dlrf(base: dict) -> JsSite:
    s = new_js_site("dlrf", DL_NAME, "city", "贵州",
                    "attachments only behind onclick=\"downloadFile('id')\", a page function of article.js")
    pg = page_maker(DL_RENAMED, DL_NAV, "5227000044")
    add_home(s, pg, DL_RENAMED, ("市国动办开展人防工程维护管理专项检查", "/rfdt/2025-10/15/article_1390.html", "2025-10-15"))
    side = menu([("政府信息公开指南", "/xxgk/zn/"), ("政府信息公开制度", "/xxgk/zd/"), ("政府信息公开年度报告", DB)])
    crumbs = [("首页", "/"), ("信息公开", "/xxgk/")]
    s.add("/xxgk/", pg("信息公开", side, crumbs=crumbs))
    s.add(DB, pg("政府信息公开年度报告", side + '<ul class="list">'
                 + "".join(li(t, p, d) for t, p, d, *_ in DL_ROWS) + "</ul>",
                 crumbs=crumbs + [("政府信息公开年度报告", None)]))
    s.add("/static/js/article.js", js(DL_ARTICLE_JS))
    rows, names = [], {}
    for title, path, date, year, fid, fname in DL_ROWS:
        rows.append(Row(title, path, date, year, (dl_url(fid),) if fid else ()))
        if fid:
            names[dl_url(fid)] = fname

    def links(row: Row) -> str:
        return "".join(f'<p><a href="javascript:void(0);" onclick="downloadFile(\'{f.rsplit("=", 1)[1]}\')" '
                       f'title="{names[f]}">{names[f]}</a></p>' for f in row.files)

    def body(row: Row) -> str:
        if row.year is None:
            return "<p>……</p>"
        return (f"<p>根据《中华人民共和国政府信息公开条例》规定，现将{row.title}予以公布（详见附件）。</p>"
                "<p style='text-align:right'>" + row.date[:4] + "年" + str(int(row.date[5:7])) + "月</p>")
    add_rows(s, pg, rows, name=DL_NAME, renamed=DL_RENAMED, links=links, body=body, crumbs=crumbs,
             extra='<script src="/static/js/article.js"></script>')
    for row in rows:       # the downloads: octet-stream, the file name in raw GBK
        for f in row.files:
            page = file_page(row, names[f])
            s.pages[f] = Page(page.body, "application/octet-stream", headers=[disposition_gbk_raw(names[f])])
    for row in rows:
        if row.year and row.files:
            s.probes.append(Probe(row.path, set(row.files), set(row.files) | {"download.do"},
                                  _click_download, "onclick=downloadFile('id') → article.js builds the URL",
                                  ready="div.attachments a[onclick]"))
            break
    return s


def _click_download(page, snap) -> None:
    """Click the attachment; the browser starts a download of what article.js asked for."""
    with page.expect_download() as got:
        page.click("div.attachments a[onclick]")
    got.value.cancel()




# ------------------------------------------------------------------ viewrf
VIEW_NAME, VIEW_RENAMED = "岩溪区人民防空办公室", "岩溪区国防动员办公室"
VIEW_NAV = [("首页", "/"), ("机构职能", "/jgzn/"), ("工作动态", "/gzdt/"), ("信息公开", "/xxgk/"), ("公众参与", "/gzcy/")]
VIEWER = "/static/pdfjs/web/viewer.html"
_V = "/xxgk/ndbg/"
# (title, article, date, year or None, PDF path, how the article shows it)
VIEW_ROWS = [
    (f"{VIEW_RENAMED}2025年政府信息公开工作年度报告", _V + "202601/t20260120_3301.html", "2026-01-20", 2025,
     "/upload/2026/01/20/ndbg2025.pdf", "viewer_by_script"),
    (f"{VIEW_RENAMED}2024年政府信息公开工作年度报告", _V + "202501/t20250121_3102.html", "2025-01-21", 2024,
     "/upload/2025/01/21/ndbg2024.pdf", "pdfobject"),
    (f"{VIEW_RENAMED}2024年度部门决算", _V + "202409/t20240905_3050.html", "2024-09-05", None,
     "/upload/2024/09/05/js2024.pdf", "iframe"),
    (f"{VIEW_RENAMED}2023年政府信息公开工作年度报告", _V + "202401/t20240118_2901.html", "2024-01-18", 2023,
     "/upload/2024/01/18/ndbg2023.pdf", "iframe"),
    (f"{VIEW_NAME}2022年政府信息公开工作年度报告", _V + "202301/t20230116_2702.html", "2023-01-16", 2022,
     "/upload/2023/01/16/ndbg2022.pdf", "object_by_script"),
    (f"{VIEW_NAME}2022年政务公开工作要点", _V + "202203/t20220310_2601.html", "2022-03-10", None, None, None),
    (f"{VIEW_NAME}2021年政府信息公开工作年度报告", _V + "202201/t20220124_2502.html", "2022-01-24", 2021,
     "/upload/2022/01/24/ndbg2021.pdf", "viewer_link"),
    (f"{VIEW_NAME}2020年政府信息公开工作年度报告", _V + "202101/t20210122_2301.html", "2021-01-22", 2020,
     "/upload/2021/01/22/ndbg2020.pdf", "embed"),
]
VIEWER_HTML = """<!DOCTYPE html>
<html dir="ltr" mozdisallowselectionprint><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1"><title>PDF.js viewer</title>
<link rel="stylesheet" href="viewer.css"></head>
<body tabindex="1"><div id="outerContainer"><div id="toolbarViewer"><span id="numPages"></span></div>
<div id="viewerContainer"><div id="viewer" class="pdfViewer"></div></div>
<div id="errorWrapper" hidden><span id="errorMessage"></span></div></div>
<script>
(function () {
  var file = new URLSearchParams(window.location.search).get('file');
  if (!file) { return; }
  fetch(file).then(function (r) {
    if (!r.ok) throw new Error('Unexpected server response (' + r.status + ') while retrieving PDF "' + file + '".');
    return r.arrayBuffer();
  }).then(function (buf) {
    var head = String.fromCharCode.apply(null, new Uint8Array(buf.slice(0, 5)));
    if (head !== '%PDF-') throw new Error('Invalid PDF structure.');
    document.getElementById('numPages').textContent = '已载入 ' + buf.byteLength + ' 字节';
    document.getElementById('viewer').setAttribute('data-loaded', file);
  }).catch(function (e) {
    document.getElementById('errorWrapper').hidden = false;
    document.getElementById('errorMessage').textContent = e.message;
  });
})();
</script></body></html>"""
PDFOBJECT = """/*! PDFObject v2.2.12-lite | MIT */
(function (root) {
  root.PDFObject = {
    embed: function (url, target, options) {
      var el = typeof target === 'string' ? document.querySelector(target) : target, o = options || {};
      if (!el) return false;
      var embed = document.createElement('embed');
      embed.className = 'pdfobject';
      embed.type = 'application/pdf';
      embed.src = url + (o.page ? '#page=' + o.page : '');
      embed.style.width = o.width || '100%';
      embed.style.height = o.height || '100%';
      el.classList.add('pdfobject-container');
      el.innerHTML = '';
      el.appendChild(embed);
      return embed;
    }
  };
})(window);
"""


def _view_html(how: str, pdf: str) -> tuple[str, set[str], set[str]]:
    """The article's viewer markup, what Chromium shows of it, and what the static HTML lacks."""
    from urllib.parse import quote
    viewer_url = f"{VIEWER}?file={quote(pdf, safe='')}"
    if how == "viewer_by_script":
        return ('<iframe id="pdfFrame" width="100%" height="900" frameborder="0"></iframe>'
                f"<script>var fileUrl = '{pdf}';"
                "document.getElementById('pdfFrame').src = '/static/pdfjs/web/viewer.html?file=' + "
                "encodeURIComponent(fileUrl);</script>", {viewer_url, pdf}, {viewer_url})
    if how == "pdfobject":
        return ('<div id="pdfBox" style="height:900px"></div><script src="/static/js/pdfobject.min.js"></script>'
                f"<script>PDFObject.embed('{pdf}', '#pdfBox', {{height: '900px'}});</script>",
                {pdf}, {"<embed", f'src="{pdf}"'})
    if how == "object_by_script":
        return (f'<div class="pdf-view" data-src="{pdf}"></div><script>'
                "document.querySelectorAll('.pdf-view').forEach(function (d) { var src = d.getAttribute('data-src');"
                " d.innerHTML = '<object data=\"' + src + '\" type=\"application/pdf\" width=\"100%\" height=\"900\">"
                "<a href=\"' + src + '\">下载PDF</a></object>'; });</script>", {pdf}, {f'data="{pdf}"'})
    if how == "viewer_link":
        return f'<p><a href="{viewer_url}" target="_blank">点击在线阅读</a></p>', {viewer_url}, set()
    if how == "iframe":
        return f'<iframe src="{pdf}" width="100%" height="900" frameborder="0"></iframe>', {pdf}, set()
    return f'<embed src="{pdf}" type="application/pdf" width="100%" height="900">', {pdf}, set()


def viewrf(base: dict) -> JsSite:
    s = new_js_site("viewrf", VIEW_NAME, "district", "湖南",
                    "each report's PDF only in a viewer: an iframe whose src a script sets to viewer.html?file=…, "
                    "PDFObject.embed, an <object> built from data-src, a framed or embedded PDF")
    pg = page_maker(VIEW_RENAMED, VIEW_NAV, "4305000048")
    add_home(s, pg, VIEW_RENAMED, ("区国动办开展人防知识进社区宣传", "/gzdt/202509/t20250920_3401.html", "2025-09-20"))
    side = menu([("政府信息公开指南", "/xxgk/zn/"), ("法定主动公开内容", "/xxgk/fdzd/"), ("政府信息公开年报", _V)])
    crumbs = [("首页", "/"), ("信息公开", "/xxgk/")]
    s.add("/xxgk/", pg("信息公开", side, crumbs=crumbs))
    s.add(_V, pg("政府信息公开年报", side + '<ul class="list">' + "".join(li(t, p, d) for t, p, d, *_ in VIEW_ROWS)
                 + "</ul>", crumbs=crumbs + [("政府信息公开年报", None)]))
    s.add(VIEWER, html_page(VIEWER_HTML), distractor=True)
    s.add("/static/js/pdfobject.min.js", js(PDFOBJECT))
    for title, path, when, year, pdf, how in VIEW_ROWS:
        row = Row(title, path, when, year, (pdf,) if pdf else ())
        markup, shows, hidden = _view_html(how, pdf) if pdf else ("", set(), set())
        add_rows(s, pg, [row], name=VIEW_NAME, renamed=VIEW_RENAMED, crumbs=crumbs, links=lambda r: "",
                 body=lambda r, m=markup: ("<p>……</p>" if r.year is None else
                                           f"<p>{r.title}全文如下：</p>") + m)
        if year and hidden:
            s.probes.append(Probe(path, shows, hidden, None, f"the PDF shown by {how}",
                                  ready={"viewer_by_script": "#pdfFrame[src]", "pdfobject": "embed.pdfobject",
                                         "object_by_script": "object[data]"}[how]))
    return s


BUILDERS = {"dlrf": dlrf, "viewrf": viewrf}
