"""Hostile input (issue 23, point 2): registries, documents and servers' file names.

- A registry row is refused in one line, before any request, with nothing left behind (no data
  dir, no lock file): an id that is not a slug of lower-case letters, digits, Chinese characters,
  '_' and '-' (``../../../../outside/x`` made ``--explain`` write outside the data dir; quotes,
  ``<>``, spaces, upper case), a level or province outside their
  vocabularies, an empty name, credentials in a URL (they would be published in
  ``agencies.url``), a field too long, a 10 MB line (a ``_csv.Error`` traceback and a lock file
  before), two rows with one URL (the second got a false ``failed`` and a ``broken`` alert).
- ``renfang parse`` parses under the limits of ``renfang load`` (``/dev/zero`` was read to 7.6 GB,
  a 40 MB HTML table took 1.74 GB): its peak memory and time are measured here, from the
  command's own rusage (its worker's included) and the clock around it.
- A file name a server sends is stored and shown as a name, never as a path or with control
  characters; the raw header stays in ``fetches.headers``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.extract import safe_filename
from crawler.registry import RegistryError, read_registry
from crawler.state import explain_path
from tests.helpers import REPO, RENFANG

HEADER = "id,name,level,province,url\n"
GOOD = "jxrf,江西省人民防空办公室,province,江西,http://127.0.0.1:9/\n"


@pytest.mark.parametrize("row, words", [
    ("../../../../outside/x,甲人防办,city,四川,http://127.0.0.1:9/", "id '../../../../outside/x' must be a slug"),
    ('"a\'b",甲人防办,city,四川,http://127.0.0.1:9/', "must be a slug"),
    ("<b>x</b>,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),
    ("a b,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),
    ("攀枝花?,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),
    ("ｐｚｈ,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),      # full-width letters
    ("Pzhrf,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),
    ("-x,甲人防办,city,四川,http://127.0.0.1:9/", "must be a slug"),
    ("a" * 65 + ",甲人防办,city,四川,http://127.0.0.1:9/", "at most 64 characters"),
    ("x,甲人防办,banana,四川,http://127.0.0.1:9/", "unknown level 'banana'"),
    ("x,甲人防办,city,四川省,http://127.0.0.1:9/", "unknown province '四川省' (write 四川)"),
    ("x,甲人防办,city,火星,http://127.0.0.1:9/", "unknown province '火星'"),
    ("x,,city,四川,http://127.0.0.1:9/", "no name"),
    ("x," + "甲" * 201 + ",city,四川,http://127.0.0.1:9/", "name is 201 characters long, over 200"),
    ("x,甲人防办,city,四川,http://127.0.0.1:9/" + "a" * 2000, "url is 2,019 characters long, over 2,000"),
    ("x,甲人防办,city,四川,http://user:secret@127.0.0.1:9/", "url must not carry a user name or password"),
    ("x,甲人防办,city,四川,http://user@127.0.0.1:9/", "url must not carry a user name or password"),
    ("x,甲人防办,city,四川,ftp://127.0.0.1:9/", "url must be http(s)://host/"),
])
def test_a_bad_registry_row_is_refused_in_one_line(tmp_path, row, words):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + GOOD + row + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as e:
        read_registry(path)
    message = str(e.value)
    assert message.startswith(f"{path}:3: ") and words in message, message
    assert "\n" not in message and "secret" not in message


def test_credentials_in_a_column_url_and_duplicates_are_refused(tmp_path):
    path = tmp_path / "r.csv"
    cases = {
        "id,name,level,province,url,column_url\nx,甲人防办,city,四川,http://127.0.0.1:9/,http://u:pw@127.0.0.1:9/nb/\n":
            ":2: column_url: url must not carry a user name or password",
        HEADER + GOOD + "y,乙人防办,city,四川,HTTP://127.0.0.1:9\n":
            ":3: duplicate url 'HTTP://127.0.0.1:9' (also line 2, id jxrf)",
        HEADER + GOOD + "jxrf,乙人防办,city,四川,http://127.0.0.1:8/\n": ":3: duplicate id 'jxrf'",
        HEADER + GOOD + 'y,"乙人防办,city,四川,http://127.0.0.1:8/' + "x" * 200_000 + "\n":
            ":3: not a CSV row: field larger than field limit",
    }
    for text, words in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RegistryError) as e:
            read_registry(path)
        assert words in str(e.value), str(e.value)


def test_a_chinese_id_is_a_slug(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "攀枝花rf-2,甲人防办,city,四川,http://127.0.0.1:9/\n", encoding="utf-8")
    assert [s.id for s in read_registry(path)] == ["攀枝花rf-2"]


def test_the_bundled_and_national_registries_are_valid(tmp_path):
    """Hand-written ids (jxrf, pzhrf) and the national registry's rf<code> are slugs."""
    from crawler import national

    bundled = REPO / "crawler" / "registry.csv"
    assert len(read_registry(bundled)) == len(bundled.read_text(encoding="utf-8").strip().splitlines()) - 1
    assert {s.id for s in read_registry(REPO / "sample_portal" / "registry.csv")} == {"pzhrf", "jxrf"}
    result = national.build()
    out = tmp_path / "national.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        national.write_csv(result.rows, f)
    sites = read_registry(out)
    assert len(sites) == len(result.rows)
    assert sum(s.id.startswith("rf") for s in sites) > len(sites) - 50  # the bundled rows keep their ids


