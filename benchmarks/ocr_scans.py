"""OCR on the degraded-scan corpus: cells exact per variant, the confidence separation, time.

    python -m benchmarks.ocr_scans [--variant NAME ...] [--source NAME ...] [--pages N]
                                   [--corpus DIR] [--json FILE]

The corpus is tests/fixtures/scans/make_scans.py's (three reports whose every printed cell is
written by hand in tests/expected/reports/, scanned and damaged reproducibly), made into
``--corpus`` (default: a temporary directory). Every scan is parsed by ``parse_document``, as the
loader does, and every expected cell is compared with the fact of the same code:

* **exact**: the fact's value equals the printed one (type too: 0 is not 0.0, a blank is null);
* **wrong**: anything else, an unread cell (null, confidence 0) or a missing fact included;
* the **confidence separation** at the shipped threshold (``parsers.model.LOW_CONFIDENCE``):
  every wrong figure must be below it, and as many exact ones as possible above it.

``--pages N`` keeps the first N pages of each scan (a quick look while developing; accuracy is
then only over the cells of those pages). Time is wall time per page of ``parse_document``, one
document at a time, on this machine as it is (the shared 2-core machine: others' work included),
and CPU seconds per page of the parse and its Tesseract processes (what a page costs whatever
else the machine does; the cells' recognition and Tesseract run side by side, so on two free
cores a page takes at most its CPU time).
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from parsers import ParseError, parse_document
from parsers.model import LOW_CONFIDENCE
from tests.fixtures.scans import make_scans
from tests.helpers import expected_cells, expected_report


def first_pages(pdf: bytes, n: int) -> bytes:
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    if len(src) <= n:
        return pdf
    out = pdfium.PdfDocument.new()
    out.import_pages(src, list(range(n)))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (Tesseract)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def score(report, want: dict, pages: int | None) -> list[dict]:
    """One row per expected cell: code, printed value, what was read, its confidence."""
    got = {(f.table, f.row, f.column): f for f in report.facts} if report else {}
    rows = []
    for key, value in want.items():
        f = got.get(key)
        if pages is not None and f is not None and f.page and f.page > pages:
            continue
        read = f.value if f else "missing"
        exact = f is not None and read == value and type(read) is type(value)
        rows.append({"cell": ".".join(key), "printed": value,
                     "read": read if f else None, "raw": f.raw if f else None,
                     "missing": f is None, "exact": exact,
                     "confidence": None if f is None else f.confidence})
    return rows


def run(variants, sources, pages: int | None, corpus: Path) -> tuple[list[dict], list[dict]]:
    made = make_scans.make(corpus, variants, sources)
    cells, docs = [], []
    for (source, variant), path in made.items():
        data = path.read_bytes()
        if pages:
            data = first_pages(data, pages)
        want = expected_cells(expected_report(make_scans.expected_name(source)))
        t0, c0 = time.perf_counter(), _cpu()
        try:
            report, error = parse_document(data, path.name), None
        except ParseError as e:
            report, error = None, str(e)
        elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
        n_pages = report.pages if report else pages
        rows = score(report, want, pages)
        for r in rows:
            r.update(source=source, variant=variant)
        cells += rows
        docs.append({"source": source, "variant": variant, "pages": n_pages, "seconds": elapsed, "cpu": cpu,
                     "error": error, "exact": sum(r["exact"] for r in rows), "cells": len(rows)})
        print(f"  {source:8} {variant:10} {sum(r['exact'] for r in rows):>4}/{len(rows):<4} "
              f"{elapsed / max(1, n_pages or 1):5.2f} s/page {cpu / max(1, n_pages or 1):5.2f} cpu s/page"
              f"{'  ' + error if error else ''}",
              file=sys.stderr, flush=True)
    return cells, docs


def table(cells: list[dict], docs: list[dict], threshold: float) -> str:
    out = ["| variant | cells exact | % | wrong | of them ≥ threshold | unread (conf 0) | no fact | s/page | cpu s/page |",
           "|---|---|---|---|---|---|---|---|---|"]
    variants = list(dict.fromkeys(d["variant"] for d in docs))
    for v in variants + ["**all**"]:
        rows = [c for c in cells if v == "**all**" or c["variant"] == v]
        ds = [d for d in docs if v == "**all**" or d["variant"] == v]
        exact = sum(c["exact"] for c in rows)
        wrong = [c for c in rows if not c["exact"]]
        above = sum(1 for c in wrong if (c["confidence"] or 0) >= threshold)
        unread = sum(1 for c in rows if c["confidence"] == 0 and not c["missing"])
        missing = sum(c["missing"] for c in rows)
        pages = sum(d["pages"] or 0 for d in ds)
        seconds = sum(d["seconds"] for d in ds)
        cpu = sum(d["cpu"] for d in ds)
        out.append(f"| {v} | {exact}/{len(rows)} | {100 * exact / max(1, len(rows)):.1f} | "
                   f"{len(wrong)} | {above} | {unread} | {missing} | {seconds / max(1, pages):.2f} | "
                   f"{cpu / max(1, pages):.2f} |")
    return "\n".join(out)


def separation(cells: list[dict], threshold: float) -> str:
    exact = [c["confidence"] for c in cells if c["exact"] and c["confidence"] is not None]
    wrong = [c for c in cells if not c["exact"]]
    wrong_conf = [c["confidence"] or 0 for c in wrong]
    above = sum(1 for v in exact if v >= threshold)
    lines = [f"threshold {threshold}: exact figures at or above it {above}/{len(exact)} "
             f"({100 * above / max(1, len(exact)):.1f} %); wrong figures at or above it "
             f"{sum(1 for v in wrong_conf if v >= threshold)}/{len(wrong)}"]
    if wrong_conf:
        lines.append(f"highest confidence of a wrong figure: {max(wrong_conf):.3f}")
    if exact:
        q = statistics.quantiles(exact, n=20) if len(exact) > 1 else exact
        lines.append(f"exact figures' confidence: min {min(exact):.3f}, 5th percentile "
                     f"{q[0]:.3f}, median {statistics.median(exact):.3f}")
    # the best threshold this corpus allows: just above the most confident wrong figure
    if wrong_conf and exact:
        best = max(wrong_conf) + 0.001
        lines.append(f"lowest threshold with every wrong figure below it: {best:.3f} -> exact "
                     f"figures at or above it {100 * sum(1 for v in exact if v >= best) / len(exact):.1f} %")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", action="append", choices=make_scans.VARIANTS)
    ap.add_argument("--source", action="append", choices=list(make_scans.SOURCES))
    ap.add_argument("--pages", type=int, help="only the first N pages of each scan")
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "renfang-scans")
    ap.add_argument("--threshold", type=float, default=LOW_CONFIDENCE)
    ap.add_argument("--json", type=Path, help="write every cell's reading here")
    ap.add_argument("--wrong", action="store_true", help="list every wrong cell")
    args = ap.parse_args(argv)
    cells, docs = run(args.variant or make_scans.VARIANTS, args.source or tuple(make_scans.SOURCES),
                      args.pages, args.corpus)
    print(table(cells, docs, args.threshold))
    print()
    print(separation(cells, args.threshold))
    if args.wrong:
        for c in cells:
            if not c["exact"]:
                print(f"  {c['source']} {c['variant']} {c['cell']}: printed {c['printed']!r} read "
                      f"{c['read']!r} raw {c['raw']!r} conf {c['confidence']}")
    if args.json:
        args.json.write_text(json.dumps({"cells": cells, "docs": docs}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
