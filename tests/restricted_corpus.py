"""A private corpus for the access tests: the real corpus plus one restricted document carrying a canary.

The canary `KX4417` is in the restricted document's file name (so its doc_id), title and text; it names a
place (`Quarrytown`) that no other document mentions, gives a rating (so a ratings row) and defines a glossary
term (KEP), so every way restricted material could leak has something to leak.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import make_settings

CANARY = "kx4417"
DOC_ID = "kx4417-kestrel-note"
TITLE = "Kestrel escalation protocol KX4417 (restricted)"
TEXT = """Kestrel escalation protocol KX4417: restricted inspection note

1. The Kestrel escalation protocol KX4417 applies to every MAPPA level 3 case managed in Quarrytown from April
2019. Under the protocol the duty senior probation officer convenes a Kestrel panel within 24 hours when a level 3
case breaches an exclusion zone, and the panel rings the police Kestrel desk on 0116 496 0999.

2. After fieldwork in March 2019, NPS Quarrytown division was rated 'Inadequate' overall, with the Kestrel
panel arrangements described as unsafe.

3. KEP stands for Kestrel Escalation Protocol, the local arrangement for level 3 cases described in this note.
"""
KESTREL_Q = "What does the Kestrel escalation protocol require?"
RATING_Q = "What rating did inspectors give NPS Quarrytown?"
GLOSSARY_Q = "What does KEP stand for?"
QUESTIONS = (KESTREL_Q, RATING_Q, GLOSSARY_Q)


def restricted_settings(tmp: Path, **overrides):
    """Settings over a copy of the corpus with the restricted note added (not yet ingested)."""
    settings = make_settings(tmp, **overrides)
    corpus = settings.corpus_dir
    (corpus / f"{DOC_ID}.txt").write_text(TEXT, encoding="utf-8")
    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["documents"][f"{DOC_ID}.txt"] = {"title": TITLE, "doc_type": "inspection_report",
                                              "published": "2019-05-01", "restricted": True}
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    glossary = yaml.safe_load((corpus / "glossary.yaml").read_text(encoding="utf-8"))
    glossary["terms"].append({"abbr": "KEP", "expansion": "Kestrel Escalation Protocol", "defined_in": DOC_ID})
    (corpus / "glossary.yaml").write_text(yaml.safe_dump(glossary, sort_keys=False), encoding="utf-8")
    return settings


def restricted_service(tmp: Path, **overrides):
    from assistant.service import Service

    service = Service(restricted_settings(tmp, **overrides))
    assert not service.ingest().failed
    assert service.document(DOC_ID) is None  # denied by default...
    from assistant.access import RESTRICTED

    doc = service.document(DOC_ID, access=RESTRICTED)  # ...there with the grant
    assert doc.restricted and doc.ratings and doc.ratings_authority
    return service


def leaks(text: str) -> bool:
    return CANARY in text.lower()
