"""One vocabulary: every status, stage, kind and outcome word is written once, in
parsers/vocab.py or archive/vocab.py, and used by name everywhere else
(scripts/vocab_literals.py finds the places that spell one out)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from archive.vocab import CALENDAR_STATES, COVERAGE_STATES, SITE_STATUSES, Coverage, SiteStatus
from parsers.vocab import CheckStatus, check_status, sql_list
from tests.helpers import REPO

sys.path.insert(0, str(REPO / "scripts"))
import vocab_literals  # noqa: E402


def test_no_vocabulary_word_is_spelled_out_outside_the_vocabulary_modules():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "vocab_literals.py")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout


def test_the_search_finds_a_word_spelled_out(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent('''
        def f(db, s):
            if s.status == "ok":
                return "partial"
            db.execute("select 1 from checks where status = 'fail'")
            db.execute("update crawl_ledger set stage = ?", ["gone"])
            return {"errors": 1}          # a column name, not a status
        '''), encoding="utf-8")
    found = vocab_literals.literals(sample, vocab_literals.words())
    assert [what for _, what in found] == ["compared 'ok'", "returned 'partial'", "in SQL 'fail'"]


def test_the_search_finds_a_word_a_template_compares(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(textwrap.dedent('''
        {% if r.parse_status == "parsed" %}<p class="parsed">parsed</p>{% endif %}
        {% for c in checks if "fail" != c.status %}{{ c.code }}{% endfor %}
        {% if s.status in ("ok", 'partial') %}{{ s.status }}{% endif %}
        {% if t.code == "applications" %}a table code, not a status{% endif %}
        {% if r.parse_status == ParseStatus.PARSED %}by name{% endif %}
        '''), encoding="utf-8")
    found = vocab_literals.template_literals(page, vocab_literals.words())
    assert found == [(2, "compared 'parsed'"), (3, "compared 'fail'"), (4, "compared 'ok'"), (4, "compared 'partial'")]


def test_every_status_is_described_and_coloured():
    assert set(SITE_STATUSES) == set(SiteStatus)
    # the coverage view's states, and the office calendar's one more (before the first report)
    assert set(COVERAGE_STATES) == set(Coverage) - {Coverage.NOT_EXPECTED}
    assert set(CALENDAR_STATES) == set(Coverage) and len({c for _, c in CALENDAR_STATES.values()}) == len(Coverage)
    assert check_status(3, 3.0000000001) == CheckStatus.PASS and check_status(3, 4) == CheckStatus.FAIL
    assert sql_list([SiteStatus.OK, SiteStatus.PARTIAL]) == "('ok', 'partial')"


def test_the_data_dir_layout_is_spelled_once():
    """archive.db, objects/, warc/ and logs/ are reached through archive.datadir.DataDir."""
    import re

    spelled = re.compile(r"""["'](archive\.db|objects|warc|logs)["']""")
    found = [f"{path.relative_to(REPO)}:{i}" for package in ("crawler", "archive", "parsers", "renfang")
             for path in sorted((REPO / package).rglob("*.py")) if path.name != "datadir.py"
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if spelled.search(line) and "/ " in line]
    assert found == []
