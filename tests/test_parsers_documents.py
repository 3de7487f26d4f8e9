"""Every printed figure of tables 二, 三 and 四 of three real reports, written by hand.

The expected values (tests/expected/reports/*.json) were read off the printed documents (the
seed texts; the 洪泽区 PDF rendered to PNG and looked at), never produced by running the parser. Blank cells are None,
printed errors are kept (seed 000's 三（七）总计 = 0, 洪泽区's 四 总计 = 0).
The same seed expectations are checked against the PDF/DOCX/HTML renditions under
sample_portal/documents when they exist.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parsers import ParseError, parse_document
from tests.helpers import REPO, SHARED, assert_report, expected_cells, expected_report

DOCUMENTS = REPO / "sample_portal" / "documents"
# tests/expected/reports/*.json: written by hand from the printed documents
SEED000 = expected_report("seed000")  # 攀枝花 2019 (seed 000)
SEED004 = expected_report("seed004")  # 江西 2020 (seed 004)
HONGZE = expected_report("hongze-2023")  # 洪泽区人民政府 2023 (real PDF)


def _read(path: Path) -> bytes:
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return path.read_bytes()


# ------------------------------------------------------------------ the seeds as text
@pytest.mark.parametrize("name,exp", [("000_b895455aa8998ba0.txt", SEED000),
                                      ("004_dc0c8ff9029344c7.txt", SEED004)])
def test_seed_text(name, exp):
    report = parse_document(_read(SHARED / "seeds" / name), name)
    assert report.media_type == "text/plain"
    assert report.pages is None
    assert_report(report, exp)
    assert all(f.page is None and f.bbox is None for f in report.facts)


def test_seed000_titles_and_sections():
    report = parse_document(_read(SHARED / "seeds" / "000_b895455aa8998ba0.txt"))
    assert report.title == "攀枝花市人民防空办公室 2019年政府信息公开工作年度报告"
    assert "政府信息公开工作年度报告" in report.text


# ------------------------------------------------------------------ the real PDF
@pytest.fixture(scope="module")
def hongze():
    return parse_document(_read(SHARED / "real" / "huaian_hongzequ_gov_2023.pdf"))


def test_hongze_pdf_cells_and_checks(hongze):
    assert hongze.media_type == "application/pdf"
    assert hongze.pages == 5
    assert_report(hongze, HONGZE)


def test_hongze_pdf_pages_and_bboxes(hongze):
    got = {(f.table, f.row, f.column): f for f in hongze.facts}
    for key, page in HONGZE["pages"].items():
        assert got[key].page == page, key
    for f in hongze.facts:
        assert f.bbox is not None and len(f.bbox) == 4
        x0, top, x1, bottom = f.bbox
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850
    assert "bbox" in got[("appeals", "review", "upheld")].to_json()


def test_hongze_pdf_metadata_and_json(hongze):
    assert "2023" in hongze.title and "年度报告" in hongze.title
    d = hongze.to_json()
    assert list(d) == ["agency", "year", "format_version", "published", "document_number",
                       "title", "media_type", "pages", "text_sha256", "method", "ocr",
                       "ocr_pages", "sections", "facts", "checks"]
    assert (d["method"], d["ocr"], d["ocr_pages"]) == ("text", False, [])
    assert len(d["text_sha256"]) == 64
    # the six sections, found by their printed headings
    assert [s["code"] for s in d["sections"]] == ["general", "disclosure", "applications",
                                                  "appeals", "problems", "other_matters"]
    assert d["sections"][1]["heading"] == "二、主动公开政府信息情况"
    assert set(d["facts"][0]) == {"table", "row", "column", "value", "raw", "unit", "page", "bbox"}
    assert set(d["checks"][0]) == {"code", "key", "status", "lhs", "rhs"}


# ------------------------------------------------------------------ renditions by sample_portal
RENDITIONS = [
    ("seed000.pdf", SEED000, "application/pdf"),
    ("seed000.html", SEED000, "text/html"),
    ("seed004.pdf", SEED004, "application/pdf"),
    ("seed004.docx", SEED004,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]


@pytest.mark.parametrize("name,exp,media_type", RENDITIONS, ids=[r[0] for r in RENDITIONS])
def test_renditions_match_the_seed(name, exp, media_type):
    report = parse_document(_read(DOCUMENTS / name), name)
    assert report.media_type == media_type
    assert_report(report, exp)
    if media_type == "application/pdf":
        assert all(f.page and f.bbox for f in report.facts)


@pytest.mark.parametrize("name,status", [("truncated.pdf", "corrupt"),
                                         ("not_a_report.docx", "not_report"),
                                         ("juesuan_2018.pdf", "not_report")])
def test_bad_renditions(name, status):
    data = _read(DOCUMENTS / name)
    with pytest.raises(ParseError) as err:
        parse_document(data, name)
    assert err.value.status == status


# ------------------------------------------------------------------ the sample sites' article pages
def _site_page(name: str) -> bytes:
    found = sorted((REPO / "sample_portal" / "sites").glob(f"**/{name}"))
    if not found:
        pytest.fail(f"sample_portal/sites/**/{name} is missing")
    return found[0].read_bytes()


def test_gbk_article_page_embedding_seed000():
    # the 攀枝花 TRS article: GBK bytes declared gb2312, the report pasted into TRS_Editor
    report = parse_document(_site_page("t20200120_5123.html"))
    assert report.media_type == "text/html"
    assert_report(report, SEED000)


def test_article_page_that_links_the_report_is_not_a_report():
    with pytest.raises(ParseError) as err:
        parse_document(_site_page("t20190125_4101.html"))  # "全文详见附件"
    assert err.value.status == "not_report"


# ------------------------------------------------------------------ the command line
@pytest.mark.parametrize("path,exp", [
    (SHARED / "real" / "huaian_hongzequ_gov_2023.pdf", HONGZE),
    (SHARED / "seeds" / "000_b895455aa8998ba0.txt", SEED000),
    (SHARED / "seeds" / "004_dc0c8ff9029344c7.txt", SEED004),
], ids=["hongze-pdf", "seed000", "seed004"])
def test_renfang_parse_json(path, exp):
    """`renfang parse FILE --json` prints every printed figure under its code, and the checks."""
    proc = subprocess.run([sys.executable, "-m", "renfang.cli", "parse", str(_path(path)), "--json"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"agency", "year", "format_version", "published", "facts", "checks"} <= set(out)
    assert out["year"] == exp["meta"]["year"]
    assert out["format_version"] == exp["meta"]["format_version"]
    got = {(f["table"], f["row"], f["column"]): f["value"] for f in out["facts"]}
    assert got == expected_cells(exp)
    assert all(set(f) >= {"table", "row", "column", "value", "raw", "unit", "page"} for f in out["facts"])
    failing = {(c["code"], c["key"]): (c["lhs"], c["rhs"]) for c in out["checks"] if c["status"] == "fail"}
    assert failing == exp["failing"]


def _path(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return path
