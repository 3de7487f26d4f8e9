"""A test portal for a report published as page images (tests/test_crawler_pages.py): one
office whose report article shows its four pages as ``<img>`` (phone photos of the seed004
report, tests/fixtures/scans/make_scans.py, made at start), beside a logo in the header and a
QR code in the footer that are no pages.
"""
from __future__ import annotations

from pathlib import Path

from tests.fixtures.scans import make_scans
from tests.portals.server import Page, TestPortal
from tests.portals.sites import _li, html

SITE = "pagex"
NAME = "江西省人民防空办公室"
TITLE = f"{NAME}2020年政府信息公开工作年度报告"
ARTICLE = "/xxgk/nb/202101/t20210130_3001.html"
PAGES = [f"/xxgk/nb/202101/W0202101{n}.jpg" for n in (31, 32, 33, 34)]  # the article's order


def page_images() -> list[bytes]:
    """The report's pages, photographed: JPEG bytes in page order."""
    return [data for data, _ in make_scans.page_jpegs(make_scans.source_pdf("seed004"), "phone", "seed004")]


def pages(images: list[bytes], logo: bytes) -> dict[str, Page]:
    def page(title, body):
        return Page(html(title, body), "text/html; charset=utf-8")
    figures = "".join(f'<p style="text-align:center"><img src="{Path(p).name}" alt="" width="800"></p>'
                      for p in PAGES)
    return {
        "/": page(NAME, '<div class="nav"><a href="/xxgk/">政府信息公开</a></div>'),
        "/xxgk/": page("政府信息公开", '<ul><li><a href="/xxgk/nb/">政府信息公开年报</a></li></ul>'),
        "/xxgk/nb/": page("政府信息公开年报", "<ul>" + _li(TITLE, ARTICLE, "2021-01-30") + "</ul>"),
        ARTICLE: page(TITLE, f'<div class="header"><img src="/images/logo.png"></div>'
                             f'<h1>{TITLE}</h1><div class="content">{figures}</div>'
                             '<div class="bottom"><img src="/images/qrcode.png" alt="扫一扫"></div>'),
        "/images/logo.png": Page(logo, "image/png"),
        "/images/qrcode.png": Page(logo, "image/png"),
        **{p: Page(data, "image/jpeg") for p, data in zip(PAGES, images)},
    }


def start(images: list[bytes]) -> TestPortal:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buf, "PNG")
    portal = TestPortal([SITE])
    portal.sites[SITE].set_pages(pages(images, buf.getvalue()))
    return portal


def write_registry(portal: TestPortal, path: Path) -> Path:
    path.write_text(f"id,name,level,province,url\n{SITE},{NAME},province,江西,{portal.url(SITE)}\n",
                    encoding="utf-8")
    return path
