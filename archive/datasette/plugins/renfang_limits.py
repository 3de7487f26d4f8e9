"""What one request to the archive's Datasette may cost: its memory, its time and the size of
its answer (README "The Datasette site").

Datasette's ``sql_time_limit_ms`` bounds a query's time only where SQLite calls its progress
handler, between virtual-machine instructions; nothing bounds its memory or the size of its
answer. Measured before these bounds: ``select randomblob(1000000000)`` ran 27 s and grew
Datasette to 8.9 GB; 40 rows of ``zeroblob(2000000)`` made a 480 MB JSON answer and 2.5 GB of
memory; ``printf('%.*c', 1000000000, 'x')`` ran 1.8 s (8.2 s on a busy machine) inside one call
past the 3 s limit. So, for every query:

- no value may be larger than :data:`MAX_VALUE_BYTES` (``SQLITE_LIMIT_LENGTH`` on every
  connection: SQLite answers "string or blob too big" at once). The archive's largest values,
  report texts, are tens of kilobytes;
- a result is weighed row by row as it is fetched (the connection's row factory): each value as
  many bytes as its longest rendering (JSON escapes, HTML escapes of the shown part, the column's
  name repeated in ``_shape=array``); for a CSV answer (``.csv``), as CSV writes it (its UTF-8
  bytes, quotes and separators: the JSON bound put report_overview's 5,000 rows of ``_size=max``
  at 14 MB for a 5 MB CSV, so the table's own CSV link was refused); past
  :data:`MAX_RESULT_BYTES` the query stops with :class:`ResultTooLarge`, so the page, JSON or CSV
  made of it stays small. The answer's format reaches the SQL threads with the request's context
  (:func:`startup` makes Datasette's ``execute_fn`` carry it);
- the SQL functions whose work a query can make huge within one call are checked before they
  run (:func:`printf_cost` for ``printf``/``format`` widths and precisions, whose ``%c`` repeats
  a character once per unit of precision; the products of the lengths ``instr``, ``replace`` and
  ``trim`` compare), and refuse past their bounds with a sentence saying which; they also stop a
  query once its time is up, as the progress handler does between instructions;
- LIKE and GLOB patterns are at most :data:`MAX_LIKE_PATTERN_BYTES` (a pattern's work grows with
  its length times the string's);
- the time limit's own check also stops a query once Datasette's resident memory has grown by
  :data:`MAX_QUERY_GROWTH` since the query began, with a message that says so;
- last, no answer but an archived document (``/-/documents/``) or a CSV stream (``_stream=``,
  bounded by Datasette's ``max_csv_mb``) may be larger than :data:`MAX_RESPONSE_BYTES`: one that
  would be is replaced by a 400 that says so (:func:`asgi_wrapper`; the bounds above keep every
  answer far below it, this is the guarantee).
"""
from __future__ import annotations

import contextvars
import json
import os
import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from functools import lru_cache

from datasette import hookimpl
from datasette.database import QueryInterrupted

MiB = 1024 * 1024
MAX_VALUE_BYTES = 2 * MiB
MAX_RESULT_BYTES = 10 * MiB      # a result's weight as rendered (see _weight)
MAX_RESPONSE_BYTES = 20 * MiB    # the guarantee on any answer but documents and CSV streams
MAX_QUERY_GROWTH = 64 * MiB
MAX_LIKE_PATTERN_BYTES = 100     # 33 Chinese characters; SQLite's default is 50,000
MAX_SCAN_WORK = 5_000_000_000    # bytes × bytes an instr() or replace() may compare (~0.1 s)
MAX_TRIM_WORK = 100_000_000      # characters × characters one trim() may compare (~0.2 s)
TRUNCATE_CELLS = 2048            # Datasette's truncate_cells_html default: what HTML shows of a value
CHECK_EVERY = 1000               # SQLite VM instructions between two calls of the handler (as Datasette)
RSS_EVERY_SECONDS = 0.005

