"""The SQL functions of the published archive under hostile arguments (issue 23, point 1): the
checks of archive/datasette/plugins/renfang_limits.py on a connection prepared as Datasette
prepares one, without a server.

- ``printf``/``format`` print exactly what SQLite's own printf prints (the checked one calls it
  after its checks, or prints plain %d/%s itself), and refuse widths and precisions that ask for
  more than the largest value, before SQLite loops over them (``%.*c`` repeats a character once
  per unit of precision inside one call, where the time limit's check never runs);
- ``instr``, ``replace`` and ``trim`` refuse comparisons whose work is quadratic in their
  arguments' lengths; LIKE patterns are short; every refusal is one sentence, at once;
- Datasette's search box escape never makes an FTS5 syntax error, whatever is typed.
"""
from __future__ import annotations

import importlib.util
import random
import sqlite3
import time

import pytest

from tests.helpers import REPO

PLUGINS = REPO / "archive" / "datasette" / "plugins"


def _plugin(name: str):
    spec = importlib.util.spec_from_file_location(f"test_{name}", PLUGINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


limits = _plugin("renfang_limits")


@pytest.fixture(autouse=True)
def no_callback_tracebacks():
    """A refusal raises inside the function; Datasette's callback tracebacks would print it (and
    pytest would warn of it): off here, as the plugin's unraisable hook keeps them out of the log."""
    sqlite3.enable_callback_tracebacks(False)
    yield
    sqlite3.enable_callback_tracebacks(True)


@pytest.fixture()
def conn():
    """A connection prepared as Datasette prepares the archive's, with a query's bounds running."""
    c = sqlite3.connect(":memory:")
    c.row_factory = sqlite3.Row
    limits.prepare_connection(c)
    with limits.bounded_query(c, 3000):
        yield c


def refusal(conn, sql) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(sqlite3.DatabaseError) as e:  # OperationalError, DataError (too big)
        with limits.bounded_query(conn, 3000):
            conn.execute(sql).fetchall()
    return str(e.value), time.perf_counter() - started


FORMATS = ["%d", "%s", "%d-01-31", "%5.2f", "%-8s|", "%08.3f", "%x %X %o", "%c", "%.3c", "%5c", "%q", "%Q",
           "%w", "%e %E %g %G", "%!.20f", "%,d", "%+d % d", "%lld %ld", "%5%", "%%d %d", "%z", "%.*s", "%*d",
           "%-*.*f", "%.2s", "%", "abc", "", "%n%d", "%r", "%T %d", "%k %d", "%.0c", "%s %s %s", "%010.4e",
           "%#x %#o", "%d\x00%d", "名称%s：%d件", "%.*c"]
ARGS = [(), (7,), (-12, "x"), (3.14159, 2), ("abc", None, 5), (None,), (2 ** 62, "人防", 1.5e300),
        ("12abc", 3), (b"\x00\xffz", 4), (float("nan"), 1), (True, 2), ("3", "7", 9)]


def test_printf_prints_what_sqlite_prints(conn):
    plain = sqlite3.connect(":memory:")
    rng = random.Random(23)
    cases = [(f, a) for f in FORMATS for a in ARGS]
    cases += [("".join(rng.choice("%%%%dsc.*-0123lx 人") for _ in range(rng.randint(1, 12))),
               tuple(rng.choice([None, 0, 1, 7, -3, "ab", 2.5, b"q"]) for _ in range(rng.randint(0, 4))))
              for _ in range(3000)]
    refused = 0
    for name in ("printf", "format"):
        for fmt, args in cases:
            sql = f"select {name}({', '.join('?' * (len(args) + 1))})"
            try:
                checked = conn.execute(sql, (fmt, *args)).fetchone()[0]
            except sqlite3.OperationalError:  # only a '*' given a huge number (2 ** 62, 1.5e300) is refused
                assert "*" in fmt and any(isinstance(a, (int, float)) and abs(a) > 2 ** 21 for a in args), (fmt, args)
                refused += 1
                continue
            assert checked == plain.execute(sql, (fmt, *args)).fetchone()[0], (name, fmt, args)
    assert refused < len(cases) / 10
    assert tuple(conn.execute("select printf(null), printf(12), printf(1.5)").fetchone()) == (None, "12", "1.5")


@pytest.mark.parametrize("sql", [
    "select printf('%.*c', 1000000000, 'x')",            # 1.8 s inside one call before (8.2 s on a busy machine)
    "select printf('%.*c%.*c', 1000000, 'x', 1500000, 'y')",
    "select format('%2000000000d', 1)",
    "select printf('%.*c', '3000000', 'x')",               # the width as text
    "select printf('%*.*f', -1500000, 1500000, 1.0)",      # a negative width counts as its size
    "select printf('%.*c', 1e10, 'x')",
    "select printf(printf('%%.%dc', 5000000), 'x')",       # a format made by the query
])
def test_huge_printf_widths_are_refused_before_they_run(conn, sql):
    message, seconds = refusal(conn, sql)
    assert "widths and precisions ask for" in message and "over the limit of 2,097,152" in message, message
    assert seconds < 0.5, seconds


def test_printf_within_the_limit_still_works(conn):
    assert len(conn.execute("select printf('%.*c', 2000000, 'x')").fetchone()[0]) == 2000000
    assert conn.execute("select printf('%10s|', 'ab')").fetchone()[0] == "        ab|"


@pytest.mark.parametrize("sql, words", [
    ("select instr(printf('%.*c', 2000000, 'a'), printf('%.*c', 1000000, 'a') || 'b')", "instr(): comparing"),
    ("select replace(printf('%.*c', 2000000, 'a'), printf('%.*c', 1000000, 'a') || 'b', '')", "replace(): comparing"),
    ("select trim(printf('%.*c', 80000, 'a'), printf('%.*c', 40000, 'b') || 'a')", "trim(): comparing"),
    ("select rtrim(printf('%.*c', 800000, 'a'), printf('%.*c', 400, 'b'))", "rtrim(): comparing"),
    ("select printf('%.*c', 200, 'a') like '%' || printf('%.*c', 200, 'a') || 'b%'", "pattern too complex"),
    ("select zeroblob(3000000)", "string or blob too big"),
    ("select hex(randomblob(1500000))", "string or blob too big"),
])
def test_quadratic_and_huge_functions_are_refused_at_once(conn, sql, words):
    message, seconds = refusal(conn, sql)
    assert words in message, message
    assert seconds < 0.5, seconds


def test_ordinary_uses_of_the_checked_functions(conn):
    row = conn.execute("""select instr('攀枝花市人民防空办公室', '人防'), instr('攀枝花市人民防空办公室', '人民防空'),
                                 replace('2019年报', '2019', '2020'), trim('  x  '), trim('--x--', '-'),
                                 ltrim('00120', '0'), '人民防空办公室' like '%防空%', 'ABC' like 'a%'""").fetchone()
    assert tuple(row) == (0, 5, "2020年报", "x", "x", "120", 1, 1)


def test_a_checked_function_stops_a_query_whose_time_is_up():
    c = sqlite3.connect(":memory:")
    limits.prepare_connection(c)
    started = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError) as e:
        with limits.bounded_query(c, 200):
            # a query of one row: every call costs ~0.05 s, between two checks of the handler
            c.execute("select " + " + ".join(
                ["instr(printf('%.*c', 2000000, 'a'), printf('%.*c', 2000, 'a') || 'b')"] * 100)).fetchall()
    assert "time limit" in str(e.value) or "interrupted" in str(e.value), e.value
    assert time.perf_counter() - started < 1.5


