"""Documents inside attachments (issue 21, point 2): a test portal (tests/portals/archives.py)
attaches reports as a zip holding a PDF and a DOC, a zip inside a zip, a ``.wps`` file, an
encrypted zip and a zip bomb. Crawled and loaded: the three readable reports are parsed from
their members, every printed cell as written by hand in tests/expected/reports/, each member a
document of its own linked to its attachment; the hostile ones are refused with a reason per
member, and the crawl and the load go on."""
from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import ONLY_REGISTRY, expected_cells, expected_report, q, renfang
from tests.portals import archives

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

NB = "/nb/"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("archives")
    portal = archives.start()
    try:
        registry = archives.write_registry(portal, root / "registry.csv")
        data = root / "data"
        crawl = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, check=False)
        load = renfang("load", "--data-dir", data, "--jobs", "2")
        yield dict(data=data, crawl=crawl, load=load, hits=list(portal.hits), url=portal.url(archives.SITE))
    finally:
        portal.stop()


def members(data, attachment: str) -> list[tuple]:
    """(name, status, reason) of the members of the archive fetched from ``attachment``."""
    return q(data, """select m.name, m.status, m.reason from document_members m
                      join fetches f on f.sha256 = m.parent_sha256 where f.url like ? order by m.name""",
             ["%" + attachment])


def facts(data, report_id: str) -> dict:
    return {(t, r, c): v for t, r, c, v in q(
        data, "select table_name, row_code, column_code, value from facts where report_id = ?", [report_id])}


def test_the_crawl_fetches_every_attachment_and_goes_on(crawled):
    assert crawled["crawl"].returncode in (0, 3), crawled["crawl"].stderr
    for year, (name, _) in archives.ATTACHMENTS.items():
        assert [h.status for h in crawled["hits"] if h.path == NB + name] == [200], name
    assert q(crawled["data"], "select docs_new, docs_failed, errors from crawl_sites") == [(10, 0, 0)]
    assert "Traceback" not in crawled["load"].stderr


def test_a_zip_with_a_pdf_and_a_doc(crawled):
    data = crawled["data"]
    # the PDF's GBK name read as its archiver wrote it
    assert members(data, "2019.zip") == [("seed000.doc", "extracted", None),
                                         (archives.GBK_NAME, "extracted", None)]
    zip_url = crawled["url"] + "nb/2019.zip"
    docs = q(data, "select url, kind, filename from report_documents where report_id = 'arcx-2019' order by url")
    assert docs == [(crawled["url"] + "nb/2019.html", "article", "2019.html"),
                    (zip_url, "zip", "2019年报告.zip"),
                    (zip_url + "#seed000.doc", "doc", "seed000.doc"),
                    (zip_url + "#" + archives.GBK_NAME, "pdf", archives.GBK_NAME)]
    # both members parsed: the PDF gives the report its figures, every printed cell
    assert q(data, """select p.status, p.facts from parses p join report_documents rd using (sha256)
                      where rd.report_id = 'arcx-2019' and rd.kind in ('pdf', 'doc') order by rd.kind""") == [
        ("parsed", 193), ("parsed", 193)]
    assert q(data, """select r.parse_status, rd.kind from reports r join report_documents rd
                      on rd.report_id = r.id and rd.sha256 = r.source_sha256 where r.id = 'arcx-2019'""") == [
        ("parsed", "pdf")]
    assert facts(data, "arcx-2019") == expected_cells(expected_report("seed000"))


def test_a_wps_attachment(crawled):
    data = crawled["data"]
    assert q(data, """select rd.kind, rd.filename, p.status, p.method from reports r
                      join report_documents rd on rd.report_id = r.id and rd.sha256 = r.source_sha256
                      join parses p on p.sha256 = rd.sha256 where r.id = 'arcx-2020'""") == [
        ("doc", "2020年报告.wps", "parsed", "libreoffice")]
    assert facts(data, "arcx-2020") == expected_cells(expected_report("seed004"))


def test_a_zip_inside_a_zip(crawled):
    data = crawled["data"]
    assert members(data, "2022.zip") == [("说明.txt", "extracted", None), ("附件.zip", "extracted", None)]
    inner = q(data, """select m.name, m.status from document_members m join document_members outer_
                       on outer_.sha256 = m.parent_sha256 where outer_.name = '附件.zip'""")
    assert inner == [(archives.INNER_DOCX, "extracted")]
    source = q(data, """select rd.url, rd.kind from reports r join report_documents rd
                        on rd.report_id = r.id and rd.sha256 = r.source_sha256 where r.id = 'arcx-2022'""")
    assert source == [(crawled["url"] + "nb/2022.zip#附件.zip#" + archives.INNER_DOCX, "docx")]
    assert facts(data, "arcx-2022") == expected_cells(expected_report("tables-2021"))


def test_an_encrypted_zip_is_refused_with_its_reason(crawled):
    data = crawled["data"]
    assert members(data, "2021.zip") == [("2021年报告.pdf", "refused", "encrypted (password-protected): not opened")]
    status, message = q(data, "select parse_status, parse_message from reports where id = 'arcx-2021'")[0]
    assert status == "encrypted" and "2021年报告.pdf: encrypted" in message
    assert q(data, "select count(*) from facts where report_id = 'arcx-2021'") == [(0,)]


def test_a_zip_bomb_is_refused_before_it_inflates(crawled):
    data = crawled["data"]
    got = members(data, "2023.zip")
    assert [(n, s) for n, s, _ in got] == [("2023年报告.pdf", "refused"), ("附件.doc", "refused")]
    reasons = dict((n, r) for n, _, r in got)
    assert "a zip bomb" in reasons["2023年报告.pdf"] and "as the archive's directory declares" in reasons["2023年报告.pdf"]
    assert f"{archives.BOMB_SIZE} bytes, more than" in reasons["附件.doc"]
    assert q(data, "select parse_status from reports where id = 'arcx-2023'") == [("too_large",)]
    # nothing of the bomb was stored: no document of 60 or 150 MiB
    assert q(data, "select max(size) from documents")[0][0] < 2 * 1024 * 1024


def test_the_calendar_names_what_could_not_be_read(crawled):
    (reasons,) = q(crawled["data"], "select gap_reasons from crawl_sites")[0]
    assert "2021 encrypted: " in reasons and "2023 too_large: " in reasons
    assert "2019" not in reasons and "2020" not in reasons and "2022" not in reasons


def test_the_report_page_links_members_to_their_archive(crawled):
    from archive.printed import build_report

    conn = sqlite3.connect(crawled["data"] / "archive.db")
    try:
        page = build_report(conn, "arcx-2019")
        refused = build_report(conn, "arcx-2021")
    finally:
        conn.close()
    docs = {d["kind"]: d for d in page["documents"]}
    assert [(m["name"], m["status"]) for m in docs["zip"]["members"]] == [
        ("seed000.doc", "extracted"), (archives.GBK_NAME, "extracted")]
    assert docs["pdf"]["in_archive"] == {"archive_url": docs["zip"]["archive_url"], "name": archives.GBK_NAME}
    (zip_doc,) = [d for d in refused["documents"] if d["kind"] == "zip"]
    assert [(m["name"], m["status"], m["reason"]) for m in zip_doc["members"]] == [
        ("2021年报告.pdf", "refused", "encrypted (password-protected): not opened")]


def test_a_second_load_unpacks_nothing_again(crawled):
    before = q(crawled["data"], "select count(*), max(unpacked_at) from document_members")
    renfang("load", "--data-dir", crawled["data"])
    assert q(crawled["data"], "select count(*), max(unpacked_at) from document_members") == before
