"""Robustness: hostile and malformed documents through `renfang load`, and the worker limits.

240 files, made here from a fixed random seed: truncated and bit-flipped PDFs/DOCX, random
bytes behind a PDF header, PDFs claiming a million pages, DOCX zip bombs, HTML with scripts,
unclosed and absurdly spanned tables, deep nesting, OLE2 and OFD garbage, image bombs. Every
one must end as a recorded parse status of its report, the load must complete, and the
memory of the load (the program and its workers) must stay bounded.
"""
from __future__ import annotations

import io
import os
import random
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from parsers import sandbox

pytestmark = pytest.mark.slow  # test tiers: README "Development"

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "sample_portal" / "documents"
KNOWN_STATUSES = {"parsed", "text_only", "not_report", "corrupt", "encrypted", "empty",
                  "unsupported", "too_large", "timeout", "error"}


def _zip(members: dict[str, bytes], level=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256)
    return bytes(b)


def hostile_files() -> list[tuple[str, bytes]]:
    rng = random.Random(20240505)
    pdfs = [(DOCS / n).read_bytes() for n in ("seed000.pdf", "seed004.pdf")]
    docx = (DOCS / "seed004.docx").read_bytes()
    html = (DOCS / "seed000.html").read_bytes()
    files: list[tuple[str, bytes]] = []
    for i in range(30):  # truncated downloads
        src = pdfs[i % 2]
        files.append((f"trunc{i}.pdf", src[:rng.randrange(10, len(src))]))
    for i in range(30):  # random bytes behind a PDF header
        files.append((f"rand{i}.pdf", b"%%PDF-1.%d\n" % rng.randrange(8) + rng.randbytes(rng.randrange(10, 20000))))
    for i in range(30):  # bit flips in real PDFs
        files.append((f"flip{i}.pdf", _flip(pdfs[i % 2], rng, rng.randrange(1, 200))))
    for i in range(6):  # page trees claiming huge counts, and a loop
        count = [10 ** 6, 10 ** 9, 2 ** 31, 301, 5000, 10 ** 7][i]
        files.append((f"pages{i}.pdf", (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Count " + str(count).encode() +
            b"/Kids[3 0 R 2 0 R]>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF")))
    for i in range(12):  # zip bombs and broken zips as DOCX
        if i < 4:
            body = b"<w:document>" + b"0" * (120 * 1024 * 1024) + b"</w:document>"
            files.append((f"bomb{i}.docx", _zip({"[Content_Types].xml": b"<Types/>",
                                                 "word/document.xml": body})))
        elif i < 8:
            files.append((f"many{i}.docx", _zip({f"word/m{k}.xml": b"" for k in range(6000)}
                                                | {"word/document.xml": b"<w/>"})))
        else:
            files.append((f"brokenzip{i}.docx", docx[:rng.randrange(100, len(docx))]))
    for i in range(30):  # bit flips in a real DOCX
        files.append((f"flip{i}.docx", _flip(docx, rng, rng.randrange(1, 50))))
    for i in range(40):  # hostile HTML
        kind = i % 8
        if kind == 0:
            body = b"<html><script>" + b"while(1){}" * 1000 + b"</script><table><tr><td>1" * 500
        elif kind == 1:
            body = b"<table>" + b"<tr><td rowspan=99999 colspan=99999>0" * 300
        elif kind == 2:
            body = b"<div>" * 20000 + "2020年政府信息公开工作年度报告".encode()
        elif kind == 3:
            body = b"<table>" * 5000 + b"<td>0"
        elif kind == 4:
            body = html[:rng.randrange(10, len(html))] + b"<script>alert(1)</script><table><tr><td>"
        elif kind == 5:
            body = _flip(html, rng, 200)
        elif kind == 6:
            body = ('<meta charset="gbk"><p>政府信息公开工作年度报告</p>' * 2000).encode("gb18030")
        else:
            body = b"<html><body><table><tr>" + b"<td>&nbsp;</td>" * 50000
        files.append((f"hostile{i}.html", body))
    for i in range(8):  # OLE2 (DOC/WPS) garbage: LibreOffice must give up cleanly
        files.append((f"garbage{i}.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4000)))
    for i in range(10):  # OFD garbage, including an entity bomb
        if i < 3:
            laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                      + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">'
                                 % ((98 + k,) + (97 + k,) * 10) for k in range(8))
                      + b']><ofd:OFD xmlns:ofd="x"><ofd:DocRoot>&i;</ofd:DocRoot></ofd:OFD>')
            files.append((f"laughs{i}.ofd", _zip({"OFD.xml": laughs})))
        elif i < 6:
            files.append((f"missing{i}.ofd", _zip({"OFD.xml": b'<OFD><DocBody><DocRoot>Doc_0/Document.xml'
                                                               b'</DocRoot></DocBody></OFD>'})))
        else:
            files.append((f"randofd{i}.ofd", _zip({"OFD.xml": rng.randbytes(3000)})))
    for i in range(8):  # image bombs and broken images
        if i < 4:  # a PNG header declaring 100000 x 100000 pixels
            import struct
            import zlib
            ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
            chunk = b"IHDR" + ihdr
            png = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                   + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 100)
            files.append((f"bomb{i}.png", png))
        else:
            files.append((f"broken{i}.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(2000)))
    for i in range(12):  # plain junk
        files.append((f"junk{i}.bin", [b"", b"   ", b"\x00" * 1000, rng.randbytes(5000),
                                       "政府信息公开".encode() * 3, b"\xff\xfe" + rng.randbytes(99)][i % 6]))
    for i in range(24):  # text that looks like a report, mutated
        text = (REPO.parent / "shared" / "seeds" / "000_b895455aa8998ba0.txt").read_bytes()
        files.append((f"seedflip{i}.txt", _flip(text, rng, rng.randrange(1, 400))))
    return files


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory):
    from crawler import records
    from archive.schema import open_archive
    from archive.store import ObjectStore

    data_dir = tmp_path_factory.mktemp("fuzz")
    db = open_archive(data_dir / "archive.db")
    store = ObjectStore(data_dir / "objects")
    db["agencies"].insert({"id": "fuzz", "name": "测试人民防空办公室"})
    files = hostile_files()
    for i, (name, data) in enumerate(files):
        sha256, _ = records.store_document(db, store, data)
        rid = records.record_listing(db, "fuzz", 1000 + i, name, f"http://x.gov.cn/{i}")
        records.record_report_document(db, rid, sha256, f"http://x.gov.cn/{i}/{name}",
                                       name.rsplit(".", 1)[-1], name)
    db.close()
    env = {**os.environ, "RENFANG_PARSE_SECONDS": "60", "RENFANG_PARSE_MEMORY_MB": "2048",
           "RENFANG_JOBS": "2"}
    # `renfang load` under a small wrapper that reports the peak RSS of its own descendants
    # (the load and every worker it forked), so nothing else this test session ran counts
    wrapper = ("import resource, subprocess, sys; "
               "rc = subprocess.call([sys.executable, '-m', 'renfang.cli', 'load', '--data-dir', sys.argv[1]]); "
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", wrapper, str(data_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=900, env=env)
    seconds = time.monotonic() - start
    peak_kb = int(proc.stdout.rsplit("PEAK_KB", 1)[1].split()[0]) if "PEAK_KB" in proc.stdout else 10 ** 9
    return data_dir, files, proc, seconds, peak_kb


def test_at_least_200_hostile_files(hostile_archive):
    _, files, _, _, _ = hostile_archive
    assert len(files) >= 200
    assert len({name for name, _ in files}) == len(files)


def test_load_completes_and_every_document_has_a_status(hostile_archive):
    data_dir, files, proc, seconds, peak_kb = hostile_archive
    assert proc.returncode == 0, proc.stderr[-3000:]
    conn = sqlite3.connect(data_dir / "archive.db")
    try:
        reports = conn.execute("select title, parse_status, parse_message from reports").fetchall()
        parses = conn.execute("select status, count(*) from parses group by 1").fetchall()
    finally:
        conn.close()
    assert len(reports) == len(files)
    statuses = {status for _, status, _ in reports}
    assert statuses <= KNOWN_STATUSES, statuses
    assert "pending" not in statuses
    assert "error" not in statuses, [(t, m) for t, s, m in reports if s == "error"][:5]
    by_name = {t: s for t, s, _ in reports}
    # a few that must end a particular way
    assert by_name["bomb0.docx"] == "too_large"
    assert by_name["many4.docx"] == "too_large"
    assert by_name["bomb0.png"] in ("too_large", "corrupt")
    assert by_name["junk0.bin"] == "empty"
    assert by_name["laughs0.ofd"] in ("corrupt", "empty")
    assert all(by_name[f"rand{i}.pdf"] in ("corrupt", "empty") for i in range(30))
    print(f"\nfuzz: {len(files)} files in {seconds:.1f} s, peak RSS {peak_kb / 1024:.0f} MiB, "
          f"parses by status: {dict(parses)}")


def test_memory_of_the_load_stays_bounded(hostile_archive):
    _, _, proc, _, peak_kb = hostile_archive
    assert proc.returncode == 0
    # ru_maxrss of the waited-for descendants: the renfang process and every worker it forked
    assert peak_kb < 1024 * 1024, f"peak RSS {peak_kb / 1024:.0f} MiB"


# ---------------------------------------------------------------- the limits themselves
def _sleeper(data, filename=None):
    time.sleep(30)


def _hog(data, filename=None):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def _crash(data, filename=None):
    os.kill(os.getpid(), 11)


@pytest.mark.parametrize("func,status", [(_sleeper, "timeout"), (_hog, "too_large"),
                                         (_crash, "corrupt")])
def test_worker_limits(monkeypatch, func, status):
    import parsers

    monkeypatch.setattr(parsers, "parse_document", func)  # the forked worker inherits it
    start = time.monotonic()
    outcome = sandbox.parse_isolated(b"x", "x", time_limit=3, memory_limit=512 * 1024 ** 2)
    assert outcome.status == status, outcome
    assert outcome.report is None and outcome.message
    assert time.monotonic() - start < 15


def test_workers_run_in_parallel_and_keep_results_apart():
    seeds = REPO.parent / "shared" / "seeds"
    items = [(p.name, p.read_bytes(), p.name) for p in sorted(seeds.glob("*.txt"))] * 3
    results = list(sandbox.parse_many([(f"{k}-{i}", d, f) for i, (k, d, f) in enumerate(items)],
                                      jobs=2))
    assert len(results) == len(items)
    by_key = dict(results)
    assert all(o.status == "parsed" for o in by_key.values())
    assert {by_key[f"{k}-{i}"].report.agency for i, (k, _, _) in enumerate(items)} == {
        "攀枝花市人民防空办公室", "江西省人民防空办公室"}
