"""Parse throughput and peak memory over generated report PDFs, beside a bare pdfplumber pass.

    python -m benchmarks.parse_throughput [--reports 200] [--jobs 2] [--out benchmarks/parse_results.md]

The corpus: the two seed reports rendered as PDFs by sample_portal.render with varied figures
(every figure of tables 二/三/四 replaced by a random one, so no two PDFs are alike), written to
a temporary directory. Three passes over the same files:

* ``bare pdfplumber``: open every page and call ``extract_tables()`` (the reference);
* ``renfang parse, jobs=1``: ``parsers.parse_document`` in one process;
* ``renfang parse, jobs=N``: the loader's way, ``parsers.sandbox.parse_many`` with N forked,
  time- and memory-limited workers.

Peak memory is the peak RSS of the process (and, for the workers, the largest worker).
"""
from __future__ import annotations

import argparse
import platform
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_corpus(n: int, out: Path, seed: int = 7) -> list[Path]:
    from sample_portal import render

    rng = random.Random(seed)
    keys = list(render.SEED_FILES)
    paths = []
    for i in range(n):
        key = keys[i % len(keys)]
        text = (render.DEFAULT_SEEDS / render.SEED_FILES[key]).read_text(encoding="utf-8")
        # vary every figure that stands alone in a table cell
        text = "\n".join("\t".join(str(rng.randrange(0, 500)) if re.fullmatch(r"\d+", c.strip())
                                   else c for c in line.split("\t")) if "\t" in line else line
                         for line in text.splitlines())
        rep = render.parse_seed(text)
        path = out / f"report{i:04d}.pdf"
        render.render_pdf(rep, path, "bench", render.FIXED_TIME)
        paths.append(path)
    return paths


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_pdfplumber(paths: list[Path]) -> tuple[int, int]:
    import pdfplumber

    pages = tables = 0
    for p in paths:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                tables += len(page.extract_tables())
                pages += 1
                page.close()
    return pages, tables


def renfang_inline(paths: list[Path]) -> tuple[int, int]:
    from parsers import parse_document

    pages = facts = 0
    for p in paths:
        r = parse_document(p.read_bytes(), p.name)
        pages += r.pages or 0
        facts += len(r.facts)
    return pages, facts


def renfang_jobs(paths: list[Path], jobs: int) -> tuple[int, int, float]:
    from parsers import sandbox

    pages = facts = 0
    worker_peak = 0
    items = ((p, p.read_bytes(), p.name) for p in paths)
    for _, o in sandbox.parse_many(items, jobs=jobs):
        if o.report is None:
            raise SystemExit(f"benchmark corpus failed to parse: {o.status} {o.message}")
        pages += o.report.pages or 0
        facts += len(o.report.facts)
        worker_peak = max(worker_peak, o.peak_rss_kb or 0)
    return pages, facts, worker_peak / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="write the results table here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="renfang-bench-") as tmp:
        t = time.perf_counter()
        paths = make_corpus(args.reports, Path(tmp))
        made = time.perf_counter() - t
        rows = []

        t = time.perf_counter()
        pages, tables = bare_pdfplumber(paths)
        s = time.perf_counter() - t
        rows.append(("bare pdfplumber extract_tables()", 1, s, pages, f"{tables} tables", _peak_mb()))

        t = time.perf_counter()
        pages, facts = renfang_inline(paths)
        s = time.perf_counter() - t
        rows.append(("renfang parse_document", 1, s, pages, f"{facts} facts", _peak_mb()))

        t = time.perf_counter()
        pages, facts, worker_peak = renfang_jobs(paths, args.jobs)
        s = time.perf_counter() - t
        rows.append(("renfang sandbox.parse_many (forked workers)", args.jobs, s, pages,
                     f"{facts} facts", worker_peak))
    lines = [
        f"Command: `python -m benchmarks.parse_throughput --reports {args.reports} --jobs {args.jobs}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores; corpus of {len(paths)} report PDFs "
        f"({pages} pages) rendered in {made:.1f} s.",
        "",
        "| pass | jobs | seconds | reports/s | pages/s | output | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, jobs, s, pages, out, peak in rows:
        lines.append(f"| {name} | {jobs} | {s:.1f} | {len(paths) / s:.1f} | {pages / s:.1f} | "
                     f"{out} | {peak:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
