// The product's side of a webhook: an HTTP server on loopback that verifies every delivery with
// the `standardwebhooks` package (the Standard Webhooks reference library, not our code) and
// records it. Each endpoint the suite creates points at its own path, /hooks/<name>; the test
// tells the receiver the path's secrets once the server has shown them, and how to answer
// (2xx, 500, 410, slowly). The receiver can be stopped and started again on the same port, so
// that the server meets a refused connection.

import http from "node:http";

import { Webhook } from "standardwebhooks";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Which of `secrets` verify this request (each alone): the library throws on any mismatch, a
// missing header, or a timestamp more than 5 minutes away.
export function verifyingSecrets(secrets, body, headers) {
  const passed = [];
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers);
      passed.push(secret);
    } catch {
      // Not this one.
    }
  }
  return passed;
}

export class Receiver {
  constructor() {
    this.routes = new Map();  // name -> {secrets, answer}: see route()
    this.requests = [];       // every request: {name, headers, body, event, verified, status, at}
    this.connections = 0;     // TCP connections accepted, for "nothing reached the receiver"
    this.server = null;
    this.port = 0;
    this.sockets = new Set();
  }

  async start(port = this.port) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on("connection", (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  // Closes the port: the server's next connection is refused.
  async stop() {
    if (!this.server) return;
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = null;
  }

  url(name) {
    return `http://127.0.0.1:${this.port}/hooks/${name}`;
  }

  // The path's state: the whsec_ secrets that may sign for it, and answer(request) ->
  // {status, delayMs, location} (default: 204 at once).
  route(name) {
    if (!this.routes.has(name)) this.routes.set(name, { secrets: [], answer: () => ({ status: 204 }) });
    return this.routes.get(name);
  }

  setSecrets(name, secrets) {
    this.route(name).secrets = secrets;
  }

  setAnswer(name, answer) {
    this.route(name).answer = answer;
  }

  async handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const name = req.url.startsWith("/hooks/") ? req.url.slice("/hooks/".length) : "";
    const route = this.routes.get(name);
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const record = { name, method: req.method, headers, body, at: Date.now(), event: null,
                     verified: false, passed: [] };
    if (route) {
      record.passed = verifyingSecrets(route.secrets, body, headers);
      record.verified = record.passed.length > 0;
    }
    try { record.event = JSON.parse(body); } catch { /* recorded as it came */ }
    const { status = 204, delayMs = 0, location } = route && record.verified
      ? route.answer(record, this) ?? {} : { status: route ? 401 : 404 };
    record.status = status;
    this.requests.push(record);
    if (delayMs) await sleep(delayMs);
    if (!res.destroyed) {
      res.writeHead(status, { "content-type": "text/plain", ...(location ? { location } : {}) });
      res.end(status < 300 ? "" : `answered ${status}`);
    }
  }

  // Every request to `name`.
  attempts(name) {
    return this.requests.filter((r) => r.name === name);
  }

  // The deliveries `name` accepted (verified and answered 2xx), as events, in arrival order.
  received(name) {
    return this.attempts(name).filter((r) => r.verified && r.status >= 200 && r.status < 300)
      .map((r) => r.event);
  }

  until(fn, what, timeoutMs) {
    return until(fn, what, timeoutMs);
  }
}

// Waits until fn() is truthy (polling every 50 ms); its value, or throws with `what`.
export async function until(fn, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs / 1000} s: ${what}`);
    await sleep(50);
  }
}

export { sleep };
