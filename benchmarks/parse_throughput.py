"""Parse throughput and peak memory over generated report PDFs, beside a bare pdfplumber pass.

    python -m benchmarks.parse_throughput [--reports 200] [--jobs 2] [--out benchmarks/parse_results.md]
    python -m benchmarks.parse_throughput --producers [--rounds 3]

``--producers``: per PDF producer (the text-layer ones of ``benchmarks.parse_producers``:
reportlab, LibreOffice, WPS), every file parsed as a user runs it, one process per file:
``renfang parse FILE --json`` against a bare pdfplumber ``extract_tables()`` process on the same
file, the two interleaved (bare first, then renfang, then the next file; the order swapped on
every other round), wall time summed over ``--rounds`` rounds: the *cli* ratio. The *batch*
ratio: ``parsers.parse_document`` over the producer's files in one process, against one bare
pdfplumber pass over them in one process (best of ``--rounds`` each); beside it the loader's
way, ``sandbox.parse_many`` (a forked, time- and memory-limited worker per document, jobs=1).

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


BARE_PROCESS = ("import sys, pdfplumber\n"
                "with pdfplumber.open(sys.argv[1]) as pdf:\n"
                "    n = sum(len(p.extract_tables()) for p in pdf.pages)\n")
TEXT_PRODUCERS = ("reportlab", "LibreOffice", "WPS")


def _wall(cmd: list[str]) -> float:
    import subprocess

    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def producers(rounds: int) -> list[str]:
    """The cli and batch rows per producer (see the module docstring), as Markdown lines."""
    from benchmarks.parse_producers import bare_pass, best, corpus, parse_pass

    renfang = str(Path(sys.executable).with_name("renfang"))
    files = {k: v for k, v in corpus().items() if k in TEXT_PRODUCERS}
    lines = ["| producer | files | pages | cli: renfang parse s | cli: bare pdfplumber s | **cli ratio** "
             "| batch: bare pdfplumber s | batch: parse_document s | **batch ratio** "
             "| batch: sandbox.parse_many s | sandbox ratio |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    totals = [0.0] * 5
    with tempfile.TemporaryDirectory(prefix="renfang-bench-") as tmp:
        for producer, data in files.items():
            paths = []
            for i, d in enumerate(data):
                paths.append(Path(tmp) / f"{producer}-{i}.pdf")
                paths[-1].write_bytes(d)
            cli = bare = 0.0
            for r in range(rounds):
                for path in paths:
                    pair = [([renfang, "parse", str(path), "--json"], "cli"),
                            ([sys.executable, "-c", BARE_PROCESS, str(path)], "bare")]
                    for cmd, which in (pair if r % 2 else pair[::-1]):
                        s = _wall(cmd)
                        cli, bare = (cli + s, bare) if which == "cli" else (cli, bare + s)
            bare_s, pages = best(bare_pass, data, rounds)
            inline_s, _ = best(parse_pass, data, rounds)
            sandbox_s, _ = best(lambda d: renfang_jobs(paths, 1)[0], data, rounds)
            for k, v in enumerate((cli, bare, bare_s, inline_s, sandbox_s)):
                totals[k] += v
            lines.append(f"| {producer} | {len(data)} | {pages} | {cli:.2f} | {bare:.2f} | {cli / bare:.2f} | "
                         f"{bare_s:.2f} | {inline_s:.2f} | {inline_s / bare_s:.2f} | {sandbox_s:.2f} | "
                         f"{sandbox_s / bare_s:.2f} |")
            print(lines[-1], flush=True)
    cli, bare, bare_s, inline_s, sandbox_s = totals
    lines.append(f"| **all** | {sum(len(v) for v in files.values())} | | {cli:.2f} | {bare:.2f} | "
                 f"**{cli / bare:.2f}** | {bare_s:.2f} | {inline_s:.2f} | **{inline_s / bare_s:.2f}** | "
                 f"{sandbox_s:.2f} | {sandbox_s / bare_s:.2f} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--producers", action="store_true", help="cli and batch ratios per PDF producer")
    ap.add_argument("--rounds", type=int, default=3, help="with --producers: rounds per file")
    ap.add_argument("--out", type=Path, default=None, help="write the results table here")
    args = ap.parse_args(argv)
    if args.producers:
        lines = [f"Command: `python -m benchmarks.parse_throughput --producers --rounds {args.rounds}`  ",
                 f"Machine: {platform.machine()}, Python {platform.python_version()}, "
                 f"{__import__('os').cpu_count()} cores (shared).", "", *producers(args.rounds)]
        text = "\n".join(lines)
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        return 0
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
