"""Crawl throughput and peak memory of the renfang crawler against a bare Scrapy spider.

    .venv/bin/python -m benchmarks.crawl_throughput [--reports 1000] [--per-page 10] [--repeat 3]

Serves a generated TRS-WCM-style portal on 127.0.0.1 (home → 政务公开 → 政府信息公开年报 with
``createPageHTML`` pages → one article per report → one PDF per article: ``2 × reports +
reports / per_page + 3`` pages), then crawls it, politeness off (no delay, no AutoThrottle,
16 requests at a time per host, robots.txt obeyed by both), with

- ``bare``: a plain Scrapy spider that follows exactly the same links and keeps nothing;
- ``renfang``: ``renfang crawl`` (the one portal spider, detecting the TRS pager, with ledger, store, fetch log, WARC).

Each crawl runs in its own process (fresh data dir); pages/s = responses / Scrapy's
``elapsed_time_seconds``; peak memory = the process's max RSS. Results are appended to
``benchmarks/crawl_results.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.portals.server import Page, TestPortal  # noqa: E402

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING", "-s", "RENFANG_ALLOWED_SUFFIXES=",
        "-s", "RENFANG_PROGRESS_INTERVAL=0"]


def build(portal: TestPortal, reports: int, per_page: int) -> int:
    site = portal.sites["bench"]
    pages = {
        "/": Page('<html><body><a href="/zwgk/">政务公开</a></body></html>'.encode()),
        "/zwgk/": Page('<html><body><a href="/zwgk/nb/">政府信息公开年报</a></body></html>'.encode()),
    }
    n_pages = (reports + per_page - 1) // per_page
    for p in range(n_pages):
        items = []
        for i in range(p * per_page, min(reports, (p + 1) * per_page)):
            items.append(f'<li><a href="./{i:05d}/t{i:05d}.html" title="测试市人民防空办公室{2008 + i % 17}年'
                         f'政府信息公开工作年度报告">报告{i}</a><span>2024-01-01</span></li>')
            pages[f"/zwgk/nb/{i:05d}/t{i:05d}.html"] = Page(
                (f'<html><head><meta name="ArticleTitle" content="测试市人民防空办公室{2008 + i % 17}年政府信息公开'
                 f'工作年度报告"></head><body><p>{"正文" * 400}</p><a href="./P{i:05d}.pdf">附件</a></body></html>').encode())
            pages[f"/zwgk/nb/{i:05d}/P{i:05d}.pdf"] = Page(
                b"%PDF-1.4\n" + os.urandom(8000) + f"\n{i}\n%%EOF\n".encode(), "application/pdf")
        stem = "index.html" if p == 0 else f"index_{p}.html"
        body = (f'<html><body><ul>{"".join(items)}</ul><script>createPageHTML({n_pages}, {p}, "index", "html");'
                "</script></body></html>").encode()
        pages[f"/zwgk/nb/{stem}"] = Page(body)
        if p == 0:
            pages["/zwgk/nb/"] = Page(body)
    site.set_pages(pages)
    return len(pages) - 1  # /zwgk/nb/ and index.html are one page to a crawler (only one is linked)


BARE = '''
import re, sys, scrapy
from scrapy.crawler import CrawlerProcess
from urllib.parse import urljoin

class Bare(scrapy.Spider):
    name = "bare"
    start_urls = [sys.argv[1]]
    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse_any)
    def parse_any(self, response):
        if not hasattr(response, "text"):
            return
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse_any)
        m = re.search(r'createPageHTML\\((\\d+), 0, "index", "html"\\)', response.text)
        if m:
            for i in range(1, int(m.group(1))):
                yield response.follow(f"index_{i}.html", self.parse_any)

settings = dict(arg.split("=", 1) for arg in sys.argv[2:])
settings.update(ROBOTSTXT_OBEY=True, USER_AGENT="bare", TELNETCONSOLE_ENABLED=False)
process = CrawlerProcess(settings)
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
import json, resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT " + json.dumps({"responses": crawler.stats.get_value("response_received_count"),
      "elapsed": crawler.stats.get_value("elapsed_time_seconds"),
      "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}))
'''

RENFANG = '''
import json, resource, sys
from click.testing import CliRunner
import scrapy.crawler

created = []
orig_init = scrapy.crawler.Crawler.__init__
def init(self, *a, **k):
    orig_init(self, *a, **k)
    created.append(self)
scrapy.crawler.Crawler.__init__ = init
from renfang.cli import cli
res = CliRunner().invoke(cli, ["crawl", *sys.argv[1:]], catch_exceptions=False)
print(res.output, file=sys.stderr)
stats = [c.stats for c in created if c.stats.get_value("elapsed_time_seconds")]
usage = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT " + json.dumps({"responses": sum(s.get_value("response_received_count") or 0 for s in stats),
      "elapsed": max(s.get_value("elapsed_time_seconds") for s in stats),
      "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}))
'''


def run(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=1800)
    m = re.search(r"^RESULT (.*)$", proc.stdout, re.M)
    if not m:
        raise SystemExit(f"{cmd[:3]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(m.group(1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "crawl_results.md")
    args = ap.parse_args(argv)
    portal = TestPortal(["bench"])
    try:
        pages = build(portal, args.reports, args.per_page)
        url = portal.url("bench")
        tmp = Path(tempfile.mkdtemp(prefix="renfang-bench-"))
        (tmp / "registry.csv").write_text(
            f"id,name,level,province,url\nbench,测试市人民防空办公室,city,四川,{url}\n", encoding="utf-8")
        bare_settings = [s for s in FAST if s != "-s" and not s.startswith(("RENFANG_",))]
        results = {"bare": [], "renfang": []}
        for i in range(args.repeat):
            (tmp / "bare_spider.py").write_text(BARE, encoding="utf-8")  # Scrapy reads spiders' source
            results["bare"].append(run([sys.executable, str(tmp / "bare_spider.py"), url, *bare_settings]))
            data = tmp / f"data{i}"
            results["renfang"].append(run([sys.executable, "-c", RENFANG, "--registry", str(tmp / "registry.csv"),
                                           "--data-dir", str(data), *FAST]))
            shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        portal.stop()
    def rate(r):
        return r["responses"] / r["elapsed"]
    def per_cpu(r):   # pages per CPU second: what a loaded, shared machine changes least
        return r["responses"] / r["cpu"]
    best = {k: max(v, key=rate) for k, v in results.items()}
    ratio = rate(best["renfang"]) / rate(best["bare"])
    cpu_ratio = max(map(per_cpu, results["renfang"])) / max(map(per_cpu, results["bare"]))
    peak = max(r["maxrss_kb"] for r in results["renfang"]) / 1024
    lines = [
        f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · portal of {pages} pages ({args.reports} reports)\n",
        f"`.venv/bin/python -m benchmarks.crawl_throughput --reports {args.reports} --per-page {args.per_page} "
        f"--repeat {args.repeat}`\n",
        "| crawler | responses | pages/s (each run) | best pages/s | pages per CPU s (each run) | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for k in ("bare", "renfang"):
        lines.append(f"| {k} | {best[k]['responses']} | " + ", ".join(f"{rate(r):.0f}" for r in results[k])
                     + f" | {rate(best[k]):.0f} | " + ", ".join(f"{per_cpu(r):.0f}" for r in results[k])
                     + f" | {max(r['maxrss_kb'] for r in results[k]) / 1024:.0f} |")
    load = os.getloadavg()[0]
    lines.append(f"\nrenfang / bare = **{ratio:.2f}** in pages/s, **{cpu_ratio:.2f}** in pages per CPU second "
                 f"(target ≥ 0.8); renfang peak memory **{peak:.0f} MB** (target < 300 MB); load average "
                 f"{load:.1f} on {os.cpu_count()} CPUs at the end\n")
    text = "\n".join(lines)
    print(text)
    if not args.out.exists():
        args.out.write_text("# Crawl throughput (benchmarks/crawl_throughput.py)\n\nNot run by `make test`. "
                            "Each section is one run of the command shown.\n", encoding="utf-8")
    with args.out.open("a", encoding="utf-8") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
