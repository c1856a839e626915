"""Answer -> Block Kit, inside Slack's documented limits, so Slack never rejects a reply for its size.

Limits (api.slack.com/reference/block-kit): 50 blocks per message, 3000 characters per section text,
10 elements per context block, 75 characters per button label, 2000 per button value; a message's
top-level `text` is cut by Slack at 40,000 characters (we keep it far shorter: it is the notification).
A long answer is split into several sections at sentence or word boundaries; past ANSWER_MAX_CHARS it is
trimmed with a note; a reply that would need more than 50 blocks is split into several messages.
"""

from __future__ import annotations

import re

from assistant.models import Answer, Citation

MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
CONTEXT_ELEMENTS_MAX = 10
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
MESSAGE_TEXT_MAX = 40000
FALLBACK_TEXT_MAX = 600          # notification / screen-reader text
ANSWER_MAX_CHARS = 12000         # beyond this the answer is trimmed (4 sections)
QUOTE_MAX_CHARS = 280
TITLE_MAX_CHARS = 150

ACTION_MORE = "more_sources"
ACTION_UP = "feedback_up"
ACTION_DOWN = "feedback_down"

TRIMMED_NOTE = "… _(answer trimmed: it was longer than Slack shows; the sources below hold the full text)_"
_MARKER = re.compile(r"\s*\[(\d+)\]")
_WS = re.compile(r"\s+")

FILTER_HELP = ("`type:inspection_report` (or `mappa_guidance`, `board_paper`; short forms such as `type:mappa` "
               "work), `since:2019-01-01` and `until:2019-12-31` (a year or month such as `since:2019` works too)")


