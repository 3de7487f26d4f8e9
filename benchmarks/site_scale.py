"""The Datasette site at national scale and at ten times it: every page timed against a running
Datasette, and `renfang load` timed as a scheduled crawl runs it.

    nice -n 10 .venv/bin/python -m benchmarks.site_scale build --dir /tmp/scale/national            # ~3 min
    nice -n 10 .venv/bin/python -m benchmarks.site_scale build --dir /tmp/scale/x10 --scale 10      # ~30 min, ~30 GB
    nice -n 10 .venv/bin/python -m benchmarks.site_scale all --dir DIR [--runs 5] [--rebuild] --out benchmarks/site_results.md
    .venv/bin/python -m benchmarks.site_scale build --national --dir /work/tmp-site-national   # every office of the registry
    .venv/bin/python -m benchmarks.site_scale national --dir /work/tmp-site-national [--out benchmarks/site_results.md]

``build`` writes a synthetic archive (``--scale`` times the national registry: 3,219 offices,
~31,000 reports 2014–2025, ~4 million facts, ~1 million checks, one ~6 KB text per report, one
crawl run a year with a fetch per document, 1 % of reports with a second version of their
document, 0.5 % gone) with bulk inserts into the tables of ``archive/schema.py`` (created by
``open_archive``); the checks come from the parser's own ``parsers.checks.compute_checks`` on the
generated facts, so about 1 % of reports carry a failing total as real ones do. Every report it
writes is queued for the derived tables, so the first `renfang load` makes them all.
``loads`` runs `renfang load` (the CLI): the first load, then with nothing new and after a crawl
added one real report (the 洪泽区 2023 PDF), three times each. ``pages`` starts Datasette exactly as
``renfang serve`` does (``renfang.cli.datasette_command``) and fetches every page ``--runs``
times, and every .json/.csv/.atom a Datasette page offers: the median and the worst, the HTTP
status, whether Datasette reported an interrupted query, a facet timeout or truncated rows, and
Datasette's RSS. ``all`` = ``loads`` then ``pages``; ``--out`` writes the results as this archive's
section of the file.

``build --national`` takes its offices from the national registry instead (``renfang registry
build``: 3,583 offices, 371 of them abolished since 2008, each with its reports only in the years
it existed, ~30,000 reports); ``national`` times the registry build and check and the coverage,
office and map pages (each in every form) on it, and writes the section "National coverage
pages" of site_results.md (issue 22), leaving the rest of the file as it is.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = next((REPO.parent / "shared" / "seeds").glob("004_*.txt"))
HONGZE_PDF = REPO.parent / "shared" / "real" / "huaian_hongzequ_gov_2023.pdf"
PROVINCES = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
             "广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆").split()
YEARS = range(2014, 2026)
STAMP = "2026-11-01T00:00:00+00:00"


def offices() -> list[dict]:
    """1 national + 31 provincial + 333 city + 2,854 county offices = 3,219."""
    out = [{"id": "nat", "name": "国家人民防空办公室", "level": "national", "province": None}]
    for p, prov in enumerate(PROVINCES):
        out.append({"id": f"p{p:02d}", "name": f"{prov}省人民防空办公室", "level": "province", "province": prov})
    for i in range(333):
        prov = PROVINCES[i % 31]
        out.append({"id": f"c{i:03d}", "name": f"{prov}第{i}市人民防空办公室", "level": "city", "province": prov})
    for i in range(2854):
        prov = PROVINCES[i % 31]
        out.append({"id": f"x{i:04d}", "name": f"{prov}第{i}县人民防空办公室", "level": "county", "province": prov})
    for o in out:
        o.update(url=f"http://{o['id']}.rf.example.gov.cn/", cms="trs_wcm", aliases="[]")
    return out


def national_offices() -> list[dict]:
    """Every office of the national registry (crawler/national.py), each with a site."""
    from crawler import national

    out = []
    for r in national.build(bundled=False).rows:
        out.append({"id": r["id"], "name": r["name"], "level": r["level"], "province": r["province"],
                    "url": f"http://{r['id']}.rf.example.gov.cn/", "cms": "trs_wcm", "aliases": "[]",
                    **{k: (r[k] or None) for k in ("division_code", "parent_code", "city", "division_status",
                                                   "replaced_by")},
                    **{k: (int(r[k]) if r[k] else None) for k in ("replaced_in", "established")},
                    "url_source": "benchmark"})
    return out


def report_facts(rng: random.Random, version: str, fail: bool) -> list:
    """A plausible 2019/2021 report's facts: tables add up, unless ``fail``."""
    from parsers.codes import APPEALS, APPLICATIONS, DISCLOSURE, OTHER_SUBROWS, OUTCOME_ROWS
    from parsers.model import Fact

    facts = []
    for row in DISCLOSURE.row_codes():
        for column in DISCLOSURE.row_columns[row].get(version, ()):
            unit = DISCLOSURE.column(column).unit or ("万元" if column == "amount" else None)
            value = round(rng.uniform(0, 5000), 2) if unit else rng.choice((0, 0, 0, 1, 2, 3, 5, 12))
            facts.append(Fact("disclosure", row, column, value, str(value), unit, 2))
    columns = APPLICATIONS.column_codes()
    outcome = list(OUTCOME_ROWS)
    outcome += list(OTHER_SUBROWS) if version == "2021" else ["other"]
    grid = {r: [0] * 6 for r in [*outcome, "received", "carried_over", "total_handled", "carried_forward"]}
    for _ in range(rng.choice((0, 1, 2, 3, 5, 8, 20))):  # each application: an applicant and an outcome
        c = rng.choice((0, 0, 0, 1, 2, 5))
        grid["received"][c] += 1
        grid[rng.choice(outcome[:6] + ["granted"] * 6)][c] += 1
        grid["total_handled"][c] += 1
    if fail:
        grid["total_handled"][0] = 0
    for row in APPLICATIONS.row_codes():
        if row in grid:
            for c, column in enumerate(columns):
                v = grid[row][c] if c < 6 else sum(grid[row])
                facts.append(Fact("applications", row, column, v, str(v), None, 3))
    for row in APPEALS.row_codes():
        parts = [rng.choice((0, 0, 0, 1)) for _ in range(4)]
        for column, v in zip(APPEALS.column_codes(), [*parts, sum(parts)]):
            facts.append(Fact("appeals", row, column, v, str(v), None, 4))
    return facts


