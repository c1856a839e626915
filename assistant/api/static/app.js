// The page: sign-in (only when the server wants a key), the question form, the answer, the source viewer,
// and the fragment router (#doc=...&p=...) that opens the viewer from a citation, a deep link or Back.

import { auth, getJson } from "./api.js";
import { AnswerView, Conversation, readFilters } from "./ask.js";
import { Viewer, parseHash } from "./viewer.js";

const $ = (selector) => document.querySelector(selector);

const conversation = new Conversation();
const answerView = new AnswerView($("#result"));
const viewer = new Viewer($("#viewer"));
let asking = false;

function show(section) {
  if (section === "app") conversation.start().catch(() => {});  // ready before the first question; ask retries
  $("#loading").hidden = true;
  $("#sign-in").hidden = section !== "sign-in";
  $("#app").hidden = section !== "app";
  $("#sign-out").hidden = !(auth.required && auth.key);
}

function fieldError(group, message) {
  const box = $(`#${group}-group`);
  const error = box.querySelector(".error-message");
  error.hidden = !message;
  error.textContent = message ? `Error: ${message}` : "";
  box.classList.toggle("form-group--error", !!message);
  const input = box.querySelector("input, textarea");
  if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  if (message) input.focus();
}

function signIn(message) {
  auth.key = null;
  show("sign-in");
  fieldError("api-key", message || "");
  if (!message) $("#api-key").focus();
}

$("#sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("#api-key").value.trim();
  if (!key) return fieldError("api-key", "Enter your API key");
  auth.key = key;
  try {
    await fetchCheck();
  } catch (err) {
    return signIn(err.status === 401 ? "That key was not accepted. Check it and try again" : err.message);
  }
  $("#api-key").value = "";
  fieldError("api-key", "");
  show("app");
  if (!route()) $("#question").focus();
});

// the cheapest call a reader key may make: proves the key before the page is shown
async function fetchCheck() {
  await getJson("v1/documents?limit=1");
}

$("#sign-out").addEventListener("click", () => {
  viewer.close();
  conversation.reset();
  signIn();
});

// Enter asks; Shift+Enter is a new line (the hint says so)
$("#question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("#ask-form").requestSubmit();
  }
});

$("#ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (asking) return;
  const question = $("#question").value.trim();
  if (!question) return fieldError("question", "Enter a question");
  fieldError("question", "");
  const error = $("#ask-error");
  error.hidden = true;
  asking = true;
  $("#ask-button").disabled = true;
  $("#ask-status").textContent = "Searching the documents…";
  answerView.start();
  let final = null;
  try {
    await conversation.ask(question, readFilters(event.target), (name, data) => {
      if (name === "delta") answerView.delta(data.text);
      else if (name === "answer") { final = data; answerView.final(data); viewer.setCitations(data.citations); }
      else if (name === "error") throw Object.assign(new Error(data.error.message), { status: 500 });
    });
    if (!final) throw new Error("The answer stopped before it was complete. Try again.");
    $("#new-conversation").hidden = false;
    $("#ask-status").textContent = final.status === "answered"
      ? `Answer ready, with ${final.citations.length} sources.` : "No answer found in the indexed documents.";
  } catch (err) {
    answerView.stop();
    if (err.status === 401) return signIn("Your key was not accepted. Sign in again");
    $("#result").hidden = !final;
    error.replaceChildren(Object.assign(document.createElement("h2"), { className: "heading-m",
                                                                          textContent: "There is a problem" }),
                          Object.assign(document.createElement("p"), { textContent: err.message }));
    error.hidden = false;
    error.focus();
    $("#ask-status").textContent = "";
  } finally {
    asking = false;
    $("#ask-button").disabled = false;
  }
});

$("#new-conversation").addEventListener("click", () => {
  conversation.reset();
  conversation.start().catch(() => {});
  $("#result").hidden = true;
  $("#new-conversation").hidden = true;
  viewer.setCitations([]);
  viewer.close();
  $("#question").value = "";
  $("#ask-status").textContent = "New conversation: the next question stands alone.";
  $("#question").focus();
});

// Citations, source titles and deep links are fragment links: open the viewer without a page load.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#doc=']");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});

function go(hash) {
  if (location.hash === hash) route();
  else { history.pushState(null, "", hash); route(); }
}

$("#viewer-prev").addEventListener("click", () => { const h = viewer.neighbour(-1); if (h) go(h); });
$("#viewer-next").addEventListener("click", () => { const h = viewer.neighbour(1); if (h) go(h); });
$("#viewer-close").addEventListener("click", () => {
  viewer.close();
  history.pushState(null, "", location.pathname + location.search);
  const open = document.querySelector(".cite") || $("#question");
  open.focus();
});
window.addEventListener("popstate", () => route());

// Open the viewer for the current fragment; false when there is nothing to open.
function route() {
  const target = parseHash(location.hash);
  if (!target) { viewer.close(); return false; }
  if (!auth.signedIn) return true;  // sign-in first; the submit handler routes again
  viewer.open(target.doc, target.passage);
  return true;
}

async function start() {
  try {
    await auth.load();
  } catch (_) {
    auth.required = true;
  }
  if (!auth.signedIn) return signIn();
  show("app");
  route();
}

start();
