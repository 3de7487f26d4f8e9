"""Another body's report in an office's column (issue 19, point 4): archived, attributed to the
body it names (reports.issued_by), never counted as the office's: not in its calendar, not a
year it published."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from archive import gaps
from archive.load import load_archive, other_issuer
from archive.schema import open_archive
from archive.store import ObjectStore
from crawler import records
from tests.helpers import SHARED

OFFICE = "江西省人民防空办公室"


def _seed(year: int, publisher: str) -> bytes:
    text = next((SHARED / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    return text.replace("2020 年", f"{year} 年").replace(OFFICE, publisher).encode("utf-8")


def _archive(root):
    db = open_archive(root / "archive.db")
    store = ObjectStore(root / "objects")
    records.upsert_agency(db, SimpleNamespace(id="jxrf", name=OFFICE, aliases=("江西省国防动员办公室",), level="province",
                                              province="江西", url="http://127.0.0.1:1/", cms=""))
    return db, store


def _report(db, store, year, title, body, issued_by=None):
    rid = records.record_listing(db, "jxrf", year, title, f"http://127.0.0.1:1/nb/{year}-{len(title)}.html",
                                 issued_by=issued_by)
    sha, _ = records.store_document(db, store, body)
    records.record_report_document(db, rid, sha, f"http://127.0.0.1:1/nb/{rid}.txt", "text", f"{rid}.txt")
    return rid


def test_a_report_whose_document_names_another_body_is_that_bodys(tmp_path):
    db, store = _archive(tmp_path)
    own = _report(db, store, 2020, f"{OFFICE}2020年政府信息公开工作年度报告", _seed(2020, OFFICE))
    # listed in the office's column under a title that names nobody; the document is the government's
    theirs = _report(db, store, 2021, "2021年政府信息公开工作年度报告", _seed(2021, "江西省人民政府办公厅"))
    renamed = _report(db, store, 2022, "2022年政府信息公开工作年度报告", _seed(2022, "江西省国防动员办公室"))
    db.close()
    load_archive(tmp_path, jobs=1)
    db = open_archive(tmp_path / "archive.db")
    issued = dict(db.execute("select id, issued_by from reports").fetchall())
    assert issued == {own: None, theirs: "江西省人民政府办公厅", renamed: None}   # its later name is its own
    verdict = gaps.office_calendar(db, "jxrf", date(2026, 12, 7))
    assert 2021 in verdict.gaps and 2022 not in verdict.gaps                     # not the office's 2021


def test_a_titled_report_of_another_body_has_a_report_of_its_own(tmp_path):
    db, store = _archive(tmp_path)
    own = _report(db, store, 2023, f"{OFFICE}2023年政府信息公开工作年度报告", _seed(2023, OFFICE))
    theirs = _report(db, store, 2023, "江西省人民政府2023年政府信息公开工作年度报告", _seed(2023, "江西省人民政府"),
                     issued_by="江西省人民政府")
    assert own == "jxrf-2023" and theirs.startswith("jxrf-2023-by-") and theirs != own
    assert records.report_id("jxrf", 2023, "江西省人民政府") == theirs                # the same every run
    assert gaps.office_calendar(db, "jxrf", date(2026, 12, 7)).found == (2023,)


def test_only_an_organ_that_is_no_civil_defence_office_takes_a_report_away(tmp_path):
    db, _ = _archive(tmp_path)
    assert other_issuer(db, "jxrf", "江西省人民政府办公厅") == "江西省人民政府办公厅"
    assert other_issuer(db, "jxrf", "南昌市人民防空办公室") is None        # a civil-defence name: never taken away
    assert other_issuer(db, "jxrf", "江西省") is None                      # no organ named
    assert other_issuer(db, "jxrf", None) is None