def report_text(rng: random.Random, name: str, year: int, facts: list) -> str:
    """The seed report's prose under this office and year, its tables as printed (TAB cells),
    with a few words wrapped by the renderer (结果维\\n持) as real extractions have them."""
    text = SEED.read_text(encoding="utf-8").replace("江西省人民防空办公室", name).replace("2020", str(year))
    cut = rng.randrange(200, 1200)
    text = text[:cut] + f"本年度共受理{rng.randrange(0, 40)}件咨询。" + text[cut:]
    if rng.random() < 0.5:
        text = text.replace("结果维持", "结果维\n持").replace("行政复议", "行政\n复议")
    return text


def scaled_offices(scale: int, national: bool = False) -> list[dict]:
    """:func:`offices` (``national``: :func:`national_offices`), ``scale`` times: copy n > 0 of
    each office under the id ``<id>k<n>``."""
    out = []
    base = national_offices() if national else offices()
    for n in range(scale):
        for o in base:
            if n:
                o = {**o, "id": f"{o['id']}k{n}", "name": f"{o['name']}（{n}）",
                     "url": f"http://{o['id']}k{n}.rf.example.gov.cn/"}
            out.append(o)
    return out


RUN_YEARS = range(2015, 2027)  # one crawl run a year: run 1 in 2015 … run 12 in 2026


def run_of(year: int) -> int:
    """The crawl run that first archived a report of ``year`` (published the year after)."""
    return min(year + 1, RUN_YEARS[-1]) - RUN_YEARS[0] + 1


def build(root: Path, seed: int = 12, scale: int = 1, national: bool = False) -> None:
    """The synthetic archive (``scale`` times the national registry), with one crawl run a year,
    a fetch per document, 1 % of reports with a second version of their document at the same
    URL (a silent edit: figures in ``version_facts``) and 0.5 % gone from their portal."""
    import parsers
    from archive.schema import open_archive
    from parsers.checks import compute_checks

    data = root / "data"
    if (data / "archive.db").exists():
        print(f"{data}/archive.db exists: reusing it")
        return
    data.mkdir(parents=True, exist_ok=True)
    (data / "objects").mkdir(exist_ok=True)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    db = open_archive(data / "archive.db.tmp")
    conn = db.conn
    conn.execute("pragma synchronous=off")
    agencies = scaled_offices(scale, national)
    columns = list(agencies[0])
    conn.executemany(f"insert into agencies ({', '.join(columns)}) values ({', '.join(':' + c for c in columns)})",
                     agencies)
    if national:
        conn.executemany("insert into agency_urls (agency_id, url, url_source, first_seen, last_seen) "
                         "values (?, ?, 'benchmark', ?, ?)", [(o["id"], o["url"], STAMP, STAMP) for o in agencies])
    conn.executemany("insert into crawl_runs (id, started_at, finished_at, registry, status) values (?, ?, ?, ?, ?)",
                     [(run_of(y - 1), f"{y}-02-01T00:00:00+00:00", f"{y}-02-01T06:00:00+00:00", "registry.csv",
                       "finished") for y in RUN_YEARS])
    n_reports = n_facts = n_versions = n_gone = 0
    batches: dict[str, list] = {"facts": [], "checks": [], "version_facts": [], "fetches": []}
    sql = {"facts": "insert into facts (report_id, table_name, row_code, column_code, value, raw, unit, page, "
                    "sha256, bbox) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           "checks": "insert into checks (report_id, code, key, status, lhs, rhs) values (?, ?, ?, ?, ?, ?)",
           "version_facts": "insert into version_facts (sha256, table_name, row_code, column_code, value, raw, "
                            "parser_version) values (?, ?, ?, ?, ?, ?, ?)",
           "fetches": "insert into fetches (run_id, agency_id, method, url, final_url, status, fetched_at, sha256, "
                      "size, media_type) values (?, ?, 'GET', ?, ?, 200, ?, ?, ?, 'text/html')"}

    def flush():
        for name, rows in batches.items():
            conn.executemany(sql[name], rows)
            rows.clear()

    def document(sha, body, seen, status, message, version, o, year, published, facts, text):
        conn.execute("insert into documents (sha256, size, media_type, first_seen, last_seen) values (?, ?, ?, ?, ?)",
                     [sha, len(body), "text/html", seen, STAMP])
        conn.execute(
            "insert into parses (sha256, parser_version, status, message, format_version, agency, year, "
            "title, published, pages, facts, parsed_at, method, ocr) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 4, ?, ?, 'text', 0)",
            [sha, parsers.PARSER_VERSION, status, message, version, o["name"], year,
             f"{o['name']}{year}年政府信息公开工作年度报告", published, len(facts), STAMP])
        if status in ("parsed", "text_only"):
            conn.execute("insert into document_texts (sha256, text) values (?, ?)", [sha, text])

    for o in agencies:
        for year in YEARS:
            if rng.random() > (0.93 if year >= 2019 else 0.62):
                continue
            if (o.get("established") or 0) > year or (o.get("replaced_in") or 9999) <= year:
                continue        # the office did not exist that year
            rid = f"{o['id']}-{year}"
            version = "2021" if year >= 2021 else "2019" if year >= 2019 else "pre2019"
            status = rng.choices(("parsed", "text_only", "corrupt", "not_report"), (96, 2, 1, 1))[0]
            if version == "pre2019" and status == "parsed":
                status = "text_only" if rng.random() < 0.3 else "parsed"
            facts = []
            if status == "parsed":
                facts = report_facts(rng, version, rng.random() < 0.01) if version != "pre2019" else []
                if version == "pre2019":
                    from parsers.model import Fact
                    facts = [Fact("applications", "received", "total", rng.randrange(0, 9), None, None, 1),
                             Fact("applications", "granted", "total", rng.randrange(0, 9), None, None, 1)]
            text = report_text(rng, o["name"], year, facts)
            body = text.encode("utf-8") + rid.encode()
            sha = hashlib.sha256(body).hexdigest()
            published = f"{year + 1}-01-{rng.randrange(10, 31)}"
            url = f"{o['url']}art/{year + 1}/1/20/art_{n_reports}.html"
            message = {"corrupt": "Failed to load document (PDFium: Data format error)",
                       "not_report": "no report tables or sections found"}.get(status)
            run = run_of(year)
            seen = f"{year + 1}-02-01T01:00:00+00:00" if year + 1 <= RUN_YEARS[-1] else STAMP
            document(sha, body, seen, status, message, version, o, year, published, facts, text)
            docs = [(sha, seen, run)]
            # a silent edit: the same URL serves a second version a run later (its figures differ)
            if status == "parsed" and facts and run < len(RUN_YEARS) and rng.random() < 0.01:
                body2 = body + b" revised"
                sha2 = hashlib.sha256(body2).hexdigest()
                seen2 = f"{year + 2}-02-01T01:00:00+00:00"
                document(sha2, body2, seen2, status, None, version, o, year, published, facts, text)
                old = [(sha, f.table, f.row, f.column, f.value + (1 if i == 0 else 0), f.raw, parsers.PARSER_VERSION)
                       for i, f in enumerate(facts)]
                batches["version_facts"] += old + [(sha2, f.table, f.row, f.column, f.value, f.raw,
                                                    parsers.PARSER_VERSION) for f in facts]
                docs.append((sha2, seen2, run + 1))
                n_versions += 1
            source = docs[-1][0]
            gone = None
            if run < len(RUN_YEARS) and rng.random() < 0.005:  # gone from the portal during the next run
                gone = f"{year + 2}-02-01T02:00:00+00:00"
                n_gone += 1
            conn.execute(
                "insert into reports (id, agency_id, year, title, url, list_url, published, format_version, "
                "parse_status, parse_message, source_sha256, parser_version, first_seen, last_seen, gone_since, ocr) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [rid, o["id"], year, f"{o['name']}{year}年政府信息公开工作年度报告", url, o["url"],
                 published, version if status == "parsed" else None, status, message, source,
                 parsers.PARSER_VERSION, f"{year + 1}-02-01T00:00:00+00:00", STAMP, gone])
            for d_sha, d_seen, d_run in docs:
                conn.execute("insert into report_documents (report_id, sha256, url, kind, filename, first_seen, "
                             "last_seen, gone_since) values (?, ?, ?, ?, ?, ?, ?, ?)",
                             [rid, d_sha, url, "article", None, d_seen, STAMP, gone])
                batches["fetches"].append((d_run, o["id"], url, url, d_seen, d_sha, len(body)))
            batches["facts"].extend((rid, f.table, f.row, f.column, f.value, f.raw, f.unit, f.page, source, None)
                                    for f in facts)
            batches["checks"].extend((rid, c.code, c.key, c.status, c.lhs, c.rhs) for c in compute_checks(facts))
            n_reports += 1
            n_facts += len(facts)
            if len(batches["facts"]) > 200_000:
                flush()
    flush()
    conn.commit()
    db.close()
    (data / "archive.db.tmp").rename(data / "archive.db")
    for suffix in ("-wal", "-shm"):
        (data / f"archive.db.tmp{suffix}").unlink(missing_ok=True)
    print(f"built {len(agencies)} offices, {n_reports} reports ({n_versions} with a second version, {n_gone} gone), "
          f"{n_facts} facts in {time.perf_counter() - t0:.0f} s")


