// Short names for the schema's objects.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = 'owner' | 'admin' | 'member';
/** An organization; `role` is the caller's (present on single reads and writes). */
export type Organization = Schemas['Organization'] & { role?: Role };
export type User = Schemas['User'];

/** GET /api/v1/user/invitations items. */
export type UserInvitation = Schemas['ReceivedInvitation'];
/** GET /api/v1/organization-slugs/{slug}. */
export type SlugAvailability = Schemas['SlugAvailability'];

export const ROLES: Role[] = ['member', 'admin', 'owner'];

/** The roles `actor` may grant (nobody acts on a role above their own). */
export function grantableRoles(actor: Role | null): Role[] {
  if (!actor) return [];
  return ROLES.slice(0, ROLES.indexOf(actor) + 1);
}
