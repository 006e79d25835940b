#!/usr/bin/env node
// SCIM 2.0 as identity providers' provisioning clients meet it: the real server on loopback,
// and the requests Microsoft Entra ID and Okta send, replayed over HTTP with the shapes their
// documentation shows (each check names its source). The oracle is the RFC and the vendors'
// documented expectations, plus what the JSON API (members, workspaces, audit log, events)
// answers for the same change; never the server's own code.
//
//   node tests/scim/run.mjs BULKHEAD_BINARY
//
// BULKHEAD_TEST_ENGINE=postgres runs it on a database of its own in the cluster named by
// BULKHEAD_TEST_POSTGRES_URL (make test starts one). Node's own modules only (fetch, assert):
// the suite has no npm dependencies. Every check runs; any failure exits 1.
//
// Sources of the request shapes:
//  [entra]  Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint in
//           Microsoft Entra ID" (learn.microsoft.com/entra/identity/app-provisioning/
//           use-scim-to-provision-users-and-groups), section "User operations" / "Group
//           operations": the request and response examples.
//  [entra-compat] Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol
//           compliance of the Microsoft Entra user provisioning service" (…/app-provisioning/
//           application-provisioning-config-problem-scim-compatibility): capitalized ops
//           ("Replace", "Add"), booleans sent as the strings "True"/"False", path-less replace.
//  [okta]   Okta Developer, "SCIM 2.0 protocol reference" (developer.okta.com/docs/api/openapi/
//           okta-scim/guides/scim-20): create, filter with startIndex/count, PUT of the whole
//           user, PATCH active false without a path, group create/rename/membership PATCH,
//           GET /Groups?excludedAttributes=members.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";

import { Checks } from "../support/checks.mjs";
import { Server } from "../support/server.mjs";

const kDeadlineMs = 240_000;
const kPassword = "correct horse battery staple";
const kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
const kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
const kEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const kListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const kError = "urn:ietf:params:scim:api:messages:2.0:Error";

const binary = process.argv[2];
let server = null;

function abort(message) {
  console.error(`scim e2e: ${message}`);
  server?.cleanUp();
  process.exit(1);
}
if (!binary) abort("usage: run.mjs BULKHEAD_BINARY");
const deadline = setTimeout(() => abort(`took longer than ${kDeadlineMs / 1000} s`), kDeadlineMs);
process.on("SIGTERM", () => abort("terminated"));
process.on("SIGINT", () => abort("interrupted"));

const runner = new Checks({
  onFailure: () => {
    if (server?.process && !server.running()) console.log(`      the server is not running:\n${server.stderr}`);
  },
});
const { check } = runner;