def grow(source: Path, root: Path, scale: int) -> None:
    """The archive of ``source`` (built and loaded: its derived tables made) ``scale`` times over,
    in SQL: copy n > 0 of every office, report, document, figure, check, fetch and derived row
    under the office id ``<id>k<n>`` (the ids :func:`scaled_offices` gives), each SHA-256 rotated
    by two hex digits and suffixed with n (no object behind it: as in ``build``). The derived rows
    are copied as the load made them, so the queue is empty after; the full-text index is filled
    for the copies. Much faster than ``build --scale`` (SQLite's C, not Python, per row)."""
    from archive.schema import open_archive, triggers
    from archive.search import FTS_TABLE, bigrams

    data = root / "data"
    if (data / "archive.db").exists():
        print(f"{data}/archive.db exists: reusing it")
        return
    data.mkdir(parents=True, exist_ok=True)
    (data / "objects").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    src = open_archive(source / "data" / "archive.db")
    assert src.execute("select count(*) from derived_queue").fetchone()[0] == 0, "load the source first"
    src.execute("vacuum into ?", [str(data / "archive.db.tmp")])
    src.close()
    import sqlite3

    conn = sqlite3.connect(data / "archive.db.tmp")
    conn.create_function("bigrams", 1, bigrams, deterministic=True)
    conn.execute("pragma synchronous=off")
    conn.execute("pragma journal_mode=off")
    conn.execute("pragma cache_size=-400000")
    for name in triggers():   # the copies are derived already: nothing to queue
        conn.execute(f"drop trigger if exists {name}")
    # the indexes of the big tables made again once, at the end (open_archive), not row by row
    for (index,) in conn.execute("select name from sqlite_master where type = 'index' and sql is not null "
                                 "and tbl_name in ('facts', 'checks', 'version_facts', 'fetches')").fetchall():
        conn.execute(f'drop index "{index}"')
    cols = {t: [r[1] for r in conn.execute(f"pragma table_info({t})")] for t in (
        "agencies", "documents", "parses", "document_texts", "reports", "report_documents", "fetches", "facts",
        "checks", "version_facts", "search_docs", "applications_wide", "disclosure_wide", "appeals_wide",
        "report_overview", "change_log", "version_changes")}
    # the source's own rows: those up to its last rowid (the copies come after)
    last = {t: conn.execute(f"select coalesce(max(rowid), 0) from {t}").fetchone()[0] for t in cols}
    top = last["search_docs"]
    spent: dict[str, float] = {}
    for n in range(1, scale):
        k = f"'k{n}'"
        sha = lambda c: f"(substr({c}, 3) || printf('%02x', {n}))"  # noqa: E731
        rid = lambda c: f"(substr({c}, 1, instr({c}, '-') - 1) || {k} || substr({c}, instr({c}, '-')))"  # noqa: E731
        name = lambda c: f"({c} || '（{n}）')"  # noqa: E731
        agency = lambda c: f"({c} || {k})"  # noqa: E731
        mapping = {
            "agencies": {"id": agency("id"), "name": name("name"),
                         "url": f"replace(url, id || '.rf.', id || {k} || '.rf.')"},
            "documents": {"sha256": sha("sha256")}, "parses": {"sha256": sha("sha256"), "agency": name("agency")},
            "document_texts": {"sha256": sha("sha256")},
            "reports": {"id": rid("id"), "agency_id": agency("agency_id"), "source_sha256": sha("source_sha256")},
            "report_documents": {"report_id": rid("report_id"), "sha256": sha("sha256")},
            "fetches": {"id": None, "agency_id": agency("agency_id"), "sha256": sha("sha256")},
            "facts": {"report_id": rid("report_id"), "sha256": sha("sha256")},
            "checks": {"report_id": rid("report_id")}, "version_facts": {"sha256": sha("sha256")},
            "search_docs": {"id": f"id + {top * n}", "report_id": rid("report_id"), "sha256": sha("sha256")},
            **{w: {"report_id": rid("report_id"), "agency_id": agency("agency_id"), "agency": name("agency"),
                   "source_sha256": sha("source_sha256")}
               for w in ("applications_wide", "disclosure_wide", "appeals_wide")},
            "report_overview": {"report_id": rid("report_id"), "agency_id": agency("agency_id"),
                                "agency": name("agency"), "source_sha256": sha("source_sha256"),
                                "document_path": f"'{'/-/documents/'}' || {sha('source_sha256')}"},
            "change_log": {"report_id": rid("report_id"), "agency_id": agency("agency_id"),
                           "sha256": sha("sha256"), "previous_sha256": sha("previous_sha256")},
            "version_changes": {"report_id": rid("report_id"), "old_sha256": sha("old_sha256"),
                                "new_sha256": sha("new_sha256")},
        }
        for table, change in mapping.items():
            names = [c for c in cols[table] if change.get(c, "") is not None]
            exprs = [change.get(c) or f'"{c}"' for c in names]
            t = time.perf_counter()
            conn.execute(f"insert into {table} ({', '.join(chr(34) + c + chr(34) for c in names)}) "
                         f"select {', '.join(exprs)} from {table} where rowid <= {last[table]}")
            spent[table] = spent.get(table, 0) + time.perf_counter() - t
        conn.execute(f"insert into {FTS_TABLE} (rowid, title, text) select id, bigrams(title), bigrams(text) "
                     f"from search_docs where id > {top * n} and id <= {top * (n + 1)}")
        conn.commit()
        print(f"copy {n}: {time.perf_counter() - t0:.0f} s (" + ", ".join(
            f"{t} {v:.1f}" for t, v in sorted(spent.items(), key=lambda kv: -kv[1])[:5]) + ")", flush=True)
    conn.execute("delete from derived_queue")
    conn.execute("analyze")
    conn.commit()
    conn.close()
    (data / "archive.db.tmp").rename(data / "archive.db")
    db = open_archive(data / "archive.db")   # the triggers and indexes made again
    db.execute("analyze")
    assert db.execute("select count(*) from derived_queue").fetchone()[0] == 0
    print(f"grew {source} x{scale}: {db.execute('select count(*) from reports').fetchone()[0]} reports, "
          f"{db.execute('select count(*) from facts').fetchone()[0]} facts in {time.perf_counter() - t0:.0f} s")
    db.close()
    # this function wrote the file whole, as a writer does: the next load trusts the state it
    # left instead of checking 29 GB again (17 minutes), as after any writer that ended cleanly
    from archive import fixity

    fixity.record_checked(data)


