"""Document metadata: what corpus/manifest.yaml says, and what can be inferred from the text for the rest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from assistant.models import DOC_TYPES

FIELDS = ("doc_id", "title", "doc_type", "published", "organisation", "area", "source", "restricted",
          "supersedes", "superseded_by", "ratings_authority")
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
_PUBLISHED_CUE = re.compile(r"(published|publication date|available|issued|dated|date of (?:report|issue))", re.IGNORECASE)


class ManifestError(ValueError):
    pass


def load_manifest(corpus_dir: Path) -> dict[str, dict]:
    """Entries keyed by path relative to the corpus folder (with extension).

    `uploads/manifest.yaml` (written by the HTTP API for uploaded files, keyed by file name in that
    folder) is read too; corpus/manifest.yaml wins where both name a file.
    """
    out: dict[str, dict] = {}
    uploads = corpus_dir / "uploads" / "manifest.yaml"
    if uploads.exists():
        out.update({f"uploads/{name}": entry for name, entry in _read_manifest(uploads).items()})
    out.update(_read_manifest(corpus_dir / "manifest.yaml"))
    return out


def _read_manifest(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML ({exc})") from exc
    docs = data.get("documents", data) if isinstance(data, dict) else None
    if not isinstance(docs, dict):
        raise ManifestError(f"{path}: expected a mapping 'documents: {{file name: {{title: ...}}}}'")
    out: dict[str, dict] = {}
    for name, entry in docs.items():
        entry = dict(entry or {})
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise ManifestError(f"{path}: {name}: unknown field(s) {', '.join(sorted(unknown))}")
        if "doc_type" in entry and entry["doc_type"] not in DOC_TYPES:
            raise ManifestError(f"{path}: {name}: doc_type must be one of {', '.join(DOC_TYPES)}")
        if "published" in entry and entry["published"] is not None:
            entry["published"] = str(entry["published"])
            date.fromisoformat(entry["published"])
        out[str(name)] = entry
    return out


def doc_id_for(path: Path, corpus_dir: Path | None) -> str:
    """The file's path under the corpus folder without its extension (docs/architecture.md)."""
    try:
        rel = path.resolve().relative_to(corpus_dir.resolve()) if corpus_dir else Path(path.name)
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix()


def infer_title(blocks: list) -> str:
    for b in blocks:
        text = b.text.strip()
        if text:
            return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "…"
    return ""


def _to_iso(day: int | None, month: str, year: str) -> str | None:
    try:
        return date(int(year), MONTHS[month.lower()], day or 1).isoformat()
    except ValueError:
        return None


def infer_published(text: str) -> str | None:
    """A full date next to a publication cue wins; else the latest full date; else the latest month."""
    cued: list[str] = []
    full: list[str] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        iso = _to_iso(int(m.group(1)), m.group(2), m.group(3))
        if not iso:
            continue
        full.append(iso)
        if _PUBLISHED_CUE.search(text[max(0, m.start() - 120):m.start()]):
            cued.append(iso)
    if cued:
        return cued[0]
    if full:
        return max(full)
    months = [iso for m in _MONTH_YEAR.finditer(text) if (iso := _to_iso(None, m.group(1), m.group(2)))]
    return max(months) if months else None


_TYPE_CUES = {
    "inspection_report": [r"\binspectorate\b", r"\binspectors?\b", r"\binspection\b", r"\brated\b", r"\bfieldwork\b"],
    "mappa_guidance": [r"\bMAPPA guidance\b", r"\bStrategic Management Board\b", r"\bMAPPA annual report\b",
                       r"\bresponsible authority\b", r"\bduty to co-operate\b", r"\blevel [123] management\b"],
    "board_paper": [r"\bBoard members\b", r"\bthe Board\b", r"\bRecommendations for the Board\b",
                    r"\bpanel\b", r"\basked to note\b"],
}


def infer_doc_type(text: str) -> str:
    scores = {t: sum(len(re.findall(p, text, re.IGNORECASE)) for p in cues) for t, cues in _TYPE_CUES.items()}
    # board papers mention inspections; address-to-the-board cues are the stronger signal
    scores["board_paper"] *= 2
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] > 0 else "inspection_report"


def resolve_metadata(path: Path, corpus_dir: Path | None, manifest: dict[str, dict], blocks: list,
                     overrides: dict | None = None) -> dict:
    """Manifest (or explicit overrides) first; inference for whatever they leave unset."""
    entry: dict = {}
    if corpus_dir is not None:
        try:
            rel = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
            entry = dict(manifest.get(rel) or manifest.get(path.name) or {})
        except ValueError:
            entry = dict(manifest.get(path.name) or {})
    entry.update({k: v for k, v in (overrides or {}).items() if v is not None})
    text = "\n".join(b.text for b in blocks)
    meta = {
        "doc_id": entry.get("doc_id") or doc_id_for(path, corpus_dir),
        "title": entry.get("title") or infer_title(blocks),
        "doc_type": entry.get("doc_type") or infer_doc_type(text),
        "published": str(entry["published"]) if entry.get("published") else infer_published(text),
        "organisation": entry.get("organisation"),
        "area": entry.get("area"),
        "source": entry.get("source") or display_source(path, corpus_dir),
        "restricted": bool(entry.get("restricted", False)),
        "supersedes": entry.get("supersedes"),
        "superseded_by": entry.get("superseded_by"),
    }
    return meta


def display_source(path: Path, corpus_dir: Path | None) -> str:
    """Where a citation says the text came from when the manifest gives no URL: the path under the
    corpus folder (`corpus/x.pdf`), else the bare file name; never the server's absolute path."""
    if corpus_dir is not None:
        try:
            rel = path.resolve().relative_to(Path(corpus_dir).resolve()).as_posix()
            return f"{Path(corpus_dir).resolve().name}/{rel}"
        except ValueError:
            pass
    return path.name
