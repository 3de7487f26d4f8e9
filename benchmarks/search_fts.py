"""Full-text query latency on an archive of 10,000+ reports (bigram FTS5, archive/search.py).

    .venv/bin/python -m benchmarks.search_fts [--reports 10000] [--repeat 50]

Builds a synthetic archive: report texts of ~5.5 KB assembled from the paragraphs of the two
seed reports (../shared/seeds) with varied office names and years, indexes it with
``refresh_search`` (timed), then times each query ``--repeat`` times through the SQL the
Datasette ``search`` canned query runs (top 100 with snippet) and through ``search()`` (top 20),
and prints median and 95th percentile.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from archive.schema import open_archive
from archive.search import fts_query, refresh_search, snippet
from archive.site_metadata import QUERIES

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
QUERY_WORDS = ["人防", "复议", "诉讼", "防空", "人民防空", "行政复议", "政府信息公开", "依申请公开",
               "政务公开 人防", "攀枝花", "不予公开", "国家秘密", "结转下年度继续办理", "防"]


def build(path: Path, n: int, rng: random.Random) -> float:
    paragraphs = [p.strip() for f in sorted(SEEDS.glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 20]
    places = ["江西省", "四川省", "攀枝花市", "南昌市", "成都市", "淮安市", "洪泽区", "广东省", "杭州市", "西湖区",
              "贵州省", "遵义市", "湖南省", "长沙市", "河北省", "石家庄市", "安徽省", "合肥市", "云南省", "昆明市"]
    db = open_archive(path)
    agencies = [{"id": f"a{i}", "name": f"{rng.choice(places)}{rng.choice(places)}人民防空办公室",
                 "level": rng.choice(["province", "city", "county"]), "province": rng.choice(places)}
                for i in range(n // 10 + 1)]
    db["agencies"].insert_all(agencies)
    reports, texts, docs = [], [], []
    for i in range(n):
        agency = agencies[i // 10]
        year = 2008 + i % 10 + (i // 10) % 8
        sha = f"{i:064x}"
        body = []
        while sum(map(len, body)) < 1900:  # ~1,900 characters ≈ 5.5 KB of UTF-8
            body.append(rng.choice(paragraphs))
        texts.append({"sha256": sha, "text": agency["name"] + f"{year}年政府信息公开工作年度报告\n" + "\n".join(body)})
        docs.append({"sha256": sha, "size": 1, "media_type": "text/plain", "first_seen": "2026", "last_seen": "2026"})
        reports.append({"id": f"{agency['id']}-{year}-{i}", "agency_id": agency["id"], "year": year,
                        "title": f"{agency['name']}{year}年政府信息公开工作年度报告", "parse_status": "parsed",
                        "source_sha256": sha})
    db["documents"].insert_all(docs, batch_size=1000)
    db["document_texts"].insert_all(texts, batch_size=1000)
    db["reports"].insert_all(reports, batch_size=1000)
    t0 = time.perf_counter()
    refresh_search(db)
    took = time.perf_counter() - t0
    db.close()
    return took


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        index_s = build(path, args.reports, rng)
        import sqlite3
        conn = sqlite3.connect(path)
        conn.create_function("cjk_fts_query", 1, fts_query, deterministic=True)
        conn.create_function("cjk_snippet", 2, snippet, deterministic=True)
        canned = QUERIES["search"]["sql"]
        top20 = ("select d.report_id from search_bigrams s join search_docs d on d.id = s.rowid "
                 "where search_bigrams match cjk_fts_query(?) order by bm25(search_bigrams, 5.0, 1.0) limit 20")
        size = path.stat().st_size
        text_bytes = conn.execute("select sum(length(cast(text as blob))) from search_docs").fetchone()[0]
        print(f"{args.reports} reports, {text_bytes / args.reports / 1024:.1f} KB text each; "
              f"indexed in {index_s:.1f} s; database {size / 2**20:.0f} MB")
        print("| query | hits | top-100 + snippet p50 | p95 | top-20 p50 | p95 |")
        print("|---|---|---|---|---|---|")
        all_canned, all_top = [], []
        for q in QUERY_WORDS:
            hits = conn.execute("select count(*) from search_bigrams where search_bigrams match ?",
                                [fts_query(q)]).fetchone()[0]
            t_canned, t_top = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                conn.execute(canned, {"q": q}).fetchall()
                t_canned.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                conn.execute(top20, [q]).fetchall()
                t_top.append((time.perf_counter() - t0) * 1000)
            all_canned += t_canned
            all_top += t_top
            print(f"| {q} | {hits} | {statistics.median(t_canned):.1f} ms | {percentile(t_canned, 95):.1f} ms "
                  f"| {statistics.median(t_top):.1f} ms | {percentile(t_top, 95):.1f} ms |")
        print(f"| **all queries** | | {statistics.median(all_canned):.1f} ms | {percentile(all_canned, 95):.1f} ms "
              f"| {statistics.median(all_top):.1f} ms | {percentile(all_top, 95):.1f} ms |")


if __name__ == "__main__":
    main()
