"""The README's `renfang crawl --explain` examples run as printed: the sample portal is served on
free ports, each command is run, and its output equals the README's block (ports, data dir and
run number aside)."""
from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import FAST, REPO, renfang

BLOCK = re.compile(r"```console\n\$ (\.venv/bin/renfang crawl [^\n]*--explain (\w+))\n(.*?)```", re.S)


def readme_blocks() -> list[tuple[str, str, str]]:
    return [(cmd, site, out) for cmd, site, out in BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))]


def test_the_readme_shows_explain_on_two_sites():
    assert [site for _, site, _ in readme_blocks()] == ["pzhrf", "jxrf"]


@pytest.mark.parametrize("command, site, printed", readme_blocks(), ids=lambda v: v if v in ("pzhrf", "jxrf") else "")
def test_readme_explain_example(portal, tmp_path, command, site, printed):
    args = shlex.split(command)[1:]                     # drop .venv/bin/renfang: the suite's renfang()
    args = [str(tmp_path / "data") if a == "data" else a for a in args]
    registry = tmp_path / "registry.csv"
    portal.write_registry(registry)
    args[args.index("sample_portal/registry.csv")] = str(registry)
    proc = renfang(*args, *FAST, check=False)
    assert proc.returncode == (3 if site == "pzhrf" else 0), proc.stderr[-2000:]
    ports = {s["id"]: s["url"].rsplit(":", 1)[1].rstrip("/") for s in portal.sites}
    got = proc.stdout
    for sid, port in ports.items():
        got = got.replace(f"127.0.0.1:{port}/", f"127.0.0.1:{8701 if sid == 'pzhrf' else 8702}/")
    got = got.replace(str(tmp_path / "data"), "data")
    # the README shows the explanation and the site's own summary line, not the run's totals
    # nor the one-line summary (its count of alerts depends on today's date)
    got = "\n".join(line for line in got.splitlines()
                    if not line.startswith(("crawl run ", "renfang crawl "))) + "\n"
    assert got == printed
