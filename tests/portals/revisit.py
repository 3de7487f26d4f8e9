"""A test portal for revalidation (tests/test_crawler_revisit.py): one office whose report list
runs over three pages (下一页), each report an article page with an attachment or the report
itself as a Word-pasted HTML page.

Round 1 and 2 serve the same bytes. From round 3 the 2022 report's page (on list page 2) is
replaced at the same URL by a corrected one (本年新收 自然人 8 -> 9, 总计 10 -> 11); the lists
do not change, so a recrawl stops paging on list page 1 (unchanged, every report on it known).
"""
from __future__ import annotations

import csv
from pathlib import Path

from tests.fixtures.tables import make_tables
from tests.portals.server import Page, TestPortal
from tests.portals.sites import _li, docx_bytes, html, pdf

SITE = "revx"
NAME = make_tables.REPORT_2021["agency"]           # 示例县国防动员办公室
ROW_BEFORE = b"<td>8</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>10</td>"
ROW_AFTER = b"<td>9</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>11</td>"
# the report documents the portal serves, by path (what a round archives)
DOCUMENTS = ["/xxgk/nb/2023.html", "/xxgk/nb/2023.pdf", "/xxgk/nb/2022.html", "/xxgk/nb/2021.html",
             "/xxgk/nb/2021.docx"]


def report_2022(rnd: int) -> bytes:
    page = make_tables.rowgroups_2021()
    assert page.count(ROW_BEFORE) == 1
    return page.replace(ROW_BEFORE, ROW_AFTER) if rnd >= 3 else page


def pages(rnd: int) -> dict[str, Page]:
    def page(title, body):
        return Page(html(title, body), "text/html; charset=utf-8")
    more = '<div class="page"><a href="/xxgk/nb/list{}.html">下一页</a></div>'
    return {
        "/": page(NAME, '<div class="nav"><a href="/xxgk/">政府信息公开</a></div>'),
        "/xxgk/": page("政府信息公开", '<ul><li><a href="/xxgk/nb/list1.html">政府信息公开年报</a></li></ul>'),
        "/xxgk/nb/list1.html": page("政府信息公开年报", "<ul>" + _li(f"{NAME}2023年政府信息公开工作年度报告",
                                                              "/xxgk/nb/2023.html", "2024-01-20")
                                    + "</ul>" + more.format(2)),
        "/xxgk/nb/list2.html": page("政府信息公开年报", "<ul>" + _li(f"{NAME}2022年政府信息公开工作年度报告",
                                                              "/xxgk/nb/2022.html", "2023-01-16")
                                    + "</ul>" + more.format(3)),
        "/xxgk/nb/list3.html": page("政府信息公开年报", "<ul>" + _li(f"{NAME}2021年政府信息公开工作年度报告",
                                                              "/xxgk/nb/2021.html", "2022-01-18") + "</ul>"),
        "/xxgk/nb/2023.html": page(f"{NAME}2023年政府信息公开工作年度报告",
                                   '<p>正文见附件。</p><a href="/xxgk/nb/2023.pdf">2023年报告.pdf</a>'),
        "/xxgk/nb/2023.pdf": Page(pdf("revx 2023"), "application/pdf"),
        "/xxgk/nb/2022.html": Page(report_2022(rnd), "text/html; charset=utf-8",
                                   modified=1704067200.0 + (86400 if rnd >= 3 else 0)),
        "/xxgk/nb/2021.html": page(f"{NAME}2021年政府信息公开工作年度报告",
                                   '<p>正文见附件。</p><a href="/xxgk/nb/2021.docx">2021年报告.docx</a>'),
        "/xxgk/nb/2021.docx": Page(docx_bytes("revx 2021"), "application/msword"),
    }


def start() -> TestPortal:
    portal = TestPortal([SITE])
    build(portal, 1)
    return portal


def build(portal: TestPortal, rnd: int) -> None:
    portal.sites[SITE].set_pages(pages(rnd))


def write_registry(portal: TestPortal, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "level", "province", "url"])
        w.writerow([SITE, NAME, "county", "湖北", portal.url(SITE)])
    return path