_PAGE = os.sysconf("SC_PAGE_SIZE")
_encode_json = json.encoder.encode_basestring_ascii


def resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * _PAGE


class Refused(sqlite3.OperationalError):
    """A query stopped by one of these bounds; its message says which (Datasette shows it as the
    query's error, a 400)."""


class ResultTooLarge(Refused):
    pass


class _Query(threading.local):
    """The bounds of the query this thread is running (a Datasette SQL thread runs one at a time)."""
    deadline: float | None = None
    weight = 0
    rows = 0
    cursor = None
    cell_overhead = 0
    refusal: str | None = None


_query = _Query()


def _refuse(reason: str):
    """Stop the running query from inside a function: SQLite only says "user-defined function
    raised exception", so the reason is kept for :func:`bounded_query` to raise instead."""
    _query.refusal = reason
    raise Refused(reason)


def _quiet_refusals(previous=sys.unraisablehook):
    """Datasette turns on sqlite3's callback tracebacks: a function's refusal would print a
    traceback before Datasette's own one-line error. A refusal is no bug: not printed."""
    def hook(unraisable):
        if not isinstance(unraisable.exc_value, Refused):
            previous(unraisable)
    return hook


sys.unraisablehook = _quiet_refusals()


def _check_time() -> None:
    if _query.deadline is not None and time.perf_counter() >= _query.deadline:
        _refuse("the query took longer than its time limit")


# ---------------------------------------------------------------- what a result weighs
def _weight(value) -> int:
    """The most bytes ``value`` can take in the answer: its JSON string (Datasette decodes a blob
    that is UTF-8 and base64-encodes one that is not), or the HTML-escaped part a page shows."""
    if isinstance(value, str):
        return max(len(_encode_json(value)), 6 * min(len(value), TRUNCATE_CELLS))
    if isinstance(value, bytes):
        try:
            return _weight(value.decode("utf-8")) + 40
        except UnicodeDecodeError:
            return (len(value) + 2) // 3 * 4 + 40
    return 24  # a number or null


#: the format of the answer the running request makes ("csv" or None), set by :func:`asgi_wrapper`
#: and carried into the SQL thread (:func:`carry_context`)
ANSWER_FORMAT: contextvars.ContextVar[str | None] = contextvars.ContextVar("renfang_answer_format", default=None)


