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

import { Checks } from "../support/checks.mjs";
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

const runner = new Checks({
  onFailure: () => {
    if (server && !server.running()) console.log(`      the server is not running:\n${server.stderr}`);
  },
});
const { check } = runner;

try {
  server = new Server(binary, { suite: "oidc", serveArgs: ["--base-domain", "bulkhead.test"] });
  const issuer = await server.start();
  console.log(`server (${server.engine}): ${issuer}`);
  await checks({ server, issuer, check });
} catch (e) {
  runner.setupFailed(e);
}
await server?.stop();
clearTimeout(deadline);

runner.finish("oidc rp");
