"""The published archive, through a running Datasette's JSON API (issue 6, acceptance 1).

The session's sample-portal archive is copied and extended the way later crawls would extend it,
through the archive's own write functions and `renfang load`: a 2021 report of 江西 (so the
cross-year check has a pair of years), a 2022 report of 江西 in the 2021 layout (section 二 with
the 2021 columns, 三（六） split into its three sub-rows), the real 洪泽区 2023 PDF (2021 layout
keeping the single 三（六） row; section 四 prints 总计 0 beside non-zero parts), a silently edited
version of the 攀枝花 2019 article page, and a report whose listed title contains a <script> tag.
One Datasette serves it for the module.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from archive.datadir import DataDir
from tests.helpers import REPO, Site, extend_archive, start_datasette, stop_datasette

@pytest.fixture(scope="module")
def site(archive_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("site") / "data"
    extend_archive(archive_dir, data_dir)
    proc, base = start_datasette(data_dir)
    try:
        yield Site(base, data_dir)
    finally:
        stop_datasette(proc)


# ---------------------------------------------------------------- site configuration

def test_metadata_describes_every_table_and_column_in_chinese_and_english(site):
    from archive.site_metadata import render

    committed = (REPO / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m archive.site_metadata"
    meta = site.json("/-/metadata.json")
    assert meta["license"] and meta["source"] and "人防" in meta["title"]
    described = meta["databases"]["archive"]["tables"]
    conn = sqlite3.connect(DataDir(site.data_dir).db)
    hidden = {"meta", "search_bigrams"}
    names = [n for (n,) in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like 'search_bigrams_%' "
        "and name not like 'sqlite_%'")]
    cjk, latin = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[A-Za-z]{3}")
    undocumented = []
    for name in names:
        if name in hidden:
            continue
        entry = described.get(name, {})
        text = entry.get("description", "")
        if not (cjk.search(text) and latin.search(text)):
            undocumented.append(name)
        for (column,) in conn.execute(f"select name from pragma_table_info('{name}')"):
            text = entry.get("columns", {}).get(column, "")
            if not (cjk.search(text) and latin.search(text)):
                undocumented.append(f"{name}.{column}")
    assert undocumented == []


def test_facets_on_province_level_year_layout_and_check_status(site):
    data = site.json("/archive/report_overview.json")
    facets = data["facet_results"]
    assert {"province", "level", "year", "format_version", "parse_status"} <= set(facets)
    province = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert province == {"四川": 4, "江西": 5, "江苏": 1}
    years = {f["value"]: f["count"] for f in facets["year"]["results"]}
    assert years[2019] == 2 and years[2021] == 1 and years[2023] == 1
    layouts = {f["value"]: f["count"] for f in facets["format_version"]["results"]}
    assert layouts["2019"] == 3 and layouts["2021"] == 2
    checks = site.json("/archive/checks.json")["facet_results"]
    status = {f["value"]: f["count"] for f in checks["status"]["results"]}
    assert status["fail"] >= 4 and status["pass"] > 0


def test_dashboard_reads_correctly(site):
    """Colours by meaning, integer count axes, refusal reasons under their group, filters."""
    from archive.vocab import COVERAGE_STATES

    board = site.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]
    assert set(board["filters"]) == {"province", "level", "year", "agency_id"}
    charts = board["charts"]
    checks = charts["checks-status"]["display"]["encoding"]["color"]["scale"]
    assert dict(zip(checks["domain"], checks["range"])) == {
        "all checks pass 全部成立": "#4caf50", "some checks fail 不成立": "#d32f2f", "no figures 无数据": "#bdbdbd"}
    coverage = charts["coverage-status"]["display"]["encoding"]["color"]["scale"]
    assert dict(zip(coverage["domain"], coverage["range"])) == {k: c for k, (_, c) in COVERAGE_STATES.items()}
    for name in ("applications-by-year", "refusal-reasons", "coverage-status", "office-by-year"):
        axis = charts[name]["display"]["encoding"]["x" if name == "refusal-reasons" else "y"]["axis"]
        assert axis["tickMinStep"] == 1 and axis["format"] == "d", name
    # the charts' queries answer with and without filters (datasette-dashboards drops [[ … ]])
    import re as _re

    def run(sql, **params):
        keep = lambda m: m.group(1) if any(f":{p}" in m.group(1) for p in params) else ""
        return site.rows("/archive.json", sql=_re.sub(r"\[\[(.*?)\]\]", keep, sql), **params)

    reasons = run(charts["refusal-reasons"]["query"], year="2023")
    assert reasons[8]["reason_label"] == "（四）无法提供 1.本机关不掌握相关政府信息" and reasons[8]["applications"] == 10
    office = {(r["year"], r["figure"]): r["applications"] for r in run(charts["office-by-year"]["query"], agency_id="jxrf")}
    assert office[(2021, "received 本年新收")] == 2 and office[(2021, "carried forward 结转下年度")] == 0
    assert (2023, "received 本年新收") not in office  # 洪泽区's year is not 江西's


def test_home_page_figures_and_latest_reports(site):
    _, _, html = site.get("/")
    html = html.decode()
    figures = html[html.index('<p class="figures">'):html.index("</p>", html.index('<p class="figures">'))]
    # 3 offices; 10 reports 2014–2023 of which 6 readable (pzhrf-2017/2020 listed only, pzhrf-2018
    # corrupt, jxrf-2019 not a report); 4 reports with failing checks
    assert re.sub(r"<[^>]+>", "", figures).split() == [
        "3", "offices", "机关", "·", "10", "reports", "年报", "(2014–2023),", "of", "which", "6", "readable", "可读",
        "·", str(site.sql("select count(*) as n from facts")[0]["n"]), "printed", "figures", "数字", "·", "4",
        "reports", "whose", "totals", "do", "not", "add", "up", "勾稽不成立"]
    latest = html[html.index('<ul class="latest">'):]
    latest = latest[:latest.index("</ul>")]
    assert latest.count("<li>") == 6 and "/-/report/pzhrf-2018" not in latest  # readable reports only


def test_archive_page_lists_reports_figures_and_checks_first(site):
    _, _, html = site.get("/archive")
    html = html.decode()
    order = [html.index(f'<strong>{name}</strong>') for name in
             ("report_overview", "failing_checks", "applications_wide", "facts", "checks", "coverage",
              "crawl_ledger", "fetches")]
    assert order == sorted(order)
    assert html.index("Reports and figures") < html.index('id="queries"') < html.index("How the archive was made")
    n = site.sql("select count(*) as n from facts")[0]["n"]
    assert f'<strong>facts</strong></a> <span class="count">{n:,} rows</span>' in html  # counted, not "Many rows"
    assert "Many rows" not in html


@pytest.mark.slow
def test_read_only_with_a_sql_time_limit(site):
    with pytest.raises(urllib.error.HTTPError) as e:
        site.get("/archive.json", sql="delete from checks")
    assert e.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as e:
        site.get("/archive.json", sql="with recursive c(x) as (select 1 union all select x + 1 from c) "
                                      "select count(*) from c")
    assert "too long" in e.value.read().decode()
    assert site.sql("select count(*) as n from checks where status = 'fail'")[0]["n"] >= 4


# ---------------------------------------------------------------- canned queries

def test_every_canned_query_answers(site):
    queries = {q["name"] for q in site.json("/archive.json")["queries"]}
    assert queries == {"applications_by_year_province", "refusal_reasons", "office_by_year", "search",
                       "new_reports", "changed_figures", "coverage_by_province", "publishing_share",
                       "offices_without_site"}  # the last three: tests/test_coverage_national.py
    # failing_checks is a view (paginated, never truncated): rule in words, integers, the report page
    failing = site.rows("/archive/failing_checks.json")
    row = next(r for r in failing if r["report_id"] == "pzhrf-2019" and r["code"] == "applications.balance"
               and r["key"] == "natural_person")
    assert row == {"report_id": "pzhrf-2019", "agency": "攀枝花市人民防空办公室", "province": "四川", "level": "city",
                   "year": 2019, "code": "applications.balance",
                   "rule": "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度", "key": "natural_person",
                   "key_label": "自然人", "computed": 2, "printed": 0, "report_page": "/-/report/pzhrf-2019#failing"}
    assert type(row["computed"]) is int and type(row["printed"]) is int
    _, _, html = site.get("/archive/failing_checks")
    assert '<a href="/-/report/pzhrf-2019" title="report as printed 报告原表">pzhrf-2019</a>' in html.decode()

    # one row per (year, province, level): a city office is never added to a provincial one
    by_year = {(r["year"], r["province"], r["level"]): r
               for r in site.rows("/archive/applications_by_year_province.json", year="", province="", level="")}
    assert by_year[(2019, "四川", "city")]["received"] == 2 and by_year[(2019, "四川", "city")]["granted"] == 2
    assert by_year[(2020, "江西", "province")]["reports"] == 1 and by_year[(2020, "江西", "province")]["refused"] == 0
    assert all(type(r["received"]) is int for r in by_year.values() if r["received"] is not None)

    reasons = site.rows("/archive/refusal_reasons.json", year="", province="", level="")
    assert [r["outcome"] for r in reasons] == ["withheld 不予公开"] * 8 + ["unavailable 无法提供"] * 3 + ["refused 不予处理"] * 5
    assert reasons[0]["label"] == "（三）不予公开 1.属于国家秘密"
    assert reasons[8]["label"] == "（四）无法提供 1.本机关不掌握相关政府信息"
    by_reason = {r["reason"]: r for r in reasons}
    # 江西 2020, 2021 and 2022 each print 1 under 本机关不掌握相关政府信息 (column 总计), 洪泽区 2023 prints 10
    assert by_reason["unavailable_not_held"]["applications"] == 13
    assert by_reason["unavailable_not_held"]["reports_with_any"] == 4
    assert site.rows("/archive/refusal_reasons.json", year="2023", province="", level="")[8]["applications"] == 10
    assert all(r["applications"] is None for r in site.rows("/archive/refusal_reasons.json", year="1999",
                                                            province="", level=""))

    missing = {(r["agency_id"], r["year"]): r["status"] for r in site.rows("/archive/missing_reports.json",
                                                                          _size="max")}
    assert missing[("jxrf", 2018)] == "missing" and missing[("pzhrf", 2021)] == "missing"
    assert missing[("pzhrf", 2017)] == "listed_only"
    assert missing[("pzhrf", 2018)] == "unreadable" and missing[("jxrf", 2019)] == "not_report"
    assert ("jxrf", 2020) not in missing

    years = site.rows("/archive/office_by_year.json", agency_id="jxrf")
    assert [r["year"] for r in years] == [2014, 2020, 2021, 2022]  # 2019 is not a report: no figures
    by = {r["year"]: r for r in years}
    assert by[2021]["carried_over"] == 3 and by[2020]["carried_forward"] == 0
    assert by[2021]["carry_chain"] == "fail"

    assert site.rows("/archive/search.json", q="复议")
    new = site.rows("/archive/new_reports.json")
    assert new and {r["parse_status"] for r in new} <= {"parsed", "text_only"}
    changed = site.rows("/archive/changed_figures.json")
    assert changed and changed[0]["report_id"] == "pzhrf-2019"


# ---------------------------------------------------------------- search

def search_ids(site, q):
    return [r["report_id"] for r in site.rows("/archive/search.json", q=q)]


def test_two_character_search_finds_what_trigram_misses(site):
    for word in ("人防", "复议", "诉讼"):
        ids = search_ids(site, word)
        assert {"pzhrf-2019", "jxrf-2020"} <= set(ids), word
    conn = sqlite3.connect(DataDir(site.data_dir).db)
    texts = dict(conn.execute("select report_id, coalesce(title, '') || coalesce(text, '') from search_docs"))
    # exactly the reports whose title or text contains the word
    assert set(search_ids(site, "复议")) == {r for r, t in texts.items() if "复议" in t}
    # SQLite's trigram tokenizer, for comparison, silently finds nothing for two characters
    conn.execute("create virtual table temp.tri using fts5(text, tokenize='trigram')")
    conn.executemany("insert into temp.tri (text) values (?)", [(t,) for t in texts.values()])
    assert conn.execute("select count(*) from temp.tri where tri match '复议'").fetchone()[0] == 0
    assert conn.execute("select count(*) from temp.tri where tri match '人民防空'").fetchone()[0] > 0


def test_words_broken_across_lines_are_found(site):
    """Every 2019+ report prints 结果维持 (table 四), extracted as 结果维\\n持, 结 果\\n维 持, 结果\\n维持."""
    conn = sqlite3.connect(DataDir(site.data_dir).db)
    raw = [t for (t,) in conn.execute(
        "select t.text from reports r join document_texts t on t.sha256 = r.source_sha256 where r.year >= 2019")]
    assert raw and not any("结果维持" in t for t in raw)  # never contiguous in the extracted text
    printed = {"pzhrf-2019", "jxrf-2020", "jxrf-2021", "jxrf-2022", "hzq-2023"}
    assert set(search_ids(site, "结果维持")) == printed
    assert set(search_ids(site, "维持")) == printed
    rows = site.rows("/archive/search.json", q="维持")
    assert all("⟦维持⟧" in r["snippet"] for r in rows)
    _, _, html = site.get("/archive/search", q="结果维持")
    html = html.decode()
    assert "<mark>结果维持</mark>" in html
    assert '<a href="/-/report/hzq-2023" title="report as printed 报告原表">hzq-2023</a>' in html
    body = html[html.index("<body"):]
    assert "search_bigrams match" not in body  # the SQL is not printed above the results


def test_four_character_and_longer_phrases(site):
    conn = sqlite3.connect(DataDir(site.data_dir).db)
    texts = dict(conn.execute("select report_id, coalesce(title, '') || coalesce(text, '') from search_docs"))
    for phrase in ("人民防空", "行政复议", "政府信息公开申请", "攀枝花"):
        expected = {r for r, t in texts.items() if phrase in t}
        assert expected, phrase
        assert set(search_ids(site, phrase)) == expected, phrase
    # consecutive bigrams, not any order: 防空人民 occurs nowhere
    assert search_ids(site, "防空人民") == []
    # several words: all must occur
    both = {r for r, t in texts.items() if "复议" in t and "攀枝花" in t}
    assert set(search_ids(site, "复议 攀枝花")) == both
    rows = site.rows("/archive/search.json", q="行政复议")
    assert any("行政复议" in (r["snippet"] or "") for r in rows)


# ---------------------------------------------------------------- feed, documents, report as printed

def test_atom_feed_of_newly_archived_readable_reports(site):
    status, headers, body = site.get("/-/feed.atom")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(body)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    # RFC 4287: the feed and each entry have an id (an absolute IRI), a title, an updated date, an author
    for element in (feed, *feed.findall("a:entry", ns)):
        assert urllib.parse.urlparse(element.find("a:id", ns).text).scheme == "http"
        assert element.find("a:title", ns).text
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", element.find("a:updated", ns).text)
        assert element.find("a:author/a:name", ns) is not None or feed.find("a:author/a:name", ns) is not None
    assert feed.find("a:link[@rel='self']", ns).get("href") == site.base + "/-/feed.atom"
    entries = {e.find("a:id", ns).text: e for e in feed.findall("a:entry", ns)}
    ids = {i.rsplit("/", 1)[1] for i in entries}
    assert {"pzhrf-2019", "jxrf-2020", "jxrf-2021", "hzq-2023"} <= ids
    # only readable reports: not the corrupt 2018 document, not the wrongly uploaded 2019 notice
    assert not ids & {"pzhrf-2017", "pzhrf-2018", "jxrf-2019"}
    link = entries[site.base + "/-/report/jxrf-2021"].find("a:link", ns).get("href")
    assert link == site.base + "/-/report/jxrf-2021"
    assert site.get("/-/report/jxrf-2021")[0] == 200


def test_each_report_links_to_its_archived_original_with_its_sha256(site):
    rows = site.rows("/archive/report_overview.json", parse_status="parsed")
    assert {r["report_id"] for r in rows} >= {"pzhrf-2019", "jxrf-2020", "jxrf-2021"}
    for row in rows:   # the exact bytes (?raw=1: an archived page is otherwise shown with its links rewritten)
        status, headers, body = site.get(row["document_path"], raw=1)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == row["source_sha256"]
        assert headers["X-Content-SHA256"] == row["source_sha256"]
        media = site.sql(f"select media_type from documents where sha256 = '{row['source_sha256']}'")[0]
        assert headers["content-type"].startswith(media["media_type"].split(";")[0])
    # the HTML table view links the same document
    _, _, html = site.get("/archive/report_overview")
    assert f'href="/-/documents/{rows[0]["source_sha256"]}"' in html.decode()
    with pytest.raises(urllib.error.HTTPError) as e:
        site.get("/-/documents/" + "0" * 64)
    assert e.value.code == 404


def test_report_as_printed(site):
    data = site.json("/-/report/pzhrf-2019.json")
    tables = {t["code"]: t for t in data["tables"]}
    assert list(tables) == ["disclosure", "applications", "appeals"]
    apps = {r["code"]: r for r in tables["applications"]["rows"]}
    assert len(apps) == 23  # the 2019 layout
    assert apps["received"]["label"] == "一、本年新收政府信息公开申请数量"
    cell = {c["column"]: c for c in apps["received"]["cells"]}["natural_person"]
    assert cell["value"] == 2 and cell["page"] == 3
    assert any("[applications.balance·natural_person]" in f for f in cell["failing"]) and cell["role"] == "sum"
    fact = site.json(cell["fact_url"] + ".json", _shape="array")[0]
    assert (fact["report_id"], fact["row_code"], fact["column_code"], fact["value"]) == \
        ("pzhrf-2019", "received", "natural_person", 2)
    status, _, body = site.get(cell["page_url"].split("#")[0])
    assert hashlib.sha256(body).hexdigest() == data["report"]["source_sha256"]
    assert cell["page_url"].endswith("#page=3")
    # cells of passing checks are not flagged
    commercial = {c["column"]: c for c in apps["received"]["cells"]}["commercial"]
    assert commercial["failing"] == []
    disclosure = {r["code"]: r for r in tables["disclosure"]["rows"]}
    change = {c["column"]: c for c in disclosure["licensing"]["cells"]}["items_change"]
    assert (change["value"], change["raw"]) == (36, "增加 36 件")
    assert data["failing_checks"] == 4
    _, _, html = site.get("/-/report/pzhrf-2019")
    html = html.decode()
    assert html.count('<td class="fail fail-') == 8 and "本年新收政府信息公开申请数量" in html
    assert f'href="/-/documents/{data["report"]["source_sha256"]}"' in html


def test_a_failing_check_is_a_sentence_with_only_its_cells_highlighted(site):
    """pzhrf-2019 prints （一）予以公开 2 for 自然人 but （七）总计 0 (seed 000)."""
    data = site.json("/-/report/pzhrf-2019.json")
    assert [c["status"] for c in data["checks"]][:4] == ["fail"] * 4  # failing first
    assert {c["status"] for c in data["checks"][4:]} <= {"pass", "unknown"}
    sentences = {(c["code"], c["key"]): c["sentence"] for c in data["checks"] if c["status"] == "fail"}
    assert sentences[("applications.outcome_sum", "natural_person")] == \
        "自然人: （七）总计 printed 0, but （一）…（六） sum to 2 (（一）予以公开 2)"
    assert sentences[("applications.balance", "total")] == \
        "总计: 一、本年新收 + 二、上年结转 = 2 (一、本年新收 2), but （七）总计 + 四、结转下年度 = 0 (all 0 or blank)"
    apps = next(t for t in data["tables"] if t["code"] == "applications")
    flagged = {(c["row"], c["column"]): c["role"] for r in apps["rows"] for c in r["cells"] if c["failing"]}
    assert flagged == {(row, column): role for column in ("natural_person", "total") for row, role in (
        ("received", "sum"), ("granted", "sum"), ("total_handled", "printed"), ("carried_forward", "printed"))}
    _, _, html = site.get("/-/report/pzhrf-2019")
    html = html.decode()
    summary = html[html.index('<div class="failing-summary"'):html.index("</div>", html.index('<div class="failing-summary"'))]
    assert "自然人: （七）总计 printed 0, but （一）…（六） sum to 2 (（一）予以公开 2)" in summary
    assert summary.count('<li class="check-sentence"') == 4
    assert html.count('class="fail fail-printed') == 4 + 1  # four cells and the legend
    # units as printed: 采购总金额 3995.07 万元 of 江西 2020
    jx = site.json("/-/report/jxrf-2020.json")
    disclosure = {r["code"]: r for r in next(t for t in jx["tables"] if t["code"] == "disclosure")["rows"]}
    amount = {c["column"]: c for c in disclosure["procurement"]["cells"]}["amount"]
    assert (amount["value"], amount["unit"]) == (3995.07, "万元")
    _, _, page = site.get("/-/report/jxrf-2020")
    assert re.search(r'>3995\.07</a><span class="unit">万元</span>', page.decode())


def test_reports_that_did_not_parse_say_why_once(site):
    for report_id, status, words in (
            ("pzhrf-2018", "corrupt", "the archived document is damaged and cannot be opened"),
            ("jxrf-2019", "not_report", "the archived document is not an annual report"),
            ("pzhrf-2017", "no_document", "no document of it could be fetched")):
        data = site.json(f"/-/report/{report_id}.json")
        assert data["report"]["parse_status"] == status and not data["readable"]
        _, _, html = site.get(f"/-/report/{report_id}")
        html = html.decode()
        assert html.count('class="status-box') == 1 and words in html, report_id
        assert "No figures of this table" not in html, report_id
        if data["report"]["parse_message"]:
            assert data["report"]["parse_message"] in html
    corrupt = site.json("/-/report/pzhrf-2018.json")["report"]["parse_message"]
    assert corrupt and corrupt in site.get("/-/report/pzhrf-2018")[2].decode()


def printed_tables(site, report_id):
    data = site.json(f"/-/report/{report_id}.json")
    return data, {t["code"]: t for t in data["tables"]}


def cells_by_code(row) -> dict:
    return {(c["row"], c["column"]): c for c in row["cells"]}


def test_table_four_is_one_printed_row_of_fifteen_cells(site):
    from parsers.codes import APPEALS

    data, tables = printed_tables(site, "pzhrf-2019")
    four = tables["appeals"]
    assert four["layout"] == "single_row" and len(four["rows"]) == 1
    (row,) = four["rows"]
    order = [(g, c) for g in ("review", "suit_direct", "suit_after_review")
             for c in ("upheld", "corrected", "other", "pending", "total")]
    assert [(c["row"], c["column"]) for c in row["cells"]] == order
    # the two-level header of the national layout
    top, middle, leaves = four["header"]
    assert [(h["label"], h["colspan"], h["rowspan"]) for h in top] == [("行政复议", 5, 2), ("行政诉讼", 10, 1)]
    assert [(h["label"], h["code"], h["colspan"]) for h in middle] == [
        ("未经复议直接起诉", "suit_direct", 5), ("复议后起诉", "suit_after_review", 5)]
    assert [h["label"] for h in leaves] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    assert [(h["row"], h["code"]) for h in leaves] == order
    assert all(APPEALS.column(h["code"]).label == h["label"] for h in leaves)
    # seed 000 prints 10 of the 15 cells: the five 行政复议 cells are blank, null, never 0
    cells = cells_by_code(row)
    for column in ("upheld", "corrected", "other", "pending", "total"):
        blank = cells[("review", column)]
        assert blank["printed"] and blank["value"] is None and not blank["raw"], blank
        assert cells[("suit_direct", column)]["value"] == 0
    cell = cells[("suit_after_review", "total")]
    assert cell["page"] == 4 and cell["page_url"].endswith("#page=4") and cell["failing"] == []
    fact = site.json(cell["fact_url"] + ".json", _shape="array")[0]
    assert (fact["table_name"], fact["row_code"], fact["column_code"], fact["value"]) == \
        ("appeals", "suit_after_review", "total", 0)
    # the HTML: a three-row header over ONE data row of 15 cells; blank cells show nothing
    _, _, html = site.get("/-/report/pzhrf-2019")
    html = html.decode()
    table = html[html.index('<table class="printed appeals-row">'):]
    table = table[:table.index("</table>")]
    assert '<th colspan="5" rowspan="2"' in table and '<th colspan="10"' in table
    assert table.count('<tr class="data">') == 1 and table.count("<td ") == 15
    blank_cell = re.search(r'<td class=" blank" data-code="review.total"[^>]*><a class="fact" href="([^"]+)"></a>',
                           table)
    assert blank_cell and blank_cell.group(1) == "/archive/facts/pzhrf-2019,appeals,review,total"
    assert 'data-code="suit_direct.total" title="suit_direct × total · 第 4 页"><a class="fact" ' \
           'href="/archive/facts/pzhrf-2019,appeals,suit_direct,total">0</a>' in table


def test_table_four_highlights_totals_of_zero_beside_non_zero_parts(site):
    """洪泽区 2023 prints 行政复议 10 / 1 / 0 / 0 with 总计 0, and 复议后起诉 5 / 0 / 0 / 0 with 总计 0."""
    data, tables = printed_tables(site, "hzq-2023")
    assert data["report"]["format_version"] == "2021"
    (row,) = tables["appeals"]["rows"]
    cells = cells_by_code(row)
    assert [cells[("review", c)]["value"] for c in ("upheld", "corrected", "other", "pending", "total")] == \
        [10, 1, 0, 0, 0]
    # only the cells that make the difference: the printed 总计 and the non-zero parts
    failing = {key: c["role"] for key, c in cells.items() if c["failing"]}
    assert failing == {("review", "upheld"): "sum", ("review", "corrected"): "sum", ("review", "total"): "printed",
                       ("suit_after_review", "upheld"): "sum", ("suit_after_review", "total"): "printed"}
    sentence = "行政复议: 总计 printed 0, but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 sum to 11 (结果维持 10 + 结果纠正 1)"
    assert cells[("review", "total")]["failing"] == [sentence + " [appeals.group_sum·review]"]
    top, middle, _ = tables["appeals"]["header"]
    assert top[0]["failing"] and not middle[0]["failing"] and middle[1]["failing"]
    assert cells[("review", "upheld")]["page"] == 4
    status, _, body = site.get(cells[("review", "upheld")]["page_url"].split("#")[0])
    assert hashlib.sha256(body).hexdigest() == data["report"]["source_sha256"]
    _, _, html = site.get("/-/report/hzq-2023")
    html = html.decode()
    table = html[html.index('<table class="printed appeals-row">'):]
    table = table[:table.index("</table>")]
    assert table.count('<td class="fail fail-') == 5
    assert f'<td class="fail fail-printed" data-code="review.total" title="review × total · 第 4 页 · ✗ {sentence} [appeals.group_sum·review]">' in table
    assert '<td class="" data-code="suit_direct.total"' in table
    assert table.count('class="fail-group"') == 2


def test_tables_two_and_three_follow_the_layout_version(site):
    from parsers.codes import APPLICATIONS

    layouts = {}
    for rid in ("pzhrf-2019", "jxrf-2022", "hzq-2023"):
        data, tables = printed_tables(site, rid)
        two = {r["code"]: [c["code"] for c in r["column_labels"]] for r in tables["disclosure"]["rows"]}
        three = [r["code"] for r in tables["applications"]["rows"]]
        layouts[rid] = (data["report"]["format_version"], two, three, tables)
    # 2019 layout: 二 with 本年新制作数量 … and the two blocks the 2021 layout dropped; 三（六） one row
    version, two, three, _ = layouts["pzhrf-2019"]
    assert version == "2019"
    assert two["regulations"] == ["made", "published", "total_published"]
    assert two["licensing"] == ["items_last_year", "items_change", "decisions"]
    assert two["fees"] == ["items_last_year", "items_change"] and "procurement" in two and "other_services" in two
    assert three == APPLICATIONS.row_codes("2019") and len(three) == 23 and "other_misc" not in three
    # 2021 layout with the 三（六） sub-rows
    version, two, three, tables = layouts["jxrf-2022"]
    assert version == "2021"
    assert list(two) == ["regulations", "normative_documents", "licensing", "penalties", "enforcement", "fees"]
    assert two["regulations"] == ["issued", "repealed", "in_force"] and two["licensing"] == ["decisions"]
    assert two["fees"] == ["amount_10k_yuan"]
    assert three == APPLICATIONS.row_codes("2021")[:20] + [
        "other_no_correction", "other_unpaid_fee", "other_misc", "total_handled", "carried_forward"]
    assert len(three) == 25 and "other" not in three
    rows = {r["code"]: r for r in tables["applications"]["rows"]}
    assert rows["other_misc"]["group"] == "（六）其他处理" and rows["other_misc"]["label"] == "3.其他"
    misc = cells_by_code(rows["other_misc"])[("other_misc", "natural_person")]
    assert misc["value"] == 1 and any("[applications.outcome_sum·natural_person]" in f for f in misc["failing"])
    licensing = cells_by_code(tables["disclosure"]["rows"][2])
    assert licensing[("licensing", "decisions")]["value"] == 17
    # 2021 layout that keeps the single 2019-style （六） row (洪泽区 2023): printed as it is
    version, two, three, tables = layouts["hzq-2023"]
    assert version == "2021" and two["regulations"] == ["issued", "repealed", "in_force"]
    assert "other" in three and not set(three) & {"other_no_correction", "other_unpaid_fee", "other_misc"}
    assert len(three) == 23
    assert all(c["printed"] for r in tables["applications"]["rows"] for c in r["cells"])
    fees = cells_by_code(next(r for r in tables["disclosure"]["rows"] if r["code"] == "fees"))
    assert fees[("fees", "amount_10k_yuan")]["value"] == 7730.28 and fees[("fees", "amount_10k_yuan")]["unit"] == "万元"
    # HTML: the 2021 column labels and the sub-rows under their group label
    _, _, html = site.get("/-/report/jxrf-2022")
    html = html.decode()
    assert "本年制发件数" in html and "本年新制作数量" not in html
    assert '<span class="group">（六）其他处理</span> 3.其他' in html
    _, _, html = site.get("/-/report/hzq-2023")
    assert "（六）其他处理 <code>other</code>" in html.decode() and "3.其他" not in html.decode()


def test_datasette_search_box_finds_two_character_words(site):
    """Datasette's own ?_search= on search_docs (fts_table: the bigram index), any length."""
    def box(q):
        return {r["report_id"] for r in site.rows("/archive/search_docs.json", _search=q)}

    for q in ("人防", "复议", "诉讼", "人民防空", "行政复议", "政府信息公开申请", "复议 攀枝花", "防"):
        found = box(q)
        assert found and found == set(search_ids(site, q)), q
    assert box("防空人民") == set()
    conn = sqlite3.connect(DataDir(site.data_dir).db)
    texts = dict(conn.execute("select report_id, coalesce(title, '') || coalesce(text, '') from search_docs"))
    assert box("复议") == {r for r, t in texts.items() if "复议" in t}
    # column search and non-CJK words still behave as in Datasette
    assert box("洪泽") == {"hzq-2023"}
    titles = {r["report_id"] for r in site.rows("/archive/search_docs.json", _search_title="洪泽")}
    assert titles == {"hzq-2023"}
    assert box("2023") >= {"hzq-2023"}
    _, _, html = site.get("/archive/search_docs", _search="人防")
    html = html.decode()
    assert '<input id="_search" type="search" name="_search" value="人防">' in html
    assert "search matches &#34;人防&#34;" in html and 'href="/archive/reports/pzhrf-2019"' in html


