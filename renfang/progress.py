"""What the command line shows while it works: a progress bar for the crawl and for the load
(on stderr, with rich), and the one-line summary a scheduled run leaves in ``DATA_DIR/logs/runs.log``.

The bars are drawn only on a terminal: under cron, systemd or a pipe, stderr carries nothing
but errors and alerts (the crawl's own log is in ``DATA_DIR/logs/``).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

from archive.datadir import DataDir


def _progress() -> Progress:
    console = Console(stderr=True)
    return Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                    console=console, transient=False, disable=not console.is_terminal)


@contextmanager
def crawl_bar(sites: int):
    """A bar for a crawl (its length is unknown: it pulses); yields ``update(pages, reports,
    documents)`` for ``crawler.run.crawl(on_progress=…)``."""
    with _progress() as progress:
        task = progress.add_task(f"crawl {sites} site(s)", total=None, counts="")

        def update(pages: int, reports: int, documents: int) -> None:
            progress.update(task, counts=f"{pages} pages, {reports} reports, {documents} documents")
        yield update
        progress.update(task, total=1, completed=1)


@contextmanager
def load_bar():
    """A bar for a load: documents parsed of those to parse; yields ``update(done, total)``."""
    with _progress() as progress:
        task = progress.add_task("load: parse", total=None, counts="")

        def update(done: int, total: int) -> None:
            progress.update(task, total=max(total, 1), completed=done if total else 1,
                            counts=f"{done}/{total} documents")
        yield update


def record_summary(data_dir: str | Path, line: str) -> Path:
    """Append ``line`` to ``DATA_DIR/logs/runs.log``, stamped with the time (UTC): a scheduled
    run's history at a glance, one line per command."""
    path = DataDir(data_dir).logs / "runs.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{stamp} {line}\n")
    return path
