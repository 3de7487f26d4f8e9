"""A crawl across machines (crawler/distributed.py, archive/merge.py) against the test portals
(tests/portals) with a real ``redis-server`` on loopback: two ``renfang crawl --redis`` workers
in parallel, each into its own data dir, then ``renfang merge`` and ``renfang load``; compared
with one worker crawling the same portal (``renfang run``), table by table.

Round 2: the merged archive is merged back into each worker (so each knows every URL's
validators and holds every object) and the unchanged portal is crawled again by both workers.
"""
from __future__ import annotations

import collections
import os
import shutil
import subprocess
import threading
import time

import pytest

from archive.vocab import DOCUMENT_KINDS
from tests.helpers import ONLY_REGISTRY, RENFANG, REPO, Receiver, free_port, q, renfang
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

WORKERS = 2


@pytest.fixture(scope="module")
def redis_url():
    """A real redis-server (Debian's, scripts/system-packages.txt) on 127.0.0.1, no persistence."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"redis-server did not start: {proc.communicate()[0]}")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


#: a politeness delay, as a real crawl has (crawler/settings.py: 0.5 s): without one, on loopback,
#: the worker whose callbacks push the requests pulls them back before another polls the queue
#: (measured on a loaded machine: one worker made all 38 requests of both rounds)
WORKER_DELAY = ["-s", "DOWNLOAD_DELAY=0.1"]


def workers(registry, dirs, redis_url, *options) -> list[subprocess.CompletedProcess]:
    """``renfang crawl --redis`` in WORKERS processes at once; their results."""
    procs = [subprocess.Popen([*RENFANG, "crawl", "--registry", str(registry), "--data-dir", str(d),
                               "--redis", redis_url, "--workers", str(len(dirs)), *ONLY_REGISTRY, *WORKER_DELAY,
                               *options],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
             for d in dirs]
    out = []
    for p, d in zip(procs, dirs):
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode in (0, 3), f"worker {d} exited {p.returncode}\n{stdout}\n{stderr[-4000:]}"
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def share(data_dir) -> int:
    """Requests of a worker's last run (robots.txt aside: each worker asks for it)."""
    return q(data_dir, "select count(*) from fetches where url not like '%/robots.txt' "
                       "and run_id = (select max(id) from crawl_runs)")[0][0]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory, redis_url):
    root = tmp_path_factory.mktemp("distributed")
    portal = sites.start()
    hook = Receiver()           # every worker and merge is configured to deliver alerts to it
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    config = root / "renfang.toml"
    config.write_text(f'[webhook]\nurl = "http://127.0.0.1:{hook.server_port}/hook"\n', encoding="utf-8")
    posted = {}
    try:
        registry = sites.write_registry(portal, root / "registry.csv")
        single = root / "single"
        renfang("run", "--registry", registry, "--data-dir", single, *ONLY_REGISTRY, expect=3)
        hits_single = list(portal.hits)

        sites.build(portal, 1)           # the same portal again (its 500-once pages fail once more)
        portal.clear()
        dirs = [root / f"worker{i}" for i in range(1, WORKERS + 1)]
        round1 = workers(registry, dirs, redis_url, "--config", config)
        hits1 = list(portal.hits)
        posted["workers"] = list(hook.posted)
        shares = {1: [share(d) for d in dirs]}
        merged = root / "merged"
        merges = [renfang("merge", "--data-dir", merged, *dirs, "--config", config)]
        posted["merge"] = list(hook.posted[len(posted["workers"]):])
        renfang("load", "--data-dir", merged)
        snapshot = {t: rows(merged, t) for t in COMPARED}
        merges.append(renfang("merge", "--data-dir", merged, *dirs, "--config", config))  # again: nothing changes
        again = {t: rows(merged, t) for t in COMPARED}
        posted["merge again"] = list(hook.posted[len(posted["workers"]) + len(posted["merge"]):])

        # round 2: every worker starts from the merged archive, the portal unchanged
        for d in dirs:
            renfang("merge", "--data-dir", d, merged)
        shutil.copytree(merged, root / "merged-round1")
        portal.clear()
        # without the early stop on unchanged lists, so that every document is asked again
        # (conditionally), most by a worker that did not fetch it in round 1
        before = len(hook.posted)
        round2 = workers(registry, dirs, redis_url, "-s", "RENFANG_EARLY_STOP=False", "--config", config)
        hits2 = list(portal.hits)
        posted["round 2 workers"] = list(hook.posted[before:])
        shares[2] = [share(d) for d in dirs]

        # round 3, on copies: round 2 merged (an unchanged portal: nothing gone), merged back into
        # each worker, then the portal changes (a report deleted, one added, one edited) and the
        # workers crawl it; merged one share at a time. Compared with one worker crawling the
        # changed portal after round 1.
        gone = root / "gone"
        shutil.copytree(merged, gone / "merged")
        dirs3 = [gone / d.name for d in dirs]
        gone_merges = [renfang("merge", "--data-dir", gone / "merged", *dirs)]
        gone_after_round2 = gone_rows(gone / "merged")
        for d, d3 in zip(dirs, dirs3):
            shutil.copytree(d, d3)
            renfang("merge", "--data-dir", d3, gone / "merged")
        sites.build(portal, 2)
        workers(registry, dirs3, redis_url)
        gone_merges.append(renfang("merge", "--data-dir", gone / "merged", dirs3[0]))
        gone_after_one_share = gone_rows(gone / "merged")
        gone_merges.append(renfang("merge", "--data-dir", gone / "merged", dirs3[1]))
        shutil.copytree(single, gone / "single")
        renfang("run", "--registry", registry, "--data-dir", gone / "single", *ONLY_REGISTRY, expect=3)
        yield dict(shares=shares, portal=portal, single=single, dirs=dirs, merged=merged, round1=round1, round2=round2,
                   hits_single=hits_single, hits1=hits1, hits2=hits2, snapshot=snapshot, again=again,
                   merges=merges, gone=gone, gone_merges=gone_merges, gone_after_round2=gone_after_round2,
                   gone_after_one_share=gone_after_one_share, posted=posted)
    finally:
        portal.stop()
        hook.shutdown()
        hook.server_close()


