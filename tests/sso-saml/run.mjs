#!/usr/bin/env node
// SAML single sign-on as an organization meets it: the real server on loopback, an
// organization on a plan with SSO, and samlify as the organization's identity provider
// (tests/sso-saml/idp.mjs) reading Bulkhead's SP metadata and AuthnRequests and answering with
// responses it signs itself; the browser played by fetch with a cookie jar. Then the attacks:
// tampered, expired, replayed, misaddressed and wrapped assertions.
//
//   node tests/sso-saml/run.mjs BULKHEAD_BINARY
//
// BULKHEAD_TEST_ENGINE=postgres runs it on a database of its own in the cluster named by
// BULKHEAD_TEST_POSTGRES_URL (make test starts one). Needs `make client-deps` (npm ci) first.
// Every check runs (a failed one does not stop the others, except those that need what it
// made); any failure exits 1.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Checks } from "../support/checks.mjs";
import { Server } from "../support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const kDeadlineMs = 280_000;
const binary = process.argv[2];
let server = null;

function abort(message) {
  console.error(`sso-saml e2e: ${message}`);
  server?.cleanUp();
  process.exit(1);
}

if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
for (const name of ["samlify", "@authenio/samlify-node-xmllint"]) {
  if (!fs.existsSync(path.join(here, "node_modules", name, "package.json"))) {
    abort(`${here}/node_modules/${name} is missing: run \`make client-deps\` (npm ci) first`);
  }
}
// After the check above: these import samlify.
const { checks } = await import("./checks.mjs");
const deadline = setTimeout(() => abort(`took longer than ${kDeadlineMs / 1000} s`), kDeadlineMs);
process.on("SIGTERM", () => abort("terminated"));
process.on("SIGINT", () => abort("interrupted"));

const runner = new Checks({
  onFailure: () => {
    if (server?.process && !server.running()) console.log(`      the server is not running:\n${server.stderr}`);
  },
});
try {
  server = new Server(binary, { suite: "ssosaml" });
  console.log(`server (${server.engine}): ${await server.start()}`);
  await checks({ server, check: runner.check });
} catch (e) {
  runner.setupFailed(e);
}
await server?.stop();
clearTimeout(deadline);
runner.finish("sso-saml e2e");
