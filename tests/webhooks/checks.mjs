// The checks, each naming what issue 19 requires. The oracle is never the server's own code:
// signatures are verified by `standardwebhooks`, event data is compared with what the JSON API
// answers for the same object, order and gaps are read off the sequences the receiver saw.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { Webhook } from "standardwebhooks";

import { Receiver, sleep, until, verifyingSecrets } from "./receiver.mjs";

const kPassword = "correct horse battery staple";

// The brief's table (core::kEventTypes).
export const kEventTypes = [
  "organization.created", "organization.updated", "organization.suspended",
  "organization.resumed", "organization.deleted", "organization.plan_changed",
  "member.added", "member.removed", "member.role_changed",
  "invitation.created", "invitation.accepted", "invitation.revoked",
  "workspace.created", "workspace.updated", "workspace.deleted",
  "workspace_member.added", "workspace_member.role_changed", "workspace_member.removed",
  "resource.created", "resource.updated", "resource.deleted",
  "domain.added", "domain.verified", "domain.removed",
  "api_key.created", "api_key.revoked",
  "secret.changed", "secret.deleted",
];

function need(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: needs ${what}, which failed`);
  return value;
}

const orgPath = (org) => `/api/v1/organizations/${org.id}`;

// Without the caller's `role`: how an event carries an organization.
function withoutRole(object) {
  const { role: _role, ...rest } = object;
  return rest;
}

// The event object of the brief: id, type, sequence, organization_id, occurred_at, data.
function assertEnvelope(e, orgId, what) {
  assert.match(e.id, /^evt_[0-9a-f]{32}$/, `${what}: id ${e.id}`);
  assert.equal(e.id[4 + 12], "7", `${what}: the id is a UUIDv7 (${e.id})`);
  assert.equal(e.organization_id, orgId, `${what}: organization_id`);
  assert.ok(kEventTypes.includes(e.type) || e.type === "webhook.test", `${what}: type ${e.type}`);
  assert.ok(Number.isInteger(e.sequence) && e.sequence >= 0, `${what}: sequence ${e.sequence}`);
  assert.match(e.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
               `${what}: occurred_at ${e.occurred_at}`);
  assert.ok(e.data && typeof e.data === "object" && !Array.isArray(e.data), `${what}: data`);
  assert.ok(!("data_truncated" in e), `${what}: data_truncated only on a cut event`);
  assert.deepEqual(Object.keys(e).sort(),
                   ["data", "id", "occurred_at", "organization_id", "sequence", "type"],
                   `${what}: the top-level keys`);
}

// Sequences strictly increasing by one from the first.
function assertContiguous(events, what) {
  for (let i = 1; i < events.length; i++) {
    assert.equal(events[i].sequence, events[i - 1].sequence + 1,
                 `${what}: sequence ${events[i].sequence} after ${events[i - 1].sequence} ` +
                 `(${events.map((e) => e.sequence).join(",")})`);
  }
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, `${what}: ids unique`);
}

// The problem's field names (RFC 9457 body with errors[].field).
const fields = (body) => (body?.errors ?? []).map((e) => e.field);

// The whole pull API from `after`, a page of `limit` at a time.
async function pullAll(server, token, org, { after = 0, limit = 50, types } = {}) {
  const all = [];
  let cursor = after;
  for (;;) {
    const q = `after=${cursor}&limit=${limit}${types ? `&types=${types.join(",")}` : ""}`;
    const page = await server.expectApi(200, "GET", `${orgPath(org)}/events?${q}`, { token });
    assert.ok(Array.isArray(page.data), "events: data");
    all.push(...page.data);
    if (page.next_cursor === null) break;
    assert.equal(page.next_cursor, String(page.data.at(-1).sequence),
                 "next_cursor is the last sequence of the page, as a string");
    cursor = page.next_cursor;
  }
  return all;
}

// POST …/webhooks; the receiver learns the secret. `url` defaults to the receiver's path.
async function createEndpoint(server, token, org, receiver, name, body = {}) {
  const ep = await server.expectApi(201, "POST", `${orgPath(org)}/webhooks`,
                                    { token, body: { url: receiver.url(name), ...body } });
  receiver.setSecrets(name, [ep.secret]);
  return ep;
}

async function signUp(server, email, name) {
  const body = await server.expectApi(201, "POST", "/api/v1/auth/signup",
                                      { body: { email, password: kPassword, name } });
  return { id: body.user.id, email, name, token: body.session_token };
}

async function createOrg(server, token, name, slug) {
  return server.expectApi(201, "POST", "/api/v1/organizations", { token, body: { name, slug } });
}

async function createResources(server, token, org, ws, count, { concurrency = 8, prefix = "r" } = {}) {
  const created = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      created.push(await server.expectApi(201, "POST",
        `${orgPath(org)}/workspaces/${ws.id}/resources`,
        { token, body: { kind: "monitor", name: `${prefix}-${n}`, spec: { n } } }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return created;
}

async function deliveries(server, token, org, ep) {
  const page = await server.expectApi(200, "GET",
                                      `${orgPath(org)}/webhooks/${ep.id}/deliveries?limit=100`,
                                      { token });
  return page.data;
}

// Names in /etc/hosts that resolve to loopback and are not `localhost` or `*.localhost` (the
// create-time check refuses those by name): the DNS-rebinding stand-in.
function loopbackAliases() {
  const names = new Set([os.hostname()]);
  for (const line of fs.readFileSync("/etc/hosts", "utf8").split("\n")) {
    const [address, ...aliases] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (!address || !(address.startsWith("127.") || address === "::1")) continue;
    for (const a of aliases) names.add(a);
  }
  return [...names].filter((n) => n && !/(^|\.)localhost$/i.test(n));
}

// Runs `sql` in the organization's own store, behind the server's back: the only way to make an
// endpoint look as if it had been failing for days without waiting them out.
function tenantSql(server, org, sql) {
  const r = server.engine === "postgres"
    ? spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", server.database.url, "-c",
                         `SET search_path TO org_${org.id.replaceAll("-", "").toLowerCase()}; ${sql}`],
                { encoding: "utf8" })
    : spawnSync("sqlite3", ["-cmd", ".timeout 10000", path.join(server.data, "tenants", `${org.id}.db`), sql],
                { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${sql}: ${r.stderr || r.error}`);
}

// The API call, which must answer one of `statuses` (a create-or-replace answers 200 or 201).
async function expectOneOf(server, statuses, method, route, options) {
  const r = await server.api(method, route, options);
  if (!statuses.includes(r.status)) {
    throw new Error(`${method} ${route}: ${r.status} (expected ${statuses.join(" or ")}) ` +
                    JSON.stringify(r.body));
  }
  return r.body;
}

