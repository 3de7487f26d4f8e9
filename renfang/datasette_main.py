"""``python -m renfang.datasette_main serve …``: Datasette's own command line, run by
``renfang serve``, with one change: exceptions are not logged as rich tracebacks.

When rich is installed (renfang's progress bars need it) Datasette prints every exception,
a user's refused query (a 400) too, through rich's console with ``show_locals=True``: 70 KB of
log for one over-long SQL. A public archive's log would fill with them, and a server whose
output is a pipe blocks once the pipe is full. rich's console is pointed at /dev/null here;
Datasette's own log lines (uvicorn's, ``ERROR: … sql = …``) are unchanged.
"""
import os

import rich
from datasette.cli import cli

rich.reconfigure(file=open(os.devnull, "w"))

if __name__ == "__main__":
    cli()
