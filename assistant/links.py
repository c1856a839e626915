"""Deep links: the web page's source viewer at one passage (ASSISTANT_PUBLIC_URL + `#doc=...&p=...`).

Built once, in the question path (assistant/ask.py, step `link_sources`), so the API's answer JSON, the Slack
source lines and the CLI all carry the same link and no surface builds its own. The link is a fragment on the
page's own address, so it works behind any path prefix and never reaches a server log with the passage in it.
"""

from __future__ import annotations

from urllib.parse import quote

from assistant.models import Answer


def viewer_url(public_url: str, doc_id: str, passage_id: str = "") -> str:
    """`https://host/assistant/#doc=uploads%2Fpaper&p=<passage id>` (the page reads the fragment)."""
    base = public_url.split("#", 1)[0]
    if not base.endswith("/"):
        base += "/"
    link = f"{base}#doc={quote(doc_id, safe='')}"
    return f"{link}&p={quote(passage_id, safe='')}" if passage_id else link


def link_citations(answer: Answer, public_url: str | None) -> Answer:
    """Every citation of `answer` gets its viewer `url` (unchanged when no public URL is configured)."""
    if public_url:
        for c in answer.citations:
            c.url = viewer_url(public_url, c.doc_id, c.passage_id)
    return answer
