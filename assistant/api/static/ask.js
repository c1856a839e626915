// Asking: the question form's values, the request, and the answer rendered as it streams in.
//
// Questions go to a conversation (POST v1/conversations, then v1/conversations/{id}/messages), so a follow-up
// such as "and in 2018?" is read with the earlier questions; the answer's `read_as` says how it was read.
// "New conversation" (reset) starts afresh; a conversation the server no longer has is started again.

import { request, streamEvents } from "./api.js";
import { viewerHash } from "./viewer.js";

export class Conversation {
  constructor() { this.id = null; this.pending = null; }
  reset() { this.id = null; this.pending = null; }
  // Made ahead of the first question (when the page is shown, or on "New conversation"), so pressing Enter
  // costs one request, not two.
  start() {
    if (!this.pending) {
      this.pending = request("v1/conversations", { method: "POST" }).then((r) => r.json())
        .then((c) => { this.id = c.id; return c.id; })
        .catch((err) => { this.pending = null; throw err; });
    }
    return this.pending;
  }
  async ask(question, filters, onEvent) {
    const body = { question, stream: true };
    if (filters) body.filters = filters;
    const id = await this.start();
    try {
      return await streamEvents(`v1/conversations/${id}/messages`, body, onEvent);
    } catch (err) {
      if (err.status !== 404) throw err;
      this.reset();  // expired (retention) or deleted: a new one, this question its first
      return this.ask(question, filters, onEvent);
    }
  }
}

export function readFilters(form) {
  const filters = {};
  const types = [...form.querySelectorAll("input[name=doc_type]:checked")].map((box) => box.value);
  if (types.length) filters.doc_type = types;
  for (const name of ["published_after", "published_before", "area"]) {
    const value = form.elements[name].value.trim();
    if (value) filters[name] = value;
  }
  return Object.keys(filters).length ? filters : null;
}

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child != null) node.append(child);
  return node;
};

export function where(c) {
  const parts = [];
  if (c.published) parts.push(c.published);
  if (c.page) parts.push(`page ${c.page}`);
  if (c.paragraph) parts.push(/^(para|footnote)/i.test(c.paragraph) ? c.paragraph : `paragraph ${c.paragraph}`);
  if (c.section) parts.push(`“${c.section.length > 80 ? c.section.slice(0, 79) + "…" : c.section}”`);
  return parts.join(" · ");
}

function shorten(text, limit) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit - 1);
  const space = cut.lastIndexOf(" ");
  return (space > limit / 2 ? cut.slice(0, space) : cut) + "…";
}

// The answer text with each [n] a link to the viewer at that passage.
function answerWithLinks(text, citations) {
  const byN = new Map(citations.map((c) => [c.n, c]));
  const out = document.createDocumentFragment();
  const parts = text.split(/\[(\d+)\]/);
  parts.forEach((part, i) => {
    if (i % 2 === 0) { if (part) out.append(part); return; }
    const c = byN.get(Number(part));
    if (!c) { out.append(`[${part}]`); return; }
    const link = el("a", { className: "cite", href: viewerHash(c.doc_id, c.passage_id) }, `[${c.n}]`,
                    el("span", { className: "visually-hidden" }, ` source ${c.n}: ${c.title || c.doc_id}`));
    link.dataset.n = c.n;
    out.append(link);
  });
  return out;
}

export class AnswerView {
  constructor(root) {
    this.root = root;
    this.answer = root.querySelector("#answer");
    this.notes = root.querySelector("#notes");
    this.notesBlock = root.querySelector("#notes-block");
    this.sources = root.querySelector("#sources");
    this.sourcesHeading = root.querySelector("#sources-heading");
    this.streamed = "";
  }

  start() {
    this.root.hidden = false;
    this.streamed = "";
    this.answer.replaceChildren(el("p", { className: "hint" }, "Searching the documents…"));
    this.answer.setAttribute("aria-busy", "true");
    this.notesBlock.hidden = true;
    this.sources.replaceChildren();
    this.sourcesHeading.hidden = true;
  }

  // generated text as it arrives (LLM mode); the final `answer` event replaces it
  delta(text) {
    if (!this.streamed) this.answer.replaceChildren(el("p", { className: "answer__text" }));
    this.streamed += text;
    this.answer.firstChild.textContent = this.streamed;
  }

  final(answer) {
    const found = answer.status === "answered";
    const body = found ? el("p", { className: "answer__text" }, answerWithLinks(answer.answer, answer.citations))
                       : el("div", { className: "inset" }, el("p", { className: "answer__none" }, answer.answer));
    this.answer.replaceChildren(body);
    if (answer.table && answer.table.length) this.answer.append(ratingsTable(answer.table));
    this.answer.setAttribute("aria-busy", "false");
    const notes = [...(answer.notes || [])];
    const readAs = answer.read_as;
    if (readAs && readAs.follow_up && readAs.question !== answer.question) {
      notes.unshift(`Read with the earlier questions as: “${readAs.question}”`);
    }
    this.notes.replaceChildren(...notes.map((note) => el("li", {}, note)));
    this.notesBlock.hidden = !notes.length;
    this.sourcesHeading.textContent = found ? "Sources" : "Nearest passages";
    this.sourcesHeading.hidden = !answer.citations.length;
    this.sources.replaceChildren(...answer.citations.map(sourceItem));
  }

  stop() { this.answer.setAttribute("aria-busy", "false"); }
}

function sourceItem(c) {
  const item = el("li", { className: "source", id: `source-${c.n}` },
    el("p", { className: "source__title" },
       el("span", { className: "source__n" }, `[${c.n}] `),
       el("a", { className: "link", href: viewerHash(c.doc_id, c.passage_id) }, c.title || c.doc_id)),
    el("p", { className: "source__where" }, where(c)),
    el("blockquote", { className: "source__quote" }, shorten(c.quote, 320)));
  item.value = c.n;
  return item;
}

function ratingsTable(rows) {
  const columns = Object.keys(rows[0]).filter((k) => typeof rows[0][k] !== "object");
  const head = el("tr", {}, ...columns.map((k) => el("th", { scope: "col" }, k.replace(/_/g, " "))));
  const body = rows.map((row) => el("tr", {}, ...columns.map((k) => el("td", {}, String(row[k] ?? "")))));
  return el("table", { className: "table" }, el("caption", { className: "visually-hidden" }, "Ratings"),
            el("thead", {}, head), el("tbody", {}, ...body));
}
