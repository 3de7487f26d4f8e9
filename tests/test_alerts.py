"""Alerts delivered once over each channel (archive/notify.py), on the test portals with the clock
after the 31 January 2024 deadline: a late office (trsx has no 2023 report), a blocked site
(rs412 answers 瑞数 412), then a broken site (plainx's list stops yielding entries) and a silently
edited report (trsx's 2022 PDF changes under the same URL). A real SMTP server (aiosmtpd) and a
real webhook receiver (http.server) on 127.0.0.1 get each alert exactly once; a webhook that
fails is recorded with its reason, counted in the summary and retried by the next run."""
from __future__ import annotations

import email
import email.policy
import re
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import ONLY_REGISTRY, Receiver, free_port, q, renfang
from tests.portals import sites
from tests.portals.server import Page


class Mailbox:
    """aiosmtpd handler: every message the server accepted."""
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def channels():
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hook = Receiver()
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        yield box, smtp, hook
    finally:
        smtp.stop()
        hook.shutdown()
        hook.server_close()


def printed(proc) -> list[str]:
    return sorted(line.split(":")[0] for line in proc.stderr.splitlines() if line.startswith("alert "))


EDITED = "edited:trsx-2022:{}zwgk/xxgknb/202301/P020230115301001.pdf"


@pytest.mark.slow
def test_each_alert_reaches_smtp_and_webhook_once_and_a_failed_delivery_is_retried(tmp_path, channels):
    box, smtp, hook = channels
    portal = sites.start()
    config = tmp_path / "renfang.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nfrom = "renfang@example.org"\n'
                      f'to = ["ops@example.org"]\n\n[webhook]\nurl = "http://127.0.0.1:{hook.server_port}/hook"\n'
                      '\n[alerts]\nsite_url = "https://renfang.example.org"\n', encoding="utf-8")
    data = tmp_path / "data"

    def run(now):
        return renfang("run", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", now,
                       "--config", config, expect=3)
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx", "plainx", "rs412"])
        hook.status = 503
        first = run("2024-03-01")
        hook.status = 200
        second = run("2024-03-02")
        sites.build(portal, 2)
        lists = {p: page for p, page in portal.sites["plainx"].pages.items() if p.startswith("/xxgk/nb/list")}
        for path, page in lists.items():
            # the links are gone, URLs and all (a data-* attribute would still lead to the reports)
            portal.sites["plainx"].pages[path] = Page(
                re.sub(rb'<a href="[^"]*"', b"<span", page.body).replace(b"</a>", b"</span>"), page.ctype)
        third = run("2024-03-03")
        sites.build(portal, 2)               # plainx's lists link their reports again
        fourth = run("2024-03-04")
        fifth = run("2024-03-05")            # nothing new: nothing printed or sent
    finally:
        portal.stop()
    edited = EDITED.format(portal.url("trsx"))

    # run 1: printed and mailed once each; the webhook answered 503: recorded, counted, not lost
    assert printed(first) == ["alert blocked rs412", "alert late rs412", "alert late trsx"]
    assert "alert late trsx: no 2023 report archived; due 2024-01-31, 30 days late" in first.stderr
    assert ("alerts delivered: smtp 3 sent; webhook 0 sent, 3 failed (3 failed, retried next run: "
            "webhook: HTTP 503 Service Unavailable: receiver down for maintenance)") in first.stderr
    # run 2: nothing new printed or mailed; the webhook gets the three it missed
    assert printed(second) == [] and "alerts delivered: webhook 3 sent" in second.stderr
    # run 3: the broken list and the edited PDF, once each; trsx's 2023 report arrived: the late
    # alert resolved, and each channel that was told of it is told so
    assert printed(third) == ["alert broken plainx", "alert edited trsx", "alert resolved late trsx"]
    assert "alerts delivered: smtp 2 sent, 1 resolved; webhook 2 sent, 1 resolved" in third.stderr
    # run 4: plainx fixed: its alert resolved, and said once
    assert printed(fourth) == ["alert resolved broken plainx"]
    assert "alerts delivered: smtp 1 resolved; webhook 1 resolved" in fourth.stderr
    assert printed(fifth) == [] and "alerts delivered" not in fifth.stderr

    keys = ["late:trsx:2023", "late:rs412:2023", "blocked:rs412", "broken:plainx", edited]
    resolved = ["late:trsx:2023", "broken:plainx"]
    opened = [m for m in box.messages if m["X-Renfang-State"] == "open"]
    assert Counter(m["X-Renfang-Alert"] for m in opened) == Counter(keys)      # each once
    assert Counter(m["X-Renfang-Alert"] for m in box.messages if m not in opened) == Counter(resolved)
    assert Counter((b["key"], b["state"]) for b in hook.accepted) == Counter(
        [(k, "open") for k in keys] + [(k, "resolved") for k in resolved])
    assert len(hook.posted) == 3 + 5 + 2              # the three refused in run 1, then each once
    mail = {m["X-Renfang-Alert"]: m for m in opened}
    assert mail["blocked:rs412"]["Subject"] == "[renfang] blocked rs412"
    assert mail["blocked:rs412"]["To"] == "ops@example.org"
    assert "anti-bot challenge (ruishu; not passed in the browser: " in mail["blocked:rs412"].get_content()
    bodies = {(b["key"], b["state"]): b for b in hook.accepted}
    body = bodies["late:trsx:2023", "open"]     # sent by the retry, in run 2
    assert body == {"key": "late:trsx:2023", "kind": "late", "agency_id": "trsx", "report_id": "trsx-2023",
                    "message": "no 2023 report archived; due 2024-01-31, 31 days late", "state": "open",
                    "opened_at": "2024-03-01T12:00:00+00:00", "last_seen": "2024-03-02T12:00:00+00:00",
                    "resolved_at": None, "url": "https://renfang.example.org/archive/alerts/late%3Atrsx%3A2023"}
    # run 3: the report arrived; the same occurrence, resolved
    assert bodies["late:trsx:2023", "resolved"] == {**body, "state": "resolved", "resolved_at": "2024-03-03T12:00:00+00:00"}
    assert "the document at " + portal.url("trsx") + "zwgk/xxgknb/202301/P020230115301001.pdf changed" \
        in mail[edited].get_content()

    fixed = {m["X-Renfang-Alert"]: m for m in box.messages if m["X-Renfang-State"] == "resolved"}["broken:plainx"]
    assert fixed["Subject"] == "[renfang] resolved: broken plainx"
    assert fixed["In-Reply-To"] == mail["broken:plainx"]["Message-ID"]     # threaded under the alert
    assert "resolved 2024-03-04T12:00:00+00:00" in fixed.get_content()

    states = dict(q(data, "select key, state from alerts"))
    assert states == {"late:trsx:2023": "resolved", "late:rs412:2023": "open", "blocked:rs412": "open",
                      "broken:plainx": "resolved", edited: "open"}
    failed = q(data, """select alert_key, attempts, error from alert_deliveries
                        where channel = 'webhook' and attempts > 1 order by alert_key""")
    assert failed == [("blocked:rs412", 2, None), ("late:rs412:2023", 2, None), ("late:trsx:2023", 2, None)]
    assert q(data, "select count(*) from alert_deliveries where delivered_at is null") == [(0,)]
    assert q(data, "select channel, count(*) from alert_deliveries group by 1 order by 1") == [
        ("print", 5), ("smtp", 5), ("webhook", 5)]
    assert q(data, "select channel, count(*) from alert_resolutions where delivered_at is not null "
                   "group by 1 order by 1") == [("print", 2), ("smtp", 2), ("webhook", 2)]