def _peak_rss(*args) -> tuple[subprocess.CompletedProcess, float, int]:
    """The command line, with its time and its peak resident memory (its own and its waited-for
    children's, its parse worker's among them, as the kernel reports them to wait4)."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: becomes renfang, its output to files
        out = os.open(os.environ["RENFANG_TEST_OUT"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open(os.environ["RENFANG_TEST_ERR"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.chdir(REPO)
        os.execv(sys.executable, [*RENFANG, *map(str, args)])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - started
    proc = subprocess.CompletedProcess(args, os.waitstatus_to_exitcode(status),
                                       Path(os.environ["RENFANG_TEST_OUT"]).read_text(),
                                       Path(os.environ["RENFANG_TEST_ERR"]).read_text())
    return proc, seconds, usage.ru_maxrss * 1024


@pytest.fixture()
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("RENFANG_TEST_OUT", str(tmp_path / "out.txt"))
    monkeypatch.setenv("RENFANG_TEST_ERR", str(tmp_path / "err.txt"))


@pytest.mark.parametrize("row", [
    "../../../../outside/x,甲人防办,city,四川,http://127.0.0.1:9/",
    "x,甲人防办,banana,四川,http://127.0.0.1:9/",
    "x,甲人防办,city,四川,http://user:secret@127.0.0.1:9/",
    "x,甲人防办,city,四川,http://127.0.0.1:9/" + "x" * 10_000_000,
    "x,甲人防办,city,四川,http://127.0.0.1:9",   # the same site as line 2
])
def test_crawl_refuses_a_bad_registry_leaving_nothing_behind(tmp_path, outputs, row):
    registry = tmp_path / "r.csv"
    registry.write_text(HEADER + GOOD.replace("jxrf", "a") + row + "\n", encoding="utf-8")
    for command in ("crawl", "run"):
        data = tmp_path / f"data-{command}"
        proc, seconds, _ = _peak_rss(command, "--registry", registry, "--data-dir", data, "--explain", "a")
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {registry}:3: "), proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr and "secret" not in proc.stderr and proc.stdout == ""
        assert not data.exists(), sorted(p.name for p in data.iterdir())  # no data dir, no lock file
        assert not (tmp_path / "outside").exists()


def test_explain_never_names_a_file_outside_the_data_dir(tmp_path):
    logs = (tmp_path / "logs").resolve()
    for agency_id in ("../../../../outside/x", "/etc/passwd", "..", "a/../../b", "人防", "a\x00b", "jxrf"):
        path = explain_path(tmp_path, agency_id, 3)
        assert path.resolve().parent == logs and path.name.startswith("explain-") and "/" not in path.name
    assert explain_path(tmp_path, "jxrf", 3).name == "explain-jxrf-run3.txt"


def test_parse_reads_at_most_the_download_cap(outputs):
    from crawler.settings import DOWNLOAD_MAXSIZE

    proc, seconds, peak = _peak_rss("parse", "/dev/zero", "--json")
    assert proc.returncode == 1 and '"error": "too_large"' in proc.stdout, proc.stdout + proc.stderr
    assert peak < DOWNLOAD_MAXSIZE + 300 * 1024 * 1024, f"{peak >> 20} MiB"  # not 7.6 GB
    assert seconds < 60


def test_parse_runs_under_the_time_and_memory_limits_of_load(tmp_path, outputs):
    rows = "".join(f"<tr><td>第{i}行</td><td>{i}</td><td>{i * 7}</td></tr>" for i in range(600_000))
    big = tmp_path / "big.html"
    big.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    assert big.stat().st_size > 30 * 1024 * 1024
    proc, seconds, peak = _peak_rss("parse", big, "--json", "-s", "RENFANG_PARSE_SECONDS=3")
    assert proc.returncode == 1 and '"error": "timeout"' in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert seconds < 30, seconds
    proc, seconds, peak = _peak_rss("parse", big, "--json", "-s", "RENFANG_PARSE_MEMORY_MB=400")
    assert proc.returncode == 1 and proc.stdout.startswith('{"error": '), proc.stdout + proc.stderr[-2000:]
    assert peak < 600 * 1024 * 1024, f"{peak >> 20} MiB"  # the worker's 400 MB, the command's own
    proc, _, _ = _peak_rss("parse", "-s", "NO_SUCH_SETTING=1", big)
    assert proc.returncode == 1 and "NO_SUCH_SETTING" in proc.stderr


@pytest.mark.parametrize("raw, stored", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("a\x00b.pdf", "ab.pdf"),
    ("报告\r\nSet-Cookie: x=y.pdf", "报告 Set-Cookie: x=y.pdf"),
    ("2019年报\u202efdp.exe", "2019年报fdp.exe"),            # a right-to-left override
    ("..", ""),
    ("  江西 2019 年报 .pdf  ", "江西 2019 年报 .pdf"),
    ("甲" * 120 + ".pdf", "甲" * 83 + ".pdf"),                 # 255 bytes of UTF-8, the extension kept
    ("江西省人民防空办公室2019年政府信息公开工作年度报告.pdf", "江西省人民防空办公室2019年政府信息公开工作年度报告.pdf"),
])
def test_a_servers_file_name_is_a_name(raw, stored):
    assert safe_filename(raw) == stored
    assert len(safe_filename(raw).encode("utf-8")) <= 255


def test_the_spider_stores_the_sanitised_name_and_the_raw_header():
    """The spider's document item carries the sanitised name; the pipeline keeps the header."""
    from scrapy.http import Request, Response

    from crawler.pipelines import KEPT_HEADERS
    from crawler.spiders.portal import PortalSpider

    header = "attachment; filename=\"../../../etc/\r\n报告\x00.pdf\"".encode("utf-8")
    request = Request("http://127.0.0.1:9/download.do?id=7", meta={"agency_id": "jxrf"})
    response = Response(request.url, headers={"Content-Disposition": header}, body=b"%PDF-1.4", request=request)
    item = PortalSpider.document(PortalSpider.__new__(PortalSpider), response, "attachment", "报告", 2019,
                                 report_url=request.url)
    assert item.filename == "报告.pdf"
    assert "content-disposition" in KEPT_HEADERS  # fetches.headers: the header as it was sent


def test_registry_check_and_build_read_a_10_mb_line_as_one_problem(tmp_path, outputs):
    bad = tmp_path / "mine.csv"
    bad.write_text(HEADER + "a,甲人防办,city,四川,http://127.0.0.1:9/" + "x" * 10_000_000 + "\n", encoding="utf-8")
    proc, _, _ = _peak_rss("registry", "check", bad)
    assert proc.returncode == 1 and f"{bad}:2: not a CSV row: field larger than field limit" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc, _, _ = _peak_rss("registry", "build", "--merge", bad, "--out", tmp_path / "national.csv")
    assert proc.returncode == 1 and f"error: {bad}:2: not a CSV row" in proc.stderr and "Traceback" not in proc.stderr
