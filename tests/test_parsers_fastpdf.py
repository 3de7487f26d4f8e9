"""The fast PDF path (parsers/pdfium_page.py) reads exactly what pdfplumber itself reads.

Every PDF at hand is parsed twice: as the parser runs (pdfium's objects fed to pdfplumber's table
finder wherever that is safe) and with the fast path switched off (pdfplumber's own
``find_tables`` on every ruled page, as before). The grids - cell texts, row pages, cell bboxes
within 0.5 pt - and the page texts must be equal, and so must the whole ``parse_document`` JSON.
The PDFs: the real 洪泽 report (read from ../shared, never copied), the sample portal's PDFs, the
seed and 洪泽 renditions (DOCX/DOC/HTML) printed to PDF by LibreOffice and the seeds' HTML by
Chromium (two more producers), the seeds' scans, and a sample of the benchmark corpus. Then the cases that must fall back to pdfplumber.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from parsers import ParseError, parse_document
from parsers import pdf as pdfmod
from parsers import pdfium_page as pp
from parsers.convert import libreoffice_convert
from tests.fixtures.renditions import make_renditions as mk

REPO = Path(__file__).resolve().parents[1]
REAL_PDF = REPO.parent / "shared" / "real" / "huaian_hongzequ_gov_2023.pdf"
DOCS = REPO / "sample_portal" / "documents"
RENDITIONS = REPO / "tests" / "fixtures" / "renditions"
CACHE = Path(tempfile.gettempdir()) / "renfang-fastpdf-cache"


def _cached(name: str, make) -> bytes:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / name
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(make())
        tmp.replace(path)
    return path.read_bytes()


def _lo_pdf(source: Path) -> bytes:
    data = source.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:16]
    return _cached(f"{source.stem}.{source.suffix[1:]}.{key}.pdf",
                   lambda: libreoffice_convert(data, source.suffix[1:], "pdf"))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> list[Path]:
    from benchmarks.parse_throughput import make_corpus

    return make_corpus(6, tmp_path_factory.mktemp("fastpdf-corpus"), seed=11)


def _run(data: bytes, monkeypatch, fast: bool, call):
    """``call(data)`` with the fast path on or off; the page numbers that took it."""
    taken: list[int] = []
    real = pdfmod._fast_grids

    def spy(fp, page, number, text):
        grids = real(fp, page, number, text) if fast else None
        if grids is not None:
            taken.append(number)
        return grids

    with monkeypatch.context() as m:
        m.setattr(pdfmod, "_fast_grids", spy)
        try:
            return call(data), taken
        except ParseError as e:
            return ("ParseError", e.status, str(e)), taken


def assert_same_grids(fast, slow) -> None:
    assert len(fast.grids) == len(slow.grids)
    for gf, gs in zip(fast.grids, slow.grids):
        assert len(gf.rows) == len(gs.rows)
        for rf, rs in zip(gf.rows, gs.rows):
            assert rf.cells == rs.cells
            assert rf.page == rs.page
            assert len(rf.bboxes) == len(rs.bboxes)
            for bf, bs in zip(rf.bboxes, rs.bboxes):
                assert (bf is None) == (bs is None)
                if bf is not None:
                    assert max(abs(a - b) for a, b in zip(bf, bs)) <= 0.5, (bf, bs)


def check_both_ways(data: bytes, monkeypatch) -> list[int]:
    """Fast and pdfplumber paths agree on one PDF; returns the pages the fast path read."""
    fast, taken = _run(data, monkeypatch, True, lambda d: pdfmod.extract_pdf(d, allow_ocr=False))
    slow, _ = _run(data, monkeypatch, False, lambda d: pdfmod.extract_pdf(d, allow_ocr=False))
    if isinstance(slow, tuple):  # both fail the same way
        assert fast == slow
        return taken
    assert_same_grids(fast, slow)
    assert fast.page_texts == slow.page_texts
    assert (fast.pages, fast.title_hint, fast.method) == (slow.pages, slow.title_hint, slow.method)
    report_fast, _ = _run(data, monkeypatch, True, parse_document)
    report_slow, _ = _run(data, monkeypatch, False, parse_document)
    as_json = (lambda r: r if isinstance(r, tuple) else r.to_json())
    assert as_json(report_fast) == as_json(report_slow)
    return taken


def _ruled_pages(data: bytes) -> list[int]:
    doc = pdfium.PdfDocument(data)
    try:
        return [i + 1 for i in range(len(doc))
                if any(o.type == pdfium.raw.FPDF_PAGEOBJ_PATH for o in doc[i].get_objects())]
    finally:
        doc.close()


@pytest.mark.slow
def test_real_hongze_pdf(monkeypatch):
    taken = check_both_ways(REAL_PDF.read_bytes(), monkeypatch)
    assert taken == [1, 2, 3, 4, 5]  # page 3's vertical (Identity-V) label too


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.pdf")))
def test_sample_portal_pdfs(name, monkeypatch):
    data = (DOCS / name).read_bytes()
    taken = check_both_ways(data, monkeypatch)
    if name != "truncated.pdf":
        assert taken and set(taken) <= set(_ruled_pages(data))
    if name.startswith("seed"):
        assert taken == _ruled_pages(data)  # every ruled page of a reportlab report


@pytest.mark.slow
@pytest.mark.parametrize("name", ["seed000.docx", "seed000.doc", "seed000.html",
                                  "seed004.docx", "seed004.doc", "seed004.html"])
def test_seed_renditions_printed_by_libreoffice(name, monkeypatch):
    data = _lo_pdf(RENDITIONS / name)
    taken = check_both_ways(data, monkeypatch)
    assert taken  # LibreOffice's PDFs take the fast path on their table pages


@pytest.mark.slow
def test_hongze_rendition_printed_by_libreoffice(monkeypatch):
    docx = mk.make_for_hongze()["docx"]
    assert check_both_ways(_lo_pdf(docx), monkeypatch)


def _chromium_pdf(source: Path) -> bytes:
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian package chromium is not installed (scripts/system-packages.txt)"
    key = hashlib.sha256(source.read_bytes()).hexdigest()[:16]

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.pdf"
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-pdf-header-footer", f"--print-to-pdf={out}",
                            source.resolve().as_uri()], capture_output=True, timeout=120)
            return out.read_bytes()
    return _cached(f"{source.stem}.chromium.{key}.pdf", make)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("name", ["seed000.html", "seed004.html"])
def test_seed_html_printed_by_chromium(name, monkeypatch):
    """Chromium's PDFs (Skia: Type3 fonts on some pages, which go to pdfplumber)."""
    assert check_both_ways(_chromium_pdf(RENDITIONS / name), monkeypatch)


