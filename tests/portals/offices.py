"""Test portal sites about *who* publishes a report.

- ``renamex``: an office's own site (generic, 下一页 list). The registry knows it as
  测试省人民防空办公室 (alias 测试省人防办 only); its newest report is published as
  测试省人民政府国防动员办公室, a 公告 names it 测试省人防办, and one list entry carries no
  name at all while the page itself prints 测试省人民防空局.
- ``provx``: a provincial government portal (TRS WCM) whose 政府信息公开年报 column is the
  部门年报 list of every department: the 人防办 (later 国防动员办公室) reports sit among those of
  the 发改委, 教育厅, 办公厅 …; the registry row starts from the portal's home page with no
  hint: the office's names alone must take its reports (not a city 人防办's either).
"""
from __future__ import annotations

import csv
from pathlib import Path

from tests.portals.server import Page, TestPortal
from tests.portals.sites import _li, html, pdf

RENAMEX = "测试省人民防空办公室"
RENAMED = "测试省人民政府国防动员办公室"
PROVX = "样板省人民防空办公室"
PROVX_RENAMED = "样板省国防动员办公室"


def renamex(base: dict) -> dict:
    ct = "text/html; charset=utf-8"

    def page(title, body):
        return Page(html(title, body), ct)
    nb = "/xxgk/ndbg/"
    entries = [
        (f"{RENAMED}2024年政府信息公开工作年度报告", nb + "2024.html", "2025-01-20"),
        (f"{RENAMED}2024年政务公开工作要点", nb + "yd2024.html", "2024-03-01"),
        (f"{RENAMEX}2023年政府信息公开工作年度报告", nb + "2023.html", "2024-01-20"),
        ("关于公布测试省人防办2022年度政府信息公开工作年度报告的公告", nb + "2022.html", "2023-01-20"),
        ("2021年政府信息公开工作年度报告", nb + "2021.html", "2022-01-20"),   # no name in the list
    ]
    return {"pages": {
        "/": page(RENAMED, '<a href="/xxgk/">政府信息公开</a>'),
        "/xxgk/": page("政府信息公开", f'<a href="{nb}">政府信息公开年度报告</a>'),
        nb: page("政府信息公开年度报告", "<ul>" + "".join(_li(*e) for e in entries) + "</ul>"),
        # the page repeats the renamed name (title and ArticleTitle): one alias, not two
        nb + "2024.html": page(entries[0][0], f'<p>正文</p><a href="{nb}2024.pdf">附件</a>'),
        nb + "2024.pdf": Page(pdf("renamex 2024"), "application/pdf"),
        nb + "yd2024.html": page(entries[1][0], "<p>要点</p>"),
        nb + "2023.html": page(entries[2][0], "<p>正文</p>"),
        nb + "2022.html": page(entries[3][0], "<p>正文</p>"),
        nb + "2021.html": page("测试省人民防空局2021年政府信息公开工作年度报告", "<p>正文</p>"),
    }}


# (department's title, path) on the provincial portal's 部门年报 list, two TRS pages
PROVX_LISTS = [
    [(f"{PROVX_RENAMED}2024年政府信息公开工作年度报告", "./202501/t20250120_901.html"),
     ("样板省发展和改革委员会2024年政府信息公开工作年度报告", "./202501/t20250118_902.html"),
     ("样板省教育厅2024年政府信息公开工作年度报告", "./202501/t20250117_903.html"),
     ("样板省人民政府办公厅2024年政府信息公开工作年度报告", "./202501/t20250116_904.html"),
     (f"{PROVX}2023年政府信息公开工作年度报告", "./202401/t20240125_801.html"),
     ("样板省财政厅2023年政府信息公开工作年度报告", "./202401/t20240122_802.html")],
    [(f"{PROVX}2023年法治政府建设年度报告", "./202402/t20240210_811.html"),
     ("样板省交通运输厅2023年政府信息公开工作年度报告", "./202401/t20240119_803.html"),
     ("样板省人民防空办公室2022年政府信息公开工作年度报告", "./202301/t20230120_701.html"),
     ("样板省民政厅2022年政府信息公开工作年度报告", "./202301/t20230118_702.html"),
     # a city's 人防办 among the province's departments: another office, not this one
     ("样板市人民防空办公室2022年政府信息公开工作年度报告", "./202301/t20230117_703.html")],
]
#: the office's reports on the portal (the rest belong to other departments or are not reports)
PROVX_OFFICE = {"./202501/t20250120_901.html": 2024, "./202401/t20240125_801.html": 2023,
                "./202301/t20230120_701.html": 2022}


def provx(base: dict) -> dict:
    ct = "text/html; charset=utf-8"

    def page(title, body):
        return Page(html(title, body), ct)
    col = "/zfxxgk/zfxxgknb/"
    pages = {
        "/": page("样板省人民政府门户网站", '<div class="nav"><a href="/">首页</a><a href="/zwdt/">政务动态</a>'
                                    '<a href="/zfxxgk/">政府信息公开</a><a href="/hdjl/">互动交流</a></div>'),
        "/zfxxgk/": page("政府信息公开", '<ul><li><a href="/zfxxgk/zn/">政府信息公开指南</a></li>'
                                     '<li><a href="/zfxxgk/zd/">政府信息公开制度</a></li>'
                                     f'<li><a href="{col}">政府信息公开年报</a></li></ul>'),
    }
    for i, entries in enumerate(PROVX_LISTS):
        stem = "index.html" if i == 0 else f"index_{i}.html"
        body = ("<h2>部门年报</h2><ul>" + "".join(_li(t, h, "2025-01-01") for t, h in entries) + "</ul>"
                f'<script>createPageHTML({len(PROVX_LISTS)}, {i}, "index", "html");</script>')
        pages[col + stem] = page("政府信息公开年报", body)
        if i == 0:
            pages[col] = pages[col + stem]
        for title, href in entries:
            path = col + href[2:]
            pages[path] = page(title, f'<p>{title}</p><a href="./{path.rsplit("/", 1)[1][:-5]}.pdf">附件</a>')
            pages[path[:-5] + ".pdf"] = Page(pdf(title), "application/pdf")
    return {"pages": pages}


BUILDERS = {"renamex": renamex, "provx": provx}


def start() -> TestPortal:
    portal = TestPortal(list(BUILDERS))
    base = {sid: s.url for sid, s in portal.sites.items()}
    for sid, fn in BUILDERS.items():
        portal.sites[sid].set_pages(fn(base)["pages"])
    return portal


def write_registry(portal: TestPortal, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "level", "province", "url", "aliases", "known_from"])
        w.writerow(["renamex", RENAMEX, "province", "江西", portal.url("renamex"), "测试省人防办", "observed"])
        w.writerow(["provx", PROVX, "province", "湖北", portal.url("provx"), "", "derived"])
    return path
