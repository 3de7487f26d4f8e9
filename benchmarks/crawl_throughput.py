"""Crawl throughput and peak memory of the renfang crawler against a bare Scrapy spider, and of
a crawl that needs the browser.

    .venv/bin/python -m benchmarks.crawl_throughput [--reports 1000] [--per-page 10] [--repeat 3]
    .venv/bin/python -m benchmarks.crawl_throughput --portal js [--repeat 1]

``--portal static`` (the default) serves a generated TRS-WCM-style portal on 127.0.0.1 (home →
政务公开 → 政府信息公开年报 with ``createPageHTML`` pages → one article per report → one PDF per
article: ``2 × reports + reports / per_page + 3`` pages), then crawls it, politeness off (no delay,
no AutoThrottle, 16 requests at a time per host, robots.txt obeyed by both), with

- ``bare``: a plain Scrapy spider that follows exactly the same links and keeps nothing;
- ``renfang``: ``renfang crawl`` (the one portal spider, detecting the TRS pager, with ledger, store, fetch log, WARC).

No page of it needs the browser: the run checks that no Chromium (nor Playwright driver) process
ran under the crawl (``/proc``, every 0.2 s) and that the crawl's stats count no browser page.

``--portal js`` serves the script-built test portals of ``tests/portals/shapes_js.py`` (17 sites
whose lists, pagers, year selectors, downloads and challenges only work with their JavaScript
run) and crawls them with ``renfang crawl`` (browser on): pages/s, the pages that went through
the browser, the reports found of those the portals publish, and the peak memory of the crawl's
whole process tree, Chromium's processes included (the RSS of every process under the crawl
summed, sampled every 0.2 s; the PSS sum beside it counts pages they share once).

Each crawl runs in its own process (fresh data dir); pages/s = responses / Scrapy's
``elapsed_time_seconds``; pages per CPU second = responses / the crawl process's user + system
time (its whole life: start-up included); peak memory of the static runs = the crawl process's
max RSS. Results are appended to ``benchmarks/crawl_results.md``.
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
import threading
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
      "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
      "browser_pages": sum(s.get_value("renfang/browser_pages") or 0 for s in stats),
      "browser_stats": sorted({k for s in stats for k in s.get_stats() if k.startswith("playwright/")
                               or k.startswith("renfang/browser")}),
      "exit_code": res.exit_code}))
'''


def _proc_table() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, RSS in kB) of every process, from /proc."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            with open(f"/proc/{entry.name}/statm", "rb") as f:
                rss_pages = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue      # gone meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        out[int(entry.name)] = (ppid, name, rss_pages * os.sysconf("SC_PAGE_SIZE") // 1024)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _chromium_type(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return "?"
    # (Chromium rewrites its processes' command lines: the arguments one string, not NUL-separated)
    m = re.search(rb"--type=([\w-]+)", cmdline)
    return m.group(1).decode() if m else "browser"


class TreeWatch(threading.Thread):
    """Samples the process tree under ``root`` every ``every`` seconds: the peak of the summed
    RSS (and PSS) of all its processes, and the names of every process that ran under it."""

    def __init__(self, root: int, every: float = 0.2, pss: bool = False):
        super().__init__(daemon=True)
        self.root, self.every, self.pss = root, every, pss
        self.peak_rss_kb = self.peak_pss_kb = self.samples = self.most_processes = 0
        self.names: dict[str, int] = {}      # command name -> the most processes of it at once
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            table = _proc_table()
            children: dict[int, list[int]] = {}
            for pid, (ppid, _, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            tree, todo = [], [self.root]
            while todo:
                pid = todo.pop()
                if pid in table:
                    tree.append(pid)
                    todo += children.get(pid, [])
            if tree:
                self.samples += 1
                self.peak_rss_kb = max(self.peak_rss_kb, sum(table[p][2] for p in tree))
                if self.pss:
                    self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(p) for p in tree))
                self.most_processes = max(self.most_processes, len(tree))
                counts: dict[str, int] = {}
                for p in tree[1:]:
                    name = table[p][1]
                    if "chrom" in name.lower():     # Chromium's processes by their --type (renderer, zygote …)
                        name = f"{name} {_chromium_type(p)}"
                    counts[name] = counts.get(name, 0) + 1
                for name, n in counts.items():
                    self.names[name] = max(self.names.get(name, 0), n)
            self.done.wait(self.every)

    def browser_processes(self) -> dict[str, int]:
        """Chromium's or Playwright's driver's processes seen under the crawl (name -> most at once)."""
        return {n: k for n, k in self.names.items() if any(w in n.lower() for w in ("chrom", "playwright", "node"))}


