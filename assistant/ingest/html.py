"""Web pages: the main content only (readability-lxml), read into blocks with tables kept whole.

Measured on a saved council page with a cookie banner, navigation, a search form, breadcrumbs and a
footer (tests/realdocs.py, benchmarks/RESULTS.md): both readability-lxml and trafilatura drop the
boilerplate, but trafilatura rewrites tables and loses rowspan/colspan (the caption becomes a row, a
spanned cell goes blank), while readability keeps the article's own markup, so the table's grid can be
rebuilt exactly. Elements that are boilerplate by name (nav, header, footer, form, cookie banners,
breadcrumbs) are removed first, so a page readability cannot score still never indexes them.
"""

from __future__ import annotations

import re

from assistant.ingest.clean import _NUMBERED_RE, Block
from assistant.ingest.tables import Table, html_grid, is_data_table, normalise_grid

_BOILERPLATE_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "form", "aside", "button",
                     "iframe", "svg", "template"]
_BOILERPLATE_NAMES = re.compile(r"cookie|consent|banner|breadcrumb|skip-link|skiplink|site-search|newsletter|"
                                r"share|social|menu|masthead|footer|navbar|sidebar", re.IGNORECASE)
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "pre", "blockquote", "dt", "dd"]


def strip_boilerplate(html: str):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_BOILERPLATE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None or tag.name in ("html", "body", "main", "article"):
            continue
        names = " ".join([str(tag.get("id") or ""), *(tag.get("class") or []), str(tag.get("role") or "")])
        if names.strip() and _BOILERPLATE_NAMES.search(names):
            tag.decompose()
    return soup


def main_content_html(html: str) -> str:
    """The page's main content as HTML: boilerplate by name removed, then readability's article."""
    from readability import Document

    soup = strip_boilerplate(html)
    cleaned = str(soup)
    try:
        summary = Document(cleaned).summary(html_partial=True)
    except Exception:  # readability gives up on odd pages: the pre-cleaned page is still free of boilerplate
        return cleaned
    kept = len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", summary)))
    total = len(re.findall(r"\w+", soup.get_text(" ")))
    # readability sometimes keeps one block of a short page; then the pre-cleaned page is the better read
    return summary if kept >= 0.5 * total else cleaned


def html_blocks(html: str) -> tuple[list[Block], str | None]:
    """Blocks in page order, headings as sections; also the page's <title> (site name removed)."""
    from bs4 import BeautifulSoup

    title = None
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    if m:
        title = " ".join(re.split(r"\s[|–—-]\s", BeautifulSoup(m.group(1), "lxml").get_text())[0].split()) or None
    soup = BeautifulSoup(main_content_html(html), "lxml")
    blocks: list[Block] = []
    section: str | None = None
    for el in soup.find_all(_BLOCK_TAGS):
        if el.name != "table" and el.find_parent("table") is not None:
            continue
        if el.name in ("p", "pre") and el.find_parent(["li", "blockquote", "dd"]) is not None:
            continue
        if el.name == "table":
            if el.find_parent("table") is not None:
                continue
            grid, header_rows = html_grid(el)
            grid = normalise_grid(grid)
            if not is_data_table(grid):
                text = " ".join(" ".join(r) for r in grid).strip()
                if text:
                    blocks.append(Block(kind="text", text=text, section=section))
                continue
            caption_el = el.find("caption")
            caption = " ".join(caption_el.get_text(" ").split()) if caption_el else None
            table = Table(rows=grid, header_rows=header_rows or 1, caption=caption, section=section)
            blocks.append(Block(kind="table", text=caption or section or "Table", section=section, table=table))
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name[0] == "h":
            section = text
            blocks.append(Block(kind="heading", text=text, section=section))
        elif el.name == "li":
            blocks.append(Block(kind="bullet", text=text, section=section, level=1))
        elif m := _NUMBERED_RE.match(text):  # "13.4 The lead agency must ...": cited by its number, as in Word
            blocks.append(Block(kind="para", text=text[m.end():], section=section, number=m.group(1)))
        else:
            blocks.append(Block(kind="text", text=text, section=section))
    return blocks, title
