// The source viewer: a document's cleaned text in reading order (headings, page markers, paragraph numbers),
// opened at a cited passage, which is highlighted and scrolled into view; previous/next citation; the file.
//
// Its address is the page's own fragment, `#doc=<doc_id>&p=<passage id>`: the same link the API's citation
// `url` carries (assistant/links.py), so a link from Slack or the CLI opens the page right here.

import { auth, docPath, getJson, request } from "./api.js";

export function viewerHash(docId, passageId) {
  return `#doc=${encodeURIComponent(docId)}` + (passageId ? `&p=${encodeURIComponent(passageId)}` : "");
}

export function parseHash(hash) {
  const params = new URLSearchParams((hash || "").replace(/^#/, ""));
  const doc = params.get("doc");
  return doc ? { doc, passage: params.get("p") } : null;
}

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child != null) node.append(child);
  return node;
};

export class Viewer {
  constructor(root) {
    this.root = root;
    this.heading = root.querySelector("#viewer-heading");
    this.meta = root.querySelector("#viewer-meta");
    this.text = root.querySelector("#viewer-text");
    this.file = root.querySelector("#viewer-file");
    this.prev = root.querySelector("#viewer-prev");
    this.next = root.querySelector("#viewer-next");
    this.position = root.querySelector("#viewer-position");
    this.error = root.querySelector("#viewer-error");
    this.cache = new Map();   // doc_id -> passages response (one fetch per document per answer)
    this.citations = [];      // the current answer's citations, for previous/next
    this.shown = null;        // doc_id rendered in this.text
    this.file.addEventListener("click", (event) => this.openFile(event));
  }

  setCitations(citations) {
    this.citations = citations || [];
    this.cache.clear();
  }

  close() {
    this.root.hidden = true;
  }

  async open(docId, passageId) {
    this.root.hidden = false;
    this.error.hidden = true;
    let data;
    try {
      data = this.cache.get(docId) || await getJson(`${docPath(docId)}/passages`);
    } catch (err) {
      this.showError(err.status === 404 ? "This document is no longer in the index." : err.message);
      return false;
    }
    this.cache.set(docId, data);
    if (this.shown !== docId) this.render(data);
    const passage = data.passages.find((p) => p.id === passageId) || null;
    this.mark(docId, passage);
    this.fileLink(docId, data, passage);
    this.navigation(docId, passageId);
    return true;
  }

  showError(message) {
    this.shown = null;
    this.text.replaceChildren();
    this.heading.textContent = "Source";
    this.meta.textContent = "";
    this.file.hidden = true;
    this.error.textContent = message;
    this.error.hidden = false;
    this.heading.focus();
  }

  render(data) {
    const doc = data.document;
    this.heading.textContent = doc.title || doc.doc_id;
    this.meta.textContent = [doc.published && `Published ${doc.published}`, doc.organisation,
                             `${data.passages.length} passages`].filter(Boolean).join(" · ");
    const out = document.createDocumentFragment();
    let page = null, section = null, grid = null;
    for (const p of data.passages) {
      if (p.page != null && p.page !== page) {
        page = p.page;
        out.append(el("p", { className: "page-marker" }, `Page ${page}`));
      }
      if (p.section && p.section !== section) {
        section = p.section;
        out.append(el("h3", { className: "doc-section" }, section));
      }
      out.append(passageNode(p));
      const table = p.table && JSON.stringify(p.table);
      if (table && table !== grid) out.append(gridNode(p.table));
      grid = table || null;
    }
    this.text.replaceChildren(out);
    this.text.scrollTop = 0;
    this.shown = doc.doc_id;
  }

  // every passage this answer cites in the document is marked; the opened one is highlighted and in view
  mark(docId, passage) {
    for (const node of this.text.querySelectorAll(".is-current, .is-cited")) {
      node.classList.remove("is-current", "is-cited");
      node.removeAttribute("aria-current");
    }
    for (const c of this.citations) {
      if (c.doc_id !== docId) continue;
      const node = this.text.querySelector(`[data-passage="${CSS.escape(c.passage_id)}"]`);
      if (node) node.classList.add("is-cited");
    }
    const node = passage && this.text.querySelector(`[data-passage="${CSS.escape(passage.id)}"]`);
    if (node) {
      node.classList.add("is-current");
      node.setAttribute("aria-current", "true");
      this.reveal(node);
      node.focus({ preventScroll: true });
    } else {
      this.heading.focus();
    }
  }

