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
on them and prints the score as JSON.
"""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.portals import shapes_city, shapes_json, shapes_kpy, shapes_misc, shapes_paging, shapes_year
from tests.portals.server import TestPortal
from tests.portals.shapes_common import Site, drop_validators, fill_links

BUILDERS = {**shapes_json.BUILDERS, **shapes_paging.BUILDERS, **shapes_year.BUILDERS, **shapes_city.BUILDERS,
            **shapes_misc.BUILDERS, **shapes_kpy.BUILDERS}
SITE_IDS = list(BUILDERS)
REGISTRY_COLUMNS = ["id", "name", "level", "province", "url"]


def build(base: dict[str, str]) -> dict[str, Site]:
    """Every site, its absolute links made from ``base`` (site id -> its root URL)."""
    sites = {sid: fn(base) for sid, fn in BUILDERS.items()}
    for sid, site in sites.items():
        fill_links(site, base[sid])
        drop_validators(site)
    return sites


# the truth is made of paths only: build once with placeholder roots
_TRUTH = build({sid: "http://127.0.0.1:9/" for sid in SITE_IDS})
EXPECTED: dict[str, set[str]] = {sid: {f"{sid}-{y}" for y in site.reports} for sid, site in _TRUTH.items()}
EXPECTED_DOCUMENTS: dict[str, set[str]] = {f"{sid}-{y}": set(paths) for sid, site in _TRUTH.items()
                                           for y, paths in site.reports.items()}
NEVER_ARCHIVED: dict[str, set[str]] = {sid: set(site.never) for sid, site in _TRUTH.items()}
NEVER_REQUESTED: dict[str, set[str]] = {sid: set(site.unrequested) for sid, site in _TRUTH.items()}
FEEDS: dict[str, list] = {sid: list(site.feeds) for sid, site in _TRUTH.items()}
NAMES: dict[str, tuple[str, str, str]] = {sid: (site.name, site.level, site.province) for sid, site in _TRUTH.items()}


def start() -> TestPortal:
    """All sites on loopback ports, built and serving."""
    portal = TestPortal(SITE_IDS)
    for sid, site in build({sid: s.url for sid, s in portal.sites.items()}).items():
        portal.sites[sid].set_pages(site.pages, site.post, site.dynamic)
    return portal


def write_registry(portal: TestPortal, path: Path) -> Path:
    """The registry a new user writes: ``id,name,level,province,url`` (the home page), nothing else."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REGISTRY_COLUMNS)
        for sid in SITE_IDS:
            name, level, province = NAMES[sid]
            w.writerow([sid, name, level, province, portal.url(sid)])
    return path


def _key(url: str) -> str:
    u = urlsplit(url)
    return unquote(u.path + ("?" + u.query if u.query else ""))


def score(portal: TestPortal, data_dir) -> dict[str, dict]:
    """Per site: reports found vs expected, documents, distractors archived or requested, requests.

    A report is found when the archive has a ``reports`` row of the site's ``agency_id`` and
    year holding at least one of that report's documents; every other report row of the site
    with a document (another year, or the year right but only other agencies' documents)
    is ``extra``. recall = found / expected, precision = found / (found + extra)."""
    conn = sqlite3.connect(Path(data_dir) / "archive.db")
    try:
        rows = conn.execute("SELECT r.agency_id, r.year, rd.url FROM reports r "
                            "JOIN report_documents rd ON rd.report_id = r.id").fetchall()
    finally:
        conn.close()
    out = {}
    for sid in SITE_IDS:
        netloc = urlsplit(portal.url(sid)).netloc
        found: dict[str, set[str]] = {}
        for agency, year, url in rows:
            if agency == sid:
                found.setdefault(f"{sid}-{year}", set()).add(_key(url) if urlsplit(url).netloc == netloc else url)
        archived = set().union(*found.values()) if found else set()
        expected = EXPECTED[sid]
        # a report counts as found when it holds one of its own documents (not another's)
        hit = {r for r in expected & set(found) if found[r] & {unquote(p) for p in EXPECTED_DOCUMENTS[r]}}
        docs_expected = sum(len(EXPECTED_DOCUMENTS[r]) for r in expected)
        docs_found = sum(len({unquote(p) for p in EXPECTED_DOCUMENTS[r]} & found.get(r, set())) for r in expected)
        requested = [h for h in portal.hits if h.site == sid]
        never_requested = {unquote(p) for p in NEVER_REQUESTED[sid]}
        out[sid] = {
            "found": len(hit), "expected": len(expected),
            "recall": round(len(hit) / len(expected), 3),
            "precision": round(len(hit) / len(found), 3) if found else None,
            "missing": sorted(expected - hit), "extra": sorted(set(found) - hit),
            "documents_found": docs_found, "documents_expected": docs_expected,
            "wrongly_archived": sorted(archived & {unquote(p) for p in NEVER_ARCHIVED[sid]}),
            "distractors_requested": sorted({_key(h.path) for h in requested} & never_requested),
            "requests": len(requested),
            "requests_per_report": round(len(requested) / len(hit), 1) if hit else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.portals.shapes DATA_DIR [renfang run options]``: serve every site, run
    ``renfang run`` on the registry of them into DATA_DIR, print score() as JSON."""
    import json
    import subprocess
    import sys
    import tempfile

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        print(main.__doc__, file=sys.stderr)
        return 2
    renfang = str(Path(sys.executable).with_name("renfang"))
    with start() as portal, tempfile.TemporaryDirectory() as tmp:
        registry = write_registry(portal, Path(tmp) / "registry.csv")
        proc = subprocess.run([renfang, "run", "--registry", str(registry), "--data-dir", args[0],
                               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                               "-s", "RENFANG_ALLOWED_SUFFIXES=", *args[1:]])
        print(json.dumps(score(portal, args[0]), ensure_ascii=False, indent=1))
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
