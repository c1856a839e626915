"""One HMIP-style inspection report as a PDF, laid out the way the inspectorate publishes them.

Cover, contents page with dot leaders, running header and footer, numbered paragraphs under bold
headings, footnotes at the page foot, a drawn ratings table with the scoring note that explains the
scale, a data table that runs over a page break, a two-column page, a glossary and a scanned
(image-only, no text layer) letter. Every sentence is fictional and written for this generator.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from evals.library.truth import BANDS, DOMAINS, NOT_INSPECTED, ReportSpec

W, H = A4
MARGIN = 2.2 * cm
BOTTOM = 3.4 * cm  # room for footnotes above the footer
INSPECTORATE = "HM Inspectorate of Probation"

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5, spaceAfter=6)
NUMBERED = ParagraphStyle("numbered", parent=BODY, leftIndent=1.1 * cm, firstLineIndent=-1.1 * cm)
H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=4, spaceAfter=10,
                    textColor=colors.HexColor("#1d3557"))
H2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=8, spaceAfter=5,
                    textColor=colors.HexColor("#1d3557"))
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10.5)
CELL_B = ParagraphStyle("cellb", parent=CELL, fontName="Helvetica-Bold")
CAPTION = ParagraphStyle("caption", parent=BODY, fontName="Helvetica-Oblique", fontSize=9, leading=11)
NOTE = ParagraphStyle("note", parent=BODY, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333"))
RATING_COLOURS = {"Outstanding": "#2a9d8f", "Good": "#8ab17d", "Requires improvement": "#e9c46a",
                  "Inadequate": "#e76f51", NOT_INSPECTED: "#d9d9d9"}


class Heading(Paragraph):
    """A heading that the contents page lists (its page is recorded on the first pass)."""

    def __init__(self, text: str, style=H1, toc: str | None = None):
        super().__init__(text, style)
        self.toc_title = toc or text


class FootnoteAnchor(Flowable):
    """Zero-size marker: the footnote it carries is printed at the foot of the page it lands on."""

    def __init__(self, number: int, text: str):
        super().__init__()
        self.number, self.text = number, text
        self.width = self.height = 0

    def draw(self):
        pass


class ContentsLine(Flowable):
    """'Title . . . . . . 7': the contents line with dot leaders, as printed reports have."""

    def __init__(self, title: str, page: int | None, indent: float = 0):
        super().__init__()
        self.title, self.page, self.indent = title, page, indent
        self.width, self.height = W - 2 * MARGIN, 16

    def draw(self):
        c = self.canv
        c.setFont("Helvetica", 10.5)
        c.drawString(self.indent, 3, self.title)
        num = str(self.page or "")
        c.drawRightString(self.width, 3, num)
        start = self.indent + stringWidth(self.title, "Helvetica", 10.5) + 6
        end = self.width - stringWidth(num, "Helvetica", 10.5) - 6
        dot = stringWidth(" .", "Helvetica", 10.5)
        n = max(0, int((end - start) / dot))
        c.drawRightString(end, 3, " ." * n)


class ReportDoc(BaseDocTemplate):
    def __init__(self, target, spec: ReportSpec, toc_pages: dict[str, int]):
        super().__init__(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=2.4 * cm,
                         bottomMargin=BOTTOM, title=spec.title, author=INSPECTORATE,
                         subject=f"Inspection of {spec.body}", creator="evals.library generator")
        self.spec = spec
        self.toc_pages = toc_pages          # from the first pass
        self.found_pages: dict[str, int] = {}
        self.footnotes: dict[int, list[FootnoteAnchor]] = {}
        fw = W - 2 * MARGIN
        fh = H - 2.4 * cm - BOTTOM
        gap = 0.8 * cm
        colw = (fw - gap) / 2
        self.addPageTemplates([
            PageTemplate("cover", [Frame(MARGIN, BOTTOM, fw, fh, id="cover")], onPage=self._cover_band),
            PageTemplate("one", [Frame(MARGIN, BOTTOM, fw, fh, id="main")], onPage=self._furniture,
                         onPageEnd=self._footnotes),
            PageTemplate("two", [Frame(MARGIN, BOTTOM, colw, fh, id="left"),
                                 Frame(MARGIN + colw + gap, BOTTOM, colw, fh, id="right")],
                         onPage=self._furniture, onPageEnd=self._footnotes),
            PageTemplate("scan", [Frame(0, 0, W, H, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                                        id="scan")]),
        ])

    def afterFlowable(self, flowable):
        if isinstance(flowable, (Heading, _TocMark)):
            self.found_pages.setdefault(flowable.toc_title, self.page)
        elif isinstance(flowable, FootnoteAnchor):
            self.footnotes.setdefault(self.page, []).append(flowable)

    def _cover_band(self, canv, doc):
        canv.saveState()
        canv.setFillColor(colors.HexColor("#1d3557"))
        canv.rect(0, H - 5 * cm, W, 5 * cm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont("Helvetica-Bold", 20)
        canv.drawString(MARGIN, H - 2.6 * cm, INSPECTORATE)
        canv.restoreState()

    def _furniture(self, canv, doc):
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.setFillColor(colors.HexColor("#555555"))
        canv.drawString(MARGIN, H - 1.3 * cm, f"Inspection of probation services: {self.spec.body}")
        canv.drawRightString(W - MARGIN, H - 1.3 * cm, INSPECTORATE)
        canv.line(MARGIN, H - 1.45 * cm, W - MARGIN, H - 1.45 * cm)
        canv.drawString(MARGIN, 1.1 * cm, f"Published {self.spec.published_text}")
        canv.drawRightString(W - MARGIN, 1.1 * cm, f"Page {doc.page}")
        canv.restoreState()

    def _footnotes(self, canv, doc):
        notes = self.footnotes.get(doc.page)
        if not notes:
            return
        canv.saveState()
        y = BOTTOM - 0.5 * cm
        canv.line(MARGIN, y + 0.25 * cm, MARGIN + 5 * cm, y + 0.25 * cm)
        for fn in notes:
            p = Paragraph(f"<super>{fn.number}</super> {fn.text}", NOTE)
            _, h = p.wrap(W - 2 * MARGIN, 3 * cm)
            p.drawOn(canv, MARGIN, y - h + 0.1 * cm)
            y -= h + 1
        canv.restoreState()


def _para(number: str, text: str) -> Paragraph:
    return Paragraph(f"{number}&nbsp;&nbsp;&nbsp;{text}", NUMBERED)


def scanned_letter_png(spec: ReportSpec, dpi: int = 150) -> bytes:
    """A letter from the head of the PDU, as a slightly skewed greyish scan (PNG bytes, no text layer)."""
    w, h = int(8.27 * dpi), int(11.69 * dpi)
    img = PILImage.new("L", (w, h), 246)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=int(dpi * 0.16))
    bold = ImageFont.load_default(size=int(dpi * 0.2))
    old, new, when = spec.office_move
    lines = [
        (bold, f"{spec.body}"),
        (font, f"Office of the Head of Service, {spec.region} region"),
        (font, ""),
        (font, f"Dear {spec.lead_inspector},"),
        (font, ""),
        (font, "Thank you for sharing the draft report with us. We accept each of the"),
        (font, "recommendations and our improvement plan will be ready within eight weeks."),
        (font, ""),
        (font, "I would like to add one practical change that was agreed after your fieldwork."),
        (font, f"Our office at {old} will close on {when}"),
        (font, f"and the staff based there will move to {new}."),
        (font, "People on probation will be told of the change at their next appointment,"),
        (font, "and reporting by telephone will be offered for the first two weeks."),
        (font, ""),
        (font, "Yours sincerely,"),
        (font, ""),
        (font, spec.head),
        (font, f"Head of {spec.short}"),
    ]
    y = int(dpi * 1.2)
    x = int(dpi * 1.0)
    for f, text in lines:
        draw.text((x, y), text, fill=25, font=f)
        y += int(f.size * 1.55)
    img = img.rotate(0.6, resample=PILImage.BICUBIC, fillcolor=246)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=3)
    return buf.getvalue()


def ratings_table(spec: ReportSpec) -> Table:
    rows: list[list] = [[Paragraph("Standard", CELL_B), Paragraph("Rating", CELL_B)]]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#1d3557")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#cfd8e3")),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for dnum, dname, stds in DOMAINS:
        rows.append([Paragraph(f"Domain {dnum}: {dname}", CELL_B), ""])
        style += [("SPAN", (0, len(rows) - 1), (1, len(rows) - 1)),
                  ("BACKGROUND", (0, len(rows) - 1), (1, len(rows) - 1), colors.HexColor("#eef1f5"))]
        for num, name in stds:
            rating = spec.ratings[f"{num} {name}"]
            rows.append([Paragraph(f"{num} {name}", CELL), Paragraph(rating, CELL)])
            style.append(("BACKGROUND", (1, len(rows) - 1), (1, len(rows) - 1),
                          colors.HexColor(RATING_COLOURS[rating])))
    rows.append([Paragraph("Overall rating", CELL_B), Paragraph(spec.overall, CELL_B)])
    style.append(("BACKGROUND", (1, len(rows) - 1), (1, len(rows) - 1), colors.HexColor(RATING_COLOURS[spec.overall])))
    rows.append([Paragraph("Total score", CELL_B), Paragraph(f"{spec.score} out of 30", CELL_B)])
    return Table(rows, colWidths=[10 * cm, 5.5 * cm], style=TableStyle(style), hAlign="LEFT")


def data_table(spec: ReportSpec) -> Table:
    head = ["Team", "Cases supervised", "High or very high risk of serious harm", "Probation officers (FTE)",
            "PSOs (FTE)", "Vacancies (FTE)", "Cases per officer"]
    rows = [[Paragraph(h, CELL_B) for h in head]]
    for t in spec.teams:
        rows.append([Paragraph(t.name, CELL), str(t.cases), str(t.high_risk), f"{t.pos_fte:.1f}", f"{t.psos_fte:.1f}",
                     f"{t.vacancies_fte:.1f}", f"{t.caseload_per_officer:.1f}"])
    tot = spec.teams
    cases = sum(t.cases for t in tot)
    pos = sum(t.pos_fte for t in tot)
    psos = sum(t.psos_fte for t in tot)
    rows.append([Paragraph("Total", CELL_B), str(cases), str(sum(t.high_risk for t in tot)), f"{pos:.1f}",
                 f"{psos:.1f}", f"{sum(t.vacancies_fte for t in tot):.1f}", f"{cases / (pos + psos):.1f}"])
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#cfd8e3")),
                        ("FONT", (1, 1), (-1, -1), "Helvetica", 8.5),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
    return Table(rows, colWidths=[3.8 * cm, 2.4 * cm, 2.6 * cm, 2.1 * cm, 1.6 * cm, 2.1 * cm, 1.9 * cm],
                 style=style, repeatRows=1, hAlign="LEFT")


def _story(spec: ReportSpec, toc_pages: dict[str, int], rng: random.Random) -> list:
    s = spec
    r = s.ratings
    story: list = []
    fn_counter = [0]

    def fn(text: str) -> tuple[str, FootnoteAnchor]:
        fn_counter[0] += 1
        n = fn_counter[0]
        return f"<super>{n}</super>", FootnoteAnchor(n, text)

    # --- cover
    cover_title = ParagraphStyle("ct", fontName="Helvetica-Bold", fontSize=24, leading=30, spaceAfter=18)
    cover_sub = ParagraphStyle("cs", fontName="Helvetica", fontSize=13, leading=18, spaceAfter=8)
    story += [Spacer(1, 4 * cm), Paragraph("An inspection of probation services in:", cover_sub),
              Paragraph(s.body, cover_title),
              Paragraph(f"{s.region} region", cover_sub),
              Spacer(1, 1.5 * cm),
              Paragraph(f"Fieldwork: {s.fieldwork_text}", cover_sub),
              Paragraph(f"Date of publication: {s.published_text}", cover_sub),
              Spacer(1, 3 * cm),
              Paragraph(f"Lead inspector: {s.lead_inspector}", cover_sub),
              NextPageTemplate("one"), PageBreak()]

    # --- contents
    toc_entries = ["Foreword", "Ratings", "1. Overall findings and recommendations", "2. Organisational delivery",
                   "3. Case supervision", "4. Unpaid work and accredited programmes"]
    if s.case_example_pages:
        toc_entries.append("5. Case examples")
    toc_entries += ["Annex 1: Glossary", "Annex 2: Response from the head of the PDU"]
    story.append(Paragraph("Contents", H1))
    for entry in toc_entries:
        story.append(ContentsLine(entry, toc_pages.get(entry), indent=0))
    story.append(PageBreak())

    # --- foreword (prose restating ratings)
    m1, a1 = fn(f"The {s.strategy} sets the partnership's priorities; it was agreed by the local reducing "
                f"reoffending board before our fieldwork.")
    story += [Heading("Foreword"),
              Paragraph(f"This report sets out what we found when we inspected {s.body} in the {s.region} region in "
                        f"{s.fieldwork_text}. The PDU supervises about {s.total_cases:,} people on community "
                        f"sentences and on licence after release from custody.", BODY),
              Paragraph(f"Overall, we rated {s.short} as '{s.overall}'. Leadership was rated "
                        f"'{r['1.1 Leadership']}'. In case supervision, we rated planning '{r['2.2 Planning']}' and the "
                        f"quality of reviewing '{r['2.4 Reviewing']}'.", BODY),
              Paragraph(f"Leaders have a clear view of the risks in their area and work with partners to the local "
                        f"plan{m1}. Staff told us that they felt supported by their managers, although workloads "
                        f"remained high in several teams.", BODY), a1,
              Paragraph(f"We make {s.recommendations} recommendations. The head of the PDU, {s.head}, has "
                        f"accepted all of them.", BODY),
              PageBreak()]

    # --- ratings page
    bands = "; ".join(f"a total of {lo} to {hi} gives an overall rating of {rating}" for lo, hi, rating in BANDS)
    story += [Heading("Ratings"),
              Paragraph(f"Ratings for {s.body}, fieldwork completed {s.fieldwork_text}.", CAPTION),
              Spacer(1, 4), ratings_table(s), Spacer(1, 12),
              Paragraph("How the overall rating is worked out", H2),
              Paragraph("Each standard is scored on a four-point scale: Inadequate scores 0, Requires improvement "
                        "scores 1, Good scores 2 and Outstanding scores 3. The scores for the ten standards are "
                        f"added together: {bands}. A standard that was not inspected scores 0 and the bands are not "
                        "adjusted.", NOTE),
              PageBreak()]

    # --- chapter 1
    story.append(Heading("1. Overall findings and recommendations"))
    paras = [
        f"{s.short} is one of the probation delivery units in the {s.region} region. Its offices serve a mixed "
        f"area of towns and villages, and the PDU works with two magistrates' courts and one Crown Court.",
        f"Inspectors examined the quality of work in a sample of cases that started during the twelve months "
        f"before the fieldwork in {s.fieldwork_text}.",
        "The ratings for each standard are set out in the ratings table at the front of this report. Only some "
        "of them are discussed in the chapters that follow.",
        "Practitioners in most teams knew the people they supervised well, and people on probation told us that "
        "they were treated fairly.",
        f"The PDU works closely with {s.partner}, which provides a named worker for people in the highest risk "
        f"cases.",
    ]
    for i, text in enumerate(paras, 1):
        story.append(_para(f"1.{i}", text))
    story.append(Paragraph("Recommendations", H2))
    story.append(Paragraph(f"{s.short} should:", BODY))
    recs = ["make sure that every plan says how risk of serious harm will be managed",
            "reduce the number of cases held by probation services officers that need a probation officer",
            "review the quality of home visits in domestic abuse cases",
            "improve the recording of contact with children's social care",
            "give staff regular, recorded management oversight of their highest risk cases",
            "make better use of the women's centre for women on community sentences",
            "set clear timescales for reviewing plans after a significant change",
            "check that unpaid work placements start within seven working days of sentence",
            "share the results of audits with practitioners"]
    for i, text in enumerate(recs[:s.recommendations], 1):
        story.append(Paragraph(f"({i}) {text}", NUMBERED))
    story.append(PageBreak())

    # --- chapter 2 + data table that runs over a page
    m2, a2 = fn(f"Staffing figures are full-time equivalents on the first day of fieldwork, as supplied by "
                f"{s.short}.")
    m3, a3 = fn("Probation services officers (PSOs) are not qualified probation officers; they supervise cases "
                "assessed as posing a low or medium risk of serious harm.")
    vac = sum(t.vacancies_fte for t in s.teams)
    story += [Heading("2. Organisational delivery"),
              _para("2.1", f"Leadership was rated '{r['1.1 Leadership']}'. The senior leadership team has set out a "
                           f"short list of priorities that staff could describe to us."),
              _para("2.2", f"At the time of the inspection the PDU had "
                           f"{vac:.1f} full-time equivalent vacancies across its teams{m2}."), a2,
              _para("2.3", f"Caseloads were highest in the sentence management teams, where probation services "
                           f"officers{m3} held some cases that should have been held by a probation officer."), a3,
              _para("2.4", f"The range of services for women and for young "
                           f"adults was good, and the PDU commissions a mentoring service from {s.partner}."),
              _para("2.5", "Most staff had the equipment they needed, but interview rooms were in short supply."),
              _para("2.6", "New staff completed a structured induction, and practitioners in their first year had "
                           "protected caseloads. Several experienced officers had been asked to mentor them on top of "
                           "full caseloads."),
              _para("2.7", "The workload measurement tool showed most teams working above their capacity. Managers "
                           "used it at monthly meetings to move cases between teams, but this had not closed the gap."),
              _para("2.8", "Sickness absence had fallen over the previous year. Staff valued the wellbeing sessions "
                           "and the flexible working arrangements that leaders had introduced."),
              _para("2.9", "Table 1 shows how cases and staff were spread across the teams at the start of the "
                           "fieldwork. The cases-per-officer figure counts probation officers and PSOs together."),
              Paragraph(f"Table 1: Caseload and staffing by team, {s.short}", CAPTION),
              data_table(s), Spacer(1, 6),
              Paragraph("Source: local management information supplied by the PDU.", NOTE),
              NextPageTemplate("two"), PageBreak()]

    # --- chapter 3 on a two-column page
    story.append(Heading("3. Case supervision"))
    texts3 = [
        f"We inspected a sample of cases supervised by {s.short} and spoke to the practitioners who held them.",
        "In most cases the practitioner had gathered information from other agencies before completing the "
        "assessment, but in too many domestic abuse cases the checks with the police had not been returned.",
        f"Planning was rated '{r['2.2 Planning']}'. Plans often repeated the requirements of the sentence without "
        "saying how the person's needs would be met.",
        "Where plans were good, they were written with the person on probation and set out small, clear steps.",
        "Appointments were usually kept, and practitioners followed up missed appointments quickly.",
        "Home visits were carried out in fewer cases than we expected where children were known to be living "
        "in the household.",
        f"Reviewing was rated '{r['2.4 Reviewing']}'. Reviews did not always follow a change in circumstances, "
        "such as a new relationship or a move of address.",
        "Practitioners told us that they valued the case discussion sessions led by senior probation officers "
        "each month.",
        "Management oversight was recorded in about half of the cases where we judged it was needed.",
        "The PDU's own audit had found the same weaknesses in reviewing and an action plan was in place.",
        "Work to keep other people safe was strongest where a multi-agency meeting had been held and the "
        "actions were recorded on the case record.",
        "Contact with children's social care was recorded in most cases where it was needed, but the outcome of "
        "the contact was often missing.",
        "Practitioners used the risk assessment tools with confidence. Where the assessment was weak, it usually "
        "relied on what the person had said without checking it with other agencies.",
        "People on probation were involved in their plans more often than at the last inspection, and several "
        "told us that their practitioner had helped them to find work or training.",
        "The PDU's use of interpreters was good: we found no case in which a person had been seen without one "
        "when they needed it.",
        "Cases transferred from other areas were picked up quickly, but the first appointment after a transfer "
        "was sometimes booked later than the national standard allows.",
        "Enforcement action was taken promptly when people did not comply, and practitioners explained clearly "
        "to people what would happen if they missed another appointment.",
        "Licence conditions were reviewed before release in most custody cases we inspected, although in a "
        "few cases the conditions had been copied from a previous licence.",
        "Work with people convicted of domestic abuse offences was weaker than other work: safeguarding checks "
        "were missing in a third of these cases.",
        "Senior probation officers countersigned assessments in the highest risk cases, and their comments "
        "were specific and useful.",
        "We saw good work with young adults, where practitioners adapted their approach to the person's "
        "maturity and used the young adults team's mentors.",
    ]
    for i, t in enumerate(texts3, 1):
        story.append(_para(f"3.{i}", t))
    story += [NextPageTemplate("one"), PageBreak()]

    # --- chapter 4 (the date question: the previous calendar year's figure)
    prev = s.published.year - 1
    m4, a4 = fn(f"Unpaid work figures for {prev} come from the national delivery system and were checked by "
                f"inspectors against local records.")
    story += [Heading("4. Unpaid work and accredited programmes"),
              _para("4.1", f"Unpaid work was rated '{r['3.1 Unpaid work']}'. In {prev}, people on community "
                           f"orders in {s.place} completed {s.upw_hours_prev_year:,} hours of unpaid work{m4}, "
                           f"and {s.upw_starts_prev_year:,} new unpaid work requirements started."), a4,
              _para("4.2", "Placements included work on allotments, in charity shops and on the clearance of "
                           "footpaths. Supervisors were knowledgeable and treated people with respect."),
              _para("4.3", "Too many people waited more than a month before their first session, which left "
                           "some orders at risk of running out of time."),
              ]
    ap = r["3.2 Accredited programmes"]
    if ap == NOT_INSPECTED:
        story.append(_para("4.4", "Accredited programmes were not inspected: no accredited programme was being "
                                  "delivered in the PDU during the fieldwork, because the programme team had been "
                                  "moved to a regional hub."))
    else:
        story.append(_para("4.4", "Groups on accredited programmes started on time and facilitators prepared "
                                  "well for each session."))
    story.append(PageBreak())

    # --- case examples (scale only: makes the benchmark library longer)
    if s.case_example_pages:
        story.append(Heading("5. Case examples"))
        k = 0
        for _ in range(s.case_example_pages * 14):
            k += 1
            age = rng.randint(19, 64)
            months = rng.randint(6, 36)
            story.append(_para(f"5.{k}", f"Case {k}: a person aged {age} on a community order of {months} months "
                                         f"with a {rng.choice(['rehabilitation activity', 'drug rehabilitation', 'unpaid work', 'curfew'])} "
                                         f"requirement. The practitioner {rng.choice(['completed a thorough assessment', 'did not review the plan after an arrest', 'made good use of partner services', 'kept in close contact with the police'])}, "
                                         f"and {rng.choice(['the person completed the order', 'the case was returned to court', 'the plan was updated twice', 'risk was reviewed after each incident'])}."))
        story.append(PageBreak())

    # --- glossary
    story.append(Heading("Annex 1: Glossary"))
    for term, text in GLOSSARY:
        story.append(Paragraph(f"<b>{term}</b>: {text}", BODY))
    story += [NextPageTemplate("scan"), PageBreak()]

    # --- image-only page: the letter (no text layer at all)
    story.append(_TocMark("Annex 2: Response from the head of the PDU"))
    story.append(Image(io.BytesIO(scanned_letter_png(s)), width=W, height=H))
    return story


class _TocMark(Flowable):
    """Records a page for the contents without drawing anything (the scanned page must stay text-free)."""

    def __init__(self, title: str):
        super().__init__()
        self.toc_title = title
        self.width = self.height = 0

    def draw(self):
        pass


GLOSSARY = [
    ("Accredited programme", "a structured group or one-to-one course, approved by an independent panel, that "
     "aims to change the thinking and behaviour linked to offending."),
    ("Approved premises", "staffed accommodation where some people released from custody must live, so that "
     "their risk can be managed closely."),
    ("Licence", "the conditions a person must keep to in the community after release from a prison sentence."),
    ("OASys", "the Offender Assessment System, the national tool used to assess the risks and needs of a person "
     "on probation."),
    ("PDU", "probation delivery unit: the local team of the Probation Service that covers one or more local "
     "authority areas."),
    ("PSO", "probation services officer: a practitioner who supervises cases assessed as posing a low or medium "
     "risk of serious harm."),
    ("Risk of serious harm", "the likelihood that a person will commit an act that causes serious physical or "
     "psychological harm, and how severe that harm would be."),
    ("Unpaid work", "a requirement of a community sentence under which a person works, without pay, on a project "
     "that benefits the local community."),
]


def write_report_pdf(spec: ReportSpec, path: Path) -> int:
    """Two passes: the first finds each section's page, the second prints the contents with them. Returns pages."""
    first = ReportDoc(io.BytesIO(), spec, {})
    first.build(_story(spec, {}, random.Random(spec.slug)))
    doc = ReportDoc(str(path), spec, first.found_pages)
    doc.build(_story(spec, first.found_pages, random.Random(spec.slug)))
    spec.extra["scan_page"] = doc.found_pages.get("Annex 2: Response from the head of the PDU")
    return doc.page
