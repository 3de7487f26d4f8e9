"""Report documents that only a script names (``tests/portals/shapes_js.py`` has the table).

- ``dlrf``: a plain list; each article's attachment is ``<a href="javascript:void(0);"
  onclick="downloadFile('8f3a21')">``, the page function living in ``/static/js/article.js``
  (``window.location.href = ctx + '/attachment/download.do?fileId=' + …`` with ``var ctx =
  '/jpportal'``); the download answers ``application/octet-stream`` with the file name in raw
  GBK. Most articles say only 详见附件: the report is the attachment.
"""
from __future__ import annotations

from tests.portals.shapes_common import Page, disposition_gbk_raw, li, page_maker
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


BUILDERS = {"dlrf": dlrf}
