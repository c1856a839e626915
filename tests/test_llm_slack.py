"""The Slack bot with an LLM configured: the reply shows the checked generated answer when it is done, with its
sources, or the extractive answer and a note saying why. Real Bolt over HTTP, FakeSlack (tests/slack_fake.py)
for Slack's Web API and the scripted OpenAI-compatible server (tests/llm_fake.py) for the model."""

from __future__ import annotations

import pytest
from slack_fake import block_texts, blocks_of, mention

from tests.llm_fake import FakeLLM, Reply, n_of
from tests.test_llm import BOARD, PRESS, S1, S3, STAFF, WORKLOADS, Q, cite
from tests.test_slack import citation_lines, fake, make_bot  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def llm_server():
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_settings(corpus_settings, llm_server):
    return corpus_settings.model_copy(update={"llm_url": llm_server.url, "llm_model": "test-model",
                                              "llm_timeout_s": 3.0, "llm_retries": 0})


def sections(post) -> list[str]:
    return [b["text"]["text"] for b in blocks_of(post) if b["type"] == "section"]


def test_generated_answer_is_shown_with_its_sources(make_bot, llm_settings, llm_server):  # noqa: F811
    h = make_bot(llm_settings)
    llm_server.script(lambda req: Reply(content=f"{cite(S1, n_of(req, WORKLOADS))} {cite(S3, n_of(req, STAFF))}"))
    h.post.event(mention(Q))
    h.answered()
    post = h.fake.of("chat.postMessage")[0]
    assert sections(post)[0] == f"{S1} [1] {S3} [2]"
    lines = citation_lines(post)
    assert [line[:5] for line in lines] == ["*[1]*", "*[2]*"]
    assert "Midlands NPS - Rated" in lines[0] and "National Probation Service update" in lines[1]
    assert "\n>Probation inspectors found the Midlands division" in lines[0]  # a quote from the cited passage
    assert len(llm_server.requests) == 1
    stored = h.bot.store.answer(blocks_of(post)[-2]["block_id"].split(":", 1)[1])
    assert [c.doc_id for c in stored.citations] == [PRESS, BOARD]


def test_llm_failure_shows_the_extractive_answer_and_says_why(make_bot, llm_settings, llm_server):  # noqa: F811
    h = make_bot(llm_settings)
    llm_server.script(Reply(status=500))
    h.post.event(mention(Q))
    h.answered()
    post = h.fake.of("chat.postMessage")[0]
    text = block_texts(post)
    assert "The generated answer was not used (the language model's server answered HTTP 500)" in text
    assert "*Sources*" in text and citation_lines(post)
