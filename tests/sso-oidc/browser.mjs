// A browser without a browser for a flow across two servers (Bulkhead and the IdP, both on
// 127.0.0.1 on different ports): fetch with redirect: "manual", following 3xx itself, and a
// cookie jar per origin (host and port), so that neither server ever sees the other's cookies.

const kTimeoutMs = 15_000;

export class Browser {
  constructor() {
    this.jars = new Map();  // origin -> Map(name -> value)
    this.trace = [];        // "GET origin/path -> 303 Location" lines, for failure messages
  }

  jar(origin) {
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    return this.jars.get(origin);
  }

  cookie(origin, name) {
    return this.jar(new URL(origin).origin).get(name);
  }

  #store(origin, response) {
    const jar = this.jar(origin);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k, v = ""] = a.split("=").map((s) => s.trim());
        if (/^max-age$/i.test(k)) return Number(v) <= 0;
        if (/^expires$/i.test(k)) return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  }

  // One request with the origin's cookies; nothing followed. {status, headers, url, location
  // (absolute or null), text}.
  async request(url, { method = "GET", form, headers = {} } = {}) {
    const target = new URL(url);
    const jar = this.jar(target.origin);
    const h = { ...headers };
    if (jar.size > 0) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    let body;
    if (form) {
      h["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(target, { method, headers: h, body, redirect: "manual",
                                            signal: AbortSignal.timeout(kTimeoutMs) });
    this.#store(target.origin, response);
    const text = await response.text();
    const raw = response.headers.get("location");
    const location = raw === null ? null : new URL(raw, target).href;
    this.trace.push(`${method} ${target.origin}${target.pathname} -> ${response.status}` +
                    (location ? ` ${location.slice(0, 120)}` : ""));
    if (this.trace.length > 100) this.trace.shift();
    return { status: response.status, headers: response.headers, url: target.href, location, text };
  }

  // Follows 3xx from `url` (across origins) until a response that is not a redirect, or a
  // Location starting with one of `stopAt` (returned unfetched).
  async follow(url, { stopAt = [], max = 15 } = {}) {
    let response = await this.request(url);
    for (let hops = 0; response.status >= 300 && response.status < 400 && response.location;
         hops++) {
      if (hops >= max) throw new Error(`more than ${max} redirects: ${this.trace.join("\n")}`);
      if (stopAt.some((prefix) => response.location.startsWith(prefix))) return response;
      response = await this.request(response.location);
    }
    return response;
  }

  lastSteps(n = 10) {
    return this.trace.slice(-n).join("\n        ");
  }
}
