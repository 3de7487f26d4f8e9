"""What one request to the archive's Datasette may cost in memory.

Datasette's ``sql_time_limit_ms`` bounds a query's time, not its memory: ``select
randomblob(1000000000)`` ran 27 s and grew Datasette to 8.9 GB. Two bounds, for every query:

- every connection gets ``SQLITE_LIMIT_LENGTH`` = :data:`MAX_VALUE_BYTES`, so no single value a
  query makes or reads can be larger (SQLite answers "string or blob too big", shown as the
  query's error at once). The archive's largest values, report texts, are tens of kilobytes;
- many smaller values (``select randomblob(2000000) from facts``) are stopped by the time limit's
  own check, which also stops a query once Datasette's resident memory has grown by
  :data:`MAX_QUERY_GROWTH` since the query began (Datasette then says the query took too long),
  so the rows it holds and renders stay small.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager

from datasette import hookimpl

MAX_VALUE_BYTES = 2 * 1024 * 1024
MAX_QUERY_GROWTH = 64 * 1024 * 1024
CHECK_EVERY = 200        # SQLite VM instructions between two calls of the handler
RSS_EVERY_SECONDS = 0.005

_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * _PAGE


@contextmanager
def bounded_query(conn, ms):
    """Datasette's ``sqlite_timelimit`` (time), plus the memory bound."""
    deadline = time.perf_counter() + ms / 1000
    limit = resident_bytes() + MAX_QUERY_GROWTH
    next_check = [0.0]

    def handler():
        now = time.perf_counter()
        if now >= deadline:
            return 1  # interrupts the query
        if now >= next_check[0]:
            next_check[0] = now + RSS_EVERY_SECONDS
            if resident_bytes() > limit:
                return 1
        return 0

    conn.set_progress_handler(handler, CHECK_EVERY)
    try:
        yield
    finally:
        conn.set_progress_handler(None, CHECK_EVERY)


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


@hookimpl
def startup(datasette):
    # Datasette runs every query under datasette.database.sqlite_timelimit (0.65: the one place)
    import datasette.database

    datasette.database.sqlite_timelimit = bounded_query
