"""Reports published as page images: the pages read as one document, in the article's order.

Some offices publish a report as an article whose body is a series of pictures of its pages
(``<img>`` of JPEG/PNG scans). The crawler archives the article and each picture (found by
``crawler.extract.page_images``: they are the article's attachments). At every load, before
anything is parsed (``archive/load.py``), each report whose article's page images are all
archived gets one more document: the pages, in the order the article shows them, as an
image-only PDF (:func:`compose`: every JPEG embedded as it is, other images losslessly, one
page each, nothing else, so the same pages always make the same bytes). It is stored under its
SHA-256 like any document, linked to the report as ``kind`` ``page_images`` at the article's URL +
``#pages``, and parsed like a scanned PDF: OCR page by page, each fact with its page number.
The pictures stay linked to the report, each with its own hash, as ``kind`` ``page_image``; they
are not parsed one by one (a page alone is a fragment of the report).
"""
from __future__ import annotations

import io
import zlib

import sqlite_utils

from archive.schema import now
from archive.store import ObjectStore
from archive.vocab import Rendition

SUFFIX = "#pages"
DEFAULT_DPI = 150  # a picture that does not say its resolution: a phone or screen scan
_PARENT = b"@PAGES@"  # the page tree's reference, known once every page is written


def compose(images: list[bytes]) -> bytes:
    """An image-only PDF of ``images`` (JPEG, PNG …), one page each, in order. A JPEG is
    embedded as its own bytes (DCTDecode), any other picture as its pixels (FlateDecode); each
    page is the picture's size at its resolution. No date, no identifier: the same pictures
    always give the same bytes."""
    from PIL import Image

    objects: list[bytes] = []   # object n+1 at index n
    page_ids = []
    for data in images:
        im = Image.open(io.BytesIO(data))
        dpi = (im.info.get("dpi") or (0, 0))[0] or DEFAULT_DPI
        width, height = im.size
        if im.format == "JPEG" and im.mode in ("L", "RGB", "CMYK"):
            stream, filt = data, b"/DCTDecode"
            colours = {"L": b"/DeviceGray", "RGB": b"/DeviceRGB", "CMYK": b"/DeviceCMYK"}[im.mode]
        else:
            im = im.convert("L" if im.mode in ("1", "L", "LA", "I", "I;16") else "RGB")
            stream, filt = zlib.compress(im.tobytes(), 6), b"/FlateDecode"
            colours = b"/DeviceGray" if im.mode == "L" else b"/DeviceRGB"
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
                       b"/BitsPerComponent 8 /Filter %s /Length %d >>\nstream\n" % (
                           width, height, colours, filt, len(stream)) + stream + b"\nendstream")
        image_id = len(objects)
        w, h = width * 72 / dpi, height * 72 / dpi
        content = b"q %.3f 0 0 %.3f 0 0 cm /P Do Q" % (w, h)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent " + _PARENT + b" /MediaBox [0 0 %.3f %.3f] "
                       b"/Resources << /XObject << /P %d 0 R >> >> /Contents %d 0 R >>" % (
                           w, h, image_id, content_id))
        page_ids.append(len(objects))
    pages_id = len(objects) + 1
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    objects = [o.replace(_PARENT, b"%d 0 R" % pages_id) if i + 1 in page_ids else o
               for i, o in enumerate(objects)]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref))
    return out.getvalue()


def page_order(article: bytes, url: str) -> list[str]:
    """The URLs of the page images an archived article shows, in its order (the crawler's own
    reading of the page: ``crawler.extract.page_images``)."""
    from scrapy.http import HtmlResponse

    from crawler.extract import page_images

    try:
        response = HtmlResponse(url=url, body=article)
        return [link.url for link in page_images(response.selector, url)]
    except (ValueError, TypeError, AttributeError):  # not markup after all
        return []


def compose_pages(db: sqlite_utils.Database, store: ObjectStore, only_queued: bool = False) -> int:
    """Every report whose article shows page images that are all archived gets their composed
    document (:func:`compose`), its pictures relabelled ``page_image`` (``only_queued``: every
    report in ``derived_queue``, those a load touches). Returns the documents composed now (a
    report already holding its pages' document is left as it is)."""
    composed = 0
    reports = ("derived_queue q cross join report_documents rd on rd.report_id = q.report_id" if only_queued
               else "report_documents rd")
    articles = db.execute(
        f"""select rd.report_id, rd.sha256, rd.url, rd.first_seen, rd.last_seen, rd.gone_since
           from {reports}
           where rd.kind = ? and (select count(*) from report_documents i where i.report_id = rd.report_id
                                  and i.kind in (?, ?)) >= 2""",
        [Rendition.ARTICLE, Rendition.IMAGE, Rendition.PAGE]).fetchall()
    for report_id, article_sha, url, first, last, gone in articles:
        try:
            order = page_order(store.get(article_sha), url)
        except (OSError, KeyError):  # a missing object: `renfang verify` says so
            continue
        if not order:
            continue
        pictures = dict(db.execute(
            "select url, sha256 from report_documents where report_id = ? and kind in (?, ?)",
            [report_id, Rendition.IMAGE, Rendition.PAGE]).fetchall())
        if not all(u in pictures for u in order):
            continue  # a page could not be fetched: the crawl says which, the report stays unread
        pages = [pictures[u] for u in order]
        data = compose([store.get(sha) for sha in pages])
        sha = store.put(data)
        t = now()
        composed += not db.execute("select 1 from report_documents where report_id = ? and sha256 = ? and url = ?",
                                   [report_id, sha, url + SUFFIX]).fetchone()
        with db.atomic():
            db.execute("""insert into documents (sha256, size, media_type, first_seen, last_seen) values (?, ?, ?, ?, ?)
                          on conflict (sha256) do update set last_seen = max(last_seen, excluded.last_seen)""",
                       [sha, len(data), "application/pdf", first or t, last or t])
            db.execute(
                """insert into report_documents (report_id, sha256, url, kind, filename, first_seen, last_seen,
                                                 gone_since) values (?, ?, ?, ?, ?, ?, ?, ?)
                   on conflict (report_id, sha256, url) do update set last_seen = excluded.last_seen,
                       gone_since = excluded.gone_since""",
                [report_id, sha, url + SUFFIX, str(Rendition.PAGES), f"{len(pages)} page images",
                 first or t, last or t, gone])
            db.execute(f"""update report_documents set kind = ? where report_id = ? and kind = ?
                           and sha256 in ({", ".join("?" * len(pages))})""",
                       [str(Rendition.PAGE), report_id, str(Rendition.IMAGE), *pages])
    return composed
