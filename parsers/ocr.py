"""OCR of scanned pages (image-only PDFs, garbage text layers, PNG/JPEG/GIF/TIFF uploads).

A scanned table is read by its structure, cell by cell; the prose around it by Tesseract:

1. the page is brought to 300 dpi grey, its red seal ink dropped, a photographed page warped
   flat, the paper's tone divided out and the lines levelled (``scan.py``, OpenCV);
2. ruling lines are found by morphological opening (``scan.find_rulings``: continuous ink
   runs, so bold text is no line) and become cells with pdfplumber's own edge -> intersection
   -> cell -> table code, so merged cells come out exactly as for a PDF with a text layer
   (covered positions None; ``layout.py``, which OFD pages use too);
3. toner specks are removed without eating glyphs or decimal points (``scan.remove_specks``);
4. every cell's ink is cut into line crops and all crops of the page are read in one batched
   call of RapidOCR's Chinese recogniser (``recognize.py``; models inside its wheel);
5. the page without its tables and specks goes to Tesseract (simplified-Chinese data, Debian
   ``tesseract-ocr tesseract-ocr-chi-sim``, ``OMP_THREAD_LIMIT=1``: TECH-NOTES "Browser and
   OCR") for the running text, in a process of its own while the cells are recognised;
6. each figure's confidence is the recogniser's score weighed with evidence that does not come
   from the same reading (:func:`figure_confidence`): a second read of the crop before it was
   cleaned, whether the string's length fits the ink's width, whether speck removal touched
   it. A cell with no ink is a printed blank. (A figure that makes a printed total fail is
   weighed later, with the checks: ``checks.weigh_confidence``.)

Cells then follow the PDF conventions (page number, bbox in PDF points), and digits misread
as letters inside figure cells (O/o/〇/D -> 0, l/I/| -> 1 ...) are repaired.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile

from .grid import Grid
from .layout import Word, rulings_to_tables, table_grids, text_with_tables
from .model import ParseError
from .vocab import Method, ParseStatus

OCR_DPI = 300  # = scan.WORK_DPI: pages are rendered (or scaled) to it
TIMEOUT_PER_PAGE = 60
LANG = "chi_sim"
MAX_IMAGE_PIXELS = 60_000_000  # ~ A2 at 300 dpi; anything larger is a trap or a poster


def tesseract() -> str | None:
    return shutil.which("tesseract")


# ----------------------------------------------------------------- ruling lines
def open_ends(horizontal, vertical, tol: int = 16) -> list[tuple]:
    """The missing top or bottom ruling of a table split across pages: WPS and Word leave the
    last row on a page without its bottom line (and the first on the next without its top), so
    the rulings find no cell there. Where three or more vertical rulings end at one height and
    no horizontal ruling joins them, that height gets one (x0, x1, y)."""
    def crossings(v) -> int:
        x, y0, y1 = v
        return sum(1 for h in horizontal
                   if h[0] - tol <= x <= h[1] + tol and y0 - tol <= h[2] <= y1 + tol)

    # only the verticals of a table (crossing two rulings or more): letterhead strokes and
    # lone lines make no table
    vertical = [v for v in vertical if crossings(v) >= 2]
    added = []
    for end in (1, 2):  # tops, bottoms of the verticals (x, y0, y1)
        ys = sorted(v[end] for v in vertical)
        clusters: list[list[float]] = []
        for y in ys:
            if clusters and y - clusters[-1][-1] <= tol:
                clusters[-1].append(y)
            else:
                clusters.append([y])
        for cluster in clusters:
            if len(cluster) < 3:
                continue
            y = sorted(cluster)[len(cluster) // 2]
            xs = [v[0] for v in vertical if abs(v[end] - y) <= tol]
            x0, x1 = min(xs), max(xs)
            if not any(abs(h[2] - y) <= tol and h[0] <= x0 + tol and h[1] >= x1 - tol
                       for h in horizontal + added):
                added.append((x0, x1, y))
    return added


# ----------------------------------------------------------------- Tesseract
class TesseractJob:
    """One Tesseract process over page images, running while the caller does other work
    (the cells' recognition): :meth:`words` waits for it. The one place Tesseract is run:
    installed, one thread (``OMP_THREAD_LIMIT``), a time limit, its exit status checked."""

    def __init__(self, images, args: list[str], what: str):
        binary = tesseract()
        if binary is None:
            raise ParseError(ParseStatus.UNSUPPORTED, "a scan needs OCR, and Tesseract is not installed: "
                             "apt-get install tesseract-ocr tesseract-ocr-chi-sim")
        self.what = what
        self.tmp = tempfile.TemporaryDirectory(prefix="renfang-ocr-")
        paths = []
        for i, img in enumerate(images):
            paths.append(os.path.join(self.tmp.name, f"image{i:04d}.png"))
            img.save(paths[-1])
        source = paths[0]
        if len(paths) > 1:
            source = os.path.join(self.tmp.name, "images.txt")
            with open(source, "w") as f:
                f.write("\n".join(paths) + "\n")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        self.proc = subprocess.Popen([binary, source, "stdout", *args, "tsv"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, stdin=subprocess.DEVNULL)

    def rows(self) -> list[dict[str, str]]:
        """The word rows (TSV level 5, with text); ``page_num`` is 1-based in the images."""
        try:
            out, err = self.proc.communicate(timeout=TIMEOUT_PER_PAGE)
        except subprocess.TimeoutExpired as e:
            self.proc.kill()
            self.proc.communicate()
            raise ParseError(ParseStatus.TIMEOUT, f"Tesseract took over {TIMEOUT_PER_PAGE} s on {self.what}") from e
        finally:
            if self.proc.returncode is not None:
                self.tmp.cleanup()
        if self.proc.returncode != 0:
            raise ParseError(ParseStatus.CORRUPT,
                             "Tesseract failed: " + err.decode("utf-8", "replace")[-300:])
        reader = csv.DictReader(io.StringIO(out.decode("utf-8", "replace")),
                                delimiter="\t", quoting=csv.QUOTE_NONE)
        return [r for r in reader if r.get("level") == "5" and (r.get("text") or "").strip()]

    def words(self) -> list[Word]:
        words = []
        for r in self.rows():
            x, y, w, h = (int(r[k]) for k in ("left", "top", "width", "height"))
            words.append(Word(r["text"].strip(), x, y, x + w, y + h,
                              (int(r["block_num"]), int(r["par_num"]), int(r["line_num"])),
                              float(r.get("conf") or 0)))
        return words


def start_tesseract(img, psm: int = 3) -> TesseractJob:
    """Tesseract reading a page image's words (boxes in pixels, confidences), started."""
    return TesseractJob([img], ["-l", LANG, "--psm", str(psm), "-c", "preserve_interword_spaces=1"],
                        "a page")


def run_tesseract(img, psm: int = 3) -> list[Word]:
    """The words of a page image, with their boxes (pixels) and confidences."""
    return start_tesseract(img, psm).words()


# ----------------------------------------------------------------- figures
#: characters a recogniser reads where a figure's digit (or decimal point) is printed
DIGIT_LOOKALIKES = {"O": "0", "o": "0", "〇": "0", "○": "0", "D": "0", "口": "0", "Q": "0",
                    "l": "1", "I": "1", "|": "1", "i": "1", "丨": "1", "S": "5", "s": "5",
                    "B": "8", "Z": "2", "z": "2", "，": ".", ",": ".", "。": ".", ":": ".",
                    "：": "."}
_DIGIT_FIXES = str.maketrans(DIGIT_LOOKALIKES)
_FIGURE_LIKE = re.compile(r"^[0-9OoD〇○口QlIi|丨SsBZz.,，。:：]+$")


def fix_figure(text: str) -> str:
    """A cell that can only be a figure, with letters Tesseract took for digits repaired."""
    compact = re.sub(r"\s+", "", text)
    if compact in ("()", "（）", "[]"):
        return "0"
    if re.search(r"\d", compact):
        compact = compact.strip("[]")  # a ruling remnant beside the figure: 1] is 1
    if compact and not re.search(r"[\w\u3400-\u9fff]", compact):
        return ""  # specks and ruling remnants read as punctuation
    if compact and _FIGURE_LIKE.match(compact) and (any(c.isdigit() for c in compact)
                                                     or len(compact) <= 2):
        return compact.translate(_DIGIT_FIXES)
    return text




# ----------------------------------------------------------------- confidence of a figure
_FIGURE = re.compile(r"^\d+(?:\.\d+)?$")
DISAGREE = 0.5       # the cleaned and the raw crop read differently
MISFIT = 0.5         # the string is too long or too short for the ink's width
SPECKED = 0.9        # speck removal took ink from the figure's place
STRAY_DOT = 0.6      # a lone '.' at an end of the figure (a speck on the baseline?)
REPAIRED = 0.8       # a letter or a mark read where a digit stands (O for 0, : for .)
GLYPH_ASPECT = (0.4, 1.15)  # ink width / height per digit, a decimal point counting 0.4
BLANK_SPECKED = 0.9  # a cell whose only ink was removed as specks


def figure_reading(text: str) -> tuple[str, float]:
    """(the figure, a factor for doubt) of a figure cell's reading: a '.' hanging at either
    end (``0.``, ``.0``: a speck kept as a decimal point) is dropped, with doubt."""
    fixed = fix_figure(text)
    doubt = REPAIRED if fixed != re.sub(r"\s+", "", text) else 1.0
    if re.fullmatch(r"\d+\.|\.\d+", fixed):
        return fixed.strip("."), doubt * STRAY_DOT
    return fixed, doubt


def figure_confidence(text: str, score: float, second: str | None, second_score: float,
                      ink_aspect: float, removed: int) -> float:
    """A figure's confidence (0-1): the recogniser's ``score`` for ``text`` weighed with
    independent evidence: a ``second`` reading of the uncleaned crop that disagrees
    (``DISAGREE``), a string whose length does not fit the ink's width (``MISFIT``), ink
    removed as specks where the figure stands (``SPECKED``)."""
    figure, doubt = figure_reading(text)
    confidence = score * doubt
    if second is not None and figure_reading(second)[0] != figure:
        confidence = min(confidence, second_score) * DISAGREE
    glyphs = sum(0.4 if c == "." else 1.0 for c in figure)
    lo, hi = GLYPH_ASPECT
    if glyphs and not (lo * glyphs - 0.1 <= ink_aspect <= hi * glyphs + 0.3):
        confidence *= MISFIT
    if removed:
        confidence *= SPECKED
    return round(max(0.0, min(1.0, confidence)), 4)


def _stray_dots(text: str) -> tuple[str, float]:
    """A figure written in words (增加 19 件) without the '.' a speck left after its digits
    (增加 19.件): no decimal point ends a figure. The text, and a factor for doubt."""
    fixed = re.sub(r"(\d)\s*[.。](?=\s*(?:[件项个次元]|$))", r"\1", text)
    return fixed, (REPAIRED if fixed != text else 1.0)


def _junk(text: str) -> bool:
    """A few glyphs that are no word and no figure (à, ★, 4e): what a figure with a speck
    on it reads as."""
    compact = re.sub(r"\s", "", text)
    return 0 < len(compact) <= 3 and not re.search(r"[\u4e00-\u9fff]", compact) \
        and not _FIGURE.match(fix_figure(compact))


def _figure(first, second, line) -> tuple[str, float]:
    """(text, confidence) of a line read as a figure: its free reading when that is a figure,
    else (junk) its reading over the digits only, doubted; weighed against the second read of
    the uncleaned crop, read as a figure."""
    if _FIGURE.match(figure_reading(first.text)[0]):
        text, score = first.digits, first.digits_score
    else:
        text, score = first.digits, first.digits_score * DISAGREE
    other, other_score = second.digits, second.digits_score
    return figure_reading(text)[0], figure_confidence(text, score, other, other_score,
                                                      line.ink_aspect, line.removed)


# ----------------------------------------------------------------- page -> grids + text
def ocr_page_image(img, page_number: int, dpi: float) -> tuple[str, list[Grid]]:
    """(text, grids) of one page image scanned at ``dpi``; cells' boxes in PDF points."""
    import cv2
    import numpy as np
    from PIL import Image

    from . import scan
    from .recognize import recognise

    if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
        raise ParseError(ParseStatus.TOO_LARGE, f"page image of {img.size[0]}x{img.size[1]} pixels")
    a = np.array(img.convert("L") if img.mode in ("1", "L", "LA", "I", "I;16", "F") else img.convert("RGB"))
    grey = scan.drop_red_ink(a)
    page = scan.rectify(grey)
    if page is None:
        factor = scan.WORK_DPI / max(dpi, 30)
        if abs(factor - 1) > 0.05 and grey.size * factor * factor <= MAX_IMAGE_PIXELS:
            grey = cv2.resize(grey, (int(grey.shape[1] * factor), int(grey.shape[0] * factor)),
                              interpolation=cv2.INTER_CUBIC)
        page = grey
    flat = scan.flatten(page)
    binary = scan.binarise(flat)
    angle = scan.estimate_skew(binary)
    if angle:
        flat = scan.rotate(flat, angle)
        binary = scan.binarise(flat)
    rulings = scan.find_rulings(binary)
    raw_ink = cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(rulings.mask, np.ones((5, 5), np.uint8))))
    ink = scan.remove_specks(raw_ink)
    horizontal, vertical = rulings.horizontal, rulings.vertical
    tables = rulings_to_tables(horizontal + open_ends(horizontal, vertical), vertical)
    extents = [(min(c[0] for c in t), min(c[1] for c in t), max(c[2] for c in t), max(c[3] for c in t))
               for t in tables]
    prose = start_tesseract(Image.fromarray(scan.whiten_outside(flat, ink, extents)))
    scale = 72 / scan.WORK_DPI
    words, blanks = _read_cells(tables, flat, ink, raw_ink, recognise)
    grids, _ = table_grids(tables, words, page_number, scale, repair=fix_figure, confidences=True)
    for grid in grids:
        for row in grid.rows:
            for ci, box in enumerate(row.bboxes or []):
                if box is not None and row.cells[ci] == "":
                    row.confidences[ci] = _blank_confidence(blanks, box, scale)
    rest = [w for w in prose.words()
            if not any(x0 <= (w.x0 + w.x1) / 2 <= x1 and y0 <= (w.top + w.bottom) / 2 <= y1
                       for x0, y0, x1, y1 in extents)]
    return text_with_tables(rest, grids, tables), grids


