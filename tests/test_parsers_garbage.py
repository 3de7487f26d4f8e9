"""A PDF whose fonts lost their ToUnicode maps: pdfplumber prints (cid:…) codes, pdfium control
characters. The parser must measure that, fall back to OCR, and never store the garbage."""
from __future__ import annotations

import io
import re

import pdfplumber
import pypdfium2 as pdfium
import pytest

from parsers import parse_document
from parsers.pdf import GARBAGE_SHARE, garbage_share
from tests.helpers import REPO, expected_cells, expected_report

pytestmark = [pytest.mark.ocr, pytest.mark.slow]  # test tiers: README "Development"

DOCUMENTS = REPO / "sample_portal" / "documents"
SEED004 = expected_report("seed004")


@pytest.fixture(scope="module")
def unmapped_pdf() -> bytes:
    # The rendered seed 004 with every /ToUnicode key renamed: the glyphs stay, their meaning goes,
    # exactly what real PDFs from some Chinese office suites look like to a text extractor.
    data = (DOCUMENTS / "seed004.pdf").read_bytes()
    assert data.count(b"/ToUnicode") >= 1
    return data.replace(b"/ToUnicode", b"/ToUnicodX")


def test_the_text_layers_really_are_garbage(unmapped_pdf):
    with pdfplumber.open(io.BytesIO(unmapped_pdf)) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()
    doc = pdfium.PdfDocument(unmapped_pdf)
    try:
        assert garbage_share(doc[0].get_textpage().get_text_range()) > GARBAGE_SHARE
    finally:
        doc.close()


@pytest.fixture(scope="module")
def report(unmapped_pdf):
    return parse_document(unmapped_pdf)


def test_garbage_pages_are_read_by_ocr_and_marked(report):
    assert report.method in ("ocr", "mixed")
    assert report.ocr_pages == [1, 2, 3, 4]  # page 3 is mostly digits: its garbage still counts
    assert "(cid:" not in report.text
    assert not re.search(r"[\x00-\x08\x0b\x0e-\x1f]", report.text)  # \x0c: a page break
    assert (report.year, report.agency) == (2020, "江西省人民防空办公室")


def test_figures_recovered_from_the_garbage_pdf(report):
    expected = expected_cells(SEED004)
    got = {(f.table, f.row, f.column): f.value for f in report.facts}
    exact = sum(got.get(key) == value for key, value in expected.items())
    # measured 179/198 (90.4 %) on 2026-11-23, every page OCR'd; OCR of tables is never perfect,
    # garbage must never pass
    assert exact / len(expected) >= 0.85, f"{exact}/{len(expected)} cells exact"
