// The Node suites' runner: each check by name, in order; a failure is recorded and the run goes
// on, and `finish` prints the summary and exits 0 only when every check (and the setup) passed.
// `onFailure` adds what the suite knows (a server that died); a check that throws an error
// whose message starts with "skipped:" (it needs what an earlier one made) says only that.
export class Checks {
  constructor({ stackLines = 12, onFailure = () => {} } = {}) {
    this.results = [];
    this.stackLines = stackLines;
    this.onFailure = onFailure;
    this.check = this.check.bind(this);
  }

  async check(name, fn) {
    const started = Date.now();
    try {
      const value = await fn();
      this.results.push({ name, ok: true });
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
      return value ?? true;
    } catch (e) {
      const message = e?.message?.startsWith("skipped:") ? e.message
        : (e?.stack ?? String(e)).split("\n").slice(0, this.stackLines).join("\n      ");
      this.results.push({ name, ok: false, message });
      console.log(`FAIL  ${name} (${Date.now() - started} ms)\n      ${message}`);
      this.onFailure();
      return undefined;
    }
  }

  // A failure outside any check (starting the server, the browser).
  setupFailed(e) {
    this.results.push({ name: "setup", ok: false, message: e?.stack ?? String(e) });
    console.log(`FAIL  setup: ${e?.stack ?? e}`);
  }

  finish(suite) {
    const failed = this.results.filter((r) => !r.ok);
    const engine = process.env.BULKHEAD_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
    console.log(`\n${suite} (${engine}): ${this.results.length - failed.length} passed,` +
                ` ${failed.length} failed`);
    for (const r of failed) console.log(`  failed: ${r.name}`);
    process.exit(failed.length === 0 ? 0 : 1);
  }
}