def run(cmd: list[str], pss: bool = False, cwd: Path = REPO) -> dict:
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watch = TreeWatch(proc.pid, pss=pss)
    watch.start()
    try:
        stdout, stderr = proc.communicate(timeout=1800)
    finally:
        watch.done.set()
        watch.join()
    m = re.search(r"^RESULT (.*)$", stdout, re.M)
    if not m:
        raise SystemExit(f"{cmd[:3]} failed:\n{stdout[-2000:]}\n{stderr[-4000:]}")
    result = json.loads(m.group(1))
    result.update(tree_peak_rss_kb=watch.peak_rss_kb, tree_peak_pss_kb=watch.peak_pss_kb, samples=watch.samples,
                  browser_processes=watch.browser_processes(), most_processes=watch.most_processes,
                  stderr_tail=stderr[-3000:])
    return result


def _revision(checkout: Path) -> str:
    proc = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() or checkout.name


def _append(out: Path, text: str) -> None:
    print(text)
    if not out.exists():
        out.write_text("# Crawl throughput (benchmarks/crawl_throughput.py)\n\nNot run by `make test`. "
                       "Each section is one run of the command shown.\n", encoding="utf-8")
    with out.open("a", encoding="utf-8") as f:
        f.write(text + "\n")


def _heading(what: str) -> str:
    return (f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.python_version()} · "
            f"{os.cpu_count()} CPUs · {what}\n")