def escape(text: str) -> str:
    """Slack mrkdwn needs only &, < and > escaped."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int, suffix: str = "…") -> str:
    """At most `limit` characters, cut at a word boundary where there is one."""
    text = _WS.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(suffix))]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + suffix


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Pieces of at most `limit` characters, cut after a sentence (or, failing that, a word) where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(". "), window.rfind("] "), window.rfind("\n"))
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit - 1  # one unbroken run of characters: hard cut
        pieces.append(rest[: cut + 1].rstrip())
        rest = rest[cut + 1:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}}


def context(*texts: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:SECTION_TEXT_MAX]}
                                            for t in texts[:CONTEXT_ELEMENTS_MAX]]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    b = {"type": "button", "text": {"type": "plain_text", "text": text[:BUTTON_TEXT_MAX], "emoji": True},
         "action_id": action_id, "value": value[:BUTTON_VALUE_MAX]}
    if style:
        b["style"] = style
    return b


def _collapse(text: str) -> str:
    return _WS.sub(" ", text or "").strip().lower()


def answer_sentences(answer_text: str) -> dict[int, str]:
    """The first sentence the answer attributes to each [n]."""
    out: dict[int, str] = {}
    parts = _MARKER.split(answer_text or "")
    # parts: [sentence, n, sentence, n, ..., tail]
    for i in range(1, len(parts), 2):
        sentence = parts[i - 1].strip()
        n = int(parts[i])
        if sentence and n not in out:
            out[n] = sentence
    return out


def quote_for(c: Citation, sentence: str | None = None) -> str:
    """A short quote from the passage: the sentence the answer used when it is in the passage, else its start."""
    if sentence and _collapse(sentence) in _collapse(c.quote):
        return shorten(sentence, QUOTE_MAX_CHARS)
    return shorten(c.quote, QUOTE_MAX_CHARS)


def where(c: Citation) -> str:
    parts = []
    if c.published:
        parts.append(c.published)
    if c.page:
        parts.append(f"p. {c.page}")
    if c.paragraph:
        parts.append(c.paragraph if c.paragraph.lower().startswith(("footnote", "para")) else f"para {c.paragraph}")
    if c.section:
        parts.append(f"“{shorten(c.section, 80)}”")
    return " · ".join(parts)


def link_for(c: Citation) -> str | None:
    """Where the title links: the document viewer's page for the passage (`citation.url`, set when the service
    has a public URL) when there is one, else the document's own URL from the manifest; None when neither is a
    plain http(s) URL Slack can link."""
    for url in (getattr(c, "url", None), c.source):
        if url and url.startswith(("http://", "https://")) and not any(ch in url for ch in "|<> "):
            return url
    return None


def citation_text(c: Citation, sentence: str | None = None) -> str:
    title = escape(shorten(c.title or c.doc_id, TITLE_MAX_CHARS))
    url = link_for(c)
    if url:
        title = f"<{url}|{title}>"
    head = f"*[{c.n}]* {title}"
    loc = where(c)
    if loc:
        head += f" — {escape(loc)}"
    return f"{head}\n>{escape(quote_for(c, sentence))}"


def answer_text_sections(text: str) -> list[str]:
    body = escape(text)
    if len(body) > ANSWER_MAX_CHARS:
        body = shorten(body, ANSWER_MAX_CHARS - len(TRIMMED_NOTE), suffix="") + TRIMMED_NOTE
    return split_text(body, SECTION_TEXT_MAX)


def answer_blocks(answer: Answer, answer_id: str | None, *, read_as: str | None = None, filters: str = "",
                  asked_by: str | None = None, footer_note: str | None = None, channel_note: str = "") -> list[dict]:
    """The whole reply: answer, Sources (one line per citation), buttons, context."""
    blocks: list[dict] = []
    notes = []
    if asked_by:
        notes.append(f"<@{asked_by}> asked: {escape(shorten(answer.question, 500))}")
    if channel_note:
        notes.append(f":pushpin: {escape(shorten(channel_note, 500))}")
    if read_as:
        notes.append(f"_Read as:_ {escape(shorten(read_as, 500))}")
    if filters:
        notes.append(f"_Filters:_ {escape(filters)}")
    if notes:
        blocks.append(context(*notes))
    if answer.status == "no_answer":
        blocks.append(section(":mag: *" + escape(shorten(answer.answer, 2800)) + "*"))
    else:
        blocks.extend(section(t) for t in answer_text_sections(answer.answer))
    answer_notes = [escape(shorten(n, 500)) for n in (getattr(answer, "notes", None) or []) if n]
    if answer_notes:
        blocks.append(context(*answer_notes))
    if answer.citations:
        sentences = answer_sentences(answer.answer) if answer.status in ("answered", "partial") else {}
        blocks.append({"type": "divider"})
        # partial: the quoted sentences answer part of the question, the text then says what is not answered
        blocks.append(section("*Sources*" if answer.status in ("answered", "partial") else "*Nearest passages*"))
        for c in answer.citations:
            blocks.append(section(citation_text(c, sentences.get(c.n))))
    if answer_id:
        blocks.append({"type": "actions", "block_id": f"answer:{answer_id}"[:255], "elements": [
            button("More sources", ACTION_MORE, answer_id),
            button("👍 Helpful", ACTION_UP, answer_id),
            button("👎 Not helpful", ACTION_DOWN, answer_id),
        ]})
    if answer.status == "answered" and answer.mode == "llm":
        footer = (":robot_face: Written by a language model from the sources below; each sentence was checked "
                  "against its source, but check the source before acting on it.")
    else:
        footer = "Quoted from the indexed documents; check the source before acting on it."
    if footer_note:
        footer += " " + footer_note
    blocks.append(context(footer))
    return blocks


def more_sources_blocks(question: str, citations: list[Citation]) -> list[dict]:
    if not citations:
        return [section(f"No further passages matched _{escape(shorten(question, 300))}_.")]
    blocks = [section(f"*More sources* for _{escape(shorten(question, 300))}_")]
    blocks.extend(section(citation_text(c)) for c in citations)
    return blocks


def fallback_text(answer: Answer) -> str:
    """Top-level `text`: shown in notifications and read by screen readers."""
    if answer.status == "no_answer":
        return shorten(answer.answer, FALLBACK_TEXT_MAX)
    return shorten(_MARKER.sub("", answer.answer), FALLBACK_TEXT_MAX)


def plain_answer_text(answer: Answer) -> str:
    """The answer and its sources as plain mrkdwn text, for when Slack refuses the blocks."""
    lines = [shorten(answer.answer, 3000)]
    for c in answer.citations:
        lines.append(f"[{c.n}] {shorten(c.title or c.doc_id, 150)} — {where(c)}")
    return escape("\n".join(lines))[:MESSAGE_TEXT_MAX]


def messages(blocks: list[dict]) -> list[list[dict]]:
    """Blocks split into messages of at most MAX_BLOCKS, keeping the buttons and footer together at the end."""
    if len(blocks) <= MAX_BLOCKS:
        return [blocks]
    tail = [b for b in blocks[-2:] if b["type"] in ("actions", "context")]
    body = blocks[: len(blocks) - len(tail)]
    out = [body[i:i + MAX_BLOCKS] for i in range(0, len(body), MAX_BLOCKS)]
    if len(out[-1]) + len(tail) <= MAX_BLOCKS:
        out[-1].extend(tail)
    else:
        out.append(tail)
    return out


def help_text(bot_user_id: str | None = None) -> str:
    me = f"<@{bot_user_id}>" if bot_user_id else "@assistant"
    return "\n".join([
        "*I answer questions from the indexed probation documents* (HM Inspectorate of Probation reports, "
        "MAPPA guidance, partnership board papers) and show the exact passages: document, date, page, paragraph.",
        f"• In a channel: mention me, e.g. `{me} what did inspectors say about workloads?` — I answer in the thread.",
        "• In a DM: just write the question.",
        "• Anywhere: `/ask your question` (only you see the answer; add `--share` to post it in the channel).",
        f"• Follow-up: reply in the thread (mention me in a channel), e.g. `{me} how many cases?` or "
        f"`{me} what about court work?` — I read it with the thread's earlier questions and show how I read it.",
        f"• Filters, anywhere in the message: {FILTER_HELP}.",
        "• Under each answer: *More sources* lists further passages; 👍 / 👎 tells the team whether it helped.",
        "If I cannot find the answer in the documents I say so and show the nearest passages.",
    ])


def help_blocks(bot_user_id: str | None = None) -> list[dict]:
    return [section(help_text(bot_user_id))]


def error_text(reason: str, correlation_id: str | None = None) -> str:
    text = f":warning: {reason}"
    if correlation_id:
        text += f" (reference `{correlation_id}`)"
    return text
