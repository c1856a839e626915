"""Write four fictional documents the product was never tuned on, in the formats staff index (blind test).

    python -m evals.blind.generate OUT_DIR

An HMIP-style inspection report PDF (cover, contents page, running header and "Page N of M" footer,
paragraph numbers hanging in the margin, footnotes at the page foot, a ratings table with domain rows),
a partnership board paper in Word (a table of quarterly figures and an action log), a saved web page
with site furniture (cookie banner, navigation, breadcrumbs, "Related links", feedback form, footer)
around a MAPPA guidance chapter, and a one-page press release PDF. Every name, place, date and figure
is invented for this test and appears in no other document of the repository.
evals/blind/questions.yaml was written from these documents before the product was run on them.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPORT = "reports/wessex-vale-pdu-inspection.pdf"
BOARD = "board/wessex-vale-rrpb-q3-performance.docx"
MAPPA = "guidance/thornbury-ridge-mappa-chapter-13.html"
PRESS = "press/merlin-lodge-press-release.pdf"

REPORT_TITLE = "An inspection of probation services in Wessex Vale PDU"
REPORT_HEADER = "Wessex Vale PDU: inspection report"
REPORT_FOOTNOTES = {  # physical page -> its footnotes
    3: [(1, "Fieldwork took place over two weeks, from 8 to 19 September 2025.")],
    5: [(2, "The staff survey was completed by 58 of the PDU's 96 staff."),
        (3, "The Fellbeck office opened in May 2023.")],
    6: [(4, "The case sample was drawn from people who started a sentence or licence between 3 and 16 March 2025.")],
}
RATINGS = [
    ("1. Organisational delivery", ""),
    ("1.1 Leadership", "Good"),
    ("1.2 Staff", "Requires improvement"),
    ("1.3 Services", "Good"),
    ("1.4 Information and facilities", "Requires improvement"),
    ("2. Case supervision", ""),
    ("2.1 Assessment", "Requires improvement"),
    ("2.2 Planning", "Inadequate"),
    ("2.3 Implementation and delivery", "Requires improvement"),
    ("2.4 Reviewing", "Inadequate"),
    ("Overall rating", "Requires improvement"),
]
ORG_PARAS = [
    ("1.1", "The head of service, Marcus Oyelaran, had been in post since January 2024 and had set clear "
            "priorities for the PDU that staff understood."),
    ("1.2", "Staff told us that they felt supported by their managers; 78 per cent of those who answered our "
            "survey said that their manager gave them regular supervision.<super>2</super>"),
    ("1.3", "At the time of fieldwork the PDU had 41 probation officers in post against a target of 52, and "
            "27 probation services officers against a target of 30."),
    ("1.4", "Workloads were high. The average caseload for a probation officer was 48 cases, and some officers "
            "held more than 60."),
    ("1.5", "The PDU shared an office with the police at Fellbeck station, which made information sharing "
            "about domestic abuse quicker.<super>3</super>"),
    ("1.6", "Interpreting services were available, but staff found the booking system slow."),
]
CASE_PARAS = [
    ("2.1", "We inspected 34 cases: 24 community sentences and 10 releases on licence.<super>4</super>"),
    ("2.2", "Assessment of the risk of harm was sufficient in 19 of the 34 cases."),
    ("2.3", "Planning was the weakest area. Only 9 of the 34 cases had a sufficient plan to manage the risk "
            "of harm to others."),
    ("2.4", "Home visits were not used enough in domestic abuse cases, and too few were unannounced."),
    ("2.5", "Reviewing did not take account of changes in people's circumstances; only 11 cases were reviewed "
            "after a significant change."),
]
CASE_TABLE = [["Type of case", "Number", "Share of sample"],
              ["Community orders", "18", "53%"],
              ["Suspended sentence orders", "6", "18%"],
              ["Licences", "10", "29%"]]



def write_report(path: Path) -> Path:
    """Six pages: cover, contents, foreword, ratings, two chapters of numbered paragraphs."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    w, h = A4
    body = ParagraphStyle("b", fontName="Times-Roman", fontSize=11, leading=14.5, spaceAfter=7)
    numbered = ParagraphStyle("n", parent=body, leftIndent=1.3 * cm, bulletIndent=0, bulletFontName="Times-Bold")
    h1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=17, leading=22, spaceAfter=10,
                        textColor=colors.HexColor("#1d4f91"))
    caption = ParagraphStyle("c", parent=body, fontName="Helvetica-Bold", fontSize=9.5)
    small = ParagraphStyle("s", parent=body, fontSize=8.5, leading=10.5)
    toc = ParagraphStyle("t", parent=body, fontName="Helvetica", fontSize=11, leading=20)
    pages = 6

    def furniture(canvas, doc):
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawRightString(w - 2 * cm, h - 1.3 * cm, REPORT_HEADER)
        canvas.line(2 * cm, h - 1.45 * cm, w - 2 * cm, h - 1.45 * cm)
        canvas.drawString(2 * cm, 1.2 * cm, "HM Inspectorate of Probation")
        canvas.drawRightString(w - 2 * cm, 1.2 * cm, f"Page {doc.page} of {pages}")
        notes = REPORT_FOOTNOTES.get(doc.page, [])
        if notes:
            y = 2.2 * cm + 11 * (len(notes) - 1)
            canvas.line(2 * cm, y + 13, 7 * cm, y + 13)
            for n, text in notes:
                canvas.setFont("Times-Roman", 6)
                canvas.drawString(2 * cm, y + 3, str(n))
                canvas.setFont("Times-Roman", 8.5)
                canvas.drawString(2 * cm + 7, y, text)
                y -= 11
        canvas.restoreState()

    frame = Frame(2 * cm, 3.4 * cm, w - 4 * cm, h - 5.4 * cm)
    doc = BaseDocTemplate(str(path), pagesize=A4, title=REPORT_TITLE, author="HM Inspectorate of Probation")
    doc.addPageTemplates([PageTemplate("p", [frame], onPage=furniture)])
    cover = ParagraphStyle("cv", fontName="Helvetica", fontSize=14, leading=20)
    s: list = [Paragraph("HM Inspectorate of Probation", cover), Spacer(1, 90),
               Paragraph(REPORT_TITLE, ParagraphStyle("tt", fontName="Helvetica-Bold", fontSize=26, leading=32,
                                                      textColor=colors.HexColor("#1d4f91"))),
               Spacer(1, 20), Paragraph("Wessex Vale Probation Delivery Unit, Ravensmoor region", cover),
               Spacer(1, 40), Paragraph("Fieldwork: September 2025", cover),
               Paragraph("Published: 11 February 2026", cover), PageBreak()]
    s += [Paragraph("Contents", h1)]
    for name, page in [("Foreword", 3), ("Ratings", 4), ("Recommendations", 4), ("1. Organisational delivery", 5),
                       ("2. Case supervision", 6)]:
        s.append(Paragraph(f"{name} {'.' * (80 - len(name))} {page}", toc))
    s.append(PageBreak())
    s += [Paragraph("Foreword", h1),
          Paragraph("This inspection is part of our programme of inspections of probation delivery units. We "
                    "inspected Wessex Vale PDU, in the Ravensmoor region, in September 2025.<super>1</super> The "
                    "PDU covers the market towns of Ambridge Cross and Fellbeck and the rural area around them.", body),
          Paragraph("Leaders had a clear plan for recovery after a period of high staff turnover, and "
                    "relationships with partners were strong. However, the quality of work to keep people safe "
                    "was not good enough in too many of the cases we inspected.", body),
          Paragraph("Overall, we have rated Wessex Vale PDU as 'Requires improvement'.", body),
          Spacer(1, 12), Paragraph("Dame Harriet Coles<br/>HM Chief Inspector of Probation", body), PageBreak()]
    grid = [["Standard", "Rating"]] + [[a, b] for a, b in RATINGS]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d4f91")),
             ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
             ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
             ("FONTSIZE", (0, 0), (-1, -1), 10)]
    for i, (_, rating) in enumerate(RATINGS, start=1):
        if not rating:
            style += [("SPAN", (0, i), (1, i)), ("FONTNAME", (0, i), (1, i), "Helvetica-Bold"),
                      ("BACKGROUND", (0, i), (1, i), colors.HexColor("#e6eef8"))]
    table = Table(grid, colWidths=[10 * cm, 5.5 * cm])
    table.setStyle(TableStyle(style))
    s += [Paragraph("Ratings", h1), Paragraph("Table 1: Ratings for Wessex Vale PDU", caption), table,
          Spacer(1, 8),
          Paragraph("Unpaid work and accredited programmes were not inspected in this programme of inspections.",
                    small),
          Spacer(1, 14), Paragraph("Recommendations", h1),
          Paragraph("Wessex Vale PDU should:", body),
          Paragraph("make sure that every plan sets out how the risk of harm to others will be managed", numbered,
                    bulletText="1."),
          Paragraph("review cases promptly when a person's circumstances change", numbered, bulletText="2."),
          Paragraph("The Ravensmoor regional probation director should:", body),
          Paragraph("agree a plan with the PDU to fill probation officer vacancies by the end of 2026", numbered,
                    bulletText="3."),
          PageBreak()]
    s += [Paragraph("1. Organisational delivery", h1)]
    s += [Paragraph(text, numbered, bulletText=n) for n, text in ORG_PARAS]
    s += [PageBreak(), Paragraph("2. Case supervision", h1)]
    s += [Paragraph(text, numbered, bulletText=n) for n, text in CASE_PARAS]
    ct = Table(CASE_TABLE, colWidths=[7 * cm, 3 * cm, 4 * cm])
    ct.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    s += [Spacer(1, 6), Paragraph("Table 2: Cases inspected by type", caption), ct]
    doc.build(s)
    return path


