"""Small fictional documents in the formats staff really index, built at test time (issue 12).

Every sentence, body and figure here is invented. The PDF report has what the inspectorate's PDFs
have: a cover (title, body, fieldwork month, publication date), a contents page with dot leaders,
running header and footer with page numbers, headings in a larger bold font, numbered paragraphs,
footnotes with superscript markers, a drawn ratings table with a scoring note, a data table, a
two-column page and an image-only (scanned) page.
"""

from __future__ import annotations

from pathlib import Path

BODY = "Northvale PDU"
TITLE = "An inspection of probation services in Northvale PDU"
FIELDWORK = "March 2024"
PUBLISHED = "14 June 2024"
RUNNING_HEADER = "Inspection of probation services: Northvale PDU"
RATINGS = [
    ("1. Organisational delivery", None),
    ("1.1 Leadership", "Good"),
    ("1.2 Staffing", "Requires improvement"),
    ("1.3 Services", "Inadequate"),
    ("2. Court work and case supervision", None),
    ("2.1 Assessment", "Good"),
    ("2.2 Planning", "Inadequate"),
    ("2.3 Implementation and delivery", "Requires improvement"),
    ("2.4 Reviewing", "Not inspected"),
]
OVERALL = "Requires improvement"
SCORING_NOTE = ("Each standard is scored from 0 to 3. A total of 0 to 6 gives an overall rating of Inadequate; "
                "7 to 12 Requires improvement; 13 to 18 Good; 19 to 24 Outstanding.")
SCANNED_SENTENCE = "The courtyard garden project placed fourteen people on unpaid work in Ashby Wharf"
TWO_COL_LEFT = ("Victim liaison officers in Northvale contacted every eligible victim within the statutory "
                "period. The team kept careful records of each contact and the outcome of each call. ")
TWO_COL_RIGHT = ("Sentence management staff reported that the regional caseload tool was slow and often "
                 "unavailable on Mondays. Managers escalated the problem to the regional digital team. ")
DATA_TABLE = [["Quarter", "Referrals", "Completions", "Completion rate"],
              ["Q1 2023", "118", "87", "74%"],
              ["Q2 2023", "131", "102", "78%"],
              ["Q3 2023", "124", "79", "64%"]]
FOOTNOTE_1 = "Reoffending data for the cohort released in 2021, published by the Ministry in 2023."
FOOTNOTE_2 = "The unit moved to a new office on Mill Lane in January 2024."


