"""The crawler against test portals served on 127.0.0.1 (tests/portals): every CMS style,
GBK/UTF-8 pages with right, missing and wrong charsets, redirects, 404, 500-then-OK, a slow
page, one document under two URLs, distractors, off-site and spam-host links, anti-bot
challenges; then a second round with one document changed, one removed and one added.

Round 1 is crawled into ``data1`` (kept as it was), round 2 continues in ``data2``.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
import shutil
from datetime import date

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.gaps import last_due_year
from archive.store import ObjectStore
from tests.helpers import ONLY_REGISTRY, path_of, q, renfang
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

#: the last year whose report is due on the day the test runs (the crawl judges on the real clock)
LAST_DUE = last_due_year(date.today())


def after(year: int) -> str:
    """The gap years of a site whose last report is for ``year``, as the summary names them."""
    return ", ".join(map(str, range(year + 1, LAST_DUE + 1)))

@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    root = tmp_path_factory.mktemp("portals")
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, root / "registry.csv")
        data = root / "data"
        out1 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, check=False)
        hits1 = list(portal.hits)
        shutil.copytree(data, root / "data1")
        sites.build(portal, 2)
        portal.clear()
        out2 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, check=False)
        hits2 = list(portal.hits)
        yield dict(portal=portal, data1=root / "data1", data2=data, hits1=hits1, hits2=hits2,
                   out1=out1.stdout, out2=out2.stdout, registry=registry, proc1=out1, proc2=out2)
    finally:
        portal.stop()


# ------------------------------------------------------------------------------ round 1
def test_every_annual_report_is_found_and_nothing_else(rounds):
    found = {r for (r,) in q(rounds["data1"], "select id from reports")}
    assert found == sites.EXPECTED[1]


def test_distractors_are_never_requested(rounds):
    requested = {(h.site, h.path) for h in rounds["hits1"]}
    for site, paths in sites.DISTRACTORS.items():
        for path in paths:
            assert (site, path) not in requested, (site, path)


def test_no_request_leaves_the_registry_sites(rounds):
    hits = rounds["hits1"]
    assert {h.site for h in hits} <= set(sites.REGISTRY_IDS)
    assert not [h for h in hits if h.site == "spam"]          # the spam host (on loopback) got nothing
    assert all(h.user_agent.startswith("renfang-archive/") for h in hits), [h for h in hits if not
                                                                        h.user_agent.startswith("renfang-archive/")]
    registry_urls = tuple(rounds["portal"].url(s) for s in sites.REGISTRY_IDS)
    for data in (rounds["data1"], rounds["data2"]):
        urls = [u for (u,) in q(data, "select url from fetches union select final_url from fetches "
                                      "where final_url is not null and coalesce(error, '') not like 'redirect off target%' "
                                      "union select url from crawl_ledger")]
        assert urls and all(u.startswith(registry_urls) for u in urls), [u for u in urls if not u.startswith(registry_urls)]
    # a download redirecting to the spam host: recorded, not followed
    assert q(rounds["data1"], "select status, error from fetches where url like '%filename=mirror.pdf'") == [
        (None, f"redirect off target, not followed: {rounds['portal'].url('spam')}rfb/mirror/rep2023.pdf")]
    # the copies on spam/off-site hosts did not become reports or documents either
    assert q(rounds["data1"], "select count(*) from report_documents where url like '%pouringspot%' "
                              "or url like ?", [rounds["portal"].url("spam") + "%"]) == [(0,)]


def test_charsets_missing_or_wrong_are_decoded(rounds):
    titles = dict(q(rounds["data1"], "select id, title from reports"))
    # TRS site: GBK bytes, no charset in header or <meta>
    assert titles["trsx-2022"] == "测试市人民防空办公室2022年政府信息公开工作年度报告"
    # generic site: GBK bytes served as charset=utf-8 (header wrong, <meta> right)
    assert titles["plainx-2022"] == "测试区人民防空办公室2022年度政府信息公开年报"
    # Hanweb site: UTF-8 declared in the header
    assert titles["hanx-2023"] == "测试省国防动员办公室2023年政府信息公开工作年度报告"


def test_redirects_404_and_500_then_ok(rounds):
    data, hits = rounds["data1"], rounds["hits1"]
    # a 302 from the list's URL: the document is kept under its final URL, the fetch has both
    (row,) = q(data, "select url, final_url, status from fetches where url like '%art_2001_21.html'")
    assert row[0].endswith("art_2001_21.html") and row[1].endswith("art_2001_21_0.html") and row[2] == 200
    assert q(data, "select kind from report_documents where report_id = 'hanx-2022' order by kind") == [
        ("article",), ("docx",)]
    # 404: recorded with its reason; the report is known (listed) without a document
    assert q(data, "select status, error from fetches where url like '%t20210125_101.html'") == [(404, "HTTP 404")]
    assert q(data, "select stage, last_status from crawl_ledger where url like '%t20210125_101.html'") == [
        ("failed", 404)]
    assert q(data, "select count(*) from report_documents where report_id = 'trsx-2020'") == [(0,)]
    # 500 then OK: retried, archived
    statuses = [h.status for h in hits if h.path.endswith("t20220120_201.html")]
    assert statuses == [500, 200]
    assert q(data, "select kind from report_documents where report_id = 'trsx-2021'") == [("article",)]
    # the slow page (0.6 s) was waited for
    assert [h.status for h in hits if h.path == "/xxgk/nb/list2.html"] == [200]


def test_renditions_duplicates_and_file_names(rounds):
    data = rounds["data1"]
    rows = q(data, "select sha256, kind, url, filename from report_documents where report_id = 'hanx-2023' "
                   "and kind = 'pdf' order by url")
    assert len(rows) == 2 and rows[0][0] == rows[1][0] and rows[0][2] != rows[1][2]  # same bytes, two URLs
    assert q(data, "select count(*) from documents where sha256 = ?", [rows[0][0]]) == [(1,)]
    assert "测试省国防动员办公室2023年政府信息公开工作年度报告.pdf" in {r[3] for r in rows}  # raw GBK header
    # HTML page, PDF and the _wap twin are one report; a PDF linked straight from the list too
    assert sorted(k for (k,) in q(data, "select kind from report_documents where report_id = 'trsx-2022'")) == [
        "article", "html", "pdf"]
    assert q(data, "select kind, filename from report_documents where report_id = 'trsx-2019'") == [
        ("pdf", "测试市人民防空办公室2019年报告.pdf")]
    assert q(data, "select filename from report_documents where report_id = 'hanx-2022' and kind = 'docx'") == [
        ("报告2022.docx",)]
    store = ObjectStore(data / "objects")
    for name in store:
        assert hashlib.sha256(store.get(name)).hexdigest() == name


def test_anti_bot_challenges_block_the_site_and_are_never_archived(rounds):
    data = rounds["data1"]
    sites_ = dict(q(data, "select agency_id, status from crawl_sites"))
    # trsx: its 2020 report page is a dead link (404), so the site is partial, not ok
    # hanx, plainx (2021–2023) and hintx (2022) list no report for the later years now due: by the
    # calendar (archive/gaps.py) those are gaps, so they are missing_years, not ok
    assert sites_ == {"trsx": "partial", "hanx": "missing_years", "plainx": "missing_years",
                      "hintx": "missing_years", "rs412": "blocked", "jsl521": "blocked"}
    # sites that are not ok make the exit code say so, and the summary names them, with their gaps
    assert rounds["proc1"].returncode == 3
    assert ("6 of 6 site(s) not ok: " + ", ".join([
        f"hanx missing_years (gaps {after(2023)})", f"hintx missing_years (gaps {after(2022)})",
        "jsl521 blocked", f"plainx missing_years (gaps {after(2023)})", "rs412 blocked",
        f"trsx partial (gaps {after(2022)})"])) in rounds["proc1"].stderr
    gaps = dict(q(data, "select agency_id, gap_years from crawl_sites"))
    assert json.loads(gaps["hintx"]) == list(range(2023, LAST_DUE + 1)) and gaps["rs412"] is None
    # the browser ran each challenge's script and got no further: the site is blocked, saying why
    messages = dict(q(data, "select agency_id, message from crawl_sites"))
    assert messages["rs412"].startswith("anti-bot challenge (ruishu; not passed in the browser: HTTP 412 page: "
                                        "no reload into content within 15 s (still HTTP 412))")
    assert messages["jsl521"].startswith("anti-bot challenge (jiasule; not passed in the browser: ")
    rows = q(data, "select agency_id, status, sha256, error from fetches where agency_id in ('rs412', 'jsl521') "
                   "order by id")
    # Scrapy's answer and the browser's first one, both recorded as blocked, none stored
    assert sorted(r for r in rows if r[1]) == [("jsl521", 521, None, "blocked: jiasule anti-bot challenge (HTTP 521)"),
                                               ("rs412", 412, None, "blocked: ruishu anti-bot challenge (HTTP 412)"),
                                               ("rs412", 412, None, "blocked: ruishu anti-bot challenge (HTTP 412)")]
    assert q(data, "select count(*) from fetches where agency_id in ('rs412', 'jsl521') and sha256 is not null") == [(0,)]
    assert q(data, "select count(*) from reports where agency_id in ('rs412', 'jsl521')") == [(0,)]
    # backed off: Scrapy asks once (plus robots.txt), no retries; then the browser runs the challenge
    # (its page and the challenge's own script), and no other page of the site is asked
    for site in ("rs412", "jsl521"):
        paths = [h.path for h in rounds["hits1"] if h.site == site]
        assert paths[:3] == ["/robots.txt", "/", "/"] and all(p == "/" or p.endswith(".js") for p in paths[3:]), paths


def test_a_report_behind_redirects_is_known_by_its_final_url(rounds):
    # the list links art_2001_21.html, which answers 302 to art_2001_21_0.html
    (url,) = q(rounds["data1"], "select url from reports where id = 'hanx-2022'")[0]
    assert url.endswith("/art/2023/1/20/art_2001_21_0.html")
    # the ledger keys the document under its final URL; the listed URL is its redirect
    assert sorted(q(rounds["data1"], """select substr(key, instr(key, '/art/')), kind from crawl_ledger
                                        where key like '%art_2001_21%'""")) == [
        ("/art/2023/1/20/art_2001_21.html", "redirect"), ("/art/2023/1/20/art_2001_21_0.html", "article")]


def test_summary_per_site_and_run(rounds):
    out = rounds["out1"]
    assert "  rs412: blocked" in out and "  trsx: partial" in out
    # failed: the dead 2020 link; the 图片版 that redirects to a spam host is refused, not failed
    assert "report documents: 17 new, 0 changed, 0 unchanged, 0 gone, 1 failed" in out
    assert q(rounds["data1"], "select outcome, last_error from crawl_ledger where url like '%mirror.pdf'") == [
        ("refused", f"redirect off target, not followed: {rounds['portal'].url('spam')}rfb/mirror/rep2023.pdf")]


def test_warc_files_are_valid_and_hold_every_response(rounds):
    for data, hits in ((rounds["data1"], rounds["hits1"]), (rounds["data2"], rounds["hits2"])):
        run = q(data, "select max(id) from crawl_runs")[0][0]
        (warcs,) = q(data, "select warc from crawl_runs where id = ?", [run])[0]
        responses, requests = [], 0
        for name in warcs.split():
            with open(data / name, "rb") as f:
                for record in ArchiveIterator(f):
                    if record.rec_type == "response":
                        body = record.content_stream().read()
                        declared = record.http_headers.get_header("Content-Length")
                        assert int(declared) == len(body)
                        # a browser's failed subresource or a page it navigated away from: its body
                        # was not kept, and the record says so (WARC-Truncated)
                        truncated = record.rec_headers.get_header("WARC-Truncated")
                        responses.append((path_of(record.rec_headers.get_header("WARC-Target-URI")),
                                          int(record.http_headers.get_statuscode()),
                                          -1 if truncated else len(body)))   # -1: not kept
                    elif record.rec_type == "request":
                        requests += 1
        served = [(h.path, h.status, h.sent) for h in hits]
        # one record per answer the server sent, each body as it was sent (unless marked not kept)
        # (a challenge page that reloads for ever: the reload in flight when the browser closed it
        # reached the server, never the browser)
        recorded, sent = Counter(r[:2] for r in responses), Counter(h[:2] for h in served)
        looping = {k for k in sent if k[1] in (412, 521)}
        assert {k: n for k, n in recorded.items() if k not in looping} == {
            k: n for k, n in sent.items() if k not in looping}, (recorded - sent, sent - recorded)
        assert all(1 <= recorded[k] <= sent[k] for k in looping), (recorded, sent)
        sizes = {}
        for path, status, sent in served:
            sizes.setdefault((path, status), set()).add(sent)
        assert [r for r in responses if r[2] != -1 and r[2] not in sizes[r[:2]]] == []
        assert requests == len(responses)


# ------------------------------------------------------------------------------ round 2
def test_second_round_changed_removed_added(rounds):
    data = rounds["data2"]
    # changed: the new version stored, the old one kept, both linked with when each was seen
    rows = q(data, """select sha256, first_seen, last_seen from report_documents
                      where report_id = 'trsx-2022' and kind = 'pdf' order by first_seen""")
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    store = ObjectStore(data / "objects")
    assert rows[0][0] in store and rows[1][0] in store
    # removed: marked gone, never deleted
    gone = q(data, "select kind, gone_since is not null, last_seen from report_documents where report_id = 'hanx-2021'")
    assert sorted(g[:2] for g in gone) == [("article", 1), ("pdf", 1)]
    assert q(data, "select gone_since is not null from reports where id = 'hanx-2021'") == [(1,)]
    assert q(data, "select count(*) from report_documents where gone_since is not null") == [(2,)]
    # added
    assert {r for (r,) in q(data, "select id from reports")} == sites.EXPECTED[2]
    assert sorted(k for (k,) in q(data, "select kind from report_documents where report_id = 'trsx-2023'")) == [
        "article", "pdf"]
    assert q(data, """select docs_new, docs_changed, docs_gone, docs_failed from crawl_runs
                      order by id desc limit 1""") == [(2, 1, 2, 1)]
    # 14 unchanged documents, every one answered 304, also the 2 beneath the generic site's first
    # list page (unchanged, 304, every report on it known: paging stopped there, and the documents
    # the next pages lead to were asked for all the same, crawler/revisit.py); 15 asked again:
    # those and the changed one (the two gone ones their list no longer links: not asked)
    assert ("report documents: 2 new, 1 changed, 14 unchanged, 2 gone, 1 failed; "
            "15 revalidated (14 not modified, ") in rounds["out2"]
    # hanx lists one report fewer than in round 1: not ok, with the reason
    assert "  hanx: fewer_reports," in rounds["out2"] and "(2 reports found, 3 in run 1)" in rounds["out2"]
    # plainx: paging stopped on its unchanged first page; the reports beneath count as found, and
    # their documents were asked for again (304)
    assert ("  plainx: missing_years, 7 pages, 3 reports; documents 0 new, 0 changed, 4 unchanged, 0 gone"
            in rounds["out2"])


def test_only_what_the_portal_no_longer_links_is_gone(rounds):
    """Round 2 marks gone the two URLs of the report hanx removed, and the last page of its POST
    list (one report fewer: two pages of two, not three), and nothing else: a URL the
    list links that redirects to an unchanged page (its target answered 304) is still known,
    seen in round 2, not taken for gone (it was, until the 304 path recorded the redirect)."""
    data = rounds["data2"]
    gone = {(agency, path_of(key)) for agency, key in q(
        data, "select agency_id, key from crawl_ledger where gone_since is not null")}
    assert gone == {("hanx", "/art/2022/1/25/art_2001_11.html"),
                    ("hanx", "/module/download/downfile.jsp?classid=0&filename=a11.pdf"),
                    ("hanx", "/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=5&perpage=2 #1e152391776b")}
    assert q(data, "select kind, stage, last_run_id from crawl_ledger where key like '%/art_2001_21.html'") == [
        ("redirect", "stored", 2)]


def test_unchanged_documents_cost_zero_bytes_on_the_second_round(rounds):
    """Read from the server's own log: every document stored in round 1 whose bytes did not
    change was answered 304 with no body in round 2."""
    data1 = rounds["data1"]
    documents = {(agency, path_of(url)) for agency, url in q(
        data1, "select agency_id, url from crawl_ledger where kind in ('article', 'attachment') and stage = 'stored'")}
    changed = {("trsx", "/zwgk/xxgknb/202301/P020230115301001.pdf")}
    removed = {("hanx", "/art/2022/1/25/art_2001_11.html"),
               ("hanx", "/module/download/downfile.jsp?classid=0&filename=a11.pdf")}
    unchanged = documents - changed - removed
    assert len(unchanged) == 14
    hits2 = rounds["hits2"]
    # paging stopped early on the generic site: the unchanged list page 2 was not asked for, the
    # reports it lists were (crawler/revisit.py), with the rest
    assert not [h for h in hits2 if h.site == "plainx" and h.path == "/xxgk/nb/list2.html"]
    for site, path in sorted(unchanged):
        page = rounds["portal"].sites[site].pages[path]
        if page.location:  # the list's URL redirects: no body there, the document is at the target
            assert [(h.status, h.sent) for h in hits2 if (h.site, h.path) == (site, path)] == [(page.status, 0)]
            path = page.location
        answers = [(h.status, h.sent, h.conditional) for h in hits2 if (h.site, h.path) == (site, path)]
        final = [a for a in answers if a[0] != 500]   # the 500-then-OK page fails once again first
        assert final == [(304, 0, True)], (site, path, answers)
    # the changed one was downloaded again, in full
    (changed_hit,) = [h for h in hits2 if (h.site, h.path) in changed]
    assert changed_hit.status == 200 and changed_hit.sent > 0
    # bytes of document bodies sent in round 2: only the changed and the added documents
    sent = {(h.site, h.path): h.sent for h in hits2 if h.status == 200}
    doc_bytes = sum(n for key, n in sent.items() if key in documents)
    assert doc_bytes == changed_hit.sent