def test_versions_page_lists_versions_and_changed_figures(site):
    data = site.json("/-/report/pzhrf-2019.json")
    article = [v for v in data["versions"] if v["kind"] == "article"]
    assert len(article) == 2 and article[0]["url"] == article[1]["url"]
    assert [v["version"] for v in article] == [1, 2] and article[0]["first_seen"] < article[1]["first_seen"]
    assert [v["current"] for v in article] == [False, True]
    assert all(v["gone_since"] is None for v in data["versions"])
    for v in data["versions"]:   # the exact bytes (?raw=1: an archived page is otherwise shown with its links rewritten)
        _, headers, body = site.get(v["archive_url"], raw=1)
        assert hashlib.sha256(body).hexdigest() == v["sha256"] == headers["X-Content-SHA256"]
    assert [(c["table_name"], c["row_code"], c["column_code"], c["old_value"], c["new_value"],
             c["old_raw"], c["new_raw"], c["old_sha256"], c["new_sha256"]) for c in data["changes"]] == [
        ("disclosure", "licensing", "items_change", 36, 37, "增加 36 件", "增加 37 件",
         article[0]["sha256"], article[1]["sha256"])]
    assert data["changes"][0]["changed_seen"] == article[1]["first_seen"]
    _, _, html = site.get("/-/report/pzhrf-2019")
    html = html.decode()
    section = html[html.index('<section id="versions">'):html.index('<section id="documents">')]
    assert section.count('<tr class="version') == len(data["versions"])
    assert f'<a class="sha" href="/-/documents/{article[1]["sha256"]}">{article[1]["sha256"]}</a>' in section
    assert '<td class="old">增加 36 件</td><td class="new">增加 37 件</td>' in section
    # a report whose documents never changed says so
    other = site.json("/-/report/jxrf-2020.json")
    assert other["changes"] == [] and other["versions"]
    assert "No figure changed between versions" in site.get("/-/report/jxrf-2020")[2].decode()


