// Talking to the API: the key (sessionStorage, this tab only), JSON requests, and answers as server-sent events.
// Every URL is relative to the page, so the page works behind a reverse proxy at a path prefix (/assistant/).

const KEY = "assistant.apiKey";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const auth = {
  required: true,
  get key() { return sessionStorage.getItem(KEY); },
  set key(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
  headers() { return this.key ? { Authorization: `Bearer ${this.key}` } : {}; },
  // whether this server wants a key at all (none on a loopback-only server without keys)
  async load() {
    const r = await fetch("auth/required", { headers: { Accept: "application/json" } });
    this.required = r.ok ? (await r.json()).key_required : true;
    return this.required;
  },
  get signedIn() { return !this.required || !!this.key; },
};

async function failure(response) {
  let code = "http_" + response.status, message = `The server answered ${response.status}.`;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch (_) { /* not JSON: keep the status line */ }
  if (response.status === 401) message = "Your API key was not accepted. Sign in again.";
  return new ApiError(response.status, code, message);
}

export async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { Accept: "application/json", ...auth.headers(),
                                                          ...(options.headers || {}) } });
  } catch (_) {
    throw new ApiError(0, "network", "The service could not be reached. Check your connection and try again.");
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

// A document's path segment: each part encoded, "/" kept (doc_ids such as uploads/paper).
export function docPath(docId) {
  return "v1/documents/" + docId.split("/").map(encodeURIComponent).join("/");
}

// POST a JSON body and read the answer stream (assistant/api/stream.py): delta..., answer, error?, done.
export async function streamEvents(path, body, onEvent) {
  const response = await request(path, { method: "POST", headers: { "Content-Type": "application/json",
                                                                     Accept: "text/event-stream" },
                                          body: JSON.stringify(body) });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const event = parseFrame(frame);
      if (event) onEvent(event.name, event.data);
    }
    if (done) break;
  }
}

function parseFrame(frame) {
  let name = "message";
  const data = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return null;
  try {
    return { name, data: JSON.parse(data.join("\n")) };
  } catch (_) {
    return null;
  }
}
