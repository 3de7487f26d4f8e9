"""Deliver each alert once over each channel: printed, e-mail (SMTP) and a webhook (JSON POST).

The alerts themselves are computed by crawler/monitors.py into the ``alerts`` table; the Atom
feed of them is a page of the Datasette site (``/-/alerts.atom``: one entry per occurrence, with
a stable id, so a feed reader shows each once). The push channels are configured in ONE
settings file, TOML: ``--config FILE`` (or ``RENFANG_CONFIG``), else ``DATA_DIR/renfang.toml``
when it exists; without one, alerts are only printed and published in the feed::

    [smtp]                          # e-mail; every key but host, from and to has a default
    host = "127.0.0.1"
    port = 25                       # default 25 (465 with ssl = true)
    from = "renfang@example.org"
    to = ["ops@example.org"]        # one address or a list
    ssl = false                     # SMTP over TLS from the first byte (SMTPS)
    starttls = false                # upgrade a plain connection with STARTTLS
    username = ""                   # log in when set ...
    password_env = "RENFANG_SMTP_PASSWORD"   # ... with the password from this environment variable
    timeout = 30                    # seconds
    subject_prefix = "[renfang]"

    [webhook]                       # one JSON POST per alert (see :func:`payload`)
    url = "http://127.0.0.1:8125/renfang"
    timeout = 10
    headers = { Authorization = "Bearer ..." }

    [alerts]
    kinds = ["late", "broken", "blocked", "edited"]   # what is pushed (default all; all are printed)
    site_url = "https://renfang.example.org"          # links in e-mails and webhooks (default none)

Bookkeeping is per occurrence and channel (``alert_deliveries``): a delivery that fails is
recorded with its reason, counted in the crawl's summary and retried by the next run (or
``renfang alerts``) until it is sent; one that succeeded is never sent again. When the alert
resolves (the site fixed, the report archived), each channel its opening was sent over is told
so, once, the same way (``alert_resolutions``; an e-mail in reply to the first).
"""
from __future__ import annotations

import hashlib
import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Callable

import sqlite_utils

from archive.datadir import DataDir
from archive.schema import now as archive_now
from archive.vocab import AlertKind, AlertState, Channel

#: the settings file looked for in a data dir when no --config is given
CONFIG_NAME = "renfang.toml"
PUSH_CHANNELS = (Channel.SMTP, Channel.WEBHOOK)


class ConfigError(ValueError):
    """A settings file that cannot be used: said with its path and the key."""


@dataclass(frozen=True)
class Smtp:
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 25
    ssl: bool = False
    starttls: bool = False
    username: str = ""
    password_env: str = "RENFANG_SMTP_PASSWORD"
    timeout: float = 30
    subject_prefix: str = "[renfang]"


@dataclass(frozen=True)
class Webhook:
    url: str
    timeout: float = 10
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Config:
    source: str | None = None                  # the file read, None: no settings file
    smtp: Smtp | None = None
    webhook: Webhook | None = None
    kinds: tuple[str, ...] = tuple(AlertKind)
    site_url: str = ""

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(c for c, on in ((Channel.SMTP, self.smtp), (Channel.WEBHOOK, self.webhook)) if on)


_KEYS = {"smtp": {"host", "port", "from", "to", "ssl", "starttls", "username", "password_env", "timeout",
                  "subject_prefix"},
         "webhook": {"url", "timeout", "headers"},
         "alerts": {"kinds", "site_url"}}