# The tables a user relies on, each without the columns that cannot be equal between a crawl
# by one worker and by two: run ids (one run per worker before the merge, numbered by the
# merge), row ids, clock times (the two crawls ran at different times; Date headers), a parse's
# wall time.
TIMES = {"first_seen", "last_seen", "fetched_at", "parsed_at", "started_at", "finished_at", "planned_at"}
EXCLUDED = {
    "agencies": set(),
    "documents": TIMES,
    "reports": TIMES,
    "report_documents": TIMES,
    "facts": set(),
    "checks": set(),
    "parses": TIMES | {"seconds"},
    "document_texts": set(),
    "crawl_ledger": TIMES | {"outcome_run", "last_run_id", "carried_run", "headers"},
    "fetches": TIMES | {"id", "run_id", "headers"},
    "crawl_sites": {"run_id"},
    # judged by `renfang merge` for the round as a whole (a worker's share raises none)
    "alerts": TIMES | {"resolved_at", "delivered_at", "first_run", "last_run", "opened_at"},
}
COMPARED = list(EXCLUDED)


# and rows: robots.txt, which each worker fetches for itself (it obeys robots.txt on its own)
# and the fetches of the two challenge sites: how often a challenge that reloads for ever reloads
# before the browser gives up is a matter of timing, not of who crawled (their status is compared)
ROWS = {"fetches": "url not like '%/robots.txt' and agency_id not in ('rs412', 'jsl521')"}


def rows(data_dir, table) -> list[tuple]:
    cols = [c for (_, c, *_) in q(data_dir, f"pragma table_info({table})") if c not in EXCLUDED[table]]
    return sorted(q(data_dir, f"select {', '.join(cols)} from {table} where {ROWS.get(table, '1')}"), key=repr)


# what is gone, and what the gone mark says (the rest of a row is its history: the distributed
# crawl had a round more, whose 304s are the last status of what went)
GONE = {"crawl_ledger": "key, kind, stage, outcome", "report_documents": "report_id, url, kind, sha256",
        "reports": "id, url"}


def gone_rows(data_dir) -> dict[str, list[tuple]]:
    return {t: sorted(q(data_dir, f"select {cols} from {t} where gone_since is not null")) for t, cols in GONE.items()}


