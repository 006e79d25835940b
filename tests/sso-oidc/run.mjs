#!/usr/bin/env node
// Enterprise SSO over OpenID Connect as a customer meets it: the real server on loopback with
// --allow-private-webhooks (the operator's flag that lets it reach an IdP on loopback), the npm
// `oidc-provider` as the organization's own IdP (a certified OpenID Provider, nothing of ours),
// organizations, plans and connections made through the JSON API the way an admin makes them,
// the browser's part played by fetch with a cookie jar per origin, and openid-client and jose as
// an application that signs its users in through Bulkhead (/oauth2/authorize?organization=…).
//
//   node tests/sso-oidc/run.mjs BULKHEAD_BINARY
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
let idp = null;
const servers = [];  // every server the run starts, so that an abort leaves none behind

function abort(message) {
  console.error(`sso-oidc e2e: ${message}`);
  for (const s of servers.reverse()) s.cleanUp();
  process.exit(1);
}

// A server of the suite: registered for clean-up; `options` as Server's.
function newServer(options) {
  const s = new Server(binary, { suite: "sso_oidc", ...options });
  servers.push(s);
  return s;
}

if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
for (const pkg of ["oidc-provider", "openid-client", "jose"]) {
  if (!fs.existsSync(path.join(here, "node_modules", pkg, "package.json"))) {
    abort(`${here}/node_modules/${pkg} is missing: run \`make client-deps\` (npm ci) first`);
  }
}
// After the check above: these import the packages.
const { checks } = await import("./checks.mjs");
const { IdentityProvider } = await import("./idp.mjs");
const deadline = setTimeout(() => abort(`took longer than ${kDeadlineMs / 1000} s`), kDeadlineMs);
process.on("SIGTERM", () => abort("terminated"));
process.on("SIGINT", () => abort("interrupted"));

const runner = new Checks({
  onFailure: () => {
    for (const s of servers) {
      if (s.process && !s.running() && s.work) console.log(`      a server is not running:\n${s.stderr}`);
    }
  },
});

try {
  server = newServer({ serveArgs: ["--allow-private-webhooks"] });
  const publicUrl = await server.start();
  const redirectUri = `${publicUrl}/sso/oidc/callback`;
  // Two registrations of Bulkhead at the IdP, as two organizations' admins would make them:
  // one whose ID tokens are RS256 (the IdP's default), one ES256.
  const clients = {
    rs256: { client_id: "bulkhead-rs256", client_secret: `rs-${"x".repeat(40)}`,
             redirect_uris: [redirectUri] },
    es256: { client_id: "bulkhead-es256", client_secret: `es-${"y".repeat(40)}`,
             redirect_uris: [redirectUri], id_token_signed_response_alg: "ES256" },
  };
  idp = new IdentityProvider({ clients: Object.values(clients) });
  const issuer = await idp.start();
  console.log(`server (${server.engine}): ${publicUrl}; IdP (oidc-provider): ${issuer}`);
  await checks({ server, idp, clients, newServer, check: runner.check });
} catch (e) {
  runner.setupFailed(e);
}
await idp?.stop();
// Sharing servers first: the owner of a store drops it.
for (const s of [...servers].reverse()) await s.stop();
clearTimeout(deadline);

runner.finish("sso-oidc e2e");
