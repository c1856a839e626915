"""Read a file into pages of text. Each loader keeps page numbers where the format has them."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}


class LoadError(Exception):
    """A file that cannot be read: the message says why, in words a user can act on."""


def load_pages(path: Path, max_bytes: int | None = None, budget=None) -> list[tuple[int | None, str]]:
    """`budget` (assistant.ingest.limits.ParseBudget) is ticked page by page: over it, the parse stops."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("the file is empty")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB")
    if suffix == ".pdf":
        pages = _load_pdf(path, budget)
    elif suffix == ".docx":
        pages = _load_docx(path)
    elif suffix in (".html", ".htm"):
        pages = [(None, _html_to_text(_read_text(path)))]
    else:
        pages = [(None, _read_text(path))]
    if not any(text.strip() for _, text in pages):
        raise LoadError("no text could be extracted (a scanned PDF needs OCR first)")
    return pages


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise LoadError("the file looks binary, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError("the text is in an unreadable encoding (not UTF-8 or Windows-1252)")


def _load_pdf(path: Path, budget=None) -> list[tuple[int | None, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise LoadError("the PDF is encrypted")
        pages = []
        for i, page in enumerate(reader.pages):
            if budget is not None:
                budget.tick(i + 1)
            pages.append((i + 1, page.extract_text() or ""))
        return pages
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"the PDF could not be read ({exc.__class__.__name__}: {exc})") from exc


def _load_docx(path: Path) -> list[tuple[int | None, str]]:
    """Body paragraphs only (headers and footers live elsewhere in DOCX); explicit page breaks count pages."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"the DOCX could not be read ({exc.__class__.__name__})") from exc
    pages: list[list[str]] = [[]]
    for para in document.paragraphs:
        breaks = sum(1 for br in para._p.iter(qn("w:br")) if br.get(qn("w:type")) == "page")
        text = para.text.strip()
        style = (para.style.name or "").lower() if para.style is not None else ""
        if text:
            if style.startswith("list") and not text[:1].isdigit():
                text = "• " + text
            pages[-1].append(text)
            pages[-1].append("")
        for _ in range(breaks):
            pages.append([])
    numbered = len(pages) > 1
    return [((i + 1) if numbered else None, "\n".join(lines)) for i, lines in enumerate(pages) if lines]


def _html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form"]):
        tag.decompose()
    lines: list[str] = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote"]):
        if el.find_parent(["li", "td", "th", "blockquote"]) is not None and el.name == "p":
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name == "li" and el.find_parent("ol") is None:
            text = "• " + text
        elif el.name == "li":
            text = f"{len(el.find_previous_siblings('li')) + 1}. {text}"
        lines.extend([text, ""])
    if not lines:
        lines = [soup.get_text("\n", strip=True)]
    return "\n".join(lines)
