"""The unseen-site portals' ground truth is consistent with what they serve (no crawler here)."""
from __future__ import annotations

import csv
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from archive.schema import open_archive
from tests.portals import shapes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def status(portal, sid: str, path: str) -> int:
    """The status the site answers ``path`` with, redirects not followed; a page that fails
    with 500 once (it heals on retry, on purpose) is asked again."""
    for _ in range(2):
        try:
            with _OPENER.open(portal.url(sid) + path.lstrip("/"), timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            if e.code != 500:
                return e.code
    return 500


# what a page, a script, a JSON or an XML answer can point at: attributes, window.open('…'),
# location.href = '…', JSON url values, <link>…</link> (and a pdf.js viewer's ?file=…)
_POINTERS = re.compile(r"""(?:href|src|value|data)\s*=\s*["']([^"'<>\s]+)["']|window\.open\(\s*'([^']+)'"""
                       r"""|location\.href\s*=\s*["']([^"'+]+)["']"""
                       r"""|"(?:url|linkUrl|DOCPUBURL|u)":\s*"([^"]+)"|<link>([^<]+)</link>""")


def reachable(sites, portal, sid: str) -> set[str]:
    """Every path of the site reached from its home page by following what its pages point
    at, plus the requests its scripts make (``feeds``); redirects followed."""
    root = portal.url(sid)
    seen: set[str] = set()
    todo = [("GET", "/", None)] + sites.feeds[sid]
    while todo:
        method, path, form = todo.pop()
        if (path, str(form)) in seen:
            continue
        seen.add((path, str(form)))
        data = urllib.parse.urlencode(form).encode() if form else None
        for _ in range(2):   # a page that fails once on purpose
            try:
                with urllib.request.urlopen(root + path.lstrip("/"), data=data, timeout=10) as r:
                    body, final = r.read(), urllib.parse.urlsplit(r.url)
                break
            except urllib.error.HTTPError:
                body = final = None
        if final is None:
            continue
        if method == "GET":   # a redirect's target
            seen.add((final.path + ("?" + final.query if final.query else ""), "None"))
        if body[:5] == b"%PDF-" or body[:2] == b"PK" or body[:3] == b"\xff\xd8\xff" or body[:4] == b"\x89PNG":
            continue    # a document, or a picture (a report published as page images)
        for groups in _POINTERS.findall(body.decode("latin-1")):
            pointer = next(g for g in groups if g).replace("&amp;", "&")
            if not pointer.isascii():     # <input value="搜索">
                continue
            url = urllib.parse.urlsplit(urllib.parse.urljoin(r.url, pointer))
            inner = urllib.parse.parse_qs(url.query).get("file", [])   # a pdf.js viewer's document
            for u in [url] + [urllib.parse.urlsplit(urllib.parse.urljoin(r.url, f)) for f in inner]:
                if u.netloc == final.netloc and not u.path.endswith((".js", ".css", ".gif")):
                    todo.append(("GET", u.path + ("?" + u.query if u.query else ""), None))
    return {p for p, form in seen if form == "None"}


@pytest.fixture(scope="module", params=["main", "holdout"])
def sites(request):
    return {"main": shapes._MAIN, "holdout": shapes.HOLDOUT}[request.param]


@pytest.fixture(scope="module")
def portal(sites):
    with sites.start() as running:
        yield running


@pytest.fixture(scope="module")
def main_portal():
    with shapes.start() as running:
        yield running


def test_every_expected_document_is_served(sites, portal):
    bad = [(rid, p, code) for rid, paths in sites.expected_documents.items() for p in sorted(paths)
           if (code := status(portal, rid.rsplit("-", 1)[0], p)) != 200]
    assert bad == []


@pytest.mark.slow
def test_every_report_document_and_listed_distractor_can_be_reached(sites, portal):
    """The truth is reachable: from the home page by links, or through the calls the pages'
    scripts make; the distractors a list rules out are on those lists (real traps)."""
    for sid in sites.ids:
        got = reachable(sites, portal, sid)
        docs = set().union(*(sites.expected_documents[r] for r in sites.expected[sid]))
        assert sorted(docs - got) == [], sid
        assert sorted(sites.never_requested[sid] - got) == [], sid


def test_every_expected_report_has_documents_and_a_plausible_year(sites):
    assert set(sites.expected) == set(sites.ids)
    assert set(sites.expected_documents) == set().union(*sites.expected.values())
    for sid, reports in sites.expected.items():
        assert 5 <= len(reports) <= 8, sid
        for rid in reports:
            assert rid.startswith(sid + "-") and 2014 <= int(rid.rsplit("-", 1)[1]) <= 2025
            assert sites.expected_documents[rid], rid


@pytest.mark.slow
def test_every_distractor_exists_and_is_no_report_document(sites, portal):
    for sid in sites.ids:
        docs = set().union(*(sites.expected_documents[r] for r in sites.expected[sid]))
        assert sites.never_archived[sid], sid
        assert not sites.never_archived[sid] & docs, sid
        assert sites.never_requested[sid] <= sites.never_archived[sid], sid
        missing = [p for p in sorted(sites.never_archived[sid]) if status(portal, sid, p) != 200]
        assert missing == [], sid


def test_the_registry_has_only_the_five_columns(sites, portal, tmp_path):
    path = sites.write_registry(portal, tmp_path / "registry.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "name", "level", "province", "url"]
    assert [r[0] for r in rows[1:]] == sites.ids
    assert all(len(r) == 5 for r in rows)
    assert len({r[1] for r in rows[1:]}) == len(sites.ids)      # one office per site
    assert all(status(portal, r[0], "/") == 200 for r in rows[1:])     # the home page answers


def test_the_hold_out_sites_are_not_in_the_main_set():
    assert not set(shapes.HOLDOUT.ids) & set(shapes.SITE_IDS)
    assert not {n for n, _, _ in shapes.HOLDOUT.names.values()} & {n for n, _, _ in shapes.NAMES.values()}


def test_the_city_portals_name_only_the_city_office():
    assert shapes.NAMES["cityrf"][0] == "江州市人民防空办公室"
    assert shapes.NAMES["deptrf"][0] == "桐江市人民防空办公室"
    # the portals hold far more reports of other agencies than of the office
    assert len(shapes.NEVER_REQUESTED["cityrf"]) > 30 * 5


def test_score_of_an_empty_archive(main_portal, tmp_path):
    open_archive(tmp_path / "archive.db").conn.close()
    result = shapes.score(main_portal, tmp_path)
    assert set(result) == set(shapes.SITE_IDS)
    for sid, row in result.items():
        assert (row["found"], row["recall"], row["precision"]) == (0, 0.0, None), sid
        assert row["expected"] == len(shapes.EXPECTED[sid])
        assert row["wrongly_archived"] == [] and row["missing"] == sorted(shapes.EXPECTED[sid])


def test_score_counts_what_the_archive_holds(main_portal, tmp_path):
    """Two reports of selrf in the archive: 2021 with its page (one of its two documents) and
    2017 whose document is the 工作总结 (a distractor): recall 1/7, precision 1/2."""
    db = open_archive(tmp_path / "archive.db")
    root = main_portal.url("selrf").rstrip("/")
    db["agencies"].insert({"id": "selrf", "name": "东陵省人民防空办公室"})
    db["documents"].insert({"sha256": "a" * 64, "size": 1, "media_type": "text/html",
                            "first_seen": "2026-01-01", "last_seen": "2026-01-01"})
    for year, path in ((2021, "/zwgk/ndbg/2021/202201/t20220127_2302.html"),
                       (2017, "/zwgk/ndbg/2017/201801/t20180112_1102.html")):
        db["reports"].insert({"id": f"r{year}", "agency_id": "selrf", "year": year, "parse_status": "pending"})
        db["report_documents"].insert({"report_id": f"r{year}", "sha256": "a" * 64, "url": root + path})
    db.conn.close()
    row = shapes.score(main_portal, tmp_path)["selrf"]
    assert (row["found"], row["expected"], row["recall"], row["precision"]) == (1, 7, 0.143, 0.5)
    assert row["extra"] == ["selrf-2017"]
    assert row["wrongly_archived"] == ["/zwgk/ndbg/2017/201801/t20180112_1102.html"]
    assert row["documents_found"] == 1 and row["documents_expected"] == 10


def test_a_report_of_the_right_year_made_of_another_agency_s_documents_is_not_found(main_portal, tmp_path):
    db = open_archive(tmp_path / "archive.db")
    db["agencies"].insert({"id": "cityrf", "name": "江州市人民防空办公室"})
    db["documents"].insert({"sha256": "b" * 64, "size": 1, "media_type": "application/pdf",
                            "first_seen": "2026-01-01", "last_seen": "2026-01-01"})
    other = next(p for p in sorted(shapes.NEVER_REQUESTED["cityrf"]) if p.startswith("/zwgk/zfxxgknb/2025"))
    db["reports"].insert({"id": "c2024", "agency_id": "cityrf", "year": 2024, "parse_status": "pending"})
    db["report_documents"].insert({"report_id": "c2024", "sha256": "b" * 64, "url": main_portal.url("cityrf") + other[1:]})
    db.conn.close()
    row = shapes.score(main_portal, tmp_path)["cityrf"]
    assert (row["found"], row["precision"], row["extra"]) == (0, 0.0, ["cityrf-2024"])
    assert row["wrongly_archived"] == [other]