BOARD_TABLE = [
    ["Quarter", "Caseload", "Sentence plan within 15 working days", "Settled accommodation at end of supervision",
     "Employment at end of supervision"],
    ["Q1 (April to June 2025)", "1,518", "78%", "84%", "41%"],
    ["Q2 (July to September 2025)", "1,587", "76%", "82%", "39%"],
    ["Q3 (October to December 2025)", "1,642", "71%", "80%", "43%"],
]
ACTION_LOG = [
    ["Ref", "Action", "Owner", "Due", "Status"],
    ["A14", "Report the unpaid work hours lost to bad weather", "Delroy Hatch, Community Payback manager",
     "29 April 2026", "Open"],
    ["A15", "Write to the county council about priority on the housing register for prison leavers", "Board chair",
     "To be confirmed", "Open"],
    ["A16", "Share the accommodation dashboard with housing partners", "Priya Ramsbottom", "31 January 2026",
     "Complete"],
    ["A17", "Present the evaluation of the employment pilot", "Nadia Kovac, Employment lead", "17 June 2026", "Open"],
]


def write_board_paper(path: Path) -> Path:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = "Probation performance, quarter 3 2025-26"
    d.add_heading("Wessex Vale Reducing Reoffending Partnership Board", level=0)
    for line in ["Meeting: 18 March 2026", "Agenda item 6: Probation performance, quarter 3 2025-26",
                 "Author: Priya Ramsbottom, Head of Performance, Wessex Vale PDU", "Status: For discussion"]:
        p = d.add_paragraph()
        label, _, value = line.partition(": ")
        p.add_run(label + ": ").bold = True
        p.add_run(value)
    d.add_heading("1. Purpose", level=1)
    d.add_paragraph("1.1 This paper reports the PDU's performance for the third quarter of 2025-26 (October to "
                    "December 2025) and asks the board to note the actions agreed at the last meeting.")
    d.add_heading("2. Performance", level=1)
    d.add_paragraph("2.1 The caseload rose for the third quarter in a row, to 1,642 people at the end of "
                    "December 2025.")
    d.add_paragraph("2.2 The share of cases with a sentence plan within 15 working days fell to 71 per cent, "
                    "below the target of 80 per cent. Sickness absence in two teams is the main cause.")
    d.add_paragraph("2.3 Table 1 shows the figures for each quarter.")
    cap = d.add_paragraph()
    cap.add_run("Table 1: Performance by quarter, 2025-26").bold = True
    t = d.add_table(rows=len(BOARD_TABLE), cols=len(BOARD_TABLE[0]))
    t.style = "Table Grid"
    for r, row in enumerate(BOARD_TABLE):
        for c, val in enumerate(row):
            t.cell(r, c).text = val
            if r == 0:
                for run in t.cell(r, c).paragraphs[0].runs:
                    run.bold = True
                    run.font.size = Pt(9)
    d.add_heading("3. Risks", level=1)
    d.add_paragraph("3.1 The main risk is the vacancy rate among probation officers. Recruitment of 8 trainee "
                    "probation officers is planned for September 2026.")
    d.add_heading("4. Action log", level=1)
    d.add_paragraph("4.1 The board's open and recently completed actions are below.")
    t2 = d.add_table(rows=len(ACTION_LOG), cols=len(ACTION_LOG[0]))
    t2.style = "Table Grid"
    for r, row in enumerate(ACTION_LOG):
        for c, val in enumerate(row):
            t2.cell(r, c).text = val
    d.add_heading("5. Recommendation", level=1)
    d.add_paragraph("5.1 The board is asked to note the report and agree the revised due dates in the action log.")
    d.save(str(path))
    return path


