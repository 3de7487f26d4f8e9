"""The one pipeline: every response into the fetch log and the ledger, every body
into the store, every report document linked to its report.

Logging happens on Scrapy's ``response_received`` signal rather than in the
spiders, so a 500, a robots.txt or a page no spider callback wanted is logged
all the same. The ledger row (``crawler/ledger.py``) is written last: it is the
commit point of a URL in a run.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy import signals
from twisted.internet import task

from crawler import records
from archive.vocab import DOCUMENT_KINDS, NAVIGATION_KINDS, Kind, Outcome, RENDITION_BY_MEDIA_TYPE, Rendition, RunStatus, Stage, stopped
from crawler.classify import classify_title
from crawler.items import BrowserTraffic, FetchFailure, PageSeen, ReportDocument, ReportListing
from crawler.ledger import request_key
from crawler.state import get_state

# Media types (sniffed from the bytes) to the report_documents.kind vocabulary.
KIND_BY_MEDIA_TYPE = RENDITION_BY_MEDIA_TYPE    # one map: archive/vocab.py

# Response headers the ledger keeps to answer from the store (resume, 304).
KEPT_HEADERS = ("content-type", "content-disposition", "etag", "last-modified")


def decoded_headers(headers) -> dict:
    # Header bytes are kept as latin-1 text so nothing is lost (GBK file names included).
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in headers.items()}


class ArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.progress_loop = None
        self.aliases_asked: set[tuple[str, str]] = set()   # (agency, name) learn_alias asked the archive of

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    @property
    def state(self):
        return get_state(self.crawler).open(self.crawler.spider)

    def open_spider(self, spider=None):
        state = self.state
        interval = self.crawler.settings.getfloat("RENFANG_PROGRESS_INTERVAL")
        if interval > 0:
            self.progress_loop = task.LoopingCall(state.log_progress)
            self.progress_loop.start(interval, now=False)

    def close_spider(self, spider=None):
        if self.progress_loop is not None and self.progress_loop.running:
            self.progress_loop.stop()
        state = get_state(self.crawler)
        reason = (self.crawler.stats.get_value("finish_reason") or RunStatus.FINISHED) if self.crawler.stats \
            else RunStatus.FINISHED
        state.log_progress()
        state.close(spider, stopped(reason))

    # -- every response -------------------------------------------------------------
    def response_received(self, response, request, spider=None):
        meta = request.meta
        if meta.get("renfang_from_ledger"):
            return  # answered from the store on a resumed run: logged when it was fetched
        state = self.state
        with records.batch(state.db):   # its document, fetch log and ledger rows: one commit
            self._response(state, response, request, meta)

    def _response(self, state, response, request, meta) -> None:
        agency = meta.get("agency_id")
        kind = meta.get("renfang_kind")
        original = (meta.get("redirect_urls") or [request.url])[0]
        progress = state.site_of(request)
        if progress is not None:
            progress.pages += 1
        fetch = dict(run_id=state.run_id, agency_id=agency, method=request.method, url=original,
                     final_url=response.url, status=response.status, size=len(response.body),
                     filename=meta.get("filename") or None)
        challenge = meta.get("renfang_challenge")
        not_modified = meta.get("renfang_not_modified")
        ledger_args = dict(url=original, run_id=state.run_id, agency_id=agency, kind=kind,
                           parent=meta.get("renfang_parent"))
        key = request_key(request)
        if not_modified:
            wire = meta.get("renfang_wire")
            records.record_fetch(state.db, **{**fetch, "status": 304, "size": len(wire.body) if wire else 0,
                                              "sha256": not_modified,
                                              "headers": decoded_headers(wire.headers) if wire else None})
            if agency:
                state.ledger.record(key, **ledger_args, stage=Stage.NOT_MODIFIED, status=304,
                                    outcome=Outcome.UNCHANGED)
                self.explain_document(agency, kind, original, response.url,
                                      f"304     not modified: the archived {not_modified[:16]}… holds")
                wire_headers = {k.lower(): v for k, v in (decoded_headers(wire.headers) if wire else {}).items()}
                self.record_aliases(request, response.url, not_modified, 304, wire_headers)
            return
        headers = decoded_headers(response.headers)
        if challenge:
            error = f"blocked: {challenge} anti-bot challenge (HTTP {response.status})"
            records.record_fetch(state.db, **fetch, headers=headers, error=error)
            if agency and not meta.get("renfang_browser"):   # a visit's first answer: the visit decides
                state.ledger.record(key, **ledger_args, stage=Stage.FAILED, status=response.status,
                                    error=error, outcome=Outcome.FAILED)
            return
        sha256 = media_type = None
        if 200 <= response.status < 300 and response.body:
            sha256, media_type = records.store_document(state.db, state.store, response.body)
            state.remember_stored(response.body, sha256, media_type)   # its item need not store it again
        # a robots.txt that is not there (4xx) is no error: nothing is forbidden (RFC 9309 2.3.1.3)
        robots_absent = not agency and 400 <= response.status < 500 and urlsplit(response.url).path == "/robots.txt"
        error = None if response.status < 400 or robots_absent else f"HTTP {response.status}"
        records.record_fetch(state.db, **fetch, sha256=sha256, media_type=media_type,
                             headers=headers, error=error)
        if not agency:
            return  # robots.txt
        before = state.ledger.get(key)
        if sha256:
            outcome = (Outcome.NEW if before is None or before.sha256 is None
                       else Outcome.UNCHANGED if before.sha256 == sha256 else Outcome.CHANGED)
            lower = {k.lower(): v for k, v in headers.items()}
            state.ledger.record(key, **ledger_args, stage=Stage.STORED, status=response.status,
                                sha256=sha256, etag=lower.get("etag"),
                                last_modified=lower.get("last-modified"),
                                headers={k: v for k, v in lower.items() if k in KEPT_HEADERS},
                                outcome=outcome, before=before)
            if progress is not None and kind in DOCUMENT_KINDS:
                progress.documents += 1
            self.explain_document(agency, kind, original, response.url,
                                  f"stored  {sha256[:16]}… ({media_type}, {len(response.body):,} bytes, {outcome})")
            self.record_aliases(request, response.url, sha256, response.status, lower)
        elif response.status in (404, 410) and before is not None and before.sha256:
            state.ledger.record(key, **ledger_args, stage=Stage.GONE, status=response.status,
                                error=error, outcome=Outcome.GONE, before=before)
            self.explain_document(agency, kind, original, response.url, f"gone    {error}: no longer on the portal")
        else:
            # a URL the crawler made up from a template (a year selector, a script pager) that
            # does not exist is "absent": not the site's failure, not retried by the next run
            guess = bool(meta.get("renfang_guess"))
            state.ledger.record(key, **ledger_args, stage=Stage.FAILED, status=response.status,
                                error=error or "empty body", outcome=Outcome.ABSENT if guess else Outcome.FAILED,
                                before=before)
            if progress is not None and kind in NAVIGATION_KINDS and not guess:
                progress.failed_lists.append(f"{response.url} ({error or 'empty body'})")
            self.explain_document(agency, kind, original, response.url, f"FAILED  {error or 'empty body'}")

    def record_aliases(self, request, final_url: str, sha256: str, status: int, headers: dict) -> None:
        """The URLs that redirected to ``final_url``: aliases (kind ``redirect``), so that a
        resumed crawl answers them from the store too and a list naming them counts as known;
        recorded on a 304 of the target too, or the next run would take them for gone."""
        if request.method != "GET":
            return
        meta = request.meta
        for alias in dict.fromkeys(meta.get("redirect_urls") or []):
            if alias != final_url:
                self.state.ledger.record(alias, url=alias, run_id=self.state.run_id, agency_id=meta.get("agency_id"),
                                         kind=Kind.REDIRECT, parent=meta.get("renfang_parent"),
                                         stage=Stage.STORED, status=status, sha256=sha256,
                                         headers={**{k: v for k, v in headers.items() if k in KEPT_HEADERS},
                                                  "location": final_url})

    # -- what responses mean --------------------------------------------------------
    def learn_alias(self, agency_id: str, title: str) -> None:
        """The publishing name in a report's title (e.g. the office's later 国防动员办公室 name)
        becomes an alias of the agency (``agencies.aliases``); the report keeps its agency id."""
        found = classify_title(title)
        if found is None or not found.agency or (agency_id, found.agency) in self.aliases_asked:
            return      # (every report of an office names it alike: the archive is asked once a crawl)
        if records.add_agency_alias(self.state.db, agency_id, found.agency):
            self.crawler.stats.inc_value("renfang/aliases_learnt")
        self.aliases_asked.add((agency_id, found.agency))


    def process_item(self, item, spider=None):
        """Every item in its own try: an item that cannot be written is an error row against
        its URL (and its site), never an exception that loses the rest of the response."""
        try:
            self._process(item)
        except Exception as e:  # noqa: BLE001 — recorded, counted, and the crawl goes on
            import logging
            logging.getLogger(__name__).exception("could not write %r", type(item).__name__)
            self._record_error(item, f"pipeline raised {type(e).__name__}: {e}")
        return item

    def _record_error(self, item, error: str) -> None:
        state = self.state
        agency = getattr(item, "agency_id", None)
        url = getattr(item, "final_url", None) or getattr(item, "url", None) or "?"
        progress = state.progress.get(agency)
        if progress is not None:
            progress.errors.append(f"{url}: {error}")
        try:
            records.record_fetch(state.db, run_id=state.run_id, agency_id=agency or None, method="GET",
                                 url=url, error=error)
            if agency:
                state.ledger.record(url, url=url, run_id=state.run_id, agency_id=agency,
                                    kind=getattr(item, "kind", None), parent=None, stage=Stage.FAILED,
                                    error=error, outcome=Outcome.FAILED)
        except Exception:  # noqa: BLE001 — the database itself failed: the log and the count remain
            import logging
            logging.getLogger(__name__).exception("could not record the error of %s", url)

    def _process(self, item) -> None:
        state = self.state
        db = state.db
        progress = state.progress.get(getattr(item, "agency_id", None))
        if isinstance(item, ReportListing):
            records.record_listing(db, item.agency_id, item.year, item.title, item.url, item.list_url,
                                   issued_by=item.issued_by)
            if not item.issued_by:       # another body's name is never one of the office's
                self.learn_alias(item.agency_id, item.title)
            if progress is not None and not item.issued_by:    # another body's report is not the office's
                progress.reports.add(item.year)
        elif isinstance(item, ReportDocument):
            with records.batch(db):      # its report, document link and URL: one commit
                self._document(state, item, progress)
        elif isinstance(item, FetchFailure):
            records.record_fetch(db, run_id=state.run_id, agency_id=item.agency_id or None,
                                 method=item.method, url=item.url, error=item.error)
            if item.agency_id:
                key = item.key or item.url
                state.ledger.record(key, url=item.url, run_id=state.run_id, agency_id=item.agency_id,
                                    kind=item.kind, parent=item.parent, stage=Stage.FAILED,
                                    error=item.error, outcome=Outcome.REFUSED if item.refused else Outcome.FAILED)
            self.explain_document(item.agency_id, item.kind, item.url, item.url,
                                  ("refused " if item.refused else "FAILED  ") + item.error)
            if progress is not None:
                if item.refused:
                    progress.robots.append(item.url)
                elif item.raised:
                    progress.errors.append(f"{item.url}: {item.error}")
                elif item.kind in NAVIGATION_KINDS:
                    progress.failed_lists.append(f"{item.url} ({item.error})")
        elif isinstance(item, PageSeen):
            self.page_seen(item, progress)
        elif isinstance(item, BrowserTraffic):
            for x in item.exchanges:
                state.bytes_downloaded += len(x.body)
                if state.warc is not None:
                    state.warc.write_exchange(x.method, x.url, x.request_headers, x.request_body, x.status,
                                              x.reason, "HTTP/1.1", x.response_headers, x.body, x.truncated)

    def _document(self, state, item: ReportDocument, progress) -> None:
        db = state.db
        # the response's own bytes were stored when it arrived (response_received): reuse that
        stored = state.stored(item.body)
        sha256, media_type = stored or records.store_document(db, state.store, item.body)
        if item.year is not None:
            rid = records.record_listing(db, item.agency_id, item.year, item.title, item.final_url
                                         if item.kind == Kind.ARTICLE else item.report_url, issued_by=item.issued_by)
            kind = item.kind if item.kind == Kind.ARTICLE else KIND_BY_MEDIA_TYPE.get(media_type, Rendition.OTHER)
            records.record_report_document(db, rid, sha256, item.final_url, kind, item.filename)
            self.explain_document(item.agency_id, item.kind, item.url, item.final_url,
                                  f"report  {item.year} {item.title} ({kind}{', ' + item.filename if item.filename else ''})",
                                  header=False)
            if item.kind == Kind.ARTICLE:   # the title printed on the report's own page
                records.set_report_url(db, rid, item.url, item.final_url)
                if not item.issued_by:
                    self.learn_alias(item.agency_id, item.title)
            if progress is not None:
                progress.reports.add(item.year)

    def explain_document(self, agency: str | None, kind: str | None, url: str, final_url: str, line: str,
                         header: bool = True) -> None:
        """``--explain``: an article or attachment of an explained site, what became of its request
        (stored with its hash, 304, failed and why) and the report it belongs to, after the list
        pages (``header``: the page's first line; the report line follows it)."""
        if agency not in self.state.explain_sites or kind not in (*DOCUMENT_KINDS, *RENDITION_BY_MEDIA_TYPE.values()):
            return
        progress = self.state.progress.get(agency)
        if progress is None:
            return
        document = Kind.ARTICLE if kind == Kind.ARTICLE else Kind.ATTACHMENT
        shown = url if final_url in (None, url) else f"{url} → {final_url}"
        lines = ([f"{document.upper():7} {shown}"] if header else []) + [f"  {line}"]
        progress.explain.append((DOCUMENT_DEPTH + (document != Kind.ARTICLE), url, lines))

    def page_seen(self, page: PageSeen, progress) -> None:
        """What a page was: counts for the site's status, lines for ``--explain``."""
        if progress is None:
            return
        progress.taken += sum(1 for v in page.verdicts if v.take)
        for v in page.verdicts:
            if not v.take:
                reason = re.sub(r"\s*\(.*$", "", v.reason)
                progress.rejected[reason] = progress.rejected.get(reason, 0) + 1
        if page.unfollowed_pager:
            progress.unreached.append(page.problem)
        if page.problem:
            progress.problems.append(page.problem)
            if page.kind == Kind.LIST and self.state.ledger.had_children(page.key):
                progress.layout.append(page.url)
        if page.agency_id in self.state.explain_sites:
            progress.explain.append((page.depth, page.url, explain_lines(page)))


#: where the articles and attachments come in ``--explain``: after every navigation and list page
DOCUMENT_DEPTH = 1000


def explain_lines(page: PageSeen) -> list[str]:
    """``renfang crawl --explain``: one page, the shapes seen, every report-like entry taken or
    not and why, and what was asked for next."""
    lines = [f"{page.kind.upper():7} {page.url}"]
    lines += [f"  shape   {note}" for note in page.notes]
    for v in page.verdicts:
        mark = "take" if v.take else "skip"
        year = f" [{v.year}]" if v.year else ""
        lines.append(f"  {mark}    {v.title}{year} — {v.reason}  <{v.url}>")
    for url, strategy, reason in page.follows:
        lines.append(f"  next    {url} ({strategy}: {reason})")
    if page.problem:
        lines.append(f"  PROBLEM {page.problem}")
    return lines
