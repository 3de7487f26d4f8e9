"""Downloader middlewares that keep the crawl on target, resumable, incremental and honest.

Order (``DOWNLOADER_MIDDLEWARES`` in settings; ``process_request`` runs low → high,
``process_response`` high → low):

- ``WarcMiddleware`` (960, next to the network): every request/response exchange, as it
  came off the wire (including 500s that are retried and 301s that are followed), into
  the run's WARC file.
- ``OnTargetMiddleware`` (40): never request a host:port outside the registry and the
  allowed suffixes (``*.gov.cn``); nothing more from a site once it put up an anti-bot
  challenge; at most ``RENFANG_MAX_LIST_PAGES`` list pages per site (pagination traps).
- ``LedgerMiddleware`` (60): on a resumed run, answer from the store every URL already
  stored in this run (no refetch); otherwise add ``If-None-Match`` / ``If-Modified-Since``
  for URLs whose last version is stored, and turn a 304 into that stored version so the
  spider can still follow its links (no bytes downloaded).
- ``CharsetMiddleware`` (55): decode pages with the encoding they are really in
  (``crawler.encoding``).
- ``AntiBotMiddleware`` (45): recognise 瑞数 412 / 加速乐 521 / WAF challenge pages
  (``crawler.antibot``): the site is blocked for the run; the page is never archived.

Spider middlewares (``SPIDER_MIDDLEWARES``), between the responses and the spider's callbacks:

- ``CallbackErrorMiddleware``: an exception in a callback becomes a failed fetch of that URL
  (``fetches`` row, ledger ``failed``), counted against its site; the crawl goes on.
- ``EarlyStopMiddleware``: a list page answered 304 whose every report is already stored: its
  further pages are not requested (what lies beneath them is carried over as still there).
- ``RetryFailedMiddleware``: what failed in an earlier run is requested again at the start,
  even when the list page above it is unchanged and paging stops early.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from archive.vocab import DOCUMENT_KINDS, KEPT_STAGES, Kind, Outcome, Stage
from crawler.ledger import request_key
from crawler.antibot import detect_challenge
from crawler.browser import browser_available
from crawler.encoding import choose_encoding
from crawler.state import get_state

log = logging.getLogger(__name__)


class _Base:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def state(self):
        return get_state(self.crawler).open(self.crawler.spider)


class OnTargetMiddleware(_Base):
    def process_request(self, request, spider=None):
        state = self.state
        if not state.on_target(request.url):
            self.crawler.stats.inc_value("renfang/off_target")
            log.info("off target, not requested: %s", request.url)
            redirected = request.meta.get("redirect_urls")
            if redirected:  # a page of the site redirected off target: record it
                record_failure(state, request, redirected[0], request.url,
                               f"redirect off target, not followed: {request.url}", outcome=Outcome.REFUSED)
            raise IgnoreRequest(f"off target: {request.url}")
        progress = state.site_of(request)
        if progress is None:
            return None
        if progress.blocked and not request.meta.get("dont_obey_robotstxt"):
            progress.dropped += 1
            raise IgnoreRequest(f"site {request.meta.get('agency_id')} blocked by {progress.blocked}")
        if request.meta.get("renfang_kind") == Kind.LIST and not request.meta.get("renfang_counted"):
            cap = self.crawler.settings.getint("RENFANG_MAX_LIST_PAGES")
            if progress.list_pages >= cap:
                progress.dropped += 1
                progress.capped.append(request.url)   # crawl_sites says so at the end of the run
                log.warning("%s: more than %d list pages: pagination trap? not requesting %s",
                            request.meta.get("agency_id"), cap, request.url)
                raise IgnoreRequest("list page cap")
            progress.list_pages += 1
            request.meta["renfang_counted"] = True
        return None


def record_failure(state, request, url: str, final_url: str | None, error: str,
                   outcome: str = Outcome.FAILED) -> None:
    """A request of a site that ends without a document (redirect loop, off-target redirect):
    a ``fetches`` row and a failed ledger row under the URL the spider asked for. ``outcome``
    ``refused`` (a redirect to a host outside the registry: by policy, not the site's fault)
    is not counted among the site's failed documents."""
    agency = request.meta.get("agency_id")
    if not agency:
        return
    from crawler import records
    records.record_fetch(state.db, run_id=state.run_id, agency_id=agency, method=request.method,
                         url=url, final_url=final_url, error=error)
    key = url if url != request.url else request_key(request)
    state.ledger.record(key, url=url, run_id=state.run_id, agency_id=agency,
                        kind=request.meta.get("renfang_kind"), parent=request.meta.get("renfang_parent"),
                        stage=Stage.FAILED, error=error, outcome=outcome)


class RedirectGuardMiddleware(_Base):
    """Redirect-loop guard, just before Scrapy's RedirectMiddleware (650 > 600): a redirect back
    to a URL already in the chain (A → B → A), or one more than ``REDIRECT_MAX_TIMES``, ends
    the request with a recorded error. Left to Scrapy, the loop would end silently (the
    dupefilter drops the repeated URL, "max redirections reached" is ignored)."""

    def process_response(self, request, response, spider=None):
        if not (300 <= response.status < 400 and b"Location" in response.headers) \
                or request.meta.get("dont_redirect") or "agency_id" not in request.meta:
            return response
        from urllib.parse import urljoin
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = urljoin(request.url, location).split("#")[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        most = self.crawler.settings.getint("REDIRECT_MAX_TIMES")
        if target in chain:
            error = "redirect loop: " + " → ".join([*chain[chain.index(target):], target])
        elif len(chain) > most:
            error = f"too many redirects (more than REDIRECT_MAX_TIMES={most}): {chain[0]} → … → {target}"
        else:
            return response
        log.warning("%s: %s", request.meta["agency_id"], error)
        self.crawler.stats.inc_value("renfang/redirect_guard")
        record_failure(self.state, request, chain[0], request.url, error)
        raise IgnoreRequest(error)


class LedgerMiddleware(_Base):
    def process_request(self, request, spider=None):
        if request.meta.get("dont_obey_robotstxt") or "agency_id" not in request.meta:
            return None  # robots.txt and friends: always fetched
        if request.meta.get("renfang_browser"):
            return None  # a browser visit: the scripts must run, never a stored answer
        state = self.state
        key = request_key(request)
        entry = state.ledger.get(key)      # (one read: resumed, else its validators)
        resumed = state.ledger.stored_in_run(key, state.run_id, entry=entry)
        if resumed and resumed.sha256 in state.store:
            request.meta["renfang_from_ledger"] = True
            # a URL that redirected: its body, under the URL it came from (relative links)
            return self._stored_response(request, resumed, status=200,
                                         url=resumed.response_headers.get("location"))
        if request.method != "GET" or not self.crawler.settings.getbool("RENFANG_CONDITIONAL"):
            return None
        if entry and entry.kind == Kind.REDIRECT:
            return None  # validators belong to the target, which gets them after the redirect
        if entry and entry.sha256 and entry.stage in KEPT_STAGES and entry.sha256 in state.store:
            if entry.etag:
                request.headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                request.headers["If-Modified-Since"] = entry.last_modified
            if entry.etag or entry.last_modified:
                request.meta["renfang_conditional"] = entry.sha256
        return None

    def process_response(self, request, response, spider=None):
        sha = request.meta.get("renfang_conditional")
        if response.status == 304 and sha:
            entry = self.state.ledger.get(request_key(request))
            request.meta["renfang_not_modified"] = sha
            request.meta["renfang_wire"] = response
            return self._stored_response(request, entry, status=200, url=response.url, flags=["304"])
        return response

    def _stored_response(self, request, entry, status, url=None, flags=("ledger",)):
        body = self.state.store.get(entry.sha256)
        # kept as latin-1 text of the raw bytes (a GBK file name stays GBK): back to those bytes
        headers = Headers({k: v.encode("latin-1", "replace") for k, v in entry.response_headers.items()
                           if k.lower() in ("content-type", "content-disposition", "etag",
                                            "last-modified")})
        cls = responsetypes.from_args(headers=headers, url=url or request.url, body=body)
        return cls(url=url or request.url, status=status, headers=headers, body=body,
                   request=request, flags=list(flags))


class CharsetMiddleware(_Base):
    def process_response(self, request, response, spider=None):
        if not isinstance(response, TextResponse):
            return response
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        encoding = choose_encoding(response.body, ctype)
        if encoding != response.encoding:
            return response.replace(encoding=encoding)
        return response


class AntiBotMiddleware(_Base):
    def process_response(self, request, response, spider=None):
        if request.meta.get("renfang_from_ledger") or request.meta.get("renfang_not_modified"):
            return response
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        challenge = detect_challenge(response.status, response.body, headers)
        if challenge:
            request.meta["renfang_challenge"] = challenge
            if request.meta.get("renfang_browser"):
                return response   # the browser runs the challenge: the spider judges whether it passed
            progress = self.state.site_of(request)
            no_browser = browser_available(self.crawler.settings)
            if progress is not None and not progress.blocked and no_browser is None:
                # a script challenge the browser may pass (the spider sends the page there): not blocked yet
                request.meta["renfang_browser_may_pass"] = True
                request.meta["handle_httpstatus_all"] = True    # the callback must see it to send it on
                log.info("%s: anti-bot challenge (%s, HTTP %d) at %s: to the browser",
                         request.meta.get("agency_id"), challenge, response.status, request.url)
            elif progress is not None and not progress.blocked:
                progress.blocked = f"{challenge}; not passed: {no_browser}"
                log.warning("%s: anti-bot challenge (%s, HTTP %d) at %s: site blocked for this run",
                            request.meta.get("agency_id"), challenge, response.status, request.url)
        return response


class WarcMiddleware(_Base):
    def process_response(self, request, response, spider=None):
        if request.meta.get("renfang_from_ledger") or request.meta.get("renfang_browser"):
            return response   # a browser page: its wire traffic is written by the pipeline (BrowserTraffic)
        state = self.state
        state.bytes_downloaded += len(response.body)
        if state.warc is None:
            return response
        try:
            state.warc.write_exchange(
                request.method, response.url,
                [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in request.headers.items()],
                request.body or b"", response.status, _reason(response.status),
                response.protocol or "HTTP/1.1",
                [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs],
                response.body)
        except Exception:  # a WARC problem must not lose the document itself
            log.exception("could not write %s to the WARC file", response.url)
        return response


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""




class BackoffMiddleware(_Base):
    """Exponential backoff before a retried request (5xx, timeouts): RETRY_BACKOFF_BASE × 2^(n-1)
    seconds before the n-th retry, at most RETRY_BACKOFF_MAX."""

    async def process_request(self, request, spider=None):
        n = request.meta.get("retry_times", 0)
        settings = self.crawler.settings
        base = settings.getfloat("RETRY_BACKOFF_BASE")
        if settings.getfloat("DOWNLOAD_DELAY") == 0 and not settings.getbool("AUTOTHROTTLE_ENABLED"):
            base = 0  # politeness switched off (loopback tests, benchmarks): no backoff either
        if n and base > 0:
            from twisted.internet import reactor
            from twisted.internet.task import deferLater
            from scrapy.utils.defer import maybe_deferred_to_future
            delay = min(base * 2 ** (n - 1), self.crawler.settings.getfloat("RETRY_BACKOFF_MAX"))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return None


# ------------------------------------------------------------------------- spider middlewares
class CallbackErrorMiddleware(_Base):
    """Failures are data: a callback that raises for one URL leaves a failed fetch of that URL,
    the site's ``errors`` count (so it is not ``ok`` and nothing of it is marked gone) and the
    run's exit code; the other URLs are crawled on."""

    def process_spider_exception(self, response, exception, spider=None):
        from scrapy.spidermiddlewares.httperror import HttpError

        from crawler.items import FetchFailure
        if isinstance(exception, (HttpError, IgnoreRequest)):
            return None
        request = response.request
        meta = request.meta
        callback = getattr(request.callback, "__name__", "callback")
        log.error("%s: %s raised on %s: %r", meta.get("agency_id"), callback, response.url, exception,
                  exc_info=exception)
        self.crawler.stats.inc_value("renfang/callback_errors")
        return [FetchFailure(agency_id=meta.get("agency_id", ""), url=request.url, method=request.method,
                             error=f"{callback} raised {type(exception).__name__}: {exception}",
                             key=request_key(request), kind=meta.get("renfang_kind"),
                             parent=meta.get("renfang_parent"), raised=True)]


class EarlyStopMiddleware(_Base):
    """Stop paging when a list page is unchanged (304) and every report it lists is stored."""

    def _stops(self, response, produced) -> bool:
        return (self.crawler.settings.getbool("RENFANG_EARLY_STOP")
                and bool(response.meta.get("renfang_not_modified"))
                and response.meta.get("renfang_kind") == Kind.LIST
                and self.state.ledger.known_unchanged(
                    [request_key(r) for r in produced if _is_request(r)
                     and r.meta.get("renfang_kind") in DOCUMENT_KINDS]))

    def _filter(self, response, produced):
        if not self._stops(response, produced):
            return produced
        skipped = [r for r in produced if _is_request(r) and r.meta.get("renfang_pager")]
        carried = self.state.ledger.carry([request_key(r) for r in skipped], self.state.run_id)
        log.info("%s: %s unchanged and every report on it known: not paging further "
                 "(%d known URLs beneath carried over)", response.meta.get("agency_id"), response.url, carried)
        return [r for r in produced if not (_is_request(r) and r.meta.get("renfang_pager"))]

    def process_spider_output(self, response, result, spider=None):
        if response.meta.get("renfang_kind") != Kind.LIST:
            yield from result
            return
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response, result, spider=None):
        if response.meta.get("renfang_kind") != Kind.LIST:
            async for r in result:
                yield r
            return
        produced = [r async for r in result]
        for r in self._filter(response, produced):
            yield r


def _is_request(obj) -> bool:
    from scrapy import Request
    return isinstance(obj, Request)


class RetryFailedMiddleware(_Base):
    """At the start of a run, request again every document and list page of the run's sites
    that failed in an earlier run (a 500, a timeout, a callback error), with what its list said
    of it (title, year), so a recrawl retries it even if paging stops above it."""

    async def process_start(self, start):
        async for item in start:
            yield item
        spider = self.crawler.spider
        for site in getattr(spider, "sites", []):
            for url, kind, parent, title, year in self.state.failed_before(site.id):
                yield spider.retry(site, url, kind, parent, title, year)
