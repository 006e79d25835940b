// The checks, in the order a relying party meets the provider. Each names what the issue
// requires; a check that needs what an earlier one made says so when that one failed.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";

import { Browser, htmlUnescape, inputValue } from "./browser.mjs";
import { RelyingParty, decodeHeader, expectOAuthError, lastExchange, oidc, remoteJwks, secrets,
         verifyAccessToken } from "./rp.mjs";

const kPassword = "correct horse battery staple";

// The value, or a failure naming the earlier check that should have made it.
function need(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: needs ${what}, which failed`);
  return value;
}

function frameAncestorsNone(headers) {
  const csp = headers.get("content-security-policy") ?? "";
  return /(^|;)\s*frame-ancestors\s+'none'\s*(;|$)/i.test(csp);
}

// GET with any Host header (fetch cannot set one): {status, headers, body}.
function rawGet(address, pathname, host) {
  const [hostname, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port: Number(port), path: pathname, method: "GET",
                               headers: { host, accept: "application/json" }, timeout: 15_000 },
                             (res) => {
                               let body = "";
                               res.setEncoding("utf8");
                               res.on("data", (c) => { body += c; });
                               res.on("end", () => resolve({ status: res.statusCode,
                                                             headers: res.headers, body }));
                             });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

// The organization claims a token carries for `org` with `role`.
function assertOrgClaims(claims, org, role, what) {
  assert.equal(claims.org_id, org.id, `${what}: org_id`);
  assert.equal(claims.org_slug, org.slug, `${what}: org_slug`);
  assert.equal(claims.org_role, role, `${what}: org_role`);
  assert.ok(Array.isArray(claims.permissions), `${what}: permissions is an array`);
  assert.ok(claims.permissions.every((p) => typeof p === "string"), `${what}: permission names`);
  // The role's organization-level permissions (core/role.cpp): a member reads; an admin also
  // manages members; only an owner manages owners.
  assert.ok(claims.permissions.includes("organization:read"),
            `${what}: permissions ${JSON.stringify(claims.permissions)} lack organization:read`);
  assert.equal(claims.permissions.includes("members:manage"), role !== "member",
               `${what}: members:manage in ${JSON.stringify(claims.permissions)} for ${role}`);
  assert.equal(claims.permissions.includes("owners:manage"), role === "owner",
               `${what}: owners:manage in ${JSON.stringify(claims.permissions)} for ${role}`);
}

// What the response shows a person, with the requested value and per-request tokens masked:
// two answers that differ only there are the same answer.
function outcome(response, requested) {
  const mask = (s) => s.split(requested).join("<ORG>")
    .replace(/(name="csrf_token" value=")[^"]*"/g, '$1<CSRF>"');
  if (response.location) {
    const url = new URL(response.location);
    url.searchParams.delete("state");
    return `${response.status} ${mask(url.href)}`;
  }
  return `${response.status} ${mask(response.text)}`;
}

export async function checks({ server, issuer, check }) {
  const address = new URL(issuer).host;
  const cb = (name) => `http://127.0.0.1/${name}/callback`;
  const loggedOut = "http://127.0.0.1/rp/logged-out";

  // Fixtures: clients through the CLI, people and organizations through the API.
  const registered = await check("clients create (CLI): confidential RS256, public, ES256, EdDSA",
                                 () => {
    const conf = server.createClient({ name: "RS256 web app", redirectUris: [cb("rp"), cb("rp2")],
                                       postLogoutRedirectUris: [loggedOut], alg: "RS256" });
    const pub = server.createClient({ name: "Public SPA", redirectUris: [cb("spa")],
                                      isPublic: true });
    const es = server.createClient({ name: "ES256 app", redirectUris: [cb("es")], alg: "ES256" });
    const ed = server.createClient({ name: "EdDSA app", redirectUris: [cb("ed")], alg: "EdDSA" });
    for (const c of [conf, es, ed]) {
      assert.equal(typeof c.client_id, "string");
      assert.ok(typeof c.client_secret === "string" && c.client_secret.length >= 16,
                "a confidential client's secret is printed once");
    }
    assert.equal(pub.client_secret, null, "a public client has client_secret null");
    for (const c of [conf, es, ed]) secrets.add(c.client_secret);
    const listed = server.cli(["clients", "list"]);
    for (const c of [conf, pub, es, ed]) assert.ok(listed.includes(c.client_id), "clients list");
    assert.ok(!listed.includes(conf.client_secret), "clients list never shows a secret");
    return { conf, pub, es, ed };
  });
  const fixtures = await check("fixtures (API): users, team organizations, memberships",
                               async () => {
    const signUp = async (email, name) => {
      const body = await server.expectApi(201, "POST", "/api/v1/auth/signup",
                                          { body: { email, password: kPassword, name } });
      secrets.add(body.session_token);
      return { id: body.user.id, email, name, password: kPassword, token: body.session_token,
               personal: body.personal_organization };
    };
    const alice = await signUp("alice@example.test", "Alice Owner");
    const bob = await signUp("bob@example.test", "Bob Member");
    const carol = await signUp("carol@example.test", "Carol Solo");
    const erin = await signUp("erin@example.test", "Erin Throttled");
    secrets.add(kPassword);
    const org = (name, slug) => server.expectApi(201, "POST", "/api/v1/organizations",
                                                 { token: alice.token, body: { name, slug } });
    const acme = await org("Acme Corporation", "acme-corp");
    const globex = await org("Globex Industries", "globex");
    const initech = await org("Initech Software", "initech");
    const umbrella = await org("Umbrella Holdings", "umbrella");
    const add = (o, role) => server.expectApi(201, "POST", `/api/v1/organizations/${o.id}/members`,
                                              { token: alice.token, body: { user_id: bob.id, role } });
    await add(acme, "member");
    await add(globex, "admin");
    await add(initech, "member");
    return { alice, bob, carol, erin, acme, globex, initech, umbrella };
  });
  const { alice, bob, carol, erin, acme, globex, initech, umbrella } = fixtures ?? {};

  // Relying parties from discovery (openid-client validates that the issuer it discovers is
  // the URL it was given).
  const rps = await check("discovery by openid-client for every client", async () => {
    const r = need(registered, "clients create");
    return {
      conf: await new RelyingParty(issuer, r.conf, { redirectUri: cb("rp"), alg: "RS256",
                                                     postLogoutRedirectUri: loggedOut }).discover(),
      post: await new RelyingParty(issuer, r.conf, { redirectUri: cb("rp"), auth: "post",
                                                     postLogoutRedirectUri: loggedOut }).discover(),
      pub: await new RelyingParty(issuer, r.pub, { redirectUri: cb("spa") }).discover(),
      es: await new RelyingParty(issuer, r.es, { redirectUri: cb("es"), alg: "ES256" }).discover(),
      ed: await new RelyingParty(issuer, r.ed, { redirectUri: cb("ed"), alg: "EdDSA" }).discover(),
    };
  });
  const { conf, post, pub, es, ed } = rps ?? {};

  // --- Discovery and JWKS ---------------------------------------------------------------------
  const discovery = await check("discovery: issuer, endpoints and supported values", async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const d = await response.json();
    assert.equal(d.issuer, issuer, "issuer is --public-url");
    const endpoints = {
      authorization_endpoint: "/oauth2/authorize", token_endpoint: "/oauth2/token",
      userinfo_endpoint: "/oauth2/userinfo", jwks_uri: "/.well-known/jwks.json",
      revocation_endpoint: "/oauth2/revoke", introspection_endpoint: "/oauth2/introspect",
      end_session_endpoint: "/oauth2/logout",
    };
    for (const [field, p] of Object.entries(endpoints)) assert.equal(d[field], issuer + p, field);
    for (const m of ["client_secret_basic", "client_secret_post", "none"]) {
      assert.ok(d.token_endpoint_auth_methods_supported?.includes(m),
                `token_endpoint_auth_methods_supported has ${m}`);
    }
    for (const a of ["RS256", "ES256", "EdDSA"]) {
      assert.ok(d.id_token_signing_alg_values_supported?.includes(a),
                `id_token_signing_alg_values_supported has ${a}`);
    }
    assert.ok(d.code_challenge_methods_supported?.includes("S256"), "S256");
    assert.ok(!d.code_challenge_methods_supported?.includes("plain"), "no plain PKCE");
    assert.ok(d.response_types_supported?.includes("code"), "response_types_supported: code");
    for (const s of d.scopes_supported ? ["openid", "organization", "offline_access"] : []) {
      assert.ok(d.scopes_supported.includes(s), `scopes_supported has ${s}`);
    }
    return d;
  });
  await check("discovery: the same issuer and endpoints whatever Host the request carries",
              async () => {
    const d = need(discovery, "discovery");
    for (const host of ["evil.example", "acme-corp.bulkhead.test", `localhost:${address.split(":")[1]}`]) {
      const r = await rawGet(address, "/.well-known/openid-configuration", host);
      assert.equal(r.status, 200, `Host: ${host}`);
      const other = JSON.parse(r.body);
      assert.equal(other.issuer, issuer, `issuer with Host: ${host}`);
      for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri",
                           "userinfo_endpoint", "end_session_endpoint"]) {
        assert.equal(other[field], d[field], `${field} with Host: ${host}`);
      }
    }
  });
  const jwksKids = await check("jwks: public keys for RS256, ES256, EdDSA; Cache-Control in minutes",
                               async () => {
    const response = await fetch(`${issuer}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    const cacheControl = response.headers.get("cache-control") ?? "";
    assert.match(cacheControl, /\bpublic\b/, `Cache-Control: ${cacheControl}`);
    const maxAge = Number(cacheControl.match(/max-age=(\d+)/)?.[1]);
    assert.ok(maxAge > 0 && maxAge <= 3600, `max-age in minutes (at most an hour): ${cacheControl}`);
    const { keys } = await response.json();
    assert.ok(Array.isArray(keys) && keys.length >= 3, "at least one key per algorithm");
    for (const k of keys) {
      assert.ok(typeof k.kid === "string" && k.kid.length > 0, "every key has a kid");
      assert.equal(k.use, "sig", `use of ${k.kid}`);
      for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"]) {
        assert.ok(!(secret in k), `key ${k.kid} publishes private member ${secret}`);
      }
    }
    for (const alg of ["RS256", "ES256", "EdDSA"]) {
      assert.ok(keys.some((k) => k.alg === alg), `a key with alg ${alg}`);
    }
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, "kids are distinct");
    return keys.map((k) => k.kid);
  });

  // --- Bad input at the authorization endpoint, before any session ---------------------------
  await check("authorize: unknown client_id -> 400 page, no Location", async () => {
    const r = await new Browser(issuer).request(
      `/oauth2/authorize?response_type=code&client_id=no-such-client&redirect_uri=${
        encodeURIComponent(cb("rp"))}&scope=openid&state=s1`);
    assert.equal(r.status, 400, r.text.slice(0, 300));
    assert.equal(r.location, null, "no redirect to an unverified redirect_uri");
    assert.match(r.headers.get("content-type") ?? "", /text\/html/);
    assert.ok(frameAncestorsNone(r.headers), "frame-ancestors 'none'");
  });
  await check("authorize: unregistered redirect_uri (also a near miss) -> 400 page, no Location",
              async () => {
    const c = need(conf, "discovery");
    for (const uri of ["http://127.0.0.1/evil/callback", `${cb("rp")}/`, `${cb("rp")}?x=1`,
                       cb("rp").replace("127.0.0.1", "localhost")]) {
      const { url } = await c.authorizationRequest({ redirect_uri: uri });
      const r = await new Browser(issuer).request(url.href);
      assert.equal(r.status, 400, `redirect_uri ${uri}: ${r.status}`);
      assert.equal(r.location, null, `redirect_uri ${uri}: no Location`);
      assert.ok(frameAncestorsNone(r.headers), "frame-ancestors 'none'");
    }
  });
  await check("authorize: prompt=none without a session -> login_required (state, iss)",
              async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ prompt: "none" });
    const r = await new Browser(issuer).follow(request.url.href, { stopAt: [c.redirectUri] });
    assert.ok(r.location?.startsWith(c.redirectUri), `redirected to the client: ${r.location}`);
    const params = new URL(r.location).searchParams;
    assert.equal(params.get("error"), "login_required");
    assert.equal(params.get("code"), null);
    // openid-client checks state and iss, then reports the error.
    await expectOAuthError(c.exchange(new URL(r.location), request), "login_required");
  });
  await check("authorize: no session -> 303 /login with return_to; the form's hidden fields",
              async () => {
    const c = need(conf, "discovery");
    const { url } = await c.authorizationRequest({});
    const browser = new Browser(issuer);
    const r = await browser.request(url.href);
    assert.ok([302, 303].includes(r.status), `status ${r.status}`);
    const login = new URL(r.location);
    assert.equal(login.origin + login.pathname, `${issuer}/login`);
    const returnTo = login.searchParams.get("return_to");
    assert.ok(returnTo?.startsWith("/oauth2/authorize?"), `return_to ${returnTo}`);
    const page = await browser.request(r.location);
    assert.equal(page.status, 200);
    assert.ok(frameAncestorsNone(page.headers), "frame-ancestors 'none'");
    assert.ok(inputValue(page.text, "csrf_token"), "hidden csrf_token");
    assert.equal(inputValue(page.text, "return_to"), returnTo, "hidden return_to");
    assert.ok(browser.cookie("bulkhead_csrf"), "the bulkhead_csrf cookie");
    assert.match(page.text, /href="[^"]*\/signup/, "sign-in links to sign-up");
  });
  await check("POST /login without (or with a wrong) csrf_token -> 403, no session", async () => {
    const b = need(bob, "fixtures");
    const browser = new Browser(issuer);
    const page = await browser.request("/login");
    assert.equal(page.status, 200);
    const missing = await browser.request("/login", { method: "POST",
      form: { email: b.email, password: b.password } });
    assert.equal(missing.status, 403, "without csrf_token");
    assert.ok(frameAncestorsNone(missing.headers), "the 403 page: frame-ancestors 'none'");
    const wrong = await browser.request("/login", { method: "POST",
      form: { email: b.email, password: b.password, csrf_token: "x".repeat(43) } });
    assert.equal(wrong.status, 403, "with a wrong csrf_token");
    const noCookie = new Browser(issuer);
    const stolen = await noCookie.request("/login", { method: "POST",
      form: { email: b.email, password: b.password, csrf_token: inputValue(page.text, "csrf_token") } });
    assert.equal(stolen.status, 403, "a token without its cookie");
    assert.equal(browser.cookie("bulkhead_session"), undefined, "no session cookie");
    assert.equal(noCookie.cookie("bulkhead_session"), undefined, "no session cookie");
  });
  await check("POST /login with a wrong password -> 401 page, no session", async () => {
    const b = need(bob, "fixtures");
    const browser = new Browser(issuer);
    const page = await browser.request("/login");
    const r = await browser.submit(page, { email: b.email, password: "not the password at all" });
    assert.equal(r.status, 401);
    assert.match(r.text, /The email or password is incorrect\./);
    assert.equal(browser.cookie("bulkhead_session"), undefined);
  });

  await check("the login throttle applies to the page: 10 failures, then 429 even with the " +
              "right password", async () => {
    const e = need(erin, "fixtures");
    const browser = new Browser(issuer);
    const page = await browser.request("/login");
    for (let i = 0; i < 10; i++) {
      const r = await browser.submit(page, { email: e.email, password: `wrong password ${i}` });
      assert.equal(r.status, 401, `failure ${i + 1}`);
    }
    const r = await browser.submit(page, { email: e.email, password: e.password });
    assert.equal(r.status, 429, "the 11th login");
    assert.ok(frameAncestorsNone(r.headers), "the 429 page: frame-ancestors 'none'");
    assert.equal(browser.cookie("bulkhead_session"), undefined, "no session");
  });

  await check("branding: the sign-in page reached with organization=<slug> shows the " +
              "organization's display name, logo and colour", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    const branding = { display_name: "Acme Sign-In", logo_url: "https://cdn.example.test/acme.png",
                       primary_color: "#12ab34" };
    await server.expectApi(200, "PATCH", `/api/v1/organizations/${f.acme.id}`,
                           { token: f.alice.token, body: { settings: { branding } } });
    const { url } = await c.authorizationRequest({ organization: f.acme.slug });
    const page = await new Browser(issuer).follow(url.href, { stopAt: [c.redirectUri] });
    assert.equal(new URL(page.url).pathname, "/login", `stopped at ${page.url}`);
    for (const [k, v] of Object.entries(branding)) {
      assert.ok(page.text.toLowerCase().includes(v.toLowerCase()), `the page shows ${k} ${v}`);
    }
  });

  // --- The code flow with PKCE, the picker, the tokens ----------------------------------------
  const bobBrowser = new Browser(issuer);
  const main = await check("code + PKCE: sign in on /login, pick on /organization, exchange",
                           async () => {
    const c = need(conf, "discovery");
    const { bob: b, acme: a } = need(fixtures, "fixtures");
    const seen = {};
    const result = await c.signIn(bobBrowser, { credentials: b, pick: a.id, seen });
    assert.ok(seen.login, "the sign-in page was shown");
    assert.ok(seen.picker, "the picker was shown (organization scope, several organizations)");
    const { tokens } = result;
    assert.equal(tokens.token_type.toLowerCase(), "bearer");
    assert.ok(tokens.expires_in > 0 && tokens.expires_in <= 600, `expires_in ${tokens.expires_in}`);
    assert.equal(typeof tokens.refresh_token, "string", "offline_access yields a refresh token");
    const exchange = lastExchange("/oauth2/token");
    assert.match(exchange.headers.get("cache-control") ?? "", /no-store/, "token: no-store");
    assert.equal(result.callback.searchParams.get("iss"), issuer, "iss in the response");
    return { ...result, seen };
  });
  await check("picker: lists the user's organizations, not others", async () => {
    const { seen } = need(main, "code + PKCE");
    const f = need(fixtures, "fixtures");
    assert.ok(seen.picker.includes(f.acme.id) && seen.picker.includes(f.globex.id),
              "the picker offers the user's organizations by id");
    assert.ok(!seen.picker.includes(f.umbrella.id) && !seen.picker.includes("Umbrella Holdings"),
              "the picker does not show an organization the user is not in");
    assert.ok(inputValue(seen.picker, "csrf_token"), "the picker carries a csrf_token");
  });
  // A code left unused, exchanged at the end (after 60 s): codes expire.
  const unused = await check("an authorization code is issued (exchanged after 60 s, at the end)",
                             async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: need(acme, "fixtures").id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    return { request, callback, issued: Date.now() };
  });
  const idClaims = await check("ID token: validated by openid-client; claims of the issue",
                               () => {
    const { tokens, request } = need(main, "code + PKCE");
    const { bob: b, acme: a } = fixtures;
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.ok([claims.aud].flat().includes(conf.clientId), "aud has the client id");
    assert.equal(claims.nonce, request.nonce);
    assert.equal(typeof claims.sub, "string");
    assert.ok(claims.exp > claims.iat, "exp after iat");
    assert.equal(typeof claims.auth_time, "number", "auth_time");
    assert.ok(claims.auth_time <= claims.iat + 5, "auth_time not after iat");
    assert.match(String(claims.sid), /^[0-9a-f]{32}$/, "sid: 32 hex");
    assert.equal(claims.email, b.email);
    assert.equal(claims.email_verified, false, "an address never verified is not verified");
    assert.equal(claims.name, b.name);
    assert.equal(decodeHeader(tokens.id_token).alg, "RS256");
    assertOrgClaims(claims, a, "member", "ID token");
    return claims;
  });
  const access = await check("access token: jose against the JWKS (at+jwt, iss, aud, <= 600 s)",
                             async () => {
    const { tokens } = need(main, "code + PKCE");
    const { payload, protectedHeader } = await verifyAccessToken(tokens.access_token,
      { issuer, clientId: conf.clientId });
    const id = need(idClaims, "ID token");
    assert.equal(payload.sub, id.sub, "sub as in the ID token");
    assert.equal(payload.sid, id.sid, "sid as in the ID token");
    for (const s of ["openid", "organization"]) {
      assert.ok(payload.scope.split(" ").includes(s), `scope "${payload.scope}" has ${s}`);
    }
    assert.equal(typeof payload.jti, "string");
    assert.ok(protectedHeader.kid, "kid in the header");
    assertOrgClaims(payload, fixtures.acme, "member", "access token");
    return payload;
  });
  await check("userinfo: the signed-in user (GET and POST)", async () => {
    const { tokens } = need(main, "code + PKCE");
    const id = need(idClaims, "ID token");
    const info = await oidc.fetchUserInfo(conf.config, tokens.access_token, id.sub);
    assert.equal(info.sub, id.sub);
    assert.equal(info.email, bob.email);
    assert.equal(info.name, bob.name);
    assert.equal(info.email_verified, false);
    const posted = await fetch(`${issuer}/oauth2/userinfo`, {
      method: "POST", headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(posted.status, 200, "POST /oauth2/userinfo");
    assert.equal((await posted.json()).sub, id.sub);
    const refused = await fetch(`${issuer}/oauth2/userinfo`,
                                { headers: { authorization: "Bearer not-a-token" } });
    assert.equal(refused.status, 401, "a bad access token");
    assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer/i, "WWW-Authenticate");
  });
  await check("introspection (confidential client): active tokens", async () => {
    const { tokens } = need(main, "code + PKCE");
    const at = await oidc.tokenIntrospection(conf.config, tokens.access_token);
    assert.equal(at.active, true, "the access token is active");
    assert.equal(at.client_id, conf.clientId);
    assert.equal(at.sub, need(idClaims, "ID token").sub);
    const rt = await oidc.tokenIntrospection(conf.config, tokens.refresh_token);
    assert.equal(rt.active, true, "the refresh token is active");
    const junk = await oidc.tokenIntrospection(conf.config, "not-a-token");
    assert.equal(junk.active, false, "an unknown token is inactive");
  });
  await check("introspection: a public client is refused", async () => {
    const { tokens } = need(main, "code + PKCE");
    let answered;
    try {
      answered = await oidc.tokenIntrospection(need(pub, "discovery").config, tokens.access_token);
    } catch (e) {
      assert.ok(e.status >= 400 && e.status < 500, `a 4xx refusal (${e.status} ${e.error})`);
      return;
    }
    assert.fail(`a public client introspected: ${JSON.stringify(answered)}`);
  });

  // --- Other clients and client authentication ------------------------------------------------
  await check("client_secret_post: the same client authenticates in the body", async () => {
    const { tokens } = await need(post, "discovery").signIn(bobBrowser, { organization: acme.id });
    await verifyAccessToken(tokens.access_token, { issuer, clientId: post.clientId });
  });
  await check("public client: code + PKCE with no secret", async () => {
    const p = need(pub, "discovery");
    const { tokens } = await p.signIn(bobBrowser, { organization: need(acme, "fixtures").id });
    const { payload } = await verifyAccessToken(tokens.access_token, { issuer, clientId: p.clientId });
    assertOrgClaims(payload, acme, "member", "public client's access token");
  });
  await check("public client without PKCE -> error redirect invalid_request, no code", async () => {
    const p = need(pub, "discovery");
    const request = await p.authorizationRequest({ pkce: false, organization: acme.id });
    const r = await bobBrowser.follow(request.url.href, { stopAt: [p.redirectUri] });
    assert.ok(r.location?.startsWith(p.redirectUri), `an error redirect: ${r.status} ${r.location}`);
    const params = new URL(r.location).searchParams;
    assert.equal(params.get("code"), null, "no code");
    assert.equal(params.get("state"), request.state, "state echoed");
    await expectOAuthError(p.exchange(new URL(r.location), request), "invalid_request");
  });
  for (const [alg, which] of [["ES256", "es"], ["EdDSA", "ed"]]) {
    await check(`${alg} client: openid-client validates its ID token; the access token verifies`,
                async () => {
      const rp = need(rps?.[which], "discovery");
      const { tokens } = await rp.signIn(bobBrowser, { organization: acme.id });
      assert.equal(decodeHeader(tokens.id_token).alg, alg, "the ID token's alg");
      assertOrgClaims(tokens.claims(), acme, "member", `${alg} ID token`);
      await verifyAccessToken(tokens.access_token, { issuer, clientId: rp.clientId });
    });
  }
  await check("a user with one organization is not asked to pick", async () => {
    const c = need(conf, "discovery");
    const solo = need(carol, "fixtures");
    const seen = {};
    const { tokens } = await c.signIn(new Browser(issuer), { credentials: solo, seen });
    assert.ok(seen.login && !seen.picker, "signed in without the picker");
    assert.equal(tokens.claims().org_id, solo.personal.id, "the personal organization");
    assert.equal(tokens.claims().org_role, "owner");
  });
  await check("organization by slug skips the picker; a signed-in browser is not asked again",
              async () => {
    const c = need(conf, "discovery");
    const seen = {};
    const { tokens } = await c.signIn(bobBrowser, { organization: "globex", seen });
    assert.ok(!seen.login && !seen.picker, "no page shown");
    assertOrgClaims(tokens.claims(), globex, "admin", "ID token by slug");
  });
  await check("prompt=login asks for the password even with a session", async () => {
    const c = need(conf, "discovery");
    const { url } = await c.authorizationRequest({ prompt: "login", organization: acme.id });
    const r = await bobBrowser.follow(url.href, { stopAt: [c.redirectUri] });
    assert.equal(new URL(r.url).pathname, "/login", `stopped at ${r.url} (${r.status})`);
    assert.equal(r.status, 200);
  });
  await check("prompt=none with a session -> a code", async () => {
    const c = need(conf, "discovery");
    const { tokens } = await c.signIn(bobBrowser, { prompt: "none", organization: acme.id });
    assertOrgClaims(tokens.claims(), acme, "member", "prompt=none ID token");
  });

  // --- Bad input at the token endpoint ---------------------------------------------------------
  await check("code replay -> invalid_grant, and the refresh token it issued is revoked",
              async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    const tokens = await c.exchange(callback, request);
    await expectOAuthError(c.exchange(callback, request), "invalid_grant", 400);
    await expectOAuthError(c.refresh(tokens.refresh_token), "invalid_grant", 400);
  });
  await check("wrong code_verifier -> invalid_grant", async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    await expectOAuthError(c.exchange(callback, request, oidc.randomPKCECodeVerifier()),
                           "invalid_grant", 400);
  });
  await check("a code without its code_verifier -> invalid_grant", async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    await expectOAuthError(c.exchange(callback, request, null), "invalid_grant", 400);
  });
  await check("a code is bound to its redirect_uri (another registered one -> invalid_grant)",
              async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    const elsewhere = new URL(cb("rp2"));
    for (const [k, v] of callback.searchParams) elsewhere.searchParams.set(k, v);
    await expectOAuthError(c.exchange(elsewhere, request), "invalid_grant", 400);
  });
  await check("a code is bound to its client: another client's code -> invalid_grant", async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    // The ES256 client presents the code with its own credentials and redirect URI.
    const stolen = new URL(need(es, "discovery").redirectUri);
    for (const [k, v] of callback.searchParams) stolen.searchParams.set(k, v);
    await expectOAuthError(es.exchange(stolen, request), "invalid_grant", 400);
  });
  await check("wrong client secret -> 401 invalid_client", async () => {
    const c = need(conf, "discovery");
    const wrong = await new RelyingParty(issuer, registered.conf,
      { redirectUri: cb("rp"), secret: "not-the-secret-0123456789" }).discover();
    const request = await c.authorizationRequest({ organization: acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    await expectOAuthError(wrong.exchange(callback, request), "invalid_client", 401);
    const wrongPost = await new RelyingParty(issuer, registered.conf,
      { redirectUri: cb("rp"), auth: "post", secret: "not-the-secret-0123456789" }).discover();
    const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
    // In the body (client_secret_post) RFC 6749 5.2 allows 400 or 401.
    await expectOAuthError(wrongPost.refresh(tokens.refresh_token), "invalid_client");
  });

  await check("every issued token and every refused grant is audited in the organization it " +
              "names, without the token", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    server.cli(["org", "set-plan", f.acme.slug, "team"]);  // a plan with audit_log
    const events = async () => {
      const body = await server.expectApi(200, "GET",
        `/api/v1/organizations/${f.acme.id}/audit-log?limit=200`, { token: f.alice.token });
      return body.data.filter((e) => /oauth|token|grant/i.test(e.action ?? ""));
    };
    const before = (await events()).length;
    const { tokens } = await c.signIn(bobBrowser, { organization: f.acme.id });
    const issued = (await events()).length;
    assert.ok(issued > before, `an issuance is audited (${before} -> ${issued} events)`);
    const request = await c.authorizationRequest({ organization: f.acme.id });
    const callback = await bobBrowser.authorize(request.url.href, { redirectUri: c.redirectUri });
    await expectOAuthError(c.exchange(callback, request, oidc.randomPKCECodeVerifier()),
                           "invalid_grant");
    const refused = await events();
    assert.ok(refused.length > issued, `a refused grant is audited (${issued} -> ${refused.length})`);
    const text = JSON.stringify(refused);
    for (const secret of [tokens.access_token, tokens.refresh_token, tokens.id_token,
                          callback.searchParams.get("code")]) {
      assert.ok(!text.includes(secret), "a token or code in the audit log");
    }
  });

  // --- Organizations a user is not in ---------------------------------------------------------
  await check("authorize: a non-member's organization -> the same answer as an unknown one",
              async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    for (const [member, unknown] of [[f.umbrella.id, crypto.randomUUID()],
                                     [f.umbrella.slug, "no-such-org"]]) {
      const answers = [];
      for (const organization of [member, unknown]) {
        const request = await c.authorizationRequest({ organization });
        const r = await bobBrowser.follow(request.url.href, { stopAt: [c.redirectUri] });
        const code = r.location ? new URL(r.location).searchParams.get("code") : null;
        assert.equal(code, null, `organization=${organization} gave a code`);
        assert.ok(!r.text.includes("Umbrella Holdings"), "the answer names the organization");
        answers.push(outcome(r, organization));
      }
      assert.equal(answers[0], answers[1], "a non-member's and an unknown organization's answers");
    }
  });
  await check("refresh: switching to a non-member's organization -> the same error as unknown",
              async () => {
    const c = need(conf, "discovery");
    const errors = [];
    for (const organization of [need(umbrella, "fixtures").id, crypto.randomUUID()]) {
      const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
      try {
        await c.refresh(tokens.refresh_token, { organization });
        assert.fail(`switching to ${organization} succeeded`);
      } catch (e) {
        assert.ok(e.error, `an OAuth error: ${e.message}`);
        errors.push({ status: e.status, error: e.error, error_description: e.error_description });
      }
    }
    assert.deepEqual(errors[0], errors[1]);
  });

  // --- Hosted pages ---------------------------------------------------------------------------
  await check("every hosted page sends frame-ancestors 'none'", async () => {
    const fresh = new Browser(issuer);
    const pages = ["/login", "/signup", "/forgot-password", "/reset-password?token=unknown",
                   "/verify-email?token=unknown", "/error?error=invalid_request",
                   "/oauth2/authorize?client_id=unknown"];
    const wrong = [];
    for (const [browser, p] of [...pages.map((p) => [fresh, p]), [bobBrowser, "/organization"]]) {
      const r = await browser.request(p);
      if (r.status >= 500 || r.status === 404 || !frameAncestorsNone(r.headers)) {
        wrong.push(`${p}: ${r.status}, Content-Security-Policy: ` +
                   `${r.headers.get("content-security-policy")}`);
      }
    }
    assert.deepEqual(wrong, [], "pages without frame-ancestors 'none' (or missing)");
  });

  // --- Refresh: rotation, reuse, revocation ---------------------------------------------------
  await check("revocation (RFC 7009): refresh fails after; introspection active false",
              async () => {
    const c = need(conf, "discovery");
    const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
    assert.equal((await oidc.tokenIntrospection(c.config, tokens.refresh_token)).active, true);
    await oidc.tokenRevocation(c.config, tokens.refresh_token);
    assert.equal((await oidc.tokenIntrospection(c.config, tokens.refresh_token)).active, false,
                 "introspection after revocation");
    await expectOAuthError(c.refresh(tokens.refresh_token), "invalid_grant", 400);
    await oidc.tokenRevocation(c.config, "an-unknown-token"); // 200 all the same (RFC 7009 2.2)
  });
  await check("refresh reuse: a rotated token fails and revokes the family (the newest too)",
              async () => {
    const c = need(conf, "discovery");
    const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
    const first = tokens.refresh_token;
    const rotated = await c.refresh(first);
    const second = rotated.refresh_token;
    assert.ok(second && second !== first, "the refresh token rotates");
    await expectOAuthError(c.refresh(first), "invalid_grant", 400);
    await expectOAuthError(c.refresh(second), "invalid_grant", 400);
  });

  // --- Organization switching and live claims -------------------------------------------------
  let switched;
  await check("switch organization by refresh: the new token is the other organization's",
              async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    const { tokens } = await c.signIn(bobBrowser, { organization: f.acme.id });
    switched = await c.refresh(tokens.refresh_token, { organization: f.globex.id });
    const { payload } = await verifyAccessToken(switched.access_token,
                                                { issuer, clientId: c.clientId });
    assertOrgClaims(payload, f.globex, "admin", "switched access token");
    if (switched.id_token) assertOrgClaims(switched.claims(), f.globex, "admin", "switched ID token");
    assert.notEqual(switched.refresh_token, tokens.refresh_token, "rotated");
  });
  await check("role change by an admin -> visible at the next refresh", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    need(switched, "switch organization");
    await server.expectApi(200, "PATCH", `/api/v1/organizations/${f.globex.id}/members/${f.bob.id}`,
                           { token: f.alice.token, body: { role: "member" } });
    switched = await c.refresh(switched.refresh_token);
    const { payload } = await verifyAccessToken(switched.access_token,
                                                { issuer, clientId: c.clientId });
    assertOrgClaims(payload, f.globex, "member", "access token after the role change");
    if (switched.id_token) assertOrgClaims(switched.claims(), f.globex, "member", "ID token");
  });
  await check("removal from the organization -> the next refresh fails invalid_grant", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    need(switched, "role change");
    await server.expectApi(204, "DELETE", `/api/v1/organizations/${f.globex.id}/members/${f.bob.id}`,
                           { token: f.alice.token });
    await expectOAuthError(c.refresh(switched.refresh_token), "invalid_grant", 400);
  });
  await check("suspended organization (bulkhead org suspend) -> invalid_grant", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    const { tokens } = await c.signIn(bobBrowser, { organization: f.initech.slug });
    assertOrgClaims(tokens.claims(), f.initech, "member", "ID token");
    const again = await c.refresh(tokens.refresh_token);
    server.cli(["org", "suspend", f.initech.slug]);
    await expectOAuthError(c.refresh(again.refresh_token), "invalid_grant", 400);
  });

  // --- The account lifecycle behind the pages: tokens do not lie about it ----------------------
  const dave = { email: "dave@example.test", name: "Dave Newcomer", password: kPassword };
  const daveBrowser = new Browser(issuer);
  const signedUp = await check("sign-up on the hosted page (linked from sign-in) -> a code",
                               async () => {
    const c = need(conf, "discovery");
    const request = await c.authorizationRequest({});
    const login = await daveBrowser.follow(request.url.href, { stopAt: [c.redirectUri] });
    assert.equal(new URL(login.url).pathname, "/login");
    const link = login.text.match(/href="([^"]*\/signup[^"]*)"/);
    assert.ok(link, "the sign-in page links to /signup");
    const page = await daveBrowser.follow(new URL(htmlUnescape(link[1]), login.url).href);
    assert.equal(page.status, 200, "/signup");
    assert.ok(frameAncestorsNone(page.headers), "/signup: frame-ancestors 'none'");
    let r = await daveBrowser.submit(page, { name: dave.name, email: dave.email,
                                             password: dave.password }, { stopAt: [c.redirectUri] });
    // Without a return_to on the link, the person starts over, now signed in.
    if (!r.location?.startsWith(c.redirectUri)) {
      assert.ok(r.status < 400, `sign-up answered ${r.status}: ${r.text.slice(0, 300)}`);
      r = await daveBrowser.follow(request.url.href, { stopAt: [c.redirectUri] });
    }
    assert.ok(r.location?.startsWith(c.redirectUri), `back at the client: ${r.url} ${r.status}`);
    const tokens = await c.exchange(new URL(r.location), request);
    const claims = tokens.claims();
    assert.equal(claims.email, dave.email);
    assert.equal(claims.name, dave.name);
    assert.equal(claims.email_verified, false, "not verified before the link is followed");
    assert.equal(claims.org_role, "owner", "the personal organization, without a picker");
    return tokens;
  });
  let person = dave;
  let personBrowser = daveBrowser;
  const verified = await check("email verification: the mailed link -> email_verified true at " +
                               "the next refresh and in userinfo", async () => {
    const c = need(conf, "discovery");
    // The person who signed up on the page; else one who signed up through the API.
    let tokens = signedUp;
    if (!tokens) {
      person = { ...need(carol, "fixtures") };
      personBrowser = new Browser(issuer);
      ({ tokens } = await c.signIn(personBrowser, { credentials: person }));
      assert.equal(tokens.claims().email_verified, false, "not verified before the link");
    }
    const [link] = await server.mail(person.email, new RegExp(
      `${issuer.replace(/[.]/g, "\\.")}/verify-email\\?token=[^\\s"<>]+`));
    secrets.add(new URL(link).searchParams.get("token"));
    const page = await personBrowser.request(link);
    assert.equal(page.status, 200, `GET ${new URL(link).pathname}`);
    assert.ok(frameAncestorsNone(page.headers), "frame-ancestors 'none'");
    if (inputValue(page.text, "csrf_token") !== undefined) {
      const done = await personBrowser.submit(page, {});
      assert.ok(done.status < 400, `POST /verify-email: ${done.status} ${done.text.slice(0, 300)}`);
    }
    const refreshed = await c.refresh(tokens.refresh_token);
    assert.equal(refreshed.claims().email_verified, true, "the refreshed ID token");
    const info = await oidc.fetchUserInfo(c.config, refreshed.access_token, refreshed.claims().sub);
    assert.equal(info.email_verified, true, "userinfo");
    return refreshed;
  });
  await check("forgot password: the same answer for an unknown address; the reset link " +
              "revokes every session and refresh token", async () => {
    const c = need(conf, "discovery");
    const tokens = verified ?? (await c.signIn(personBrowser, { credentials: person })).tokens;
    const answers = [];
    for (const email of [person.email, "nobody@example.test"]) {
      const b = new Browser(issuer);
      const page = await b.request("/forgot-password");
      assert.equal(page.status, 200);
      const r = await b.submit(page, { email });
      answers.push(outcome(r, email));
    }
    assert.equal(answers[0], answers[1], "whether an address has an account is not told");
    const [link] = await server.mail(person.email, new RegExp(
      `${issuer.replace(/[.]/g, "\\.")}/reset-password\\?token=[^\\s"<>]+`));
    secrets.add(new URL(link).searchParams.get("token"));
    const b = new Browser(issuer);
    const page = await b.request(link);
    assert.equal(page.status, 200, `GET ${new URL(link).pathname}`);
    person.password = "a brand new password 2";
    secrets.add(person.password);
    const done = await b.submit(page, { password: person.password });
    assert.ok(done.status < 400, `POST /reset-password: ${done.status} ${done.text.slice(0, 300)}`);
    await expectOAuthError(c.refresh(tokens.refresh_token), "invalid_grant", 400);
    const request = await c.authorizationRequest({ prompt: "none" });
    const r = await personBrowser.follow(request.url.href, { stopAt: [c.redirectUri] });
    assert.ok(r.location?.startsWith(c.redirectUri), `prompt=none: ${r.url} ${r.status}`);
    await expectOAuthError(c.exchange(new URL(r.location), request), "login_required");
    const again = await c.signIn(new Browser(issuer), { credentials: person });
    assert.ok(again.tokens.access_token, "the new password signs in");
    // Single use: a second visit may show the form, but posting it fails.
    const reused = await b.request(link);
    if (inputValue(reused.text, "csrf_token") !== undefined) {
      const reuse = await b.submit(reused, { password: "yet another password 3" });
      assert.ok(reuse.status >= 400, `the link is single-use: ${reuse.status}`);
    }
  });

  // --- RP-initiated logout --------------------------------------------------------------------
  await check("logout: id_token_hint + registered post_logout_redirect_uri -> back with state; " +
              "the session and its refresh tokens end", async () => {
    const c = need(conf, "discovery");
    const f = need(fixtures, "fixtures");
    const browser = new Browser(issuer);
    const { tokens } = await c.signIn(browser, { credentials: f.bob, organization: f.acme.id });
    const state = oidc.randomState();
    const url = oidc.buildEndSessionUrl(c.config, { id_token_hint: tokens.id_token,
                                                    post_logout_redirect_uri: loggedOut, state });
    const r = await browser.follow(url.href, { stopAt: [loggedOut] });
    assert.ok(r.location?.startsWith(loggedOut), `redirected back: ${r.status} ${r.location}`);
    assert.equal(new URL(r.location).searchParams.get("state"), state, "state");
    const request = await c.authorizationRequest({ prompt: "none", organization: f.acme.id });
    const after = await browser.follow(request.url.href, { stopAt: [c.redirectUri] });
    assert.ok(after.location?.startsWith(c.redirectUri), `prompt=none: ${after.location}`);
    await expectOAuthError(c.exchange(new URL(after.location), request), "login_required");
    await expectOAuthError(c.refresh(tokens.refresh_token), "invalid_grant", 400);
    // Another browser's session of the same person is not ended.
    const { tokens: other } = await c.signIn(bobBrowser, { prompt: "none", organization: f.acme.id });
    assert.ok(other.access_token, "the other session still signs in with prompt=none");
  });
  await check("logout: an unregistered post_logout_redirect_uri is not followed", async () => {
    const c = need(conf, "discovery");
    // A session of its own: the hint names the session that may end.
    const browser = new Browser(issuer);
    const { tokens } = await c.signIn(browser, { credentials: need(bob, "fixtures"),
                                                 organization: acme.id });
    const url = oidc.buildEndSessionUrl(c.config, { id_token_hint: tokens.id_token,
      post_logout_redirect_uri: "http://127.0.0.1/evil", state: "s" });
    const r = await browser.request(url.href);
    assert.ok(!r.location?.startsWith("http://127.0.0.1/evil"), `redirected to ${r.location}`);
  });

  // --- Signing-key rotation -------------------------------------------------------------------
  await check("keys rotate-signing (publish delay 0): new tokens get a new kid; a token from " +
              "the old key still verifies", async () => {
    const c = need(conf, "discovery");
    const oldKids = need(jwksKids, "jwks");
    const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
    const oldKid = decodeHeader(tokens.access_token).kid;
    assert.ok(oldKids.includes(oldKid), "signed by a published key");
    const rotatedKids = JSON.parse(server.cli(["keys", "rotate-signing",
                                               "--signing-key-publish-delay", "0"]))
      .keys.map((k) => k.kid);
    // A fresh configuration: openid-client caches the JWKS it saw before the rotation.
    await c.discover();
    let latest = tokens;
    let newKid = oldKid;
    for (const until = Date.now() + 8_000; newKid === oldKid && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      latest = await c.refresh(latest.refresh_token);
      newKid = decodeHeader(latest.access_token).kid;
    }
    assert.notEqual(newKid, oldKid, "a token with a new kid within 8 s of the rotation");
    const jwks = remoteJwks(issuer);
    await verifyAccessToken(latest.access_token, { issuer, clientId: c.clientId, jwks });
    await verifyAccessToken(tokens.access_token, { issuer, clientId: c.clientId, jwks });
    const published = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()).keys
      .map((k) => k.kid);
    assert.ok(published.includes(oldKid) && published.includes(newKid), "both keys published");
    assert.equal(decodeHeader(latest.id_token).kid, newKid, "the ID token too");
    // The CLI rotates each algorithm in its own transaction, so the server may have seen the
    // new RS256 key before the others: every key it printed is published within 8 s (and the
    // next check starts from a settled key set).
    let missing = rotatedKids;
    for (const until = Date.now() + 8_000; missing.length > 0 && Date.now() < until;) {
      const now = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()).keys
        .map((k) => k.kid);
      missing = rotatedKids.filter((k) => !now.includes(k));
      if (missing.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.deepEqual(missing, [], "every rotated key published within 8 s");
  });
  await check("keys rotate-signing with a publish delay: the new key is published at once and " +
              "signs only after the delay", async () => {
    const c = await need(es, "discovery").discover();  // its JWKS cache predates a rotation
    const kJwks = `${issuer}/.well-known/jwks.json`;
    const kids = async () => (await (await fetch(kJwks)).json()).keys
      .filter((k) => k.alg === "ES256").map((k) => k.kid);
    const before = await kids();
    const { tokens } = await c.signIn(bobBrowser, { organization: acme.id });
    const signing = decodeHeader(tokens.id_token).kid;
    const delay = 15;
    const rotated = Date.now();
    const printed = server.cli(["keys", "rotate-signing", "--alg", "ES256",
                                "--signing-key-publish-delay", String(delay)]);
    let added = [];
    for (const until = Date.now() + 5_000; added.length === 0 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      added = (await kids()).filter((k) => !before.includes(k));
    }
    assert.equal(added.length, 1, "one new ES256 key published within 5 s");
    assert.ok(printed.includes(added[0]), "rotate-signing prints the new key");
    await c.discover();
    let latest = await c.refresh(tokens.refresh_token);
    assert.ok(Date.now() - rotated < delay * 1000, "minted within the delay");
    assert.equal(decodeHeader(latest.id_token).kid, signing, "the old key signs until the delay");
    let kid = signing;
    for (const until = rotated + (delay + 10) * 1000; kid === signing && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      latest = await c.refresh(latest.refresh_token);
      kid = decodeHeader(latest.id_token).kid;
    }
    assert.equal(kid, added[0], "the new key signs after the delay");
    assert.ok(Date.now() - rotated >= delay * 1000, "not before the delay");
  });
  await check("an authorization code expires in 60 s -> invalid_grant", async () => {
    const c = need(conf, "discovery");
    const { request, callback, issued } = need(unused, "an unused authorization code");
    const wait = issued + 62_000 - Date.now();
    if (wait > 0) {
      console.log(`      (waiting ${Math.ceil(wait / 1000)} s for the code to expire)`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await expectOAuthError(c.exchange(callback, request), "invalid_grant", 400);
  });
  await check("no token, code, secret or password in the server's logs", () => {
    const logs = server.logs();
    assert.ok(logs.length > 0, "the server logged something");
    const leaked = [...secrets].filter((secret) => secret && logs.includes(secret));
    assert.deepEqual(leaked.map((secret) => `${secret.slice(0, 12)}… (${secret.length} chars)`), [],
                     "credentials found in the logs");
  });
}