def _key(box, scale: float = 1.0) -> tuple[int, ...]:
    return tuple(int(round(v / scale)) for v in box)


def _blank_confidence(blanks: dict, box, scale: float) -> float:
    """The confidence of the inkless cell at ``box`` (points), found by its pixel box."""
    key = _key(box, scale)
    if key in blanks:
        return blanks[key]
    for other, confidence in blanks.items():
        if all(abs(a - b) <= 1 for a, b in zip(key, other)):
            return confidence
    return 0.0


def _read_cells(tables, flat, ink, raw_ink, recognise) -> tuple[list[Word], dict]:
    """Every table cell's lines as words (text, box, confidence 0-100), and the confidence
    of each cell that holds no ink (a printed blank) by its box."""
    from . import scan

    crops: list[tuple[int, scan.LineCrop]] = []  # (cell number, line)
    blanks: dict[tuple[int, ...], float] = {}
    cells = [c for t in tables for c in t]
    for n, box in enumerate(cells):
        lines = scan.cell_lines(flat, ink, raw_ink, box)
        if not lines:
            inner = raw_ink[int(box[1]) + 3:int(box[3]) - 3, int(box[0]) + 3:int(box[2]) - 3]
            blanks[_key(box)] = BLANK_SPECKED if inner.any() else 1.0
        crops += [(n, line) for line in lines]
    first = recognise([line.image for _, line in crops])
    figures = [i for i, r in enumerate(first) if _FIGURE.match(figure_reading(r.text)[0])
               or (_junk(r.text) and r.digits)]
    second = dict(zip(figures, recognise([crops[i][1].raw for i in figures])))
    words = []
    for i, ((n, line), r) in enumerate(zip(crops, first)):
        text, confidence = r.text, r.score
        if i in second:
            text, confidence = _figure(r, second[i], line)
        else:
            text, doubt = _stray_dots(text)
            confidence *= doubt
        x0, y0, x1, y1 = line.box
        words.append(Word(text, x0, y0, x1, y1, (0, n, i), confidence * 100))
    return words, blanks


