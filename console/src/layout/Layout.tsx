// The frame of every signed-in screen: header (brand, organization switcher, Sign out), the
// organization's navigation, and <main>.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
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

export function Layout({ children }: { children: ComponentChildren }) {
  useTokenChanges();
  const route = useRoute();
  useFocusOnNavigation(route.path);
  const org = useOptionalOrg();
  const slug = route.slug ?? tokenOrganization()?.slug;
  const user = currentUser();
  const screen = route.slug ? route.screen ?? 'workspaces' : undefined;

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
        <Switcher currentSlug={slug} currentName={org?.organization?.name} />
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
