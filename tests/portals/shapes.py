"""Unseen sites: test portals shaped like real Chinese government portals, to judge discovery.

Each site is one office, built in ``tests/portals/shapes_*.py`` (one module per family of
shapes; each module's docstring says what its sites do). The registry gives only
``id,name,level,province,url`` (the home page): no CMS, no column, no selector, no alias.

| site | office (registry name) | shape |
|---|---|---|
| jsonrf | 云岭市人民防空办公室 | jQuery ``$.ajax`` GET JSON ``/api/articles`` (channelId, pageNo, pageSize ≤ 10) |
| xhrrf | 青禾市人民防空办公室 | ``XMLHttpRequest`` POST form ``columnId&curPage&rows`` → JSON; GBK pages |
| xmlrf | 南江县人民防空办公室 | ``fetch`` of a concatenated URL, XML ``/common/infolist.jsp`` (pageIndex from 0) |
| kpyrf | 西江省人民防空办公室 | 开普云 Vue + axios ``/igs/front/search/list.html``; redirect-only home; pdf.js viewer |
| vsbrf | 沂州市人民防空办公室 | VSB/博达 count-down paging ``zfxxgknb.htm`` → ``zfxxgknb/3.htm`` … ``1.htm`` |
| trs2rf | 湘南市人民防空办公室 | TRS ``createPageHTML('page_div',4,0,'index','html',19)``; ``<dl>`` rows; spaced/wrapped titles |
| anhrf | 江淮市人民防空办公室 | Anhui ``/OpennessAnnualReport/show/<n>.html``; JS-only ``goPage(n)`` pager |
| selrf | 东陵省人民防空办公室 | ``<select>`` of year-page URLs; 手机版 twin; GB2312 |
| ndrf | 瓯江市人民防空办公室 | per-year links to ``xxgkAnnualReport.jsp?area=…&fbtime=…``; GBK in the header only |
| cityrf | 江州市人民防空办公室 | city portal, ~36 departments a year × 7 years, 13 TRS pages |
| deptrf | 桐江市人民防空办公室 | city portal: 部门年报 → year → department names (Guangzhou ``post_<id>``) |
| bmrf | 梧川市人民防空办公室 | city portal: 部门年报 → department (new name) → its reports |
| attrf | 临江区人民防空办公室 | download scripts: percent-encoded UTF-8 / raw GBK / RFC 5987 file names; "附件1"; list → document |
| iframerf | 东阳区人民防空办公室 | image-only link; list in an ``<iframe>``, ``?page=N`` numbers only; ``_2.html``; 302→301; 500 once |

Ground truth, by path (``path?query``, the port differs every run):

- ``EXPECTED[site]``: the reports (``"<site>-<year>"``) that must be found;
- ``EXPECTED_DOCUMENTS[report]``: every document of that report that must be archived (the
  article page, its attachments, its other renditions; for a report behind redirects, the
  final URL);
- ``NEVER_ARCHIVED[site]``: distractors (工作要点, 法治政府建设年度报告, 决算/预算, 工作总结,
  指南, 解读, other departments' and other offices' reports, "暂无" year pages) that must never
  be archived. A crawler may request those whose list entry is ambiguous (a year page of a
  year selector, a link reading only "市政府信息公开年报"); ``NEVER_REQUESTED[site]`` (a subset)
  are those whose list entry already says what they are: they must not even be requested.

``score(portal, data_dir)`` compares DATA_DIR/archive.db with this truth, per site.
``.venv/bin/python -m tests.portals.shapes DATA_DIR`` serves the sites, runs ``renfang run``
on them and prints the score as JSON. ``HOLDOUT`` is a second set (``shapes_holdout.py``)
with the same interface as methods (``HOLDOUT.start()``, ``.expected``, ``.score(…)``), kept
out of ``SITE_IDS`` so that the crawler's tests do not tune to it; ``--holdout`` scores it.
"""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.portals import (shapes_city, shapes_holdout, shapes_json, shapes_kpy, shapes_misc, shapes_paging,
                           shapes_year)
from tests.portals.server import TestPortal
from tests.portals.shapes_common import Site, drop_validators, fill_links

BUILDERS = {**shapes_json.BUILDERS, **shapes_paging.BUILDERS, **shapes_year.BUILDERS, **shapes_city.BUILDERS,
            **shapes_misc.BUILDERS, **shapes_kpy.BUILDERS}
