// The checks of the SSO (OpenID Connect) suite, in order; run.mjs starts the server and the IdP.
// Each sign-in is a fresh Browser (a person at another computer) unless a check says otherwise.
// What a check expects comes from the contract (issue 20 and docs/sso.md) and from the IdP's own
// behaviour, never from Bulkhead's code.

import assert from "node:assert/strict";
import crypto from "node:crypto";

import * as jose from "jose";
import * as oidc from "openid-client";

import { Browser } from "./browser.mjs";
import { claimsOf } from "./idp.mjs";

const kPassword = "correct horse battery staple";

export async function checks({ server, idp, clients, newServer, check }) {
  // Every credential the run saw (client secrets, codes, sessions, ID tokens): none may appear in
  // the server's logs.
  const secrets = new Set(Object.values(clients).map((c) => c.client_secret));
  const base = server.publicUrl;
  const callbackPrefix = `${base}/sso/oidc/callback`;
  const api = (method, route, options) => server.api(method, route, options);
  const expectApi = (status, method, route, options) =>
    server.expectApi(status, method, route, options);

  // --- Fixtures, as an admin makes them: an owner, a team organization on the enterprise plan
  // (the plan that includes the `sso` feature), and connections to the IdP.
  const owner = await expectApi(201, "POST", "/api/v1/auth/signup", {
    body: { email: "owner@acme-owner.test", password: kPassword, name: "Olivia Owner" } });
  const t = { token: owner.session_token };
  const org = await expectApi(201, "POST", "/api/v1/organizations",
                              { ...t, body: { name: "Acme Corp", slug: "acme-corp" } });
  const o = `/api/v1/organizations/${org.id}`;
  // A second organization of the same owner, for the connection without JIT: /oauth2/authorize's
  // organization hint goes straight to the IdP only when the organization has one connection.
  const org2 = await expectApi(201, "POST", "/api/v1/organizations",
                               { ...t, body: { name: "Beta Corp", slug: "beta-corp" } });
  const o2 = `/api/v1/organizations/${org2.id}`;
  for (const path of [o, o2]) {
    const planned = await api("PUT", `${path}/plan`, { ...t, body: { plan: "enterprise" } });
    assert.ok([200, 204].includes(planned.status), `PUT plan: ${planned.status}`);
  }

  const connectionBody = (client, extra = {}) => ({
    type: "oidc", name: "Acme IdP", issuer: idp.issuer, client_id: client.client_id,
    client_secret: client.client_secret, scopes: ["openid", "email", "profile", "groups"],
    ...extra,
  });
  let jit = null;     // Acme's: jit on, RS256, acme-admins -> admin
  let noJit = null;   // Beta's: jit off, ES256

  await check("connections are created through the API; the secret is never returned", async () => {
    jit = await expectApi(201, "POST", `${o}/sso-connections`, { ...t,
      body: connectionBody(clients.rs256, { default_role: "member", jit: true,
        group_role_mappings: [{ group: "acme-admins", role: "admin" }] }) });
    noJit = await expectApi(201, "POST", `${o2}/sso-connections`, { ...t,
      body: connectionBody(clients.es256, { name: "Beta IdP (no JIT)", jit: false }) });
    for (const c of [jit, noJit]) {
      assert.equal(c.type, "oidc");
      assert.equal(c.oidc.issuer, idp.issuer);
      assert.equal(c.oidc.redirect_uri, callbackPrefix, "redirect_uri = {public-url}/sso/oidc/callback");
      assert.ok(!JSON.stringify(c).includes(clients.rs256.client_secret) &&
                !JSON.stringify(c).includes(clients.es256.client_secret), "no client_secret");
    }
  });
  const need = (what) => { if (!what) throw new Error("skipped: needs the connections"); };
  const startUrl = (connection, returnTo = "/console/") =>
    `${base}/sso/oidc/${connection.id}/start?return_to=${encodeURIComponent(returnTo)}`;

  // A sign-in as `account` through `connection`, up to (not including) the callback: the
  // callback URL the IdP sent the browser to.
  async function toCallback(browser, connection, account, returnTo) {
    idp.nextAccount = account;
    const r = await browser.follow(startUrl(connection, returnTo), { stopAt: [callbackPrefix] });
    if (!r.location?.startsWith(callbackPrefix)) {
      throw new Error(`the IdP did not send the browser back (${r.status}):\n        ` +
                      `${browser.lastSteps()}\n${r.text.slice(0, 400)}`);
    }
    secrets.add(new URL(r.location).searchParams.get("code"));
    return r.location;
  }
  // The whole sign-in: the callback's answer (not followed further).
  async function signIn(browser, connection, account, returnTo) {
    return browser.request(await toCallback(browser, connection, account, returnTo));
  }
  const sessionOf = (browser) => {
    const session = browser.cookie(base, "bulkhead_session");
    if (session) secrets.add(session);
    return session;
  };
  // GET /api/v1/user with the browser's session cookie.
  async function currentUser(browser) {
    const r = await fetch(`${base}/api/v1/user`, {
      headers: { cookie: `bulkhead_session=${sessionOf(browser)}`, accept: "application/json" } });
    assert.equal(r.status, 200, "the session works: GET /api/v1/user");
    return r.json();
  }
  async function members(path = o) {
    const list = await expectApi(200, "GET", `${path}/members?limit=200`, t);
    return new Map(list.data.map((m) => [m.user.email, m]));
  }
  // Whether an account exists for `email`: sign-up with it is refused (409 email_taken) if so.
  async function accountExists(email) {
    const r = await api("POST", "/api/v1/auth/signup",
                        { body: { email, password: kPassword, name: "Probe" } });
    assert.ok([201, 409].includes(r.status), `sign-up probe: ${r.status}`);
    return r.status === 409;
  }
  function expectPage(r, status, pattern) {
    assert.equal(r.status, status, `status (page: ${r.text.replace(/<[^>]+>/g, " ").slice(0, 300)})`);
    assert.match(r.headers.get("content-type") ?? "", /^text\/html/);
    if (pattern) assert.match(r.text, pattern);
  }

  idp.accounts.set("alice-001", { email: "alice@acme.test", email_verified: true,
                                  name: "Alice Example", groups: ["eng"] });
  idp.accounts.set("bob-002", { email: "bob@acme.test", email_verified: true, name: "Bob Example",
                                groups: ["eng", "acme-admins"] });
  idp.accounts.set("carol-003", { email: "carol@acme.test", email_verified: true,
                                  name: "Carol Example", groups: [] });
  idp.accounts.set("dave-004", { email: "dave@acme.test", email_verified: true,
                                 name: "Dave Example", groups: ["qa"] });
  idp.accounts.set("erin-005", { email: "erin@acme.test", email_verified: true,
                                 name: "Erin Example", groups: [] });
  idp.accounts.set("mallory-006", { email: "mallory@acme.test", email_verified: true,
                                    name: "Mallory Example", groups: [] });

  await check("an unknown or disabled connection's start URL is a clear 404 page", async () => {
    const r = await new Browser().request(`${base}/sso/oidc/${crypto.randomUUID()}/start?return_to=%2Fconsole%2F`);
    expectPage(r, 404, /does not exist or is disabled/);
  });

  await check("start: code flow to the IdP's authorization endpoint with PKCE S256, nonce and state", async () => {
    need(jit);
    const browser = new Browser();
    const r = await browser.request(startUrl(jit));
    assert.ok([302, 303].includes(r.status), `status ${r.status}`);
    const location = new URL(r.location);
    const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(`${location.origin}${location.pathname}`, discovery.authorization_endpoint);
    const q = location.searchParams;
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("client_id"), clients.rs256.client_id);
    assert.equal(q.get("redirect_uri"), callbackPrefix);
    assert.deepEqual(q.get("scope").split(" ").sort(), ["email", "groups", "openid", "profile"]);
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge"), /^[A-Za-z0-9_-]{43}$/);
    assert.ok(q.get("state")?.length >= 32, "a long random state");
    assert.ok(q.get("nonce")?.length >= 32, "a long random nonce");
    assert.equal(browser.cookie(base, "bulkhead_sso_state"), q.get("state"),
                 "the state is bound to the browser by a cookie");
  });

  let alice = null;
  await check("JIT sign-in: a new user, a member with the default role, a working session", async () => {
    need(jit);
    assert.equal(await accountExists("alice-probe@acme.test"), false);
    const browser = new Browser();
    const before = idp.tokenRequests.length;
    const r = await signIn(browser, jit, "alice-001", "/console/");
    assert.equal(r.status, 303, `callback: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(r.location, `${base}/console/`);
    assert.ok(sessionOf(browser), "a session cookie");
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith("bulkhead_session="));
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.match(cookie, /; Path=\//i);
    alice = await currentUser(browser);
    assert.equal(alice.email, "alice@acme.test");
    assert.equal(alice.name, "Alice Example");
    const m = (await members()).get("alice@acme.test");
    assert.ok(m, "alice is a member");
    assert.equal(m.role, "member");
    // The code was redeemed with client_secret_basic and PKCE (the IdP saw it).
    const token = idp.tokenRequests.at(-1);
    assert.equal(idp.tokenRequests.length, before + 1);
    assert.match(token.authorization, /^Basic /);
  });

  await check("a returning user is matched by subject, even with a changed email", async () => {
    need(alice);
    idp.accounts.get("alice-001").email = "alice.renamed@acme.test";
    try {
      const browser = new Browser();
      const r = await signIn(browser, jit, "alice-001");
      assert.equal(r.status, 303, `callback: ${r.status} ${r.text.slice(0, 300)}`);
      const again = await currentUser(browser);
      assert.equal(again.id, alice.id, "the same Bulkhead user");
      const all = await members();
      assert.equal([...all.values()].filter((m) => m.user.id === alice.id).length, 1);
      assert.equal(await accountExists("alice.renamed@acme.test"), false, "no second user");
    } finally {
      idp.accounts.get("alice-001").email = "alice@acme.test";
    }
  });

  await check("a group claim mapped to a role sets it at every sign-in", async () => {
    need(jit);
    const r = await signIn(new Browser(), jit, "bob-002");
    assert.equal(r.status, 303, `callback: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal((await members()).get("bob@acme.test")?.role, "admin", "acme-admins -> admin");
    // Alice joins the group at the IdP: her next sign-in makes her an admin.
    idp.accounts.get("alice-001").groups = ["eng", "acme-admins"];
    const again = await signIn(new Browser(), jit, "alice-001");
    assert.equal(again.status, 303);
    assert.equal((await members()).get("alice@acme.test")?.role, "admin");
  });

  await check("JIT off: a 403 page and nothing created (ES256 ID token verified first)", async () => {
    need(noJit);
    const browser = new Browser();
    const r = await signIn(browser, noJit, "carol-003");
    expectPage(r, 403);
    assert.doesNotMatch(r.text, /could not be verified/);
    assert.equal(sessionOf(browser), undefined, "no session");
    assert.equal((await members(o2)).has("carol@acme.test"), false, "not a member");
    assert.equal(await accountExists("carol@acme.test"), false, "no user was created");
  });

  await check("the test endpoint: the claims on a page and in the report, nothing created", async () => {
    need(jit);
    const test = await expectApi(201, "POST", `${o}/sso-connections/${jit.id}/test`, t);
    assert.ok(test.test_id && test.url, "{test_id, url}");
    const pending = await expectApi(200, "GET", `${o}/sso-connections/${jit.id}/tests/${test.test_id}`, t);
    assert.equal(pending.status, "pending");
    const browser = new Browser();
    idp.nextAccount = "dave-004";
    const r = await browser.follow(new URL(test.url, base).href, { stopAt: [`${base}/console/`] });
    expectPage(r, 200, /dave@acme\.test/);
    assert.match(r.text, /dave-004/);
    assert.equal(sessionOf(browser), undefined, "no session");
    const report = await expectApi(200, "GET", `${o}/sso-connections/${jit.id}/tests/${test.test_id}`, t);
    assert.equal(report.status, "succeeded");
    assert.equal(report.claims?.sub ?? report.claims?.subject, "dave-004");
    assert.equal((await members()).has("dave@acme.test"), false, "not a member");
    assert.equal(await accountExists("dave@acme.test"), false, "no user was created");
    // The test URL is single-use.
    const reused = await new Browser().request(new URL(test.url, base).href);
    expectPage(reused, 404);
  });

  await check("a replayed callback (the same state) is refused", async () => {
    need(jit);
    const browser = new Browser();
    const callback = await toCallback(browser, jit, "alice-001");
    const state = new URL(callback).searchParams.get("state");
    const first = await browser.request(callback);
    assert.equal(first.status, 303, `first: ${first.status} ${first.text.slice(0, 300)}`);
    // The same browser again (its state cookie is gone), and with the cookie put back by hand.
    const again = await new Browser().request(callback);
    expectPage(again, 400);
    const replay = await fetch(callback, { redirect: "manual",
                                           headers: { cookie: `bulkhead_sso_state=${state}` } });
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /already used or has expired/);
    assert.equal(replay.headers.getSetCookie().some((c) => c.startsWith("bulkhead_session=") &&
                                                          !c.startsWith("bulkhead_session=;")), false);
  });

  await check("a callback from another browser (no state cookie) is refused", async () => {
    need(jit);
    const callback = await toCallback(new Browser(), jit, "mallory-006");
    const victim = new Browser();
    const r = await victim.request(callback);
    expectPage(r, 400, /another browser/);
    assert.equal(sessionOf(victim), undefined);
  });

  // Tampered ID tokens: the IdP's token response rewritten before it leaves.
  async function refusedWith(tamper, pattern) {
    const browser = new Browser();
    idp.tamper = tamper;
    try {
      const r = await signIn(browser, jit, "mallory-006");
      expectPage(r, 400, pattern);
      assert.equal(sessionOf(browser), undefined, "no session");
    } finally {
      idp.tamper = null;
    }
  }
  await check("a tampered ID token is refused: signed by another key under the IdP's kid", async () => {
    need(jit);
    const { privateKey } = await jose.generateKeyPair("RS256");
    await refusedWith(async (body) => {
      const claims = claimsOf(body.id_token);
      body.id_token = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: "RS256", kid: "idp-rsa" }).sign(privateKey);
      return body;
    }, /could not be verified/);
    assert.equal((await members()).has("mallory@acme.test"), false);
  });
  await check("a tampered ID token is refused: claims changed under the IdP's signature", async () => {
    need(jit);
    await refusedWith((body) => {
      const [header, , signature] = body.id_token.split(".");
      const claims = { ...claimsOf(body.id_token), sub: "alice-001" };
      body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"),
                       signature].join(".");
      return body;
    }, /signature does not verify/);
  });
  await check("a tampered ID token is refused: alg none", async () => {
    need(jit);
    await refusedWith((body) => {
      const claims = claimsOf(body.id_token);
      body.id_token = [Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url"),
                       Buffer.from(JSON.stringify(claims)).toString("base64url"), ""].join(".");
      return body;
    }, /alg none/);
  });
  await check("a validly signed ID token with another nonce is refused", async () => {
    need(jit);
    await refusedWith(async (body) => {
      body.id_token = await idp.sign({ ...claimsOf(body.id_token), nonce: "not-the-sign-ins" });
      return body;
    }, /nonce/);
  });
  await check("a validly signed ID token for another audience or expired is refused", async () => {
    need(jit);
    await refusedWith(async (body) => {
      body.id_token = await idp.sign({ ...claimsOf(body.id_token), aud: "another-client" });
      return body;
    }, /aud/);
    await refusedWith(async (body) => {
      const now = Math.floor(Date.now() / 1000);
      body.id_token = await idp.sign({ ...claimsOf(body.id_token), iat: now - 7200, exp: now - 3600 });
      return body;
    }, /expired/);
    assert.equal(await accountExists("mallory@acme.test"), false, "nothing was created");
  });

  await check("a test sign-in whose ID token does not verify reports the failure", async () => {
    need(jit);
    const test = await expectApi(201, "POST", `${o}/sso-connections/${jit.id}/test`, t);
    idp.nextAccount = "dave-004";
    idp.tamper = async (body) => {
      body.id_token = await idp.sign({ ...claimsOf(body.id_token), nonce: "not-the-sign-ins" });
      return body;
    };
    try {
      const r = await new Browser().follow(new URL(test.url, base).href, { stopAt: [`${base}/console/`] });
      expectPage(r, 400, /nonce/);
    } finally {
      idp.tamper = null;
    }
    const report = await expectApi(200, "GET", `${o}/sso-connections/${jit.id}/tests/${test.test_id}`, t);
    assert.equal(report.status, "failed");
    assert.match(JSON.stringify(report.error), /nonce/);
  });

  await check("a disabled connection cannot be signed in through, but can be tested", async () => {
    need(noJit);
    await expectApi(200, "PATCH", `${o2}/sso-connections/${noJit.id}`, { ...t, body: { enabled: false } });
    try {
      const r = await new Browser().request(startUrl(noJit));
      expectPage(r, 404, /does not exist or is disabled/);
      const test = await expectApi(201, "POST", `${o2}/sso-connections/${noJit.id}/test`, t);
      idp.nextAccount = "carol-003";
      const tested = await new Browser().follow(new URL(test.url, base).href,
                                                { stopAt: [`${base}/console/`] });
      expectPage(tested, 200, /carol@acme\.test/);
      // A pending test of another connection does not open this one.
      const other = await expectApi(201, "POST", `${o}/sso-connections/${jit.id}/test`, t);
      const crossed = await new Browser().request(
        `${base}/sso/oidc/${noJit.id}/start?test=${encodeURIComponent(other.test_id)}`);
      expectPage(crossed, 404);
    } finally {
      await expectApi(200, "PATCH", `${o2}/sso-connections/${noJit.id}`, { ...t, body: { enabled: true } });
    }
  });

  await check("without --allow-private-webhooks the server does not reach an IdP on loopback", async () => {
    need(jit);
    const guarded = newServer({ sharedWith: server, serveArgs: [] });
    await guarded.start();
    try {
      const r = await new Browser().request(
        `${guarded.publicUrl}/sso/oidc/${jit.id}/start?return_to=%2Fconsole%2F`);
      expectPage(r, 502, /refused/);
      assert.doesNotMatch(r.headers.get("location") ?? "", /127\.0\.0\.1/);
    } finally {
      await guarded.stop();
    }
  });

  await check("the IdP's refusal (error=access_denied) is a clear page", async () => {
    need(jit);
    idp.denyNext = { error: "access_denied", error_description: "The user is not assigned to this application" };
    const browser = new Browser();
    const r = await browser.follow(startUrl(jit), { stopAt: [`${base}/console/`] });
    expectPage(r, 403, /access_denied/);
    assert.match(r.text, /not assigned to this application/);
    assert.equal(sessionOf(browser), undefined);
  });

  await check("an application's /oauth2/authorize?organization= goes through the IdP and gets an ID token naming the organization", async () => {
    need(jit);
    const redirectUri = "http://127.0.0.1:9/app/callback";
    const registered = server.createClient({ name: "Acme App", redirectUris: [redirectUri] });
    const config = await oidc.discovery(new URL(base), registered.client_id,
                                        { redirect_uris: [redirectUri] },
                                        oidc.ClientSecretBasic(registered.client_secret),
                                        { execute: [oidc.allowInsecureRequests], timeout: 15 });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: "openid email profile organization", state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256", organization: "acme-corp" });
    const browser = new Browser();  // no Bulkhead session
    idp.nextAccount = "erin-005";
    const r = await browser.follow(url.href, { stopAt: [redirectUri] });
    assert.ok(r.location?.startsWith(redirectUri),
              `stopped at ${r.url} (${r.status}):\n        ${browser.lastSteps(14)}\n${r.text.slice(0, 300)}`);
    assert.ok(browser.trace.some((line) => line.includes(`${idp.issuer}/auth`)), "went through the IdP");
    assert.ok(!browser.trace.some((line) => / \S+\/login\b/.test(line.split(" -> ")[0])),
              "no email step on /login");
    const tokens = await oidc.authorizationCodeGrant(config, new URL(r.location), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const jwks = jose.createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const { payload } = await jose.jwtVerify(tokens.id_token, jwks, {
      issuer: base, audience: registered.client_id });
    assert.equal(payload.nonce, nonce);
    assert.equal(payload.org_id, org.id, "the ID token's organization");
    assert.equal(payload.org_slug, "acme-corp");
    const erin = (await members()).get("erin@acme.test");
    assert.ok(erin, "erin became a member (JIT)");
    assert.equal(payload.sub, erin.user.id, "sub is the Bulkhead user id");
  });

  await check("no credential of the run appears in the server's logs", async () => {
    const logs = server.logs();
    assert.ok(logs.length > 0, "the server logged something");
    const leaked = [...secrets].filter((secret) => secret && logs.includes(secret));
    assert.deepEqual(leaked.map((x) => `${x.slice(0, 6)}…`), []);
  });
}
