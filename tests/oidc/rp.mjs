// The relying party: openid-client configurations from discovery, the authorization code flow
// through a Browser, and access-token verification with jose against the JWKS.

import assert from "node:assert/strict";
import * as jose from "jose";
import * as oidc from "openid-client";

// Every response openid-client receives, newest last: what the library does not expose
// (headers such as Cache-Control) is checked here.
export const exchanges = [];

// Every credential the run saw (tokens, codes, secrets): none may appear in the server's logs.
export const secrets = new Set();
function remember(tokens) {
  for (const k of ["access_token", "refresh_token", "id_token"]) {
    if (typeof tokens?.[k] === "string") secrets.add(tokens[k]);
  }
  return tokens;
}

async function recordingFetch(url, options) {
  const response = await fetch(url, options);
  exchanges.push({ url: String(url), method: options?.method ?? "GET", status: response.status,
                   headers: response.headers });
  if (exchanges.length > 200) exchanges.shift();
  return response;
}

export function lastExchange(pathname) {
  for (let i = exchanges.length - 1; i >= 0; i--) {
    if (new URL(exchanges[i].url).pathname === pathname) return exchanges[i];
  }
  return undefined;
}

// A registered client as a relying party sees it: its openid-client configuration (discovered)
// and its redirect URI. `auth`: "basic" or "post" for confidential clients; `secret` overrides
// the registered secret (a wrong one).
export class RelyingParty {
  constructor(issuer, registered, { redirectUri, postLogoutRedirectUri, alg, auth = "basic",
                                    secret } = {}) {
    this.issuer = issuer;
    this.registered = registered;
    this.clientId = registered.client_id;
    this.redirectUri = redirectUri;
    this.postLogoutRedirectUri = postLogoutRedirectUri;
    this.alg = alg;
    this.auth = auth;
    this.secret = secret ?? registered.client_secret ?? null;
  }

  // (Re)discovers: a fresh configuration also has an empty JWKS cache.
  async discover() {
    const metadata = { redirect_uris: [this.redirectUri] };
    if (this.alg) metadata.id_token_signed_response_alg = this.alg;
    let auth = oidc.None();
    if (this.secret !== null) {
      metadata.client_secret = this.secret;
      auth = this.auth === "post" ? oidc.ClientSecretPost(this.secret)
                                  : oidc.ClientSecretBasic(this.secret);
    }
    this.config = await oidc.discovery(new URL(this.issuer), this.clientId, metadata, auth,
                                       { execute: [oidc.allowInsecureRequests], timeout: 15,
                                         [oidc.customFetch]: recordingFetch });
    this.config[oidc.customFetch] = recordingFetch;
    return this;
  }

  // An authorization request's parameters (PKCE S256, state, nonce) and its URL.
  async authorizationRequest({ scope = "openid profile email organization offline_access",
                               pkce = true, ...extra } = {}) {
    const request = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(),
                      nonce: oidc.randomNonce() };
    const params = { redirect_uri: this.redirectUri, scope, state: request.state,
                     nonce: request.nonce, ...extra };
    if (pkce) {
      params.code_challenge = await oidc.calculatePKCECodeChallenge(request.verifier);
      params.code_challenge_method = "S256";
    }
    for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
    request.url = oidc.buildAuthorizationUrl(this.config, params);
    return request;
  }

  // The whole code flow in `browser`: the authorization response URL is exchanged by
  // openid-client, which validates the ID token (signature, iss, aud, exp, iat, nonce).
  async signIn(browser, { credentials, pick, seen = {}, ...extra } = {}) {
    const request = await this.authorizationRequest(extra);
    const callback = await browser.authorize(request.url.href, {
      redirectUri: this.redirectUri, credentials, pick, seen,
    });
    const tokens = await this.exchange(callback, request);
    return { tokens, callback, request, seen };
  }

  // `verifier` null sends none.
  async exchange(callback, request, verifier = request.verifier) {
    const code = callback.searchParams.get("code");
    if (code) secrets.add(code);
    if (verifier) secrets.add(verifier);
    return remember(await oidc.authorizationCodeGrant(this.config, callback, {
      pkceCodeVerifier: verifier, expectedState: request.state, expectedNonce: request.nonce,
      idTokenExpected: true,
    }));
  }

  async refresh(refreshToken, parameters) {
    return remember(await oidc.refreshTokenGrant(this.config, refreshToken, parameters));
  }
}

// A JWKS fetched afresh (no cache shared with other checks).
export function remoteJwks(issuer) {
  return jose.createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`),
                                 { cooldownDuration: 0, timeoutDuration: 15_000 });
}

// RFC 9068 as a resource server checks it: signature against the JWKS, typ at+jwt, iss, aud =
// the client id, a lifetime of at most 10 minutes. Returns {payload, protectedHeader}.
export async function verifyAccessToken(accessToken, { issuer, clientId, jwks }) {
  const verified = await jose.jwtVerify(accessToken, jwks ?? remoteJwks(issuer), {
    issuer, audience: clientId, typ: "at+jwt", requiredClaims: ["exp", "iat", "sub", "jti"],
  });
  const { payload } = verified;
  assert.equal(verified.protectedHeader.typ.toLowerCase().replace(/^application\//, ""), "at+jwt");
  assert.ok(payload.exp - payload.iat > 0 && payload.exp - payload.iat <= 600,
            `exp - iat = ${payload.exp - payload.iat} s, expected (0, 600]`);
  assert.equal(payload.client_id, clientId, "client_id claim");
  return verified;
}

// Awaits `promise`, which must fail as an OAuth error `code` (status when given); the error.
export async function expectOAuthError(promise, code, status) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    let got = e.error ?? e.cause?.error;
    // A 401 with WWW-Authenticate (RFC 6749 5.2, client_secret_basic) surfaces as a challenge
    // error before the body is read: the body still names the OAuth error.
    if (got === undefined && e instanceof oidc.WWWAuthenticateChallengeError) {
      try {
        got = (await e.response.clone().json()).error;
      } catch {
        got = e.cause?.find?.((c) => c.parameters?.error)?.parameters.error;
      }
    }
    if (got !== code) {
      throw new Error(`expected error ${code}, got ${got ?? e.code ?? e.name}: ${e.message}` +
                      (e.cause ? ` ${JSON.stringify(e.cause)}` : ""));
    }
    if (status !== undefined) assert.equal(e.status, status, `HTTP status of ${code}`);
    return e;
  }
  throw new Error(`expected error ${code}, but it succeeded: ${JSON.stringify(value).slice(0, 160)}…`);
}

export const decodeHeader = jose.decodeProtectedHeader;
export const decodeClaims = jose.decodeJwt;
export { oidc, jose };