REGISTRY_COLUMNS = ["id", "name", "level", "province", "url"]


def _key(url: str) -> str:
    u = urlsplit(url)
    return unquote(u.path + ("?" + u.query if u.query else ""))


#: the reports of other bodies (the government, another department) an office's own column lists
#: among its own, by site: path -> the body the title names. Archived and attributed to it
#: (reports.issued_by), never counted as the office's (issue 19, point 4). Written by hand from
#: the builders' rows.
OTHER_BODIES: dict[str, dict[str, str]] = {
    "jsonrf": {"/zwgk/zfxxgknb/202001/t20200116_3290.html": "云岭市人民政府办公室"},
    "xmlrf": {"/art/2024/1/10/art_3321_759388.html": "南江县人民政府办公室",
              "/art/2024/1/9/art_3321_759301.html": "南江县政务服务和大数据管理局"},
    "vsbrf": {"/info/1097/5802.htm": "沂州市人民政府"},
    "trs2rf": {"/zfxxgk/gknb/201703/t20170315_5980.html": "湘南市人民政府",
               "/zfxxgk/gknb/202202/t20220215_9930.html": "湘南市应急管理局"},
    "iframerf": {"/xxgk/content/2024-01/20240125_7830.html": "东阳区人民政府"},
    "kpyrf": {"/xjrf/zwgk/zfxxgknb/202101/62e9b878d672454ad96f2ab2f66fd03e.shtml": "西江省人民政府"},
    "aspxrf": {"/zwgk/Show.aspx?ID=2602": "鹿鸣县人民政府"},
    "framerf": {"/content/2022/01/20/6011.html": "金沙市人民政府办公室"},
    "cfgrf": {"/xxgk/ndbg/202401/t20240118_84401.html": "青岚市人民政府"},
    "layrf": {"/xxgk/ndbg/content_2501.html": "安澜市人民政府"},
}


class SiteSet:
    """A set of sites (builders by id) with its ground truth; the module's names are the main set's."""

    def __init__(self, builders: dict):
        self.builders = builders
        self.ids = list(builders)
        truth = self.build({sid: "http://127.0.0.1:9/" for sid in self.ids})   # the truth is paths only
        self.expected = {sid: {f"{sid}-{y}" for y in site.reports} for sid, site in truth.items()}
        self.expected_documents = {f"{sid}-{y}": set(paths) for sid, site in truth.items()
                                   for y, paths in site.reports.items()}
        # another body's report its own column lists: requested, archived and attributed to that body
        self.other_bodies = {sid: dict(OTHER_BODIES.get(sid, {})) for sid in self.ids}
        self.never_archived = {sid: set(site.never) - set(self.other_bodies[sid]) for sid, site in truth.items()}
        self.never_requested = {sid: set(site.unrequested) - set(self.other_bodies[sid]) for sid, site in truth.items()}
        self.feeds = {sid: list(site.feeds) for sid, site in truth.items()}
        self.names = {sid: (site.name, site.level, site.province) for sid, site in truth.items()}

    def build(self, base: dict[str, str]) -> dict[str, Site]:
        """Every site, its absolute links made from ``base`` (site id -> its root URL)."""
        sites = {sid: fn(base) for sid, fn in self.builders.items()}
        for sid, site in sites.items():
            fill_links(site, base[sid])
            drop_validators(site)
        return sites

    def start(self) -> TestPortal:
        """All sites on loopback ports, built and serving."""
        portal = TestPortal(self.ids)
        for sid, site in self.build({sid: s.url for sid, s in portal.sites.items()}).items():
            portal.sites[sid].set_pages(site.pages, site.post, site.dynamic)
        return portal

    def write_registry(self, portal: TestPortal, path: Path) -> Path:
        """The registry a new user writes: ``id,name,level,province,url`` (the home page), nothing else."""
        path = Path(path)
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(REGISTRY_COLUMNS)
            for sid in self.ids:
                name, level, province = self.names[sid]
                w.writerow([sid, name, level, province, portal.url(sid)])
        return path

    def score(self, portal: TestPortal, data_dir) -> dict[str, dict]:
        """Per site: reports found vs expected, documents, distractors archived or requested, requests.

        A report is found when the archive has a ``reports`` row of the site's ``agency_id`` and
        year holding at least one of that report's documents; every other report row of the site
        with a document (another year, or the year right but only other agencies' documents)
        is ``extra``. recall = found / expected, precision = found / (found + extra)."""
        conn = sqlite3.connect(Path(data_dir) / "archive.db")
        try:
            # the office's own reports; another body's report its column lists is attributed to it
            rows = conn.execute("SELECT r.agency_id, r.year, rd.url FROM reports r "
                                "JOIN report_documents rd ON rd.report_id = r.id WHERE r.issued_by IS NULL").fetchall()
            attributed = conn.execute("SELECT r.agency_id, r.issued_by, rd.url FROM reports r JOIN report_documents rd "
                                      "ON rd.report_id = r.id WHERE r.issued_by IS NOT NULL").fetchall()
        finally:
            conn.close()
        out = {}
        for sid in self.ids:
            netloc = urlsplit(portal.url(sid)).netloc
            found: dict[str, set[str]] = {}
            for agency, year, url in rows:
                if agency == sid:
                    found.setdefault(f"{sid}-{year}", set()).add(_key(url) if urlsplit(url).netloc == netloc else url)
            archived = set().union(*found.values()) if found else set()
            expected = self.expected[sid]
            own = {r: {unquote(p) for p in self.expected_documents[r]} for r in expected}
            # a report counts as found when it holds one of its own documents (not another's)
            hit = {r for r in expected & set(found) if found[r] & own[r]}
            requested = [h for h in portal.hits if h.site == sid]
            out[sid] = {
                "found": len(hit), "expected": len(expected),
                "recall": round(len(hit) / len(expected), 3),
                "precision": round(len(hit) / len(found), 3) if found else None,
                "missing": sorted(expected - hit), "extra": sorted(set(found) - hit),
                "documents_found": sum(len(own[r] & found.get(r, set())) for r in expected),
                "documents_expected": sum(len(own[r]) for r in expected),
                "wrongly_archived": sorted(archived & {unquote(p) for p in self.never_archived[sid]}),
                "distractors_requested": sorted({_key(h.path) for h in requested}
                                                & {unquote(p) for p in self.never_requested[sid]}),
                # (path, body) of each other body's report document archived, attributed; wrongly =
                # attributed to a body the truth does not name for it
                "attributed": sorted({(_key(url) if urlsplit(url).netloc == netloc else url, body)
                                      for agency, body, url in attributed if agency == sid}),
                "other_bodies_expected": sorted(self.other_bodies[sid].items()),
                "requests": len(requested),
                "requests_per_report": round(len(requested) / len(hit), 1) if hit else None,
            }
        return out


