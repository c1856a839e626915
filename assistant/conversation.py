"""Follow-up questions read in the light of their conversation: "how many cases?" after a question about OMIC
is searched as the OMIC question it continues, and a new topic is searched on its own.

One resolver for every surface (HTTP conversations, Slack threads, the multi-turn evaluation). It reads the last
turns (each question as asked and as read, the filters given, the documents the answer cited) and returns the
standalone question and the filters to search, which the answer reports as `read_as`:

- contrast ("what about Wales?", "and in 2019?"): the previous question with its place, period or topic swapped;
- ellipsis and pronouns ("how many cases?", "when did they start?", "what happened there?"): the previous
  question as read, then the new one, so what was left out is searched too;
- a new topic (the question names its own subject, or is long and strong on its own): nothing carried over.

Deterministic by default. With a language model configured (`conversation_rewrite`), the model rewrites the
follow-up instead; any failure or odd reply falls back to the deterministic reading.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.dates import period_in
from assistant.models import MAX_QUESTION_CHARS, Filters
from assistant.text import content_terms

log = logging.getLogger("assistant.conversation")


@dataclass
class Turn:
    """One earlier question of the conversation."""

    question: str                        # as asked
    read_as: str = ""                    # as searched ("" = as asked)
    filters: Filters | None = None       # the filters given with it (carried to a follow-up that gives none)
    cited: list[str] = field(default_factory=list)  # doc_ids its answer cited

    @property
    def standalone(self) -> str:
        return (self.read_as or self.question).strip()


@dataclass
class Resolution:
    question: str          # the standalone question to search and answer
    filters: Filters       # the filters to search (before the question's own period is applied)
    follow_up: bool        # False: a new topic, nothing carried over
    how: str               # standalone | ellipsis | pronoun | contrast | rewritten


# "what about Wales?", "how about in 2019?", "and for court work?", "same for Wales?", "and in 2019?"
_CONTRAST = re.compile(r"^\s*(?:and|but|ok(?:ay)?|so)?[\s,]*(?:what|how)\s+about\s+(?P<a>.+?)[\s?.!]*$"
                       r"|^\s*(?:and|but)[\s,]+(?:(?:what|how)\s+(?:of|for)\s+)?(?!(?:what|when|who|whom|where|why|how|which|did|does|do|is|are|was|were|can|could|will|would|has|have)\b)(?P<b>(?:in|for|of|at|on|since|before|during|the)?\s*\S+(?:\s+\S+){0,3}?)[\s?.!]*$"
                       r"|^\s*(?:the\s+)?same\s+(?:for|in)\s+(?P<c>.+?)[\s?.!]*$", re.IGNORECASE)
# words that point back into the conversation ("that" and "this" only at the end: "who said that?")
_POINTERS = {"it", "its", "they", "them", "their", "theirs", "there", "then", "those", "these", "he", "she", "him",
             "his"}
_POINTER_AT_END = re.compile(r"\b(?:that|this|so)\s*[?.!]*\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
_NAME_SKIP = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "did", "does", "do", "is", "are",
              "was", "were", "and", "but", "the", "a", "an", "in", "of", "for", "can", "could", "will", "would",
              "should", "i", "what's", "whats", "tell", "show", "give", "list", "has", "have", "ok", "okay", "so"}
# a follow-up with at most this many content words the thread has not used reads as a continuation
ELLIPSIS_NEW_TERMS = 1
# a question with a pointer word but this many new content words, and strong evidence alone, is a new topic
OWN_TOPIC_TERMS = 3


def _strip_end(text: str) -> str:
    return text.strip().rstrip("?.! ").strip()


def names_in(question: str) -> list[str]:
    """Capitalised words and acronyms (not the first word, not question words): what a question names."""
    words = _WORD.findall(question)
    return [w for i, w in enumerate(words)
            if (w[0].isupper() and (i > 0 or sum(c.isupper() for c in w) > 1)) and w.lower() not in _NAME_SKIP]


def _fit(text: str) -> str:
    """At most the question limit, keeping the end (the newest words)."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUESTION_CHARS else text[-MAX_QUESTION_CHARS:].split(" ", 1)[-1]


def _carry(given: Filters, previous: Turn, keep_dates: bool = True) -> Filters:
    """The filters given now when there are any, else the previous turn's (dates dropped for a new period)."""
    base = given if not given.is_empty() or previous.filters is None else \
        previous.filters.model_copy(update={"include_restricted": given.include_restricted})
    if not keep_dates:
        base = base.model_copy(update={"published_after": None, "published_before": None})
    return base


def _contrast(question: str) -> str | None:
    m = _CONTRAST.match(question)
    if not m:
        return None
    x = (m.group("a") or m.group("b") or m.group("c") or "").strip()
    return x or None


