"""The question path as named steps: redact → read a follow-up in its conversation → understand →
deterministic answers → retrieve → decide answerability → compose → generate → annotate → link sources →
warn about redaction.

Each step takes the service and one `AskState` and returns it; `Service.ask` runs `STEPS` in order. New
behaviour (answerability checks, access control, conversations) is a new step in `STEPS`, not a branch inside
another step. A step that only applies to searched answers returns the state unchanged once a deterministic
answer (a glossary definition, a ratings table) has been given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import domain
from assistant.access import PUBLIC, Access
from assistant.answer import NO_ANSWER_TEXT, extractive_answer
from assistant.answer_order import best_supported_first
from assistant.dates import period_in, period_note, prefer_period
from assistant.glossary import defines
from assistant.links import link_citations
from assistant.llm.answer import llm_answer, resolve_mode
from assistant.models import Answer, Filters, ReadAs, ScoredPassage, validate_question
from assistant.privacy import Redaction, redact, without_placeholders
from assistant.safety import INSTRUCTIONS_NOTE, addresses_an_ai

if TYPE_CHECKING:  # pragma: no cover
    from assistant.service import Service
    from assistant.store import Snapshot


@dataclass
class AskState:
    """Everything one question has gathered so far; each step reads it and fills in its part."""

    question: str  # validated; what was asked now
    k: int
    filters: Filters  # effective: the restricted part already decided from `access` by the service
    snap: Snapshot
    access: Access = PUBLIC  # what the caller may see (assistant/access.py)
    glossary: Any = None  # assistant.glossary.Glossary when domain features are on
    mode: str | None = None  # retrieval mode override
    answer_mode: str | None = None  # "extractive" | "llm" override
    on_delta: Callable[[str], None] | None = None
    history: list | None = None  # earlier turns (assistant.conversation.Turn); None: not in a conversation
    asked: str = ""  # the question as asked, when a follow-up was read as a standalone question
    read: Any = None  # assistant.conversation.Resolution
    notes: list[str] = field(default_factory=list)
    period: Any = None  # assistant.dates period the question names
    term: Any = None  # assistant.glossary.Term the question asks to define
    searched_for: str = ""  # what retrieval and the evidence test read
    results: list[ScoredPassage] = field(default_factory=list)
    ignored: list[ScoredPassage] = field(default_factory=list)  # retrieved, but addressing an AI: support nothing
    answer: Answer | None = None
    deterministic: bool = False  # answered without search: later search steps pass
    started: float = field(default_factory=time.perf_counter)
    retrieved: float = 0.0  # when the evidence was in hand (timings: retrieve vs answer)
    redaction: Redaction | None = None  # personal identifiers taken out of the question (assistant/privacy.py)

    @property
    def use_domain(self) -> bool:
        return self.glossary is not None


def redact_personal(service: Service, s: AskState) -> AskState:
    """Case references, dates of birth and the like leave the question before anything reads it: no later
    step, search, LLM, log or store sees them. The earlier question of a conversation too."""
    s.redaction = redact(s.question)
    if s.redaction.changed:
        s.question = validate_question(without_placeholders(s.redaction.text) or s.redaction.text)
    for turn in s.history or []:
        turn.question = without_placeholders(redact(turn.question).text) or turn.question
        turn.read_as = without_placeholders(redact(turn.read_as).text) if turn.read_as else turn.read_as
    return s


def read_in_conversation(service: Service, s: AskState) -> AskState:
    """A follow-up becomes the standalone question it stands for, with the filters in force
    (assistant/conversation.py); every later step reads that question."""
    if s.history is None:
        return s
    from assistant.conversation import read_in_conversation as read

    s.asked = s.question
    s.read = read(s.question, s.filters, s.history, llm_client=service.rewrite_client(),
                  strong_alone=lambda q, f: service.strong_alone(q, f, access=s.access))
    # filters carried from an earlier turn: what may be read is still this caller's grant
    s.question, s.filters = s.read.question, s.filters.model_copy(update={
        **s.read.filters.model_dump(exclude={"include_restricted"}), "include_restricted": s.filters.include_restricted})
    return s


def understand(service: Service, s: AskState) -> AskState:
    """Read what the question itself says: a period ('in 2019') becomes a date filter; 'what is X' a term."""
    if not service.settings.domain_features:
        return s
    s.period = period_in(s.question)
    if s.period and s.period.filters and not (s.filters.published_after or s.filters.published_before):
        s.filters = s.filters.model_copy(update={"published_after": s.period.after,
                                                 "published_before": s.period.before})
        s.notes.append(f"Searched {s.period.describe()} (the question says “{s.period.phrase}”).")
    s.term = s.glossary.definition_question(s.question)
    return s


def deterministic_answers(service: Service, s: AskState) -> AskState:
    """A glossary definition or a ratings table, each cited, before any search."""
    if s.term is not None:
        s.answer = domain.definition_answer(s.question, s.term, s.snap, s.access)
    if s.answer is None and s.use_domain and domain.is_ratings_question(s.question):
        s.answer = domain.ratings_answer(s.question, s.snap, s.filters, s.access)
    s.deterministic = s.answer is not None
    s.retrieved = time.perf_counter()
    return s


def retrieve(service: Service, s: AskState) -> AskState:
    """Search, abbreviations expanded."""
    if s.deterministic:
        return s
    s.searched_for = s.question
    query = s.glossary.expand_query(s.question) if s.glossary else s.question
    # the embedding reads the question with both forms of its terms; BM25 the question plus each term's
    # other form counted as one word (Glossary.bm25_query)
    s.results = service.retriever.search(s.snap, query, s.k, s.filters, s.mode,
                                         bm25_query=s.glossary.bm25_query(s.question) if s.glossary else None)
    if s.period and not s.period.filters:  # an event year: prefer documents covering it (assistant/dates.py)
        s.results = prefer_period(s.results, s.period)
    s.retrieved = time.perf_counter()
    return s


def decide_answerability(service: Service, s: AskState) -> AskState:
    """Answer only when the evidence does: the extractive evidence test, then refuse when the question names
    something the corpus never mentions or asks to define a term no document defines. Passages that address
    instructions to an AI system are neither evidence nor quoted (assistant/safety.py)."""
    if s.deterministic:
        return s
    cfg = service.settings
    flagged = [addresses_an_ai(r.passage.text) for r in s.results]
    s.ignored = [r for r, f in zip(s.results, flagged, strict=False) if f]
    usable = [r for r, f in zip(s.results, flagged, strict=False) if not f]
    asked = s.searched_for
    if s.period and s.period.filters:  # "published in 2019" chose the documents; it is not part of what is asked
        asked = asked.replace(s.period.phrase, " ")
    answer = extractive_answer(asked, usable, cfg.min_dense_score, cfg.min_term_coverage,
                               cfg.answer_sentences, glossary=s.glossary, strictness=cfg.answer_strictness)
    answer.question = s.question
    if s.use_domain:
        refuse = answer.model_copy(update={"status": "no_answer", "answer": NO_ANSWER_TEXT,
                                           "citations": answer.citations[:3]})
        # checked whichever step refused: a name no visible document holds gets the same refusal and note
        # however the evidence test went (its wording depends on ranking, which restricted documents'
        # BM25 statistics can move), so a name only a restricted document holds reads like an absent one
        missing = domain.unknown_names(s.question, s.snap, s.glossary, s.access)
        if missing:
            s.notes.append(f"The indexed documents never mention {', '.join(m.title() for m in missing)}.")
            answer = refuse
        if s.term is not None and not domain.definition_visible(s.term, s.snap, s.access) \
                and not any(defines(s.term, c.quote) for c in answer.citations) \
                and not (answer.status == "answered" and domain.states_meaning(s.term, answer.answer)):
            answer = refuse  # passages that merely mention the term are not a definition of it
        if answer.status == "no_answer" and s.term is not None:
            s.notes.append(domain.glossary_note(s.term))
    s.answer = answer
    return s


def compose(service: Service, s: AskState) -> AskState:
    """Abbreviations spelt out at first use; several documents: the best-supported sentence first, each with its
    date (assistant/answer_order.py)."""
    if s.deterministic or not s.use_domain:
        return s
    assert s.answer is not None  # decide_answerability has run
    s.answer = best_supported_first(domain.apply_glossary(s.answer, s.glossary), s.question, s.snap.superseded_docs)
    return s


def generate(service: Service, s: AskState) -> AskState:
    """In LLM mode, a generated answer checked against the passages (else the extractive one, with why)."""
    assert s.answer is not None  # deterministic_answers or decide_answerability has run
    if s.deterministic or s.answer.status != "answered":
        return s
    if resolve_mode(service.settings, s.answer_mode) == "llm":
        s.answer = llm_answer(service, s.question, s.results, s.answer, s.glossary, s.on_delta)
        s.notes.extend(s.answer.notes)
    return s


def annotate(service: Service, s: AskState) -> AskState:
    """Notes (period, supersession), the no-answer wording for a period, timings."""
    answer = s.answer
    assert answer is not None  # deterministic_answers or decide_answerability has run
    if answer.mode == "extractive":  # a generated answer's check says the same in its own notes
        for title in dict.fromkeys(r.passage.title or r.passage.doc_id for r in s.ignored):
            s.notes.append(INSTRUCTIONS_NOTE.format(title=title))
    s.notes.extend(domain.supersession_notes(answer, s.snap.documents, s.access))
    if s.period and (note := period_note(s.period, answer)):
        s.notes.append(note)
    answer.notes = s.notes
    if answer.status == "no_answer" and s.period and s.period.filters and answer.answer == NO_ANSWER_TEXT:
        answer.answer = NO_ANSWER_TEXT.replace("indexed documents", f"indexed {s.period.describe()}", 1)
    if s.read is not None:
        answer.question = s.asked
        answer.read_as = ReadAs(question=s.question, filters=s.filters.model_dump(
            mode="json", exclude_defaults=True, exclude={"include_restricted"}),
                                follow_up=s.read.follow_up, how=s.read.how)
    done = time.perf_counter()
    answer.timings_ms = {"retrieve": round((s.retrieved - s.started) * 1000, 2),
                         "answer": round((done - s.retrieved) * 1000, 2),
                         "total": round((done - s.started) * 1000, 2)}
    return s


def link_sources(service: Service, s: AskState) -> AskState:
    """With ASSISTANT_PUBLIC_URL set, every citation gets the web viewer's link to its passage (assistant/links.py)."""
    assert s.answer is not None  # every earlier path sets it
    link_citations(s.answer, service.settings.public_url)
    return s


def warn_redacted(service: Service, s: AskState) -> AskState:
    """Tell the asker what was removed ("Your question contained a case reference; it was not stored.");
    the answer echoes the question with placeholders, never the identifier."""
    assert s.answer is not None  # every earlier path sets it
    if s.redaction is not None and s.redaction.changed:
        s.answer.notes.insert(0, s.redaction.warning())
        s.answer.question = s.redaction.text
    return s


STEPS: tuple[Callable[[Service, AskState], AskState], ...] = (
    redact_personal, read_in_conversation, understand, deterministic_answers, retrieve, decide_answerability,
    compose, generate, annotate, link_sources, warn_redacted)


def run_steps(service: Service, state: AskState, steps=STEPS) -> Answer:
    for step in steps:
        state = step(service, state)
    assert state.answer is not None  # every path through STEPS gives an answer
    return state.answer
