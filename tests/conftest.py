"""Shared fixtures: the sample portal on loopback, a crawled archive and a crawled+loaded one;
and the test tiers (markers, README "Development"), applied from what a test uses.

The helpers these fixtures are built on are in tests/helpers.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.run import EXIT_SITES_NOT_OK
from tests.helpers import FAST, renfang


@pytest.fixture(scope="session")
def portal():
    from sample_portal import server

    with server.start() as running:
        yield running


@pytest.fixture(scope="session")
def registry(portal, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "registry.csv"
    portal.write_registry(path)
    return path


@pytest.fixture(scope="session")
def archive_dir(portal, registry, tmp_path_factory) -> Path:
    """The sample portal crawled and loaded once, by `renfang run`."""
    data_dir = tmp_path_factory.mktemp("archive")
    # exit 3: the sample portal's 攀枝花 2017 page answers 500 (a partial site), as it should
    proc = renfang("run", "--registry", registry, "--data-dir", data_dir, *FAST, expect=EXIT_SITES_NOT_OK)
    (data_dir / "first-run.txt").write_text(proc.stdout + proc.stderr)
    return data_dir


@pytest.fixture(scope="session")
def crawled(registry, tmp_path_factory) -> Path:
    """The sample portal crawled, nothing loaded yet (tests load private copies of it:
    helpers.copy_archive)."""
    data_dir = tmp_path_factory.mktemp("crawled")
    renfang("crawl", "--registry", registry, "--data-dir", data_dir, *FAST, expect=EXIT_SITES_NOT_OK)
    return data_dir


# ---------------------------------------------------------------- the test tiers
# A test that uses one of these fixtures (directly or through another fixture) serves or
# requests something on 127.0.0.1: it is marked `loopback`. Tests that start their own servers
# say so themselves (`pytestmark` or `@pytest.mark.loopback`).
LOOPBACK_FIXTURES = {"portal", "registry", "archive_dir", "crawled"}


def pytest_collection_modifyitems(items):
    for item in items:
        if LOOPBACK_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.loopback)