@pytest.mark.slow
def test_renfang_alerts_shows_and_retries_a_failed_delivery(tmp_path, channels):
    box, smtp, hook = channels
    portal = sites.start()
    config = tmp_path / "alerts.toml"
    # a port where nothing listens: the SMTP delivery fails with the reason
    down = free_port()
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {down}\nfrom = "r@example.org"\nto = "ops@example.org"\n'
                      '[alerts]\nkinds = ["blocked"]\n', encoding="utf-8")
    data = tmp_path / "data"
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["rs412"])
        crawl = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY,
                        "--now", "2024-03-01", "--config", config, expect=3)
    finally:
        portal.stop()
    assert printed(crawl) == ["alert blocked rs412", "alert late rs412"]
    assert "alerts delivered: smtp 0 sent, 1 failed (1 failed, retried next run: smtp: ConnectionRefusedError" \
        in crawl.stderr
    shown = renfang("alerts", "--data-dir", data, "--config", config, expect=3)
    assert "blocked rs412 (open since 2024-03-01T12:00:00+00:00): anti-bot challenge (ruishu; not passed in the browser: " in shown.stdout
    assert "    smtp: failed (2 attempts): ConnectionRefusedError" in shown.stdout
    assert "late rs412" in shown.stdout and shown.stdout.count("smtp:") == 1     # only blocked alerts mailed
    config.write_text(config.read_text().replace(str(down), str(smtp.port)))
    sent = renfang("alerts", "--data-dir", data, "--config", config)
    assert "alerts delivered: smtp 1 sent" in sent.stderr and "    smtp: sent 20" in sent.stdout
    assert [m["X-Renfang-Alert"] for m in box.messages] == ["blocked:rs412"]
    again = renfang("alerts", "--data-dir", data, "--config", config)
    assert "alerts delivered" not in again.stderr and len(box.messages) == 1
    assert renfang("alerts", "--data-dir", data, "--config", tmp_path / "missing.toml", expect=1).stderr.endswith(
        "missing.toml: No such file or directory\n")


@pytest.mark.parametrize("text, error", [
    ('[smtp]\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\nprot = 25\n', "unknown key(s) in [smtp]: prot"),
    ('[smtp]\nhost = "h"\nto = ["c@d"]\n', "[smtp] from is required"),
    ('[smtp]\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\nport = "25"\n', "[smtp] port must be int, not '25'"),
    ('[webhook]\nurl = "ftp://x"\n', "[webhook] url must be http:// or https://, not 'ftp://x'"),
    ('[alerts]\nkinds = ["late", "slow"]\n', "[alerts] kinds: unknown ['slow']"),
    ('[mail]\nhost = "h"\n', "unknown section [mail]"),
    ('[smtp\n', "not TOML"),
])
def test_a_settings_file_with_a_mistake_is_refused_naming_the_key(text, error):
    from archive.notify import ConfigError, parse_config
    with pytest.raises(ConfigError) as e:
        parse_config(text, "renfang.toml")
    assert str(e.value).startswith("renfang.toml: ") and error in str(e.value)


def test_a_settings_file_gives_the_channels_and_their_defaults():
    from archive.notify import parse_config
    config = parse_config('[smtp]\nhost = "mail"\nfrom = "a@b.org"\nto = "c@d.org"\nssl = true\n'
                          '[webhook]\nurl = "https://h/x"\nheaders = { Authorization = "Bearer t" }\n')
    assert (config.smtp.port, config.smtp.to, config.smtp.starttls, config.smtp.timeout) == (465, ("c@d.org",), False, 30)
    assert config.webhook.headers == (("Authorization", "Bearer t"),) and config.channels == ("smtp", "webhook")
    assert parse_config("").channels == ()