def _csv_weight(value) -> int:
    """The bytes ``value`` takes in a CSV answer: its text as UTF-8, doubled quotes, the quotes
    around it and its separator (a blob: Datasette writes its size or base64, bounded the same)."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass")) + value.count('"') + 3
    if isinstance(value, bytes):
        return (len(value) + 2) // 3 * 4 + 40
    return len(repr(value)) + 1 if value is not None else 1   # a number as CSV writes it, or null


def counting_row(cursor, row):
    """The connection's row factory: Datasette's own (``sqlite3.Row``), weighing each row of a
    bounded query as it is fetched."""
    if _query.deadline is not None:
        csv = ANSWER_FORMAT.get() == "csv"
        if _query.cursor is not cursor:  # a value's cell: its column's name, quotes, separators
            _query.cursor = cursor
            _query.cell_overhead = 2 if csv else sum(2 * len(d[0]) + 16 for d in cursor.description or ())
        weight = _query.cell_overhead
        measure = _csv_weight if csv else _weight
        for value in row:
            weight += measure(value)
        _query.weight += weight
        _query.rows += 1
        if _query.weight > MAX_RESULT_BYTES:
            _query.refusal = (f"the result is too large: over {MAX_RESULT_BYTES // MiB} MB as rendered "
                              f"by row {_query.rows}; "
                              "ask for fewer rows or columns (limit, _size=) or shorter values (substr())")
            raise ResultTooLarge(_query.refusal)
    return sqlite3.Row(cursor, row)


# ---------------------------------------------------------------- functions checked before they run
_TEXT_CONVERSIONS = set("dsgzqQwcouxXfeEGipr")  # each takes an argument (n and % take none)
_DIGITS = "0123456789"


@lru_cache(maxsize=512)
def printf_plan(fmt: str) -> tuple:
    """The conversions of a printf format, read as SQLite 3.40's ``sqlite3_str_vappendf`` reads
    them: a tuple of ``(literal, width, precision, type, plain)``, where width and precision are
    a number or ``'*'`` (an argument), ``type`` '' ends the format, and ``plain`` says the
    conversion is a bare ``%d``/``%s``/``%%``."""
    plan, start, n = [], 0, len(fmt)

    def at(k: int) -> str:
        return fmt[k] if k < n else ""

    p = fmt.find("%")
    while p >= 0:
        literal = fmt[start:p]
        p += 1
        c = at(p)
        if not c:
            plan.append((literal + "%", 0, 0, "", True))
            return tuple(plan)
        width: int | str = 0
        precision: int | str = 0
        plain = True
        while True:
            done = False
            if c in "-+ #!0,":
                plain = False
            elif c == "l":
                plain = False
                p += 1
                c = at(p)
                if c == "l":
                    p += 1
                    c = at(p)
                done = True
            elif c in "123456789":
                plain = False
                wx = 0
                while c and c in _DIGITS:
                    wx = wx * 10 + int(c)
                    p += 1
                    c = at(p)
                width = wx
                if c != "." and c != "l":
                    done = True
                else:
                    p -= 1
            elif c == "*":
                plain = False
                width = "*"
                if at(p + 1) not in (".", "l"):
                    p += 1
                    c = at(p)
                    done = True
            elif c == ".":
                plain = False
                p += 1
                c = at(p)
                if c == "*":
                    precision = "*"
                    p += 1
                    c = at(p)
                else:
                    px = 0
                    while c and c in _DIGITS:
                        px = px * 10 + int(c)
                        p += 1
                        c = at(p)
                    precision = px
                if c == "l":
                    p -= 1
                else:
                    done = True
            else:
                done = True
            if done:
                break
            p += 1
            c = at(p)
            if not c:
                break
        kind = c if c in _TEXT_CONVERSIONS or c in "n%" else ""
        plan.append((literal, width, precision, kind, plain and c in "ds%"))
        if not kind:  # an unknown conversion (or %T, %S): SQLite stops there
            return tuple(plan)
        start = p + 1
        p = fmt.find("%", start)
    plan.append((fmt[start:], 0, 0, "", True))
    return tuple(plan)


def _magnitude(value, helper) -> int:
    """The largest number SQLite can read ``value`` as (an argument given for a ``*``)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return abs(value)
    if not isinstance(value, float):
        as_int, as_real = helper.execute("select cast(?1 as integer), cast(?1 as real)", [value]).fetchone()
        value = max(abs(as_int or 0), abs(as_real or 0.0))
    return int(min(abs(value), 2 ** 63)) if value == value else 0


def printf_cost(fmt: str, args, helper) -> int:
    """How many characters ``printf(fmt, *args)`` is asked to pad and repeat, in all."""
    total, used = 0, 0
    for _literal, width, precision, kind, _plain in printf_plan(fmt):
        for spec in (width, precision):
            if spec == "*":
                total += _magnitude(args[used], helper) if used < len(args) else 0
                used += 1
            else:
                total += spec
        if kind and kind not in "n%":
            used += 1
    return total


def _plain_printf(plan, args):
    """printf of a format of bare %d, %s and %% with integer and text arguments, as SQLite prints
    it, without a call into SQLite (the coverage view prints a deadline per row); None when the
    format or an argument is anything else."""
    out, used = [], 0
    for literal, _w, _p, kind, plain in plan:
        if not plain:
            return None
        out.append(literal)
        if kind == "%":
            out.append("%")
        elif kind:
            value = args[used] if used < len(args) else None
            used += 1
            if value is None:
                out.append("0" if kind == "d" else "")
            elif isinstance(value, int) and not isinstance(value, bool):
                out.append(str(value))
            elif kind == "s" and isinstance(value, str):
                out.append(value)
            else:
                return None
    return "".join(out) or None  # SQLite's printf of nothing is null


