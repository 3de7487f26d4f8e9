"""Parse speed per PDF producer, beside a bare pdfplumber pass over the same files in one run.

    python -m benchmarks.parse_producers [--rounds 3] [--out benchmarks/parse_results.md]

Producers (the PDFs a 人防办 portal serves):

* ``reportlab``: the two seed reports as the sample portal renders them;
* ``LibreOffice``: the seeds' DOCX/DOC/HTML renditions and the 洪泽 DOCX rebuild, printed to PDF
  by LibreOffice (``soffice --convert-to pdf``), as Word/WPS users' uploads often are;
* ``WPS``: the real 洪泽 2023 PDF (made with WPS; tables split across pages);
* ``scanned``: the seed PDFs rasterised as 200 dpi grey JPEG scans (image only: OCR).

For each producer, in one process: ``bare pdfplumber`` opens every page and calls
``extract_tables()``; ``parse_document`` parses the same bytes (``rounds`` times each, best
round kept, to damp the shared machine's noise). ratio = parse_document seconds / bare seconds
(below 1 = faster than bare pdfplumber). Then per file, as a user runs it: a fresh ``renfang
parse FILE --json`` process against a fresh ``python -c`` bare pdfplumber process (wall time
of the process, best of ``rounds``), and the peak RSS of a forked worker of
``sandbox.parse_many`` (jobs=1) per producer.
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BARE = ("import sys, pdfplumber\n"
        "with pdfplumber.open(sys.argv[1]) as pdf:\n"
        "    n = sum(len(p.extract_tables()) for p in pdf.pages)\n")


def corpus() -> dict[str, list[bytes]]:
    from tests.fixtures.renditions import make_renditions as mk

    renditions = REPO / "tests" / "fixtures" / "renditions"
    seeds = [p.read_bytes() for p in mk.SEED_PDFS.values()]
    lo = [mk.libreoffice((renditions / n).read_bytes(), n.rsplit(".", 1)[1], "pdf")
          for n in ("seed000.docx", "seed004.docx", "seed000.doc", "seed004.html")]
    lo.append(mk.libreoffice(mk.make_for_hongze()["docx"].read_bytes(), "docx", "pdf"))
    return {"reportlab": seeds, "LibreOffice": lo, "WPS": [mk.HONGZE_PDF.read_bytes()],
            "scanned": [mk.scan_pdf(d) for d in seeds]}


def bare_pass(files: list[bytes]) -> int:
    import io

    import pdfplumber

    pages = 0
    for data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                pages += 1
                page.close()
    return pages


def parse_pass(files: list[bytes]) -> int:
    from parsers import parse_document

    return sum(parse_document(d).pages or 0 for d in files)


def best(fn, files, rounds: int) -> tuple[float, int]:
    times, pages = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        pages = fn(files)
        times.append(time.perf_counter() - t)
    return min(times), pages


def process_seconds(cmd: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def worker_peak_mb(files: list[bytes]) -> float:
    from parsers import sandbox

    peak = 0
    for _, outcome in sandbox.parse_many(((i, d, None) for i, d in enumerate(files)), jobs=1):
        if outcome.report is None:
            raise SystemExit(f"failed to parse: {outcome.status} {outcome.message}")
        peak = max(peak, outcome.peak_rss_kb or 0)
    return peak / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the results table here")
    args = ap.parse_args(argv)
    files = corpus()
    renfang = str(Path(sys.executable).with_name("renfang"))
    lines = [
        f"Command: `python -m benchmarks.parse_producers --rounds {args.rounds}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores (shared).",
        "",
        "| producer | files | pages | bare pdfplumber pages/s | parse_document pages/s | ratio "
        "| `renfang parse` process s | bare pdfplumber process s | process ratio | worker peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="renfang-bench-") as tmp:
        for producer, data in files.items():
            bare_s, pages = best(bare_pass, data, args.rounds)
            parse_s, _ = best(parse_pass, data, 1 if producer == "scanned" else args.rounds)
            path = Path(tmp) / f"{producer}.pdf"
            path.write_bytes(data[0])
            rounds = 1 if producer == "scanned" else args.rounds
            cli_s = process_seconds([renfang, "parse", str(path), "--json"], rounds)
            bare_proc_s = process_seconds([sys.executable, "-c", BARE, str(path)], rounds)
            peak = worker_peak_mb(data)
            lines.append(
                f"| {producer} | {len(data)} | {pages} | {pages / bare_s:.1f} | "
                f"{pages / parse_s:.1f} | {parse_s / bare_s:.2f} | {cli_s:.2f} | "
                f"{bare_proc_s:.2f} | {cli_s / bare_proc_s:.2f} | {peak:.0f} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
