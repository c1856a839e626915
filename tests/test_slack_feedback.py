"""Issue 14 §3: feedback staff expect, and sources that link to the document. A vote updates the answer's message
(chat.update: "Thanks — marked helpful"); 👎 opens a form asking why (views.open; Bolt handles the submission);
one vote per person, a second replaces the first; the export keeps the reasons and never turns a 👎 into
"unanswerable". Real Bolt over HTTP, signed requests, the Slack stand-in (tests/slack_fake.py)."""

from __future__ import annotations

import json
import time

from slack_fake import action_payload, action_value, blocks_of, mention, view_submission
from test_slack import citation_lines, fake, make_bot  # noqa: F401 (fixtures)

from assistant.models import Citation
from bots.slack import render

Q = "What did inspectors say about workloads?"
PRESS_URL = "https://www.justiceinspectorates.gov.uk/hmiprobation/"


def ask(h, q: str = Q):
    h.fake.reset()
    ev = mention(q)
    h.post.event(ev)
    h.answered()
    return ev, h.fake.of("chat.postMessage")[0]


def vote(h, ev, post, action_id: str, user: str):
    h.fake.reset()
    r = h.post.action(action_payload(action_id, action_value(post, action_id), h.fake, channel="CPUBLIC", user=user,
                                     message_ts=post.args.get("ts") or "1710000000.900000", thread_ts=ev["ts"],
                                     blocks=blocks_of(post)))
    assert r.status_code == 200
    return h.fake.wait_method("chat.update")[0]