export async function checks({ server, receiver, dns, newServer, check, deliveryFlags }) {
  const fixtures = await check("fixtures (API): people, organization acme, its endpoints",
                               async () => {
    const alice = await signUp(server, "alice@example.test", "Alice Owner");
    const bob = await signUp(server, "bob@example.test", "Bob Admin");
    const carol = await signUp(server, "carol@example.test", "Carol Member");
    const acme = await createOrg(server, alice.token, "Acme", "acme");
    const all = await createEndpoint(server, alice.token, acme, receiver, "all",
                                     { description: "everything" });
    const members = await createEndpoint(server, alice.token, acme, receiver, "members",
                                         { event_types: ["member.added", "member.removed"] });
    return { alice, bob, carol, acme, all, members };
  });
  const { alice, bob, carol, acme } = fixtures ?? {};

  await check("POST …/webhooks: 201, whsec_ secret once with no-store, the endpoint object",
              async () => {
    const f = need(fixtures, "fixtures");
    const response = await fetch(`${server.publicUrl}${orgPath(f.acme)}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url("shape"), description: "shape" }),
    });
    const ep = await response.json();
    assert.equal(response.status, 201, JSON.stringify(ep));
    assert.match(response.headers.get("cache-control") ?? "", /no-store/);
    assert.match(ep.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, "whsec_ + base64 of 32 bytes");
    assert.equal(Buffer.from(ep.secret.slice(6), "base64").length, 32);
    for (const k of ["id", "url", "description", "event_types", "status", "disabled_reason",
                     "last_sequence", "failing_since", "next_attempt_at", "created_at",
                     "updated_at"]) {
      assert.ok(k in ep, `endpoint has ${k}: ${JSON.stringify(ep)}`);
    }
    assert.equal(ep.status, "enabled");
    assert.equal(ep.disabled_reason, null);
    assert.equal(ep.failing_since, null);
    assert.equal(ep.next_attempt_at, null);
    assert.deepEqual(ep.event_types, []);
    const head = (await pullAll(server, f.alice.token, f.acme)).at(-1).sequence;
    assert.equal(ep.last_sequence, head, "a new endpoint starts at the organization's head");
    assert.equal(ep.url, receiver.url("shape"));
    const got = await server.expectApi(200, "GET", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                                       { token: f.alice.token });
    assert.ok(!("secret" in got), "GET never shows the secret");
    assert.ok(!JSON.stringify(got).includes(ep.secret.slice(6)), "nor any part of it");
    const list = await server.expectApi(200, "GET", `${orgPath(f.acme)}/webhooks`,
                                        { token: f.alice.token });
    assert.ok(list.data.some((e) => e.id === ep.id) && "next_cursor" in list, "listed");
    const off = await server.expectApi(200, "PATCH", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                                       { token: f.alice.token, body: { status: "disabled" } });
    assert.deepEqual([off.status, off.disabled_reason], ["disabled", "manual"]);
    const on = await server.expectApi(200, "PATCH", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                                      { token: f.alice.token, body: { status: "enabled" } });
    assert.deepEqual([on.status, on.disabled_reason], ["enabled", null]);
    const badPatch = await server.api("PATCH", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                                      { token: f.alice.token, body: { event_types: ["nope.nope"] } });
    assert.equal(badPatch.status, 422, JSON.stringify(badPatch.body));
    const bad = await server.api("POST", `${orgPath(f.acme)}/webhooks`,
                                 { token: f.alice.token,
                                   body: { url: receiver.url("x"), event_types: ["member.eaten"] } });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.deepEqual(fields(bad.body), ["event_types"]);
    await server.expectApi(204, "DELETE", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                           { token: f.alice.token });
    await server.expectApi(404, "GET", `${orgPath(f.acme)}/webhooks/${ep.id}`,
                           { token: f.alice.token });
  });

  await check("at most 20 endpoints per organization (409 limit_reached); endpoint changes are audited",
              async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const org = await createOrg(server, f.alice.token, "Many", "many-co");
    const made = [];
    for (let i = 0; i < 20; i++) {
      made.push(await server.expectApi(201, "POST", `${orgPath(org)}/webhooks`,
                                       { ...t, body: { url: receiver.url(`many-${i}`) } }));
    }
    const r = await server.api("POST", `${orgPath(org)}/webhooks`, { ...t, body: { url: receiver.url("many-20") } });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.code, "limit_reached");
    await server.expectApi(200, "POST", `${orgPath(org)}/webhooks/${made[0].id}/rotate-secret`, t);
    await server.expectApi(200, "PATCH", `${orgPath(org)}/webhooks/${made[0].id}`,
                           { ...t, body: { description: "renamed" } });
    await server.expectApi(204, "DELETE", `${orgPath(org)}/webhooks/${made[1].id}`, t);
    const audit = await server.expectApi(200, "GET", `${orgPath(org)}/audit-log?limit=100`, t);
    const actions = audit.data.map((e) => e.action);
    for (const a of ["webhook.created", "webhook.secret_rotated", "webhook.updated", "webhook.deleted"]) {
      assert.ok(actions.includes(a), `${a} in the audit log: ${actions.join(", ")}`);
    }
    assert.ok(!JSON.stringify(audit).includes(made[0].secret.slice(6)), "no secret in the audit log");
    const events = await pullAll(server, f.alice.token, org);
    assert.ok(events.every((e) => !e.type.startsWith("webhook.")), "endpoint changes are not events");
  });

  // --- Every event type, driven through the API and the operator CLI -------------------------
  // Each step: what to do, then the event(s) it must produce and the oracle for their data.
  const driven = await check("every event type of the brief: driven through the API and the CLI",
                             async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const o = orgPath(f.acme);
    const expected = [];  // [{type, check(data)}]
    const expect = (type, check) => expected.push({ type, check });
    const getOrg = async () => withoutRole(await server.expectApi(200, "GET", o, t));
    // Waits until the "all" endpoint has received `type` (n-th occurrence): a catalog change
    // from the CLI reaches the log through the outbox sweep, and the next step must follow it.
    const waitFor = (type, n = 1) => receiver.until(
      () => receiver.received("all").filter((e) => e?.type === type).length >= n, `${type} delivered`);

    await server.expectApi(200, "PATCH", o, { ...t, body: { name: "Acme Inc" } });
    const updated = await getOrg();
    expect("organization.updated", (d) => assert.deepEqual(d, updated));

    const before = await getOrg();
    await expectOneOf(server, [200, 204], "PUT", `${o}/plan`, { ...t, body: { plan: "enterprise" } });
    const planned = await getOrg();
    expect("organization.plan_changed", (d) => assert.deepEqual(
      d, { ...planned, previous_plan: before.plan ?? "team" }));

    server.cli(["org", "suspend", "acme"]);
    await waitFor("organization.suspended");
    expect("organization.suspended", (d) => {
      assert.equal(d.id, f.acme.id);
      assert.deepEqual(Object.keys(d).sort(), Object.keys(planned).sort(), "the organization's keys");
    });
    server.cli(["org", "resume", "acme"]);
    await waitFor("organization.resumed");
    const resumed = await getOrg();
    expect("organization.resumed", (d) => assert.deepEqual(d, resumed));

    const memberData = (user, role, extra = {}) => (d) => {
      assert.deepEqual(d.user, { id: user.id, email: user.email, name: user.name });
      assert.equal(d.role, role);
      assert.match(d.joined_at ?? "", /^\d{4}-\d\d-\d\dT/, "joined_at");
      for (const [k, v] of Object.entries(extra)) assert.equal(d[k], v, k);
      assert.deepEqual(Object.keys(d).sort(), ["joined_at", "role", "user", ...Object.keys(extra)].sort());
    };
    await server.expectApi(201, "POST", `${o}/members`, { ...t, body: { user_id: f.bob.id, role: "member" } });
    expect("member.added", memberData(f.bob, "member"));
    await server.expectApi(201, "POST", `${o}/members`, { ...t, body: { user_id: f.carol.id, role: "member" } });
    expect("member.added", memberData(f.carol, "member"));
    await server.expectApi(200, "PATCH", `${o}/members/${f.bob.id}`, { ...t, body: { role: "admin" } });
    expect("member.role_changed", memberData(f.bob, "admin", { previous_role: "member" }));

    const ws = await server.expectApi(201, "POST", `${o}/workspaces`, { ...t, body: { name: "Production" } });
    expect("workspace.created", (d) => assert.deepEqual(d, withoutRole(ws)));
    const wsUpdated = withoutRole(await server.expectApi(200, "PATCH", `${o}/workspaces/${ws.id}`,
                                                         { ...t, body: { description: "live" } }));
    expect("workspace.updated", (d) => assert.deepEqual(d, wsUpdated));
    const w = `${o}/workspaces/${ws.id}`;

    const wsMember = (row, extra = {}) => (d) => assert.deepEqual(d, { ...row, workspace_id: ws.id, ...extra });
    const assigned = await server.expectApi(200, "PUT", `${w}/members/${f.carol.id}`, { ...t, body: { role: "viewer" } });
    expect("workspace_member.added", (d) => {
      assert.deepEqual(d.user, { id: f.carol.id, email: f.carol.email, name: f.carol.name });
      assert.equal(d.role, "viewer");
      assert.equal(d.workspace_id, ws.id);
      wsMember(assigned)(d);
    });
    const reassigned = await server.expectApi(200, "PUT", `${w}/members/${f.carol.id}`, { ...t, body: { role: "editor" } });
    expect("workspace_member.role_changed", wsMember(reassigned, { previous_role: "viewer" }));
    await server.expectApi(204, "DELETE", `${w}/members/${f.carol.id}`, t);
    expect("workspace_member.removed", wsMember(reassigned));

    const resource = await server.expectApi(201, "POST", `${w}/resources`,
      { ...t, body: { kind: "monitor", name: "api", labels: { env: "prod" }, spec: { url: "https://example.com" } } });
    expect("resource.created", (d) => assert.deepEqual(d, resource));
    const resourceUpdated = await server.expectApi(200, "PATCH", `${w}/resources/${resource.id}`,
                                                   { ...t, body: { spec: { url: "https://example.org" } } });
    expect("resource.updated", (d) => assert.deepEqual(d, resourceUpdated));
    await server.expectApi(204, "DELETE", `${w}/resources/${resource.id}`, t);
    expect("resource.deleted", (d) => assert.equal(d.id, resource.id));

    const secretValue = "hunter2-never-in-an-event";
    await expectOneOf(server, [200, 201], "PUT", `${w}/secrets/db-password`, { ...t, body: { value: secretValue } });
    const secretRow = (await server.expectApi(200, "GET", `${w}/secrets`, t)).data
      .find((s) => s.name === "db-password");
    const secretData = (d) => {
      assert.equal(d.workspace_id, ws.id);
      assert.equal(d.name, "db-password");
      for (const k of ["created_at", "updated_at"]) assert.equal(d[k], secretRow[k], k);
      assert.ok(!("value" in d), "never a value");
    };
    expect("secret.changed", secretData);
    await server.expectApi(204, "DELETE", `${w}/secrets/db-password`, t);
    expect("secret.deleted", secretData);

    const key = await server.expectApi(201, "POST", `${o}/api-keys`, { ...t, body: { name: "ci", role: "member" } });
    const keyRow = (await server.expectApi(200, "GET", `${o}/api-keys`, t)).data.find((k) => k.id === key.id);
    expect("api_key.created", (d) => assert.deepEqual(d, keyRow));
    await server.expectApi(204, "DELETE", `${o}/api-keys/${key.id}`, t);
    expect("api_key.revoked", (d) => { assert.equal(d.id, key.id); assert.equal(d.name, "ci"); });

    const hostname = "app.acme-example.test";
    const domain = await server.expectApi(201, "POST", `${o}/domains`, { ...t, body: { hostname } });
    const domainRow = async () => (await server.expectApi(200, "GET", `${o}/domains`, t)).data
      .find((d) => d.hostname === hostname);
    const added = await domainRow();
    expect("domain.added", (d) => assert.deepEqual(d, added));
    dns.setTxt(domain.verification.name, [domain.verification.value]);
    await server.expectApi(200, "POST", `${o}/domains/${hostname}/verify`, t);
    const verified = await domainRow();
    expect("domain.verified", (d) => assert.deepEqual(d, verified));
    await server.expectApi(204, "DELETE", `${o}/domains/${hostname}`, t);
    expect("domain.removed", (d) => assert.equal(d.hostname, hostname));

    const invitation = await server.expectApi(201, "POST", `${o}/invitations`,
                                              { ...t, body: { email: "dave@example.test", role: "member" } });
    const listedInvitation = async (id) => (await server.expectApi(200, "GET", `${o}/invitations`, t)).data
      .find((i) => i.id === id);
    const invitationRow = await listedInvitation(invitation.id);
    expect("invitation.created", (d) => assert.deepEqual(d, invitationRow));
    const dave = await signUp(server, "dave@example.test", "Dave Invited");
    await expectOneOf(server, [200, 201], "POST", "/api/v1/invitations/accept",
                      { token: dave.token, body: { token: invitation.token } });
    expect("invitation.accepted", (d) => {
      assert.equal(d.id, invitation.id);
      assert.equal(d.status, "accepted");
      assert.ok(!("token" in d) && !JSON.stringify(d).includes(invitation.token), "never the token");
    });
    expect("member.added", memberData(dave, "member"));
    const revocable = await server.expectApi(201, "POST", `${o}/invitations`,
                                             { ...t, body: { email: "erin@example.test", role: "admin" } });
    await server.expectApi(204, "DELETE", `${o}/invitations/${revocable.id}`, t);
    expect("invitation.revoked", (d) => { assert.equal(d.id, revocable.id); assert.equal(d.status, "revoked"); });

    await server.expectApi(204, "DELETE", `${o}/members/${f.carol.id}`, t);
    expect("member.removed", memberData(f.carol, "member"));
    await server.expectApi(204, "DELETE", w, t);
    expect("workspace.deleted", (d) => assert.equal(d.id, ws.id));

    // Everything delivered: the expected types in this order within what arrived.
    await receiver.until(() => {
      const got = receiver.received("all").map((e) => e.type);
      let i = 0;
      for (const type of got) if (i < expected.length && type === expected[i].type) i++;
      return i === expected.length;
    }, `every expected event at "all" (got ${receiver.received("all").map((e) => e.type).join(", ")})`);
    return { expected, dave, ws, secretValue, invitationToken: invitation.token };
  });

  await check("every event type: the data is the object as the API renders it", async () => {
    const d = need(driven, "the driven changes");
    const got = receiver.received("all");
    let i = 0;
    const failures = [];
    for (const event of got) {
      if (i < d.expected.length && event.type === d.expected[i].type) {
        try {
          d.expected[i].check(event.data);
        } catch (e) {
          failures.push(`${event.type} (sequence ${event.sequence}): ${e.message.split("\n").slice(0, 8).join(" ")}\n` +
                        `      data: ${JSON.stringify(event.data)}`);
        }
        i++;
      }
    }
    const extra = got.filter((e) => !d.expected.some((x) => x.type === e.type)).map((e) => e.type);
    if (extra.length) console.log(`      note: also delivered ${extra.join(", ")}`);
    assert.equal(failures.length, 0, failures.join("\n      "));
    const missing = kEventTypes.filter((type) => type !== "organization.created" &&
                                                 type !== "organization.deleted" &&
                                                 !got.some((e) => e.type === type));
    assert.deepEqual(missing, [], "every type but created and deleted arrived (those: below)");
  });

  await check("every delivery: envelope, signatures verify, headers as Standard Webhooks says",
              async () => {
    const f = need(fixtures, "fixtures");
    const attempts = receiver.attempts("all");
    assert.ok(attempts.length > 20, `${attempts.length} deliveries`);
    for (const r of attempts) {
      assert.ok(r.verified, `verified by standardwebhooks: ${r.headers["webhook-id"]}`);
      assert.equal(r.method, "POST");
      assert.match(r.headers["content-type"] ?? "", /^application\/json/);
      assert.equal(r.headers["webhook-id"], r.event.id, "webhook-id is the event id");
      assert.ok(Math.abs(Number(r.headers["webhook-timestamp"]) - r.at / 1000) < 10,
                "webhook-timestamp: this attempt's unix seconds");
      assert.match(r.headers["webhook-signature"], /^v1,[A-Za-z0-9+/]{43}=$/, "one v1 signature");
      assertEnvelope(r.event, f.acme.id, r.event.type);
    }
    assertContiguous(receiver.received("all"), "the all endpoint");
  });

  await check("the library refuses a tampered body, an old timestamp and another secret", async () => {
    const f = need(fixtures, "fixtures");
    const r = receiver.attempts("all").at(-1);
    assert.ok(r, "a delivery");
    const wh = new Webhook(f.all.secret);
    assert.deepEqual(wh.verify(r.body, r.headers), JSON.parse(r.body), "the genuine one verifies");
    assert.throws(() => wh.verify(r.body.replace(/"sequence":\s*\d+/, '"sequence": 999999'), r.headers),
                  /No matching signature/);
    assert.throws(() => wh.verify(`${r.body} `, r.headers), /No matching signature/);
    const old = { ...r.headers, "webhook-timestamp": String(Math.floor(Date.now() / 1000) - 600) };
    assert.throws(() => wh.verify(r.body, old), /too old/);
    const other = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    assert.throws(() => new Webhook(other).verify(r.body, r.headers), /No matching signature/);
  });

  await check("event_types filters: the members endpoint got member.added/removed only, in order",
              async () => {
    need(driven, "the driven changes");
    const got = receiver.received("members");
    assert.deepEqual(got.map((e) => e.type),
                     ["member.added", "member.added", "member.added", "member.removed"]);
    for (let i = 1; i < got.length; i++) assert.ok(got[i].sequence > got[i - 1].sequence);
    assert.ok(receiver.attempts("members").every((r) => r.verified));
  });

  // --- The pull API --------------------------------------------------------------------------
  const pulled = await check("pull API: the same events, in the same order, as delivered", async () => {
    const f = need(fixtures, "fixtures");
    const all = await pullAll(server, f.alice.token, f.acme, { limit: 7 });
    assert.equal(all[0].sequence, 1, "from sequence 1");
    assert.equal(all[0].type, "organization.created");
    assert.equal(all[0].data.id, f.acme.id);
    assertContiguous(all, "the log");
    for (const e of all) assertEnvelope(e, f.acme.id, `pulled ${e.type}`);
    const delivered = receiver.received("all");
    const from = all.findIndex((e) => e.sequence === delivered[0].sequence);
    assert.ok(from >= 0, "the first delivered event is in the log");
    assert.deepEqual(all.slice(from), delivered, "pulled from the endpoint's start = delivered");
    const one = await server.expectApi(200, "GET", `${orgPath(f.acme)}/events/${all[3].id}`,
                                       { token: f.alice.token });
    assert.deepEqual(one, all[3]);
    await server.expectApi(404, "GET", `${orgPath(f.acme)}/events/evt_0193000000007000800000000000000a`,
                           { token: f.alice.token });
    const filtered = await pullAll(server, f.alice.token, f.acme,
                                   { types: ["member.added", "member.removed"] });
    assert.deepEqual(filtered, all.filter((e) => ["member.added", "member.removed"].includes(e.type)));
    const after = await server.expectApi(200, "GET", `${orgPath(f.acme)}/events?after=${all.at(-2).sequence}`,
                                         { token: f.alice.token });
    assert.deepEqual(after, { data: [all.at(-1)], next_cursor: null });
    for (const [q, field] of [["after=-1", "after"], ["after=x", "after"], ["limit=0", "limit"],
                              ["limit=201", "limit"], ["types=member.eaten", "types"]]) {
      const r = await server.api("GET", `${orgPath(f.acme)}/events?${q}`, { token: f.alice.token });
      assert.equal(r.status, 422, `${q}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(fields(r.body), [field], q);
    }
    const alias = await fetch(`${server.publicUrl}/api/v1/org/events?limit=2`, {
      headers: { authorization: `Bearer ${f.alice.token}`, "x-organization": f.acme.id },
    });
    assert.equal(alias.status, 200, "the /api/v1/org alias (X-Organization)");
    assert.deepEqual((await alias.json()).data, all.slice(0, 2), "/api/v1/org alias");
    return all;
  });

  await check("pull API and webhooks: a member gets 403", async () => {
    const d = need(driven, "the driven changes");
    const f = need(fixtures, "fixtures");
    for (const p of ["events", "webhooks"]) {
      const r = await server.api("GET", `${orgPath(f.acme)}/${p}`, { token: d.dave.token });
      assert.equal(r.status, 403, `${p}: ${JSON.stringify(r.body)}`);
    }
  });

  await check("no secret value, invitation token or API key in any event", async () => {
    const d = need(driven, "the driven changes");
    const all = need(pulled, "the pull API");
    const text = JSON.stringify(all) + receiver.requests.map((r) => r.body).join("");
    assert.ok(!text.includes(d.secretValue), "secret value");
    assert.ok(!text.includes(d.invitationToken), "invitation token");
    assert.ok(!/bk_live|bki_/.test(text), "credential prefixes");
  });

  // --- Replay, test, deliveries --------------------------------------------------------------
  await check("replay re-sends a range (from 1: organization.created), in order, same ids",
              async () => {
    const f = need(fixtures, "fixtures");
    const all = need(pulled, "the pull API");
    const t = { token: f.alice.token };
    const ep = `${orgPath(f.acme)}/webhooks/${f.all.id}`;
    const head = all.at(-1).sequence;
    let r = await server.api("POST", `${ep}/replay`, { ...t, body: { from_sequence: head + 1 } });
    assert.equal(r.status, 422, `from past the head: ${JSON.stringify(r.body)}`);
    r = await server.api("POST", `${ep}/replay`, { ...t, body: { from_sequence: 3, to_sequence: 2 } });
    assert.equal(r.status, 422, `to < from: ${JSON.stringify(r.body)}`);
    const before = receiver.received("all").length;
    const accepted = await server.expectApi(202, "POST", `${ep}/replay`,
                                            { ...t, body: { from_sequence: 1, to_sequence: 4 } });
    assert.deepEqual(accepted, { from_sequence: 1, to_sequence: 4 });
    await receiver.until(() => receiver.received("all").length >= before + 4, "4 replayed");
    const replayed = receiver.received("all").slice(before);
    assert.deepEqual(replayed, all.slice(0, 4), "the log's events 1-4, as the pull API has them");
    const ids = receiver.attempts("all").slice(-4).map((x) => x.headers["webhook-id"]);
    assert.deepEqual(ids, all.slice(0, 4).map((e) => e.id), "webhook-id: the event ids again");
    const toHead = await server.expectApi(202, "POST", `${ep}/replay`, { ...t, body: { from_sequence: head } });
    assert.equal(toHead.to_sequence, head, "to_sequence defaults to the head");
    await receiver.until(() => receiver.received("all").length >= before + 5, "the head replayed");
  });

  await check("test: webhook.test with sequence 0, not in the log; deliveries list it", async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const ep = `${orgPath(f.acme)}/webhooks/${f.all.id}`;
    const { event_id: id } = await server.expectApi(202, "POST", `${ep}/test`, t);
    assert.match(id, /^evt_[0-9a-f]{32}$/);
    const r = await receiver.until(() => receiver.attempts("all").find((x) => x.event?.id === id), "test delivered");
    assert.ok(r.verified);
    assertEnvelope(r.event, f.acme.id, "webhook.test");
    assert.equal(r.event.type, "webhook.test");
    assert.equal(r.event.sequence, 0);
    assert.deepEqual(r.event.data, { endpoint_id: f.all.id });
    await server.expectApi(404, "GET", `${orgPath(f.acme)}/events/${id}`, t);
    const rows = await receiver.until(async () => {
      const list = await deliveries(server, f.alice.token, f.acme, f.all);
      return list.some((x) => x.event_id === id) && list;
    }, "the test's delivery recorded");
    const row = rows.find((x) => x.event_id === id);
    assert.equal(row.sequence, 0);
    assert.equal(row.event_type, "webhook.test");
    assert.equal(row.succeeded, true);
    assert.equal(row.status_code, 204);
    assert.equal(row.error, null);
    for (const k of ["id", "attempt", "attempted_at", "latency_ms"]) assert.ok(k in row, k);
    assert.ok(rows.every((x, i) => i === 0 || Date.parse(x.attempted_at) <= Date.parse(rows[i - 1].attempted_at)),
              "newest first");
  });

  // --- Order under concurrent writes ---------------------------------------------------------
  await check("order: 200 concurrent resource creates arrive strictly in sequence, no gaps, ids unique",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Order Co", "order-co");
    await createEndpoint(server, f.alice.token, org, receiver, "order");
    const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                      { token: f.alice.token, body: { name: "Load" } });
    const created = await createResources(server, f.alice.token, org, ws, 200, { concurrency: 32 });
    await receiver.until(() => receiver.received("order").length >= 201, "201 delivered", 60_000);
    const got = receiver.received("order");
    assert.equal(got.length, 201, "each once");
    assertContiguous(got, "order");
    assert.deepEqual(new Set(got.slice(1).map((e) => e.data.id)), new Set(created.map((r) => r.id)));
    const pulledOrder = await pullAll(server, f.alice.token, org, { after: got[0].sequence - 1, limit: 200 });
    assert.deepEqual(pulledOrder, got, "the pull API agrees");
    // The receiver answers before the server records the batch: last_sequence follows shortly.
    const ep = await receiver.until(async () => {
      const e = (await server.expectApi(200, "GET", `${orgPath(org)}/webhooks`, { token: f.alice.token })).data[0];
      return e.last_sequence === got.at(-1).sequence && e;
    }, `last_sequence reaches ${got.at(-1).sequence}, the cursor`);
    // …/deliveries pages newest first by its cursor: 201 attempts, no overlap, none lost.
    const seen = [];
    let cursor = null;
    do {
      const page = await server.expectApi(200, "GET", `${orgPath(org)}/webhooks/${ep.id}/deliveries?limit=80` +
                                          (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""),
                                          { token: f.alice.token });
      seen.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    assert.equal(new Set(seen.map((d) => d.id)).size, seen.length, "no attempt twice");
    assert.equal(seen.length, 201, "every attempt once");
    assert.deepEqual(seen.map((d) => d.sequence), got.map((e) => e.sequence).reverse(), "newest first");
  });

  // --- Failures: 500s, refused connections, timeouts, 410 -----------------------------------
  const flaky = await check("retries after 500: same webhook-id, in order, the next waits", async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Flaky", "flaky");
    const ep = await createEndpoint(server, f.alice.token, org, receiver, "flaky");
    const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                      { token: f.alice.token, body: { name: "W" } });
    await receiver.until(() => receiver.received("flaky").length === 1, "workspace.created");
    let failures = 0;
    receiver.setAnswer("flaky", () => (failures++ < 2 ? { status: 500 } : { status: 204 }));
    await createResources(server, f.alice.token, org, ws, 3, { concurrency: 1 });
    await receiver.until(() => receiver.received("flaky").length === 4, "3 resources delivered");
    const attempts = receiver.attempts("flaky").slice(1);
    assert.deepEqual(attempts.map((a) => a.status), [500, 500, 204, 204, 204]);
    const ids = attempts.map((a) => a.headers["webhook-id"]);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[1], ids[2], "the same webhook-id on every retry");
    assert.ok(attempts[1].at - attempts[0].at < 900, "first retry at once (0s)");
    assert.ok(attempts[2].at - attempts[1].at >= 900, "second after 1s");
    assertContiguous(receiver.received("flaky"), "flaky");
    // The receiver answers before the server records the attempt: wait for the record.
    const rows = await receiver.until(async () => {
      const list = await deliveries(server, f.alice.token, org, ep);
      return list.filter((r) => r.succeeded).length >= 4 && list;
    }, "the attempts recorded");
    const first = rows.filter((r) => r.event_id === ids[0]).sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(first.map((r) => [r.attempt, r.status_code, r.succeeded]),
                     [[1, 500, false], [2, 500, false], [3, 204, true]]);
    assert.ok(first[0].error, "a failed attempt records its error");
    assert.ok(first.every((r) => Number.isInteger(r.latency_ms) && r.latency_ms >= 0));
    return { org, ep, ws };
  });

  await check("429 and a redirect are retried; the redirect is not followed", async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Redirected", "redirected-co");
    await createEndpoint(server, f.alice.token, org, receiver, "redirected");
    receiver.setSecrets("elsewhere", []);
    let n = 0;
    receiver.setAnswer("redirected", () => [{ status: 429 }, { status: 307, location: receiver.url("elsewhere") },
                                            { status: 204 }][Math.min(n++, 2)]);
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { token: f.alice.token, body: { name: "W" } });
    await receiver.until(() => receiver.received("redirected").length === 1, "delivered on the third attempt");
    const attempts = receiver.attempts("redirected");
    assert.deepEqual(attempts.map((a) => a.status), [429, 307, 204]);
    assert.equal(new Set(attempts.map((a) => a.headers["webhook-id"])).size, 1, "one webhook-id");
    assert.equal(receiver.attempts("elsewhere").length, 0, "the Location was not followed");
  });

  await check("retries after a refused connection (receiver down, then up): in order, same ids",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Down", "down-co");
    const down = new Receiver();
    await down.start();
    await down.stop();
    const ep = await createEndpoint(server, f.alice.token, org, down, "down");
    const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                      { token: f.alice.token, body: { name: "W" } });
    await createResources(server, f.alice.token, org, ws, 2, { concurrency: 1 });
    const failed = await receiver.until(async () => {
      const rows = await deliveries(server, f.alice.token, org, ep);
      return rows.filter((r) => !r.succeeded).length >= 2 && rows;
    }, "two failed attempts");
    for (const r of failed) {
      assert.equal(r.status_code, null, "no HTTP response");
      assert.ok(r.error, "an error");
    }
    await down.start(down.port);
    try {
      await down.until(() => down.received("down").length === 3, "3 delivered after the receiver came up");
      const got = down.received("down");
      assert.deepEqual(got.map((e) => e.type), ["workspace.created", "resource.created", "resource.created"]);
      assertContiguous(got, "down");
      assert.equal(failed.at(-1).event_id, got[0].id, "the failed attempts were the first event's");
    } finally {
      await down.stop();
    }
  });

  await check("a slow receiver (past --webhook-timeout 2s) is retried with the same webhook-id",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Slow", "slow-co");
    let n = 0;
    const ep = await createEndpoint(server, f.alice.token, org, receiver, "slow");
    receiver.setAnswer("slow", () => (n++ === 0 ? { status: 200, delayMs: 4000 } : { status: 200 }));
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { token: f.alice.token, body: { name: "W" } });
    await receiver.until(() => receiver.attempts("slow").length >= 2, "a second attempt", 15_000);
    const [a, b] = receiver.attempts("slow");
    assert.equal(a.headers["webhook-id"], b.headers["webhook-id"]);
    const rows = await receiver.until(async () => {
      const list = await deliveries(server, f.alice.token, org, ep);
      return list.some((r) => r.succeeded) && list;
    }, "the retry recorded");
    const timedOut = rows.find((r) => r.attempt === 1);
    assert.equal(timedOut.succeeded, false);
    assert.ok(timedOut.error, "the timeout is recorded");
    assert.ok(timedOut.latency_ms >= 1500 && timedOut.latency_ms < 4000, `latency ${timedOut.latency_ms}`);
  });

  await check("410 Gone disables the endpoint (disabled, gone); nothing more is sent until enabled",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Gone", "gone-co");
    const ep = await createEndpoint(server, f.alice.token, org, receiver, "gone");
    receiver.setAnswer("gone", () => ({ status: 410 }));
    const t = { token: f.alice.token };
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { ...t, body: { name: "W" } });
    const got = await receiver.until(async () => {
      const e = await server.expectApi(200, "GET", `${orgPath(org)}/webhooks/${ep.id}`, t);
      return e.status === "disabled" && e;
    }, "disabled");
    assert.equal(got.disabled_reason, "gone");
    assert.equal(receiver.attempts("gone").length, 1, "one attempt, no retry");
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { ...t, body: { name: "W2" } });
    await sleep(1500);
    assert.equal(receiver.attempts("gone").length, 1, "nothing sent to a disabled endpoint");
    receiver.setAnswer("gone", () => ({ status: 204 }));
    const enabled = await server.expectApi(200, "PATCH", `${orgPath(org)}/webhooks/${ep.id}`,
                                           { ...t, body: { status: "enabled" } });
    assert.equal(enabled.status, "enabled");
    assert.equal(enabled.disabled_reason, null);
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { ...t, body: { name: "W3" } });
    await receiver.until(() => receiver.received("gone").some((e) => e.data.name === "W3"), "W3 after enabling");
  });

  await check("failing for 5 days: the endpoint is disabled (failing) and the owners are mailed",
              async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const org = await createOrg(server, f.alice.token, "Failing", "failing-co");
    const ep = await createEndpoint(server, f.alice.token, org, receiver, "failing");
    receiver.setAnswer("failing", () => ({ status: 503 }));
    await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { ...t, body: { name: "W" } });
    const failing = await receiver.until(async () => {
      const e = await server.expectApi(200, "GET", `${orgPath(org)}/webhooks/${ep.id}`, t);
      return e.failing_since && e;
    }, "failing_since set after the first failure");
    assert.equal(failing.status, "enabled", "one failure does not disable");
    assert.ok(failing.next_attempt_at, "next_attempt_at while retrying");
    // Again and again: an attempt in flight writes back the failing_since it read when it took
    // the endpoint, so one UPDATE can be overwritten; the next attempt reads the aged one.
    const disabled = await receiver.until(async () => {
      const e = await server.expectApi(200, "GET", `${orgPath(org)}/webhooks/${ep.id}`, t);
      if (e.status === "disabled") return e;
      tenantSql(server, org, `UPDATE webhook_endpoints SET failing_since = ${Date.now() - 6 * 86_400_000} ` +
                             `WHERE id = '${ep.id}' AND failing_since > 0`);
      return false;
    }, "disabled at the next failure");
    assert.equal(disabled.disabled_reason, "failing");
    await server.mail(f.alice.email, /webhook/i);
  });

  await check("isolation: an endpoint that answers slowly does not delay another organization's",
              async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const slow = await createOrg(server, f.alice.token, "Sluggish", "sluggish-co");
    const quick = await createOrg(server, f.alice.token, "Quick", "quick-co");
    // Three endpoints on the slow organization, each taking 1.5 s an answer (under the timeout).
    for (const name of ["sluggish-1", "sluggish-2", "sluggish-3"]) {
      await createEndpoint(server, f.alice.token, slow, receiver, name);
      receiver.setAnswer(name, () => ({ status: 204, delayMs: 1500 }));
    }
    await createEndpoint(server, f.alice.token, quick, receiver, "quick");
    const ws = await server.expectApi(201, "POST", `${orgPath(slow)}/workspaces`, { ...t, body: { name: "W" } });
    await createResources(server, f.alice.token, slow, ws, 5, { concurrency: 5 });
    await receiver.until(() => receiver.attempts("sluggish-1").length >= 1, "the slow ones busy");
    const sent = Date.now();
    await server.expectApi(201, "POST", `${orgPath(quick)}/workspaces`, { ...t, body: { name: "Q" } });
    const r = await receiver.until(() => receiver.attempts("quick")[0], "the quick delivery");
    assert.ok(r.at - sent < 1000, `delivered ${r.at - sent} ms after the change, behind the slow ones`);
  });

  await check("rotate-secret: during the overlap both secrets verify the same delivery, each alone",
              async () => {
    const f = need(fixtures, "fixtures");
    const fl = need(flaky, "the retry check");
    const response = await fetch(`${server.publicUrl}${orgPath(fl.org)}/webhooks/${fl.ep.id}/rotate-secret`, {
      method: "POST", headers: { authorization: `Bearer ${f.alice.token}` },
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.match(response.headers.get("cache-control") ?? "", /no-store/);
    assert.match(body.secret, /^whsec_/);
    assert.notEqual(body.secret, fl.ep.secret);
    const expires = Date.parse(body.previous_secret_expires_at);
    assert.ok(Math.abs(expires - Date.now() - 24 * 3600_000) < 60_000, "the old one signs for 24 h");
    receiver.setSecrets("flaky", [fl.ep.secret, body.secret]);
    const before = receiver.attempts("flaky").length;
    await server.expectApi(201, "POST", `${orgPath(fl.org)}/workspaces/${fl.ws.id}/resources`,
                           { token: f.alice.token, body: { kind: "k", name: "after-rotation", spec: {} } });
    const r = await receiver.until(() => receiver.attempts("flaky")[before], "a delivery after rotation");
    assert.equal(r.headers["webhook-signature"].split(" ").length, 2, r.headers["webhook-signature"]);
    assert.deepEqual(verifyingSecrets([fl.ep.secret], r.body, r.headers), [fl.ep.secret], "the old secret");
    assert.deepEqual(verifyingSecrets([body.secret], r.body, r.headers), [body.secret], "the new secret");
  });

  // --- Crash, instances, SSRF ---------------------------------------------------------------
  await check("kill -9 with undelivered events, restart, receiver up: all delivered, in order",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Crash", "crash-co");
    const down = new Receiver();
    await down.start();
    await down.stop();
    await createEndpoint(server, f.alice.token, org, down, "crash");
    const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                      { token: f.alice.token, body: { name: "W" } });
    await createResources(server, f.alice.token, org, ws, 5, { concurrency: 1 });
    await server.kill();
    await down.start(down.port);
    try {
      await server.start();
      await down.until(() => down.received("crash").length >= 6, "6 delivered after the restart");
      const got = down.received("crash");
      assert.equal(got.length, 6, "each once (no retry was due)");
      assertContiguous(got, "crash");
      assert.deepEqual(got.map((e) => e.type), ["workspace.created", ...Array(5).fill("resource.created")]);
    } finally {
      await down.stop();
    }
  });

  await check(`two instances on one ${server.engine === "postgres" ? "database" : "data directory"}: ` +
              "each event delivered exactly once between them", async () => {
    const f = need(fixtures, "fixtures");
    const second = newServer({ sharedWith: server, serveArgs: deliveryFlags });
    await second.start();
    try {
      const org = await createOrg(server, f.alice.token, "Twin", "twin-co");
      await createEndpoint(server, f.alice.token, org, receiver, "twin");
      const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                        { token: f.alice.token, body: { name: "W" } });
      await Promise.all([
        createResources(server, f.alice.token, org, ws, 60, { concurrency: 8, prefix: "one" }),
        createResources(second, f.alice.token, org, ws, 60, { concurrency: 8, prefix: "two" }),
      ]);
      await receiver.until(() => receiver.received("twin").length >= 121, "121 delivered", 60_000);
      await sleep(1500);  // a duplicate would come now
      const attempts = receiver.attempts("twin");
      const counts = new Map();
      for (const a of attempts) counts.set(a.headers["webhook-id"], (counts.get(a.headers["webhook-id"]) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], "no event sent twice");
      assert.equal(counts.size, 121);
      assertContiguous(receiver.received("twin"), "twin");
      // The second instance delivers on its own too: with the first one gone, its events arrive.
      await server.kill();
      await createResources(second, f.alice.token, org, ws, 10, { concurrency: 2, prefix: "alone" });
      await receiver.until(() => receiver.received("twin").length >= 131, "131 delivered by the second alone");
      assertContiguous(receiver.received("twin"), "twin");
    } finally {
      if (!server.running()) await server.start();
      await second.stop();
    }
  });

  await check("SSRF: without --allow-private-webhooks private URLs are refused (422), and a name " +
              "that resolves to loopback is never connected to", async () => {
    const strict = newServer({ suite: "webhooks_strict", serveArgs: ["--webhook-retry-schedule", "0s,1s"] });
    await strict.start();
    try {
      const owner = await signUp(strict, "owner@example.test", "Owner");
      const org = await createOrg(strict, owner.token, "Strict", "strict");
      const refused = ["https://127.0.0.1/hook", "https://[::1]/", "https://169.254.169.254/latest/meta-data/",
                       "https://10.0.0.1/", "https://localhost/", "https://api.localhost/",
                       "https://metadata.google.internal/", "http://example.com/hook",
                       "https://user:pw@example.com/", "https://[::ffff:127.0.0.1]/", "ftp://example.com/"];
      for (const url of refused) {
        const r = await strict.api("POST", `${orgPath(org)}/webhooks`, { token: owner.token, body: { url } });
        assert.equal(r.status, 422, `${url}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.deepEqual(fields(r.body), ["url"], url);
      }
      // A listener counting connections where the alias points: nothing may reach it.
      let connections = 0;
      const trap = net.createServer((s) => { connections++; s.destroy(); });
      await new Promise((resolve) => trap.listen(0, "::", resolve));  // IPv4 and IPv6
      try {
        let ep = null;
        let alias = null;
        for (const name of loopbackAliases()) {
          const r = await strict.api("POST", `${orgPath(org)}/webhooks`,
                                     { token: owner.token, body: { url: `https://${name}:${trap.address().port}/hook` } });
          if (r.status === 201) { ep = r.body; alias = name; break; }
        }
        assert.ok(ep, `one of ${loopbackAliases().join(", ")} (loopback in /etc/hosts) is accepted at creation`);
        await strict.expectApi(201, "POST", `${orgPath(org)}/workspaces`, { token: owner.token, body: { name: "W" } });
        const rows = await until(async () => {
          const page = await strict.expectApi(200, "GET", `${orgPath(org)}/webhooks/${ep.id}/deliveries`,
                                              { token: owner.token });
          return page.data.length >= 1 && page.data;
        }, `a failed attempt to ${alias}`);
        assert.equal(rows[0].succeeded, false);
        assert.equal(rows[0].status_code, null);
        assert.match(rows[0].error ?? "", /address|blocked|private|loopback|not allowed/i, rows[0].error);
        assert.equal(connections, 0, `the server connected to ${alias}`);
      } finally {
        trap.close();
      }
    } finally {
      await strict.stop();
    }
  });

  await check("retention (default 30 days): events aged 31 days are pruned as the log grows, 29 days kept",
              async () => {
    const f = need(fixtures, "fixtures");
    const org = await createOrg(server, f.alice.token, "Old", "old-co");
    const ws = await server.expectApi(201, "POST", `${orgPath(org)}/workspaces`,
                                      { token: f.alice.token, body: { name: "W" } });
    const [created, second] = await pullAll(server, f.alice.token, org);
    assert.equal(created.type, "organization.created");
    const day = 86_400_000;
    // Aged in the store: the only way to have events a month old without waiting a month.
    tenantSql(server, org, `UPDATE events SET occurred_at = occurred_at - ${31 * day} WHERE seq = 1`);
    tenantSql(server, org, `UPDATE events SET occurred_at = occurred_at - ${29 * day} WHERE seq = 2`);
    // Past a multiple of 512 events: the store prunes when the head crosses one.
    await createResources(server, f.alice.token, org, ws, 515, { concurrency: 16 });
    const after = await pullAll(server, f.alice.token, org, { limit: 200 });
    assert.equal(after[0].id, second.id, "the 31-day-old event is gone, the 29-day-old one stays");
    assertContiguous(after, "what is left");
    await server.expectApi(404, "GET", `${orgPath(org)}/events/${created.id}`, { token: f.alice.token });
  });

  // Last: the organization goes, and its endpoint hears of it.
  await check("organization.deleted reaches the endpoint after the organization is gone", async () => {
    const f = need(fixtures, "fixtures");
    const t = { token: f.alice.token };
    const last = withoutRole(await server.expectApi(200, "GET", orgPath(f.acme), t));
    const head = (await pullAll(server, f.alice.token, f.acme)).at(-1).sequence;
    const membersBefore = receiver.attempts("members").length;
    await server.expectApi(204, "DELETE", orgPath(f.acme), { ...t, body: { confirm: f.acme.slug } });
    const r = await receiver.until(() => receiver.attempts("all").find((x) => x.event?.type === "organization.deleted"),
                                   "organization.deleted delivered");
    assert.ok(r.verified, "signed with the endpoint's secret");
    assertEnvelope(r.event, f.acme.id, "organization.deleted");
    assert.equal(r.event.sequence, head + 1, "the organization's next sequence");
    assert.equal(r.event.data.id, last.id);
    assert.deepEqual(Object.keys(r.event.data).sort(), Object.keys(last).sort(), "the organization object");
    await sleep(500);
    assert.equal(receiver.attempts("members").length, membersBefore, "not to an endpoint not subscribed");
    const gone = await server.api("GET", `${orgPath(f.acme)}/webhooks`, t);
    assert.equal(gone.status, 404);
  });

  await check("every request any receiver got was verified by standardwebhooks", async () => {
    const unverified = receiver.requests.filter((r) => !r.verified);
    assert.deepEqual(unverified.map((r) => `${r.name} ${r.headers["webhook-id"]}`), []);
  });
}
