"""Chinese full-text search over report titles and texts, for words of any length.

SQLite's ``trigram`` tokenizer finds only queries of three or more characters; a query of one
or two characters (人防, 复议) silently returns nothing. This index stores every run of CJK
characters as its overlapping character bigrams ("人民防空" → "人民 民防 防空") in an FTS5 table
with the ``unicode61`` tokenizer, and turns a query into the phrase of its bigrams:

- 人防 → the token ``人防``;
- 人民防空 → the phrase ``"人民 民防 防空"`` — consecutive bigrams, which match exactly the
  texts containing the substring 人民防空;
- a single character 防 → the prefix query ``防*`` (bigrams starting with it, or the
  character standing alone).

Words separated by spaces must all occur (AND). Latin words and numbers are indexed as words.

Text is normalised before indexing (:func:`normalise`): extracted text breaks words where the
document wrapped a table cell or spaced its letters (``结果维\n持``, ``结 果\n维 持``), so
whitespace between two CJK characters is removed; ``search_docs.text`` holds the normalised text
(the text as extracted stays in ``document_texts``). Snippets mark the term as ``⟦维持⟧``; the
site shows it highlighted.

Tables: ``search_docs`` (one row per report: title and the text of its source document) and
``search_bigrams``, a contentless FTS5 table whose rowid is ``search_docs.id``. The loader
refreshes them incrementally (:func:`refresh_search`); :func:`search` queries them, and the
Datasette site uses the SQL functions ``cjk_fts_query()`` and ``cjk_snippet()`` in its ``search``
canned query (:func:`site_sql`). Both list the first results by relevance (bm25) while at most
:data:`RANK_LIMIT` reports match, and the newest in the index first when more do (a word in
every report: ranking all of them is what costs, :func:`hits_sql`).
"""
from __future__ import annotations

import re

import sqlite_utils

from parsers.vocab import PARSE_READ, sql_list

READ = sql_list(PARSE_READ)   # statuses whose document text is indexed

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: runs of CJK characters (the bigram index splits on them; the site plugin recognises a CJK query)
CJK_RUNS = re.compile(f"([{_CJK}]+)")

FTS_TABLE = "search_bigrams"
NORMALISATION = "2"  # meta.search_normalisation: bump when normalise() changes (the index is rebuilt)
_INNER_SPACE = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
MARK = ("⟦", "⟧")


def normalise(text: str | None) -> str | None:
    """The text as it reads: no line breaks or spaces inside runs of Chinese characters."""
    if not text:
        return text
    return _INNER_SPACE.sub("", text)
CREATE_FTS = (f"create virtual table if not exists {FTS_TABLE} "
              "using fts5(title, text, content='', tokenize='unicode61 remove_diacritics 2')")


def bigrams(text: str | None) -> str:
    """The text as the FTS index sees it: CJK runs as overlapping bigrams, the rest unchanged."""
    if not text:
        return ""
    out = []
    for i, part in enumerate(CJK_RUNS.split(text)):
        if i % 2 == 0:  # not CJK: unicode61 splits it into words
            if part.strip():
                out.append(part)
        elif len(part) == 1:
            out.append(part)
        else:
            out.append(" ".join(part[j:j + 2] for j in range(len(part) - 1)))
    return " ".join(out)


def fts_query(query: str | None) -> str:
    """An FTS5 MATCH expression for a user's query (every space-separated term must occur)."""
    terms = []
    for term in (query or "").replace('"', " ").split():
        if CJK_RUNS.fullmatch(term) and len(term) == 1:
            terms.append(f'"{term}" *')
        else:
            encoded = bigrams(term).strip()
            if encoded:
                terms.append(f'"{encoded}"')
    # A query with nothing searchable matches nothing (rather than raising a syntax error).
    return " ".join(terms) or '""'


def snippet(text: str | None, query: str | None, width: int = 40) -> str | None:
    """``width`` characters either side of the first occurrence of the query's first term, every
    term in it marked ⟦term⟧."""
    if not text:
        return None
    text = normalise(text)
    terms = [t for t in (normalise(query) or "").replace('"', " ").split() if t]
    pos = text.find(terms[0]) if terms else -1
    if pos < 0:
        return text[:2 * width].replace("\n", " ")
    start, end = max(0, pos - width), min(len(text), pos + len(terms[0]) + width)
    out = text[start:end]
    for term in sorted(terms, key=len, reverse=True):
        out = re.sub(re.escape(term), lambda m: MARK[0] + m.group(0) + MARK[1], out)
    out = out.replace(MARK[0] * 2, MARK[0]).replace(MARK[1] * 2, MARK[1])
    return (("…" if start else "") + out + ("…" if end < len(text) else "")).replace("\n", " ")


