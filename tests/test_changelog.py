"""The change log (archive/changelog.py) after a two-round crawl of the test portals: round 2
adds trsx's 2023 report, changes trsx's 2022 PDF under the same URL and removes hanx's 2021
公告 — the page /-/changes and the feed /-/changes.atom say so, and the alerts feed has one
entry per alert."""
from __future__ import annotations

import re
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import ONLY_REGISTRY, renfang, start_datasette, stop_datasette
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("changelog")
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp / "registry.csv", ids=["trsx", "hanx"])
        for rnd, now in ((1, "2024-03-01"), (2, "2024-03-02")):
            sites.build(portal, rnd)
            renfang("run", "--registry", registry, "--data-dir", tmp / "data", *ONLY_REGISTRY, "--now", now, expect=3)
    finally:
        portal.stop()
    proc, base = start_datasette(tmp / "data")
    try:
        yield base, portal
    finally:
        stop_datasette(proc)


def get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers["Content-Type"], response.read().decode("utf-8")


def test_the_change_log_page_shows_the_added_changed_and_gone_reports(two_rounds):
    base, portal = two_rounds
    _, html = get(base + "/-/changes")
    runs = re.findall(r'<tr(?: class="selected")?><td><a href="/-/changes\?run=(\d+)">\d+</a></td><td>[^<]*</td>'
                      r'<td>(\w+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>', html)
    # round 1 added hanx 2021-2023 and trsx 2019, 2021, 2022 (trsx 2020's page is a 404: no document)
    assert runs == [("2", "finished", "1", "1", "1"), ("1", "finished", "6", "0", "0")]
    run2 = html[html.index('<h2 id="run-2">'):html.index('<h2 id="run-1">')]
    rows = re.findall(r'<tr class="change-(\w+)"><td>\w+</td><td><a href="/-/report/([\w-]+)">', run2)
    assert rows == [("added", "trsx-2023"), ("changed", "trsx-2022"), ("gone", "hanx-2021")]
    assert portal.url("trsx") + "zwgk/xxgknb/202301/P020230115301001.pdf" in run2
    assert portal.url("hanx") + "art/2022/1/25/art_2001_11.html" in run2
    _, one = get(base + "/-/changes?run=2")
    assert '<h2 id="run-2">' in one and '<h2 id="run-1">' not in one
    with pytest.raises(urllib.error.HTTPError) as e:
        get(base + "/-/changes?run=x")
    assert e.value.code == 400


def test_the_change_log_feed_has_an_entry_per_change(two_rounds):
    base, _ = two_rounds
    ctype, text = get(base + "/-/changes.atom?run=2")
    assert ctype.startswith("application/atom+xml")
    feed = ET.fromstring(text)
    titles = [e.find(ATOM + "title").text for e in feed.iter(ATOM + "entry")]
    assert titles == ["new report 新增: 测试市人民防空办公室 2023 (trsx-2023)",
                      "changed 已修改: 测试市人民防空办公室 2022 (trsx-2022)",
                      "gone 已下线: 测试省国防动员办公室 2021 (hanx-2021)"]
    ids = [e.find(ATOM + "id").text for e in feed.iter(ATOM + "entry")]
    assert len(set(ids)) == 3 and all(i.startswith(base + "/-/changes?run=2#") for i in ids)
    assert [e.find(ATOM + "updated").text for e in feed.iter(ATOM + "entry")] == ["2024-03-02T12:00:00+00:00"] * 3
    everything = ET.fromstring(get(base + "/-/changes.atom")[1])
    assert len(list(everything.iter(ATOM + "entry"))) == 3 + 6


def test_the_alerts_feed_has_one_entry_per_alert(two_rounds):
    base, _ = two_rounds
    feed = ET.fromstring(get(base + "/-/alerts.atom")[1])
    entries = {e.find(ATOM + "title").text: e for e in feed.iter(ATOM + "entry")}
    # trsx's 2023 report came in round 2 (its late alert resolved); hanx found fewer reports than in round 1
    assert sorted(entries) == ["broken hanx", "edited trsx", "late trsx (resolved 已解除)"]
    late = entries["late trsx (resolved 已解除)"]
    assert late.find(ATOM + "updated").text == "2024-03-01T12:00:00+00:00"
    assert late.find(ATOM + "summary").text == ("no 2023 report archived; due 2024-01-31, 30 days late "
                                                "(open since 2024-03-01T12:00:00+00:00, resolved 2024-03-02T12:00:00+00:00)")