def _scan_image(path: Path, lines: list[str]) -> None:
    """An A4 page at 150 dpi with text drawn as pixels only: what a scanner produces."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 24)
    except OSError:
        font = ImageFont.load_default(size=24)
    y = 200
    for line in lines:
        draw.text((120, y), line, font=font, fill=0)
        y += 48
    img.save(path)


def build_report_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        Image,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10, leading=13)
    h1 = ParagraphStyle("h1", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=8, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=24, leading=30)
    cover = ParagraphStyle("cover", parent=body, fontSize=13, leading=18)
    note = ParagraphStyle("note", parent=body, fontSize=8, leading=10)
    toc = ParagraphStyle("toc", parent=body, fontSize=10, leading=16)
    width, height = A4

    def furniture(canvas, doc):
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(56, height - 36, RUNNING_HEADER)
        canvas.drawRightString(width - 56, 30, f"Page {doc.page}")
        canvas.restoreState()

    frame = Frame(56, 56, width - 112, height - 112, id="one")
    left = Frame(56, 56, (width - 112) / 2 - 12, height - 112, id="left")
    right = Frame(56 + (width - 112) / 2 + 12, 56, (width - 112) / 2 - 12, height - 112, id="right")
    doc = BaseDocTemplate(str(path), pagesize=A4, title=TITLE)
    doc.addPageTemplates([PageTemplate("one", [frame], onPage=furniture),
                          PageTemplate("two", [left, right], onPage=furniture)])

    def footnote_page(story, paras, notes):
        """Paragraphs, then the page's footnotes in small type after a rule at the bottom."""
        story.extend(paras)
        story.append(Spacer(1, 300))
        for n, text in notes:
            story.append(Paragraph(f"{n} {text}", note))
        story.append(PageBreak())

    s: list = []
    s += [Spacer(1, 120), Paragraph(TITLE, title), Spacer(1, 24),
          Paragraph(f"An inspection by HM Inspectorate of Probation of {BODY}", cover),
          Paragraph(f"Fieldwork: {FIELDWORK}", cover), Paragraph(f"Published: {PUBLISHED}", cover), PageBreak()]
    s += [Paragraph("Contents", h1)]
    for name, page in [("Foreword", 3), ("Ratings", 4), ("1. Organisational delivery", 5), ("Annexe: referrals", 6)]:
        s.append(Paragraph(f"{name} {'.' * (90 - len(name))} {page}", toc))
    s.append(PageBreak())
    footnote_page(s, [
        Paragraph("Foreword", h1),
        Paragraph("1.1 Inspectors found that the unit had worked hard to cut reoffending.<super>1</super> "
                  "Staff morale was improving but workloads remained high across every team.", body),
        Paragraph("1.2 The unit moved premises during the inspection year.<super>2</super> "
                  "Leaders kept services running throughout the move.", body),
    ], [(1, FOOTNOTE_1), (2, FOOTNOTE_2)])
    grid = [["Standard", "Rating"]] + [[n, r or ""] for n, r in RATINGS] + [["Overall rating", OVERALL]]
    t = Table(grid, colWidths=[300, 150])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    s += [Paragraph("Ratings", h1), Paragraph(f"Table 1: Ratings for {BODY}", body), Spacer(1, 6), t, Spacer(1, 10),
          Paragraph(SCORING_NOTE, note), PageBreak()]
    s += [Paragraph("1. Organisational delivery", h1), Paragraph("Leadership", h2),
          Paragraph("2.1 The head of service set a clear vision that staff understood and shared. "
                    "Partnership work with the police was strong.", body), PageBreak()]
    dt = Table(DATA_TABLE)
    dt.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    s += [Paragraph("Annexe: referrals", h1), Paragraph("Table 2: Accredited programme referrals in 2023", body),
          Spacer(1, 6), dt, NextPageTemplate("two"), PageBreak()]
    s += [Paragraph("Victim work", h2)] + [Paragraph(TWO_COL_LEFT * 3, body)] + [FrameBreak()] + \
         [Paragraph("Digital tools", h2), Paragraph(TWO_COL_RIGHT * 3, body)] + [NextPageTemplate("one"), PageBreak()]
    img = path.with_suffix(".scan.png")
    _scan_image(img, ["Annexe: unpaid work", "", SCANNED_SENTENCE + ".", "Most placements were completed on time."])
    s += [Image(str(img), width=width - 112, height=(height - 112) * 0.95)]
    doc.build(s)
    return path


BOARD_PAGE_TITLE = "Southmoor Reducing Reoffending Board: performance report, quarter 2"
COOKIE_TEXT = "We use cookies to make this site work. Accept all cookies or manage your preferences."
NAV_ITEMS = ["Home", "About the board", "Publications", "Meetings", "Contact us"]
HTML_TABLE_ROWS = [("Accommodation", "Settled accommodation at release", "61%", "67%"),
                   ("Accommodation", "Rough sleeping on release", "4%", "3%"),
                   ("Employment", "In work six weeks after release", "18%", "23%")]