def _nbytes(value) -> int:
    if isinstance(value, str):
        return len(value) if value.isascii() else 4 * len(value)
    return len(value) if isinstance(value, bytes) else 24


def install_functions(conn) -> None:
    """Register the checked ``printf``/``format``, ``instr``, ``replace`` and two-argument
    ``trim``/``ltrim``/``rtrim`` on ``conn``: each checks its bounds, then SQLite's own function
    does the work (on a private in-memory connection with the same limits)."""
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    calls: dict[tuple[str, int], str] = {}

    def builtin(name: str, args):
        sql = calls.get((name, len(args)))
        if sql is None:
            sql = calls[(name, len(args))] = f"select {name}({', '.join('?' * len(args))})"
        return helper.execute(sql, args).fetchone()[0]

    def checked_printf(name):
        def printf(fmt=None, *args):
            if isinstance(fmt, bytes):
                text = fmt.decode("utf-8", "replace")
            elif isinstance(fmt, str):
                text = fmt
            else:
                return builtin(name, (fmt, *args))
            plan = printf_plan(text) if len(text) <= 256 else printf_plan.__wrapped__(text)
            if isinstance(fmt, str) and "\x00" not in text:
                fast = _plain_printf(plan, args)
                if fast is not None:
                    return fast
            _check_time()
            cost = printf_cost(text, args, helper)
            if cost > MAX_VALUE_BYTES:
                _refuse(f"{name}(): its widths and precisions ask for {cost:,} characters, over the "
                        f"limit of {MAX_VALUE_BYTES:,} (the largest value a query may make)")
            return builtin(name, (fmt, *args))
        return printf

    def checked_pair(name, limit, measure, what):
        def pair(x, y, *rest):
            _check_time()
            if x is not None and y is not None:
                work = measure(x) * measure(y)
                if work > limit:
                    _refuse(f"{name}(): comparing a value of {measure(x):,} {what} with one of "
                            f"{measure(y):,} is over the limit of {limit:,} {what} × {what}")
            return builtin(name, (x, y, *rest))
        return pair

    for name in ("printf", "format"):
        conn.create_function(name, -1, checked_printf(name), deterministic=True)
    conn.create_function("instr", 2, checked_pair("instr", MAX_SCAN_WORK, _nbytes, "bytes"), deterministic=True)
    conn.create_function("replace", 3, checked_pair("replace", MAX_SCAN_WORK, _nbytes, "bytes"), deterministic=True)
    for name in ("trim", "ltrim", "rtrim"):
        conn.create_function(name, 2, checked_pair(name, MAX_TRIM_WORK, lambda v: len(v) if isinstance(v, (str, bytes)) else 24,
                                                   "characters"), deterministic=True)


