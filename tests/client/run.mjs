#!/usr/bin/env node
// The contract test, end to end: starts the real server on loopback with a throwaway store,
// fetches /openapi.json, lints it (redocly, recommended rules: 0 errors, 0 warnings), generates
// TypeScript types from it (openapi-typescript), type-checks contract.ts against them
// (tsc --strict) and compiles it, and runs it against the server (openapi-fetch). The web
// console's committed client types (console/src/api/schema.d.ts) must equal the generated ones.
//
//   node tests/client/run.mjs BULKHEAD_BINARY
//
// BULKHEAD_TEST_ENGINE=postgres runs it on a database of its own in the cluster named by
// BULKHEAD_TEST_POSTGRES_URL (make test starts one). Needs `make client-deps` (npm ci) first:
// nothing is downloaded here.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = (name) => path.join(here, "node_modules", ".bin", name);
const binary = process.argv[2];
const deadline = setTimeout(() => fail("took longer than 240 s"), 240_000);

let server = null;
let work = null;
let database = null;

function cleanUp() {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (database) psql(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
}

function fail(message) {
  console.error(`client contract: ${message}`);
  cleanUp();
  process.exit(1);
}

function psql(sql) {
  const r = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", database.admin, "-c", sql], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}

// Runs a step's command; its output is shown only when it fails.
function step(name, command, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: work, encoding: "utf8", timeout: 120_000, ...options });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error || r.status !== 0) {
    fail(`${name} failed (${r.error ?? `exit ${r.status}`}):\n${output}`);
  }
  console.log(`${name}: ok (${Date.now() - started} ms)`);
  return output;
}

function startServer() {
  const args = ["serve", "--listen", "127.0.0.1:0", "--data", path.join(work, "data"),
                "--threads", "2", "--dns-server", "127.0.0.1:1",
                "--base-domain", "bulkhead.test"];
  if (process.env.BULKHEAD_TEST_ENGINE === "postgres") {
    const admin = process.env.BULKHEAD_TEST_POSTGRES_URL;
    if (!admin) fail("BULKHEAD_TEST_ENGINE=postgres needs BULKHEAD_TEST_POSTGRES_URL");
    database = { admin, name: `bh_client_${process.pid}` };
    psql(`CREATE DATABASE ${database.name}`);
    args.push("--database", admin.slice(0, admin.lastIndexOf("/") + 1) + database.name);
  }
  server = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let errors = "";
  server.stderr.on("data", (chunk) => { errors = (errors + chunk).slice(-4000); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail("the server did not say it was listening in 20 s"), 20_000);
    server.on("exit", (code) => fail(`the server exited (${code}):\n${errors}`));
    readline.createInterface({ input: server.stdout }).on("line", (line) => {
      let event;
      try { event = JSON.parse(line); } catch { return; }
      if (event.event === "listening") {
        clearTimeout(timer);
        resolve(event.address);
      }
    });
  });
}

// redocly's JSON report, counted by severity; every problem is shown.
function lint() {
  const r = spawnSync(bin("redocly"), ["lint", "openapi.json", "--config",
                                       path.join(here, "redocly.yaml"), "--format", "json"],
                      { cwd: work, encoding: "utf8", timeout: 120_000,
                        env: { ...process.env, REDOCLY_TELEMETRY: "off",
                               REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
  let report;
  try { report = JSON.parse(r.stdout); } catch {
    fail(`redocly lint gave no report (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const problems = report.problems ?? [];
  for (const p of problems) {
    const where = (p.location ?? []).map((l) => l.pointer).join(", ");
    console.log(`  ${p.severity} ${p.ruleId}: ${p.message} ${where}`);
  }
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.filter((p) => p.severity === "warn").length;
  console.log(`redocly lint: ${errors} errors, ${warnings} warnings`);
  return problems.length === 0;
}

if (!binary) fail("usage: run.mjs BULKHEAD_BINARY");
if (!fs.existsSync(bin("tsc")) || !fs.existsSync(path.join(here, "node_modules", "openapi-fetch"))) {
  fail(`${here}/node_modules is missing: run \`make client-deps\` (npm ci) first`);
}
process.on("SIGTERM", () => fail("terminated"));
process.on("SIGINT", () => fail("interrupted"));
work = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-client-"));
// The program resolves openapi-fetch and @types/node from this package's installed modules.
fs.symlinkSync(path.join(here, "node_modules"), path.join(work, "node_modules"));
fs.copyFileSync(path.join(here, "contract.ts"), path.join(work, "contract.ts"));
fs.writeFileSync(path.join(work, "package.json"), JSON.stringify({ type: "module" }));

const address = await startServer();
const baseUrl = `http://${address}`;
console.log(`server: ${baseUrl}`);
const document = await fetch(`${baseUrl}/openapi.json`);
if (document.status !== 200) fail(`GET /openapi.json: ${document.status}`);
fs.writeFileSync(path.join(work, "openapi.json"), await document.text());

// A lint problem fails the test at the end; the client is still built and run meanwhile.
const linted = lint();
step("openapi-typescript", bin("openapi-typescript"), ["openapi.json", "-o", "schema.d.ts"]);
// The web console's typed client is generated from the same document and committed: it must be
// what this server's document generates now (console/: npm run generate against this build).
const consoleSchema = path.join(here, "..", "..", "console", "src", "api", "schema.d.ts");
const consoleSchemaCurrent = fs.existsSync(consoleSchema) &&
    fs.readFileSync(consoleSchema, "utf8") === fs.readFileSync(path.join(work, "schema.d.ts"), "utf8");
const tsc = ["--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution",
             "nodenext", "--types", "node", "--noUnusedLocals", "--noFallthroughCasesInSwitch",
             "contract.ts"];
// One run is both the strict type check and the compile: nothing is emitted on any error.
step("tsc --strict --noEmitOnError", bin("tsc"), ["--noEmitOnError", ...tsc]);
const run = spawnSync(process.execPath, ["contract.js", baseUrl],
                      { cwd: work, stdio: "inherit", timeout: 180_000 });
if (run.status !== 0) fail(`contract.js against the server: exit ${run.status ?? run.signal}`);

if (!linted) fail("redocly lint found problems in the document (above)");
if (!consoleSchemaCurrent) {
  fail("console/src/api/schema.d.ts is not what /openapi.json generates: regenerate it " +
       "(start this build's server, then BULKHEAD_URL=http://<address> npm run generate in console/)");
}
server.removeAllListeners("exit");
server.kill("SIGTERM");
await new Promise((resolve) => server.exitCode !== null ? resolve() : server.on("exit", resolve));
clearTimeout(deadline);
cleanUp();
console.log("client contract: passed");