def board_page_html() -> str:
    """A saved council web page: cookie banner, navigation, search form, breadcrumbs, the paper, a footer.
    The table has a rowspan (pathway) and a colspan (the two quarters under one heading)."""
    nav = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(NAV_ITEMS))
    rows = (f'<tr><td rowspan="2">Accommodation</td><td>{HTML_TABLE_ROWS[0][1]}</td><td>{HTML_TABLE_ROWS[0][2]}</td>'
            f'<td>{HTML_TABLE_ROWS[0][3]}</td></tr>'
            f'<tr><td>{HTML_TABLE_ROWS[1][1]}</td><td>{HTML_TABLE_ROWS[1][2]}</td><td>{HTML_TABLE_ROWS[1][3]}</td></tr>'
            f'<tr><td>Employment</td><td>{HTML_TABLE_ROWS[2][1]}</td><td>{HTML_TABLE_ROWS[2][2]}</td>'
            f'<td>{HTML_TABLE_ROWS[2][3]}</td></tr>')
    return f"""<!DOCTYPE html><html lang="en"><head><title>{BOARD_PAGE_TITLE} | Southmoor Council</title>
<meta charset="utf-8"><script>var tracking = 1;</script><style>.x{{color:red}}</style></head>
<body>
<div id="cookie-banner" class="cookie-banner"><p>{COOKIE_TEXT}</p><button>Accept all cookies</button>
<button>Reject additional cookies</button></div>
<header class="site-header"><a href="/">Southmoor Council</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search" action="/search"><label for="q">Search this site</label><input id="q" name="q"><button>Search</button></form>
</header>
<div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/publications">Publications</a> &gt; Board papers</div>
<main id="content"><article>
<h1>{BOARD_PAGE_TITLE}</h1>
<p>Published 3 October 2023</p>
<h2>Summary</h2>
<p>The board received the second quarter performance report for the resettlement pathways. Settled
accommodation on the day of release rose for the third quarter in a row, helped by the new tenancy
sustainment service run with two housing associations in the north of the county.</p>
<p>Employment six weeks after release also improved, although it remains below the regional average.
Members asked officers to report on the job coach pilot at the next meeting.</p>
<h2>Resettlement outcomes</h2>
<table><caption>Table 1: Resettlement outcomes by pathway</caption>
<thead><tr><th rowspan="2">Pathway</th><th rowspan="2">Measure</th><th colspan="2">Share of releases</th></tr>
<tr><th>Quarter 1</th><th>Quarter 2</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Decisions</h2>
<ul><li>The board noted the report.</li><li>Officers will bring the job coach evaluation to the January meeting.</li></ul>
</article></main>
<footer class="site-footer"><p>Southmoor Council, County Hall, Southmoor. Copyright 2023.</p>
<ul><li><a href="/accessibility">Accessibility statement</a></li><li><a href="/privacy">Privacy notice</a></li></ul></footer>
</body></html>"""


# --- reading a file the way ingest does, on this code or on the code before issue 12 -------------------

def read_file(path: Path, corpus: Path, manifest: dict, ocr: str = "auto", min_words: int = 80, max_words: int = 200):
    """What ingest makes of one file: blocks, notes, metadata, passages and ratings.

    Written against the public steps of the pipeline so the same tests run on the reader before issue 12
    (load_pages -> clean_pages -> chunk_blocks -> extract_ratings(passages)), where they must fail for the
    failure they describe, not for a missing name."""
    from types import SimpleNamespace

    from assistant.ingest.chunk import chunk_blocks
    from assistant.ingest.metadata import resolve_metadata
    from assistant.models import Passage
    from assistant.ratings import extract_ratings

    try:
        from assistant.ingest.load import load_document
    except ImportError:  # the reader before issue 12
        from assistant.ingest.clean import clean_pages
        from assistant.ingest.load import load_pages

        blocks, notes = clean_pages(load_pages(path)), []
    else:
        doc = load_document(path, ocr_setting=ocr)
        blocks, notes = doc.blocks, doc.notes
    meta = resolve_metadata(path, corpus, manifest, blocks)
    nodes = chunk_blocks(blocks, meta, min_words, max_words)
    fields = set(Passage.model_fields)
    passages = [Passage(id=n.id_, text=n.text, **{k: n.metadata.get(k) for k in (
        "doc_id", "title", "doc_type", "published", "page", "section", "paragraph", "table") if k in fields})
        for n in nodes]
    try:
        ratings = extract_ratings(passages, blocks, meta)
    except TypeError:
        ratings = extract_ratings(passages)
    return SimpleNamespace(blocks=blocks, notes=notes, meta=meta, passages=passages, ratings=ratings)


def assert_refused_naming(answer, missing: str) -> None:
    """A no-answer that says what the documents lack, then lists the nearest passages."""
    assert answer.status == "no_answer", answer.answer
    assert missing in answer.answer and answer.citations, answer.answer


def service_over(tmp_path_factory, name: str, files: dict):
    """A real Service over a fresh corpus of `files` (path in the corpus -> its text, a dict written as YAML (a
    manifest), or a function writing the file at that path), ingested: the module fixtures' common shape."""
    import yaml

    tmp = tmp_path_factory.mktemp(name)
    corpus = tmp / "corpus"
    corpus.mkdir()
    for rel, content in files.items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        else:
            path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
    return indexed_service(corpus, tmp / "indexes")


def indexed_service(corpus: Path, index_dir: Path):
    """A real Service over `corpus` (OCR off), ingested, every file read: the module fixtures' common end."""
    from assistant.config import Settings
    from assistant.service import Service

    service = Service(Settings(corpus_dir=corpus, index_dir=index_dir, ocr="off"))
    report = service.ingest()
    assert not report.failed, report.failed
    return service
