"""A test portal site that tries to trap the crawler: ``guardx`` (a generic site, 下一页 lists).

- the 2023 report's article links a small PDF and two PDFs larger than the cap a test sets
  with ``-s DOWNLOAD_MAXSIZE=CAP`` (``BIG`` bytes): one announced by ``Content-Length``, one
  sent chunked (its size is only known once too many bytes have arrived);
- the 2022 report's URL redirects in a loop: ``2022.html`` → ``2022_m.html`` → ``2022.html`` …;
- the 2020 report's URL redirects endlessly: ``2020.html`` → ``2020.html?r=1`` → ``?r=2`` …;
- the list never ends: ``index.html`` → 下一页 ``index_1.html`` → ``index_2.html`` … each page
  listing the 2021 report again (a pager that always offers one more page).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.portals.server import Page, TestPortal
from tests.portals.sites import _li, html, pdf

NAME = "陷阱市人民防空办公室"
BIG = 300_000          # bytes of each oversized PDF
CAP = 100_000          # the DOWNLOAD_MAXSIZE the tests set
NB = "/xxgk/nb/"


def big_pdf(label: str) -> bytes:
    head = pdf(label)
    return head[:-6] + b"%" + b"x" * (BIG - len(head) - 1) + head[-6:]


def guardx(base: dict, rnd: int = 1) -> dict:
    ct = "text/html; charset=utf-8"

    def page(title, body):
        return Page(html(title, body), ct)

    entries = [(f"{NAME}2023年政府信息公开工作年度报告", NB + "2023.html", "2024-01-20"),
               (f"{NAME}2022年政府信息公开工作年度报告", NB + "2022.html", "2023-01-20"),
               (f"{NAME}2021年政府信息公开工作年度报告", NB + "2021.html", "2022-01-20"),
               (f"{NAME}2020年政府信息公开工作年度报告", NB + "2020.html", "2021-01-20")]
    pages = {
        "/": page(NAME, '<a href="/xxgk/">政府信息公开</a>'),
        "/xxgk/": page("政府信息公开", f'<a href="{NB}index.html">年度报告</a>'),
        NB + "index.html": page("年度报告", "<ul>" + "".join(_li(*e) for e in entries) + "</ul>"
                                f'<a href="{NB}index_1.html">下一页</a>'),
        NB + "2023.html": page(entries[0][0], '<p>正文</p>'
                                              f'<a href="{NB}2023.pdf">附件：2023年报告.pdf</a>'
                                              f'<a href="{NB}2023_big.pdf">全真版</a>'
                                              f'<a href="{NB}2023_stream.pdf">图片版</a>'),
        NB + "2023.pdf": Page(pdf("guardx 2023"), "application/pdf"),
        NB + "2023_big.pdf": Page(big_pdf("guardx 2023 big"), "application/pdf"),
        NB + "2023_stream.pdf": Page(big_pdf("guardx 2023 stream"), "application/pdf", chunked=True),
        NB + "2022.html": Page(b"", status=302, location=NB + "2022_m.html"),
        NB + "2022_m.html": Page(b"", status=302, location=NB + "2022.html"),
        NB + "2021.html": page(entries[2][0], "<p>2021年报告正文</p>"),
    }

    def dynamic(path: str) -> Page | None:
        m = re.fullmatch(re.escape(NB) + r"index_(\d+)\.html", path)
        if m:   # the pager that never ends
            n = int(m.group(1))
            return page("年度报告", "<ul>" + _li(*entries[2]) + "</ul>"
                        f'<a href="{NB}index_{n + 1}.html">下一页</a>')
        m = re.fullmatch(re.escape(NB) + r"2020\.html(?:\?r=(\d+))?", path)
        if m:   # the redirect that never arrives
            n = int(m.group(1) or 0)
            return Page(b"", status=302, location=f"{NB}2020.html?r={n + 1}")
        return None

    return {"pages": pages, "dynamic": dynamic}


def start() -> TestPortal:
    portal = TestPortal(["guardx"])
    spec = guardx({"guardx": portal.url("guardx")})
    portal.sites["guardx"].set_pages(spec["pages"], dynamic=spec["dynamic"])
    return portal


def write_registry(portal: TestPortal, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "level", "province", "url", "cms", "aliases"])
        w.writerow(["guardx", NAME, "city", "湖南", portal.url("guardx"), "", "陷阱市国防动员办公室"])
    return path
