"""Every ``RENFANG_*`` setting, in one place.

A setting's value comes, first found wins, from ``-s NAME=VALUE`` on the command line
(``renfang crawl``, ``run``, ``load``, ``demo``), from the environment variable of the same name,
or from its default here. The command line puts ``-s`` values into this process's environment
(:func:`apply_overrides`), so the two ways are one: ``renfang load -s RENFANG_JOBS=2`` and
``RENFANG_JOBS=2 renfang load`` do the same thing, in parse workers and Scrapy alike.

Scrapy's own settings (``DOWNLOAD_DELAY``, ``CONCURRENT_REQUESTS``…) are in
``crawler/settings.py``, which takes its ``RENFANG_*`` defaults from here; ``-s`` overrides those
too, for a crawl. The README's settings table is :func:`markdown_table` (a test compares them).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping


# The largest document a crawl downloads (Scrapy's DOWNLOAD_MAXSIZE in crawler/settings.py) and
# `renfang parse` reads: a report is a few MB at most; anything far larger is not one. Here rather
# than in crawler/settings.py because parsing a file must not import Scrapy to learn it.
DOWNLOAD_CAP_BYTES = 100 * 1024 * 1024


class SettingError(ValueError):
    """An unknown ``RENFANG_*`` name or a value that does not read as its type."""


def _bool(text: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
             "off": False}
    if text.strip().lower() not in words:
        raise ValueError(f"{text!r} is not a yes/no value (1/0, true/false)")
    return words[text.strip().lower()]


def _list(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [v.strip() for v in text.split(",") if v.strip()]


def _optional_int(text: str) -> int | None:
    return int(text) if text.strip() else None


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    read: Callable[[str], Any]      # text (environment, -s) -> value
    stage: str                      # the command that reads it: crawl, load, parse, all, test

    def parse(self, text: str) -> Any:
        try:
            return self.read(text)
        except (ValueError, TypeError) as e:
            raise SettingError(f"{self.name}={text!r}: {e}") from None


SETTINGS: tuple[Setting, ...] = (
    # the crawl (read by the Scrapy components through crawler/settings.py)
    Setting("RENFANG_DATA_DIR", "data", "where the archive lives (`--data-dir` sets it)", str, "crawl"),
    Setting("RENFANG_ALLOWED_SUFFIXES", [".gov.cn"],
            "host suffixes beyond the registry's own hosts that may be requested (comma-separated)",
            _list, "crawl"),
    Setting("RENFANG_MAX_LIST_PAGES", 300, "list pages per site and run before the site is `list_capped`",
            int, "crawl"),
    Setting("RENFANG_CONDITIONAL", True,
            "recrawls send If-None-Match / If-Modified-Since for what is stored", _bool, "crawl"),
    Setting("RENFANG_EARLY_STOP", True,
            "stop paging a list once a page is unchanged and every report on it is known", _bool, "crawl"),
    Setting("RENFANG_REVISIT_DAYS", 0.0,
            "each run asks again (conditionally) for every archived document its lists did not lead to, when "
            "last asked this many days ago or more; 0: every run (`--revisit-days` sets it)", float, "crawl"),
    Setting("RENFANG_WARC", True, "write every exchange to DATA_DIR/warc/*.warc.gz", _bool, "crawl"),
    Setting("RENFANG_FSYNC", "batch",
            "fsync of stored objects: `batch` (once a second and at the end) or `every`", str, "crawl"),
    Setting("RENFANG_PROGRESS_INTERVAL", 30.0,
            "seconds between progress lines per site in the crawl log (0: none)", float, "crawl"),
    Setting("RENFANG_EXPLAIN", "", "site ids whose pages are explained (`--explain ID` sets it)", str, "crawl"),
    Setting("RENFANG_RUN_ID", None, "the crawl_runs row a crawl writes under (set by `renfang crawl`)",
            _optional_int, "crawl"),
    # the browser, the last extractor (crawler/browser.py): only for pages the static pass says are built by script
    Setting("RENFANG_BROWSER", True, "send pages built by script (and script challenges) through headless Chromium "
            "(`--no-browser` turns it off; without Chromium it is off and the crawl says why)", _bool, "crawl"),
    Setting("RENFANG_CHROMIUM", "/usr/bin/chromium", "the Chromium executable the browser runs (Debian `chromium`; "
            "never a downloaded one)", str, "crawl"),
    Setting("RENFANG_BROWSER_PAGES", 12, "browser pages per site and run (each runs its behaviours: every "
            "`<select>` option, pagers, tabs, 加载更多)", int, "crawl"),
    Setting("RENFANG_BROWSER_SECONDS", 90.0, "seconds of browser time per site and run, shared by its browser pages",
            float, "crawl"),
    Setting("RENFANG_BROWSER_AT_ONCE", 2, "browser pages open at once in the whole crawl, a page waiting for a "
            "slot before it loads (each open page is a Chromium renderer process, ~150 MB: 2 keeps a crawl with "
            "Chromium under 1.5 GB, benchmarks/crawl_results.md)", int, "crawl"),
    # a crawl across machines (crawler/distributed.py; `renfang crawl --redis URL --workers N`)
    Setting("RENFANG_REDIS_WORKERS", 1, "workers a round of a shared frontier waits for before it starts "
            "(`--workers` sets it)", int, "crawl"),
    Setting("RENFANG_REDIS_WAIT", 600.0, "seconds a worker waits for the others to join, then starts anyway",
            float, "crawl"),
    Setting("RENFANG_MARK_GONE", True, "mark documents gone that the site no longer links (off for a worker "
            "of a shared frontier: another worker may have fetched them; renfang merge marks them once "
            "every share of the round is in)", _bool, "crawl"),
    # the schedule (crawler/schedule.py)
    Setting("RENFANG_DUE_SEASON", "01-15..03-31", "the reporting season, month-day..month-day", str, "crawl"),
    Setting("RENFANG_DUE_IN_SEASON_HOURS", 24.0, "hours between crawls of a site in the season", float, "crawl"),
    Setting("RENFANG_DUE_OFF_SEASON_HOURS", 168.0, "hours between crawls of a site outside it", float, "crawl"),
    Setting("RENFANG_DUE_AFTER_FAILURE_HOURS", 6.0, "hours before a site whose run went wrong is due again",
            float, "crawl"),
    Setting("RENFANG_DUE_BLOCKED_HOURS", 48.0, "hours a blocked site is left alone, doubled per blocked run",
            float, "crawl"),
    Setting("RENFANG_DUE_BLOCKED_MAX_HOURS", 720.0, "at most this long", float, "crawl"),
    # parsing and loading
    Setting("RENFANG_JOBS", 0, "parser worker processes; 0: one per core, at most 8 (`--jobs` beats it)",
            int, "load"),
    Setting("RENFANG_PARSE_SECONDS", 300.0, "time limit of one document's parse, in seconds", float, "load, parse"),
    Setting("RENFANG_PARSE_MEMORY_MB", 3072, "memory limit of one parse worker, in MB", int, "load, parse"),
    # every command
    Setting("RENFANG_NOW", None, "fix the clock (an ISO date or time) for tests and replays (`--now`)",
            lambda t: t or None, "all"),
    # alerts (archive/notify.py; README "Alerts")
    Setting("RENFANG_CONFIG", None, "the alert delivery settings file, TOML (`--config`; default DATA_DIR/renfang.toml "
            "when it exists)", lambda t: t or None, "crawl, run, merge, alerts"),
    Setting("RENFANG_SMTP_PASSWORD", None, "the SMTP password when `[smtp] username` is set (`password_env` names "
            "another variable)", lambda t: t or None, "crawl, run, merge, alerts"),
    # the test suite
    Setting("RENFANG_KILL_STRIDE", 3, "tests: kill the load before every N-th SQL statement", int, "test"),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    """Every setting's default (for Scrapy's settings module)."""
    return {s.name: s.default for s in SETTINGS}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of one setting now: its environment variable (``-s`` puts it there), else its default."""
    setting = BY_NAME.get(name)
    if setting is None:
        raise SettingError(f"unknown setting {name}")
    text = (os.environ if environ is None else environ).get(name)
    return setting.default if _unset(setting, text) else setting.parse(text)