_MAIN = SiteSet(BUILDERS)
SITE_IDS: list[str] = _MAIN.ids
EXPECTED: dict[str, set[str]] = _MAIN.expected
EXPECTED_DOCUMENTS: dict[str, set[str]] = _MAIN.expected_documents
NEVER_ARCHIVED: dict[str, set[str]] = _MAIN.never_archived
NEVER_REQUESTED: dict[str, set[str]] = _MAIN.never_requested
FEEDS: dict[str, list] = _MAIN.feeds
NAMES: dict[str, tuple[str, str, str]] = _MAIN.names
build, start, write_registry, score = _MAIN.build, _MAIN.start, _MAIN.write_registry, _MAIN.score
#: sites kept out of SITE_IDS (and so out of the crawler's own tests): see shapes_holdout.py
HOLDOUT = SiteSet(shapes_holdout.BUILDERS)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.portals.shapes [--holdout] DATA_DIR [renfang run options]``: serve every
    site (of the hold-out set with --holdout), run ``renfang run`` on the registry of them into
    DATA_DIR, print score() as JSON."""
    import json
    import subprocess
    import sys
    import tempfile

    args = sys.argv[1:] if argv is None else argv
    sites = _MAIN
    if args[:1] == ["--holdout"]:
        sites, args = HOLDOUT, args[1:]
    if not args or args[0].startswith("-"):
        print(main.__doc__, file=sys.stderr)
        return 2
    renfang = str(Path(sys.executable).with_name("renfang"))
    with sites.start() as portal, tempfile.TemporaryDirectory() as tmp:
        registry = sites.write_registry(portal, Path(tmp) / "registry.csv")
        proc = subprocess.run([renfang, "run", "--registry", str(registry), "--data-dir", args[0],
                               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                               "-s", "RENFANG_ALLOWED_SUFFIXES=", *args[1:]])
        print(json.dumps(sites.score(portal, args[0]), ensure_ascii=False, indent=1))
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