def _swap(anchor: str, x: str) -> str:
    """The previous question with its period, place or topic replaced by x."""
    period = period_in(x) or period_in(f"in {x}")
    if period is not None:
        old = period_in(anchor)
        phrase = _strip_end(x if period_in(x) else f"in {x}")
        body = anchor.replace(old.phrase, "").replace("  ", " ") if old else anchor
        return f"{_strip_end(body)} {phrase.strip()}?"
    new_names = names_in(f"x {x}")
    runs = [m for m in _NAME_RUN.finditer(anchor) if m.start() > 0 and m.group(0).lower() not in _NAME_SKIP]
    if new_names and runs:  # "what about Wales?" after "... NPS Midlands?": the last name swapped, acronyms kept
        last = runs[-1]
        words = last.group(0).split()
        keep = 0
        while keep < len(words) - 1 and words[keep].isupper():
            keep += 1
        start = last.start() + (len(" ".join(words[:keep])) + 1 if keep else 0)
        name = re.sub(r"^(?:in|for|at|of|on|the)\s+", "", _strip_end(x), flags=re.IGNORECASE)
        return f"{anchor[:start]}{name}{anchor[last.end():]}"
    m = re.search(r"\b(about|for|on|of)\s+(?!the\s+(?:report|inspection)\b).+?$", _strip_end(anchor), re.IGNORECASE)
    if m and not new_names:
        return f"{_strip_end(anchor)[:m.end(1)]} {_strip_end(x)}?"
    return f"{_strip_end(anchor)}, and {_strip_end(x)}?"


def points_back(question: str) -> bool:
    words = {w.lower() for w in _WORD.findall(question)}
    return bool(words & _POINTERS) or bool(_POINTER_AT_END.search(question))


def resolve(question: str, given: Filters, turns: list[Turn],
            strong_alone: Callable[[str, Filters], bool] | None = None) -> Resolution:
    """The deterministic reading. `strong_alone(question, filters)` says whether the question's own retrieval
    evidence answers it (asked only for a long question that also has a pointer word)."""
    question = question.strip()
    if not turns:
        return Resolution(question, given, False, "standalone")
    previous = turns[-1]
    anchor = previous.standalone
    x = _contrast(question)
    if x is not None:
        new_period = period_in(x) or period_in(f"in {x}")
        return Resolution(_fit(_swap(anchor, x)), _carry(given, previous, keep_dates=new_period is None), True,
                          "contrast")
    thread_terms = set().union(*(content_terms(t.standalone) for t in turns))
    own = content_terms(question)
    new_terms = own - thread_terms
    thread_words = {w.lower() for t in turns for w in _WORD.findall(t.standalone)}
    own_names = [n for n in names_in(question) if n.lower() not in thread_words]
    pointer = points_back(question)
    if own_names and not (pointer and len(new_terms) <= ELLIPSIS_NEW_TERMS):
        return Resolution(question, given, False, "standalone")  # it names its own subject: a new topic
    if not pointer and len(new_terms) > ELLIPSIS_NEW_TERMS:
        return Resolution(question, given, False, "standalone")
    if pointer and len(new_terms) >= OWN_TOPIC_TERMS and strong_alone is not None and strong_alone(question, given):
        return Resolution(question, given, False, "standalone")
    how = "pronoun" if pointer else "ellipsis"
    read = question if anchor.lower() == question.lower() else f"{anchor} {question}"
    return Resolution(_fit(read), _carry(given, previous), True, how)


# --- the language model's reading (optional) -----------------------------------------------------

REWRITE_SYSTEM = ("You rewrite the last question of a conversation with a document search assistant as one "
                  "standalone question that can be searched without the conversation. Resolve pronouns and "
                  "left-out words from the earlier questions. If the last question already stands alone or "
                  "changes the subject, repeat it unchanged. Reply with the question only, on one line.")


def rewrite_messages(question: str, turns: list[Turn]):
    from llama_index.core.llms import ChatMessage

    history = "\n".join(f"{i}. {t.standalone}" for i, t in enumerate(turns, start=1))
    return [ChatMessage(role="system", content=REWRITE_SYSTEM),
            ChatMessage(role="user", content=f"Earlier questions:\n{history}\n\nLast question: {question}")]


def rewrite(client, question: str, turns: list[Turn]) -> str | None:
    """The model's standalone question, or None (no usable reply: the caller falls back)."""
    from assistant.llm.client import LLMError

    try:
        reply = client.complete(rewrite_messages(question, turns))
    except LLMError as exc:
        log.info("follow-up rewrite failed, reading it deterministically: %s", exc.reason)
        return None
    text = " ".join((reply or "").strip().strip('"“”').split())
    if not text or "\n" in (reply or "").strip() or len(text) > min(MAX_QUESTION_CHARS, 4 * len(question) + 300):
        log.info("follow-up rewrite unusable (%d characters), reading it deterministically", len(text))
        return None
    return text


def read_in_conversation(question: str, given: Filters, turns: list[Turn], *, llm_client=None,
                         strong_alone: Callable[[str, Filters], bool] | None = None) -> Resolution:
    """The model's rewrite when a client is given and it answers usably, else the deterministic reading."""
    deterministic = resolve(question, given, turns, strong_alone)
    if llm_client is None or not turns:
        return deterministic
    text = rewrite(llm_client, question, turns)
    if text is None:
        return deterministic
    if text.strip().lower() == question.strip().lower():
        return Resolution(question, given, False, "standalone")
    return Resolution(text, _carry(given, turns[-1]), True, "rewritten")
