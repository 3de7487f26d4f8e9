"""A load's parse limits reach every parse it makes: the versions of a silently edited document
are parsed in the sandbox's workers (time and memory limited), not in the loading process, and
the limits are the caller's parameters, not the environment's."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, SHARED

HONGZE_PDF = SHARED / "real" / "huaian_hongzequ_gov_2023.pdf"
URL = "http://127.0.0.1:1/hzq/2023.pdf"


@pytest.fixture()
def edited(tmp_path) -> Path:
    """One report whose document's URL served two versions: the real 洪泽区 2023 PDF, then the
    same PDF re-uploaded with a comment after its end (other bytes, the same figures)."""
    from types import SimpleNamespace

    from crawler import records
    from archive.schema import open_archive
    from archive.store import ObjectStore

    db = open_archive(tmp_path / "archive.db")
    store = ObjectStore(tmp_path / "objects")
    records.upsert_agency(db, SimpleNamespace(
        id="hzq", name="淮安市洪泽区人民政府", aliases=("洪泽区人民政府",), level="district",
        province="江苏", url="http://127.0.0.1:1/", cms=""))
    rid = records.record_listing(db, "hzq", 2023, "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
                                 "http://127.0.0.1:1/hzq/2023.html")
    pdf = HONGZE_PDF.read_bytes()
    for body in (pdf, pdf + b"\n% re-uploaded\n"):
        sha, _ = records.store_document(db, store, body)
        records.record_report_document(db, rid, sha, URL, "pdf", "2023.pdf")
        time.sleep(1.1)  # a later first_seen for the re-upload
    db.close()
    return tmp_path


def received(data_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(data_dir / "archive.db")
    try:
        return conn.execute(
            """select rd.first_seen, v.column_code, v.value from version_facts v
               join report_documents rd on rd.sha256 = v.sha256
               where v.table_name = 'applications' and v.row_code = 'received'
                 and v.column_code in ('natural_person', 'total') order by 1, 2""").fetchall()
    finally:
        conn.close()


def versions(data_dir: Path, **limits) -> int:
    from archive.derived import refresh_versions
    from archive.schema import open_archive
    from archive.store import ObjectStore

    db = open_archive(data_dir / "archive.db")
    try:
        db.execute("delete from version_facts")
        db.conn.commit()
        return refresh_versions(db, ObjectStore(data_dir / "objects"), **limits)
    finally:
        db.close()


def test_versions_are_parsed_within_the_sandbox_limits(edited):
    from archive.load import load_archive

    load_archive(edited, jobs=1)
    first = received(edited)
    # 三、一 本年新收: 21 natural persons, 21 in all (page 2), in both versions
    assert [(c, v) for _, c, v in first] == [("natural_person", 21), ("total", 21)] * 2
    # a hundredth of a second (a parse takes ~0.2 s): both versions time out in their
    # workers; this process goes on
    started = time.monotonic()
    assert versions(edited, time_limit=0.01) == 2
    assert time.monotonic() - started < 5
    assert received(edited) == []
    # 1 MiB of address space: the workers cannot parse; the loading process is not harmed (a
    # fresh process: a worker forked from one with much free heap could parse without growing)
    code = ("import sys; from pathlib import Path; from tests.test_reliability_versions import versions; "
            "print(versions(Path(sys.argv[1]), memory_limit=1 << 20))")
    proc = subprocess.run([sys.executable, "-c", code, str(edited)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.split() == ["2"], proc.stderr[-2000:]
    assert received(edited) == []
    # within the limits, both versions' figures again
    assert versions(edited, jobs=2) == 2
    assert received(edited) == first


def test_a_load_passes_its_limits_to_every_parse(edited):
    from archive.load import load_archive

    summary = load_archive(edited, jobs=1, time_limit=0.01)
    assert summary.statuses == {"timeout": 1}
    assert received(edited) == []


def test_the_environment_sets_no_limit_at_import():
    env = {**os.environ, "RENFANG_PARSE_SECONDS": "7", "RENFANG_PARSE_MEMORY_MB": "5"}
    code = "from parsers import sandbox; print(sandbox.TIME_LIMIT, sandbox.MEMORY_LIMIT >> 20)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["300.0", "3072"]
