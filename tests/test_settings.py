"""Settings in one place (archive/settings.py): ``-s NAME=VALUE`` and the environment variable of
the same name take effect alike, for the crawl and for the load; a bad one is one line, exit 1."""
from __future__ import annotations

import re
import shutil

import pytest

from archive import settings
from tests.helpers import FAST, ONLY_REGISTRY, REPO, q, renfang
from tests.portals import sites


def test_every_setting_read_in_the_code_is_described_once():
    """A RENFANG_* name the code reads but archive/settings.py does not describe is a setting
    outside the one place (and missing from the README's table)."""
    used = set()
    for path in [*REPO.glob("crawler/**/*.py"), *REPO.glob("archive/**/*.py"), *REPO.glob("parsers/**/*.py"),
                 *REPO.glob("renfang/**/*.py")]:
        used |= set(re.findall(r"\b(RENFANG_[A-Z_]+[A-Z])\b", path.read_text(encoding="utf-8")))
    assert used - set(settings.BY_NAME) == set()
    assert settings.markdown_table() in (REPO / "README.md").read_text(encoding="utf-8"), \
        "the README's settings table differs from archive/settings.py: paste settings.markdown_table()"


def test_values_read_as_their_type():
    env = {"RENFANG_JOBS": "2", "RENFANG_CONDITIONAL": "false", "RENFANG_ALLOWED_SUFFIXES": "",
           "RENFANG_PARSE_SECONDS": ""}
    assert settings.get("RENFANG_JOBS", env) == 2
    assert settings.get("RENFANG_CONDITIONAL", env) is False
    assert settings.get("RENFANG_ALLOWED_SUFFIXES", env) == []          # empty list: a value
    assert settings.get("RENFANG_PARSE_SECONDS", env) == 300.0          # empty number: not set
    assert settings.from_environment(env) == {"RENFANG_JOBS": 2, "RENFANG_CONDITIONAL": False,
                                              "RENFANG_ALLOWED_SUFFIXES": []}
    with pytest.raises(settings.SettingError, match="RENFANG_JOBS='two'"):
        settings.get("RENFANG_JOBS", {"RENFANG_JOBS": "two"})
    with pytest.raises(settings.SettingError, match="unknown setting"):
        settings.split_overrides(["RENFANG_JOB=2"])
    assert settings.split_overrides(["RENFANG_JOBS=2", "DOWNLOAD_DELAY=1"]) == (
        {"RENFANG_JOBS": "2"}, {"DOWNLOAD_DELAY": "1"})


@pytest.fixture(scope="module")
def crawled(registry, tmp_path_factory):
    """The sample portal crawled (its reports are PDFs and Word files that take a parse worker
    well over a millisecond), not loaded yet: each test loads a copy."""
    data = tmp_path_factory.mktemp("settings") / "data"
    renfang("crawl", "--registry", registry, "--data-dir", data, *FAST, expect=3)   # pzhrf: one dead link
    return data


@pytest.mark.slow
@pytest.mark.parametrize("how", ["-s", "environment"])
def test_parse_limits_and_jobs_take_effect_by_either_way(crawled, tmp_path, monkeypatch, how):
    data = tmp_path / "data"
    shutil.copytree(crawled, data)
    values = {"RENFANG_JOBS": "2", "RENFANG_PARSE_SECONDS": "0.001"}   # no document parses that fast
    if how == "-s":
        options = [a for k, v in values.items() for a in ("-s", f"{k}={v}")]
    else:
        options = []
        for k, v in values.items():
            monkeypatch.setenv(k, v)
    out = renfang("load", "--data-dir", data, *options).stdout
    assert "(2 workers)" in out, out
    outcomes = q(data, "select status, message from parses")
    # the sample's PDFs take a worker far longer than the limit: they are stopped by it (a small
    # file answered within the sandbox's 50 ms grace keeps its own status)
    assert ("timeout", "parse did not finish within 0.001 s") in outcomes, outcomes


@pytest.mark.slow
@pytest.mark.loopback
@pytest.mark.parametrize("how", ["-s", "environment"])
def test_crawl_settings_take_effect_by_either_way(tmp_path, monkeypatch, how):
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx"])
        if how == "-s":
            options = ["-s", "RENFANG_MAX_LIST_PAGES=1"]
        else:
            options = []
            monkeypatch.setenv("RENFANG_MAX_LIST_PAGES", "1")
        renfang("crawl", "--registry", registry, "--data-dir", tmp_path / "data", *ONLY_REGISTRY, *options,
                expect=3)
    finally:
        portal.stop()
    assert q(tmp_path / "data", "select status from crawl_sites") == [("list_capped",)]


@pytest.mark.slow
def test_a_bad_setting_is_one_line_and_exit_1(tmp_path):
    for command in (["load", "--data-dir", tmp_path], ["crawl", "--registry", REPO / "sample_portal" / "registry.csv",
                                                       "--data-dir", tmp_path / "d"]):
        proc = renfang(*command, "-s", "RENFANG_JOBS=many", expect=1)
        assert proc.stderr.strip() == "Error: RENFANG_JOBS='many': invalid literal for int() with base 10: 'many'", \
            proc.stderr
    proc = renfang("load", "--data-dir", tmp_path, "-s", "DOWNLOAD_DELAY=2", expect=1)
    assert "not a setting of this command" in proc.stderr


def test_a_crawl_runs_no_remote_control_server():
    """Scrapy 2.19's remote control (an HTTP server that runs the Python code sent to it) is not
    among a crawl's extensions, nor imported (Scrapy imports every extension it lists)."""
    from crawler.run import crawl_settings
    extensions = crawl_settings().get_component_priority_dict_with_base("EXTENSIONS")
    assert "crawler.revisit.RevisitExtension" in extensions
    assert not [k for k in extensions if "remote_control" in str(k)], dict(extensions)
    assert crawl_settings().getbool("REMOTE_CONTROL_ENABLED") is False