def derive(root: Path) -> tuple[float, str]:
    """Bring the archive's derived tables up to date as a load does (`renfang load`: the reports
    queued since; after `build`, every one)."""
    return renfang_cli("load", "--data-dir", root / "data")


def renfang_cli(*args) -> tuple[float, str]:
    """Run the real command line (as a scheduled crawl's load runs it): wall seconds, last line."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "renfang.cli", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - t0, (proc.stdout.strip().splitlines() or [""])[0]


def add_report(data: Path) -> str:
    """What a crawl that finds one new report writes (as a writer, under the lock, so its state
    is recorded as a crawl's is): 洪泽区 (a real PDF) under a year it has no report for yet."""
    from types import SimpleNamespace

    from crawler import records
    from archive.schema import open_archive
    from archive.store import ObjectStore
    from renfang.cli import writing

    with writing(data, "crawl"):
        db = open_archive(data / "archive.db")
        records.upsert_agency(db, SimpleNamespace(id="hzq", name="淮安市洪泽区人民政府", aliases=(), level="county",
                                                  province="江苏", url="http://hzq.example.gov.cn/", cms=""))
        n = db.execute("select count(*) from reports where agency_id = 'hzq'").fetchone()[0]
        year = 2023 - n  # a new year each time, so each load really adds a report
        rid = records.record_listing(db, "hzq", year, f"淮安市洪泽区人民政府{year}年政府信息公开工作年度报告",
                                     f"http://hzq.example.gov.cn/{year}.html")
        sha, _ = records.store_document(db, ObjectStore(data / "objects"),
                                        HONGZE_PDF.read_bytes() + f"%{year}".encode())
        records.record_report_document(db, rid, sha, f"http://hzq.example.gov.cn/{year}.pdf", "pdf", f"{year}.pdf")
        db.close()
    return rid


def time_loads(root: Path, repeat: int = 3, rebuild: bool = False) -> dict:
    """`renfang load` timed as a user runs it: first whatever the archive has queued (after
    `build`: every report, i.e. all derived data from scratch), then ``repeat`` times with
    nothing new, then ``repeat`` times after a crawl added one report; with ``rebuild``, also
    `renfang load --rebuild-derived`. Saved in ROOT/loads.json."""
    data = root / "data"
    out: dict = json.loads((root / "loads.json").read_text()) if (root / "loads.json").exists() else {}
    if "first" not in out:   # the first load after `build` (or `grow`) happens once
        seconds, line = renfang_cli("load", "--data-dir", data)
        out["first"] = [round(seconds, 2), line]
        print(f"load (first): {seconds:.2f} s  {line}", flush=True)
        (root / "loads.json").write_text(json.dumps(out, ensure_ascii=False))
    if repeat == 0:
        return out
    if rebuild:
        seconds, line = renfang_cli("load", "--data-dir", data, "--rebuild-derived")
        out["rebuild"] = [round(seconds, 2), line]
        print(f"load --rebuild-derived: {seconds:.2f} s  {line}", flush=True)
    for label in ("nothing", "one"):
        times = []
        for _ in range(repeat):
            rid = add_report(data) if label == "one" else None
            seconds, line = renfang_cli("load", "--data-dir", data)
            times.append(seconds)
            print(f"load ({label}{' ' + rid if rid else ''}): {seconds:.2f} s  {line}", flush=True)
        out[label] = [round(statistics.median(times), 2), round(max(times), 2), line]
    (root / "loads.json").write_text(json.dumps(out, ensure_ascii=False))
    return out


# ----------------------------------------------------------------------------- pages

HUGE = "9" * 30  # a number no SQLite integer holds: a page must answer 400, never 500

#: pages that answer 4xx by design (a bad parameter), with the status they must give
BY_DESIGN = {"change log, run number too large": 400}
#: an export of every row a page can give (``_size=max``) whose rows weigh more than the site's
#: result limit (10 MB as rendered, archive/datasette/plugins/renfang_limits.py, issue 23) is
#: refused with a 400 that says so and what to ask instead: by design, not a failure
TOO_LARGE = "the result is too large"
BY_DESIGN_NOTE = "400 by design: over the 10 MB result limit"


def expected_status(name: str, path: str, body: str) -> int:
    if "_size=max" in path and TOO_LARGE in body:
        return 400
    return BY_DESIGN.get(name, 200)


def pages(conn) -> list[tuple[str, str]]:
    """(name, path) of every page of the site a user reaches from its links, with realistic
    parameters: the custom pages, every table, every canned query, the dashboard and each chart
    with the query its script sends. The .json/.csv/.atom each Datasette page offers are added
    when the page is fetched (:func:`exports`)."""
    meta = json.loads((REPO / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    db = meta["databases"]["archive"]
    failing = conn.execute("select report_id from checks where status = 'fail' limit 1").fetchone()[0]
    office = failing.rsplit("-", 1)[0]
    province = conn.execute("select province from agencies where id = ?", [office]).fetchone()[0]
    run = conn.execute("select max(run_id) from change_log").fetchone()[0]
    changed = conn.execute("select agency_id from change_log where change = 'changed' limit 1").fetchone()
    document = conn.execute("select sha256 from report_documents where report_id like 'hzq-%' limit 1").fetchone()
    q = urllib.parse.quote
    out = [("home", "/"), ("database /archive", "/archive"), ("coverage", "/-/coverage"),
           ("coverage one province", f"/-/coverage?province={q(province)}"),
           ("report page", f"/-/report/{failing}"), ("report JSON", f"/-/report/{failing}.json"),
           ("office page", f"/-/office/{office}"),
           ("compare offices", f"/-/compare?province={q(province)}&figure=applications.received.total"),
           ("compare by level", "/-/compare?level=city&figure=applications.received.total&year=2022"),
           ("search 维持", f"/archive/search?q={q('维持')}"),
           ("search 结果维持", f"/archive/search?q={q('结果维持')}"),
           ("search box search_docs", f"/archive/search_docs?_search={q('人防')}"),
           ("Atom feed", "/-/feed.atom"), ("alerts feed", "/-/alerts.atom"),
           ("change log", "/-/changes"), ("change log page 2", "/-/changes?page=2"),
           ("change log last page", "/-/changes?page=100000"),
           ("change log one run", f"/-/changes?run={run}"), ("change log first run", "/-/changes?run=1"),
           ("change log one office", f"/-/changes?office={q(changed[0] if changed else office)}"),
           ("change log, run number too large", f"/-/changes?run={HUGE}"),
           ("change log feed", "/-/changes.atom"), ("change log feed one run", f"/-/changes.atom?run={run}"),
           ("dashboard", "/-/dashboards/overview")]
    if document:
        out.append(("archived document", f"/-/documents/{document[0]}"))
    for name in [t for t in db["tables"] if not db["tables"][t].get("hidden")]:
        out.append((f"table {name}", f"/archive/{name}"))
    out += [("table facts filtered", f"/archive/facts?table_name=applications&row_code=received&column_code=total"),
            ("applications_wide by province+year",
             f"/archive/applications_wide?province={q(province)}&year=2022"),
            ("checks failing", "/archive/checks?status=fail"),
            ("change_log one office", f"/archive/change_log?agency_id={q(office)}&_sort_desc=run_id")]
    params = {"agency_id": office, "year": "2022", "q": "人防", "province": province,
              "level": "city", "figure": "applications.received.total"}
    for name, query in db["queries"].items():
        wanted = re.findall(r"(?<!:):(\w+)", query["sql"])
        args = {p: params.get(p, "") for p in wanted}
        out.append((f"query {name}", f"/archive/{name}" + ("?" + urllib.parse.urlencode(args) if args else "")))
    charts = meta.get("plugins", {}).get("datasette-dashboards", {}).get("overview", {}).get("charts", {})
    for chart, spec in charts.items():
        out.append((f"chart {chart}", f"/-/dashboards/overview/{chart}"))
        # the data the chart's script fetches: its query, unfiltered and filtered by one province
        for label, keep in (("", {}), (" (one province)", {"province": province})):
            sql = re.sub(r"\[\[(.*?)\]\]", lambda m: m.group(1) if any(f":{k}" in m.group(1) for k in keep) else "",
                         spec["query"])
            out.append((f"chart data {chart}{label}",
                        "/archive.json?" + urllib.parse.urlencode({"sql": sql, **keep, "_shape": "objects"})))
    return out


_EXPORT = re.compile(r'href="(/archive/[^"?#]+\.(json|csv|atom)(\?[^"#]*)?)"')


def exports(path: str, body: str) -> list[tuple[str, str]]:
    """The .json/.csv/.atom links a Datasette table or query page offers for itself."""
    import html

    head = path.split("?", 1)[0]
    out = []
    for link, ext, _ in _EXPORT.findall(body):
        link = html.unescape(link)
        if link.split("?", 1)[0].rsplit(".", 1)[0] == head and (ext, link) not in out:
            out.append((ext, link))
    return [(f".{ext}", link) for ext, link in out]


def fetch(base: str, path: str) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            status, body = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode("utf-8", "replace")
    return time.perf_counter() - t0, status, body


def problems(body: str) -> list[str]:
    """What a reader would miss on an HTML page: an interrupted query or a facet that timed out."""
    found = []
    if "SQL query took too long" in body:
        found.append("interrupted")
    if "These facets timed out" in body:
        found.append("facet timed out")
    return found


def json_problems(base: str, path: str) -> list[str]:
    """The same page's JSON (Datasette tables and queries): truncated rows, facets timed out."""
    head, _, query = path.partition("?")
    if not path.startswith("/archive/") or path.startswith("/archive/search_docs?") \
            or re.search(r"\.(csv|atom)$", head):
        return []
    if "_nl=on" in query:   # newline-delimited JSON: one object a line, no envelope to read
        return []
    if not head.endswith(".json"):
        head += ".json"
    _, status, body = fetch(base, head + ("?" + query if query else ""))
    if status != 200:
        return [f"JSON {status}"]
    try:
        data = json.loads(body)
    except ValueError:
        return ["not JSON: " + body[:80]]
    found = []
    if isinstance(data, dict) and data.get("truncated"):
        found.append("truncated")
    if isinstance(data, dict) and data.get("facets_timed_out"):
        found.append("facet timed out: " + ", ".join(data["facets_timed_out"]))
    return found


class RSS:
    """Datasette's resident memory, sampled every 0.1 s while the pages are fetched (and its
    high-water mark, VmHWM, from the kernel)."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def read(self, field: str = "VmRSS") -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self):
        while not self.stop.wait(0.1):
            self.peak = max(self.peak, self.read())

    def close(self) -> dict:
        hwm = self.read("VmHWM")
        self.stop.set()
        self.thread.join()
        return {"peak_sampled": self.peak, "hwm": hwm, "end": self.read()}


def time_pages(root: Path, runs: int) -> tuple[list[dict], dict]:
    """Start Datasette as `renfang serve` does and fetch every page ``runs`` times: median,
    worst, statuses, problems; with Datasette's RSS through the run."""
    import sqlite3

    from renfang.cli import datasette_command
    from tests.helpers import free_port

    data = root / "data"
    conn = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)  # read only: no writer's state changed
    todo = pages(conn)
    conn.close()
    port = free_port()
    proc = subprocess.Popen(datasette_command(data, "127.0.0.1", port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        rss = RSS(proc.pid)
        rss_start = rss.read()
        queue = list(todo)
        seen = {p for _, p in queue}
        while queue:
            name, path = queue.pop(0)
            times, statuses, issues, body = [], set(), set(json_problems(base, path)), ""
            for _ in range(runs):
                seconds, status, body = fetch(base, path)
                times.append(seconds)
                statuses.add(status)
                issues.update(problems(body))
                if status >= 500:
                    issues.add(body[:200].replace("\n", " "))
            expected = expected_status(name, path, body)
            if statuses != {expected}:
                issues.add(f"HTTP {','.join(map(str, sorted(statuses)))}, expected {expected}")
            elif expected == 400 and TOO_LARGE in body:
                issues.add(BY_DESIGN_NOTE)
            rows.append({"page": name, "path": path, "median": statistics.median(times), "max": max(times),
                         "status": ",".join(map(str, sorted(statuses))), "issues": "; ".join(sorted(issues)),
                         "rss": rss.read()})
            print(f"{rows[-1]['median']:7.3f} {rows[-1]['max']:7.3f} {rows[-1]['status']:>4} "
                  f"{rows[-1]['rss'] >> 20:5d} MB {name} {rows[-1]['issues']}", flush=True)
            if path.startswith("/archive/") and not re.search(r"\.(json|csv|atom)(\?|$)", path.split("?")[0] + "?"):
                for ext, link in exports(path, body):   # what the page offers: its .json, .csv, .atom
                    if link not in seen:
                        seen.add(link)
                        queue.insert(0, (f"{name} {ext}", link))
        memory = {"start": rss_start, **rss.close()}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return rows, memory


def scale_label(counts: dict) -> str:
    return "national scale" if counts["reports"] < 100_000 else f"{round(counts['reports'] / 30_000)}× national scale"


def write_section(out: Path, key: str, rows: list[dict], memory: dict, counts: dict, runs: int, data: Path,
                  loads: dict, commands: list[str]) -> None:
    """The results of one archive as the section ``key`` of ``out``: replaced in place, every
    other section of the file (other benchmarks' too) kept as it is."""
    size = (data / "archive.db").stat().st_size / 1e9
    slow = [r["page"] for r in rows if r["median"] >= 1 or r["max"] >= 2]
    bad = [r["page"] for r in rows if r["issues"] and r["issues"] != BY_DESIGN_NOTE]
    lines = [f"<!-- site_scale:{key} -->",
             f"## Site at {scale_label(counts)} ({counts['agencies']:,} offices, {counts['reports']:,} reports, "
             f"{counts['facts']:,} facts, {counts['checks']:,} checks, {counts['change_log']:,} change log entries, "
             f"{size:.1f} GB)", "",
             *[f"    {c}" for c in commands], "",
             f"Datasette started as `renfang serve` does; each page fetched {runs} times in a row, the .json/.csv/.atom "
             "links each Datasette page offers fetched as pages of their own (2-core machine shared with other "
             "sessions, benchmark under `nice -n 10`). Goal: median < 1 s, max < 2 s, no 4xx/5xx but by design.", "",
             f"Datasette's RSS: {memory['start'] >> 20} MB after start, at most {memory['peak_sampled'] >> 20} MB "
             f"sampled every 0.1 s, high-water mark (VmHWM) {memory['hwm'] >> 20} MB, {memory['end'] >> 20} MB "
             "at the end (goal < 500 MB).", "",
             "| load (`renfang load`, the CLI, as a scheduled crawl runs it) | median s | max s | it said |",
             "|---|---:|---:|---|"]
    words = {"first": "first load after `build` (every report queued: all derived data from scratch, and the "
                      "full integrity check of a file no writer recorded)",
             "rebuild": "`--rebuild-derived` (every derived table emptied and refilled)",
             "nothing": "nothing new (goal < 2 s)", "one": "after a crawl added one report, the real 洪泽区 2023 PDF "
                                                          "(parse, figures, derived rows; goal < 5 s)"}
    for label, text in words.items():
        if label in loads:
            v = loads[label]
            median, worst, line = (v[0], v[0], v[1]) if len(v) == 2 else v
            said = line.removeprefix("load: ").split(";")[0].replace(" (2 workers)", "")
            lines.append(f"| {text} | {median:.2f} | {worst:.2f} | {said} |")
    lines += ["", f"Pages at or over 1 s median or 2 s max: {', '.join(slow) if slow else 'none'}. "
                  f"Pages interrupted, truncated, with a facet timed out or another status than expected: "
                  f"{', '.join(bad) if bad else 'none'}.", "",
              "| page | median s | max s | HTTP | RSS MB | problems | path |", "|---|---:|---:|---|---:|---|---|"]
    for r in rows:
        path = r["path"] if len(r["path"]) <= 100 else r["path"][:97] + "…"
        lines.append(f"| {r['page']} | {r['median']:.3f} | {r['max']:.3f} | {r['status']} | {r['rss'] >> 20} | "
                     f"{r['issues'] or '—'} | `{path}` |")
    lines.append(f"<!-- /site_scale:{key} -->")
    section = "\n".join(lines)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    begin, end = f"<!-- site_scale:{key} -->", f"<!-- /site_scale:{key} -->"
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    out.write_text(text, encoding="utf-8")


def counts_of(data: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)  # read only: no writer's state changed
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("agencies", "reports", "facts", "checks", "change_log")}
    finally:
        conn.close()


# ------------------------------------------------------------------- national coverage (issue 22)

NATIONAL_SECTION = "## National coverage pages (issue 22)"


def national_pages(conn) -> list[tuple[str, str]]:
    """(name, path) of every coverage, office and map page, each form, on the national archive."""
    q = urllib.parse.quote
    county = conn.execute("select a.id from agencies a join agencies p on p.division_code = a.parent_code "
                          "where a.level = 'county' and p.level = 'prefecture' and a.division_status = 'current' "
                          "and exists (select 1 from reports r where r.agency_id = a.id) order by a.id limit 1").fetchone()[0]
    abolished = conn.execute("select id from agencies where division_status = 'abolished' and replaced_by != '' "
                             "and exists (select 1 from reports r where r.agency_id = agencies.id) "
                             "order by id limit 1").fetchone()[0]
    province = "四川"
    out = [("coverage", "/-/coverage"), ("coverage.json", "/-/coverage.json"), ("coverage.csv", "/-/coverage.csv"),
           ("coverage 2015", "/-/coverage?year=2015"),
           ("coverage one province", f"/-/coverage?province={q(province)}"),
           ("coverage one province, county level (matrix)", f"/-/coverage?province={q(province)}&level=county"),
           ("coverage county level", "/-/coverage?level=county"),
           ("coverage.json one province", f"/-/coverage.json?province={q(province)}"),
           ("coverage.csv one year", "/-/coverage.csv?year=2022"),
           ("office page, a county", f"/-/office/{county}"), ("office.json, a county", f"/-/office/{county}.json"),
           ("office.csv, a county", f"/-/office/{county}.csv"),
           ("office page, a province", "/-/office/rf510000"),
           ("office page, an abolished division", f"/-/office/{abolished}"),
           ("map", "/-/map"), ("map.svg", "/-/map.svg"), ("map.json", "/-/map.json"), ("map.csv", "/-/map.csv"),
           ("map 2016, county level", "/-/map?year=2016&level=county"),
           ("table national_coverage", "/archive/national_coverage"),
           ("table coverage", "/archive/coverage"),
           ("query coverage_by_province", f"/archive/coverage_by_province?year=2022&province={q(province)}&level="),
           ("query publishing_share", "/archive/publishing_share?year=2022&level="),
           ("query offices_without_site", "/archive/offices_without_site?province=&level=")]
    return out


def time_registry(runs: int) -> list[tuple[str, float, float]]:
    """`renfang registry build` and `renfang registry check` of what it wrote: median and worst wall time."""
    import tempfile

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "national.csv"
        for label, args in (("renfang registry build --out national.csv", ["build", "--out", str(target)]),
                            ("renfang registry check national.csv", ["check", str(target)])):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "renfang.cli", "registry", *args], cwd=REPO,
                                      capture_output=True, text=True)
                times.append(time.perf_counter() - t0)
                assert proc.returncode == 0, proc.stderr[-2000:]
            out.append((label, statistics.median(times), max(times)))
            print(f"{out[-1][1]:7.3f} {out[-1][2]:7.3f} {label}", flush=True)
    return out


def time_national(root: Path, runs: int, out: Path | None) -> list[dict]:
    import sqlite3

    from renfang.cli import datasette_command
    from tests.helpers import free_port

    import os

    data = root / "data"
    load_before = os.getloadavg()[0]
    registry = time_registry(runs)
    derive(root)
    conn = sqlite3.connect(data / "archive.db")
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("agencies", "reports", "facts")}
    counts["abolished"] = conn.execute("select count(*) from agencies where division_status = 'abolished'").fetchone()[0]
    todo = national_pages(conn)
    conn.close()
    port = free_port()
    proc = subprocess.Popen(datasette_command(data, "127.0.0.1", port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        for name, path in todo:
            times, statuses, issues, size = [], set(), set(), 0
            for _ in range(runs):
                seconds, status, body = fetch(base, path)
                times.append(seconds)
                statuses.add(status)
                issues.update(problems(body))
                size = len(body.encode("utf-8"))
                if status >= 500:
                    issues.add(body[:200].replace("\n", " "))
            rows.append({"page": name, "path": path, "median": statistics.median(times), "max": max(times),
                         "status": ",".join(map(str, sorted(statuses))), "issues": "; ".join(sorted(issues)),
                         "kb": size / 1024})
            print(f"{rows[-1]['median']:7.3f} {rows[-1]['max']:7.3f} {rows[-1]['status']:>4} {name} {rows[-1]['issues']}",
                  flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    counts["load"] = (load_before, os.getloadavg()[0])
    if out:
        write_national_section(out, rows, registry, counts, runs)
    return rows


def write_national_section(out: Path, rows: list[dict], registry: list, counts: dict, runs: int) -> None:
    """Replace (or add) the section :data:`NATIONAL_SECTION` of ``out``, nothing else."""
    lines = [NATIONAL_SECTION, "",
             "    .venv/bin/python -m benchmarks.site_scale build --national --dir /work/tmp-site-national",
             "    .venv/bin/python -m benchmarks.site_scale derive --fresh --dir /work/tmp-site-national",
             f"    .venv/bin/python -m benchmarks.site_scale national --dir /work/tmp-site-national --runs {runs} "
             "--out benchmarks/site_results.md", "",
             f"The generated archive of every office of the national registry ({counts['agencies']:,} offices, "
             f"{counts['abolished']} of them abolished divisions, each with reports only in the years it existed: "
             f"{counts['reports']:,} reports, {counts['facts']:,} facts), served as `renfang serve` does; each "
             f"command and page run {runs} times in a row (2-core machine shared with other sessions: load average "
             f"{counts['load'][0]:.1f} before, {counts['load'][1]:.1f} after). Goals: "
             "every coverage, office and map page < 1 s median, the registry build < 30 s, `registry check` < 5 s.", "",
             "| command | median s | max s |", "|---|---:|---:|"]
    lines += [f"| `{label}` | {median:.2f} | {worst:.2f} |" for label, median, worst in registry]
    lines += ["", "| page | median s | max s | HTTP | KB | problems | path |", "|---|---:|---:|---|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['median']:.3f} | {r['max']:.3f} | {r['status']} | {r['kb']:.0f} | "
                     f"{r['issues'] or '—'} | `{r['path']}` |")
    slow = [r["page"] for r in rows if r["median"] >= 1]
    bad = [r["page"] for r in rows if r["issues"] or r["status"] != "200"]
    lines += ["", f"Pages at or over 1 s median: {', '.join(slow) if slow else 'none'}. "
                  f"Pages interrupted or not 200: {', '.join(bad) if bad else 'none'}.", ""]
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if NATIONAL_SECTION in text:
        head, rest = text.split(NATIONAL_SECTION, 1)
        tail = rest.split("\n## ", 1)[1] if "\n## " in rest else ""
        text = head + "\n".join(lines) + ("\n## " + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    out.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=("build", "grow", "loads", "pages", "all", "national"))
    ap.add_argument("--source", type=Path, help="grow: the built and loaded archive to copy --scale times")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/scale/national"))
    ap.add_argument("--scale", type=int, default=1, help="build: the national registry this many times over")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true", help="loads: time `renfang load --rebuild-derived` too")
    ap.add_argument("--repeat", type=int, default=3, help="loads: each load timed this many times (0: the first only)")
    ap.add_argument("--out", type=Path, help="pages/all: write the results into this file's section for the archive")
    ap.add_argument("--key", default=None, help="the section of --out (default: the archive's directory name)")
    ap.add_argument("--national", action="store_true", help="build: the offices of the national registry")
    args = ap.parse_args()
    data = args.dir / "data"
    if args.step == "build":
        build(args.dir, scale=args.scale, national=args.national)
        return
    if args.step == "grow":
        grow(args.source, args.dir, args.scale)
        return
    if args.step == "national":   # the coverage, office and map pages (issue 22)
        time_national(args.dir, args.runs, args.out)
        return
    loads = time_loads(args.dir, repeat=args.repeat, rebuild=args.rebuild) if args.step in ("loads", "all") else \
        json.loads((args.dir / "loads.json").read_text()) if (args.dir / "loads.json").exists() else {}
    if args.step == "loads":
        return
    rows, memory = time_pages(args.dir, args.runs)
    if args.out:
        cmd = "nice -n 10 .venv/bin/python -m benchmarks.site_scale"
        commands = [f"{cmd} build --dir {args.dir}" + (f" --scale {args.scale}" if args.scale != 1 else ""),
                    f"{cmd} all --dir {args.dir} --runs {args.runs}" + (" --rebuild" if args.rebuild else "")
                    + f" --out {args.out}"]
        write_section(args.out, args.key or args.dir.name, rows, memory, counts_of(data), args.runs, data, loads,
                      commands)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
