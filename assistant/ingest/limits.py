"""Resource limits for every file, checked before (and while) it is parsed.

Why: a 3.1 MB DOCX whose XML inflates to 1 GiB took 13.6 GB of memory and 70 s before failing, and over
HTTP it took concurrent requests down with it. Archive-based formats (DOCX and the other zip-based office
and e-book formats) are therefore refused from their zip directory alone, before any parser inflates a
byte: total uncompressed size, number of members and compression ratio. Python's zipfile (which
python-docx reads through) never inflates a member past the size its directory entry declares, so the
declared sizes checked here bound what parsing can allocate. PDFs get a page budget (read from the page
tree, without extracting text) and every parser a time budget it checks page by page; HTML a size budget.

Hook for a loader: `check_file(path, settings)` before parsing, and `budget = ParseBudget.start(path,
settings)` with `budget.tick(page)` inside a page loop. Both raise ResourceLimitError (a LoadError), so a
file over a limit fails alone with a clear reason and nothing already indexed is lost.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.load import LoadError

# Office Open XML, OpenDocument and EPUB are all zip containers
ARCHIVE_SUFFIXES = {".docx", ".docm", ".dotx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".zip"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MB = 1_000_000


class ResourceLimitError(LoadError):
    """The file is over one of the ingest resource limits; the message names the limit and its setting."""


def _limit(settings, name: str, default):
    return getattr(settings, name, default) if settings is not None else default


def check_file(path: Path, settings=None) -> None:
    """Refuse a file that would cost more to parse than the settings allow, without parsing it."""
    path = Path(path)
    size = path.stat().st_size
    max_file = _limit(settings, "max_file_mb", 50.0)
    if size > max_file * MB:
        raise ResourceLimitError(f"the file is {size / MB:.1f} MB; the limit is {max_file:g} MB (max_file_mb)")
    suffix = path.suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        check_archive(path, settings)
    elif suffix == ".pdf":
        check_pdf(path, settings)
    elif suffix in HTML_SUFFIXES:
        max_html = _limit(settings, "max_html_mb", 10.0)
        if size > max_html * MB:
            raise ResourceLimitError(f"the HTML file is {size / MB:.1f} MB; the limit is {max_html:g} MB (max_html_mb)")


def check_archive(path: Path, settings=None) -> None:
    """Zip directory only: member count, declared uncompressed total, overall and per-member ratio."""
    max_members = _limit(settings, "max_archive_members", 5000)
    max_total = _limit(settings, "max_archive_uncompressed_mb", 200.0)
    max_ratio = _limit(settings, "max_archive_ratio", 100.0)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise LoadError(f"the {path.suffix.lower().lstrip('.').upper()} could not be read "
                        f"({exc.__class__.__name__}: not a valid zip container)") from exc
    if len(members) > max_members:
        raise ResourceLimitError(f"the archive holds {len(members)} members; the limit is {max_members} "
                                 "(max_archive_members)")
    total = sum(m.file_size for m in members)
    if total > max_total * MB:
        raise ResourceLimitError(f"the archive inflates to {total / MB:,.0f} MB; the limit is {max_total:g} MB "
                                 "(max_archive_uncompressed_mb): refused as a possible zip bomb")
    packed = sum(m.compress_size for m in members)
    # small members (under 1 MB) may compress very well without being dangerous; judge the ones that count
    for m in members:
        if m.file_size > MB and m.file_size > max_ratio * max(m.compress_size, 1):
            raise ResourceLimitError(f"member {m.filename} inflates {m.file_size / max(m.compress_size, 1):,.0f}:1; "
                                     f"the limit is {max_ratio:g}:1 (max_archive_ratio): refused as a possible zip bomb")
    if total > MB and total > max_ratio * max(packed, 1):
        raise ResourceLimitError(f"the archive inflates {total / max(packed, 1):,.0f}:1; the limit is {max_ratio:g}:1 "
                                 "(max_archive_ratio): refused as a possible zip bomb")


def check_pdf(path: Path, settings=None) -> None:
    """Page count from the page tree (no text extraction); a PDF that cannot be opened is left to the loader."""
    max_pages = _limit(settings, "max_pdf_pages", 2000)
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return  # the loader says "encrypted"
        pages = len(reader.pages)
    except Exception:  # the loader reports an unreadable PDF in its own words
        return
    if pages > max_pages:
        raise ResourceLimitError(f"the PDF has {pages} pages; the limit is {max_pages} (max_pdf_pages)")


@dataclass
class ParseBudget:
    """Pages and wall-clock seconds one file's parse may use; `tick()` between pages raises when spent."""

    name: str
    max_pages: int
    deadline: float
    seconds: float

    @classmethod
    def start(cls, path: Path, settings=None) -> ParseBudget:
        seconds = float(_limit(settings, "max_parse_seconds", 120.0))
        return cls(Path(path).name, int(_limit(settings, "max_pdf_pages", 2000)), time.monotonic() + seconds, seconds)

    def tick(self, page: int) -> None:
        if page > self.max_pages:
            raise ResourceLimitError(f"more than {self.max_pages} pages (max_pdf_pages)")
        if time.monotonic() > self.deadline:
            raise ResourceLimitError(f"parsing took longer than {self.seconds:g} s (max_parse_seconds); "
                                     f"stopped at page {page}")