def parse_config(text: str, source: str = "settings") -> Config:
    """The settings of a TOML text; :class:`ConfigError` naming the key for anything unknown,
    missing or of the wrong type (a typo must not silently turn a channel off)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not TOML: {e}") from None

    def fail(msg):
        raise ConfigError(f"{source}: {msg}")
    for section, value in data.items():
        if section not in _KEYS or not isinstance(value, dict):
            fail(f"unknown section [{section}] (known: {', '.join(sorted(_KEYS))})")
        unknown = set(value) - _KEYS[section]
        if unknown:
            fail(f"unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")

    def get(section, key, kind, default=None, required=False):
        value = data.get(section, {}).get(key, default)
        if value is None and required:
            fail(f"[{section}] {key} is required")
        if value is not None and not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float):
            fail(f"[{section}] {key} must be {getattr(kind, '__name__', kind)}, not {value!r}")
        return value
    smtp = webhook = None
    if Channel.SMTP in data:
        to = get("smtp", "to", (str, list), required=True)
        to = (to,) if isinstance(to, str) else tuple(to)
        if not to or not all(isinstance(a, str) and "@" in a for a in to):
            fail(f"[smtp] to must be e-mail addresses, not {to!r}")
        use_ssl = get("smtp", "ssl", bool, False)
        smtp = Smtp(host=get("smtp", "host", str, required=True), sender=get("smtp", "from", str, required=True),
                    to=to, port=get("smtp", "port", int, 465 if use_ssl else 25), ssl=use_ssl,
                    starttls=get("smtp", "starttls", bool, False), username=get("smtp", "username", str, ""),
                    password_env=get("smtp", "password_env", str, "RENFANG_SMTP_PASSWORD"),
                    timeout=get("smtp", "timeout", (int, float), 30),
                    subject_prefix=get("smtp", "subject_prefix", str, "[renfang]"))
    if Channel.WEBHOOK in data:
        url = get("webhook", "url", str, required=True)
        if not url.startswith(("http://", "https://")):
            fail(f"[webhook] url must be http:// or https://, not {url!r}")
        headers = get("webhook", "headers", dict, {})
        if not all(isinstance(v, str) for v in headers.values()):
            fail("[webhook] headers must be text")
        webhook = Webhook(url=url, timeout=get("webhook", "timeout", (int, float), 10),
                          headers=tuple(sorted(headers.items())))
    kinds = tuple(get("alerts", "kinds", list, list(AlertKind)))
    bad = [k for k in kinds if k not in set(AlertKind)]
    if bad:
        fail(f"[alerts] kinds: unknown {bad} (known: {', '.join(AlertKind)})")
    return Config(source, smtp, webhook, kinds, get("alerts", "site_url", str, "").rstrip("/"))


def load_config(path: str | os.PathLike | None, data_dir: str | os.PathLike) -> Config:
    """The settings file ``path`` (it must exist), else ``DATA_DIR/renfang.toml`` if present,
    else none (alerts printed and in the feed only)."""
    if path is None:
        default = DataDir(data_dir).root / CONFIG_NAME
        if not default.exists():
            return Config()
        path = default
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror or e}") from None
    return parse_config(text, str(path))


# ------------------------------------------------------------------ what is sent
def alert_url(config: Config, alert: dict) -> str:
    """The alert's row on the site (empty without ``site_url``)."""
    if not config.site_url:
        return ""
    from urllib.parse import quote
    return f"{config.site_url}/archive/alerts/{quote(alert['key'].replace('~', '~7E'), safe='')}"


def payload(config: Config, alert: dict) -> dict:
    """The webhook's JSON body: the alert occurrence as stored (``state`` ``resolved`` and
    ``resolved_at`` for a resolution notice), and its page."""
    return {"key": alert["key"], "kind": alert["kind"], "agency_id": alert["agency_id"],
            "report_id": alert["report_id"], "message": alert["message"], "state": alert["state"],
            "opened_at": alert["opened_at"], "last_seen": alert["last_seen"],
            "resolved_at": alert.get("resolved_at"), "url": alert_url(config, alert)}


def printed_line(alert: dict) -> str:
    """The alert as the crawl prints it on stderr: ``alert late trsx: …``, ``alert resolved late trsx: …``."""
    resolved = "resolved " if alert["state"] == AlertState.RESOLVED else ""
    return f"alert {resolved}{alert['kind']} {alert['agency_id']}: {alert['message']}"


def _message_id(alert: dict, event: str = "") -> str:
    occurrence = hashlib.sha256(f"{alert['key']}\n{alert['opened_at']}".encode()).hexdigest()[:32]
    return f"<alert.{occurrence}{event}@renfang-archive>"     # the same for a resend of this notice