# ----------------------------------------------------------------- documents
def ocr_pdf_pages(data: bytes, pages: list[int], dpi: int = OCR_DPI) -> dict[int, tuple[str, list[Grid]]]:
    """OCR the given 1-based pages of a PDF: {page: (text, grids)}."""
    import pypdfium2 as pdfium

    out = {}
    doc = pdfium.PdfDocument(data)
    try:
        for number in pages:
            page = doc[number - 1]
            w, h = page.get_size()
            scale = dpi / 72
            if w * h * scale * scale > MAX_IMAGE_PIXELS:
                scale = (MAX_IMAGE_PIXELS / (w * h)) ** 0.5
            img = page.render(scale=scale).to_pil()
            page.close()
            out[number] = ocr_page_image(img, number, scale * 72)
    finally:
        doc.close()
    return out


def image_frames(data: bytes) -> list[tuple[object, float]]:
    """(frame, dpi) of every frame of an image file (PNG, JPEG, GIF, TIFF, BMP)."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        im = Image.open(io.BytesIO(data))
        frames = []
        for i, frame in enumerate(ImageSequence.Iterator(im)):
            if i >= 50:
                raise ParseError(ParseStatus.TOO_LARGE, "more than 50 frames")
            dpi = (frame.info.get("dpi") or im.info.get("dpi") or (0, 0))[0] or 0
            frames.append((frame.convert("RGB") if frame.mode not in ("L", "RGB") else frame.copy(),
                           float(dpi) or _guess_dpi(frame.size)))
    except Image.DecompressionBombError as e:
        raise ParseError(ParseStatus.TOO_LARGE, str(e)) from e
    except ParseError:
        raise
    except Exception as e:
        raise ParseError(ParseStatus.CORRUPT, f"image: {type(e).__name__}: {e}") from e
    return frames


def _guess_dpi(size: tuple[int, int]) -> float:
    """An image without a resolution is taken for an A4 page across its width."""
    return max(72.0, min(size) / 8.27)


def ocr_image_bytes(data: bytes) -> list[tuple[str, list[Grid]]]:
    """OCR every frame of an image file (PNG, JPEG, GIF, TIFF)."""
    return [ocr_page_image(frame, number, dpi)
            for number, (frame, dpi) in enumerate(image_frames(data), start=1)]


def extract_image(data: bytes):
    """An uploaded image (PNG, JPEG, GIF, TIFF, BMP: a scanned report), every frame OCR'd."""
    from .grid import Extracted
    from .sniff import sniff_media_type

    pages = ocr_image_bytes(data)
    texts = [text for text, _ in pages]
    grids = [g for _, page_grids in pages for g in page_grids]
    return Extracted(sniff_media_type(data), grids, texts, pages=len(pages),
                     ocr_pages=list(range(1, len(pages) + 1)), method=Method.OCR)
