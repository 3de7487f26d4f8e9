"""Line recognition of table cells: RapidOCR's Chinese text recogniser (PP-OCR, ONNX).

The models ship inside the ``rapidocr`` wheel (PyPI): nothing is downloaded at run time, the
model file is named explicitly so no download path is ever taken. One ONNX Runtime thread
(parallelise by process, as for Tesseract: TECH-NOTES "Browser and OCR").

Crops are grey images of one line of ink each (``scan.cell_lines``). They are read in batches
of similar width, each batch padded only to its widest crop (not to the recogniser's default
320 px: a figure cell is 40 px wide and would cost eight times its work).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REC_HEIGHT = 48    # the recogniser's input height
BATCH = 16         # crops a call
MIN_WIDTH = 16


class RecogniserMissing(RuntimeError):
    pass


def model_path() -> Path:
    """The recognition model inside the installed rapidocr wheel."""
    try:
        import rapidocr
    except ImportError as e:
        raise RecogniserMissing("rapidocr is not installed (pip install -r requirements.lock)") from e
    path = Path(rapidocr.__file__).parent / "models" / "PP-OCRv6_rec_small.onnx"
    if not path.exists():
        raise RecogniserMissing(f"the rapidocr wheel has no {path.name}")
    return path


@functools.lru_cache(maxsize=1)
def _recogniser():
    """RapidOCR's TextRecognizer over the bundled model, one thread, quiet."""
    from rapidocr import RapidOCR

    engine = RapidOCR(params={
        "Global.log_level": "critical",
        "Rec.model_path": str(model_path()),
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })
    return engine._load_rec_model()  # the recogniser alone: no detection model is loaded


@dataclass
class Reading:
    text: str      # the recogniser's reading, any character
    score: float   # its mean character probability, 0-1 (0 for nothing read)
    digits: str    # the same crop read as a figure: only digits and '.' allowed
    digits_score: float


def recognise(crops: list[np.ndarray]) -> list[Reading]:
    """The reading of each grey line crop, in order, in one batched pass: free, and as a figure
    (the same output decoded over the digit classes only: what a figure cell can hold)."""
    if not crops:
        return []
    rec = _recogniser()
    characters = rec.postprocess_op.character  # 0 is CTC's blank
    allowed, merge = _digit_classes(tuple(characters))
    inputs = [_normalise(c) for c in crops]
    order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[1])
    out: list[Reading] = [Reading("", 0.0, "", 0.0)] * len(inputs)
    for start in range(0, len(order), BATCH):
        idx = order[start:start + BATCH]
        width = max(MIN_WIDTH, max(inputs[i].shape[1] for i in idx))
        batch = np.zeros((len(idx), 3, REC_HEIGHT, width), np.float32)
        for k, i in enumerate(idx):
            batch[k, :, :, :inputs[i].shape[1]] = inputs[i][None]
        preds = rec.session(batch)
        preds = preds[0] if isinstance(preds, (list, tuple)) else preds
        for k, i in enumerate(idx):
            # the time steps of this crop only: the padding right of it reads nothing
            steps = max(1, int(math.ceil(preds.shape[1] * inputs[i].shape[1] / width)))
            p = preds[k, :steps]
            text, score = _decode(p, np.arange(p.shape[1]), characters)
            # as a figure: every character read becomes the likeliest digit at its steps, a
            # digit's probability counting the letters that look like it (O, o, 〇 for 0)
            digit_probs = p @ merge
            digit_probs[:, 0] = np.where(p.argmax(axis=1) == 0, 1.0, 0.0)
            digits, digits_score = _decode(digit_probs, allowed, characters)
            out[i] = Reading(text, score, digits, digits_score)
    return out


@functools.lru_cache(maxsize=4)
def _digit_classes(characters: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The classes of a figure (blank, digits, '.'), and the matrix adding every class's
    probability to the figure class it stands for (a digit to itself, 'O' to '0' …)."""
    from .ocr import DIGIT_LOOKALIKES

    allowed = [0] + [i for i, c in enumerate(characters) if c in "0123456789."]
    column = {characters[i]: k for k, i in enumerate(allowed) if i}
    merge = np.zeros((len(characters), len(allowed)), np.float32)
    for i, c in enumerate(characters):
        target = c if c in column else DIGIT_LOOKALIKES.get(c)
        if target in column:
            merge[i, column[target]] = 1.0
    return np.array(allowed), merge


def _decode(probs: np.ndarray, classes: np.ndarray, characters) -> tuple[str, float]:
    """Greedy CTC: the likeliest class at each step, repeats collapsed, blanks dropped; the
    score is the mean probability of the characters kept (PP-OCR's own)."""
    best = probs.argmax(axis=1)
    chosen = classes[best]
    confidence = probs[np.arange(len(best)), best]
    text, scores, previous = [], [], -1
    for c, p in zip(chosen, confidence):
        if c != previous and c != 0:
            text.append(characters[c])
            scores.append(float(p))
        previous = c
    return "".join(text), (sum(scores) / len(scores) if scores else 0.0)


def _normalise(crop: np.ndarray) -> np.ndarray:
    """A crop at the recogniser's height, scaled to -1..1 as PP-OCR was trained."""
    import cv2

    h, w = crop.shape[:2]
    width = max(8, int(math.ceil(w * REC_HEIGHT / max(1, h))))
    resized = cv2.resize(crop, (width, REC_HEIGHT), interpolation=cv2.INTER_AREA if h > REC_HEIGHT
                         else cv2.INTER_CUBIC).astype(np.float32)
    return (resized / 255.0 - 0.5) / 0.5
