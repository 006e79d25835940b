// The real server for the Node suites (tests/oidc, tests/console): started on a loopback port
// chosen beforehand (so that --public-url, the issuer, names it), with a throwaway data
// directory, or a PostgreSQL database of its own when BULKHEAD_TEST_ENGINE=postgres (in the
// cluster BULKHEAD_TEST_POSTGRES_URL names); the operator CLI run against the same store; the
// JSON API for the fixtures; the mail outbox. Node's own modules only, so that each suite's
// package can import it. A server can be killed (SIGKILL) and started again on the same store,
// and a second server can share the first one's store (tests/webhooks: crash recovery and two
// instances).

import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

const kCliTimeoutMs = 60_000;

// A free loopback port: bound on port 0, read, released.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function psql(admin, sql) {
  const r = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c", sql],
                      { encoding: "utf8", timeout: kCliTimeoutMs });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
}

export class Server {
  // suite: a short name for temporary directories, databases and messages; port: a fixed
  // port (default: a free one); serveArgs: the suite's own `serve` flags; dnsServer: the
  // --dns-server (default: a port where nobody answers); sharedWith: another Server whose data
  // directory or database (and master key) this one serves too, without creating or dropping it.
  constructor(binary, { suite, port = 0, serveArgs = [], dnsServer = "127.0.0.1:1",
                        sharedWith = null }) {
    this.binary = path.resolve(binary);  // the commands run in the work directory
    this.suite = suite;
    this.fixedPort = port;
    this.serveArgs = serveArgs;
    this.dnsServer = dnsServer;
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), `bulkhead-${suite}-`));
    this.data = path.join(this.work, "data");
    this.ownsStore = sharedWith === null;
    this.databaseCreated = false;
    this.process = null;
    this.database = null;  // {admin, name, url} on PostgreSQL
    this.stderr = "";  // the last 4000 characters, for failure messages
    this.output = [];  // every line the server wrote (stdout and stderr), for the log check
    // On PostgreSQL the CLI does not share the data directory's development master key with
    // the server: both take the key from the environment, as an operator's would.
    this.env = { ...process.env };
    delete this.env.BULKHEAD_MASTER_KEY;
    if (process.env.BULKHEAD_TEST_ENGINE === "postgres") {
      const admin = process.env.BULKHEAD_TEST_POSTGRES_URL;
      if (!admin) throw new Error("BULKHEAD_TEST_ENGINE=postgres needs BULKHEAD_TEST_POSTGRES_URL");
      const name = `bh_${suite}_${process.pid}`;
      this.database = { admin, name, url: admin.slice(0, admin.lastIndexOf("/") + 1) + name };
      this.env.BULKHEAD_MASTER_KEY = crypto.randomBytes(32).toString("hex");
    }
    if (sharedWith) {
      this.data = sharedWith.data;
      this.database = sharedWith.database;
      this.env = sharedWith.env;
    }
  }

  get engine() {
    return this.database ? "postgres" : "sqlite";
  }

  // The flags that name the store, for `serve` and every operator command.
  storageFlags() {
    return this.database ? ["--database", this.database.url] : ["--data", this.data];
  }

  async start() {
    if (this.database && this.ownsStore && !this.databaseCreated) {
      psql(this.database.admin, `CREATE DATABASE ${this.database.name}`);
      this.databaseCreated = true;
    }
    const port = this.fixedPort || await freePort();
    this.address = `127.0.0.1:${port}`;
    this.publicUrl = `http://${this.address}`;
    const args = ["serve", "--listen", this.address, "--public-url", this.publicUrl,
                  "--data", this.data, "--threads", "2", "--dns-server", this.dnsServer,
                  ...this.serveArgs];
    if (this.database) args.push("--database", this.database.url);
    this.process = spawn(this.binary, args, { cwd: this.work, env: this.env,
                                              stdio: ["ignore", "pipe", "pipe"] });
    this.process.stderr.on("data", (chunk) => { this.stderr = (this.stderr + chunk).slice(-4000); });
    readline.createInterface({ input: this.process.stderr }).on("line", (l) => this.output.push(l));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the server did not say it was listening " +
                                                      `in 30 s:\n${this.stderr}`)), 30_000);
      this.process.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${this.binary}: ${e.message}`));
      });
      this.process.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}):\n${this.stderr}`));
      });
      readline.createInterface({ input: this.process.stdout }).on("line", (line) => {
        this.output.push(line);
        let event;
        try { event = JSON.parse(line); } catch { return; }
        if (event.event === "listening") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return this.publicUrl;
  }

  running() {
    return this.process !== null && this.process.exitCode === null &&
           this.process.signalCode === null;
  }

  // `bulkhead ARGS... <storage flags>`: stdout, or throws with the command's output.
  cli(args) {
    const r = spawnSync(this.binary, [...args, ...this.storageFlags()],
                        { cwd: this.work, env: this.env, encoding: "utf8",
                          timeout: kCliTimeoutMs });
    if (r.error || r.status !== 0) {
      throw new Error(`bulkhead ${args.join(" ")}: ${r.error ?? `exit ${r.status}`}\n` +
                      `${r.stdout}${r.stderr}`);
    }
    return r.stdout;
  }

  // `bulkhead clients create`: {client_id, client_secret}.
  createClient({ name, redirectUris, postLogoutRedirectUris = [], isPublic = false, alg }) {
    const args = ["clients", "create", "--name", name];
    for (const uri of redirectUris) args.push("--redirect-uri", uri);
    for (const uri of postLogoutRedirectUris) args.push("--post-logout-redirect-uri", uri);
    if (isPublic) args.push("--public");
    if (alg) args.push("--signing-alg", alg);
    const out = this.cli(args);
    try {
      return JSON.parse(out);
    } catch {
      throw new Error(`bulkhead clients create printed no JSON object:\n${out}`);
    }
  }

  // The JSON API: {status, body}. `token` is a session token (Authorization: Bearer).
  async api(method, route, { token, body } = {}) {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(this.publicUrl + route, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = { raw: text }; }
    return { status: response.status, body: json };
  }

  // The API call, which must answer `expected`; its body.
  async expectApi(expected, method, route, options) {
    const r = await this.api(method, route, options);
    if (r.status !== expected) {
      throw new Error(`${method} ${route}: ${r.status} (expected ${expected}) ` +
                      JSON.stringify(r.body));
    }
    return r.body;
  }

  // Everything the server logged: its output and the files under DATA/logs.
  logs() {
    let text = this.output.join("\n");
    const dir = path.join(this.data, "logs");
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) : []) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isFile()) text += `\n${fs.readFileSync(file, "utf8")}`;
    }
    return text;
  }

  // The newest mail to `to` in the outbox (DATA/outbox, sent or not) whose body matches
  // `pattern`: the match. Waits up to 10 s for it.
  async mail(to, pattern) {
    const outbox = path.join(this.data, "outbox");
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const found = [];
      for (const dir of [outbox, path.join(outbox, "sent")]) {
        if (!fs.existsSync(dir)) continue;
        for (const name of fs.readdirSync(dir)) {
          if (!name.endsWith(".eml")) continue;
          const text = fs.readFileSync(path.join(dir, name), "utf8");
          const header = text.slice(0, text.indexOf("\r\n\r\n"));
          if (!new RegExp(`^To:.*${to.replace(/[.+]/g, "\\$&")}`, "mi").test(header)) continue;
          const match = text.match(pattern);
          if (match) found.push({ name, match });
        }
      }
      if (found.length > 0) return found.sort((a, b) => a.name.localeCompare(b.name)).at(-1).match;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`no mail to ${to} matching ${pattern} in ${outbox} within 10 s`);
  }

  // SIGKILL, as a crash: the store is left as it is, for start() to serve again.
  async kill() {
    if (!this.running()) return;
    this.process.removeAllListeners("exit");
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill("SIGKILL");
    await exited;
  }

  async stop() {
    if (this.running()) {
      this.process.removeAllListeners("exit");
      const exited = new Promise((resolve) => this.process.once("exit", resolve));
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.cleanUp();
  }

  // Synchronous, for the deadline and signals: nothing is left behind.
  cleanUp() {
    if (this.running()) this.process.kill("SIGKILL");
    if (this.work) fs.rmSync(this.work, { recursive: true, force: true });
    this.work = null;
    if (this.database && this.ownsStore) {
      try {
        psql(this.database.admin, `DROP DATABASE IF EXISTS ${this.database.name} WITH (FORCE)`);
      } catch (e) {
        console.error(`${this.suite}: ${e.message}`);
      }
      this.database = null;
    }
  }
}
