"""A test portal whose reports are attached inside archives and as a WPS file
(tests/test_crawler_archives.py, issue 21 point 2). One office, one list, five report pages,
each with one attachment:

| year | attachment | inside |
|---|---|---|
| 2019 | ``2019.zip`` | the 攀枝花 2019 seed as PDF and as DOC, the PDF's name GBK-encoded (no UTF-8 flag, as Windows zips) |
| 2020 | ``2020.wps`` | the 江西 2020 seed as an OLE2 Word 97 document saved under a ``.wps`` name |
| 2021 | ``2021.zip`` | the 攀枝花 PDF again, encrypted (ZipCrypto, made by ``bsdtar``) |
| 2022 | ``2022.zip`` | ``附件.zip`` (holding the 2022 report as DOCX, tests/fixtures/tables/controls-2021.docx) and ``说明.txt`` |
| 2023 | ``2023.zip`` | a zip bomb: ``2023年报告.pdf`` 60 MiB of zeros (inflates ~1000 times), ``附件.doc`` 150 MiB |

The documents are the project's test reports (their printed figures are in tests/expected/);
they print other offices' names, which the crawl does not look at.
"""
from __future__ import annotations

import csv
import io
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tests.fixtures.tables import make_tables
from tests.helpers import REPO
from tests.portals.server import Page, TestPortal
from tests.portals.sites import _li, html

SITE = "arcx"
NAME = "样例市人民防空办公室"
SEED000_PDF = REPO / "sample_portal" / "documents" / "seed000.pdf"
RENDITIONS = REPO / "tests" / "fixtures" / "renditions"
GBK_NAME = "攀枝花2019年报告.pdf"
PLACEHOLDER = "X" * (len(GBK_NAME.encode("gbk")) - 4) + ".pdf"   # as many bytes as the GBK name
INNER_DOCX = "2022年报告.docx"
BOMB_RATIO = 60 * 1024 * 1024
BOMB_SIZE = 150 * 1024 * 1024


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 20, 9, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def zip_2019() -> bytes:
    """The PDF's name as a Chinese Windows archiver writes it: GBK bytes, no UTF-8 flag
    (zipfile would flag UTF-8: the name is written as ASCII of the same length, then replaced)."""
    data = _zip({PLACEHOLDER: SEED000_PDF.read_bytes(), "seed000.doc": (RENDITIONS / "seed000.doc").read_bytes()})
    assert data.count(PLACEHOLDER.encode()) == 2      # the local header and the central directory
    return data.replace(PLACEHOLDER.encode(), GBK_NAME.encode("gbk"))


def zip_2021_encrypted() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "2021年报告.pdf").write_bytes(SEED000_PDF.read_bytes())
        subprocess.run(["bsdtar", "-a", "-cf", "out.zip", "--options", "zip:encryption=traditional",
                        "--passphrase", "renfang", "2021年报告.pdf"], cwd=tmp, check=True, capture_output=True)
        return (Path(tmp) / "out.zip").read_bytes()


def zip_2022_nested() -> bytes:
    inner = _zip({INNER_DOCX: make_tables.controls_2021_docx()})
    return _zip({"附件.zip": inner, "说明.txt": "年度报告见附件。".encode("utf-8")})


def zip_2023_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, size in (("2023年报告.pdf", BOMB_RATIO), ("附件.doc", BOMB_SIZE)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                block = b"\0" * (1 << 20)
                for _ in range(size >> 20):
                    f.write(block)
    return buf.getvalue()


ATTACHMENTS = {
    2019: ("2019.zip", zip_2019),
    2020: ("2020.wps", lambda: (RENDITIONS / "seed004.doc").read_bytes()),
    2021: ("2021.zip", zip_2021_encrypted),
    2022: ("2022.zip", zip_2022_nested),
    2023: ("2023.zip", zip_2023_bomb),
}


def pages() -> dict[str, Page]:
    def page(title, body):
        return Page(html(title, body), "text/html; charset=utf-8")
    entries = "".join(_li(f"{NAME}{year}年政府信息公开工作年度报告", f"/nb/{year}.html", f"{year + 1}-01-20")
                      for year in sorted(ATTACHMENTS, reverse=True))
    out = {
        "/": page(NAME, '<div class="nav"><a href="/xxgk/">政府信息公开</a></div>'),
        "/xxgk/": page("政府信息公开", '<ul><li><a href="/nb/">政府信息公开年报</a></li></ul>'),
        "/nb/": page("政府信息公开年报", f"<ul>{entries}</ul>"),
    }
    for year, (name, make) in ATTACHMENTS.items():
        out[f"/nb/{year}.html"] = page(f"{NAME}{year}年政府信息公开工作年度报告",
                                       f'<p>报告全文见附件：<a href="/nb/{name}">{year}年报告</a></p>')
        out[f"/nb/{name}"] = Page(make(), "application/octet-stream", headers=[(
            "Content-Disposition", f'attachment; filename="{year}年报告.{name.rsplit(".", 1)[1]}"'
            .encode("gbk").decode("latin-1"))])
    return out


def start() -> TestPortal:
    portal = TestPortal([SITE])
    portal.sites[SITE].set_pages(pages())
    return portal


def write_registry(portal: TestPortal, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "level", "province", "url", "since"])
        w.writerow([SITE, NAME, "city", "四川", portal.url(SITE), "2019"])
    return path