def ensure_search_index(db: sqlite_utils.Database) -> None:
    db.execute(CREATE_FTS)
    db.execute("create unique index if not exists search_docs_report_id on search_docs (report_id)")


def refresh_search(db: sqlite_utils.Database, only_listed: bool = False) -> int:
    """Bring the index up to date with ``reports`` (with ``only_listed``: for the reports in the
    temporary table ``_refresh_ids`` only, archive/derived.py); return how many reports were
    (re)indexed.

    A report is indexed with its title and, when it parsed as a report (``parsed`` or
    ``text_only``), the text of its source document. Only reports whose title or source changed
    since the last refresh are touched.
    """
    ensure_search_index(db)
    _renormalise(db)
    reports = "_refresh_ids i cross join reports r on r.id = i.id" if only_listed else "reports r"
    changed = db.execute(
        f"""select r.id, r.title,
                  case when r.parse_status in {READ} then r.source_sha256 end as sha,
                  d.id, d.title, d.text, d.sha256
           from {reports} left join search_docs d on d.report_id = r.id
           where d.id is null or d.title is not r.title
              or d.sha256 is not (case when r.parse_status in {READ}
                                       then r.source_sha256 end)
              {"or 1" if only_listed else ""}
           order by r.id""").fetchall()
    if only_listed:  # a listed report's text may have changed under the same document (a new parse)
        changed = [c for c in changed
                   if c[3] is None or c[4] != c[1] or c[6] != c[2] or _text(db, c[2]) != c[5]]
    docs = "_refresh_ids i cross join search_docs d on d.report_id = i.id" if only_listed else "search_docs d"
    gone = db.execute(f"""select d.id, d.title, d.text from {docs}
                          where not exists (select 1 from reports r where r.id = d.report_id)""").fetchall()
    if not changed and not gone:
        return 0
    with db.atomic():  # one transaction: the contentless index and search_docs change together
        for doc_id, title, text in gone:
            _delete(db, doc_id, title, text)
            db.execute("delete from search_docs where id = ?", [doc_id])
        for report_id, title, sha, doc_id, old_title, old_text, _ in changed:
            text = _text(db, sha)
            if doc_id is not None:
                _delete(db, doc_id, old_title, old_text)
                db.execute("update search_docs set sha256 = ?, title = ?, text = ? where id = ?",
                           [sha, title, text, doc_id])
            else:
                doc_id = db.execute(
                    "insert into search_docs (report_id, sha256, title, text) values (?, ?, ?, ?)",
                    [report_id, sha, title, text]).lastrowid
            db.execute(f"insert into {FTS_TABLE} (rowid, title, text) values (?, ?, ?)",
                       [doc_id, bigrams(title), bigrams(text)])
    return len(changed) + len(gone)


def _text(db: sqlite_utils.Database, sha: str | None) -> str | None:
    """The indexed text of a document: its extracted text, normalised."""
    if not sha:
        return None
    row = db.execute("select text from document_texts where sha256 = ?", [sha]).fetchone()
    return normalise(row[0]) if row else None


def _renormalise(db: sqlite_utils.Database) -> None:
    """An index built with another normalisation is rebuilt once, from its own rows."""
    have = db.execute("select value from meta where key = 'search_normalisation'").fetchone()
    if have and have[0] == NORMALISATION:
        return
    with db.atomic():
        db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('delete-all')")
        rows = db.execute("select id, title, text from search_docs").fetchall()
        for doc_id, title, text in rows:
            text = normalise(text)
            db.execute("update search_docs set text = ? where id = ?", [text, doc_id])
            db.execute(f"insert into {FTS_TABLE} (rowid, title, text) values (?, ?, ?)",
                       [doc_id, bigrams(title), bigrams(text)])
        db.execute("insert or replace into meta (key, value) values ('search_normalisation', ?)", [NORMALISATION])


