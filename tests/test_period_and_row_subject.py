"""Questions written from three small documents in the formats staff index (a web page wrapped in site
boilerplate, Markdown board minutes, a Word paper with a table), none of them seen by the rest of the suite.

Causes asserted here, each failing before its fix:
- the same date or quarter in another year or quarter answered the question ("31 March 2024" by "On 31 March
  2025 there were ...", "quarter 2" by a row of "quarter 1 2025-26"; its section number "2." stood in for the 2);
- a table row about another subject (a PDU) answered a question about the whole (the region's hours, its bed
  spaces), because the row's caption and column headers hold every word of the question;
- "Author: ..." did not answer "who wrote", and "must" counted as a word the answer had to hold.
"""

from __future__ import annotations

import pytest

from assistant.period_swaps import period_swaps
from assistant.text import content_terms
from tests import realdocs

PAGE = """<!DOCTYPE html><html><head><title>Review of approved premises in the Kestrel region | Kestrel Probation</title>
</head><body>
<div class="cookie-banner">We use cookies to improve this site. <a href="#">Accept all cookies</a></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/about">About us</a></li></ul></nav>
<main>
<h1>Review of approved premises in the Kestrel region</h1>
<p>Published 12 September 2025</p>
<h2>Summary</h2>
<p>The Kestrel region has four approved premises with 112 bed spaces in total. The review was carried out by the
regional quality team between March and May 2025.</p>
<p>Occupancy across the region averaged 87 per cent in 2024-25, up from 81 per cent the year before.</p>
<h2>Premises</h2>
<table>
<caption>Table 1: Approved premises in the Kestrel region, 2024-25</caption>
<tr><th>Premises</th><th>Town</th><th>Bed spaces</th><th>Occupancy</th></tr>
<tr><td>Harrowgate House</td><td>Milbury</td><td>32</td><td>94%</td></tr>
<tr><td>Fenwick Lodge</td><td>Stourley</td><td>26</td><td>85%</td></tr>
<tr><td>The Mews</td><td>Milbury</td><td>22</td><td>83%</td></tr>
<tr><td>Calder Road</td><td>Ashcombe</td><td>32</td><td>86%</td></tr>
</table>
</main>
<footer><p>&copy; Kestrel Probation Region 2025. <a href="/privacy">Privacy</a></p></footer>
</body></html>
"""

MINUTES = """# Ridgeway MAPPA Strategic Management Board: minutes of 18 June 2025

**Present:** Supt. Hollis Brandt (Chair), Ridgeway Police; Maren Achebe, Head of Ridgeway PDU; Ciara Dunmore, MAPPA
Coordinator.

## 2. MAPPA annual report 2024-25

Ciara Dunmore presented the draft annual report. On 31 March 2025 there were 1,148 MAPPA-eligible people in Ridgeway,
of whom 702 were category 1, 431 category 2 and 15 category 3.

The Board approved the annual report for publication in October 2025.

## 3. Date of next meeting

The next meeting will be held on 17 September 2025.
"""


def _paper(path) -> None:
    from docx import Document

    d = Document()
    d.add_heading("Kestrel region: unpaid work performance, quarter 1 2025-26", 0)
    d.add_paragraph("Paper for the Kestrel Reducing Reoffending Board, 9 July 2025. Author: Priya Lomax, Head of "
                    "Community Payback.")
    d.add_heading("2. Performance", 1)
    d.add_paragraph("2.1 The region delivered 41,300 hours of unpaid work in the quarter against a target of 45,000 "
                    "hours. Completion of orders within twelve months was 68 per cent.")
    t = d.add_table(rows=1, cols=4)
    for cell, text in zip(t.rows[0].cells, ["PDU", "Hours delivered", "Target", "Orders completed on time"],
                          strict=True):
        cell.text = text
    for row in [("Milbury", "15,200", "15,000", "74%"), ("Stourley", "9,800", "13,000", "55%"),
                ("Ashcombe", "16,300", "17,000", "71%")]:
        for cell, text in zip(t.add_row().cells, row, strict=True):
            cell.text = text
    d.add_paragraph("2.2 Stourley is behind target because two supervisors left in May 2025.")
    d.save(str(path))


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return realdocs.service_over(tmp_path_factory, "periods", {
        "kestrel-approved-premises-review.html": PAGE, "ridgeway-mappa-smb-minutes-2025-06.md": MINUTES,
        "kestrel-unpaid-work-q1-2025-26.docx": _paper})


def test_the_same_date_in_another_year_is_refused_and_the_asked_one_answered(svc):
    answer = svc.ask("How many MAPPA-eligible people were there in Ridgeway on 31 March 2024?")
    assert answer.status == "no_answer"
    assert "31 march 2025" in answer.answer.lower()  # says what the passages do give
    answer = svc.ask("How many MAPPA-eligible people were there in Ridgeway on 31 March 2025?")
    assert answer.status == "answered" and "1,148" in answer.answer


def test_another_quarter_is_refused_and_the_asked_one_answered(svc):
    assert svc.ask("What was the unpaid work target for Ashcombe in quarter 2?").status == "no_answer"
    answer = svc.ask("What was the unpaid work target for Ashcombe in quarter 1?")
    assert answer.status == "answered" and "17,000" in answer.answer


def test_a_question_about_the_whole_is_not_answered_by_one_row(svc):
    answer = svc.ask("How many hours of unpaid work did Kestrel deliver in quarter 1 2025-26?")
    assert answer.status == "answered" and "41,300" in answer.answer
    answer = svc.ask("How many bed spaces are there in the Kestrel region's approved premises?")
    assert answer.status == "answered" and "112 bed spaces" in answer.answer
    # a row the question names is still the answer
    answer = svc.ask("How many bed spaces does Fenwick Lodge have?")
    assert answer.status == "answered" and "Bed spaces: 26" in answer.answer


def test_author_answers_who_wrote(svc):
    answer = svc.ask("Who wrote the unpaid work performance paper?")
    assert answer.status == "answered" and "Priya Lomax" in answer.answer


def test_period_swaps_read_the_slot_not_just_the_year():
    assert period_swaps("How many on 31 March 2024?", "On 31 March 2025 there were 1,148.") == [
        "31 march 2024 vs 31 march 2025"]
    assert period_swaps("How many on 31 March 2024?", "On 31 March 2025 there were 1,148, against 1,090 on "
                                                      "31 March 2024.") == []
    assert period_swaps("What was occupancy in 2023/24?", "It averaged 87 per cent in 2024-25.") == [
        "2023-24 vs 2024-25"]
    assert period_swaps("What was occupancy in 2023/24?", "It was 81 per cent in 2023-24.") == []
    assert period_swaps("How many panels in Q4?", "Panels held, quarter 3 2023-24: 11.") == [
        "quarter 4 vs quarter 3"]
    assert period_swaps("How many panels in the third quarter?", "In quarter 3, 11 panels were held.") == []
    assert period_swaps("When was the report published?", "Published 12 March 2025.") == []


def test_modal_verbs_are_not_content_words():
    assert "must" not in content_terms("By when must night staff complete refresher training?")
