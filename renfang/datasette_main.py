"""``python -m renfang.datasette_main serve …``: Datasette's own command line, run by
``renfang serve``, with two changes.

- Exceptions are not logged as rich tracebacks. When rich is installed (renfang's progress bars
  need it) Datasette's exception handler prints every exception, a user's refused query (a 400)
  too, through rich's console with ``show_locals=True``: 70 KB of log for one over-long SQL; and
  for a URL no route matches (``/-/documents/../../etc/passwd``, ``/-/office/a/b``) it calls rich
  outside an ``except`` block, where rich raises, so the 404 became a 500. The handler is told
  rich is absent: a 404 is a 404, a real 500 prints a plain traceback, a 400 prints nothing;
  rich's console (Datasette's CLI installs it for uncaught exceptions) writes to /dev/null.
- Memory that a large answer used goes back to the system when it is freed: glibc keeps freed
  blocks up to its dynamic mmap threshold (it rises to 32 MB after a large free) in its arenas,
  so after a few large answers Datasette stayed 1.7 GB large. The threshold is fixed at 128 KiB
  (``mallopt(M_MMAP_THRESHOLD)``): larger blocks are mapped and unmapped.
"""
import ctypes
import os

import rich
from datasette.cli import cli  # first: imported before it, handle_exception registers no hook

import datasette.handle_exception  # noqa: E402

M_MMAP_THRESHOLD = -3  # glibc's malloc.h

datasette.handle_exception.rich = None
rich.reconfigure(file=open(os.devnull, "w"))


def fix_mmap_threshold(size: int = 128 * 1024) -> bool:
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # not glibc
        return False


if __name__ == "__main__":
    fix_mmap_threshold()
    cli()
