"""Every archived document revalidated each round, whatever its list page did (issue 21,
point 4): tests/portals/revisit.py, three list pages, five report documents.

Round 2 on the unchanged portal: the first list page answers 304 with its report known, so
paging stops there; the documents beneath (list pages 2 and 3) are still asked for,
conditionally, and every one answers 304: no document bytes. Round 3: the 2022 report's page is
replaced at the same URL, its list unchanged: found, stored as a new version, its changed
figures compared after the load. Round 4 with --revisit-days 30: nothing beneath the unchanged
list is asked for (asked minutes ago).
"""
from __future__ import annotations

import shutil

import pytest

from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import revisit

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    root = tmp_path_factory.mktemp("revisit")
    portal = revisit.start()
    try:
        registry = revisit.write_registry(portal, root / "registry.csv")
        data = root / "data"
        out, hits = {}, {}
        for rnd, extra in ((1, []), (2, []), (3, []), (4, ["--revisit-days", "30"])):
            revisit.build(portal, rnd)
            portal.clear()
            proc = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, *extra, check=False)
            out[rnd], hits[rnd] = proc.stdout + proc.stderr, list(portal.hits)
            if rnd == 3:
                shutil.copytree(data, root / "data3")
        yield dict(data=data, data3=root / "data3", out=out, hits=hits)
    finally:
        portal.stop()


def answers(hits, path):
    return [(h.status, h.sent, h.conditional) for h in hits if h.path == path]


def test_round_1_archives_every_document(rounds):
    documents = {u.split("/", 3)[3] for (u,) in q(rounds["data3"], """select url from crawl_ledger
                 where kind in ('article', 'attachment') and sha256 is not null""")}
    assert sorted("/" + d for d in documents) == sorted(revisit.DOCUMENTS)
    for path in revisit.DOCUMENTS:
        assert [a[0] for a in answers(rounds["hits"][1], path)] == [200], path
    assert q(rounds["data3"], "select docs_new, docs_revalidated, docs_not_modified from crawl_runs where id = 1") == [
        (5, 0, 0)]


def test_round_2_asks_for_every_archived_document_and_gets_304s(rounds):
    hits = rounds["hits"][2]
    # paging stopped on the unchanged first list page: list pages 2 and 3 were not asked for …
    assert answers(hits, "/xxgk/nb/list1.html") == [(304, 0, True)]
    assert answers(hits, "/xxgk/nb/list2.html") == answers(hits, "/xxgk/nb/list3.html") == []
    # … and still every archived document was, conditionally: a 304 each, no body
    for path in revisit.DOCUMENTS:
        assert answers(hits, path) == [(304, 0, True)], path
    assert sum(h.sent for h in hits if h.path in revisit.DOCUMENTS) == 0
    assert q(rounds["data3"], """select docs_new, docs_changed, docs_unchanged, docs_gone, docs_revalidated,
                                 docs_not_modified, document_bytes from crawl_runs where id = 2""") == [
        (0, 0, 5, 0, 5, 5, 0)]
    assert "report documents: 0 new, 0 changed, 5 unchanged, 0 gone, 0 failed; " \
           "5 revalidated (5 not modified, 0 document bytes)" in rounds["out"][2]
    # nothing of the office is taken for gone
    assert q(rounds["data3"], "select count(*) from crawl_ledger where gone_since is not null") == [(0,)]


def test_round_3_finds_the_document_replaced_under_an_unchanged_list(rounds):
    hits = rounds["hits"][3]
    assert answers(hits, "/xxgk/nb/list1.html") == [(304, 0, True)]
    assert answers(hits, "/xxgk/nb/list2.html") == []
    (status, sent, conditional), = answers(hits, "/xxgk/nb/2022.html")
    assert (status, conditional) == (200, True) and sent == len(revisit.report_2022(3))
    assert q(rounds["data3"], """select docs_changed, docs_unchanged, docs_revalidated, docs_not_modified,
                                 document_bytes from crawl_runs where id = 3""") == [(1, 4, 5, 4, sent)]
    # both versions kept under the report, the new one seen last
    versions = q(rounds["data3"], """select rd.sha256, d.size from report_documents rd join documents d using (sha256)
                                     where rd.report_id = 'revx-2022' and rd.url like '%/2022.html'
                                     order by rd.first_seen, rd.sha256""")
    assert [size for _, size in versions] == [len(revisit.report_2022(1)), len(revisit.report_2022(3))]
    # the load compares the versions' figures: the two cells that changed, and only those
    renfang("load", "--data-dir", rounds["data3"])
    changes = q(rounds["data3"], """select table_name, row_code, column_code, old_value, new_value
                                    from version_changes where report_id = 'revx-2022' order by 1, 2, 3""")
    assert changes == [("applications", "received", "natural_person", 8, 9),
                       ("applications", "received", "total", 10, 11)]
    assert q(rounds["data3"], """select value from facts where report_id = 'revx-2022' and table_name = 'applications'
                                 and row_code = 'received' and column_code = 'total'""") == [(11,)]


def test_revisit_days_leaves_recently_asked_documents_alone(rounds):
    hits = rounds["hits"][4]
    assert answers(hits, "/xxgk/nb/list1.html") == [(304, 0, True)]
    # the 2023 report is on the first list page: asked for as ever; the others were asked minutes ago
    assert answers(hits, "/xxgk/nb/2023.html") == answers(hits, "/xxgk/nb/2023.pdf") == [(304, 0, True)]
    for path in ("/xxgk/nb/2022.html", "/xxgk/nb/2021.html", "/xxgk/nb/2021.docx"):
        assert answers(hits, path) == [], path
    assert q(rounds["data"], "select docs_revalidated, docs_not_modified from crawl_runs where id = 4") == [(2, 2)]
    # not asked is not gone: carried over beneath the unchanged list
    assert q(rounds["data"], "select count(*) from crawl_ledger where gone_since is not null") == [(0,)]
