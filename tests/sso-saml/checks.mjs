// The checks, each naming what issue 20 requires of SAML sign-in. The oracle is never the
// server's own code: the IdP is samlify, which reads our metadata and requests with its own
// parser and signs with its own library; what a sign-in did is read back through the JSON API
// with the session it set; the attacks are built here from samlify's signed output.

import assert from "node:assert/strict";
import crypto from "node:crypto";

import { CustomerIdp, decode, encode } from "./idp.mjs";

const kPassword = "correct horse battery staple";

function need(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: needs ${what}, which failed`);
  return value;
}

// The bulkhead_session cookie a response set ("" when none was set).
function sessionCookie(response) {
  for (const c of response.headers.getSetCookie()) {
    const m = /^bulkhead_session=([^;]*)/.exec(c);
    if (m) return m[1];
  }
  return "";
}

// What a refusal page must and must not say: the check by name, and nothing the IdP sent.
function assertRefused(r, check, user) {
  assert.equal(r.status, 403, `status ${r.status}: ${r.text.slice(0, 400)}`);
  assert.equal(r.cookie, "", "no session cookie on a refusal");
  assert.match(r.contentType, /^text\/html/);
  assert.ok(r.text.includes(`failed the ${check} check`), `names the ${check} check: ${r.text}`);
  assert.ok(!r.text.includes("<saml") && !r.text.includes("&lt;saml"), "echoes no XML");
  if (user) assert.ok(!r.text.includes(user.email), "echoes no claim");
}

export async function checks({ server, check }) {
  const base = server.publicUrl;
  const idp = new CustomerIdp();
  const postIdp = new CustomerIdp({ entityId: "https://post-only.customer.test/saml", binding: "post" });

  // The owner's organization on a plan with SSO.
  const owner = await check("fixture: an owner and an organization on a plan with sso", async () => {
    const signup = await server.expectApi(201, "POST", "/api/v1/auth/signup",
      { body: { email: "owner@vendor.test", password: kPassword, name: "Owner" } });
    const token = signup.session_token;
    const org = await server.expectApi(201, "POST", "/api/v1/organizations",
      { token, body: { name: "Customer Corp", slug: "customer-corp" } });
    const plan = await server.api("PUT", `/api/v1/organizations/${org.id}/plan`,
      { token, body: { plan: "enterprise" } });
    assert.ok([200, 204].includes(plan.status), `PUT plan: ${plan.status} ${JSON.stringify(plan.body)}`);
    return { token, org };
  });
  const orgPath = () => `/api/v1/organizations/${need(owner, "the fixture").org.id}`;

  await check("bad IdP metadata is refused with 422 naming metadata_xml", async () => {
    const { token } = need(owner, "the fixture");
    for (const metadata of ["<not-metadata/>", "not xml at all",
                            `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${idp.metadata()}`,
                            idp.metadata().replace(/<(\w+:)?KeyDescriptor[\s\S]*<\/(\w+:)?KeyDescriptor>/, "")]) {
      const r = await server.api("POST", `${orgPath()}/sso-connections`,
        { token, body: { type: "saml", metadata_xml: metadata } });
      assert.equal(r.status, 422, `${metadata.slice(0, 60)}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.deepEqual((r.body.errors ?? []).map((e) => e.field), ["metadata_xml"]);
    }
  });

  // The connection: the IdP's metadata as its admin exports it; a group mapped to admin.
  const connection = await check("a SAML connection from the IdP's metadata", async () => {
    const { token, org } = need(owner, "the fixture");
    const c = await server.expectApi(201, "POST", `${orgPath()}/sso-connections`, {
      token,
      body: { type: "saml", name: "Customer IdP", metadata_xml: idp.metadata(),
              group_role_mappings: [{ group: "bulkhead-admins", role: "admin" }] },
    });
    assert.equal(c.type, "saml");
    assert.equal(c.default_role, "member");
    assert.equal(c.saml.idp_entity_id, idp.entityId);
    assert.equal(c.saml.sso_url, idp.ssoUrl);
    assert.equal(c.saml.sp_entity_id, `${base}/sso/saml/${c.id}`);
    assert.equal(c.saml.acs_url, `${base}/sso/saml/${c.id}/acs`);
    assert.equal(c.saml.sp_metadata_url,
                 `${base}/api/v1/organizations/${org.id}/sso-connections/${c.id}/saml/metadata`);
    // The fingerprint of the certificate in the metadata, computed here by Node.
    const der = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(idp.metadata())[1];
    const fingerprint = crypto.createHash("sha256").update(Buffer.from(der, "base64")).digest("hex");
    assert.deepEqual(c.saml.certificate_fingerprints, [fingerprint]);
    return c;
  });

  // samlify's view of our SP, from the metadata URL the IdP admin is given (no credentials).
  const sp = await check("the SP metadata is public and samlify reads it", async () => {
    const c = need(connection, "the connection");
    const r = await fetch(c.saml.sp_metadata_url);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type"), /^application\/samlmetadata\+xml/);
    const s = idp.serviceProvider(await r.text());
    assert.equal(s.entityMeta.getEntityID(), c.saml.sp_entity_id);
    assert.equal(s.entityMeta.getAssertionConsumerService("post"), c.saml.acs_url);
    assert.equal(s.entityMeta.isWantAssertionsSigned(), true);
    return s;
  });

  // One browser sign-in: our start URL, the AuthnRequest read by samlify, its signed answer
  // (changed by `mutate` when given) posted to our ACS.
  async function start(c, idpOf = idp, spOf = sp, returnTo = "/console/") {
    const r = await fetch(`${base}/sso/saml/${c.id}/start?return_to=${encodeURIComponent(returnTo)}`,
                          { redirect: "manual" });
    if (r.status === 303) return idpOf.readRedirect(spOf, r.headers.get("location"));
    const html = await r.text();
    assert.equal(r.status, 200, `start: ${r.status} ${html.slice(0, 300)}`);
    const field = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
    return { ...(await idpOf.readPost(spOf, { SAMLRequest: field("SAMLRequest"),
                                              RelayState: field("RelayState") })),
             action, html, csp: r.headers.get("content-security-policy") };
  }
  async function postAcs(c, samlResponse, relayState) {
    const r = await fetch(`${base}/sso/saml/${c.id}/acs`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
    });
    return { status: r.status, location: r.headers.get("location"), cookie: sessionCookie(r),
             contentType: r.headers.get("content-type") ?? "", text: await r.text() };
  }
  async function signIn(user, { tweak, mutate, c = need(connection, "the connection"),
                                idpOf = idp, spOf = need(sp, "the SP metadata") } = {}) {
    const begun = await start(c, idpOf, spOf);
    let samlResponse = await idpOf.respond(spOf, begun.info, user, tweak);
    if (mutate) samlResponse = encode(mutate(decode(samlResponse)));
    return { ...(await postAcs(c, samlResponse, begun.relayState)), samlResponse, begun };
  }
  // The caller's memberships, with the session cookie a sign-in set.
  async function organizationsOf(cookie) {
    const r = await fetch(`${base}/api/v1/user/organizations`,
                          { headers: { cookie: `bulkhead_session=${cookie}` } });
    assert.equal(r.status, 200, "the session works");
    return (await r.json()).data;
  }
  async function members() {
    const { token } = need(owner, "the fixture");
    return (await server.expectApi(200, "GET", `${orgPath()}/members?limit=200`, { token })).data;
  }

  await check("the AuthnRequest: HTTP-Redirect, our ids, read by samlify", async () => {
    const c = need(connection, "the connection");
    const begun = await start(c);
    assert.match(begun.request.id, /^_[0-9a-f]{32}$/);
    assert.equal(begun.issuer, c.saml.sp_entity_id);
    assert.equal(begun.request.assertionConsumerServiceUrl, c.saml.acs_url);
    assert.equal(begun.request.destination, idp.ssoUrl);
    assert.ok(begun.relayState && begun.relayState.length >= 16, "a RelayState");
  });

  await check("JIT sign-in: a new user becomes a member with the default role, the session works",
    async () => {
      const user = { email: "ada@customer.test", name: "Ada Lovelace" };
      const r = await signIn(user);
      assert.equal(r.status, 303, r.text.slice(0, 500));
      assert.equal(r.location, "/console/");
      assert.ok(r.cookie, "a session cookie");
      const me = await fetch(`${base}/api/v1/user`, { headers: { cookie: `bulkhead_session=${r.cookie}` } });
      const body = await me.json();
      assert.equal(body.email ?? body.user?.email, user.email);
      const orgs = await organizationsOf(r.cookie);
      const mine = orgs.find((o) => o.organization.id === owner.org.id);
      assert.equal(mine?.role, "member");
      assert.ok((await members()).some((m) => m.user.email === user.email && m.role === "member"));
    });

  await check("a group attribute mapped to a role: admin", async () => {
    const user = { email: "grace@customer.test", name: "Grace Hopper", groups: ["staff", "bulkhead-admins"] };
    const r = await signIn(user);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const mine = (await organizationsOf(r.cookie)).find((o) => o.organization.id === owner.org.id);
    assert.equal(mine?.role, "admin");
  });

  await check("the HTTP-POST binding for an IdP without HTTP-Redirect", async () => {
    const { token } = need(owner, "the fixture");
    const c = await server.expectApi(201, "POST", `${orgPath()}/sso-connections`,
      { token, body: { type: "saml", metadata_xml: postIdp.metadata() } });
    assert.equal(c.saml.sso_url, `${postIdp.ssoUrl}/post`);
    const spPost = postIdp.serviceProvider(await (await fetch(c.saml.sp_metadata_url)).text());
    const begun = await start(c, postIdp, spPost);
    assert.equal(begun.action, `${postIdp.ssoUrl}/post`);
    // The page's one script is allowed by its hash, computed here.
    const script = /<script>([^<]*)<\/script>/.exec(begun.html)[1];
    const hash = crypto.createHash("sha256").update(script).digest("base64");
    assert.ok(begun.csp.includes(`script-src 'sha256-${hash}'`), begun.csp);
    assert.equal(begun.issuer, c.saml.sp_entity_id);
    const user = { email: "post@customer.test" };
    const samlResponse = await postIdp.respond(spPost, begun.info, user);
    const r = await postAcs(c, samlResponse, begun.relayState);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.ok(r.cookie);
  });

  const victim = { email: "victim@customer.test", name: "Victim", groups: ["staff"] };

  await check("refused: an attribute changed after signing (tampered)", async () => {
    const r = await signIn(victim, {
      mutate: (xml) => {
        const changed = xml.replace(">staff</saml:AttributeValue>", ">bulkhead-admins</saml:AttributeValue>");
        assert.notEqual(changed, xml);
        return changed;
      },
    });
    assertRefused(r, "signature", victim);
  });

  await check("refused: an expired assertion", async () => {
    const r = await signIn(victim, { tweak: { shiftMs: -20 * 60_000 } });
    assertRefused(r, "expired", victim);
  });

  await check("refused: an assertion for another service provider (audience)", async () => {
    const r = await signIn(victim, { tweak: { audience: "https://another-sp.example/saml" } });
    assertRefused(r, "audience", victim);
  });

  await check("refused: an assertion for another ACS (recipient)", async () => {
    const r = await signIn(victim, { tweak: { recipient: "https://another-sp.example/acs" } });
    assertRefused(r, "recipient", victim);
  });

  await check("refused: the same SAMLResponse posted twice (replay)", async () => {
    const user = { email: "once@customer.test" };
    const first = await signIn(user);
    assert.equal(first.status, 303, first.text.slice(0, 500));
    // Again with the same RelayState: the pending sign-in is used up.
    const again = await postAcs(connection, first.samlResponse, first.begun.relayState);
    assert.equal(again.cookie, "");
    assert.ok(again.status === 400 || again.status === 403, `replay: ${again.status}`);
    // Again under a new sign-in of the same connection: it answers another request.
    const fresh = await start(connection);
    const replayed = await postAcs(connection, first.samlResponse, fresh.relayState);
    assertRefused(replayed, "in_response_to", user);
  });

  // Wrapping, built from a valid signed response: the signed assertion stays byte for byte,
  // and a forged one (another subject, no signature) is put where a careless SP would read it.
  function forgedFrom(signedAssertion) {
    return signedAssertion
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace(/ID="[^"]*"/, `ID="_forged${crypto.randomBytes(8).toString("hex")}"`)
      .replaceAll(victim.email, "mallory@customer.test")
      .replace(">staff<", ">bulkhead-admins<");
  }
  const assertionOf = (xml) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)[0];

  await check("refused: a forged assertion before the signed one (wrapping)", async () => {
    const r = await signIn(victim, {
      mutate: (xml) => {
        const signed = assertionOf(xml);
        return xml.replace(signed, forgedFrom(signed) + signed);
      },
    });
    assertRefused(r, "assertion", victim);
  });

  await check("refused: the signed assertion moved into Extensions, a forged one in its place",
    async () => {
      const r = await signIn(victim, {
        mutate: (xml) => {
          const signed = assertionOf(xml);
          return xml.replace(signed, forgedFrom(signed))
            .replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
        },
      });
      assertRefused(r, "assertion", victim);
    });

  await check("refused: an unsigned assertion", async () => {
    const r = await signIn(victim, {
      mutate: (xml) => xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ""),
    });
    assertRefused(r, "signature", victim);
  });

  await check("refused sign-ins created nobody", async () => {
    const emails = (await members()).map((m) => m.user.email);
    for (const e of [victim.email, "mallory@customer.test"]) {
      assert.ok(!emails.includes(e), `${e} is not a member`);
    }
  });

  await check("a test sign-in reports the claims and creates nothing", async () => {
    const { token } = need(owner, "the fixture");
    const c = need(connection, "the connection");
    const t = await server.expectApi(201, "POST", `${orgPath()}/sso-connections/${c.id}/test`, { token });
    const url = new URL(t.url, base);
    assert.equal(url.pathname, `/sso/saml/${c.id}/start`);
    const r = await fetch(url, { redirect: "manual" });
    assert.equal(r.status, 303);
    const begun = await idp.readRedirect(sp, r.headers.get("location"));
    const user = { email: "tester@customer.test", name: "Tess Ter", groups: ["qa"] };
    const answer = await postAcs(c, await idp.respond(sp, begun.info, user), begun.relayState);
    assert.equal(answer.status, 200, answer.text.slice(0, 500));
    assert.equal(answer.cookie, "");
    assert.ok(answer.text.includes(user.email), "the page shows the claims");
    const report = await server.expectApi(200, "GET",
      `${orgPath()}/sso-connections/${c.id}/tests/${t.test_id}`, { token });
    assert.equal(report.status, "succeeded");
    assert.equal(report.claims.email, user.email);
    assert.ok(!(await members()).some((m) => m.user.email === user.email), "no membership");
  });

  await check("a refused test sign-in is reported as failed", async () => {
    const { token } = need(owner, "the fixture");
    const c = need(connection, "the connection");
    const t = await server.expectApi(201, "POST", `${orgPath()}/sso-connections/${c.id}/test`, { token });
    const r = await fetch(new URL(t.url, base), { redirect: "manual" });
    const begun = await idp.readRedirect(sp, r.headers.get("location"));
    const answer = await postAcs(c, await idp.respond(sp, begun.info, victim,
                                                      { audience: "https://another-sp.example/" }),
                                 begun.relayState);
    assertRefused(answer, "audience", victim);
    const report = await server.expectApi(200, "GET",
      `${orgPath()}/sso-connections/${c.id}/tests/${t.test_id}`, { token });
    assert.equal(report.status, "failed");
    assert.match(report.error, /audience/);
  });

  await check("an unknown connection and a missing RelayState are refused", async () => {
    const r = await fetch(`${base}/sso/saml/0190a0b0-0000-7000-8000-000000000000/start`,
                          { redirect: "manual" });
    assert.equal(r.status, 404);
    const acs = await postAcs(need(connection, "the connection"), "PHg+PC94Pg==", "nope");
    assert.equal(acs.status, 400);
    assert.equal(acs.cookie, "");
  });
}
