#!/usr/bin/env node
// OpenID Connect conformance, as a relying party meets it: the real server on loopback, clients
// registered with the operator CLI, users and organizations made through the JSON API, a
// cookie-jar browser signing in on the hosted pages, and openid-client (the certified RP
// library) doing discovery and every grant, with jose verifying access tokens against the JWKS.
//
//   node tests/oidc/run.mjs BULKHEAD_BINARY
//
// BULKHEAD_TEST_ENGINE=postgres runs it on a database of its own in the cluster named by
// BULKHEAD_TEST_POSTGRES_URL (make test starts one). Needs `make client-deps` (npm ci) first:
// nothing is downloaded here. Every check runs (a failed one does not stop the others, except
// those that need what it made); any failure exits 1. About 70 s: one check waits out an
// authorization code's 60 s lifetime.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Server } from "../support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const kDeadlineMs = 270_000;
const binary = process.argv[2];

let server = null;

function abort(message) {
  console.error(`oidc rp: ${message}`);
  if (server) server.cleanUp();
  process.exit(1);
}

if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
for (const pkg of ["openid-client", "jose"]) {
  if (!fs.existsSync(path.join(here, "node_modules", pkg, "package.json"))) {
    abort(`${here}/node_modules/${pkg} is missing: run \`make client-deps\` (npm ci) first`);
  }
}
// After the check above: the checks import openid-client and jose.
const { checks } = await import("./checks.mjs");
const deadline = setTimeout(() => abort(`took longer than ${kDeadlineMs / 1000} s`), kDeadlineMs);
process.on("SIGTERM", () => abort("terminated"));
process.on("SIGINT", () => abort("interrupted"));

// The runner: each check by name, in order; a failure is recorded and the run goes on.
const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    const value = await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
    return value ?? true;
  } catch (e) {
    const message = (e?.stack ?? String(e)).split("\n").slice(0, 12).join("\n      ");
    results.push({ name, ok: false, message });
    console.log(`FAIL  ${name} (${Date.now() - started} ms)\n      ${message}`);
    if (server && !server.running()) console.log(`      the server is not running:\n${server.stderr}`);
    return undefined;
  }
}

try {
  server = new Server(binary, { suite: "oidc", serveArgs: ["--base-domain", "bulkhead.test"] });
  const issuer = await server.start();
  console.log(`server (${server.engine}): ${issuer}`);
  await checks({ server, issuer, check });
} catch (e) {
  results.push({ name: "setup", ok: false, message: e?.stack ?? String(e) });
  console.log(`FAIL  setup: ${e?.stack ?? e}`);
}
await server?.stop();
clearTimeout(deadline);

const failed = results.filter((r) => !r.ok);
console.log(`\noidc rp (${process.env.BULKHEAD_TEST_ENGINE === "postgres" ? "postgres" : "sqlite"}):` +
            ` ${results.length - failed.length} passed, ${failed.length} failed`);
for (const r of failed) console.log(`  failed: ${r.name}`);
process.exit(failed.length === 0 ? 0 : 1);
