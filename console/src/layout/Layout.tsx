// The frame of every signed-in screen: header (brand, organization switcher, Sign out), the
// organization's navigation, and <main>.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { currentUser, onTokens, signOut, tokenOrganization } from '../auth';
import { useOptionalOrg } from '../org';
import { Link, takeFocusRequest, useRoute } from '../router';
import { Switcher } from './Switcher';
import { VerifyBanner } from './VerifyBanner';

export const SCREENS: [string, string][] = [
  ['workspaces', 'Workspaces'],
  ['members', 'Members'],
  ['domains', 'Domains'],
  ['branding', 'Branding'],
  ['audit-log', 'Audit log'],
  ['api-keys', 'API keys'],
  ['plan', 'Plan'],
  ['settings', 'Settings'],
];

const names = new Map<string, string>();

/** The name of the tab's organization outside its own pages (read once per organization). */
function useTabOrgName(id: string | undefined, skip: boolean): string | undefined {
  const [, setN] = useState(0);
  useEffect(() => {
    if (skip || !id || names.has(id)) return;
    names.set(id, '');
    api
      .GET('/api/v1/organizations/{org}', { params: { path: { org: id } } })
      .then(({ data }) => {
        if (data) names.set(id, data.name);
        setN((n) => n + 1);
      })
      .catch(() => names.delete(id));
  }, [id, skip]);
  return (id && names.get(id)) || undefined;
}

function useTokenChanges(): void {
  const [, setN] = useState(0);
  useEffect(() => onTokens(() => setN((n) => n + 1)), []);
}

/** After a navigation, focus the new screen's heading (once it has rendered). */
function useFocusOnNavigation(path: string): void {
  useEffect(() => {
    if (!takeFocusRequest()) return;
    let tries = 0;
    const attempt = () => {
      const h1 = document.querySelector<HTMLElement>('main h1');
      if (h1) {
        h1.tabIndex = -1;
        h1.focus({ preventScroll: true });
      } else if (++tries < 60) requestAnimationFrame(attempt);
      else document.querySelector<HTMLElement>('main')?.focus();
    };
    requestAnimationFrame(attempt);
  }, [path]);
}

/** `orgMissing`: the URL's organization is not the caller's; the navigation keeps the tab's own. */
export function Layout({ children, orgMissing = false }: { children: ComponentChildren; orgMissing?: boolean }) {
  useTokenChanges();
  const route = useRoute();
  useFocusOnNavigation(route.path);
  const org = useOptionalOrg();
  const tabOrg = tokenOrganization();
  const slug = (orgMissing ? undefined : route.slug) ?? tabOrg?.slug;
  const tabOrgName = useTabOrgName(tabOrg?.id, !!org || (!!route.slug && !orgMissing));
  const user = currentUser();
  const screen = route.slug && !orgMissing ? route.screen ?? 'workspaces' : undefined;

  return (
    <div class="app">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/console/" class="brand">
          <img src="/console/favicon.svg" alt="" width={24} height={24} />
          <span>Bulkhead</span>
        </Link>
        <Switcher currentSlug={slug} currentName={org?.organization?.name ?? (route.slug && !orgMissing ? undefined : tabOrgName)} />
        <span class="spacer" />
        {user && (
          <span class="who" title={user.email}>
            {user.name || user.email}
          </span>
        )}
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <VerifyBanner />
      {slug && (
        <nav aria-label="Organization" class="org-nav">
          <ul>
            {SCREENS.map(([path, label]) => (
              <li key={path}>
                <Link
                  href={`/console/o/${encodeURIComponent(slug)}/${path}`}
                  aria-current={screen === path ? 'page' : undefined}
                >
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