@pytest.mark.parametrize("name", ["seed000", "seed004"])
def test_scans_have_no_fast_path(name, monkeypatch):
    data = _cached(f"{name}.{mk.SCAN_DPI}.scan.pdf",
                   lambda: mk.scan_pdf(mk.SEED_PDFS[name].read_bytes()))
    assert check_both_ways(data, monkeypatch) == []


@pytest.mark.slow
def test_benchmark_corpus_sample(corpus, monkeypatch):
    for path in corpus:
        data = path.read_bytes()
        assert check_both_ways(data, monkeypatch) == _ruled_pages(data)


# -- the cases the fast path must leave to pdfplumber ---------------------------------------

def _ruled_pdf(draw_text) -> bytes:
    """A one-page PDF with a 3x2 ruled table; ``draw_text(canvas, x, y, text)`` writes a cell."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from sample_portal import render

    render._styles()  # registers the CJK font
    font = next(n for n in pdfmetrics.getRegisteredFontNames() if n not in ("Helvetica",)
                and isinstance(pdfmetrics.getFont(n), TTFont))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont(font, 10)
    c.drawString(72, 780, "政府信息公开工作年度报告 2023年")
    xs, ys = [72, 250, 400], [700, 680, 660, 640]
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    cells = [["项目", "数量"], ["本年新收政府信息公开申请数量", "12"], ["上年结转", "3"]]
    for r, row in enumerate(cells):
        for k, text in enumerate(row):
            draw_text(c, xs[k] + 4, ys[r] - 14, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _fast_page(data: bytes, number: int = 1) -> pp.FastPage:
    doc = pdfium.PdfDocument(data)
    page = doc[number - 1]
    textpage = page.get_textpage()
    try:
        return pp.read_page(page, textpage)
    finally:
        textpage.close()
        page.close()
        doc.close()


def test_plain_ruled_table_takes_the_fast_path(monkeypatch):
    data = _ruled_pdf(lambda c, x, y, t: c.drawString(x, y, t))
    assert check_both_ways(data, monkeypatch) == [1]
    ex = pdfmod.extract_pdf(data, allow_ocr=False)
    assert [r.cells for r in ex.grids[0].rows] == [
        ["项目", "数量"], ["本年新收政府信息公开申请数量", "12"], ["上年结转", "3"]]


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.parametrize("offset", [0.2, 1.0])
def test_fake_bold_falls_back_to_pdfplumber(offset, monkeypatch):
    """Every string drawn twice: pdfium merges near copies (0.2 pt), pdfplumber would not;
    farther copies (1 pt) pdfium keeps, and pdfplumber's dedupe_chars removes."""
    def bold(c, x, y, t):
        c.drawString(x, y, t)
        c.drawString(x + offset, y, t)

    data = _ruled_pdf(bold)
    assert check_both_ways(data, monkeypatch) == []
    if offset < 0.5:
        assert _fast_page(data).unsure