def test_both_workers_crawled(crawls):
    """Both workers took requests from the shared queue (no worker did it all). Within one round a
    worker that joins late on a busy machine may find the queue drained (measured in a CI run at
    load 6: {1: [38, 0], 2: [37, 1]}), so the share is counted over the two rounds."""
    assert all(a + b > 0 for a, b in zip(crawls["shares"][1], crawls["shares"][2])), crawls["shares"]
    for d in crawls["dirs"]:
        # two rounds, one run of each (round 1's own run replaced by the merged round 1)
        assert q(d, "select count(*) from meta where key like 'round:%'") == [(2,)]


def test_every_report_is_found(crawls):
    found = {r for (r,) in q(crawls["merged"], "select id from reports")}
    assert found == sites.EXPECTED[1]


def _counts(hits):
    return collections.Counter((h.site, h.method, h.path) for h in hits)


def test_no_url_is_requested_twice(crawls):
    """From the portal's own log. robots.txt is fetched by each worker (each obeys it itself);
    a page that answers 500 first is asked again by the retry policy, and a challenge page
    (412, 521) by the browser that runs its script, as by a single worker."""
    counts, single = _counts(crawls["hits1"]), _counts(crawls["hits_single"])
    robots = {k for k in counts if k[2] == "/robots.txt"}
    assert all(counts[k] <= WORKERS for k in robots)
    retried = {(h.site, h.method, h.path) for h in crawls["hits1"] if h.status >= 500}
    challenged = {(h.site, h.method, h.path) for h in crawls["hits1"] if h.status in (412, 521)}
    assert {k for k, n in counts.items() if n > 1 and k not in robots} <= retried | challenged
    assert retried, "the test portal has a page that answers 500 once"
    # and exactly what one worker requests
    # (a challenge page: asked by Scrapy, then by the browser as often as its script reloads)
    assert {k: n for k, n in counts.items() if k not in robots and k not in challenged} == {
        k: n for k, n in single.items() if k[2] != "/robots.txt" and k not in challenged}
    assert {k for k in counts if k in challenged} == {k for k in single if k in challenged}


def test_merged_archive_equals_a_single_worker_crawl(crawls):
    for table in COMPARED:
        assert crawls["snapshot"][table] == rows(crawls["single"], table), table
    assert q(crawls["merged"], "select count(*) from crawl_runs") == [(1,)]    # one round, one run


def test_the_merge_delivers_the_rounds_alerts_and_the_workers_none(crawls):
    """The alerts of a round are raised by the merge (a worker judges nothing on its share) and
    sent once, by the merge: neither the workers of round 1, nor a second merge, nor the workers
    of round 2 (the merged archive, deliveries and all, merged back into them) send any."""
    posted = crawls["posted"]
    sent = sorted((b["kind"], b["agency_id"]) for b in posted["merge"])
    opened = sorted(q(crawls["merged"], "select kind, agency_id from alerts where state = 'open'"))
    assert sent == opened and sent, (sent, opened)
    assert posted["workers"] == posted["merge again"] == posted["round 2 workers"] == []
    for d in crawls["dirs"]:   # the deliveries came back with the merged archive
        assert q(d, "select count(*) from alert_deliveries where channel = 'webhook' and delivered_at is not null") == [
            (len(sent),)]


def test_the_merged_schedule_is_planned_from_the_whole_round(crawls):
    """Each worker plans the next due times from its share (a share that saw nothing of a site
    says it failed); the merge plans them again from the combined round: the reasons are those
    of a single-worker crawl, each due time counted from the round's start."""
    reasons = "select agency_id, reason from crawl_schedule order by agency_id"
    assert q(crawls["merged"], reasons) == q(crawls["single"], reasons)


def test_merging_twice_changes_nothing(crawls):
    assert crawls["again"] == crawls["snapshot"]
    second = crawls["merges"][1].stdout
    assert "0 objects, 0 WARC files, 0 runs added (1 already there), 0 fetches" in second, second