def test_cross_year_carry_chain_check(site):
    rows = site.rows("/archive/checks.json", code="applications.carry_chain", _sort="key")
    assert {r["report_id"] for r in rows} == {"jxrf-2021", "jxrf-2022"}
    assert {r["status"] for r in rows if r["report_id"] == "jxrf-2022"} == {"pass"}  # 2021 → 2022 agree
    by_key = {r["key"]: (r["status"], r["lhs"], r["rhs"]) for r in rows if r["report_id"] == "jxrf-2021"}
    assert by_key["natural_person"] == ("fail", 0, 3)
    assert by_key["total"] == ("fail", 0, 3)
    assert by_key["commercial"] == ("pass", 0, 0)
    assert len(by_key) == 7
    printed = site.json("/-/report/jxrf-2021.json")
    apps = {r["code"]: r for r in printed["tables"][1]["rows"]}
    over = {c["column"]: c for c in apps["carried_over"]["cells"]}
    assert any("carry_chain" in f for f in over["natural_person"]["failing"])


def test_versions_of_a_report_show_changed_figures(site):
    rows = site.rows("/archive/version_changes.json")
    assert [(r["report_id"], r["table_name"], r["row_code"], r["column_code"], r["old_value"], r["new_value"])
            for r in rows] == [("pzhrf-2019", "disclosure", "licensing", "items_change", 36, 37)]
    assert rows[0]["old_raw"] == "增加 36 件" and rows[0]["new_raw"] == "增加 37 件"