def test_rotated_page_falls_back(monkeypatch):
    doc = pdfium.PdfDocument(_ruled_pdf(lambda c, x, y, t: c.drawString(x, y, t)))
    doc[0].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    data = buf.getvalue()
    assert _fast_page(data).unsure == "rotated page"
    assert check_both_ways(data, monkeypatch) == []


@pytest.mark.ocr
@pytest.mark.slow
def test_damaged_streams_fall_back(monkeypatch):
    """A byte flipped inside a compressed stream: pdfminer and pdfium each recover something
    (or pdfminer raises); the fast path must leave such pages to pdfplumber."""
    source = (DOCS / "seed000.pdf").read_bytes()
    starts = [i for i in range(len(source)) if source.startswith(b"stream", i)
              and not source.startswith(b"endstream", i - 3)]
    assert len(starts) > 5
    for start in starts[:8]:
        data = bytearray(source)
        data[start + 40] = (data[start + 40] + 7) % 256
        check_both_ways(bytes(data), monkeypatch)


def test_vertical_font_with_default_metrics_takes_the_fast_path():
    """洪泽 page 3 prints 三、本年度办理结果 in an Identity-V font with the default vertical
    metrics: its glyphs are read from their origins (pdfium's loose boxes span the em square),
    as pdfminer places them (test_real_hongze_pdf: identical cells). A vertical font stating
    metrics of its own (W2/DW2) is left to pdfplumber."""
    import pdfplumber
    from pdfminer.psparser import PSLiteral

    with pdfplumber.open(REAL_PDF) as pdf:
        assert pp.fonts_unsure(pdf.pages[2].page_obj.resources) is None
    vertical = {"Subtype": PSLiteral("Type0"), "Encoding": PSLiteral("Identity-V"),
                "ToUnicode": object(), "DescendantFonts": [{"W2": [1, [-1000, 500, 880]]}]}
    assert pp._font_unsure(vertical) == "vertical font with its own metrics (W2/DW2)"
    vertical["DescendantFonts"] = [{"DW": 1000}]
    assert pp._font_unsure(vertical) is None


# -- the pieces ---------------------------------------------------------------------------

def test_float32_back_to_the_printed_decimal():
    import struct

    f32 = lambda v: struct.unpack("f", struct.pack("f", v))[0]  # noqa: E731
    for printed in (79.70079, 0.05, 842.0, 595.2756, 518.55, -3.25, 0.0):
        assert pp._f32(f32(printed)) == printed


def _paint(ops, ctm=(1, 0, 0, 1, 0, 0)):
    out = {"line": [], "rect": [], "curve": []}
    pp._paint_path(ops, ctm, out)
    return {k: len(v) for k, v in out.items()}


def test_paths_classified_as_pdfminer_does():
    rect = [("m", 0, 0), ("l", 10, 0), ("l", 10, 5), ("l", 0, 5), ("l", 0, 0), ("h", 0, 0)]
    assert _paint(rect) == {"line": 0, "rect": 1, "curve": 0}          # pdfium's 're'
    assert _paint(rect[:-1]) == {"line": 0, "rect": 1, "curve": 0}     # m l l l l
    assert _paint(rect + rect) == {"line": 0, "rect": 2, "curve": 0}   # two subpaths
    assert _paint([("m", 0, 0), ("l", 10, 0)]) == {"line": 1, "rect": 0, "curve": 0}
    assert _paint([("m", 0, 0), ("l", 10, 0), ("l", 0, 0), ("h", 0, 0)]) == \
        {"line": 1, "rect": 0, "curve": 0}                                # m l h
    triangle = [("m", 0, 0), ("l", 10, 0), ("l", 5, 5), ("l", 0, 0), ("h", 0, 0)]
    assert _paint(triangle) == {"line": 0, "rect": 0, "curve": 1}
    # a lone move is a one-point curve to pdfminer: an object, but no edge
    assert _paint([("m", 0, 0)]) == {"line": 0, "rect": 0, "curve": 1}
    assert pp._edges({"line": [], "rect": [], "curve": [[(0, 0)]]}, 842) == []
    skew = [("m", 0, 0), ("l", 10, 1), ("l", 10, 5), ("l", 0, 5), ("l", 0, 0), ("h", 0, 0)]
    assert _paint(skew) == {"line": 0, "rect": 0, "curve": 1}
    # the matrix applies before the rectangle test, as pdfminer's CTM does
    assert _paint(rect, (1, 0, 0, -1, 0, 842)) == {"line": 0, "rect": 1, "curve": 0}
