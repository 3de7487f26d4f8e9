"""The archive: its schema, store, loader and views.

sqlite-utils imports numpy (and pandas) when they are installed, only to map their scalar types
to column types; every column of the archive is declared with Python's types (archive/schema.py),
so when it is imported (by whichever module first does) it is without them: ~0.06 s of CPU less
at the start of every command that opens the archive (numpy is installed for the OCR, which
imports it itself when it runs). Nothing is imported here.
"""
import sys as _sys


class _SqliteUtilsWithoutNumpy:
    """A one-shot finder on ``sys.meta_path``: the first ``import sqlite_utils`` runs with numpy
    and pandas unimportable (when not imported already), then they are importable again."""

    def find_spec(self, name, path=None, target=None):
        if name != "sqlite_utils":
            return None
        if self in _sys.meta_path:
            _sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            blocked = [m for m in ("numpy", "pandas") if m not in _sys.modules]
            for m in blocked:
                _sys.modules[m] = None      # import numpy raises ImportError: sqlite-utils goes without
            try:
                run(module)
            finally:
                for m in blocked:
                    if _sys.modules.get(m, 0) is None:
                        del _sys.modules[m]
        spec.loader.exec_module = exec_module
        return spec


if "sqlite_utils" not in _sys.modules:
    _sys.meta_path.insert(0, _SqliteUtilsWithoutNumpy())
