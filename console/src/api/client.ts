// The console's only way to the API: an openapi-fetch client typed from /openapi.json
// (src/api/schema.d.ts, `npm run generate`). Adds the tab's Bearer token and, on a 401,
// refreshes once and retries the request.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { accessToken, refreshAfter401, tokenOrganization } from '../auth';

/** An RFC 9457 problem as the API sends it. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
};

export const api = createClient<paths>({ baseUrl: '' });

const originals = new WeakMap<Request, Request>();

/**
 * The organization an API path names (`/api/v1/organizations/{org}/…`), if any.
 */
function orgOfPath(url: string): string | undefined {
  const m = /^\/api\/v1\/organizations\/([^/?#]+)/.exec(new URL(url, location.href).pathname);
  return m?.[1] && decodeURIComponent(m[1]);
}

const bearer: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken();
    // A screen that is going away may still ask for its organization after the tab switched to
    // another one: its token would be refused (403), so the request is not sent at all.
    const org = orgOfPath(request.url);
    const current = tokenOrganization();
    if (org && current && org !== current.id && org !== current.slug) {
      throw new Error(`This tab now works in ${current.slug}; a request for ${org} was not sent.`);
    }
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    originals.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const original = originals.get(request);
    originals.delete(request);
    if (response.status !== 401 || !original) return undefined;
    const token = await refreshAfter401();
    if (!token) return undefined;
    const retry = new Request(original);
    retry.headers.set('Authorization', `Bearer ${token}`);
    return fetch(retry);
  },
};

api.use(bearer);

function isProblem(e: unknown): e is Problem {
  return typeof e === 'object' && e !== null && 'title' in e && 'status' in e;
}

/** Any error (a problem body, a network failure, an exception) as a Problem to show. */
export function problemOf(e: unknown): Problem {
  if (isProblem(e)) {
    return { ...e, code: e.code ?? 'error', type: e.type ?? 'about:blank' };
  }
  if (e instanceof TypeError) {
    return { type: 'about:blank', title: 'The server could not be reached', status: 0, code: 'network_error', detail: e.message };
  }
  if (e instanceof Error) return { type: 'about:blank', title: e.message, status: 0, code: 'error' };
  return { type: 'about:blank', title: 'Something went wrong', status: 0, code: 'error' };
}

/**
 * The data of an openapi-fetch answer, or throws its error as a Problem:
 * `const org = await unwrap(api.GET('/api/v1/organizations/{org}', {params: {path: {org}}}))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw problemOf(error ?? { title: `HTTP ${response.status}`, status: response.status });
  return data as T;
}
