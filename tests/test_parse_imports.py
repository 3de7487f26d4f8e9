"""`renfang parse` imports only what parsing needs (issue 21, point 3; benchmarks/parse_results.md):
not the archive's schema, sqlite-utils, Scrapy or Datasette, and for a PDF no DOCX, HTML or OCR
module."""
from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

NOT_FOR_PARSING = ("archive.schema", "sqlite_utils", "scrapy", "datasette", "parsers.docx", "parsers.html",
                   "parsers.ocr", "docx", "lxml.html")


def test_renfang_parse_of_a_pdf_imports_only_what_it_needs():
    code = ("import sys, runpy\n"
            "sys.argv = ['renfang', 'parse', 'sample_portal/documents/seed000.pdf', '--json']\n"
            "try:\n"
            "    runpy.run_module('renfang.cli', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print('IMPORTED', [m for m in {NOT_FOR_PARSING!r} if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert '"agency": "攀枝花市人民防空办公室"' in out
    assert out.strip().splitlines()[-1] == "IMPORTED []"
