"""Documents the web page's tests generate (never committed): a multi-page PDF and a 100-page text report."""

from __future__ import annotations

from pathlib import Path

TOPICS = ["caseload allocation", "victim contact", "risk of serious harm reviews", "home visits", "court reports",
          "approved premises", "unpaid work", "sentence planning", "resettlement", "staff supervision"]


def long_report(path: Path, pages: int = 100) -> Path:
    """A plain-text report of `pages` pages (form feeds), a chapter heading every ten pages and one numbered
    paragraph of ~90 words per page (one passage each); page 73 carries a sentence found nowhere else (the browser
    test's question for it)."""
    out = []
    for page in range(1, pages + 1):
        lines = []
        if page % 10 == 1:
            lines += [f"Chapter {page // 10 + 1}: {TOPICS[page // 10 % len(TOPICS)].capitalize()}", ""]
        topic = TOPICS[page % len(TOPICS)]
        special = (" The lighthouse keepers' probation hostel in Tobermory was rated outstanding for its "
                   "garden project." if page == 73 else "")
        lines.append(f"{page}. On page {page} the inspectors looked at {topic} in the region. Managers kept "
                     f"records of {topic} for each case and reviewed them every month with the team leaders, who "
                     f"reported progress on {topic} to the divisional board. Staff said that {topic} took more "
                     f"time than planned in the year.{special} The board asked for a follow-up review of {topic} "
                     f"before the next inspection, with figures for each office and a short account of what had "
                     f"changed since the last visit.")
        out.append("\n".join(lines))
    path.write_text("\n\f".join(out) + "\n", encoding="utf-8")
    return path


def small_pdf(path: Path, paragraphs: list[str], per_page: int = 1) -> Path:
    """A PDF with `per_page` paragraphs on each page (reportlab, as tests/test_loaders.py)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story = []
    for i, para in enumerate(paragraphs):
        story.append(Paragraph(para, styles["BodyText"]))
        if (i + 1) % per_page == 0 and i + 1 < len(paragraphs):
            story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


_BEE_FILLER = (" The inspector writes the findings in the apiary book, signs and dates the entry, and leaves a copy "
               "with the beekeeper, who keeps it for three years so that the next visit can compare the colonies "
               "and see whether the advice given last season was followed in the apiary.")
BEEKEEPING = [  # about 100 words each, so each page is a passage of its own
    "1. Apiary inspectors visit every registered apiary in the spring to check the colonies for American "
    "foulbrood, recording brood pattern, queen status and honey stores for each hive they open." + _BEE_FILLER,
    "2. Swarm control is the beekeeper's duty: when queen cells appear the colony is split and the old queen "
    "is moved to a nucleus hive, and swarms are reported to the regional bee inspector within two days." + _BEE_FILLER,
    "3. Varroa mite counts above three per cent of the sampled bees call for treatment before the winter "
    "cluster forms, and the treatment is logged with the date and product used." + _BEE_FILLER,
]


def build_web_corpus(corpus: Path, tmp: Path) -> None:
    small_pdf(corpus / "apiary-guide.pdf", BEEKEEPING)
    long_report(corpus / "long-report.txt", pages=100)
    (corpus / "bees.html").write_text("<html><body><h1>Bee notes</h1><p>Queen excluders keep the queen below the "
                                      "honey supers so that no brood is laid there.</p><script>alert(1)</script>"
                                      "</body></html>", encoding="utf-8")
    (corpus / "gone.txt").write_text("Hedgehog rescue volunteers weigh each hedgehog before the winter.\n", "utf-8")
    outside = tmp / "outside.txt"
    outside.write_text("Secret kept outside the corpus: otters are counted along the river every June.\n", "utf-8")
    (corpus / "linked.txt").symlink_to(outside)
