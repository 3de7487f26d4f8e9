"""A crawl across machines: several ``renfang crawl --redis URL`` workers share one frontier.

The engine is scrapy-redis (https://github.com/rmax/scrapy-redis): the scheduler queue and the
duplicate filter live in Redis, so a request one worker found may be downloaded by any worker,
and no request is made twice in a round. Each worker writes its own data dir (its own
``archive.db``, objects, WARC); ``renfang merge`` combines them (archive/merge.py).

What the project's per-request state needs in a shared queue:

* Requests are pickled (scrapy-redis' default serializer): callbacks and errbacks are methods
  of :class:`crawler.spiders.PortalSpider`, and ``meta`` holds plain values and the registry's
  ``Site`` (a dataclass). :func:`check_serialisable` is what the queue does to a request.
* The duplicate filter's fingerprint is the project's one key of a request,
  :func:`crawler.ledger.request_key` (a POST form counts by its body).
* Conditional requests are added by ``LedgerMiddleware`` in the worker that downloads, from its
  own ledger: after a round, merge the workers' archives and merge the result back into each
  worker (README), so that every worker knows every URL's validators and stored version.
* A worker stops once the shared queue is empty and no other worker is still busy on a page
  (which could add requests): scrapy-redis' own spiders wait for more URLs forever.
* A worker sees only part of each site: it does not mark documents gone (another worker may
  have fetched what it did not), and its ``crawl_sites`` rows count only its own pages. Each
  worker records how many workers the round had (``meta round_workers:RUN``); ``renfang merge``
  marks gone once it holds that many shares of the round, as one worker would have.

One round: the first worker to join an empty pool clears what a previous round left in Redis,
``RENFANG_REDIS_WORKERS`` makes each worker wait (up to ``RENFANG_REDIS_WAIT`` seconds) until
that many have joined before it starts, and the last worker to leave clears the round's keys.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import socket
import time
import uuid

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.ledger import request_key

log = logging.getLogger(__name__)

#: Redis keys of a round, per spider name (``%(spider)s``)
KEY_PREFIX = "renfang:%(spider)s"
QUEUE_KEY = KEY_PREFIX + ":requests"
DUPEFILTER_KEY = KEY_PREFIX + ":dupefilter"
WORKERS_KEY = KEY_PREFIX + ":workers"     # sorted set: worker id -> time last seen
BUSY_KEY = KEY_PREFIX + ":busy"           # hash: worker id -> time it last took a request
ROUND_KEY = KEY_PREFIX + ":round"         # the round's id, recorded by each worker (meta round:RUN)
MEMBERS_KEY = KEY_PREFIX + ":members"     # set: every data dir that joined the round (never pruned)

#: join a round, atomically: drop workers not heard of lately; the first of a new round clears
#: what an earlier one left (queue, fingerprints, busy marks) and names the round
_JOIN = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
local n = redis.call('zcard', KEYS[1])
redis.call('zadd', KEYS[1], ARGV[2], ARGV[3])
if n == 0 then
  redis.call('del', KEYS[2], KEYS[3], KEYS[4], KEYS[6])
  redis.call('set', KEYS[5], ARGV[4])
end
redis.call('sadd', KEYS[6], ARGV[5])
return {n, redis.call('get', KEYS[5])}
"""


def settings(redis_url: str, workers: int = 1) -> dict:
    """The Scrapy settings that make a crawl one worker of a shared frontier at ``redis_url``."""
    return {
        "SCHEDULER": "crawler.distributed.SharedScheduler",
        "DUPEFILTER_CLASS": "crawler.distributed.LedgerKeyDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        # a worker leaving must not flush the queue the others still work on (SharedScheduler
        # clears the round when the last one leaves)
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "RENFANG_REDIS_WORKERS": workers,
        # another worker may have fetched what this one did not: no gone marks from a part
        "RENFANG_MARK_GONE": False,
    }


def fingerprint(request) -> str:
    """The duplicate filter's fingerprint: a digest of the ledger key (method, URL, form)."""
    return hashlib.sha1(request_key(request).encode("utf-8")).hexdigest()


def check_serialisable(request, spider) -> bytes:
    """What the shared queue stores of ``request`` (a pickled dict); raises when it cannot."""
    return pickle.dumps(request.to_dict(spider=spider), protocol=-1)


class LedgerKeyDupeFilter(RFPDupeFilter):
    """scrapy-redis' Redis set of fingerprints, with the project's request key."""

    def request_fingerprint(self, request) -> str:
        return fingerprint(request)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def live_workers(server, workers_key: str) -> int:
    """How many workers of the round were heard of lately (killed ones drop out)."""
    return server.zcount(workers_key, time.time() - SharedScheduler.STALE_SECONDS, "+inf")


def round_key(run_id: int) -> str:
    """The ``meta`` key under which a worker's archive records the round its run was part of
    (``renfang merge`` makes one run of a round's runs)."""
    return f"round:{run_id}"


def round_workers_key(run_id: int) -> str:
    """The ``meta`` key under which a worker's archive records how many workers its round had
    (``renfang merge`` marks gone once it holds the shares of all of them)."""
    return f"round_workers:{run_id}"


def _record_meta(settings, key_of, value: str) -> None:
    """``meta`` ``key_of(run)`` = ``value`` in the worker's own archive, for its run."""
    from archive.datadir import DataDir
    from archive.schema import open_archive

    run_id = settings.getint("RENFANG_RUN_ID")
    if not run_id:
        return
    db = open_archive(DataDir(settings.get("RENFANG_DATA_DIR")).db)
    try:
        with db.conn:
            db.execute("insert into meta (key, value) values (?, ?) on conflict (key) do update "
                       "set value = excluded.value", [key_of(run_id), value])
    finally:
        db.close()


