"""The scheduler's side of a crawl: systemd units or a crontab line for one data dir, made from
the templates in ``deploy/`` (``renfang schedule``)."""
from __future__ import annotations

import shlex
from pathlib import Path

from archive.datadir import DataDir

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = ("renfang-crawl.service", "renfang-crawl.timer")


CRONTAB = "renfang.crontab"


def _cron_word(path: str) -> str:
    """A path as one word of a crontab command: quoted for the shell, and ``%`` escaped (cron
    turns a bare ``%`` into a newline)."""
    return shlex.quote(path).replace("%", "\\%")


def render(name: str, registry: Path, data_dir: Path, checkout: Path | None = None) -> str:
    """A ``deploy/`` template with absolute paths filled in."""
    text = (DEPLOY / name).read_text(encoding="utf-8")
    values = {"@CHECKOUT@": str((checkout or DEPLOY.parent).resolve()), "@REGISTRY@": str(Path(registry).resolve()),
              "@DATA_DIR@": str(Path(data_dir).resolve())}
    for key, value in values.items():
        text = text.replace(key, _cron_word(value) if name == CRONTAB else value)
    return text


def install(unit_dir: Path, registry: Path, data_dir: Path) -> list[Path]:
    """Write the service and the timer to ``unit_dir`` (then: systemctl daemon-reload;
    systemctl enable --now renfang-crawl.timer)."""
    unit_dir.mkdir(parents=True, exist_ok=True)
    DataDir(data_dir).logs.mkdir(parents=True, exist_ok=True)
    written = []
    for name in UNITS:
        path = unit_dir / name
        path.write_text(render(name, registry, data_dir), encoding="utf-8")
        written.append(path)
    return written
