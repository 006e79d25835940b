// Short names for the schema's objects.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = 'owner' | 'admin' | 'member';
/** An organization; `role` is the caller's (present on single reads and writes). */
export type Organization = Schemas['Organization'] & { role?: Role };
export type User = Schemas['User'];

/** GET /api/v1/user/invitations items. */
export type UserInvitation = {
  id: string;
  organization: { id: string; name: string; slug: string };
  role: Role;
  invited_by: { name: string } | null;
  created_at: string;
  expires_at: string;
};

/** GET /api/v1/organization-slugs/{slug}. */
export type SlugAvailability = {
  slug: string;
  available: boolean;
  reason: null | 'taken' | 'reserved' | 'invalid';
  detail: null | string;
};

export const ROLES: Role[] = ['member', 'admin', 'owner'];

/** The roles `actor` may grant (nobody acts on a role above their own). */
export function grantableRoles(actor: Role | null): Role[] {
  if (!actor) return [];
  return ROLES.slice(0, ROLES.indexOf(actor) + 1);
}
