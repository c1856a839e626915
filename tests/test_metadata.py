"""Metadata: manifest values win; title, date and type are inferred from the text otherwise."""

from pathlib import Path

import pytest

from assistant.ingest.clean import clean_pages
from assistant.ingest.metadata import (
    ManifestError,
    doc_id_for,
    infer_doc_type,
    infer_published,
    infer_title,
    load_manifest,
    resolve_metadata,
)
from tests.conftest import CORPUS

PRESS = (CORPUS / "hmip-midlands-nps-press-release-2018.txt").read_text(encoding="utf-8")
BOARD = (CORPUS / "llr-nps-board-update-2019.txt").read_text(encoding="utf-8")


def test_inferred_from_the_press_release_text():
    blocks = clean_pages([(None, PRESS)])
    assert infer_title(blocks) == "Midlands NPS - Rated 'good' with a clear strategy to protect the public and reduce reoffending"
    assert infer_published(PRESS) == "2018-12-18"  # "available ... on Tuesday 18 December 2018", not the fieldwork month
    assert infer_doc_type(PRESS) == "inspection_report"


def test_board_paper_type_and_published_cue():
    assert infer_doc_type(BOARD) == "board_paper"
    assert infer_published("Fieldwork: August 2018. Published 3 March 2019. Next review 1 April 2020") == "2019-03-03"
    assert infer_published("no dates at all") is None


def test_manifest_wins_and_doc_id_is_path_without_extension():
    manifest = load_manifest(CORPUS)
    path = CORPUS / "llr-nps-board-update-2019.txt"
    meta = resolve_metadata(path, CORPUS, manifest, clean_pages([(None, BOARD)]))
    assert meta["doc_id"] == "llr-nps-board-update-2019"
    assert meta["doc_type"] == "board_paper"
    assert meta["published"] == "2019-06-01"
    assert meta["title"].startswith("National Probation Service update")
    assert doc_id_for(CORPUS / "sub" / "x.pdf", CORPUS) == "sub/x"


def test_every_corpus_file_has_a_manifest_entry():
    manifest = load_manifest(CORPUS)
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".txt", ".pdf", ".docx", ".html", ".md")}
    assert files <= set(manifest)
    for entry in manifest.values():
        assert {"title", "doc_type", "published", "organisation", "area"} <= set(entry)


def test_bad_manifest_is_a_clear_error(tmp_path: Path):
    (tmp_path / "manifest.yaml").write_text("documents:\n  a.txt:\n    doc_type: novel\n")
    with pytest.raises(ManifestError, match="doc_type must be one of"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.yaml").write_text("documents:\n  a.txt:\n    colour: blue\n")
    with pytest.raises(ManifestError, match="unknown field"):
        load_manifest(tmp_path)
