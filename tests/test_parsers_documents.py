"""Every printed figure of tables 二, 三 and 四 of three real reports, written by hand.

The expected values below were read off the printed documents (the seed texts; the 洪泽区 PDF
rendered to PNG and looked at), never produced by running the parser. Blank cells are None,
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

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DOCUMENTS = REPO / "sample_portal" / "documents"

APP_COLUMNS = ["natural_person", "commercial", "research", "social_org", "legal_services",
               "other_org", "total"]
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
APP_ROWS_2019 = [
    "received", "carried_over", "granted", "partly_granted",
    "withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
    "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
    "withheld_enforcement_files", "withheld_query_matters",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "refused_complaint", "refused_duplicate", "refused_publication", "refused_excessive",
    "refused_reconfirm", "other", "total_handled", "carried_forward",
]
ZERO7 = [0, 0, 0, 0, 0, 0, 0]

# ------------------------------------------------------------------ seed 000: 攀枝花 2019
SEED000 = {
    "meta": {"agency": "攀枝花市人民防空办公室", "year": 2019, "format_version": "2019",
             "published": "2020-01-20", "document_number": "攀人防发〔2020〕7号"},
    "disclosure": {
        "regulations": {"made": 0, "published": 0, "total_published": 0},
        "normative_documents": {"made": 0, "published": 0, "total_published": 0},
        "licensing": {"items_last_year": 22, "items_change": 36, "decisions": 58},
        "other_services": {"items_last_year": 0, "items_change": 0, "decisions": 0},
        "penalties": {"items_last_year": 0, "items_change": 0, "decisions": 0},
        "enforcement": {"items_last_year": 0, "items_change": 0, "decisions": 0},
        "fees": {"items_last_year": 5, "items_change": 19},
        "procurement": {"projects": 0, "amount": 0},
    },
    # every row printed; only 一、本年新收 and （一）予以公开 are non-zero; （七）总计 prints 0
    "applications": {row: list(ZERO7) for row in APP_ROWS_2019} | {
        "received": [2, 0, 0, 0, 0, 0, 2],
        "granted": [2, 0, 0, 0, 0, 0, 2],
        "total_handled": [0, 0, 0, 0, 0, 0, 0],
    },
    # the 行政复议 group is printed blank: 5 empty cells, then 10 zeros
    "appeals": {
        "review": [None, None, None, None, None],
        "suit_direct": [0, 0, 0, 0, 0],
        "suit_after_review": [0, 0, 0, 0, 0],
    },
    "raw": {("disclosure", "licensing", "items_change"): "增加 36 件",
            ("disclosure", "fees", "items_change"): "增加 19 件",
            ("appeals", "review", "upheld"): ""},
    "units": {},
    "failing": {("applications.balance", "natural_person"): (2, 0),
                ("applications.balance", "total"): (2, 0),
                ("applications.outcome_sum", "natural_person"): (2, 0),
                ("applications.outcome_sum", "total"): (2, 0)},
    "unknown": {("appeals.group_sum", "review")},
    "text": set(),  # no sentence states an application or appeal count
}

# ------------------------------------------------------------------ seed 004: 江西 2020
SEED004 = {
    "meta": {"agency": "江西省人民防空办公室", "year": 2020, "format_version": "2019",
             "published": "2021-01-30", "document_number": None},
    "disclosure": {
        "regulations": {"made": 15, "published": 15, "total_published": 15},
        "normative_documents": {"made": 8, "published": 8, "total_published": 10},
        "licensing": {"items_last_year": 1, "items_change": 0, "decisions": 17},
        "other_services": {"items_last_year": 4, "items_change": 0, "decisions": 85},
        "penalties": {"items_last_year": 2, "items_change": 0, "decisions": 6},
        "enforcement": {"items_last_year": 0, "items_change": 0, "decisions": 0},
        "fees": {"items_last_year": 0, "items_change": 0},
        "procurement": {"projects": 15, "amount": 3995.07},
    },
    "applications": {row: list(ZERO7) for row in APP_ROWS_2019} | {
        "received": [2, 0, 0, 0, 0, 0, 2],
        "granted": [1, 0, 0, 0, 0, 0, 1],
        "unavailable_not_held": [1, 0, 0, 0, 0, 0, 1],
        "total_handled": [2, 0, 0, 0, 0, 0, 2],
    },
    "appeals": {
        "review": [None, None, None, None, None],
        "suit_direct": [0, 0, 0, 0, 0],
        "suit_after_review": [0, 0, 0, 0, 0],
    },
    "raw": {("disclosure", "procurement", "amount"): "3995.07"},
    "units": {("disclosure", "procurement", "amount"): "万元"},
    "failing": {},
    "unknown": {("appeals.group_sum", "review")},
    "text": {("text.applications", "received")},  # 共收到政府信息公开申请2件 = 2
}

# ------------------------------------------------------------------ 洪泽区人民政府 2023 (real PDF)
HONGZE = {
    "meta": {"agency": "洪泽区人民政府", "year": 2023, "format_version": "2021",
             "published": None, "document_number": None},
    "disclosure": {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 0, "repealed": 5, "in_force": 5},
        "licensing": {"decisions": 550},
        "penalties": {"decisions": 4119},
        "enforcement": {"decisions": 195},
        "fees": {"amount_10k_yuan": 7730.28},
    },
    # 2021 layout, but 三（六） is the single 2019-style 其他处理 row
    "applications": {
        "received": [21, 0, 0, 0, 0, 0, 21],
        "carried_over": [0, 0, 0, 0, 0, 0, 0],
        "granted": [0, 0, 0, 0, 0, 0, 0],
        "partly_granted": [4, 0, 0, 0, 0, 0, 4],
        "withheld_state_secret": [1, 0, 0, 0, 0, 0, 1],
        "withheld_prohibited_by_law": [0, 0, 0, 0, 0, 0, 0],  # printed 其他法律行政止公开
        "withheld_security_stability": [0, 0, 0, 0, 0, 0, 0],
        "withheld_third_party": [0, 0, 0, 0, 0, 0, 0],
        "withheld_internal_affairs": [0, 0, 0, 0, 0, 0, 0],
        "withheld_process_info": [1, 0, 0, 0, 0, 0, 1],
        "withheld_enforcement_files": [1, 0, 0, 0, 0, 0, 1],
        "withheld_query_matters": [0, 0, 0, 0, 0, 0, 0],
        "unavailable_not_held": [10, 0, 0, 0, 0, 0, 10],
        "unavailable_needs_creation": [3, 0, 0, 0, 0, 0, 3],
        "unavailable_unclear": [0, 0, 0, 0, 0, 0, 0],       # first row on page 4
        "refused_complaint": [1, 0, 0, 0, 0, 0, 1],
        "refused_duplicate": [0, 0, 0, 0, 0, 0, 0],
        "refused_publication": [0, 0, 0, 0, 0, 0, 0],
        "refused_excessive": [0, 0, 0, 0, 0, 0, 0],
        "refused_reconfirm": [0, 0, 0, 0, 0, 0, 0],
        "other": [0, 0, 0, 0, 0, 0, 0],
        "total_handled": [21, 0, 0, 0, 0, 0, 21],
        "carried_forward": [0, 0, 0, 0, 0, 0, 0],
    },
    "appeals": {
        "review": [10, 1, 0, 0, 0],
        "suit_direct": [0, 0, 0, 0, 0],
        "suit_after_review": [5, 0, 0, 0, 0],
    },
    "raw": {("disclosure", "fees", "amount_10k_yuan"): "7730.28"},
    "units": {("disclosure", "fees", "amount_10k_yuan"): "万元"},
    "failing": {("appeals.group_sum", "review"): (11, 0),
                ("appeals.group_sum", "suit_after_review"): (5, 0)},
    "unknown": set(),
    "text": {("text.applications", "received")},  # 受理政府信息公开申请21件 = 21
    "pages": {("disclosure", "regulations", "issued"): 2,
              ("disclosure", "licensing", "decisions"): 2,
              ("disclosure", "penalties", "decisions"): 3,
              ("disclosure", "fees", "amount_10k_yuan"): 3,
              ("applications", "received", "natural_person"): 3,
              ("applications", "unavailable_needs_creation", "total"): 3,
              ("applications", "unavailable_unclear", "natural_person"): 4,
              ("applications", "carried_forward", "total"): 4,
              ("appeals", "review", "upheld"): 4},
}


def expected_cells(exp: dict) -> dict[tuple[str, str, str], object]:
    cells = {}
    for row, cols in exp["disclosure"].items():
        for col, value in cols.items():
            cells[("disclosure", row, col)] = value
    for row, values in exp["applications"].items():
        for col, value in zip(APP_COLUMNS, values, strict=True):
            cells[("applications", row, col)] = value
    for row, values in exp["appeals"].items():
        for col, value in zip(APPEAL_COLUMNS, values, strict=True):
            cells[("appeals", row, col)] = value
    return cells


def assert_report(report, exp: dict) -> None:
    for key, value in exp["meta"].items():
        assert getattr(report, key) == value, key
    got = {(f.table, f.row, f.column): f for f in report.facts}
    want = expected_cells(exp)
    assert len(got) == len(report.facts), "a cell was emitted twice"
    assert set(got) == set(want), (sorted(set(want) - set(got)), sorted(set(got) - set(want)))
    wrong = {k: (got[k].value, v) for k, v in want.items()
             if got[k].value != v or type(got[k].value) is not type(v)}
    assert not wrong, wrong
    for key, raw in exp["raw"].items():
        assert got[key].raw == raw, key
    for key, fact in got.items():
        assert fact.unit == exp["units"].get(key), key
        if fact.value is None:
            assert fact.raw == "", key  # printed blank, kept as an empty string
    checks = {(c.code, c.key): c for c in report.checks}
    assert len(checks) == len(report.checks)
    for key, (lhs, rhs) in exp["failing"].items():
        c = checks[key]
        assert (c.status, c.lhs, c.rhs) == ("fail", lhs, rhs), key
    for key in exp["unknown"]:
        assert checks[key].status == "unknown", key
    others = {k: c.status for k, c in checks.items()
              if k not in exp["failing"] and k not in exp["unknown"]}
    assert others and set(others.values()) == {"pass"}, {k: s for k, s in others.items()
                                                         if s != "pass"}
    # every check family that has its facts printed is there
    assert {code for code, _ in checks if not code.startswith("text.")} == {
        "applications.balance", "applications.row_sum", "applications.outcome_sum",
        "appeals.group_sum"}
    # prose <-> table: the plainly stated figures of sections 一-四 (test_parsers_textchecks.py)
    assert {k for k in checks if k[0].startswith("text.")} == exp["text"]
    assert len([k for k in checks if k[0] == "applications.row_sum"]) == len(exp["applications"])


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