def _unset(setting: Setting, text: str | None) -> bool:
    # an exported but empty number (RENFANG_JOBS=) means "not set"; an empty list or text is a value
    return text is None or (text.strip() == "" and setting.read in (int, float, _bool))


def split_overrides(overrides: tuple[str, ...] | list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """``-s KEY=VALUE`` options -> (RENFANG_* settings, other (Scrapy) settings); SettingError for
    a malformed option, an unknown RENFANG_* name or a value that does not read as its type."""
    ours, others = {}, {}
    for option in overrides:
        key, sep, value = option.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SettingError(f"-s {option!r}: expected KEY=VALUE")
        if key.startswith("RENFANG_"):
            if key not in BY_NAME:
                raise SettingError(f"-s {key}: unknown setting (see the README's settings table)")
            BY_NAME[key].parse(value)
            ours[key] = value
        else:
            others[key] = value
    return ours, others


def apply_overrides(ours: Mapping[str, str]) -> None:
    """Make ``-s`` settings this process's (and its workers') environment: one way to set a value."""
    os.environ.update(ours)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings whose environment variable is set, read as their type (for Scrapy's settings
    at command-line priority); SettingError for a bad value."""
    environ = os.environ if environ is None else environ
    return {s.name: s.parse(environ[s.name]) for s in SETTINGS if not _unset(s, environ.get(s.name))}


def markdown_table() -> str:
    """The README's table of settings."""
    def shown(value):
        return "" if value is None else ", ".join(value) if isinstance(value, list) else str(value)
    lines = ["| setting | read by | default | what it does |", "|---|---|---|---|"]
    lines += [f"| `{s.name}` | {s.stage} | `{shown(s.default)}` | {s.help} |" if shown(s.default) else
              f"| `{s.name}` | {s.stage} | | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"
