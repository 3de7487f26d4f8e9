"""A report published as page images (issue 20, point 4): tests/portals/pages.py, an article
whose body is four ``<img>`` of the report's pages (phone photos), a logo and a QR code beside
them. One crawl and load: one report, each picture archived under its own hash (kind
``page_image``, not parsed alone), the pages composed in the article's order into one document
(kind ``page_images``, archive/pages.py) and read like a scanned PDF, page by page.
"""
from __future__ import annotations

import hashlib
import io

import pytest

from archive.pages import compose
from tests.helpers import ONLY_REGISTRY, expected_cells, expected_report, q, renfang
from tests.portals import pages

pytestmark = [pytest.mark.slow, pytest.mark.ocr, pytest.mark.loopback]  # test tiers: README "Development"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    images = pages.page_images()
    portal = pages.start(images)
    try:
        registry = pages.write_registry(portal, root / "registry.csv")
        proc = renfang("run", "--registry", registry, "--data-dir", root / "data", *ONLY_REGISTRY, check=False)
        yield dict(data=root / "data", images=images, out=proc.stdout + proc.stderr, hits=list(portal.hits))
    finally:
        portal.stop()


def test_one_report_every_page_archived_and_hashed(crawled):
    data = crawled["data"]
    assert q(data, "select id, year, parse_status from reports") == [("pagex-2020", 2020, "parsed")], crawled["out"]
    rows = q(data, "select url, sha256, kind from report_documents where report_id = 'pagex-2020' order by url")
    by_kind = {}
    for url, sha, kind in rows:
        by_kind.setdefault(kind, []).append((url.split("/", 3)[3], sha))
    # every page under the SHA-256 of the bytes served; the logo and the QR code are no pages
    assert sorted(by_kind["page_image"]) == sorted(
        (p.lstrip("/"), hashlib.sha256(b).hexdigest()) for p, b in zip(pages.PAGES, crawled["images"]))
    assert "image" not in by_kind and not any("logo" in u or "qrcode" in u for u, _, _ in rows)
    assert [u for u, _ in by_kind["page_images"]] == [pages.ARTICLE.lstrip("/") + "#pages"]
    # the pages are not parsed one by one; the composed document is the report's source
    page_shas = [sha for _, sha in by_kind["page_image"]]
    assert q(data, f"select count(*) from parses where sha256 in ({', '.join('?' * 4)})", page_shas) == [(0,)]
    (source, ocr), = q(data, "select source_sha256, ocr from reports")
    assert (source, ocr) == (by_kind["page_images"][0][1], 1)


def test_the_pages_read_in_the_articles_order_as_one_document(crawled):
    data = crawled["data"]
    (source,), = q(data, "select source_sha256 from reports")
    # the same pictures in the same order make the same document (composed at every load)
    assert hashlib.sha256(compose(crawled["images"])).hexdigest() == source
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(io.BytesIO(compose(crawled["images"])))
    assert len(doc) == 4
    doc.close()
    want = expected_cells(expected_report("seed004"))
    got = {(t, r, c): (v, page) for t, r, c, v, page in q(
        data, "select table_name, row_code, column_code, value, page from facts where report_id = 'pagex-2020'")}
    exact = sum(1 for k, v in want.items() if k in got and got[k][0] == v)
    assert exact / len(want) >= 0.98, {k: (got.get(k), v) for k, v in want.items() if got.get(k, (None,))[0] != v}
    # section 三 is printed on the report's page 3 (its third picture), 四 on page 4
    assert {page for (t, _, _), (_, page) in got.items() if t == "applications"} <= {3, 4}
    assert {page for (t, _, _), (_, page) in got.items() if t == "appeals" and page} == {4}
