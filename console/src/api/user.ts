// The user-scope calls the console makes beyond the typed basics. The organization list's
// `q`/`type`, slug availability and the user's invitations are typed here by hand until the
// schema has them (then these become plain `api.GET` calls).
import { ensureOrganization } from '../auth';
import { api, unwrap } from './client';
import type { Organization, Role, SlugAvailability, UserInvitation } from './types';

type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;
type LooseClient = {
  GET<T>(path: string, init?: { params?: { path?: Record<string, string>; query?: Record<string, unknown> } }): Answer<T>;
  POST<T>(path: string, init?: { params?: { path?: Record<string, string> }; body?: unknown }): Answer<T>;
};
const loose = api as unknown as LooseClient;

export type Page<T> = { data: T[]; next_cursor: string | null };
export type MyOrganization = { organization: Organization; role: Role };

export function myOrganizations(options: { q?: string; type?: 'personal' | 'team'; cursor?: string; limit?: number }) {
  const query: Record<string, unknown> = { limit: options.limit ?? 50 };
  if (options.q) query.q = options.q;
  if (options.type) query.type = options.type;
  if (options.cursor) query.cursor = options.cursor;
  return unwrap(loose.GET<Page<MyOrganization>>('/api/v1/user/organizations', { params: { query } }));
}

export function slugAvailability(slug: string) {
  return unwrap(loose.GET<SlugAvailability>('/api/v1/organization-slugs/{slug}', { params: { path: { slug } } }));
}

export function myInvitations(cursor?: string) {
  const query: Record<string, unknown> = { limit: 50 };
  if (cursor) query.cursor = cursor;
  return unwrap(loose.GET<Page<UserInvitation>>('/api/v1/user/invitations', { params: { query } }));
}

export function acceptMyInvitation(id: string) {
  return unwrap(
    loose.POST<{ organization?: Organization; role: Role }>('/api/v1/user/invitations/{id}/accept', {
      params: { path: { id } },
    }),
  );
}

/**
 * Points the tab's token at the caller's personal organization (after leaving or deleting the
 * one it named). Quietly does nothing when there is none.
 */
export async function switchToPersonal(): Promise<void> {
  const page = await myOrganizations({ type: 'personal', limit: 50 });
  const personal = page.data.find((i) => i.organization.type === 'personal') ?? page.data[0];
  if (personal) await ensureOrganization(personal.organization.slug);
}
