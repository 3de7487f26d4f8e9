"""What several test modules share, in one place: paths, the command line, test servers, the
extended Datasette archive, and the hand-written expected values of tests/expected/.

Test modules import from here (``from tests.helpers import …``), never from each other; the
fixtures built on these helpers are in conftest.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXPECTED = Path(__file__).resolve().parent / "expected"
RENFANG = [sys.executable, "-m", "renfang.cli"]
# Tests crawl loopback: no politeness delay needed.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
# Nothing but the registry's loopback sites may be requested (no *.gov.cn either).
ONLY_REGISTRY = [*FAST, "-s", "RENFANG_ALLOWED_SUFFIXES=", "-s", "RENFANG_PROGRESS_INTERVAL=0"]
HONGZE_PDF = SHARED / "real" / "huaian_hongzequ_gov_2023.pdf"


# ---------------------------------------------------------------- the command line and servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def q(data_dir, sql, params=()) -> list[tuple]:
    """Rows of ``sql`` on DATA_DIR/archive.db (a fresh connection, closed again)."""
    conn = sqlite3.connect(Path(data_dir) / "archive.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def renfang(*args, cwd=REPO, check=True, timeout=300, expect: int = 0) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would; it must exit with ``expect`` (a crawl of
    a site that is not ``ok`` exits 3) unless ``check`` is false."""
    proc = subprocess.run([*RENFANG, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if check and proc.returncode != expect:
        raise AssertionError(f"renfang {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-4000:]}")
    return proc


def start_server(args, url: str, timeout: float = 60, **popen) -> subprocess.Popen:
    """Start ``renfang ARGS`` (a server) and return once ``url`` answers."""
    proc = subprocess.Popen([*RENFANG, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer within {timeout} s:\n{stop_server(proc)}")
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> str:
    """Stop a server started by :func:`start_server` and return its output: ``sig``, then
    SIGKILL after ``timeout`` s (`renfang serve` takes its Datasette with it either way)."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def copy_archive(crawled: Path, target: Path) -> Path:
    """A private archive.db beside the crawled objects (the load only reads objects/)."""
    target.mkdir()
    for name in ("archive.db", "archive.db-wal"):
        if (crawled / name).exists():
            shutil.copyfile(crawled / name, target / name)
    (target / "objects").symlink_to(crawled / "objects")
    return target


# ---------------------------------------------------------------- the published archive
SCRIPT_TITLE = "<script>document.title='XSS';document.body.innerHTML='PWNED'</script>攀枝花市人民防空办公室2020年报"


def extend_archive(src: Path, dst: Path) -> None:
    """Copy the archive at ``src`` to ``dst`` and add what a later crawl would have found."""
    from crawler import records
    from archive.schema import open_archive
    from archive.store import ObjectStore

    shutil.copytree(src, dst)
    db = open_archive(dst / "archive.db")
    store = ObjectStore(dst / "objects")
    # 1. 江西 2021: its 上年结转 (carried_over) disagrees with 2020's 结转下年度 for natural_person.
    text = next((SHARED / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    text = text.replace("2020 年", "2021 年")
    text, n = re.subn(r"(上年结转政府信息公开申请数量)\t0\t0\t0\t0\t0\t0\t0", r"\1\t3\t0\t0\t0\t0\t0\t3", text)
    assert n == 1
    rid = records.record_listing(db, "jxrf", 2021, "江西省人民防空办公室2021年政府信息公开工作年度报告",
                                 "http://127.0.0.1:1/art/2022/1/28/art_1005_4001.html")
    sha, _ = records.store_document(db, store, text.encode("utf-8"))
    records.record_report_document(db, rid, sha, "http://127.0.0.1:1/jxrf-2021.txt", "text", "jxrf-2021.txt")
    # 1b. 江西 2022 in the 2021 layout: 二 with 本年制发件数 …, 三（六） as three sub-rows.
    rid = records.record_listing(db, "jxrf", 2022, "江西省人民防空办公室2022年政府信息公开工作年度报告",
                                 "http://127.0.0.1:1/art/2023/1/20/art_1005_5001.html")
    sha, _ = records.store_document(db, store, text_2021_layout().encode("utf-8"))
    records.record_report_document(db, rid, sha, "http://127.0.0.1:1/jxrf-2022.txt", "text", "jxrf-2022.txt")
    # 1c. The real 洪泽区 2023 report (a PDF), under an office of its own.
    records.upsert_agency(db, SimpleNamespace(
        id="hzq", name="淮安市洪泽区人民政府", aliases=("洪泽区人民政府",), level="district",
        province="江苏", url="http://127.0.0.1:1/", cms=""))
    rid = records.record_listing(db, "hzq", 2023, "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
                                 "http://127.0.0.1:1/hzq/2023.html")
    sha, _ = records.store_document(db, store, HONGZE_PDF.read_bytes())
    records.record_report_document(db, rid, sha, "http://127.0.0.1:1/hzq/2023.pdf", "pdf", "hzq2023.pdf")
    # 2. The 攀枝花 2019 article page changes silently at the same URL: 增加 36 件 -> 增加 37 件.
    url, old_sha, filename = db.execute(
        "select url, sha256, filename from report_documents where report_id = 'pzhrf-2019' and kind = 'article'").fetchone()
    body = store.get(old_sha)
    edited = body.replace("增加 <span lang=EN-US>36</span> 件".encode("gbk"),
                          "增加 <span lang=EN-US>37</span> 件".encode("gbk"))
    assert edited != body
    new_sha, _ = records.store_document(db, store, edited)
    time.sleep(1.1)  # a later first_seen than the original version
    records.record_report_document(db, "pzhrf-2019", new_sha, url, "article", filename)
    # 3. A listing whose title carries markup: it must be shown as text everywhere.
    records.record_listing(db, "pzhrf", 2020, SCRIPT_TITLE, "http://127.0.0.1:1/zwgk/zfxxgknb/202101/t1.html")
    db.close()
    renfang("load", "--data-dir", dst)


def text_2021_layout() -> str:
    """Seed 004 (江西 2020, 2019 layout) rewritten as a 2022 report in the 2021 layout."""
    text = next((SHARED / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    text = text.replace("2020 年", "2022 年").replace("2020年", "2022年")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("第二十条第（一）项"))
    end = next(i for i, line in enumerate(lines) if line.startswith("政府集中采购"))
    lines[start:end + 1] = [
        "第二十条第（一）项\t\t\t", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0", "行政规范性文件\t3\t1\t12",
        "第二十条第（五）项\t", "信息内容\t本年处理决定数量", "行政许可\t17",
        "第二十条第（六）项\t", "信息内容\t本年处理决定数量", "行政处罚\t6", "行政强制\t0",
        "第二十条第（八）项\t", "信息内容\t本年收费金额（单位：万元）", "行政事业性收费\t0"]
    text = "\n".join(lines)
    subrows = ("\t(六) 其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
               "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
               "\t\t3.其他\t1\t0\t0\t0\t0\t0\t1")
    text, n = re.subn(r"\t\(六\) 其他处理(\t0){7}", lambda m: subrows, text)
    assert n == 1
    return text


class Site:
    """A running Datasette, asked over HTTP as a browser or a script would."""

    def __init__(self, base: str, data_dir: Path):
        self.base, self.data_dir = base, data_dir

    def get(self, path: str, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params)[2])

    def rows(self, path: str, **params) -> list[dict]:
        return self.json(path, _shape="array", **params)

    def sql(self, sql: str) -> list[dict]:
        return self.rows("/archive.json", sql=sql)


def start_datasette(data_dir: Path):
    port = free_port()
    # the log goes to a file: a pipe nobody reads fills up and stalls Datasette after ~600 requests
    log = open(data_dir.parent / f"datasette-{port}.log", "w")
    proc = subprocess.Popen([*RENFANG, "serve", "--data-dir", str(data_dir), "--port", str(port)],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/archive.json", timeout=5).read()
            return proc, base
        except OSError:
            assert proc.poll() is None, (data_dir.parent / f"datasette-{port}.log").read_text()
            assert time.monotonic() < deadline, "Datasette did not answer within 60 s"
            time.sleep(0.3)


def stop_datasette(proc) -> None:
    stop_server(proc, signal.SIGINT)  # SIGKILL after 15 s; Datasette dies with `renfang serve`


# ---------------------------------------------------------------- expected figures of printed reports
APP_COLUMNS = ["natural_person", "commercial", "research", "social_org", "legal_services",
               "other_org", "total"]
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]


def expected_json(name: str):
    """tests/expected/NAME, as written by hand."""
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))


def expected_report(name: str) -> dict:
    """The figures of a printed report, tests/expected/reports/NAME.json, with the cell lists
    (``[table, row, column, …]``) keyed by their cell, as :func:`assert_report` reads them."""
    data = expected_json(f"reports/{name}.json")

    def keyed(rows, width):
        return {tuple(r[:width]): (r[width] if len(r) == width + 1 else tuple(r[width:])) for r in rows}

    return {"meta": data["meta"], "disclosure": data["disclosure"],
            "applications": data["applications"], "appeals": data["appeals"],
            "raw": keyed(data["raw"], 3), "units": keyed(data["units"], 3),
            "failing": keyed(data["failing"], 2),
            "unknown": {tuple(k) for k in data["unknown"]}, "text": {tuple(k) for k in data["text"]},
            "pages": keyed(data.get("pages", []), 3)}


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


class Receiver(ThreadingHTTPServer):
    """A webhook endpoint on 127.0.0.1 (start it with ``serve_forever`` in a thread): answers
    ``status``; keeps every body it was sent and those it accepted."""
    def __init__(self):
        self.status, self.posted, self.accepted = 200, [], []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):
                body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
                self.posted.append(body)
                if self.status == 200:
                    self.accepted.append(body)
                handler.send_response(self.status)
                handler.end_headers()
                handler.wfile.write(b"" if self.status == 200 else b"receiver down for maintenance")

            def log_message(handler, *args):
                pass
        super().__init__(("127.0.0.1", free_port()), Handler)


# ---------------------------------------------------------------- a small national archive
#: the offices of the national registry in the small national archive: the national office,
#: every provincial office, and every office of 山东 (172, 19 of them abolished since 2008)
NATIONAL_PROVINCE = "山东"
#: a hand-written office whose id is Chinese (its page is asked percent-encoded)
CHINESE_ID = "鲁人防测试"


def national_registry_rows() -> list[dict]:
    from crawler import national

    rows = [r for r in national.national_rows()
            if r["level"] in ("national", "province") or r["province"] == NATIONAL_PROVINCE]
    urls = {"rf370000": "http://127.0.0.1:9/sd/", "rf370100": "http://127.0.0.1:9/jn/",
            "rf370181": "http://127.0.0.1:9/zqs/", "rf370114": "http://127.0.0.1:9/zqq/",
            "rf360000": "http://127.0.0.1:9/jx/"}
    for r in rows:
        if r["id"] in urls:
            r["url"], r["url_source"] = urls[r["id"]], f"user: mine.csv:{len(r['id'])}"
    return rows


def national_archive(data_dir: Path, last: int) -> None:
    """A small archive of national-registry offices (:func:`national_registry_rows`), judged in
    the year after ``last`` (the last year due), then loaded by `renfang load`:

    - 山东省 rf370000: readable reports for last-3 and last-2, none for last-1 (a gap), ``last``
      listed only; its URL changed once (two rows of agency_urls).
    - 济南市 rf370100: its ``last`` report archived but unreadable (a broken PDF).
    - 章丘市 rf370181 (abolished 2016, replaced by 章丘区 370114): 2014 readable, 2015 listed only.
    - 章丘区 rf370114 (established 2016): 2016 readable.
    - 江西省 rf360000: ``last`` readable, last-1 archived then gone from its portal.
    - 鲁人防测试: a hand-written county office of 山东 with a Chinese id and no report.
    """
    import csv

    from archive.schema import open_archive
    from archive.store import ObjectStore
    from crawler import national, records
    from crawler.registry import read_registry

    data_dir.mkdir(parents=True)
    rows = national_registry_rows()
    registry = data_dir.parent / "national.csv"
    with open(registry, "w", encoding="utf-8") as f:
        national.write_csv(rows + [{"id": CHINESE_ID, "name": "山东测试县人民防空办公室", "level": "county",
                                    "province": NATIONAL_PROVINCE, "url": ""}], f)
    sites = read_registry(registry)
    db = open_archive(data_dir / "archive.db")
    store = ObjectStore(data_dir / "objects")
    old = next(s for s in sites if s.id == "rf370000")
    records.upsert_agencies(db, [SimpleNamespace(**{**old.__dict__, "url": "http://127.0.0.1:9/old-sd/",
                                                    "extra": {**old.extra, "url_source": "bundled: crawler/registry.csv:7"}})])
    time.sleep(1.1)     # the later URL is first seen later
    records.upsert_agencies(db, sites)
    seed = next((SHARED / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")

    def report(agency_id, year, body: bytes | None = None, kind="text"):
        rid = records.record_listing(db, agency_id, year, f"{agency_id} {year}年政府信息公开工作年度报告",
                                     f"http://127.0.0.1:9/{agency_id}/{year}.html")
        if body is not None:
            sha, _ = records.store_document(db, store, body)
            records.record_report_document(db, rid, sha, f"http://127.0.0.1:9/{agency_id}/{year}.{kind}", kind,
                                           f"{year}.{kind}")
        return rid

    def text(year):
        return seed.replace("2020 年", f"{year} 年").replace("2020年", f"{year}年").encode("utf-8")

    for year in (last - 3, last - 2):
        report("rf370000", year, text(year))
    report("rf370000", last)
    report("rf370100", last, b"%PDF-1.4\n1 0 obj broken\n", "pdf")
    report("rf370181", 2014, text(2014))
    report("rf370181", 2015)
    report("rf370114", 2016, text(2016))
    report("rf360000", last, text(last))
    gone = report("rf360000", last - 1, text(last - 1))
    with db.conn:
        db.execute("update reports set gone_since = ? where id = ?", ["2026-01-01T00:00:00+00:00", gone])
        db.execute("update report_documents set gone_since = ? where report_id = ?", ["2026-01-01T00:00:00+00:00", gone])
    db.close()
    renfang("load", "--data-dir", data_dir)