function need(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: needs ${what}, which failed`);
  return value;
}

// A SCIM request as a provisioning client sends it: {status, type, body, headers}.
async function scim(method, route, { token, body, contentType = "application/scim+json",
                                     rawBody } = {}) {
  const headers = { accept: "application/scim+json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || rawBody !== undefined) headers["content-type"] = contentType;
  const started = Date.now();
  const response = await fetch(server.publicUrl + route, {
    method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { raw: text }; }
  // Entra ID gives up on an answer after 60 s and retries (the issue's "looping on 409").
  assert.ok(Date.now() - started < 10_000, `${method} ${route} took ${Date.now() - started} ms`);
  return { status: response.status, type: response.headers.get("content-type"), body: json,
           headers: response.headers };
}

async function expectScim(expected, method, route, options) {
  const r = await scim(method, route, options);
  assert.equal(r.status, expected, `${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
  if (r.status !== 204) assert.match(r.type ?? "", /^application\/scim\+json/, `${method} ${route}: type`);
  return r.body;
}

// A SCIM error body (RFC 7644 §3.12) with this status and scimType.
async function expectScimError(status, scimType, method, route, options) {
  const body = await expectScim(status, method, route, options);
  assert.deepEqual(body.schemas, [kError], `${method} ${route}: error schemas`);
  assert.equal(body.status, String(status), `${method} ${route}: status as a string`);
  if (scimType) assert.equal(body.scimType, scimType, `${method} ${route}: scimType`);
  assert.equal(typeof body.detail, "string");
  return body;
}

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

// Marks a session as made by an SSO sign-in through the organization's connection, as the SSO
// completion does (sessions.sso_organization_id).
function markSsoSession(sessionToken, orgId) {
  const sql = `UPDATE ${server.database ? "bulkhead." : ""}sessions SET sso_organization_id = ` +
              `'${orgId}' WHERE token_hash = '${sha256(sessionToken)}'`;
  const r = server.database
    ? spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", server.database.url, "-c", sql],
                { encoding: "utf8" })
    : spawnSync("sqlite3", ["-cmd", ".timeout 5000", path.join(server.data, "catalog.db"), sql],
                { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`marking the session: ${r.stderr || r.error}`);
}

async function signUp(email, name) {
  return server.expectApi(201, "POST", "/api/v1/auth/signup",
                          { body: { email, password: kPassword, name } });
}

async function logIn(email) {
  return (await server.expectApi(200, "POST", "/api/v1/auth/login",
                                 { body: { email, password: kPassword } })).session_token;
}

async function memberRole(f, userId) {
  const page = await server.expectApi(200, "GET", `${f.api}/members?limit=200`, { token: f.owner });
  return page.data.find((m) => (m.user?.id ?? m.user_id) === userId)?.role ?? null;
}

async function auditActions(f) {
  const page = await server.expectApi(200, "GET", `${f.api}/audit-log?limit=200`, { token: f.owner });
  return page.data;
}

async function checks() {
  const f = {};

  await check("setup: an owner, a team organization, and SCIM refused until the plan has sso", async () => {
    const owner = await signUp("owner@acme.test", "Olive Owner");
    f.owner = owner.session_token;
    f.ownerId = owner.user.id;
    const org = await server.expectApi(201, "POST", "/api/v1/organizations",
                                       { token: f.owner, body: { name: "Acme", slug: "acme-scim" } });
    f.org = org;
    f.api = `/api/v1/organizations/${org.id}`;
    f.base = `/scim/v2/organizations/${org.slug}`;
    const refused = await server.api("POST", `${f.api}/scim-tokens`,
                                     { token: f.owner, body: { name: "Entra ID" } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, "feature_not_enabled");
    await server.expectApi(200, "PUT", `${f.api}/plan`, { token: f.owner, body: { plan: "enterprise" } });
    const other = await server.expectApi(201, "POST", "/api/v1/organizations",
                                         { token: f.owner, body: { name: "Other", slug: "other-scim" } });
    await server.expectApi(200, "PUT", `/api/v1/organizations/${other.id}/plan`,
                           { token: f.owner, body: { plan: "enterprise" } });
    f.other = other;
  });

  await check("scim-tokens: shown once, stored hashed (listed without it), several at once", async () => {
    need(f.api, "the organization");
    const response = await fetch(`${server.publicUrl}${f.api}/scim-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Entra ID" }),
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const created = await response.json();
    assert.deepEqual(Object.keys(created).sort(), ["created_at", "id", "name", "token"]);
    assert.match(created.token, /^bks_scim_[A-Za-z0-9_-]{43}$/);
    f.token = created.token;
    f.tokenId = created.id;
    const second = await server.expectApi(201, "POST", `${f.api}/scim-tokens`,
                                          { token: f.owner, body: { name: "Okta" } });
    f.okta = second.token;
    f.oktaId = second.id;
    const list = await server.expectApi(200, "GET", `${f.api}/scim-tokens`, { token: f.owner });
    assert.equal(list.data.length, 2);
    for (const t of list.data) {
      assert.deepEqual(Object.keys(t).sort(), ["created_at", "id", "last_used_at", "name"]);
      assert.ok(!JSON.stringify(t).includes("bks_scim_"));
    }
    const otherToken = await server.expectApi(201, "POST", `/api/v1/organizations/${f.other.id}/scim-tokens`,
                                              { token: f.owner, body: { name: "Other IdP" } });
    f.otherToken = otherToken.token;
  });

  await check("authentication: SCIM tokens only, on their own organization's SCIM routes only", async () => {
    const token = need(f.token, "a SCIM token");
    await expectScimError(401, null, "GET", `${f.base}/Users`);
    await expectScimError(401, null, "GET", `${f.base}/Users`, { token: f.owner });  // a session
    await expectScimError(401, null, "GET", `${f.base}/Users`, { token: `bks_scim_${"A".repeat(43)}` });
    // Another organization's token: not found, nothing said about this one.
    await expectScimError(404, null, "GET", `${f.base}/Users`, { token: f.otherToken });
    await expectScimError(404, null, "GET", `/scim/v2/organizations/${f.org.id}/Users`, { token: f.otherToken });
    // By id as well as by slug.
    await expectScim(200, "GET", `/scim/v2/organizations/${f.org.id}/Users`, { token });
    // The SCIM token is no credential for the JSON API.
    const api = await server.api("GET", f.api, { token });
    assert.equal(api.status, 401);
  });

  await check("discovery: ServiceProviderConfig, ResourceTypes, Schemas", async () => {
    const token = need(f.token, "a SCIM token");
    const config = await expectScim(200, "GET", `${f.base}/ServiceProviderConfig`, { token });
    assert.equal(config.patch.supported, true);
    assert.equal(config.filter.supported, true);
    assert.equal(config.bulk.supported, false);
    assert.equal(config.authenticationSchemes[0].type, "oauthbearertoken");
    const types = await expectScim(200, "GET", `${f.base}/ResourceTypes`, { token });
    assert.deepEqual(types.Resources.map((t) => t.endpoint).sort(), ["/Groups", "/Users"]);
    const schemas = await expectScim(200, "GET", `${f.base}/Schemas`, { token });
    assert.deepEqual(schemas.Resources.map((s) => s.id).sort(), [kGroupSchema, kUserSchema]);
    const user = await expectScim(200, "GET", `${f.base}/Schemas/${kUserSchema}`, { token });
    assert.ok(user.attributes.some((a) => a.name === "userName" && a.uniqueness === "server"));
    await expectScimError(404, null, "GET", `${f.base}/ResourceTypes/Printer`, { token });
  });

  await check("[entra] the lookup before a create: filter userName eq finds nobody", async () => {
    const token = need(f.token, "a SCIM token");
    const q = encodeURIComponent('userName eq "Test_User_dfeef4c5@acme.test"');
    const list = await expectScim(200, "GET", `${f.base}/Users?filter=${q}`, { token });
    assert.deepEqual(list.schemas, [kListResponse]);
    assert.equal(list.totalResults, 0);
    assert.deepEqual(list.Resources, []);
  });

  await check("[entra] create user: 201, a member with the default role, audited, member.added", async () => {
    const token = need(f.token, "a SCIM token");
    // [entra] "Create User" request, verbatim but for the address.
    const body = {
      schemas: [kUserSchema, kEnterprise],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_dfeef4c5@acme.test",
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@acme.test" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    };
    const r = await scim("POST", `${f.base}/Users`, { token, body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const user = r.body;
    assert.match(user.id, /^[0-9a-f-]{36}$/);
    assert.equal(user.userName, "Test_User_dfeef4c5@acme.test");
    assert.equal(user.externalId, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
    assert.equal(user.active, true);
    assert.equal(user.name.givenName, "givenName");
    assert.ok(user.schemas.includes(kUserSchema));
    assert.equal(user.meta.resourceType, "User");
    assert.equal(user.meta.location, `${server.publicUrl}${f.base}/Users/${user.id}`);
    assert.equal(r.headers.get("location"), user.meta.location);
    assert.match(user.meta.created, /^\d{4}-\d\d-\d\dT/);
    f.entraUser = user;
    assert.equal(await memberRole(f, user.id), "member");
    const audit = await auditActions(f);
    const provisioned = audit.find((e) => e.action === "scim.user_provisioned" && e.target.id === user.id);
    assert.ok(provisioned, "scim.user_provisioned in the audit log");
    assert.equal(provisioned.actor.type, "scim_token");
    assert.ok(audit.some((e) => e.action === "member.added" && e.target.id === user.id));
    const events = await server.expectApi(200, "GET", `${f.api}/events?limit=200`, { token: f.owner });
    assert.ok(events.data.some((e) => e.type === "member.added" &&
                                      JSON.stringify(e.data).includes(user.id)), "member.added event");
  });

  await check("[entra] idempotent re-POST: 409 uniqueness, never a duplicate (userName in any case, externalId)", async () => {
    const token = need(f.token, "a SCIM token");
    const user = need(f.entraUser, "the created user");
    await expectScimError(409, "uniqueness", "POST", `${f.base}/Users`,
                          { token, body: { schemas: [kUserSchema], userName: user.userName, active: true } });
    await expectScimError(409, "uniqueness", "POST", `${f.base}/Users`,
                          { token, body: { schemas: [kUserSchema], userName: user.userName.toUpperCase() } });
    await expectScimError(409, "uniqueness", "POST", `${f.base}/Users`,
                          { token, body: { schemas: [kUserSchema], userName: "someone.else@acme.test",
                                           externalId: user.externalId } });
    const q = encodeURIComponent(`userName eq "${user.userName}"`);
    const list = await expectScim(200, "GET", `${f.base}/Users?filter=${q}`, { token });
    assert.equal(list.totalResults, 1);
  });

  await check("[entra] filter userName eq (any case) and GET by id; unknown ids are 404", async () => {
    const token = need(f.token, "a SCIM token");
    const user = need(f.entraUser, "the created user");
    const q = encodeURIComponent(`userName eq "${user.userName.toLowerCase()}"`);
    const list = await expectScim(200, "GET", `${f.base}/Users?filter=${q}`, { token });
    assert.equal(list.totalResults, 1);
    assert.equal(list.Resources[0].id, user.id);
    const byExternal = await expectScim(200, "GET", `${f.base}/Users?filter=${encodeURIComponent(
      `externalId eq "${user.externalId}"`)}`, { token });
    assert.equal(byExternal.totalResults, 1);
    const got = await expectScim(200, "GET", `${f.base}/Users/${user.id}`, { token });
    assert.equal(got.userName, user.userName);
    await expectScimError(404, null, "GET", `${f.base}/Users/0193aaaa-0000-7000-8000-000000000000`, { token });
    await expectScimError(404, null, "GET", `${f.base}/Users/not-an-id`, { token });
  });

  await check("[okta] create links an existing Bulkhead account instead of making a second one", async () => {
    const token = need(f.okta, "Okta's SCIM token");
    const bob = await signUp("bob@acme.test", "Bob Existing");
    f.bob = bob;
    f.bobSessions = [bob.session_token, await logIn("bob@acme.test")];
    // [okta] "Create the user" request.
    const body = {
      schemas: [kUserSchema],
      userName: "Bob@Acme.test",
      name: { givenName: "Bob", familyName: "Existing" },
      emails: [{ primary: true, value: "bob@acme.test", type: "work" }],
      displayName: "Bob Existing",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    };
    const user = await expectScim(201, "POST", `${f.base}/Users`, { token, body });
    assert.equal(user.id, bob.user.id, "the SCIM id is the existing account's id");
    assert.ok(!("password" in user), "the password is never rendered");
    assert.equal(await memberRole(f, bob.user.id), "member");
    // [okta] the lookup with paging parameters.
    const q = encodeURIComponent('userName eq "bob@acme.test"');
    const list = await expectScim(200, "GET", `${f.base}/Users?filter=${q}&startIndex=1&count=100`, { token });
    assert.equal(list.totalResults, 1);
    assert.equal(list.startIndex, 1);
    f.oktaUser = user;
  });

  await check("[entra-compat] PATCH active \"False\" with op \"Replace\": membership removed, SSO sessions and refresh tokens of the organization revoked, the account stays", async () => {
    const token = need(f.token, "a SCIM token");
    const bob = need(f.oktaUser, "the linked user");
    // One of Bob's sessions came from the organization's SSO; the other is his own password login.
    markSsoSession(f.bobSessions[0], f.org.id);
    await server.expectApi(200, "GET", "/api/v1/user", { token: f.bobSessions[0] });
    const body = { schemas: [kPatchOp], Operations: [{ op: "Replace", path: "active", value: "False" }] };
    const user = await expectScim(200, "PATCH", `${f.base}/Users/${bob.id}`, { token, body });
    assert.equal(user.active, false);
    assert.equal(await memberRole(f, bob.id), null, "no longer a member");
    const sso = await server.api("GET", "/api/v1/user", { token: f.bobSessions[0] });
    assert.equal(sso.status, 401, "the organization's SSO session is gone");
    await server.expectApi(200, "GET", "/api/v1/user", { token: f.bobSessions[1] });
    const orgs = await server.expectApi(200, "GET", "/api/v1/user/organizations", { token: f.bobSessions[1] });
    assert.ok(!orgs.data.some((o) => o.id === f.org.id), "the organization is not Bob's any more");
    const refused = await server.api("GET", f.api, { token: f.bobSessions[1] });
    assert.equal(refused.status, 404);
    // Still a SCIM user of the organization: found by id and by filter, inactive.
    const got = await expectScim(200, "GET", `${f.base}/Users/${bob.id}`, { token });
    assert.equal(got.active, false);
    const audit = await auditActions(f);
    assert.ok(audit.some((e) => e.action === "member.removed" && e.target.id === bob.id));
    const deprovisioned = audit.find((e) => e.action === "scim.user_deprovisioned" && e.target.id === bob.id);
    assert.ok(deprovisioned);
    assert.equal(deprovisioned.details.sessions_deleted, 1);
    const events = await server.expectApi(200, "GET", `${f.api}/events?limit=200`, { token: f.owner });
    assert.ok(events.data.some((e) => e.type === "member.removed" && JSON.stringify(e.data).includes(bob.id)));
  });

  await check("[entra-compat] PATCH active \"True\" re-adds the membership", async () => {
    const token = need(f.token, "a SCIM token");
    const bob = need(f.oktaUser, "the linked user");
    const body = { schemas: [kPatchOp], Operations: [{ op: "Replace", path: "active", value: "True" }] };
    const user = await expectScim(200, "PATCH", `${f.base}/Users/${bob.id}`, { token, body });
    assert.equal(user.active, true);
    assert.equal(await memberRole(f, bob.id), "member");
  });

  await check("[okta] PUT replaces the user; PATCH {active: false} without a path deactivates; again reactivates", async () => {
    const token = need(f.okta, "Okta's SCIM token");
    const bob = need(f.oktaUser, "the linked user");
    // [okta] "Update a specific user (PUT)": the whole user.
    const put = {
      schemas: [kUserSchema],
      id: bob.id,
      userName: "bob@acme.test",
      name: { givenName: "Robert", familyName: "Existing" },
      emails: [{ primary: true, value: "bob@acme.test", type: "work" }],
      displayName: "Robert Existing",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      active: true,
      meta: { resourceType: "User" },
    };
    const replaced = await expectScim(200, "PUT", `${f.base}/Users/${bob.id}`, { token, body: put });
    assert.equal(replaced.name.givenName, "Robert");
    assert.equal(replaced.displayName, "Robert Existing");
    // [okta] "Update a specific user (PATCH)": deactivation.
    const off = { schemas: [kPatchOp], Operations: [{ op: "replace", value: { active: false } }] };
    const deactivated = await expectScim(200, "PATCH", `${f.base}/Users/${bob.id}`, { token, body: off });
    assert.equal(deactivated.active, false);
    assert.equal(await memberRole(f, bob.id), null);
    const on = { schemas: [kPatchOp], Operations: [{ op: "replace", value: { active: true } }] };
    await expectScim(200, "PATCH", `${f.base}/Users/${bob.id}`, { token, body: on });
    assert.equal(await memberRole(f, bob.id), "member");
    // A userName that is not the account's email: the account's email is not SCIM's to change.
    await expectScimError(400, "mutability", "PUT", `${f.base}/Users/${bob.id}`,
                          { token, body: { ...put, userName: "robert@acme.test" } });
  });

  await check("[entra] PATCH of single- and multi-valued attributes through paths", async () => {
    const token = need(f.token, "a SCIM token");
    const user = need(f.entraUser, "the created user");
    // [entra] "Update User [Multi-valued properties]" and [Single-valued properties].
    const body = {
      schemas: [kPatchOp],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@acme.test" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", path: `${kEnterprise}:department`, value: "Sales" },
      ],
    };
    const patched = await expectScim(200, "PATCH", `${f.base}/Users/${user.id}`, { token, body });
    assert.equal(patched.emails.find((e) => e.type === "work").value, "updatedEmail@acme.test");
    assert.equal(patched.name.familyName, "updatedFamilyName");
    assert.equal(patched.name.givenName, "givenName");
    assert.equal(patched[kEnterprise].department, "Sales");
    assert.ok(patched.schemas.includes(kEnterprise));
    const q = encodeURIComponent(`${kEnterprise}:department eq "sales" and name.familyName sw "updated"`);
    const list = await expectScim(200, "GET", `${f.base}/Users?filter=${q}`, { token });
    assert.deepEqual(list.Resources.map((u) => u.id), [user.id]);
  });

  await check("groups: [entra] create, 409 on a second one of that name, mappings to roles and workspaces", async () => {
    const token = need(f.token, "a SCIM token");
    // [entra] "Create Group".
    const body = { schemas: [kGroupSchema], externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                   displayName: "displayName", meta: { resourceType: "Group" } };
    const group = await expectScim(201, "POST", `${f.base}/Groups`, { token, body });
    assert.equal(group.displayName, "displayName");
    assert.deepEqual(group.members, []);
    assert.equal(group.meta.resourceType, "Group");
    f.group = group;
    await expectScimError(409, "uniqueness", "POST", `${f.base}/Groups`,
                          { token, body: { schemas: [kGroupSchema], displayName: "DISPLAYNAME" } });
    const ws = await server.expectApi(201, "POST", `${f.api}/workspaces`,
                                      { token: f.owner, body: { name: "Engineering" } });
    f.workspace = ws;
    const settings = { group_mappings: [
      { group: "displayName", role: "admin" },
      { group: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", workspace_id: ws.id, workspace_role: "editor" },
    ] };
    const saved = await server.expectApi(200, "PUT", `${f.api}/scim-settings`, { token: f.owner, body: settings });
    assert.deepEqual(saved, settings);
    assert.deepEqual(await server.expectApi(200, "GET", `${f.api}/scim-settings`, { token: f.owner }), settings);
    // Bad mappings: the owner role is never mapped; workspaces must exist.
    const bad = await server.api("PUT", `${f.api}/scim-settings`, { token: f.owner, body: {
      group_mappings: [{ group: "x", role: "owner" }] } });
    assert.equal(bad.status, 422);
    const missing = await server.api("PUT", `${f.api}/scim-settings`, { token: f.owner, body: {
      group_mappings: [{ group: "x", workspace_id: "0193aaaa-0000-7000-8000-000000000000" }] } });
    assert.equal(missing.status, 422);
  });

  await check("groups: [entra] PATCH Add members: the mapped role and workspace follow", async () => {
    const token = need(f.token, "a SCIM token");
    const group = need(f.group, "the group");
    const user = need(f.entraUser, "the created user");
    // [entra] "Update Group [Add Members]".
    const body = { schemas: [kPatchOp], Operations: [{
      op: "Add", path: "members", value: [{ $ref: null, value: user.id }] }] };
    await expectScim(204, "PATCH", `${f.base}/Groups/${group.id}`, { token, body });
    assert.equal(await memberRole(f, user.id), "admin");
    const members = await server.expectApi(200, "GET", `${f.api}/workspaces/${f.workspace.id}/members`,
                                           { token: f.owner });
    assert.equal(members.data.find((m) => (m.user?.id ?? m.user_id) === user.id)?.role, "editor");
    const got = await expectScim(200, "GET", `${f.base}/Groups/${group.id}`, { token });
    assert.deepEqual(got.members.map((m) => m.value), [user.id]);
    const asUser = await expectScim(200, "GET", `${f.base}/Users/${user.id}`, { token });
    assert.deepEqual(asUser.groups.map((g) => g.value), [group.id]);
    const events = await server.expectApi(200, "GET", `${f.api}/events?limit=200`, { token: f.owner });
    assert.ok(events.data.some((e) => e.type === "member.role_changed" && JSON.stringify(e.data).includes(user.id)));
  });

  await check("groups: [okta] filter and excludedAttributes=members, rename without a path", async () => {
    const token = need(f.okta, "Okta's SCIM token");
    const group = need(f.group, "the group");
    const q = encodeURIComponent('displayName eq "displayName"');
    const list = await expectScim(200, "GET",
                                  `${f.base}/Groups?filter=${q}&excludedAttributes=members&startIndex=1&count=100`,
                                  { token });
    assert.equal(list.totalResults, 1);
    assert.ok(!("members" in list.Resources[0]));
    assert.equal(list.Resources[0].id, group.id);
    // [okta] "Update a specific Group name": a path-less replace that repeats the id.
    const body = { schemas: [kPatchOp], Operations: [{
      op: "replace", value: { id: group.id, displayName: "Engineering" } }] };
    await expectScim(204, "PATCH", `${f.base}/Groups/${group.id}`, { token, body });
    const got = await expectScim(200, "GET", `${f.base}/Groups/${group.id}`, { token });
    assert.equal(got.displayName, "Engineering");
    // The role mapping named the old displayName; the externalId mapping still matches.
    assert.equal(await memberRole(f, need(f.entraUser, "the user").id), "member");
    await server.expectApi(200, "PUT", `${f.api}/scim-settings`, { token: f.owner, body: { group_mappings: [
      { group: "Engineering", role: "admin" },
      { group: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", workspace_id: f.workspace.id, workspace_role: "editor" },
    ] } });
    assert.equal(await memberRole(f, f.entraUser.id), "admin", "new mappings apply at once");
  });

  await check("groups: [okta] PATCH remove members[value eq \"…\"]; [entra] Remove with a value list", async () => {
    const token = need(f.okta, "Okta's SCIM token");
    const group = need(f.group, "the group");
    const user = need(f.entraUser, "the created user");
    const bob = need(f.oktaUser, "the linked user");
    await expectScim(204, "PATCH", `${f.base}/Groups/${group.id}`, { token, body: {
      schemas: [kPatchOp],
      Operations: [{ op: "add", path: "members", value: [{ value: bob.id, display: "bob@acme.test" }] }] } });
    assert.equal(await memberRole(f, bob.id), "admin");
    // [okta] "Update specific Group membership": remove through a value filter.
    await expectScim(204, "PATCH", `${f.base}/Groups/${group.id}`, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "remove", path: `members[value eq "${user.id}"]` }] } });
    assert.equal(await memberRole(f, user.id), "member");
    const members = await server.expectApi(200, "GET", `${f.api}/workspaces/${f.workspace.id}/members`,
                                           { token: f.owner });
    assert.ok(!members.data.some((m) => (m.user?.id ?? m.user_id) === user.id), "workspace access removed");
    // [entra] "Update Group [Remove Members]".
    await expectScim(204, "PATCH", `${f.base}/Groups/${group.id}`, { token: f.token, body: {
      schemas: [kPatchOp], Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: bob.id }] }] } });
    assert.equal(await memberRole(f, bob.id), "member");
    const got = await expectScim(200, "GET", `${f.base}/Groups/${group.id}`, { token });
    assert.deepEqual(got.members, []);
  });

  await check("owners are not SCIM's: deactivating or deleting one is refused", async () => {
    const token = need(f.token, "a SCIM token");
    await expectScimError(403, null, "PATCH", `${f.base}/Users/${f.ownerId}`, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "replace", path: "active", value: false }] } });
    await expectScimError(403, null, "DELETE", `${f.base}/Users/${f.ownerId}`, { token });
    assert.equal(await memberRole(f, f.ownerId), "owner");
  });

  await check("lists: startIndex and count (clamped to 200), totalResults", async () => {
    const token = need(f.token, "a SCIM token");
    const all = await expectScim(200, "GET", `${f.base}/Users`, { token });
    assert.ok(all.totalResults >= 3, `totalResults ${all.totalResults}`);
    const page = await expectScim(200, "GET", `${f.base}/Users?startIndex=2&count=1`, { token });
    assert.equal(page.totalResults, all.totalResults);
    assert.equal(page.itemsPerPage, 1);
    assert.equal(page.startIndex, 2);
    assert.equal(page.Resources[0].id, all.Resources[1].id);
    const none = await expectScim(200, "GET", `${f.base}/Users?count=0`, { token });
    assert.equal(none.Resources.length, 0);
    assert.equal(none.totalResults, all.totalResults);
    const big = await expectScim(200, "GET", `${f.base}/Users?count=100000`, { token });
    assert.ok(big.itemsPerPage <= 200);
    const q = encodeURIComponent('(userName sw "bob" or userName sw "owner") and active eq true');
    const filtered = await expectScim(200, "GET", `${f.base}/Users?filter=${q}`, { token });
    assert.deepEqual(filtered.Resources.map((u) => u.userName.toLowerCase()).sort(),
                     ["bob@acme.test", "owner@acme.test"]);
  });

  await check("bad input: SCIM errors with scimType, nothing changed, the server still answers", async () => {
    const token = need(f.token, "a SCIM token");
    const user = need(f.entraUser, "the created user");
    const u = `${f.base}/Users/${user.id}`;
    const before = await expectScim(200, "GET", u, { token });
    await expectScimError(400, "invalidFilter", "GET", `${f.base}/Users?filter=${encodeURIComponent("userName eq")}`, { token });
    await expectScimError(400, "invalidFilter", "GET", `${f.base}/Users?filter=${encodeURIComponent("userName zz \"a\"")}`, { token });
    await expectScimError(400, "invalidFilter", "GET",
                          `${f.base}/Users?filter=${encodeURIComponent(`${"(".repeat(50)}userName pr${")".repeat(50)}`)}`, { token });
    await expectScimError(400, "invalidFilter", "GET",
                          `${f.base}/Groups?filter=${encodeURIComponent(`displayName eq "${"x".repeat(3000)}"`)}`, { token });
    await expectScimError(400, "invalidValue", "GET", `${f.base}/Users?count=ten`, { token });
    await expectScimError(400, "invalidSyntax", "POST", `${f.base}/Users`, { token, rawBody: "{\"userName\": " });
    await expectScimError(400, "invalidSyntax", "POST", `${f.base}/Users`, { token, rawBody: `${"[".repeat(100000)}` });
    await expectScimError(400, "invalidValue", "POST", `${f.base}/Users`, { token, body: { userName: "not an email" } });
    await expectScimError(400, "invalidValue", "POST", `${f.base}/Users`, { token, body: { schemas: [kUserSchema] } });
    await expectScimError(400, "invalidValue", "PATCH", u, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "replace", path: "active", value: "maybe" }] } });
    await expectScimError(400, "invalidSyntax", "PATCH", u, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "move", path: "active" }] } });
    await expectScimError(400, "invalidSyntax", "PATCH", u, { token, body: { schemas: [kPatchOp] } });
    await expectScimError(400, "mutability", "PATCH", u, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "replace", path: "id", value: "x" }] } });
    await expectScimError(400, "invalidPath", "PATCH", u, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "replace", path: "emails[type eq \"work\"", value: "x" }] } });
    await expectScimError(400, "noTarget", "PATCH", u, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "remove" }] } });
    await expectScimError(400, "invalidValue", "PATCH", `${f.base}/Groups/${f.group.id}`, { token, body: {
      schemas: [kPatchOp], Operations: [{ op: "add", path: "members", value: [{ value: "0193aaaa-0000-7000-8000-000000000000" }] }] } });
    const tooMany = { schemas: [kPatchOp], Operations: Array.from({ length: 1001 }, () => (
      { op: "replace", path: "displayName", value: "x" })) };
    await expectScimError(400, "invalidSyntax", "PATCH", u, { token, body: tooMany });
    const wrongType = await scim("POST", `${f.base}/Users`, { token, rawBody: "userName=x", contentType: "text/plain" });
    assert.equal(wrongType.status, 415);
    assert.deepEqual(wrongType.body.schemas, [kError]);
    // application/json is accepted as well as application/scim+json.
    await expectScim(200, "PATCH", u, { token, contentType: "application/json", body: {
      schemas: [kPatchOp], Operations: [{ op: "replace", path: "displayName", value: before.displayName }] } });
    const after = await expectScim(200, "GET", u, { token });
    assert.equal(after.active, before.active);
    assert.deepEqual(after.name, before.name);
  });

  await check("[entra] DELETE: membership gone, 404 afterwards, the account stays", async () => {
    const token = need(f.token, "a SCIM token");
    const user = need(f.entraUser, "the created user");
    await expectScim(204, "DELETE", `${f.base}/Users/${user.id}`, { token });
    await expectScimError(404, null, "GET", `${f.base}/Users/${user.id}`, { token });
    await expectScimError(404, null, "DELETE", `${f.base}/Users/${user.id}`, { token });
    assert.equal(await memberRole(f, user.id), null);
    const audit = await auditActions(f);
    assert.ok(audit.some((e) => e.action === "scim.user_deleted" && e.target.id === user.id));
    // Provisioning the same person again makes a membership for the same account.
    const again = await expectScim(201, "POST", `${f.base}/Users`, { token, body: {
      schemas: [kUserSchema], userName: user.userName, active: true } });
    assert.equal(again.id, user.id);
    await expectScim(204, "DELETE", `${f.base}/Groups/${f.group.id}`, { token });
    await expectScimError(404, null, "GET", `${f.base}/Groups/${f.group.id}`, { token });
  });

  await check("token rotation: a deleted token stops at once, the other goes on", async () => {
    need(f.tokenId, "the tokens");
    await server.expectApi(204, "DELETE", `${f.api}/scim-tokens/${f.tokenId}`, { token: f.owner });
    await expectScimError(401, null, "GET", `${f.base}/Users`, { token: f.token });
    await expectScim(200, "GET", `${f.base}/Users`, { token: f.okta });
    const list = await server.expectApi(200, "GET", `${f.api}/scim-tokens`, { token: f.owner });
    assert.deepEqual(list.data.map((t) => t.id), [f.oktaId]);
    assert.ok(list.data[0].last_used_at, "last_used_at is recorded");
    const audit = await auditActions(f);
    assert.ok(audit.some((e) => e.action === "scim_token.deleted" && e.target.id === f.tokenId));
  });
}

try {
  server = new Server(binary, { suite: "scim" });
  console.log(`server (${server.engine}): ${await server.start()}`);
  await checks();
} catch (e) {
  runner.setupFailed(e);
}
await server?.stop();
clearTimeout(deadline);
runner.finish("scim e2e");