def email(config: Config, alert: dict) -> EmailMessage:
    """One e-mail per alert occurrence, and one when it resolves (in reply to the first); the
    Message-IDs are derived from the occurrence, so a mail system can tell a resend."""
    resolved = alert["state"] == AlertState.RESOLVED
    msg = EmailMessage()
    msg["Subject"] = (f"{config.smtp.subject_prefix} {'resolved: ' if resolved else ''}"
                      f"{alert['kind']} {alert['agency_id']}").strip()
    msg["From"] = config.smtp.sender
    msg["To"] = ", ".join(config.smtp.to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = _message_id(alert, ".resolved" if resolved else "")
    if resolved:
        msg["In-Reply-To"] = msg["References"] = _message_id(alert)
    msg["X-Renfang-Alert"] = alert["key"]
    msg["X-Renfang-State"] = alert["state"]
    url = alert_url(config, alert)
    when = (f"resolved {alert['resolved_at']}; open since {alert['opened_at']}, last seen {alert['last_seen']}"
            if resolved else f"open since {alert['opened_at']}, last seen {alert['last_seen']}")
    msg.set_content(f"{'resolved: ' if resolved else ''}{alert['kind']} {alert['agency_id']}: {alert['message']}\n\n"
                    f"{when}\n" + (f"{url}\n" if url else ""))
    return msg


# ------------------------------------------------------------------ delivery
@dataclass
class Delivery:
    """What one delivery pass did: per channel the alerts sent, and those that failed with why."""
    printed: list[dict] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    resolved: dict[str, list[str]] = field(default_factory=dict)     # resolution notices sent

    @property
    def failures(self) -> int:
        return sum(len(v) for v in self.failed.values())

    def summary(self) -> str:
        """One line, empty when nothing was to be pushed."""
        def words(c):
            sent, failed, resolved = (len(d.get(c, [])) for d in (self.sent, self.failed, self.resolved))
            out = [f"{sent} sent"] if sent or not resolved else []
            return ", ".join(out + [f"{failed} failed"] * bool(failed) + [f"{resolved} resolved"] * bool(resolved))
        parts = [f"{c} {words(c)}" for c in PUSH_CHANNELS if c in self.sent or c in self.failed or c in self.resolved]
        if not parts:
            return ""
        line = "alerts delivered: " + "; ".join(parts)
        if self.failures:
            reasons = sorted({f"{c}: {err}" for c, errs in self.failed.items() for _, err in errs})
            line += f" ({self.failures} failed, retried next run: {' | '.join(reasons)})"
        return line


def pending(db: sqlite_utils.Database, channel: str, kinds: tuple[str, ...] | None = None) -> list[dict]:
    """The open alert occurrences not sent over ``channel`` yet (failed ones included), oldest first."""
    kinds = tuple(kinds or AlertKind)
    cursor = db.execute(
        f"""select a.key, a.kind, a.agency_id, a.report_id, a.message, a.state,
                   coalesce(a.opened_at, a.first_seen) as opened_at, a.last_seen, a.delivered_at
            from alerts a left join alert_deliveries d on d.alert_key = a.key
                 and d.opened_at = coalesce(a.opened_at, a.first_seen) and d.channel = ?
            where a.state = ? and d.delivered_at is null and a.kind in ({','.join('?' * len(kinds))})
            order by opened_at, a.kind, a.key""", [channel, AlertState.OPEN, *kinds])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def pending_resolutions(db: sqlite_utils.Database, channel: str, kinds: tuple[str, ...] | None = None) -> list[dict]:
    """The resolved alert occurrences whose opening was sent over ``channel`` and whose
    resolution was not (failed ones included), oldest first."""
    kinds = tuple(kinds or AlertKind)
    cursor = db.execute(
        f"""select a.key, a.kind, a.agency_id, a.report_id, a.message, a.state, d.opened_at,
                   a.last_seen, a.resolved_at
            from alerts a join alert_deliveries d on d.alert_key = a.key and d.channel = ?
                 and d.opened_at = coalesce(a.opened_at, a.first_seen) and d.delivered_at is not null
            left join alert_resolutions r on r.alert_key = d.alert_key and r.opened_at = d.opened_at
                 and r.channel = d.channel
            where a.state = ? and r.delivered_at is null and a.kind in ({','.join('?' * len(kinds))})
            order by a.resolved_at, a.kind, a.key""", [channel, AlertState.RESOLVED, *kinds])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


#: where the sending of a notice is kept, by the state of the alert it tells
NOTICE_TABLES = {AlertState.OPEN: "alert_deliveries", AlertState.RESOLVED: "alert_resolutions"}


def _record(db, alert: dict, channel: str, t: str, error: str | None) -> None:
    table = NOTICE_TABLES[alert["state"]]
    db.execute(f"""insert into {table} (alert_key, opened_at, channel, delivered_at, attempts, last_attempt, error)
                  values (?, ?, ?, ?, 1, ?, ?)
                  on conflict (alert_key, opened_at, channel) do update set delivered_at = excluded.delivered_at,
                      attempts = {table}.attempts + 1, last_attempt = excluded.last_attempt,
                      error = excluded.error""",
               [alert["key"], alert["opened_at"], channel, None if error else t, t, error])
    if channel == Channel.PRINT and not error and alert["state"] == AlertState.OPEN:
        db.execute("update alerts set delivered_at = ? where key = ?", [t, alert["key"]])


def _error(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        body = e.read(200).decode("utf-8", "replace").strip()
        return f"HTTP {e.code} {e.reason}" + (f": {body}" if body else "")
    if isinstance(e, urllib.error.URLError):
        return f"{type(e.reason).__name__}: {e.reason}"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(f"{a} {c} {m.decode('utf-8', 'replace')}"
                                                  for a, (c, m) in e.recipients.items())
    if isinstance(e, smtplib.SMTPResponseException):
        return f"SMTP {e.smtp_code} {e.smtp_error.decode('utf-8', 'replace') if isinstance(e.smtp_error, bytes) else e.smtp_error}"
    return f"{type(e).__name__}: {e}"


def _send_smtp(config: Config, alerts: list[dict]):
    """Yield (alert, error or None) for each alert, over one SMTP session."""
    s = config.smtp
    done = 0
    try:
        if s.ssl:
            server = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with server:
            if s.starttls:
                server.starttls(context=ssl.create_default_context())
            if s.username:
                server.login(s.username, os.environ.get(s.password_env, ""))
            for alert in alerts:
                try:
                    server.send_message(email(config, alert))
                    error = None
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
                    error = _error(e)
                done += 1
                yield alert, error
    except (OSError, smtplib.SMTPException) as e:      # the session broke: every alert not sent yet fails alike
        reason = _error(e)
        for alert in alerts[done:]:
            yield alert, reason


def _send_webhook(config: Config, alerts: list[dict]):
    w = config.webhook
    for alert in alerts:
        request = urllib.request.Request(
            w.url, data=json.dumps(payload(config, alert), ensure_ascii=False).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "renfang-archive",
                     **dict(w.headers)})
        try:
            with urllib.request.urlopen(request, timeout=w.timeout) as response:
                response.read()
            yield alert, None
        except (OSError, ValueError) as e:
            yield alert, _error(e)


SENDERS = {Channel.SMTP: _send_smtp, Channel.WEBHOOK: _send_webhook}


def deliver(db: sqlite_utils.Database, config: Config, printer: Callable[[dict], None] | None = None) -> Delivery:
    """Print the alerts not printed yet (``printer``), then push every pending occurrence over
    each configured channel, recording each attempt in ``alert_deliveries``."""
    result = Delivery()
    if printer is not None:
        for alert in pending(db, Channel.PRINT) + pending_resolutions(db, Channel.PRINT):
            if alert.get("delivered_at"):           # announced before the delivery table existed
                continue
            printer(alert)
            with db.conn:
                _record(db, alert, Channel.PRINT, archive_now(), None)
            result.printed.append(alert)
    for channel in config.channels:
        alerts = pending(db, channel, config.kinds) + pending_resolutions(db, channel, config.kinds)
        if not alerts:
            continue
        result.sent.setdefault(channel, [])
        result.failed.setdefault(channel, [])
        for alert, error in SENDERS[channel](config, alerts):
            with db.conn:
                _record(db, alert, channel, archive_now(), error)
            if error:
                result.failed[channel].append((alert["key"], error))
            elif alert["state"] == AlertState.RESOLVED:
                result.resolved.setdefault(channel, []).append(alert["key"])
            else:
                result.sent[channel].append(alert["key"])
    return result


#: exit code of ``renfang alerts`` when an open alert is not delivered on some channel
EXIT_UNDELIVERED = 3


def delivery_status(db: sqlite_utils.Database, config: Config) -> list[dict]:
    """Each open alert with, per channel (print and the configured ones), ``sent <time>``,
    ``failed (<attempts> attempts): <reason>`` or ``not sent``."""
    cursor = db.execute("""select key, kind, agency_id, message, coalesce(opened_at, first_seen) as opened_at,
                                  delivered_at from alerts where state = ? order by opened_at, kind, key""", [AlertState.OPEN])
    alerts = [dict(zip([c[0] for c in cursor.description], r)) for r in cursor.fetchall()]
    rows = {(k, o, c): (d, n, e) for k, o, c, d, n, e in db.execute(
        "select alert_key, opened_at, channel, delivered_at, attempts, error from alert_deliveries")}
    for a in alerts:
        a["channels"] = {}
        for channel in (Channel.PRINT, *config.channels):
            if channel != Channel.PRINT and a["kind"] not in config.kinds:
                continue
            done, attempts, error = rows.get((a["key"], a["opened_at"], channel),
                                             (a["delivered_at"] if channel == Channel.PRINT else None, 0, None))
            a["channels"][str(channel)] = (f"sent {done}" if done else
                                           f"failed ({attempts} attempts): {error}" if error else "not sent")
    return alerts