def record_round(settings, round_id: str) -> None:
    _record_meta(settings, round_key, round_id)


def worker_id(data_dir: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.path.abspath(data_dir)}"


def member_id(data_dir: str) -> str:
    """A worker as a member of its round: its data dir (a worker killed and started again
    resumes the same run there: one share, one member)."""
    return f"{socket.gethostname()}:{os.path.abspath(data_dir)}"


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler, plus the pool of workers of a round (join, busy, leave)."""

    #: a worker not heard of for this long is taken for dead (killed without leaving)
    STALE_SECONDS = 300
    #: how often an idle worker looks at the shared queue
    POLL_SECONDS = 0.25

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.worker = worker_id(crawler.settings.get("RENFANG_DATA_DIR") or ".")
        instance._seen = 0.0
        instance.crawler = crawler
        crawler.signals.connect(instance.on_idle, signal=signals.spider_idle)
        return instance

    def _keys(self, spider):
        name = {"spider": spider.name}
        return WORKERS_KEY % name, BUSY_KEY % name, MEMBERS_KEY % name

    def open(self, spider):
        self.workers_key, self.busy_key, self.members_key = self._keys(spider)
        super().open(spider)
        others, self.round = self.server.eval(
            _JOIN, 6, self.workers_key, self.queue.key, self.df.key, self.busy_key,
            ROUND_KEY % {"spider": spider.name}, self.members_key,
            time.time() - self.STALE_SECONDS, time.time(), self.worker, uuid.uuid4().hex,
            member_id(self.crawler.settings.get("RENFANG_DATA_DIR") or "."))
        self.round = _text(self.round)
        record_round(self.crawler.settings, self.round)
        # Scrapy polls the scheduler after each response and every 5 s; a worker with nothing in
        # flight would look at the shared queue only every 5 s, and miss what the others found
        from twisted.internet.task import LoopingCall
        self._poll = LoopingCall(self._wake)
        self._poll.start(self.POLL_SECONDS, now=False)
        log.info("distributed: %s %s round %s at %s", self.worker,
                 "opened" if others == 0 else f"joined {others} worker(s) in", self.round, self.queue.key)

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)    # the engine's own loop (private)
        if slot is not None:
            slot.nextcall.schedule()

    def workers(self) -> int:
        return live_workers(self.server, self.workers_key)

    def next_request(self):
        request = super().next_request()
        t = time.time()
        if request is not None:
            self.server.hset(self.busy_key, self.worker, t)
        if t - self._seen > 1:
            self.server.zadd(self.workers_key, {self.worker: t})
            self._seen = t
        return request

    def others_busy(self) -> list[str]:
        horizon = time.time() - self.STALE_SECONDS
        busy = {_text(w): float(t) for w, t in self.server.hgetall(self.busy_key).items()}
        return [w for w, t in busy.items() if w != self.worker and t > horizon]

    def on_idle(self, spider):
        """Idle here (nothing in flight, the shared queue empty): stop unless another worker is
        still on a page that may add requests."""
        self.server.zadd(self.workers_key, {self.worker: time.time()})
        if getattr(spider, "waiting_for_workers", False):
            raise DontCloseSpider("waiting for the other workers to join")
        self.server.hdel(self.busy_key, self.worker)
        if self.others_busy():
            raise DontCloseSpider("other workers are busy")

    def close(self, reason):
        if self._poll.running:
            self._poll.stop()
        pipe = self.server.pipeline(transaction=True)
        pipe.zrem(self.workers_key, self.worker)
        pipe.hdel(self.busy_key, self.worker)
        pipe.scard(self.members_key)
        pipe.zcount(self.workers_key, time.time() - self.STALE_SECONDS, "+inf")
        *_, members, left = pipe.execute()   # (the same count as live_workers, in the transaction)
        # the workers that joined the round so far (one joining later is counted by those still in it)
        _record_meta(self.crawler.settings, round_workers_key, str(members))
        if left == 0 and not len(self.queue):
            self.flush()
            self.server.delete(self.busy_key, self.workers_key, self.members_key,
                               ROUND_KEY % {"spider": self.spider.name})
            log.info("distributed: %s was the last worker; round cleared", self.worker)
        super().close(reason)


async def wait_for_workers(spider) -> None:
    """Hold a worker's start requests until ``RENFANG_REDIS_WORKERS`` workers have joined (at
    most ``RENFANG_REDIS_WAIT`` seconds), so that one fast worker does not end a round alone."""
    from twisted.internet import reactor
    from twisted.internet.task import deferLater
    from scrapy.utils.defer import maybe_deferred_to_future
    from scrapy_redis.connection import get_redis_from_settings

    want = spider.settings.getint("RENFANG_REDIS_WORKERS")
    server, key = get_redis_from_settings(spider.settings), WORKERS_KEY % {"spider": spider.name}
    deadline = time.monotonic() + spider.settings.getfloat("RENFANG_REDIS_WAIT")
    spider.waiting_for_workers = True        # (SharedScheduler.on_idle: not idle, waiting)
    try:
        while (joined := live_workers(server, key)) < want:
            if time.monotonic() > deadline:
                log.warning("distributed: only %d of %d workers joined; starting anyway", joined, want)
                return
            await maybe_deferred_to_future(deferLater(reactor, 0.2, lambda: None))
    finally:
        spider.waiting_for_workers = False


def spider_class(base):
    """``base`` (PortalSpider or a subclass) as a worker of a shared frontier."""
    class Worker(base):
        async def start(self):
            await wait_for_workers(self)
            async for request in super().start():
                yield request
    Worker.__name__ = Worker.__qualname__ = f"Distributed{base.__name__}"
    return Worker
