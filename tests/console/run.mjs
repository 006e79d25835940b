#!/usr/bin/env node
// The web console's journeys in a real browser: Debian's chromium (headless, driven by
// playwright-core; no browser is downloaded) against the real server serving the built console
// (console/dist), on a throwaway SQLite data directory or, with BULKHEAD_TEST_ENGINE=postgres, a
// database of its own in the cluster BULKHEAD_TEST_POSTGRES_URL names. Mail is read from the
// server's outbox (DATA/outbox). axe-core checks every screen (any serious or critical
// violation fails), and any console error or uncaught exception in a page fails the journey it
// happened in.
//
//   node tests/console/run.mjs BULKHEAD_BINARY
//
// Needs `make client-deps` (npm ci here) and the console built (`make`, or `cd console && npm ci
// && npm run build`). BULKHEAD_CONSOLE_SCREENSHOTS=1 saves a PNG of each screen under
// docs/console/ (off by default, so that `make test` leaves the tree alone).
// BULKHEAD_CONSOLE_TEST_PORT fixes the server's port; CHROMIUM names another browser binary.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Checks } from "../support/checks.mjs";
import { Server } from "../support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const kDeadlineMs = 280_000;
const binary = process.argv[2];
const consoleDir = process.env.BULKHEAD_CONSOLE_DIR ?? path.join(repo, "console", "dist");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

let server = null;
let browser = null;

function abort(message) {
  console.error(`console e2e: ${message}`);
  if (server) server.cleanUp();
  if (browser) browser.close().catch(() => {});
  process.exit(1);
}

if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
for (const pkg of ["playwright-core", "@axe-core/playwright", "axe-core"]) {
  if (!fs.existsSync(path.join(here, "node_modules", pkg, "package.json"))) {
    abort(`${here}/node_modules/${pkg} is missing: run \`make client-deps\` (npm ci) first`);
  }
}
if (!fs.existsSync(path.join(consoleDir, "index.html"))) {
  abort(`${consoleDir}/index.html is missing: build the console first (\`make\`, or ` +
        "`cd console && npm ci && npm run build`)");
}
if (!fs.existsSync(chromiumPath)) {
  abort(`${chromiumPath} is missing: install Debian's chromium (scripts/install-deps)`);
}
const { chromium } = await import("playwright-core");
const { journeys } = await import("./journeys.mjs");
const deadline = setTimeout(() => abort(`took longer than ${kDeadlineMs / 1000} s`), kDeadlineMs);
process.on("SIGTERM", () => abort("terminated"));
process.on("SIGINT", () => abort("interrupted"));

// The runner: each journey by name, in order; a failure is recorded and the run goes on (the
// journeys that need what a failed one made fail in turn, saying so).
const runner = new Checks({
  stackLines: 14,
  onFailure: () => {
    if (server && !server.running()) console.log(`      the server is not running:\n${server.stderr}`);
  },
});
const { check } = runner;

try {
  // --base-domain localhost: <slug>.localhost:<port>, which Chromium resolves to loopback, is an
  // organization's own address. BULKHEAD_CONSOLE_TEST_PORT fixes the port.
  server = new Server(binary, {
    suite: "console",
    port: Number(process.env.BULKHEAD_CONSOLE_TEST_PORT) || 0,
    serveArgs: ["--base-domain", "localhost", "--console-dir", path.resolve(consoleDir)],
  });
  const base = await server.start();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  console.log(`server (${server.engine}): ${base}, console from ${consoleDir}, ` +
              `chromium ${browser.version()}`);
  const screenshots = process.env.BULKHEAD_CONSOLE_SCREENSHOTS === "1"
    ? path.join(repo, "docs", "console") : null;
  await journeys({ server, base, browser, check, screenshots });
} catch (e) {
  runner.setupFailed(e);
}
await browser?.close().catch(() => {});
await server?.stop();
clearTimeout(deadline);

runner.finish("console e2e");
