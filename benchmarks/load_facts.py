"""Load throughput: facts/s of the loader's write path vs a bare sqlite-utils insert_all.

    .venv/bin/python -m benchmarks.load_facts [--reports 2000]

Both sides write the same rows into a fresh archive (same table, keys and indexes):
- loader: ``archive.load.write_report`` for each report (delete old facts/checks, update the
  report, insert facts and checks in one transaction), then ``refresh_derived`` once
  (cross-year checks, search index), as ``load_archive`` does;
- bare: ``db["facts"].insert_all(rows, batch_size=1000)``.
The parse itself is not timed (it is the parser's cost, measured elsewhere).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import parsers
from archive.derived import refresh_derived
from archive.load import write_report
from archive.schema import open_archive

SAMPLE = Path(__file__).resolve().parents[1] / "sample_portal" / "documents" / "seed004.pdf"


def setup(path: Path, n: int):
    db = open_archive(path)
    db["agencies"].insert({"id": "a", "name": "某人防办", "level": "city", "province": "四川"})
    db["documents"].insert({"sha256": "0" * 64, "size": 1, "media_type": "application/pdf",
                            "first_seen": "2026-01-01", "last_seen": "2026-01-01"})
    db["reports"].insert_all([{"id": f"a-{1000 + i}", "agency_id": "a", "year": 1000 + i,
                               "parse_status": "pending"} for i in range(n)])
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=2000)
    args = ap.parse_args()
    report = parsers.parse_document(SAMPLE.read_bytes(), filename=SAMPLE.name)
    n = args.reports
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = setup(tmp / "loader.db", n)
        t0 = time.perf_counter()
        for i in range(n):
            write_report(db, f"a-{1000 + i}", "0" * 64, "parsed", None, report)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        refresh_derived(db, tmp)
        t_derived = time.perf_counter() - t0
        facts = db["facts"].count
        rows = list(db["facts"].rows)
        db.close()

        bare = setup(tmp / "bare.db", n)
        t0 = time.perf_counter()
        bare["facts"].insert_all(rows, batch_size=1000)
        t_bare = time.perf_counter() - t0
        assert bare["facts"].count == facts

    print("| reports | facts | loader write_report | + derived | bare insert_all | ratio (write) | ratio (+derived) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {n} | {facts} | {facts / t_write:,.0f} facts/s | {facts / (t_write + t_derived):,.0f} facts/s "
          f"| {facts / t_bare:,.0f} facts/s | {t_bare / t_write:.2f} | {t_bare / (t_write + t_derived):.2f} |")


if __name__ == "__main__":
    main()
