// An organization's own identity provider, as a customer runs it: the npm `oidc-provider`
// (a certified OpenID Provider) on loopback, with its interaction routes implemented here the
// way its documentation describes (Provider#interactionDetails, #interactionFinished, Grant),
// so that a configured account signs in without a browser: the next authorization request
// logs in `idp.nextAccount` and consents to what was asked.
//
// What an attacker on the wire (or a broken IdP) could do is a hook on the token endpoint's
// answer: `idp.tamper = (tokenResponse) => tokenResponse'` rewrites it before it leaves, and
// `idp.sign(header, claims)` signs with the IdP's real keys (to forge a *valid* signature over
// wrong claims, such as another nonce).

import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";

import * as jose from "jose";
import Provider from "oidc-provider";

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class IdentityProvider {
  // clients: [{client_id, client_secret, redirect_uris, id_token_signed_response_alg?}]
  constructor({ clients }) {
    this.clients = clients;
    this.accounts = new Map();  // sub -> claims (email, email_verified, name, groups)
    this.nextAccount = null;    // the sub the next interaction logs in
    this.denyNext = null;       // {error, error_description}: the next login is refused with it
    this.tamper = null;         // (body) => body, applied to token responses
    this.tokenRequests = [];    // {authorization, body} of each token request
    this.interactions = 0;
  }

  async start() {
    const port = await freePort();
    this.issuer = `http://127.0.0.1:${port}`;
    this.keys = {};
    const jwks = [];
    for (const [alg, kid] of [["RS256", "idp-rsa"], ["ES256", "idp-ec"]]) {
      const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use: "sig" };
      this.keys[alg] = { privateKey, kid };
      jwks.push(jwk);
    }
    const accounts = this.accounts;
    this.provider = new Provider(this.issuer, {
      clients: this.clients.map((c) => ({
        grant_types: ["authorization_code"], response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic", ...c,
      })),
      jwks: { keys: jwks },
      cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"],
                groups: ["groups"] },
      scopes: ["openid", "email", "profile", "groups"],
      pkce: { required: () => true },
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600,
             Interaction: 600, Session: 3600 },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(ctx, sub) {
        if (!accounts.has(sub)) return undefined;
        return { accountId: sub, claims: async () => ({ sub, ...accounts.get(sub) }) };
      },
    });
    // The token endpoint's answer, recorded and (when a check asks) rewritten.
    this.provider.use(async (ctx, next) => {
      await next();
      if (ctx.method === "POST" && ctx.path === "/token") {
        this.tokenRequests.push({ authorization: ctx.get("authorization"),
                                  body: ctx.request.body ?? null });
        if (this.tamper && ctx.status === 200 && ctx.body?.id_token) {
          ctx.body = await this.tamper({ ...ctx.body });
        }
      }
    });
    const callback = this.provider.callback();
    this.server = http.createServer((req, res) => {
      if (req.url.startsWith("/interaction/")) {
        this.#interaction(req, res).catch((e) => {
          res.statusCode = 500;
          res.end(`interaction failed: ${e.stack ?? e}`);
        });
      } else {
        callback(req, res);
      }
    });
    await new Promise((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    return this.issuer;
  }

  // oidc-provider's interaction API: the login prompt logs in nextAccount; the consent prompt
  // grants the scopes and claims the request asked for.
  async #interaction(req, res) {
    this.interactions++;
    const details = await this.provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === "login" && this.denyNext) {
      const result = this.denyNext;
      this.denyNext = null;
      await this.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === "login") {
      if (!this.nextAccount || !this.accounts.has(this.nextAccount)) {
        res.statusCode = 400;
        res.end("no account to sign in (idp.nextAccount)");
        return;
      }
      await this.provider.interactionFinished(req, res, { login: { accountId: this.nextAccount } },
                                              { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === "consent") {
      const grant = details.grantId
        ? await this.provider.Grant.find(details.grantId)
        : new this.provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      await this.provider.interactionFinished(req, res, { consent: { grantId } },
                                              { mergeWithLastSubmission: true });
      return;
    }
    res.statusCode = 400;
    res.end(`unexpected prompt ${prompt.name}`);
  }

  // A compact JWS over `claims` with the IdP's own key of `alg` (its published kid).
  async sign(claims, { alg = "RS256", header = {} } = {}) {
    const { privateKey, kid } = this.keys[alg];
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg, kid, typ: "JWT", ...header })
      .sign(privateKey);
  }

  stop() {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

// The claims of a compact JWS (unverified: for the tamper hooks).
export function claimsOf(jws) {
  return JSON.parse(Buffer.from(jws.split(".")[1], "base64url").toString("utf8"));
}