def static(args) -> int:
    portal = TestPortal(["bench"])
    try:
        pages = build(portal, args.reports, args.per_page)
        url = portal.url("bench")
        tmp = Path(tempfile.mkdtemp(prefix="renfang-bench-"))
        (tmp / "registry.csv").write_text(
            f"id,name,level,province,url\nbench,测试市人民防空办公室,city,四川,{url}\n", encoding="utf-8")
        bare_settings = [s for s in FAST if s != "-s" and not s.startswith(("RENFANG_",))]
        results = {"bare": [], "renfang": []}
        # --also DIR: the renfang crawler of another checkout (an earlier commit), run in turn with these
        also = {f"renfang@{_revision(d)}": d for d in args.also}
        results.update({k: [] for k in also})
        load_start = os.getloadavg()[0]
        for i in range(args.repeat):
            (tmp / "bare_spider.py").write_text(BARE, encoding="utf-8")  # Scrapy reads spiders' source
            results["bare"].append(run([sys.executable, str(tmp / "bare_spider.py"), url, *bare_settings]))
            data = tmp / f"data{i}"
            results["renfang"].append(run([sys.executable, "-c", RENFANG, "--registry", str(tmp / "registry.csv"),
                                           "--data-dir", str(data), *FAST]))
            shutil.rmtree(data, ignore_errors=True)
            for name, checkout in also.items():
                results[name].append(run([sys.executable, "-c", RENFANG, "--registry", str(tmp / "registry.csv"),
                                          "--data-dir", str(data), *FAST], cwd=checkout))
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
    # no page of this portal needs the browser: no Chromium may have run, no browser page counted
    browser_seen = {n: k for r in results["renfang"] for n, k in r["browser_processes"].items()}
    browser_pages = sum(r["browser_pages"] for r in results["renfang"])
    # (renfang/browser_off, when there is no Chromium: said, but no browser ran either)
    browser_stats = sorted({k for r in results["renfang"] for k in r["browser_stats"] if k != "renfang/browser_off"})
    samples = min(r["samples"] for r in results["renfang"])
    lines = [
        _heading(f"portal of {pages} pages ({args.reports} reports)"),
        f"`.venv/bin/python -m benchmarks.crawl_throughput --reports {args.reports} --per-page {args.per_page} "
        f"--repeat {args.repeat}" + "".join(f" --also {d}" for d in args.also) + "`\n",
        "| crawler | responses | pages/s (each run) | best pages/s | pages per CPU s (each run) | CPU s (each run) | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in ("bare", "renfang", *also):
        lines.append(f"| {k} | {best[k]['responses']} | " + ", ".join(f"{rate(r):.0f}" for r in results[k])
                     + f" | {rate(best[k]):.0f} | " + ", ".join(f"{per_cpu(r):.0f}" for r in results[k])
                     + " | " + ", ".join(f"{r['cpu']:.2f}" for r in results[k])
                     + f" | {max(r['maxrss_kb'] for r in results[k]) / 1024:.0f} |")
    load = os.getloadavg()[0]
    met = "met" if ratio >= 0.9 and cpu_ratio >= 0.8 else "NOT met"
    lines.append(f"\nrenfang / bare = **{ratio:.2f}** in pages/s (target ≥ 0.9), **{cpu_ratio:.2f}** in pages per CPU "
                 f"second (target ≥ 0.8): {met}; renfang peak memory **{peak:.0f} MB** (target < 300 MB); load average "
                 f"{load_start:.1f} at the start, {load:.1f} at the end, on {os.cpu_count()} CPUs")
    lines.append(f"\nBrowser during the renfang crawls: "
                 + (f"**Chromium/Playwright processes seen: {browser_seen}**" if browser_seen else
                    f"no Chromium or Playwright process under the crawl ({samples}+ samples of its process tree "
                    f"each run)")
                 + f"; renfang/browser_pages = {browser_pages}"
                 + (f"; browser stats present: {', '.join(browser_stats)}" if browser_stats else
                    "; no playwright/* or renfang/browser* stat") + "\n")
    _append(args.out, "\n".join(lines))
    return 1 if browser_seen or browser_pages or browser_stats else 0


def js(args) -> int:
    """The script-built portals (tests/portals/shapes_js.py), crawled with the browser."""
    from tests.helpers import q
    from tests.portals import shapes_js

    rows = []
    for i in range(args.repeat):
        with shapes_js.SITES.start() as portal:
            tmp = Path(tempfile.mkdtemp(prefix="renfang-bench-js-"))
            registry = shapes_js.SITES.write_registry(portal, tmp / "registry.csv")
            data = tmp / "data"
            r = run([sys.executable, "-c", RENFANG, "--registry", str(registry), "--data-dir", str(data), *FAST],
                    pss=True)
            score = shapes_js.SITES.score(portal, data)
            r["found"] = sum(v["found"] for v in score.values())
            r["expected"] = sum(v["expected"] for v in score.values())
            r["wrong"] = sum(len(v["extra"]) + len(v["wrongly_archived"]) for v in score.values())
            r["sites"] = len(score)
            r["statuses"] = dict(q(data, "select status, count(*) from crawl_sites group by status"))
            rows.append(r)
            shutil.rmtree(tmp, ignore_errors=True)
    lines = [
        _heading(f"script-built portals: {rows[0]['sites']} sites of tests/portals/shapes_js.py, browser on"),
        f"`.venv/bin/python -m benchmarks.crawl_throughput --portal js --repeat {args.repeat}`\n",
        "| run | responses | elapsed s | pages/s | browser pages | reports found / published (wrong) "
        "| CPU s (crawl process) | peak RSS of the process tree MB (PSS) | most processes | Chromium processes (most of each kind at once) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        chromium = sum(k for n, k in r["browser_processes"].items() if "chrom" in n.lower())
        kinds = ", ".join(f"{n.split(' ', 1)[-1]} {k}" for n, k in sorted(r["browser_processes"].items())
                          if "chrom" in n.lower())
        lines.append(f"| {i} | {r['responses']} | {r['elapsed']:.1f} | {r['responses'] / r['elapsed']:.1f} | "
                     f"{r['browser_pages']} | {r['found']} / {r['expected']} ({r['wrong']}) | {r['cpu']:.1f} | "
                     f"{r['tree_peak_rss_kb'] / 1024:.0f} ({r['tree_peak_pss_kb'] / 1024:.0f}) | {r['most_processes']} | "
                     f"{chromium} ({kinds}) |")
    peak = max(r["tree_peak_rss_kb"] for r in rows) / 1024
    load = os.getloadavg()[0]
    lines.append(f"\nPeak memory of the crawl including Chromium: **{peak:.0f} MB** summed RSS (target < 1536 MB: "
                 f"{'met' if peak < 1536 else 'NOT met'}); site statuses {rows[-1]['statuses']}; the tree sampled "
                 f"every 0.2 s ({min(r['samples'] for r in rows)}+ samples a run); load average {load:.1f} on "
                 f"{os.cpu_count()} CPUs at the end\n")
    _append(args.out, "\n".join(lines))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--portal", choices=("static", "js"), default="static",
                    help="static: the generated TRS portal, renfang against bare Scrapy; js: the script-built "
                         "test portals, with the browser")
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=None, help="runs (3 static, 1 js)")
    ap.add_argument("--also", type=Path, action="append", default=[], metavar="DIR",
                    help="static: also crawl with the renfang of another checkout (e.g. a worktree of an earlier "
                         "commit), in turn with this one")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "crawl_results.md")
    args = ap.parse_args(argv)
    if args.repeat is None:
        args.repeat = 3 if args.portal == "static" else 1
    return static(args) if args.portal == "static" else js(args)


if __name__ == "__main__":
    sys.exit(main())
