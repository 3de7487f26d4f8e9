"""Hostile queries against the published archive (issue 23, point 1): what they cost Datasette.

    python -m sample_portal.server &   # or any crawled and loaded data dir
    nice -n 10 .venv/bin/python -m benchmarks.hostile_queries --data-dir data [--rounds 5] [--out benchmarks/hostile_results.md]

Starts Datasette as ``renfang serve`` does (``renfang.cli.datasette_command``), then sends the four
hostile queries of the issue at once, ``--rounds`` times: a CTE of 40 ``zeroblob(2000000)``, a
printf width of 10⁹, a CSV stream of a 10⁷-row CTE and an endless recursive CTE. For each: the
HTTP status, the size of the answer and its time (client side, the whole answer read); for the
process: its resident memory before, its peak (``VmHWM``) and after.
"""
from __future__ import annotations

import argparse
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from renfang.cli import datasette_command

FOUR = {
    "zeroblob CTE": "with recursive c(x) as (select 1 union all select x+1 from c limit 40) select zeroblob(2000000) from c",
    "printf width": "select printf('%.*c', 1000000000, 'x')",
    "10^7-row CSV": "with recursive c(x) as (select 1 union all select x+1 from c limit 10000000) select x from c",
    "recursive CTE": "with recursive c(x) as (select 1 union all select x+1 from c) select count(*) from c",
}


def memory(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    raise RuntimeError(key)


def ask(base: str, name: str) -> tuple[int, int, float]:
    fmt, extra = ("csv", {"_stream": "on"}) if "CSV" in name else ("json", {})
    url = f"{base}/archive.{fmt}?" + urllib.parse.urlencode({"sql": FOUR[name], **extra})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return status, len(body), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    proc = subprocess.Popen(datasette_command(args.data_dir, "127.0.0.1", args.port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/archive/facts", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        before = memory(proc.pid, "VmRSS")
        rows = []
        for n in range(1, args.rounds + 1):
            with ThreadPoolExecutor(len(FOUR)) as pool:
                for name, (status, size, seconds) in zip(FOUR, pool.map(lambda q: ask(base, q), FOUR)):
                    rows.append(f"| {n} | {name} | {status} | {size:,} | {seconds:.2f} |")
        peak = memory(proc.pid, "VmHWM")
        time.sleep(0.5)
        after = memory(proc.pid, "VmRSS")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    text = "\n".join([
        "# Four hostile queries at once (issue 23, point 1)", "",
        f"    nice -n 10 .venv/bin/python -m benchmarks.hostile_queries --data-dir {args.data_dir} "
        f"--rounds {args.rounds} --out {args.out or '…'}", "",
        f"Datasette (as `renfang serve` runs it): {before} MB resident before, peak {peak} MB, {after} MB after.", "",
        "| round | query | HTTP | bytes | seconds |", "|---:|---|---:|---:|---:|", *rows, ""])
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
