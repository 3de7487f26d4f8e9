"""Report discovery on sites the crawler has never been tuned for: recall, precision and
requests per report, per site.

Serves the test portals of ``tests/portals/shapes.py`` (unseen shapes: JSON-filled lists,
count-down paging, year selectors, city portals listing every department, download
scripts …) and of ``tests/portals/sites.py`` on 127.0.0.1, writes a registry with only
``id,name,level,province,url``, runs ``renfang crawl`` on it and scores the archive.

    python -m benchmarks.discovery [--out benchmarks/discovery_results.md]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RENFANG_ALLOWED_SUFFIXES=",
        "-s", "RENFANG_PROGRESS_INTERVAL=0"]


def crawl_shapes(data_dir: Path) -> tuple[dict, subprocess.CompletedProcess]:
    sys.path.insert(0, str(REPO))
    from tests.portals import shapes
    portal = shapes.start()
    try:
        registry = shapes.write_registry(portal, data_dir.parent / "registry.csv")
        proc = subprocess.run([sys.executable, "-m", "renfang.cli", "crawl", "--registry", str(registry),
                               "--data-dir", str(data_dir), *FAST], cwd=REPO, capture_output=True, text=True,
                              timeout=1200)
        return shapes.score(portal, data_dir), proc
    finally:
        portal.stop()


def table(scores: dict, statuses: dict) -> str:
    rows = ["| site | found / expected | recall | precision | documents | wrongly archived | "
            "distractors requested | requests | requests / report | status |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for sid, s in scores.items():
        rows.append(f"| {sid} | {s['found']} / {s['expected']} | {s['recall']} | {s['precision']} | "
                    f"{s['documents_found']} / {s['documents_expected']} | {len(s['wrongly_archived'])} | "
                    f"{len(s['distractors_requested'])} | {s['requests']} | {s['requests_per_report']} | "
                    f"{statuses.get(sid, '?')} |")
    found = sum(s["found"] for s in scores.values())
    expected = sum(s["expected"] for s in scores.values())
    rows.append(f"| **all** | **{found} / {expected}** | {found / expected:.3f} | | | "
                f"{sum(len(s['wrongly_archived']) for s in scores.values())} | | "
                f"{sum(s['requests'] for s in scores.values())} | | |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the table to this markdown file")
    args = ap.parse_args()
    import sqlite3
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        started = time.monotonic()
        scores, proc = crawl_shapes(data)
        conn = sqlite3.connect(data / "archive.db")
        statuses = dict(conn.execute("select agency_id, status from crawl_sites"))
        conn.close()
        seconds = time.monotonic() - started
    out = table(scores, statuses)
    print(out)
    for sid, s in scores.items():
        if s["missing"] or s["extra"] or s["wrongly_archived"]:
            print(f"{sid}: missing {s['missing']} extra {s['extra']} wrongly archived {s['wrongly_archived']}")
    print(f"crawl exit code {proc.returncode}, {seconds:.0f} s")
    if args.out:
        args.out.write_text(
            "# Report discovery on unseen sites\n\n"
            "`python -m benchmarks.discovery --out benchmarks/discovery_results.md` (registry: "
            "`id,name,level,province,url` only; test portals of `tests/portals/shapes.py`).\n\n"
            f"{out}\n\nCrawl exit code {proc.returncode} (3: some site not ok), {seconds:.0f} s.\n",
            encoding="utf-8")


if __name__ == "__main__":
    main()