MAPPA_PARAS = [
    ("13.1", "Level 2 management applies where the active involvement of more than one agency is required to "
             "manage the offender, but the risk management plan does not need senior oversight."),
    ("13.2", "Level 3 management applies where senior representatives of the agencies must be involved to "
             "commit resources at short notice."),
    ("13.3", "Level 2 meetings are chaired by a probation manager at senior probation officer grade or above. "
             "Level 3 meetings are chaired by the head of the PDU or a police superintendent."),
    ("13.4", "The lead agency must refer a case to level 2 or level 3 at least 6 months before the expected "
             "release date."),
    ("13.5", "Cases must be reviewed at least every 16 weeks at level 2 and at least every 8 weeks at level 3."),
    ("13.6", "Minutes must be sent to the core agencies within 10 working days of the meeting."),
    ("13.7", "A case may move down from level 3 to level 2 when the meeting agrees that senior oversight is no "
             "longer needed."),
]
MAPPA_TABLE = [["Agency", "Level 2", "Level 3"],
               ["Probation Service", "Required", "Required"],
               ["Police", "Required", "Required"],
               ["Prison Service", "Required for custody cases", "Required for custody cases"],
               ["Local authority housing", "Invited", "Required"],
               ["Children's social care", "Invited", "Invited"]]


