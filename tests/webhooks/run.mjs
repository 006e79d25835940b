#!/usr/bin/env node
// Events and webhooks as a product meets them: the real server on loopback with
// --allow-private-webhooks and a retry schedule of seconds, a receiver that verifies every
// delivery with the `standardwebhooks` package (the Standard Webhooks reference library, nothing
// of ours), changes made through the JSON API and the operator CLI, the pull API read alongside.
// Further servers come and go inside the checks: one killed with SIGKILL and started again on the
// same store, a second instance on the same store, one without --allow-private-webhooks.
//
//   node tests/webhooks/run.mjs BULKHEAD_BINARY
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

// Every server the run starts, so that an abort leaves none behind.
const servers = [];
let dns = null;

function abort(message) {
  console.error(`webhooks e2e: ${message}`);
  for (const s of servers.reverse()) s.cleanUp();
  process.exit(1);
}

if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
if (!fs.existsSync(path.join(here, "node_modules", "standardwebhooks", "package.json"))) {
  abort(`${here}/node_modules/standardwebhooks is missing: run \`make client-deps\` (npm ci) first`);
}
// After the check above: these import standardwebhooks.
const { checks } = await import("./checks.mjs");
const { Receiver } = await import("./receiver.mjs");
const { TxtServer } = await import("./dns.mjs");
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
const { check } = runner;

// The flags every delivering server of the suite runs with (the test schedule).
const kDeliveryFlags = ["--allow-private-webhooks", "--webhook-retry-schedule", "0s,1s,1s,1s",
                               "--webhook-timeout", "2s"];

// A server of the suite: registered for clean-up; `options` as Server's.
function newServer(options) {
  const s = new Server(binary, { suite: "webhooks", ...options });
  servers.push(s);
  return s;
}

const receiver = new Receiver();
try {
  await receiver.start();
  dns = new TxtServer();
  const dnsServer = await dns.start();
  const server = newServer({ serveArgs: kDeliveryFlags, dnsServer });
  console.log(`server (${server.engine}): ${await server.start()}; receiver 127.0.0.1:${receiver.port}`);
  await checks({ server, receiver, dns, newServer, check, deliveryFlags: kDeliveryFlags });
} catch (e) {
  runner.setupFailed(e);
}
// BULKHEAD_WEBHOOKS_EXAMPLES=FILE: one delivered event of each type, for docs/events.md.
if (process.env.BULKHEAD_WEBHOOKS_EXAMPLES) {
  const examples = {};
  for (const r of receiver.requests) {
    if (r.verified && r.event?.type && !(r.event.type in examples)) examples[r.event.type] = r.event;
  }
  fs.writeFileSync(process.env.BULKHEAD_WEBHOOKS_EXAMPLES, `${JSON.stringify(examples, null, 2)}\n`);
}
// Sharing servers first: the owner of a store drops it.
for (const s of [...servers].reverse()) await s.stop();
await receiver.stop();
dns?.stop();
clearTimeout(deadline);

runner.finish("webhooks e2e");
