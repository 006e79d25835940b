// A browser without a browser: a cookie jar and fetch with redirect: "manual", following 3xx
// itself, filling the hosted pages' forms (sign-in, organization picker) and stopping at the
// relying party's redirect URI, which is never fetched: its Location is the authorization
// response that openid-client then processes.

const kTimeoutMs = 15_000;

// Decodes the five entities HtmlEscape writes (and numeric ones), for hidden input values.
export function htmlUnescape(text) {
  return text
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

// The value of the <input name="NAME"> in `html` (attributes in any order), or undefined.
export function inputValue(html, name) {
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    const attr = (a) => {
      const m = tag.match(new RegExp(`\\s${a}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "i"));
      return m ? htmlUnescape(m[1] ?? m[2]) : undefined;
    };
    if (attr("name") === name) return attr("value") ?? "";
  }
  return undefined;
}

// Every <input type="hidden"> as {name: value}.
export function hiddenInputs(html) {
  const out = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    if (!/\stype\s*=\s*["']?hidden/i.test(tag)) continue;
    const name = tag.match(/\sname\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
    if (!name) continue;
    const n = htmlUnescape(name[1] ?? name[2]);
    out[n] = inputValue(html, n);
  }
  return out;
}

// The action of the page's first POST form (HTML-unescaped), or undefined.
function formAction(html) {
  for (const [tag] of html.matchAll(/<form\b[^>]*>/gi)) {
    if (!/\smethod\s*=\s*["']?post/i.test(tag)) continue;
    const m = tag.match(/\saction\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
    return m ? htmlUnescape(m[1] ?? m[2]) : undefined;
  }
  return undefined;
}

export class Browser {
  constructor(origin) {
    this.origin = origin;
    this.cookies = new Map();  // one host, every path: name -> value
    this.trace = [];           // "GET /path -> 303" lines, for failure messages
  }

  cookie(name) {
    return this.cookies.get(name);
  }

  #store(response) {
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
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  // One request with the jar's cookies; no redirect followed. Returns {status, headers, url,
  // location (absolute, or null), text}.
  async request(url, { method = "GET", form, headers = {} } = {}) {
    const target = new URL(url, this.origin);
    const h = { ...headers };
    if (this.cookies.size > 0) {
      h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    let body;
    if (form) {
      h["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(target, {
      method, headers: h, body, redirect: "manual", signal: AbortSignal.timeout(kTimeoutMs),
    });
    this.#store(response);
    const text = await response.text();
    const raw = response.headers.get("location");
    const location = raw === null ? null : new URL(raw, target).href;
    this.trace.push(`${method} ${target.pathname} -> ${response.status}` +
                    (location ? ` ${new URL(location).pathname}` : ""));
    return { status: response.status, headers: response.headers, url: target.href, location, text };
  }

  // Follows redirects from `url` until a response that is not a 3xx to this server, or a
  // Location under `stopAt` (returned unfetched). Returns the last response.
  async follow(url, { stopAt = [], max = 12, ...options } = {}) {
    let response = await this.request(url, options);
    for (let hops = 0; response.status >= 300 && response.status < 400 && response.location;
         hops++) {
      if (hops >= max) throw new Error(`more than ${max} redirects: ${this.trace.join(", ")}`);
      if (stopAt.some((prefix) => response.location.startsWith(prefix))) return response;
      if (new URL(response.location).origin !== new URL(this.origin).origin) return response;
      response = await this.request(response.location);
    }
    return response;
  }

  // Runs an authorization request the way a person would: signs in on /login when asked
  // (credentials), picks `pick` (an organization id) when the picker appears. Returns the
  // authorization response URL (a URL at `redirectUri`), or throws naming the page it stopped
  // at. `seen` collects the pages met ({login, picker}: their HTML).
  async authorize(authorizationUrl, { redirectUri, credentials, pick, seen = {} }) {
    let response = await this.follow(authorizationUrl, { stopAt: [redirectUri] });
    for (let steps = 0; steps < 4; steps++) {
      if (response.location && response.location.startsWith(redirectUri)) {
        return new URL(response.location);
      }
      const page = new URL(response.url).pathname;
      if (response.status === 200 && page === "/login" && credentials && !seen.login) {
        seen.login = response.text;
        response = await this.submit(response, { email: credentials.email,
                                                 password: credentials.password },
                                     { stopAt: [redirectUri] });
      } else if (response.status === 200 && page === "/organization" && pick && !seen.picker) {
        seen.picker = response.text;
        response = await this.submit(response, { organization: pick }, { stopAt: [redirectUri] });
      } else {
        break;
      }
    }
    throw new Error(`the authorization stopped at ${response.url} (${response.status}): ` +
                    `${this.trace.slice(-8).join(", ")}\n${response.text.slice(0, 600)}`);
  }

  // Posts the page's form (its POST form's action, else the page's URL) with every hidden
  // input (csrf_token, return_to, token) and `fields`.
  async submit(page, fields, options = {}) {
    const form = { ...hiddenInputs(page.text), ...fields };
    const action = new URL(formAction(page.text) ?? page.url, page.url);
    return this.follow(action.pathname + action.search, { method: "POST", form, ...options });
  }
}
