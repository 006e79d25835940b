// OpenID Connect sign-in for the console: authorization code + PKCE (S256) against the
// server's own provider, as the public client `bulkhead-console`.
//
// Tokens live in sessionStorage, so every browser tab keeps its own organization: a tab whose
// URL names another organization than its token asks for a token of that organization with a
// refresh grant (`organization=<slug>`). Refresh tokens rotate, so refreshes are strictly
// serialized: two at once would present the same token twice and revoke the whole family.

const CLIENT_ID = 'bulkhead-console';
const SCOPE = 'openid profile email offline_access organization';
const TOKENS_KEY = 'bulkhead.tokens';
const PKCE_KEY = 'bulkhead.pkce';
const EARLY_MS = 30_000; // refresh this long before the access token expires

type Discovery = {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
};

export type Claims = {
  sub: string;
  exp?: number;
  email?: string;
  email_verified?: boolean;
  name?: string;
  org_id?: string;
  org_slug?: string;
  org_role?: string;
  permissions?: string[];
  nonce?: string;
};

type Tokens = {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_at: number;
  claims: Claims; // of the access token
  user: Claims; // of the ID token
};

type Pending = { verifier: string; state: string; nonce: string; returnTo: string; plain?: boolean };

type TokenAnswer = {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
};

/** An OAuth error from the token endpoint (`invalid_grant`, …). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    description?: string,
  ) {
    super(description || error);
  }
}

let discovery: Promise<Discovery> | null = null;
// The organization the provider just refused to sign in to: not asked again on this page.
let refused: string | undefined;
const listeners = new Set<() => void>();

function discover(): Promise<Discovery> {
  discovery ??= fetch('/.well-known/openid-configuration').then(async (r) => {
    if (!r.ok) throw new Error(`The sign-in configuration could not be read (HTTP ${r.status}).`);
    return (await r.json()) as Discovery;
  });
  return discovery;
}

/**
 * Resolves when this page is at the issuer's origin. Otherwise moves the page to the same path
 * under the issuer's origin (cookies, redirect URIs and tokens belong to that one) and never
 * resolves.
 */
export async function ensureIssuerOrigin(): Promise<void> {
  const d = await discover();
  const origin = new URL(d.issuer).origin;
  if (origin !== location.origin) {
    location.replace(origin + location.pathname + location.search + location.hash);
    await new Promise(() => {});
  }
}

