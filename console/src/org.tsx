// The organization named in the URL: makes the tab's token name it, reads it, and tells the
// screens what the caller's role may do.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from './api/client';
import type { Organization, Role } from './api/types';
import { ensureOrganization, tokenOrganization } from './auth';
import { navigate } from './router';

/** Minimum role of each permission: mirrors RoleHas/MinimumRole in src/core/role.cpp. */
const MINIMUM: Record<string, Role> = {
  'organization:read': 'member',
  'organization:update': 'admin',
  'members:manage': 'admin',
  'workspaces:manage': 'admin',
  'workspaces:see_all': 'admin',
  'resources:write_all': 'admin',
  'audit_log:read': 'admin',
  'usage:read': 'admin',
  'owners:manage': 'owner',
  'billing:manage': 'owner',
  'organization:delete': 'owner',
};
const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/** Whether `role` has `permission` (unknown permissions: no). */
export function roleHas(role: Role | null | undefined, permission: string): boolean {
  const min = MINIMUM[permission];
  return !!role && !!min && RANK[role] >= RANK[min];
}

export type OrgContextValue = {
  slug: string;
  organization: Organization | null;
  role: Role | null;
  can(permission: string): boolean;
  reload(): void;
};

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; slug: string; organization: Organization; role: Role | null }
  | { kind: 'not-found' }
  | { kind: 'error'; problem: Problem };

const OrgContext = createContext<OrgContextValue | null>(null);

/** The organization in the URL, for screens under /console/o/<slug>/. */
export function useOrg(): OrgContextValue {
  const value = useContext(OrgContext);
  if (!value) throw new Error('useOrg() outside an organization route');
  return value;
}

/** The organization in the URL, or null outside /console/o/<slug>/ (the header uses this). */
export function useOptionalOrg(): OrgContextValue | null {
  return useContext(OrgContext);
}

async function load(slug: string): Promise<State> {
  if (!(await ensureOrganization(slug))) return { kind: 'not-found' };
  // By id: the token's organization may have been renamed since it was issued.
  const fromToken = tokenOrganization();
  const org = fromToken?.id ?? slug;
  const { data, error, response } = await api.GET('/api/v1/organizations/{org}', { params: { path: { org } } });
  if (response.status === 404 || response.status === 403) return { kind: 'not-found' };
  if (error || !data) return { kind: 'error', problem: problemOf(error) };
  const organization = data as Organization;
  if (organization.slug !== slug) {
    // Renamed: the same screen under the new slug.
    const rest = location.pathname.replace(/^\/console\/o\/[^/]+/, '');
    navigate(`/console/o/${encodeURIComponent(organization.slug)}${rest}${location.search}`, { replace: true });
    return { kind: 'loading' };
  }
  const role = organization.role ?? (fromToken?.id === organization.id ? (fromToken.role as Role) : null) ?? null;
  return { kind: 'ready', slug, organization, role };
}

type ProviderProps = {
  slug: string;
  children: ComponentChildren;
  /** Rendered instead of the children while the organization is missing or unreadable. */
  fallback: (state: 'loading' | 'not-found' | Problem) => ComponentChildren;
};

export function OrgProvider({ slug, children, fallback }: ProviderProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    load(slug)
      .then((s) => live && setState(s))
      .catch((e) => live && setState({ kind: 'error', problem: problemOf(e) }));
    return () => {
      live = false;
    };
  }, [slug, generation]);

  useEffect(() => {
    const color = state.kind === 'ready' ? state.organization.settings.branding.primary_color : null;
    const root = document.documentElement.style;
    if (color) root.setProperty('--accent', color);
    else root.removeProperty('--accent');
    return () => root.removeProperty('--accent');
  }, [state]);

  if (state.kind !== 'ready' || state.slug !== slug) {
    // A reload keeps showing the organization it had (no flash); another slug waits for its token.
    return <>{fallback(state.kind === 'error' ? state.problem : state.kind === 'ready' ? 'loading' : state.kind)}</>;
  }
  const { organization, role } = state;
  const value: OrgContextValue = {
    slug,
    organization,
    role,
    can: (permission) => roleHas(role, permission),
    reload,
  };
  return <OrgContext.Provider value={value}>{children}</OrgContext.Provider>;
}

/** Reads an organization by id or slug, throwing its problem. */
export function fetchOrganization(org: string): Promise<Organization> {
  return unwrap(api.GET('/api/v1/organizations/{org}', { params: { path: { org } } })) as Promise<Organization>;
}
