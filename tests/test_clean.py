"""Cleaning and chunking on the seeds' real artefacts (text as extracted from PDFs)."""

from assistant.ingest.chunk import chunk_blocks
from assistant.ingest.clean import clean_pages, split_pages
from tests.conftest import CORPUS

BOARD = (CORPUS / "llr-nps-board-update-2019.txt").read_text(encoding="utf-8")
PRESS = (CORPUS / "hmip-midlands-nps-press-release-2018.txt").read_text(encoding="utf-8")


def blocks_of(text):
    return clean_pages([(None, text)])


def para(blocks, number):
    return next(b for b in blocks if b.kind == "para" and b.number == number)


def test_lines_broken_mid_sentence_with_blank_lines_between_are_joined():
    b = para(blocks_of(BOARD), "1")
    assert b.text.startswith("The National Probation Service (NPS) are part of Her Majesty’s Prison and Probation "
                             "Service (HMPPS), an executive agency of the Ministry of Justice (MoJ).")
    assert "\n" not in b.text


def test_footnote_spliced_into_paragraph_5_is_lifted_out():
    blocks = blocks_of(BOARD)
    p5 = para(blocks, "5")
    assert "MAPPA stands for" not in p5.text
    assert "clear vision and strategy underpinning the management of the Division, and the effective case " \
           "supervision" in p5.text
    footnotes = {b.number: b.text for b in blocks if b.kind == "footnote"}
    assert footnotes["1"].startswith("MAPPA stands for Multi-Agency Public Protection Arrangements. It is the process")
    assert footnotes["1"].endswith("in order to protect the public")
    assert footnotes["2"].startswith("Integrated Offender Management (IOM) is an overarching framework")
    p10 = para(blocks, "10")
    assert "private and voluntary sectors to support resettlement and rehabilitation." in p10.text
    assert "Integrated Offender Management (IOM) is" not in p10.text


def test_footnote_reference_digits_are_removed_from_the_text():
    p1 = para(blocks_of(BOARD), "1")
    assert "(MAPPA), other" in p1.text and "(MAPPA)1" not in p1.text


def test_numbered_paragraphs_and_headings_are_recognised():
    blocks = blocks_of(BOARD)
    assert [b.number for b in blocks if b.kind == "para"] == [str(i) for i in range(1, 18)]
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[:3] == ["Background", "Notable developments and challenges", "Coming Year"]
    assert para(blocks, "7").section == "Notable developments and challenges"
    assert para(blocks, "17").section == "Recommendations for the Board"


def test_bullets_whose_glyph_was_lost_and_o_sub_bullets_are_normalised():
    blocks = blocks_of(BOARD)
    bullets = [b for b in blocks if b.kind == "bullet"]
    texts = [b.text for b in bullets]
    assert any(t.startswith("Prioritising Recruitment to address staff shortages.") for t in texts)
    subs = [b.text for b in bullets if b.level == 2]
    assert "Safeguarding Children’s Boards" in subs and "Safeguarding Adults’ Boards;" in subs
    assert any(t.startswith("An easily auditable process") for t in subs)


def test_glyph_bullets_and_hyphenation():
    text = ("Key points for the Board:\n\n\uf0b7 Workloads in the victim liaison\nteam remain high;\n"
            "\u2022 Staffing is being reorga-\nnised across the division.\no A sub point here\n")
    blocks = blocks_of(text)
    bullets = [(b.level, b.text) for b in blocks if b.kind == "bullet"]
    assert bullets == [(1, "Workloads in the victim liaison team remain high;"),
                       (1, "Staffing is being reorganised across the division."),
                       (2, "A sub point here")]


def test_ends_and_notes_to_editors():
    blocks = blocks_of(PRESS)
    assert not any("ENDS" in b.text for b in blocks)
    notes = [b for b in blocks if b.section == "Notes to editors" and b.kind == "para"]
    assert [b.number for b in notes] == ["1", "2", "3", "4", "5", "6"]
    assert notes[4].text == "Fieldwork for this inspection took place in August 2018."
    assert blocks[0].kind == "heading" and blocks[0].text.startswith("Midlands NPS - Rated 'good'")


def test_form_feeds_page_number_lines_and_running_headers():
    body = PRESS.split("\n\n")
    pages = []
    for i in range(4):
        pages.append("HM Inspectorate of Probation – NPS Midlands\n\n" + body[i + 1].strip() + f"\n\nPage {i + 1} of 4\n")
    text = "\f".join(pages)
    split = split_pages([(None, text)])
    assert [p for p, _ in split] == [1, 2, 3, 4]
    blocks = clean_pages([(None, text)])
    joined = " ".join(b.text for b in blocks)
    assert "HM Inspectorate of Probation – NPS Midlands" not in joined
    assert "Page 1 of 4" not in joined
    assert [b.page for b in blocks] == [1, 2, 3, 4]


def test_bare_page_number_lines_split_pages():
    text = "First page text ends here.\n\n1\n\nSecond page text starts here.\n\n2\n"
    assert [p for p, _ in split_pages([(None, text)])] == [1, 2]


def test_chunks_keep_numbered_paragraphs_whole_with_metadata():
    meta = {"doc_id": "llr", "title": "T", "doc_type": "board_paper", "published": "2019-06-01",
            "organisation": None, "area": None, "source": "x", "restricted": False}
    nodes = chunk_blocks(blocks_of(BOARD), meta)
    p7 = [n for n in nodes if n.metadata["paragraph"] == "7"]
    assert len(p7) == 1 and "approximately 350 of our long-term custody cases" in p7[0].text
    assert p7[0].metadata["section"] == "Notable developments and challenges"
    assert p7[0].text.startswith("7. Offender Management in Custody (OMIC)")
    p8 = next(n for n in nodes if n.metadata["paragraph"] == "8")
    assert "• Address the causes of and partnership response to re-offending;" in p8.text
    footnote = next(n for n in nodes if n.metadata["paragraph"] == "footnote 1")
    assert footnote.metadata["section"] == "Footnotes"
    for n in nodes:
        assert len(n.text.split()) <= 200
    assert len({n.id_ for n in nodes}) == len(nodes)
    # everything the paragraphs said is still there, once
    words = " ".join(n.text for n in nodes)
    assert words.count("approximately 350 of our long-term custody cases") == 1