def test_gone_is_marked_once_every_share_of_a_round_is_merged(crawls):
    """Round 2 (an unchanged portal) marks nothing gone. After round 3 deleted hanx's 2021 report,
    the first worker's share alone marks nothing (the other worker may have seen the rest) and
    says so; with the second share in, the gone rows are those of one worker crawling the same
    change: the ledger entries, the report's documents and the report itself."""
    assert crawls["gone_after_round2"] == {t: [] for t in GONE}
    assert crawls["gone_after_one_share"] == {t: [] for t in GONE}
    assert "1 of 2 workers' shares, nothing marked gone until all are merged" in crawls["gone_merges"][1].stdout
    merged, single = crawls["gone"] / "merged", crawls["gone"] / "single"
    assert gone_rows(merged) == gone_rows(single)
    assert [r for (r,) in q(merged, "select id from reports where gone_since is not null")] == ["hanx-2021"]
    # and counted: the round's crawl_sites and crawl_runs rows say how many documents went
    assert q(merged, "select agency_id, docs_gone from crawl_sites where docs_gone > 0") == \
        q(single, "select agency_id, docs_gone from crawl_sites where docs_gone > 0")
    assert q(merged, "select docs_gone from crawl_runs order by id desc limit 1") == \
        q(single, "select docs_gone from crawl_runs order by id desc limit 1")


def test_second_round_downloads_no_document_bytes(crawls):
    docs = {"/" + u.split("://", 1)[1].split("/", 1)[1] for (u,) in q(
        crawls["merged"], f"select url from crawl_ledger where kind in ({', '.join('?' * len(DOCUMENT_KINDS))})"
                          " and sha256 is not null", list(DOCUMENT_KINDS))}
    asked = [h for h in crawls["hits2"] if h.path in docs]
    assert asked, ("round 2 asked for the documents again", docs, crawls["hits2"], crawls["round2"])
    # (a report URL that redirects to its page is asked as it is: a redirect has no validators)
    assert all(h.conditional for h in asked if h.status // 100 != 3), [h for h in asked if not h.conditional]
    assert sum(h.sent for h in asked) == 0, [h for h in asked if h.sent]
    assert {h.status for h in asked} <= {304, 302}


# ------------------------------------------------------------------ what the shared queue holds
def _spider():
    from crawler.registry import Site
    from crawler.spiders import PortalSpider

    site = Site("trsx", "测试市人民防空办公室", "city", "四川", "http://127.0.0.1:9/", aliases=("测试市人防办",))
    return PortalSpider(sites=[site]), site


def test_every_kind_of_request_survives_the_shared_queue():
    """Each request the spider builds, pickled as scrapy-redis does and read back: the same
    callback (a spider method, also behind the challenge-skipping wrapper), method, body and meta."""
    import pickle

    from scrapy.utils.request import request_from_dict

    from crawler import shapes
    from crawler.distributed import check_serialisable

    spider, site = _spider()
    requests = [
        spider.request(site.url, spider.parse_home, site, kind="home"),
        spider.request(site.url + "col/", spider.parse_column, site, kind="column", parent=site.url),
        spider._follow(shapes.Follow(site.url + "list?p=2", "pager", "next page", pager=True), site, site.url),
        spider._follow(shapes.Follow(site.url + "search", "form", "a POST form", method="POST",
                                     form={"page": "2", "year": "2023"}), site, site.url, postbacks={"2"}),
        spider._follow(shapes.Follow(site.url + "api", "script_api", "a JSON endpoint", kind="api", method="POST",
                                     body='{"page": 2}', api={"page": 2, "size": 20}), site, site.url),
        spider.retry(site, site.url + "a.pdf", "attachment", site.url + "art.html", "2023年报告", 2023),
    ]
    for request in requests:
        back = request_from_dict(pickle.loads(check_serialisable(request, spider)), spider=spider)
        assert back.callback.__name__ == request.callback.__name__
        assert back.errback.__name__ == "on_error"
        assert (back.method, back.url, back.body) == (request.method, request.url, request.body)
        assert back.meta == request.meta
        assert back.meta["site"] == site


def test_duplicate_filter_uses_the_ledger_key():
    """GETs by URL; a POST by its form, so two pages of one POST list are two requests."""
    import scrapy

    from crawler.distributed import fingerprint

    url = "http://127.0.0.1:9/search"
    page2 = scrapy.FormRequest(url, formdata={"page": "2"})
    page3 = scrapy.FormRequest(url, formdata={"page": "3"})
    assert fingerprint(page2) != fingerprint(page3)
    assert fingerprint(page2) == fingerprint(scrapy.FormRequest(url, formdata={"page": "2"}))
    assert fingerprint(scrapy.Request(url)) == fingerprint(scrapy.Request(url, headers={"X": "1"}))
    assert fingerprint(scrapy.Request(url)) != fingerprint(page2)
