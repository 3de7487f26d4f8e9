"""Parse documents in forked worker processes with a time and a memory limit.

``parse_document`` is pure but runs third-party code (pdfminer, pdfium, lxml, LibreOffice,
Tesseract) on hostile bytes: a decompression bomb or a pathological PDF can take minutes or
gigabytes. Each document is therefore parsed in a child process forked for it, with
``RLIMIT_AS`` (address space, inherited by the converters it starts) and a wall-clock timeout;
the child is killed when the time is up. Whatever happens, the caller gets one
:class:`Outcome` per document -- failure is data, never a crash of the batch.

    for key, outcome in parse_many(items, jobs=2):   # items: (key, bytes, filename)
        ...

The limits are parameters (``time_limit`` seconds, ``memory_limit`` bytes, ``jobs``) with the
defaults below; the caller passes the user's settings down (nothing here reads the environment).

Fork keeps it cheap (~10 ms a document): before forking, the parent imports the modules of the
document's format (``preload``; parsers/__init__.py imports a format's modules only when it is
met), so no child imports pdfplumber or python-docx again.
"""
from __future__ import annotations

import multiprocessing as mp
import resource
import time
import traceback
from dataclasses import dataclass
from typing import Iterable, Iterator

from .model import ParsedReport, ParseError
from .vocab import ParseStatus

#: seconds a document may take (OCR of a 30-page scan fits)
TIME_LIMIT = 300.0
#: bytes of address space of a worker (RLIMIT_AS, inherited by the converters it starts)
MEMORY_LIMIT = 3072 * 1024 ** 2


@dataclass
class Outcome:
    report: ParsedReport | None
    status: str            # a vocab.ParseStatus: parsed, text_only, a ParseError's, error
    message: str | None
    seconds: float = 0.0
    peak_rss_kb: int | None = None  # of the worker, when known


def classify(report: ParsedReport) -> str:
    return ParseStatus.PARSED if report.facts else ParseStatus.TEXT_ONLY


def preload(data: bytes) -> None:
    """Import the extractor module of ``data``'s format (and the OCR code for PDFs and images,
    which a scanned page needs) in this process, so forked children inherit it."""
    from . import load_extractor
    from .sniff import PDF, PNG, sniff_media_type

    media_type = sniff_media_type(data)
    load_extractor(media_type)
    if media_type == PDF or media_type.startswith("image/"):
        load_extractor(PNG)


def parse_inline(data: bytes, filename: str | None = None) -> Outcome:
    """Parse in this process (no limits); never raises."""
    from . import parse_document

    start = time.perf_counter()
    try:
        report = parse_document(data, filename=filename)
    except ParseError as e:
        return Outcome(None, e.status, e.message or str(e), time.perf_counter() - start)
    except MemoryError:
        return Outcome(None, ParseStatus.TOO_LARGE, "memory limit reached while parsing",
                       time.perf_counter() - start)
    except RecursionError as e:
        return Outcome(None, ParseStatus.CORRUPT, f"RecursionError: {e}", time.perf_counter() - start)
    except Exception as e:  # a parser bug: recorded against the document
        return Outcome(None, ParseStatus.ERROR, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}",
                       time.perf_counter() - start)
    return Outcome(report, classify(report), None, time.perf_counter() - start)


def _child(conn, data: bytes, filename: str | None, memory_limit: int | None) -> None:
    import faulthandler

    faulthandler.disable()  # a native crash is reported by the parent, as a status
    if memory_limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ValueError, OSError):
            pass
    outcome = parse_inline(data, filename)
    outcome.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        conn.send(outcome)
    except Exception as e:  # an unpicklable or oversized result
        conn.send(Outcome(None, ParseStatus.ERROR, f"result not transferable: {type(e).__name__}: {e}",
                          outcome.seconds))
    conn.close()


@dataclass
class _Running:
    key: object
    process: mp.Process
    conn: object
    started: float


def parse_many(items: Iterable[tuple[object, bytes, str | None]], jobs: int = 1,
               time_limit: float = TIME_LIMIT, memory_limit: int | None = MEMORY_LIMIT,
               preload_modules: bool = True) -> Iterator[tuple[object, Outcome]]:
    """Parse ``(key, data, filename)`` items in up to ``jobs`` workers; yield (key, Outcome).

    Results come in completion order. Items are consumed lazily, so at most ``jobs``
    documents are held in memory at once. ``preload_modules=False``: each child imports what its
    document needs itself (for one document, a preload in the parent saves nothing).
    """
    ctx = mp.get_context("fork")
    pending = iter(items)
    running: list[_Running] = []
    exhausted = False
    jobs = max(1, jobs)
    while True:
        while not exhausted and len(running) < jobs:
            item = next(pending, None)
            if item is None:
                exhausted = True
                break
            key, data, filename = item
            if preload_modules:
                preload(data)  # the format's modules, imported once here, not in every child
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(send, data, filename, memory_limit),
                                  daemon=True)
            process.start()
            send.close()
            running.append(_Running(key, process, receive, time.monotonic()))
        if not running:
            return
        done = _wait(running, time_limit)
        for job in done:
            running.remove(job)
            yield job.key, _collect(job, time_limit, memory_limit)


def _wait(running: list[_Running], time_limit: float) -> list[_Running]:
    from multiprocessing.connection import wait

    while True:
        now = time.monotonic()
        deadline = min(j.started + time_limit for j in running)
        ready = wait([j.conn for j in running] + [j.process.sentinel for j in running],
                     timeout=max(0.0, deadline - now))
        done = [j for j in running if j.conn in ready or j.process.sentinel in ready
                or time.monotonic() - j.started >= time_limit]
        if done:
            return done


def _collect(job: _Running, time_limit: float, memory_limit: int | None) -> Outcome:
    elapsed = time.monotonic() - job.started
    outcome = None
    try:
        if job.conn.poll(0 if not job.process.is_alive() else 0.05):
            outcome = job.conn.recv()
    except (EOFError, OSError):
        outcome = None
    if outcome is None and job.process.is_alive() and elapsed < time_limit:
        # the sentinel fired first or the data is still arriving: wait for the rest
        try:
            if job.conn.poll(max(0.0, time_limit - elapsed)):
                outcome = job.conn.recv()
        except (EOFError, OSError):
            outcome = None
    if job.process.is_alive():
        job.process.kill()
    job.process.join()
    job.conn.close()
    if outcome is not None:
        return outcome
    elapsed = time.monotonic() - job.started
    if elapsed >= time_limit:
        return Outcome(None, ParseStatus.TIMEOUT, f"parse did not finish within {time_limit:g} s", elapsed)
    code = job.process.exitcode
    if code is not None and code < 0:
        # SIGKILL/SIGSEGV/SIGABRT: a native library crashed, mostly on allocation failure
        return Outcome(None, ParseStatus.TOO_LARGE if code in (-9, -6) else ParseStatus.CORRUPT,
                       f"parser process died from signal {-code} (memory limit "
                       f"{(memory_limit or 0) >> 20} MiB, or a native crash)", elapsed)
    return Outcome(None, ParseStatus.ERROR, f"parser process exited with code {code} and no result", elapsed)


def parse_isolated(data: bytes, filename: str | None = None, time_limit: float = TIME_LIMIT,
                   memory_limit: int | None = MEMORY_LIMIT, preload_modules: bool = True) -> Outcome:
    """One document in one limited worker."""
    return next(iter(parse_many([(None, data, filename)], 1, time_limit, memory_limit,
                                preload_modules=preload_modules)))[1]