def eventually(check, timeout: float = 20.0):
    """Bolt acknowledges a form at once and stores it just after: wait for check() to hold."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def vote_line(update) -> str:
    [line] = [b for b in blocks_of(update) if b.get("block_id", "").startswith("votes:")]
    return line["elements"][0]["text"]


def test_votes_update_the_message_one_per_person_and_a_thumbs_down_asks_why(make_bot):
    h = make_bot()
    ev, post = ask(h)
    answer_id = action_value(post, "feedback_up")

    update = vote(h, ev, post, "feedback_up", "UALICE")
    assert update.args["channel"] == "CPUBLIC" and vote_line(update).startswith("Thanks — marked helpful (👍 1 · 👎 0")
    assert "views.open" not in h.fake.methods() and "chat.postEphemeral" not in h.fake.methods()
    blocks = blocks_of(update)  # the answer and its buttons are all still there, the vote line under the buttons
    ids = [b.get("block_id") for b in blocks]
    assert ids.index(f"votes:{answer_id}") == ids.index(f"answer:{answer_id}") + 1
    assert len(blocks) == len(blocks_of(post)) + 1 and citation_lines(update) == citation_lines(post)

    update = vote(h, ev, post, "feedback_up", "UBOB")
    assert "(👍 2 · 👎 0" in vote_line(update)
    # Alice changes her mind: her 👍 becomes a 👎 (one vote per person), and she is asked why
    update = vote(h, ev, post, "feedback_down", "UALICE")
    assert vote_line(update).startswith("Thanks — marked not helpful (👍 1 · 👎 1")
    [form] = h.fake.wait_method("views.open")
    view = json.loads(form.args["view"]) if isinstance(form.args["view"], str) else form.args["view"]
    assert form.args["trigger_id"].startswith("trig.") and view["callback_id"] == "feedback_reason"
    assert view["blocks"][0]["optional"] is True and json.loads(view["private_metadata"]) == {"answer_id": answer_id}

    # the form, submitted through Bolt's view handler
    r = h.post.form({"payload": json.dumps(view_submission(
        "feedback_reason", view["private_metadata"], {"reason": {"reason": "  It quotes the 2018 press release; "
                                                                           "we wanted the board's view.  "}}))})
    assert r.status_code == 200
    eventually(lambda: any(row["reason"] for row in h.bot.store.feedback()))
    rows = {r["user"]: r for r in h.bot.store.feedback()}
    assert rows["UALICE"]["vote"] == "down" and rows["UBOB"]["vote"] == "up"
    assert rows["UALICE"]["reason"] == "It quotes the 2018 press release; we wanted the board's view."
    assert rows["UBOB"]["reason"] is None
    # a reason belongs to the 👎 it came with: voting 👍 again drops it
    vote(h, ev, post, "feedback_up", "UALICE")
    assert {r["user"]: r["reason"] for r in h.bot.store.feedback()} == {"UALICE": None, "UBOB": None}


def test_export_keeps_reasons_and_a_bare_thumbs_down_needs_review(make_bot):
    h = make_bot()
    ev1, post1 = ask(h)
    ev2, post2 = ask(h, "What did inspectors recommend?")
    vote(h, ev1, post1, "feedback_down", "UALICE")
    view = h.fake.wait_method("views.open")[0].args["view"]
    meta = (json.loads(view) if isinstance(view, str) else view)["private_metadata"]
    h.post.form({"payload": json.dumps(view_submission("feedback_reason", meta, {"reason": {"reason": "Out of date"}}))})
    eventually(lambda: any(row["reason"] for row in h.bot.store.feedback()))
    vote(h, ev2, post2, "feedback_down", "UBOB")  # no reason given (the form skipped)
    h.post.form({"payload": json.dumps(view_submission(
        "feedback_reason", json.dumps({"answer_id": action_value(post2, "feedback_up")}), {"reason": {"reason": ""}},
        user="UBOB"))})
    data, review = h.bot.store.question_set()
    assert data["questions"] == []
    by = {item["question"]: item for item in review}
    with_reason, bare = by[Q], by["What did inspectors recommend?"]
    assert with_reason["reasons"] == ["Out of date"] and bare["reasons"] == []
    for item in (with_reason, bare):
        assert item["status"] == "needs_review" and item["reply"] == "answered" and "answerable" not in item
        assert item["rejected_sources"]


def test_an_unknown_answer_and_an_ephemeral_answer_still_get_a_reply(make_bot):
    h = make_bot()
    h.post.action(action_payload("feedback_up", "f" * 32, h.fake, channel="CPUBLIC", message_ts="1710000000.1"))
    assert "no longer have that answer" in h.fake.wait_method("chat.postEphemeral")[0].args["text"]
    _, post = ask(h)
    h.fake.reset()  # /ask answers are ephemeral: Slack cannot edit them, so the voter alone is thanked
    h.post.action(action_payload("feedback_up", action_value(post, "feedback_up"), h.fake, channel="CPUBLIC",
                                 message_ts="1710000000.2", ephemeral=True))
    assert h.fake.wait_method("chat.postEphemeral")[0].args["text"].startswith("Thanks — marked helpful")
    assert "chat.update" not in h.fake.methods()


# --- sources link to the document ---------------------------------------------------------------------

def test_source_titles_link_to_the_manifest_url_in_the_reply(make_bot):
    h = make_bot()
    _, post = ask(h)
    lines = citation_lines(post)
    press = [line for line in lines if "Midlands NPS - Rated" in line]
    assert press and all(f"<{PRESS_URL}|Midlands NPS - Rated" in line for line in press)
    # (a document with no URL in the manifest, such as the board paper, is shown unlinked: unit test below)


def test_a_citation_url_from_the_document_viewer_wins_over_the_manifest_url():
    class ViewerCitation(Citation):  # the service's Citation once the viewer lands (ASSISTANT_PUBLIC_URL set)
        url: str | None = None

    base = dict(n=1, doc_id="d", title="Report", doc_type="inspection_report", published=None, page=None,
                section=None, paragraph=None, quote="Workloads were too high.", score=1.0, source=PRESS_URL)
    viewer = "https://assistant.example.org/documents/d#p-3"
    assert render.citation_text(ViewerCitation(**base, url=viewer)).startswith(f"*[1]* <{viewer}|Report>")
    assert render.citation_text(ViewerCitation(**base)).startswith(f"*[1]* <{PRESS_URL}|Report>")
    assert render.citation_text(Citation(**{**base, "source": "corpus/report.pdf"})).startswith("*[1]* Report")
    odd = ViewerCitation(**base, url="https://x.example/a|b>")  # not a URL Slack can link: the manifest's instead
    assert render.citation_text(odd).startswith(f"*[1]* <{PRESS_URL}|Report>")
