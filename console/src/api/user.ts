// The calls about the signed-in user rather than one organization: their organizations
// (searched and paged), slug availability, the invitations addressed to them.
import { ensureOrganization } from '../auth';
import { api, unwrap } from './client';
import type { components } from './schema';

// `role`: a built-in role or a custom role's key (docs/roles.md).
export type MyOrganization = { organization: components['schemas']['Organization']; role: string };

export function myOrganizations(options: { q?: string; type?: 'personal' | 'team'; cursor?: string; limit?: number }) {
  const query: { limit: number; q?: string; type?: 'personal' | 'team'; cursor?: string } = { limit: options.limit ?? 50 };
  if (options.q) query.q = options.q.slice(0, 100);
  if (options.type) query.type = options.type;
  if (options.cursor) query.cursor = options.cursor;
  return unwrap(api.GET('/api/v1/user/organizations', { params: { query } }));
}

export function slugAvailability(slug: string) {
  return unwrap(api.GET('/api/v1/organization-slugs/{slug}', { params: { path: { slug } } }));
}

export function myInvitations(cursor?: string) {
  return unwrap(api.GET('/api/v1/user/invitations', { params: { query: cursor ? { limit: 50, cursor } : { limit: 50 } } }));
}

export function acceptMyInvitation(id: string) {
  return unwrap(api.POST('/api/v1/user/invitations/{id}/accept', { params: { path: { id } } }));
}

/**
 * Points the tab's token at the caller's personal organization (after leaving or deleting the
 * one it named). Quietly does nothing when there is none.
 */
export async function switchToPersonal(): Promise<void> {
  const page = await myOrganizations({ type: 'personal', limit: 1 });
  const personal = page.data[0];
  if (personal) await ensureOrganization(personal.organization.slug);
}