  // Centre the passage in the text pane when the pane scrolls by itself (wide screens), else in the window;
  // either way the viewer's own heading and buttons stay where they are.
  reveal(node) {
    const pane = this.text;
    if (getComputedStyle(pane).overflowY === "auto" && pane.scrollHeight > pane.clientHeight) {
      let box = pane.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight / 2) {
        this.root.scrollIntoView({ block: "start" });
        box = pane.getBoundingClientRect();
      }
      const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);  // the part on screen
      const r = node.getBoundingClientRect();
      pane.scrollTop += r.top - (top + Math.max(0, (bottom - top - r.height) / 2));
    } else {
      node.scrollIntoView({ block: "center" });
    }
  }

  fileLink(docId, data, passage) {
    this.file.hidden = !data.file_type;
    if (!data.file_type) return;
    const pdf = data.file_type.startsWith("application/pdf");
    const page = pdf && passage && passage.page ? `#page=${passage.page}` : "";
    this.file.href = `${docPath(docId)}/file${page}`;
    this.file.dataset.type = data.file_type;
    this.file.textContent = "Open the original file" + (pdf ? ` (PDF${page ? `, page ${passage.page}` : ""})` : "");
  }

  // A link cannot send the bearer header: with a key, fetch the file and open it from memory (HTML as text,
  // so a document's own scripts never run as this page).
  async openFile(event) {
    if (!auth.key) return;  // no key needed: the plain link works
    event.preventDefault();
    const href = this.file.getAttribute("href");
    const [path, fragment] = href.split("#");
    const tab = window.open("", "_blank");
    try {
      const blob = await (await request(path, { headers: { Accept: "*/*" } })).blob();
      const type = (this.file.dataset.type || "").startsWith("text/html") ? "text/plain" : blob.type;
      const url = URL.createObjectURL(new Blob([blob], { type }));
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      tab.location.href = url + (fragment ? `#${fragment}` : "");
    } catch (err) {
      tab.close();
      this.error.textContent = err.message;
      this.error.hidden = false;
    }
  }

  navigation(docId, passageId) {
    const i = this.citations.findIndex((c) => c.doc_id === docId && c.passage_id === passageId);
    const known = i >= 0;
    this.prev.disabled = !known || i === 0;
    this.next.disabled = !known || i === this.citations.length - 1;
    this.prev.hidden = this.next.hidden = !this.citations.length;
    this.position.textContent = known ? `Citation ${this.citations[i].n} of ${this.citations.length}` : "";
    this.index = i;
  }

  neighbour(step) {
    const c = this.citations[this.index + step];
    return c ? viewerHash(c.doc_id, c.passage_id) : null;
  }
}

function passageNode(p) {
  const node = el("p", { className: "passage", tabIndex: -1, id: `passage-${p.n}` });
  node.dataset.passage = p.id;
  let text = p.text;
  if (p.paragraph) {
    // "5. All NPS areas..." shows 5. once, in bold; "Footnote 1: ..." likewise
    const lead = new RegExp(`^${p.paragraph.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[.:]?\\s+`, "i");
    text = text.replace(lead, "");
    const label = /^\d/.test(p.paragraph) ? `${p.paragraph}.` : p.paragraph[0].toUpperCase() + p.paragraph.slice(1);
    node.append(el("span", { className: "para-no" }, label), " ");
  }
  node.append(text);
  return node;
}

function gridNode(rows) {
  const [head, ...body] = rows;
  return el("table", { className: "table" },
            el("thead", {}, el("tr", {}, ...head.map((cell) => el("th", { scope: "col" }, cell)))),
            el("tbody", {}, ...body.map((row) => el("tr", {}, ...row.map((cell) => el("td", {}, cell))))));
}
