"""The Datasette site at national scale: every page timed against a running Datasette.

    .venv/bin/python -m benchmarks.site_scale build  [--dir /work/tmp-site-scale]   # once (~10 min)
    .venv/bin/python -m benchmarks.site_scale derive --fresh [--dir ...]   # derived tables from scratch (timed)
    .venv/bin/python -m benchmarks.site_scale pages  [--dir ...] [--runs 5] [--out benchmarks/site_results.md]
    .venv/bin/python -m benchmarks.site_scale load1  [--dir ...]   # `load` adding one real report
    .venv/bin/python -m benchmarks.site_scale build --national --dir /work/tmp-site-national   # every office of the registry
    .venv/bin/python -m benchmarks.site_scale national --dir /work/tmp-site-national [--out benchmarks/site_results.md]

``build`` writes a synthetic national archive (3,219 offices, ~31,000 reports 2014–2025, ~4.2
million facts, ~0.9 million checks, one ~6 KB text per report) with bulk inserts into the tables
of ``archive/schema.py`` (created by ``open_archive``); the checks come from the parser's own
``parsers.checks.compute_checks`` on the generated facts, so about 1 % of reports carry a
failing total as real ones do. ``derive`` runs the loader's derived step
(``archive.derived.refresh_derived``: cross-year checks, search index, wide tables, ANALYZE) on
it from scratch, then once more with nothing new. ``pages`` starts Datasette exactly as
``renfang serve`` does (``renfang.cli.datasette_command``) and fetches every page ``--runs``
times: the median and the worst, the HTTP status, and whether Datasette reported an interrupted
query, a facet timeout or truncated rows. ``load1`` adds the real 洪泽区 2023 PDF as a new report
and times ``archive.load.load_archive``.

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


def build(root: Path, seed: int = 12, national: bool = False) -> None:
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
    agencies = national_offices() if national else offices()
    columns = list(agencies[0])
    conn.executemany(f"insert into agencies ({', '.join(columns)}) values ({', '.join(':' + c for c in columns)})",
                     agencies)
    if national:
        conn.executemany("insert into agency_urls (agency_id, url, url_source, first_seen, last_seen) "
                         "values (?, ?, 'benchmark', ?, ?)", [(o["id"], o["url"], STAMP, STAMP) for o in agencies])
    n_reports = n_facts = 0
    batch_facts, batch_checks = [], []

    def flush():
        conn.executemany("insert into facts (report_id, table_name, row_code, column_code, value, raw, unit, page, "
                         "sha256, bbox) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch_facts)
        conn.executemany("insert into checks values (?, ?, ?, ?, ?, ?)", batch_checks)
        batch_facts.clear()
        batch_checks.clear()

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
            conn.execute("insert into documents values (?, ?, ?, ?, ?)",
                         [sha, len(body), "text/html", STAMP, STAMP])
            message = {"corrupt": "Failed to load document (PDFium: Data format error)",
                       "not_report": "no report tables or sections found"}.get(status)
            conn.execute(
                "insert into parses (sha256, parser_version, status, message, format_version, agency, year, "
                "title, published, pages, facts, parsed_at, method, ocr) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 4, ?, ?, 'text', 0)",
                [sha, parsers.PARSER_VERSION, status, message, version, o["name"], year,
                 f"{o['name']}{year}年政府信息公开工作年度报告", published, len(facts), STAMP])
            if status in ("parsed", "text_only"):
                conn.execute("insert into document_texts values (?, ?)", [sha, text])
            conn.execute(
                "insert into reports (id, agency_id, year, title, url, list_url, published, format_version, "
                "parse_status, parse_message, source_sha256, parser_version, first_seen, last_seen, ocr) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [rid, o["id"], year, f"{o['name']}{year}年政府信息公开工作年度报告", url, o["url"],
                 published, version if status == "parsed" else None, status, message, sha,
                 parsers.PARSER_VERSION, f"{year + 1}-02-01T00:00:00+00:00", STAMP])
            conn.execute("insert into report_documents values (?, ?, ?, ?, ?, ?, ?, ?)",
                         [rid, sha, url, "article", None, STAMP, STAMP, None])
            batch_facts.extend((rid, f.table, f.row, f.column, f.value, f.raw, f.unit, f.page, sha, None)
                               for f in facts)
            batch_checks.extend((rid, c.code, c.key, c.status, c.lhs, c.rhs) for c in compute_checks(facts))
            n_reports += 1
            n_facts += len(facts)
            if len(batch_facts) > 200_000:
                flush()
    flush()
    conn.commit()
    db.close()
    (data / "archive.db.tmp").rename(data / "archive.db")
    for suffix in ("-wal", "-shm"):
        (data / f"archive.db.tmp{suffix}").unlink(missing_ok=True)
    print(f"built {len(agencies)} offices, {n_reports} reports, {n_facts} facts in "
          f"{time.perf_counter() - t0:.0f} s")


def derive(root: Path, fresh: bool = False) -> dict:
    """Time ``refresh_derived``: from scratch (``fresh``: the derived rows deleted first), then
    again with nothing new."""
    from archive.derived import materialised_tables, refresh_derived
    from archive.schema import open_archive
    from archive.search import FTS_TABLE

    data = root / "data"
    out = {}
    import parsers

    db = open_archive(data / "archive.db")
    with db.atomic():  # the synthetic documents stand for parses by this parser version (no re-parse)
        db.execute("update parses set parser_version = ? where parser_version is not ?", [parsers.PARSER_VERSION] * 2)
        db.execute("update reports set parser_version = ? where parser_version is not ? and agency_id != 'hzq'",
                   [parsers.PARSER_VERSION] * 2)
    db.close()
    if fresh:
        db = open_archive(data / "archive.db")
        with db.atomic():
            for name in materialised_tables():
                db.execute(f"delete from {name}")
            db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('delete-all')")
            db.execute("delete from search_docs")
            db.execute("delete from checks where code = 'applications.carry_chain'")
        db.close()
    for label in (("first", "again") if fresh else ("again",)):
        t0 = time.perf_counter()
        db = open_archive(data / "archive.db")
        result = refresh_derived(db, data)
        db.close()
        out[label] = (round(time.perf_counter() - t0, 1), result)
        print(f"derive ({label}): {out[label][0]} s {result}", flush=True)
    before = json.loads((root / "derive.json").read_text()) if (root / "derive.json").exists() else {}
    (root / "derive.json").write_text(json.dumps({**before, **out}))
    return out


def load_one(root: Path) -> float:
    """Copy nothing: add 洪泽区 2023 (a real PDF) as a new report, then time `load`."""
    from types import SimpleNamespace

    from crawler import records
    from archive.load import load_archive
    from archive.schema import open_archive
    from archive.store import ObjectStore

    data = root / "data"
    db = open_archive(data / "archive.db")
    records.upsert_agency(db, SimpleNamespace(id="hzq", name="淮安市洪泽区人民政府", aliases=(), level="county",
                                              province="江苏", url="http://hzq.example.gov.cn/", cms=""))
    n = db.execute("select count(*) from reports where agency_id = 'hzq'").fetchone()[0]
    year = 2023 - n  # a new year each run, so each run really adds a report
    rid = records.record_listing(db, "hzq", year, f"淮安市洪泽区人民政府{year}年政府信息公开工作年度报告",
                                 f"http://hzq.example.gov.cn/{year}.html")
    sha, _ = records.store_document(db, ObjectStore(data / "objects"),
                                    HONGZE_PDF.read_bytes() + f"%{year}".encode())
    records.record_report_document(db, rid, sha, f"http://hzq.example.gov.cn/{year}.pdf", "pdf", f"{year}.pdf")
    db.close()
    import archive.load as load

    spent: dict[str, float] = {}

    def timed(name, fn):  # where the load's time goes (instrumentation, not a change)
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    originals = {n: getattr(load, n) for n in ("parse_stored", "_facts_intact", "refresh_derived")}
    for name, fn in originals.items():
        setattr(load, name, timed(name, fn))
    try:
        t0 = time.perf_counter()
        summary = load_archive(data, jobs=1)
        seconds = time.perf_counter() - t0
    finally:
        for name, fn in originals.items():
            setattr(load, name, fn)
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in spent.items())
    print(f"load adding {rid}: {seconds:.2f} s ({parts}); {summary}")
    return seconds, parts


# ----------------------------------------------------------------------------- pages

def pages(conn) -> list[tuple[str, str]]:
    """(name, path) of every page of the site, with realistic parameters."""
    meta = json.loads((REPO / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    db = meta["databases"]["archive"]
    failing = conn.execute("select report_id from checks where status = 'fail' limit 1").fetchone()[0]
    office = failing.rsplit("-", 1)[0]
    province = conn.execute("select province from agencies where id = ?", [office]).fetchone()[0]
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
           ("Atom feed", "/-/feed.atom"),
           ("dashboard", "/-/dashboards/overview")]
    for name in [t for t in db["tables"] if not db["tables"][t].get("hidden")]:
        out.append((f"table {name}", f"/archive/{name}"))
    out += [("table facts filtered", f"/archive/facts?table_name=applications&row_code=received&column_code=total"),
            ("applications_wide by province+year",
             f"/archive/applications_wide?province={q(province)}&year=2022"),
            ("applications_wide.json", "/archive/applications_wide.json"),
            ("checks failing", "/archive/checks?status=fail")]
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
    if not path.startswith("/archive/") or path.startswith("/archive/search_docs?"):
        return []
    head, _, query = path.partition("?")
    if not head.endswith(".json"):
        head += ".json"
    _, status, body = fetch(base, head + ("?" + query if query else ""))
    if status != 200:
        return [f"JSON {status}"]
    data = json.loads(body)
    found = []
    if data.get("truncated"):
        found.append("truncated")
    if data.get("facets_timed_out"):
        found.append("facet timed out: " + ", ".join(data["facets_timed_out"]))
    return found


def time_pages(root: Path, runs: int, out: Path | None) -> list[dict]:
    import sqlite3

    from renfang.cli import datasette_command
    from tests.conftest import free_port

    data = root / "data"
    derive(root)  # brings the archive up to date with this code, and times a refresh with nothing new
    conn = sqlite3.connect(data / "archive.db")
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("agencies", "reports", "facts", "checks")}
    todo = pages(conn)
    conn.close()
    port = free_port()
    proc = subprocess.Popen(datasette_command(data, "127.0.0.1", port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        rows = []
        for name, path in todo:
            times, statuses, issues = [], set(), set(json_problems(base, path))
            for _ in range(runs):
                seconds, status, body = fetch(base, path)
                times.append(seconds)
                statuses.add(status)
                issues.update(problems(body))
                if status >= 500:
                    issues.add(body[:200].replace("\n", " "))
            rows.append({"page": name, "path": path, "median": statistics.median(times), "max": max(times),
                         "status": ",".join(map(str, sorted(statuses))), "issues": "; ".join(sorted(issues))})
            print(f"{rows[-1]['median']:7.3f} {rows[-1]['max']:7.3f} {rows[-1]['status']:>4} {name} {rows[-1]['issues']}",
                  flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    seconds, parts = load_one(root)  # after Datasette stopped: the load alone
    if out:
        derived = json.loads((root / "derive.json").read_text()) if (root / "derive.json").exists() else {}
        write_table(out, rows, counts, runs, data, derived, seconds, parts)
    return rows


def write_table(out: Path, rows: list[dict], counts: dict, runs: int, data: Path, derived: dict,
                load_seconds: float, load_parts: str) -> None:
    size = (data / "archive.db").stat().st_size / 1e9
    lines = [f"# Site at national scale ({counts['agencies']:,} offices, {counts['reports']:,} reports, "
             f"{counts['facts']:,} facts, {counts['checks']:,} checks, {size:.1f} GB)", "",
             "    .venv/bin/python -m benchmarks.site_scale build && .venv/bin/python -m benchmarks.site_scale derive --fresh",
             f"    .venv/bin/python -m benchmarks.site_scale pages --runs {runs} --out benchmarks/site_results.md", "",
             f"Datasette started as `renfang serve` does; each page fetched {runs} times in a row "
             "(2-core machine shared with other sessions). Under 1 s = the goal.", "",
             "| page | median s | max s | HTTP | problems | path |", "|---|---:|---:|---|---|---|"]
    for r in rows:
        path = r["path"] if len(r["path"]) <= 100 else r["path"][:97] + "…"
        lines.append(f"| {r['page']} | {r['median']:.3f} | {r['max']:.3f} | {r['status']} | {r['issues'] or '—'} "
                     f"| `{path}` |")
    slow = [r["page"] for r in rows if r["median"] >= 1]
    bad = [r["page"] for r in rows if r["issues"] or not r["status"].startswith("200")]
    lines += ["", f"Pages at or over 1 s median: {', '.join(slow) if slow else 'none'}. "
                  f"Pages interrupted, with a facet timed out, truncated or not 200: {', '.join(bad) if bad else 'none'}.",
              "", "| load step | seconds | rows rewritten |", "|---|---:|---|"]
    for label, words in (("first", "derived tables from scratch (`derive`, after `build`)"),
                         ("again", "derived tables again, nothing new")):
        if label in derived:
            lines.append(f"| {words} | {derived[label][0]} | {derived[label][1]} |")
    lines.append(f"| `load_archive` adding one report (the real 洪泽区 2023 PDF: parse, write, derived tables, "
                 f"ANALYZE) | {load_seconds:.2f} | of which {load_parts} |")
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    keep = text.split("\n## ", 1)[1] if "\n## " in text else ""
    out.write_text("\n".join(lines) + "\n" + ("\n## " + keep if keep else ""), encoding="utf-8")


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
    ap.add_argument("step", choices=("build", "derive", "pages", "load1", "national"))
    ap.add_argument("--dir", type=Path, default=Path("/work/tmp-site-scale"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--fresh", action="store_true", help="derive: delete the derived rows first")
    ap.add_argument("--national", action="store_true", help="build: the offices of the national registry")
    args = ap.parse_args()
    if args.step == "build":
        build(args.dir, national=args.national)
    elif args.step == "derive":
        derive(args.dir, fresh=args.fresh)
    elif args.step == "load1":
        load_one(args.dir)  # prints the time and where it went
    elif args.step == "national":
        time_national(args.dir, args.runs, args.out)
    else:
        time_pages(args.dir, args.runs, args.out)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