def _delete(db, doc_id: int, title: str | None, text: str | None) -> None:
    # A contentless FTS5 table forgets a row only when told the values it was indexed with.
    db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}, rowid, title, text) values ('delete', ?, ?, ?)",
               [doc_id, bigrams(title), bigrams(text)])


#: matches up to which a search is ranked by relevance (bm25); more are listed newest first.
#: Ranking reads every match's position lists and column sizes (1–1.6 µs a match: 0.3–0.5 s for
#: the 302,740 reports of 人防 or 结果维持 at ten times national scale, and growing with the
#: archive). Counting them costs 0.04–1.3 µs a match (12–380 ms there: the longer the phrase,
#: the more), so they are counted up to RANK_LIMIT + 1 only; listing the newest 100 costs what
#: 100 cost. A search costs at most about the same at any size of the archive.
RANK_LIMIT = 50_000
SHOWN = 100  # results the site's search lists
#: how a search's results are ordered (the ``ordered_by`` column of the site's search)
BY_RELEVANCE = "relevance 相关度"
NEWEST_FIRST = f"newest in the archive first 最新入库优先 (more than {RANK_LIMIT:,} match: not ranked)"


def hits_sql(match: str, limit: int, rank_limit: int = RANK_LIMIT) -> str:
    """Common table expressions ``matched`` (``n``: how many documents match the MATCH
    expression ``match``, counted in the index up to ``rank_limit`` + 1) and ``hits`` (``id``, ``score``: the ``limit``
    results to show). With at most ``rank_limit`` matches, ``hits`` are the best by bm25 (title
    weighted 5, text 1; ``score`` lower is better); with more, the ``limit`` newest in the index
    (highest ``search_docs.id``: the reports indexed last, ``score`` null), which FTS5 reads in
    rowid order without looking at the rest. Equal scores: the newest first. Order the results
    by ``score, id desc``. (The arm not taken has LIMIT 0: SQLite skips its scan; a condition in
    its WHERE would be tested at every match.)"""
    return f"""matched as (select count(*) as n from (select 1 from {FTS_TABLE} where {FTS_TABLE} match {match}
                                            limit {rank_limit + 1:d})),
hits as (
  select * from (select rowid as id, bm25({FTS_TABLE}, 5.0, 1.0) as score from {FTS_TABLE}
                 where {FTS_TABLE} match {match} order by score, rowid desc
                 limit (select case when n <= {rank_limit:d} then {limit:d} else 0 end from matched))
  union all
  select * from (select rowid as id, null as score from {FTS_TABLE}
                 where {FTS_TABLE} match {match} order by rowid desc
                 limit (select case when n > {rank_limit:d} then {limit:d} else 0 end from matched)))"""


def site_sql(rank_limit: int = RANK_LIMIT, limit: int = SHOWN) -> str:
    """The site's ``search`` canned query (archive/site_metadata.py): the results of
    :func:`hits_sql` with their report, office and snippet, how many matched (``matches``; null:
    more than ``rank_limit``) and how they are ordered (``ordered_by``)."""
    ordered = NEWEST_FIRST.replace(f"{RANK_LIMIT:,}", f"{rank_limit:,}")
    return f"""with {hits_sql("cjk_fts_query(:q)", limit, rank_limit)}
select d.report_id, r.year, a.name as agency, d.title,
  cjk_snippet(d.text, :q) as snippet,
  (select nullif(n, {rank_limit + 1:d}) from matched) as matches,
  case when h.score is null then '{ordered}' else '{BY_RELEVANCE}' end as ordered_by
from hits h
join search_docs d on d.id = h.id
join reports r on r.id = d.report_id
join agencies a on a.id = r.agency_id
order by h.score, h.id desc"""


def search(db: sqlite_utils.Database, query: str, limit: int = 20,
           rank_limit: int = RANK_LIMIT) -> list[dict]:
    """Reports matching ``query`` as the site lists them (:func:`hits_sql`): best first when
    at most ``rank_limit`` match, newest in the index first otherwise (``score`` None):
    ``[{report_id, title, score}]``."""
    cursor = db.execute(f"""with {hits_sql(":m", limit, rank_limit)}
select d.report_id, d.title, h.score from hits h join search_docs d on d.id = h.id
order by h.score, h.id desc""", {"m": fts_query(query)})
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
