"""OCR for PDF pages with no text layer, offline, with Debian's tesseract-ocr (optional).

Chosen on figures (benchmarks/RESULTS.md, "OCR"): on generated A4 scans tesseract 5.3 read the words
right with the spaces between them; rapidocr-onnxruntime's bundled English recogniser drops the
spaces ("Thankyouforsharing"), which ruins BM25 and embeddings; easyocr with its offline weights
package was measured too (see RESULTS.md). tesseract is a system package, so OCR is a setting
(`ocr`: auto | off) and a page it cannot read is reported as "not searchable", never guessed at.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache

OCR_TIMEOUT_S = 60  # one page; a pathological image must not hold the ingest


@lru_cache(maxsize=1)
def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def tesseract_available() -> bool:
    path = tesseract_path()
    if path is None:
        return False
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "eng" in out.stdout.split()


def ocr_image(image) -> str:
    """PIL image -> text, paragraphs separated by blank lines (tesseract's default page segmentation)."""
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PNG")
    tesseract = tesseract_path()
    if tesseract is None:  # callers check tesseract_available() first
        raise FileNotFoundError("tesseract")
    proc = subprocess.run([tesseract, "stdin", "stdout", "-l", "eng", "--psm", "3"], input=buf.getvalue(),
                          capture_output=True, timeout=OCR_TIMEOUT_S)
    if proc.returncode != 0:
        return ""
    return proc.stdout.decode("utf-8", errors="replace")


def ocr_for(setting: str | None):
    """The OCR callable to use, or None: `off`, or `auto` with tesseract (and its English data) missing."""
    if (setting or "auto") == "off" or not tesseract_available():
        return None
    return ocr_image


def ocr_unavailable_reason(setting: str | None) -> str:
    if (setting or "auto") == "off":
        return "OCR is off"
    return "OCR needs tesseract-ocr and tesseract-ocr-eng (apt-get install tesseract-ocr tesseract-ocr-eng)"