# ---------------------------------------------------------------- the time limit, and the rest
@contextmanager
def bounded_query(conn, ms):
    """Datasette's ``sqlite_timelimit`` (time), plus the bounds on memory and the result."""
    deadline = time.perf_counter() + ms / 1000
    limit = resident_bytes() + MAX_QUERY_GROWTH
    next_check = [0.0]
    grown = [False]

    def handler():
        now = time.perf_counter()
        if now >= deadline:
            return 1  # interrupts the query
        if now >= next_check[0]:
            next_check[0] = now + RSS_EVERY_SECONDS
            if resident_bytes() > limit:
                grown[0] = True
                return 1
        return 0

    outer = (_query.deadline, _query.weight, _query.rows, _query.cursor, _query.refusal)
    _query.deadline, _query.weight, _query.rows, _query.cursor, _query.refusal = deadline, 0, 0, None, None
    conn.set_progress_handler(handler, CHECK_EVERY)
    try:
        yield
    except QueryInterrupted:
        if grown[0]:
            raise Refused(f"the query was stopped: Datasette's memory grew by more than "
                          f"{MAX_QUERY_GROWTH // MiB} MB while it ran; ask for fewer or smaller values") from None
        raise
    except sqlite3.OperationalError as e:
        if _query.refusal and not isinstance(e, Refused):
            raise Refused(_query.refusal) from None
        if not isinstance(e, Refused) and time.perf_counter() >= deadline:
            # stopped at its time limit, but SQLite's message is not "interrupted" (seen under
            # load: "not an error"): Datasette's "took too long" all the same
            raise QueryInterrupted(e, "", {}) from None
        raise
    finally:
        conn.set_progress_handler(None, CHECK_EVERY)
        _query.deadline, _query.weight, _query.rows, _query.cursor, _query.refusal = outer


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES)
    conn.row_factory = counting_row  # Datasette set sqlite3.Row just before its plugins' hooks
    install_functions(conn)


@hookimpl(trylast=True)  # after Datasette's own preparation, which sets sqlite3.Row
def startup(datasette):
    # Datasette runs every query under datasette.database.sqlite_timelimit (0.65: the one place)
    import datasette.database

    datasette.database.sqlite_timelimit = bounded_query
    carry_context(datasette.database.Database)


def carry_context(database_class) -> None:
    """Datasette runs SQL in its thread pool with ``run_in_executor``, which does not carry the
    request's context variables: ``execute_fn`` runs its function in a copy of the caller's
    context, so :data:`ANSWER_FORMAT` is known where rows are weighed."""
    original = database_class.execute_fn
    if getattr(original, "carries_context", False):
        return

    async def execute_fn(self, fn):
        context = contextvars.copy_context()
        return await original(self, lambda conn: context.run(fn, conn))
    execute_fn.carries_context = True
    database_class.execute_fn = execute_fn


# ---------------------------------------------------------------- the answer's size
def _unbounded(scope) -> bool:
    """Answers that may be large: an archived document, streamed from its file, and a CSV
    stream (Datasette's max_csv_mb bounds it)."""
    if scope["path"].startswith("/-/documents/"):
        return True
    query = scope.get("query_string", b"")
    return b"_stream=" in query


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def bounded_answer(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            ANSWER_FORMAT.set("csv" if scope["path"].endswith(".csv") else None)   # this request's task only
            if _unbounded(scope):
                return await app(scope, receive, send)
            held: list[dict] = []
            state = {"sent": 0, "cut": False}

            async def checked_send(message):
                if message["type"] == "http.response.start":
                    held.append(message)  # sent with the first part of the body, once its size is known
                    return
                if message["type"] != "http.response.body" or state["cut"]:
                    return None if state["cut"] else await send(message)
                state["sent"] += len(message.get("body", b""))
                over = state["sent"] > MAX_RESPONSE_BYTES
                if held:
                    if over:  # the whole answer in one part (as Datasette sends its pages): refuse it
                        state["cut"] = True
                        text = (f"this answer would be {state['sent'] / MiB:.0f} MB, over the site's limit of "
                                f"{MAX_RESPONSE_BYTES // MiB} MB: ask for fewer rows (_size=, limit)\n").encode()
                        await send({"type": "http.response.start", "status": 400,
                                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                                (b"content-length", str(len(text)).encode())]})
                        return await send({"type": "http.response.body", "body": text})
                    await send(held.pop())
                if over:  # a streamed answer: it ends where it passed the limit
                    state["cut"] = True
                    return await send({"type": "http.response.body", "body": b"", "more_body": False})
                await send(message)

            await app(scope, receive, checked_send)
        return bounded_answer
    return wrap