def test_a_result_is_weighed_as_it_is_fetched(conn):
    message, seconds = refusal(conn, "with recursive c(x) as (select 1 union all select x + 1 from c limit 40) "
                                     "select zeroblob(2000000) from c")
    assert message.startswith("the result is too large: over 10 MB as rendered by row 1;"), message
    message, _ = refusal(conn, "with recursive c(x) as (select 1 union all select x + 1 from c limit 5000) "
                               "select printf('%.*c', 2048, '\"') from c")   # HTML shows 2,048 characters, escaped
    assert "the result is too large" in message and "by row 8" in message, message
    rows = conn.execute("with recursive c(x) as (select 1 union all select x + 1 from c limit 5000) "
                        "select x, '攀枝花市人民防空办公室' from c").fetchall()
    assert len(rows) == 5000 and rows[-1][0] == 5000  # an ordinary large page


def test_the_search_box_never_makes_an_fts5_syntax_error():
    site = _plugin("renfang_site")
    c = sqlite3.connect(":memory:")
    site.prepare_connection(c)
    c.execute("create virtual table t using fts5(title, text)")
    c.execute("insert into t values ('人防 年报', 'annual report 2019')")
    rng = random.Random(5)
    typed = ['"', '""', '"""', '" "', 'a"b', '"a', 'a"', '人防"', '"人防', "'", "*", "-", "^", ":", "(", ")",
             "NOT", "AND OR", "a:b", "NEAR(", "人防 OR", "\x00", "  ", "", "{", "title:", '"人"防"']
    typed += ["".join(rng.choice('"\'*()-^:+ 人防aN{}') for _ in range(rng.randint(1, 8))) for _ in range(2000)]
    for query in typed:
        try:
            c.execute("select count(*) from t where t match escape_fts(?)", [query]).fetchone()
        except sqlite3.OperationalError as e:
            raise AssertionError(f"{query!r} -> {c.execute('select escape_fts(?)', [query]).fetchone()[0]!r}: {e}")
    assert c.execute("select count(*) from t where t match escape_fts('人防')").fetchone()[0] == 1