function consoleUrl(d: Discovery, path: string): string {
  return `${d.issuer.replace(/\/$/, '')}/console${path}`;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(n = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

function decodeJwt(jwt: string | undefined): Claims {
  const part = jwt?.split('.')[1];
  if (!part) return { sub: '' };
  const bin = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
}

function load(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(TOKENS_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

let tokens: Tokens | null = load();

function store(next: Tokens | null): void {
  tokens = next;
  if (next) sessionStorage.setItem(TOKENS_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(TOKENS_KEY);
  for (const l of listeners) l();
}

/** Called whenever the tab's tokens change (sign-in, refresh, switch, sign-out). */
export function onTokens(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signedIn(): boolean {
  return tokens !== null;
}

/** The user, from the ID token (name, email, email_verified as of the last refresh). */
export function currentUser(): Claims | null {
  return tokens ? { ...tokens.user, sub: tokens.claims.sub || tokens.user.sub } : null;
}

/** The organization the tab's token names: its id, slug and the role at issue time. */
export function tokenOrganization(): { id: string; slug: string; role?: string } | null {
  const c = tokens?.claims;
  return c?.org_id && c.org_slug ? { id: c.org_id, slug: c.org_slug, role: c.org_role } : null;
}

/** The slug in a console path `/console/o/<slug>/…`, if any. */
export function slugOfPath(path: string): string | undefined {
  const m = /^\/console\/o\/([^/]+)/.exec(path);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/**
 * Sends the browser to the provider's sign-in (hosted pages: sign in, sign up, pick an
 * organization). Comes back to `returnTo` through /console/callback. Never resolves.
 */
export async function signIn(
  returnTo = location.pathname + location.search,
  organization = slugOfPath(returnTo),
  plain = false,
): Promise<never> {
  const d = await discover();
  const pending: Pending = { verifier: random(48), state: random(), nonce: random(), returnTo, plain };
  sessionStorage.setItem(PKCE_KEY, JSON.stringify(pending));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier));
  const url = new URL(d.authorization_endpoint);
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', CLIENT_ID);
  q.set('redirect_uri', consoleUrl(d, '/callback'));
  q.set('scope', SCOPE);
  q.set('code_challenge', base64url(new Uint8Array(digest)));
  q.set('code_challenge_method', 'S256');
  q.set('state', pending.state);
  q.set('nonce', pending.nonce);
  if (organization) q.set('organization', organization);
  location.assign(url.toString());
  return new Promise<never>(() => {});
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const d = await discover();
  const r = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, client_id: CLIENT_ID }),
  });
  let body: TokenAnswer = {};
  try {
    body = (await r.json()) as TokenAnswer;
  } catch {
    // not JSON: handled below
  }
  if (!r.ok || !body.access_token) {
    throw new OAuthError(body.error ?? 'server_error', body.error_description ?? `HTTP ${r.status}`);
  }
  const claims = decodeJwt(body.access_token);
  const idToken = body.id_token ?? tokens?.id_token;
  return {
    access_token: body.access_token,
    refresh_token: body.refresh_token ?? tokens?.refresh_token,
    id_token: idToken,
    expires_at: Date.now() + (body.expires_in ?? 300) * 1000,
    claims,
    user: decodeJwt(idToken),
  };
}

/**
 * Finishes a sign-in on /console/callback: checks state, redeems the code with the PKCE
 * verifier, checks the ID token's nonce. Returns the path to go back to.
 */
export async function handleCallback(): Promise<string> {
  const q = new URLSearchParams(location.search);
  const raw = sessionStorage.getItem(PKCE_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  sessionStorage.removeItem(PKCE_KEY);
  if (q.get('error')) {
    // An organization in the URL that the user cannot sign in to (unknown, not theirs,
    // suspended): sign in without it; the console then says the organization is not found.
    if (q.get('error') === 'invalid_request' && pending && slugOfPath(pending.returnTo) && !pending.plain) {
      return signIn(pending.returnTo, '', true);
    }
    throw new OAuthError(q.get('error')!, q.get('error_description') ?? undefined);
  }
  if (!pending || q.get('state') !== pending.state) {
    throw new Error('This sign-in answer does not belong to this tab (state mismatch). Sign in again.');
  }
  const d = await discover();
  const next = await tokenRequest({
    grant_type: 'authorization_code',
    code: q.get('code') ?? '',
    redirect_uri: consoleUrl(d, '/callback'),
    code_verifier: pending.verifier,
  });
  if (next.user.nonce !== pending.nonce) throw new Error('The ID token does not answer this sign-in (nonce).');
  if (pending.plain) refused = slugOfPath(pending.returnTo);
  store(next);
  return pending.returnTo.startsWith('/console') ? pending.returnTo : '/console/';
}

// One refresh at a time, in order; equal requests share one flight.
let chain: Promise<unknown> = Promise.resolve();
const inflight = new Map<string, Promise<void>>();

function refresh(organization?: string, force = false): Promise<void> {
  const key = `${organization ?? ''}|${force}`;
  const existing = inflight.get(key);
  if (existing) return existing;
  const started = tokens?.access_token;
  const p = chain.then(async () => {
    const t = tokens;
    if (!t?.refresh_token) throw new OAuthError('invalid_grant', 'No refresh token: sign in again.');
    if (organization) {
      if (t.claims.org_slug === organization || t.claims.org_id === organization) return;
    } else if (t.access_token !== started || (!force && t.expires_at - EARLY_MS > Date.now())) {
      return; // another refresh got here first
    }
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: t.refresh_token };
    if (organization) form.organization = organization;
    store(await tokenRequest(form));
  });
  const done = p.finally(() => inflight.delete(key));
  inflight.set(key, done);
  chain = done.catch(() => {});
  return done;
}

/** The access token for the next request, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string | null> {
  if (!tokens) return null;
  if (tokens.expires_at - EARLY_MS <= Date.now()) await refreshOrSignIn();
  return tokens?.access_token ?? null;
}

/** After a 401: a fresh token (or a new sign-in when the refresh is refused). */
export async function refreshAfter401(): Promise<string | null> {
  if (!tokens) return null;
  await refreshOrSignIn(true);
  return tokens?.access_token ?? null;
}

async function refreshOrSignIn(force = false): Promise<void> {
  try {
    await refresh(undefined, force);
  } catch (e) {
    if (e instanceof OAuthError && e.error === 'invalid_grant') {
      store(null);
      await signIn();
    }
    throw e;
  }
}

/**
 * Makes the tab's token name `slug` (a refresh with organization=<slug> when it names another
 * one). False when the user is not a member of it (or it does not exist): the token is kept.
 */
export async function ensureOrganization(slug: string): Promise<boolean> {
  if (!tokens) await signIn(location.pathname + location.search, slug);
  const c = tokens!.claims;
  if (c.org_slug === slug || c.org_id === slug) {
    if (tokens!.expires_at - EARLY_MS <= Date.now()) await refreshOrSignIn();
    return true;
  }
  if (slug === refused) return false;
  try {
    await refresh(slug);
    return true;
  } catch (e) {
    if (e instanceof OAuthError && e.error === 'invalid_grant') return false;
    throw e;
  }
}

/** Ends the session at the provider (RP-initiated logout) and comes back to /console/. */
export async function signOut(): Promise<void> {
  const d = await discover();
  const idToken = tokens?.id_token;
  store(null);
  sessionStorage.removeItem(PKCE_KEY);
  const end = d.end_session_endpoint ?? `${d.issuer.replace(/\/$/, '')}/oauth2/logout`;
  const url = new URL(end);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', consoleUrl(d, '/'));
  location.assign(url.toString());
}
