"""Find status, stage, kind and outcome words written as string literals outside the vocabulary
modules (parsers/vocab.py, archive/vocab.py): ``python scripts/vocab_literals.py`` prints one
line per place and exits 1 when there is one (tests/test_vocab.py runs it).

A word counts where it is used as a value of the vocabulary: compared (``status == "ok"``,
``kind in ("list", …)``), passed or defaulted as ``status=``/``stage=``/``kind=``/``outcome=``/
``state=``, returned, made a module constant of words, or quoted inside SQL text (``status = 'fail'``), and in the Datasette templates, compared in a Jinja expression
(``{% if r.parse_status == "parsed" %}``). Column names, dictionary
keys, messages and comments are not values and are not counted; nor is a line that says
``# not vocabulary`` (``-- not vocabulary`` in SQL: the same word meaning something else: SQLite's ``'ok'``, an HTML tag).
"""
from __future__ import annotations

import ast
import re
import sys
from enum import StrEnum
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive import vocab as archive_vocab  # noqa: E402
from parsers import vocab as parsers_vocab  # noqa: E402

PACKAGES = ("crawler", "archive", "parsers", "renfang")
VOCABULARY_MODULES = {REPO / "archive" / "vocab.py", REPO / "parsers" / "vocab.py"}
FIELDS = {"status", "stage", "kind", "outcome", "state", "parse_status", "method"}


def words() -> set[str]:
    found = set()
    for module in (archive_vocab, parsers_vocab):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                found |= {member.value for member in value}
    return found


def _strings(node) -> list[ast.Constant]:
    """String constants of a node that stand for a whole value (a tuple's items too)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in _strings(e)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def literals(path: Path, vocabulary: set[str]) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    exempt = {i for i, line in enumerate(source.splitlines(), 1)
              if "# not vocabulary" in line or "-- not vocabulary" in line}
    hits: list[tuple[int, str]] = []

    def take(nodes, how):
        hits.extend((n.lineno, f"{how} {n.value!r}") for n in nodes if n.value in vocabulary)

    sql_word = re.compile(r"'(\w+)'")
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                take(_strings(side), "compared")
        elif isinstance(node, ast.keyword) and node.arg in FIELDS:
            take(_strings(node.value), f"{node.arg}=")
        elif isinstance(node, ast.Return) and node.value is not None:
            value = node.value.elts[0] if isinstance(node.value, ast.Tuple) and node.value.elts else node.value
            take(_strings(value), "returned")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg, default in zip(node.args.args[-len(node.args.defaults):] if node.args.defaults else [],
                                    node.args.defaults):
                if arg.arg in FIELDS:
                    take(_strings(default), f"default {arg.arg}=")
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            strings = _strings(node.value)
            # a set of words (RETRY_SOON = ("failed", "errors")), not a list of column names
            # in which one name happens to be a word too ("pages", "errors", "entries_taken")
            if strings and all(n.value in vocabulary for n in strings):
                take(strings, "constant")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(
                r"\b(select|update|insert|where|case when)\b", node.value, re.I):
            for m in sql_word.finditer(node.value):
                text_line = node.value[node.value.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
                if m[1] in vocabulary and "-- not vocabulary" not in text_line:
                    line = node.lineno + node.value[:m.start()].count("\n")   # of the string's start
                    hits.append((line, f"in SQL '{m[1]}'"))
    return sorted({(line, what) for line, what in hits if line not in exempt})


#: a word compared in a Jinja expression: ``x == "ok"``, ``"ok" != x``, ``x in ("ok", …)``
TEMPLATE_COMPARED = re.compile(r"""(?:==|!=)\s*["'](\w+)["']|["'](\w+)["']\s*(?:==|!=)|\bin\s*[(\[]([^)\]]*)[)\]]""")


def template_literals(path: Path, vocabulary: set[str]) -> list[tuple[int, str]]:
    """The words a Datasette template compares (archive/datasette/templates: the plugin gives
    templates the vocabulary's enums, ``ParseStatus.PARSED``, by extra_template_vars)."""
    hits = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "not vocabulary" in line:
            continue
        for block in re.findall(r"\{[{%](.*?)[%}]\}", line):
            for m in TEMPLATE_COMPARED.finditer(block):
                quoted = [m[1] or m[2]] if not m[3] else re.findall(r"""["'](\w+)["']""", m[3])
                hits += [(i, f"compared {w!r}") for w in quoted if w in vocabulary]
    return hits


def scan(root: Path = REPO) -> list[str]:
    vocabulary = words()
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if path in VOCABULARY_MODULES:
                continue
            out += [f"{path.relative_to(root)}:{line}: {what}" for line, what in literals(path, vocabulary)]
        for path in sorted((root / package).rglob("*.html")):
            out += [f"{path.relative_to(root)}:{line}: {what}" for line, what in template_literals(path, vocabulary)]
    return out


if __name__ == "__main__":
    found = scan()
    print("\n".join(found) if found else "no vocabulary word written as a literal outside the vocabulary modules")
    sys.exit(1 if found else 0)