def mappa_html() -> str:
    paras = "\n".join(f'<p class="numbered"><span class="para-no">{n}</span> {t}</p>' for n, t in MAPPA_PARAS)
    head = "".join(f"<th>{c}</th>" for c in MAPPA_TABLE[0])
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in MAPPA_TABLE[1:])
    nav = "".join(f'<li><a href="/{x.lower().replace(" ", "-")}">{x}</a></li>'
                  for x in ["Home", "About MAPPA", "Guidance", "Annual reports", "Training", "Contact us"])
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Chapter 13: Managing cases at level 2 and level 3 - Thornbury Ridge MAPPA</title>
<link rel="stylesheet" href="/assets/site.css"><script src="/assets/analytics.js"></script></head>
<body>
<div class="cookie-notice" role="region" aria-label="Cookies on this site">
<h2>Cookies on Thornbury Ridge MAPPA</h2>
<p>We use some essential cookies to make this website work. We would like to set additional cookies to understand
how you use the site.</p><button>Accept additional cookies</button> <button>Reject additional cookies</button>
<a href="/cookies">View cookies</a></div>
<a class="skip-link" href="#main">Skip to main content</a>
<header><div class="logo">Thornbury Ridge Strategic Management Board</div>
<nav aria-label="Main menu"><ul>{nav}</ul></nav>
<form action="/search" role="search"><input type="search" name="q" placeholder="Search MAPPA guidance">
<button type="submit">Search</button></form></header>
<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/guidance">Guidance</a></li><li>Chapter 13</li></ol>
<div class="layout">
<main id="main">
<h1>Chapter 13: Managing cases at level 2 and level 3</h1>
<p class="meta">Last updated: 4 November 2025</p>
<h2>Levels of management</h2>
{paras}
<h2>Who attends MAPPA meetings</h2>
<table class="data"><caption>Table 13.1: Agencies at level 2 and level 3 meetings</caption>
<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<div class="print"><a href="javascript:window.print()">Print this page</a></div>
<div class="feedback"><h2>Was this page useful?</h2><button>Yes</button><button>No</button>
<p>Report a problem with this page</p></div>
</main>
<aside class="related"><h2>Related links</h2><ul>
<li><a href="/annual-report-2024-25">MAPPA annual report 2024 to 2025: 212 level 2 and level 3 cases</a></li>
<li><a href="/guidance/chapter-12">Chapter 12: Identifying and notifying MAPPA cases</a></li>
<li><a href="/victims">Victim contact scheme</a></li></ul></aside>
</div>
<footer><ul><li><a href="/accessibility">Accessibility</a></li><li><a href="/privacy">Privacy</a></li>
<li><a href="/contact">Contact the MAPPA coordinator</a></li></ul>
<p>&copy; Thornbury Ridge Strategic Management Board 2025. All content is available under the Open Government
Licence v3.0, except where otherwise stated.</p></footer>
</body></html>
"""


PRESS_TITLE = "Merlin Lodge approved premises is a safe and well-run home, inspectors find"


def write_press_release(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=8)
    bold = ParagraphStyle("bb", parent=body, fontName="Helvetica-Bold")
    s = [Paragraph("HM Inspectorate of Probation", bold), Paragraph("PRESS RELEASE", bold),
         Paragraph("Embargoed until 00:01 Thursday 22 January 2026", body), Spacer(1, 8),
         Paragraph(PRESS_TITLE, ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=16, leading=20,
                                               spaceAfter=10)),
         Paragraph("Merlin Lodge, a 22-bed approved premises in Ravensmoor for men released from prison, has been "
                   "rated 'Good' by HM Inspectorate of Probation.", body),
         Paragraph("Inspectors found that residents were well supported and that staff knew the risks each resident "
                   "posed. Night cover had improved since the last inspection, with two waking staff on duty every "
                   "night.", body),
         Paragraph("HM Chief Inspector of Probation, Dame Harriet Coles, said: \u201cMerlin Lodge gives men leaving "
                   "prison a stable start. I was impressed by the key work sessions, which were held at least "
                   "weekly.\u201d", body),
         Paragraph("However, inspectors found that the building needed repairs, and that residents waited too long "
                   "for mental health assessments.", body),
         Paragraph("ENDS", bold), Paragraph("Notes to editors", bold),
         Paragraph("1. The inspection took place in October 2025.", body),
         Paragraph("2. The approved premises is managed by the Probation Service in the Ravensmoor region.", body),
         Paragraph("3. The full report will be published on the Inspectorate's website on 22 January 2026.", body)]
    SimpleDocTemplate(str(path), pagesize=A4, title=PRESS_TITLE).build(s)
    return path


MANIFEST = """documents:
  reports/wessex-vale-pdu-inspection.pdf: {doc_type: inspection_report}
  board/wessex-vale-rrpb-q3-performance.docx: {doc_type: board_paper}
  guidance/thornbury-ridge-mappa-chapter-13.html: {doc_type: mappa_guidance}
  press/merlin-lodge-press-release.pdf: {doc_type: inspection_report}
"""


def build(out: Path) -> Path:
    """Write the four documents and a manifest that gives only each file's type (what staff would fill in)."""
    out = Path(out)
    for rel in (REPORT, BOARD, MAPPA, PRESS):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
    write_report(out / REPORT)
    write_board_paper(out / BOARD)
    (out / MAPPA).write_text(mappa_html(), encoding="utf-8")
    write_press_release(out / PRESS)
    (out / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m evals.blind.generate OUT_DIR")
    print(build(Path(sys.argv[1])))
