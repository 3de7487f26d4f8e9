"""OCR of scanned pages (image-only PDFs, garbage text layers, PNG/JPEG/GIF/TIFF uploads).

Tesseract with its simplified-Chinese data (Debian ``tesseract-ocr tesseract-ocr-chi-sim``) is
called as a program, one call per page, with ``OMP_THREAD_LIMIT=1`` (3 s a page instead of 17:
TECH-NOTES "Browser and OCR"). Reading a scanned table as prose gives ~30 % of the cells (the
rulings are read as digits), so the table structure is found *before* OCR:

1. the page is rendered at 300 dpi in grey and binarised;
2. ruling lines are found as long runs of dark pixels (horizontal and vertical), by shrinking
   the image along one axis with a box filter so that only runs longer than a glyph stay black;
3. the rulings become cells with pdfplumber's own edge -> intersection -> cell -> table code,
   so merged cells come out exactly as for a PDF with a text layer (covered positions None;
   ``layout.py``, which OFD pages use too);
4. the rulings are painted white and Tesseract reads the whole page once (TSV: word boxes);
5. every word goes to the cell holding its centre; words outside every table are the text
   (``layout.table_grids``, ``layout.text_with_tables``);
6. every inked cell is read again as a line of digits (one Tesseract call for the page's cells).

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
from dataclasses import replace

from .grid import Grid
from .layout import Word, mean, rulings_to_tables, table_grids, text_with_tables
from .model import ParseError
from .vocab import Method, ParseStatus

OCR_DPI = 300
TIMEOUT_PER_PAGE = 60
LANG = "chi_sim"
MAX_IMAGE_PIXELS = 60_000_000  # ~ A2 at 300 dpi; anything larger is a trap or a poster


def tesseract() -> str | None:
    return shutil.which("tesseract")


# ----------------------------------------------------------------- ruling lines
def _dark_runs(values: bytes, threshold: int, min_len: int) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, v in enumerate(values):
        if v < threshold:
            if start is None:
                start = i
        elif start is not None:
            if i - start >= min_len:
                runs.append((start, i))
            start = None
    if start is not None and len(values) - start >= min_len:
        runs.append((start, len(values)))
    return runs


def find_rulings(img, block: int = 20, min_blocks: int = 4) -> tuple[list[tuple], list[tuple]]:
    """(horizontal, vertical) ruling segments of a binarised 'L' image, in pixels.

    Horizontal: (x0, x1, y); vertical: (x, y0, y1). A stroke of a 三号 (16 pt) glyph is under
    70 px at 300 dpi and cannot fill ``min_blocks`` whole blocks (80 px); a ruling does.
    """
    from PIL import Image

    w, h = img.size
    horizontal: list[tuple] = []
    vertical: list[tuple] = []
    # horizontal: shrink x by `block`, every pixel row keeps its own y
    small = img.resize((max(1, w // block), h), Image.BOX)
    sw = small.size[0]
    data = small.tobytes()
    raw_h = []
    for y in range(h):
        for a, b in _dark_runs(data[y * sw:(y + 1) * sw], 110, min_blocks):
            raw_h.append((a * block, b * block, y))
    horizontal = _merge_parallel(raw_h)
    small = img.resize((w, max(1, h // block)), Image.BOX).transpose(Image.TRANSPOSE)
    sh = small.size[0]
    data = small.tobytes()
    raw_v = []
    for x in range(w):
        for a, b in _dark_runs(data[x * sh:(x + 1) * sh], 110, min_blocks):
            raw_v.append((a * block, b * block, x))
    vertical = [(pos, a, b) for a, b, pos in _merge_parallel(raw_v)]
    return horizontal, vertical


def _merge_parallel(segments: list[tuple]) -> list[tuple]:
    """Merge the pixel rows of one thick ruling: (a, b, pos) runs on adjacent positions."""
    segments.sort(key=lambda s: (s[2], s[0]))
    merged: list[list] = []  # [a, b, pos_first, pos_last]
    for a, b, pos in segments:
        for m in reversed(merged[-40:]):
            if pos - m[3] <= 2 and a < m[1] and b > m[0]:
                m[0], m[1], m[3] = min(a, m[0]), max(b, m[1]), pos
                break
        else:
            merged.append([a, b, pos, pos])
    return [(a, b, (p0 + p1) / 2) for a, b, p0, p1 in merged]


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


def erase_rulings(img, horizontal, vertical, pad: int = 4):
    from PIL import ImageDraw

    out = img.copy()
    draw = ImageDraw.Draw(out)
    for x0, x1, y in horizontal:
        draw.rectangle([x0 - 30, y - pad, x1 + 30, y + pad], fill=255)
    for x, y0, y1 in vertical:
        draw.rectangle([x - pad, y0 - 30, x + pad, y1 + 30], fill=255)
    return out


# ----------------------------------------------------------------- Tesseract
def _tesseract_tsv(images, args: list[str], what: str) -> list[dict[str, str]]:
    """The word rows (TSV level 5, with text) of one Tesseract process over ``images`` (a
    list of image files read in one call: the model is loaded once); ``page_num`` is 1-based
    in ``images``. The one place Tesseract is run: installed, one thread (``OMP_THREAD_LIMIT``),
    a time limit, its exit status checked."""
    binary = tesseract()
    if binary is None:
        raise ParseError(ParseStatus.UNSUPPORTED, "a scan needs OCR, and Tesseract is not installed: "
                         "apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="renfang-ocr-") as tmp:
        paths = []
        for i, img in enumerate(images):
            paths.append(os.path.join(tmp, f"image{i:04d}.png"))
            img.save(paths[-1])
        source = paths[0]
        if len(paths) > 1:
            source = os.path.join(tmp, "images.txt")
            with open(source, "w") as f:
                f.write("\n".join(paths) + "\n")
        try:
            proc = subprocess.run([binary, source, "stdout", *args, "tsv"], capture_output=True,
                                  timeout=TIMEOUT_PER_PAGE, env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise ParseError(ParseStatus.TIMEOUT, f"Tesseract took over {TIMEOUT_PER_PAGE} s on {what}") from e
    if proc.returncode != 0:
        raise ParseError(ParseStatus.CORRUPT,
                         "Tesseract failed: " + proc.stderr.decode("utf-8", "replace")[-300:])
    reader = csv.DictReader(io.StringIO(proc.stdout.decode("utf-8", "replace")),
                            delimiter="\t", quoting=csv.QUOTE_NONE)
    return [r for r in reader if r.get("level") == "5" and (r.get("text") or "").strip()]


def run_tesseract(img, psm: int = 11) -> list[Word]:
    """The words of a page image, with their boxes (pixels) and confidences."""
    words = []
    for r in _tesseract_tsv([img], ["-l", LANG, "--psm", str(psm),
                                    "-c", "preserve_interword_spaces=1"], "a page"):
        x, y, w, h = (int(r[k]) for k in ("left", "top", "width", "height"))
        words.append(Word(r["text"].strip(), x, y, x + w, y + h,
                          (int(r["block_num"]), int(r["par_num"]), int(r["line_num"])),
                          float(r.get("conf") or 0)))
    return words


def run_tesseract_batch(images, whitelist: str = "0123456789.") -> list[tuple[str, float]]:
    """(text, mean confidence 0-100) of one line of figures per image, all images in one
    Tesseract process."""
    if not images:
        return []
    texts: dict[int, list[str]] = {}
    confs: dict[int, list[float]] = {}
    for r in _tesseract_tsv(images, ["-l", "eng", "--psm", "7",
                                     "-c", f"tessedit_char_whitelist={whitelist}"], "the table cells"):
        page = int(r["page_num"]) - 1
        texts.setdefault(page, []).append(r["text"].strip())
        confs.setdefault(page, []).append(float(r.get("conf") or 0))
    return [("".join(texts.get(i, [])), mean(confs.get(i, []))) for i in range(len(images))]


# ----------------------------------------------------------------- page -> grids + text
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "〇": "0", "○": "0", "D": "0", "口": "0",
                              "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1", "丨": "1",
                              "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "，": ".",
                              ",": ".", "。": "."})
_FIGURE_LIKE = re.compile(r"^[0-9OoD〇○口QlIi|丨SsBZz.,，。]+$")


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


def estimate_skew(img, max_degrees: float = 2.0, step: float = 0.1) -> float:
    """The rotation (degrees) that makes the page's lines most horizontal.

    A quarter-size copy is rotated by each candidate angle and its row profile (mean darkness
    per pixel row) scored by the sum of squared differences: rulings and text lines give the
    sharpest profile when level.
    """
    from PIL import Image

    small = img.resize((max(1, img.size[0] // 4), max(1, img.size[1] // 4)), Image.BOX)
    small = small.point(lambda v: 255 - v)  # ink bright, so rotation fills with 0 (no ink)
    best, best_score = 0.0, -1.0
    n = int(round(max_degrees / step))
    for k in range(-n, n + 1):
        angle = k * step
        rotated = small.rotate(angle, resample=Image.BILINEAR) if k else small
        profile = rotated.resize((1, rotated.size[1]), Image.BOX).tobytes()
        score = sum((profile[i + 1] - profile[i]) ** 2 for i in range(len(profile) - 1))
        if score > best_score:
            best, best_score = angle, score
    return best


RED_INK = 30  # red minus the larger of green and blue: seal ink, also its JPEG-blurred edges


def drop_red_ink(img):
    """The page in grey without its red ink: a seal (公章) pressed over a table would otherwise
    binarise into blots over rulings and figures. A pixel much redder than it is green or blue
    and light in red is red ink on paper and becomes paper; black print under the seal stays
    dark in every channel (inks multiply) and stays."""
    from PIL import ImageChops

    if img.mode not in ("RGB", "RGBA", "RGBX", "P", "CMYK"):
        return img.convert("L")
    rgb = img.convert("RGB")
    r, g, b = rgb.split()
    redness = ImageChops.subtract(r, ImageChops.lighter(g, b))
    grey = rgb.convert("L")
    # red and light in the red channel: ink on paper (a black line under the seal, blurred
    # red by the JPEG, is dark in every channel and stays)
    ink = ImageChops.multiply(redness.point(lambda v: 255 if v > RED_INK else 0),
                              r.point(lambda v: 255 if v > 140 else 0))
    grey.paste(255, mask=ink)
    return grey


def ocr_page_image(img, page_number: int, scale: float) -> tuple[str, list[Grid]]:
    """(text, grids) of one page image; ``scale`` converts pixels to PDF points."""
    from PIL import Image

    img = img.convert("L")
    if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
        raise ParseError(ParseStatus.TOO_LARGE, f"page image of {img.size[0]}x{img.size[1]} pixels")
    angle = estimate_skew(img)
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    binary = img.point(lambda v: 0 if v < 170 else 255)
    horizontal, vertical = find_rulings(binary)
    tables = rulings_to_tables(horizontal + open_ends(horizontal, vertical), vertical)
    clean = erase_rulings(img, horizontal, vertical) if tables else img  # the drawn ones only
    words = run_tesseract(clean, psm=3)
    grids, rest = table_grids(tables, words, page_number, scale, repair=fix_figure, confidences=True)
    if tables:
        grids = _reread_figures(binary, grids, scale)
    return text_with_tables(rest, grids, tables), grids


def _reread_figures(binary, grids: list[Grid], scale: float) -> list[Grid]:
    """The grids with every inked table cell read again as a line of digits, keeping the
    likelier reading (``scale``: pixels of ``binary`` to the cells' PDF points).

    Tesseract's page layout analysis drops lone digits in a sparse table ("0" in a wide cell)
    and chi_sim reads some as ideographs (玖, 要). One batched call over the cell crops,
    restricted to digits, reads them; the digit reading wins when the page reading is empty,
    figure-like, or less confident. A cell without ink is a printed blank and becomes ''.
    A digit reading Tesseract is unsure of (or gave up on) is settled by the page's own glyphs:
    the figure whose confidently read cells look most like it (``_closest``).
    """
    from PIL import ImageOps

    grids = [Grid([replace(row, cells=list(row.cells), confidences=None if row.confidences is None
                           else list(row.confidences)) for row in grid.rows]) for grid in grids]
    todo = []  # (row, cell index, crop with a margin, glyph shape)
    for grid in grids:
        for row in grid.rows:
            for ci, box in enumerate(row.bboxes or []):
                if box is None or row.cells[ci] is None:
                    continue
                inner = (int(box[0] / scale) + 8, int(box[1] / scale) + 8,
                         int(box[2] / scale) - 8, int(box[3] / scale) - 8)
                if inner[2] <= inner[0] or inner[3] <= inner[1]:
                    continue
                crop = binary.crop(inner)
                ink = ImageOps.invert(crop).getbbox()
                if ink is None:
                    row.cells[ci] = ""
                    if row.confidences:
                        row.confidences[ci] = 1.0  # no ink at all: a printed blank, for sure
                    continue
                if ink[3] - ink[1] > 80:  # more than one line of glyphs: a label
                    continue
                glyphs = crop.crop(ink)
                todo.append((row, ci, ImageOps.expand(glyphs, border=20, fill=255), _shape(glyphs)))
    results = run_tesseract_batch([t[2] for t in todo]) if todo else []
    templates: dict[str, list] = {}
    for (_, _, _, shape), (text, conf) in zip(todo, results):
        if conf >= TEMPLATE_MIN_CONF and re.fullmatch(r"\d+(?:\.\d+)?", text):
            if len(templates.setdefault(text, [])) < 12:
                templates[text].append(shape)
    for (row, ci, _, shape), (text, conf) in zip(todo, results):
        if not text or conf < UNSURE_CONF:
            match, score = _closest(shape, templates)
            if match is not None:
                text, conf = match, score * 100
        page_text = row.cells[ci] or ""
        compact = re.sub(r"\s+", "", page_text)
        # a glyph or three, not a word, where a figure stands (0 read 加, 人, esi): the digits
        figure_like = not compact or _FIGURE_LIKE.match(compact) or (
            len(compact) <= 3 and not re.search(r"[\u4e00-\u9fff]{2}", compact) and conf >= 50)
        if text and (figure_like or conf / 100 > row.confidences[ci]):
            row.cells[ci] = text
            row.confidences[ci] = conf / 100
    for grid in grids:
        for row in grid.rows:
            row.cells = [None if c is None else fix_figure(c) for c in row.cells]
    return grids


TEMPLATE_MIN_CONF = 75   # a digit reading this sure of itself is a template of its figure
UNSURE_CONF = 60         # below this a digit reading is compared with the templates
TEMPLATE_MIN_SIMILARITY = 0.7
_SHAPE = (16, 24)


def _shape(glyphs) -> tuple[tuple[bool, ...], float]:
    """A glyph crop (tight to its ink) as 16x24 ink bits and its aspect ratio."""
    from PIL import Image

    small = glyphs.convert("L").resize(_SHAPE, Image.BOX)
    return tuple(v < 128 for v in small.tobytes()), glyphs.size[0] / max(1, glyphs.size[1])


def _similarity(a, b) -> float:
    """Jaccard overlap of two glyph shapes' ink; 0 when their proportions differ."""
    (bits_a, aspect_a), (bits_b, aspect_b) = a, b
    if not 0.75 <= aspect_a / max(aspect_b, 1e-6) <= 1.33:
        return 0.0
    union = sum(x or y for x, y in zip(bits_a, bits_b))
    return sum(x and y for x, y in zip(bits_a, bits_b)) / union if union else 0.0


def _closest(shape, templates: dict[str, list]) -> tuple[str | None, float]:
    """The figure whose templates the glyph resembles most, when it clearly does."""
    scores = sorted(((max(_similarity(shape, t) for t in samples), text)
                     for text, samples in templates.items()), reverse=True)
    if not scores or scores[0][0] < TEMPLATE_MIN_SIMILARITY:
        return None, 0.0
    if len(scores) > 1 and scores[0][0] - scores[1][0] < 0.08:
        return None, 0.0  # two figures look alike to it: no evidence either way
    return scores[0][1], scores[0][0]


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
            img = drop_red_ink(page.render(scale=scale).to_pil())
            page.close()
            out[number] = ocr_page_image(img, number, 1 / scale)
    finally:
        doc.close()
    return out


def ocr_image_bytes(data: bytes) -> list[tuple[str, list[Grid]]]:
    """OCR every frame of an image file (PNG, JPEG, GIF, TIFF)."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        im = Image.open(io.BytesIO(data))
        frames = []
        for i, frame in enumerate(ImageSequence.Iterator(im)):
            if i >= 50:
                raise ParseError(ParseStatus.TOO_LARGE, "more than 50 frames")
            frames.append(drop_red_ink(frame))
    except Image.DecompressionBombError as e:
        raise ParseError(ParseStatus.TOO_LARGE, str(e)) from e
    except ParseError:
        raise
    except Exception as e:
        raise ParseError(ParseStatus.CORRUPT, f"image: {type(e).__name__}: {e}") from e
    results = []
    for number, frame in enumerate(frames, start=1):
        dpi = (im.info.get("dpi") or (OCR_DPI, OCR_DPI))[0] or OCR_DPI
        if dpi < 250:  # Tesseract wants ~300 dpi glyphs
            factor = OCR_DPI / max(dpi, 72)
            if frame.size[0] * frame.size[1] * factor * factor <= MAX_IMAGE_PIXELS:
                frame = frame.resize((int(frame.size[0] * factor), int(frame.size[1] * factor)))
                dpi = OCR_DPI
        results.append(ocr_page_image(frame, number, 72 / dpi))
    return results


def extract_image(data: bytes):
    """An uploaded image (PNG, JPEG, GIF, TIFF, BMP: a scanned report), every frame OCR'd."""
    from .grid import Extracted
    from .sniff import sniff_media_type

    pages = ocr_image_bytes(data)
    texts = [text for text, _ in pages]
    grids = [g for _, page_grids in pages for g in page_grids]
    return Extracted(sniff_media_type(data), grids, texts, pages=len(pages),
                     ocr_pages=list(range(1, len(pages) + 1)), method=Method.OCR)