def test_coverage_view(site):
    rows = {(r["agency_id"], r["year"]): r["status"] for r in site.rows("/archive/coverage.json", _size="max")}
    assert rows[("pzhrf", 2019)] == "archived" and rows[("jxrf", 2021)] == "archived"
    assert rows[("pzhrf", 2017)] == "listed_only" and rows[("pzhrf", 2020)] == "listed_only"
    assert rows[("jxrf", 2016)] == "missing"
    assert min(y for _, y in rows) == 2014
    _, _, html = site.get("/-/coverage")
    assert "攀枝花市人民防空办公室" in html.decode()


def test_markup_in_titles_is_escaped(site):
    _, _, html = site.get("/archive/report_overview", year="2020")
    html = html.decode()
    assert "<script>document.title" not in html and "&lt;script&gt;" in html


def test_cells_read_by_ocr_with_low_confidence_are_marked(site):
    """facts.confidence (issue 11: OCR'd cells, 0-1): below the threshold a cell is marked."""
    from parsers.model import LOW_CONFIDENCE

    conn = sqlite3.connect(DataDir(site.data_dir).db)
    if "confidence" not in {c[1] for c in conn.execute("pragma table_info(facts)")}:
        conn.execute("alter table facts add column confidence real")  # as the schema migration does
    with conn:
        conn.execute("update facts set confidence = 0.55 where report_id = 'hzq-2023' and table_name = 'appeals' "
                     "and row_code = 'review' and column_code = 'upheld'")
        conn.execute("update facts set confidence = 0.97 where report_id = 'hzq-2023' and table_name = 'appeals' "
                     "and row_code = 'review' and column_code = 'corrected'")
    conn.close()
    assert 0.55 < LOW_CONFIDENCE < 0.97
    data, tables = printed_tables(site, "hzq-2023")
    cells = cells_by_code(tables["appeals"]["rows"][0])
    assert cells[("review", "upheld")]["low_confidence"] == 0.55
    assert "low_confidence" not in cells[("review", "corrected")]
    assert data["low_confidence"] == 1
    _, _, html = site.get("/-/report/hzq-2023")
    html = html.decode()
    assert html.count("low-confidence\" data-code=") == 1 and 'data-code="review.upheld"' in html
    assert f"1 figure read by OCR with confidence below {LOW_CONFIDENCE}" in html
    # 洪泽 prints 四's 总计 0 beside non-zero parts: the failing check names the unsure figure
    review = next(c for c in data["checks"] if (c["code"], c["key"]) == ("appeals.group_sum", "review"))
    assert review["status"] == "fail" and review["low_confidence_cells"] == ["review.upheld"]
    assert "(involves review.upheld, read by OCR with low confidence" in html
