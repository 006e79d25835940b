// The route table: which screen each /console/ path shows.
import type { ComponentChildren } from 'preact';
import { Layout } from './layout/Layout';
import { OrgProvider } from './org';
import { useRoute, type Route } from './router';
import { Loading } from './ui/Loading';
import { ProblemBanner } from './ui/Problem';
import { AcceptInvitationScreen } from './screens/AcceptInvitation';
import { ApiKeysScreen } from './screens/ApiKeys';
import { AuditLogScreen } from './screens/AuditLog';
import { BrandingScreen } from './screens/Branding';
import { DomainsScreen } from './screens/Domains';
import { HomeScreen } from './screens/Home';
import { MembersScreen } from './screens/Members';
import { NewOrganizationScreen } from './screens/NewOrganization';
import { NotFoundScreen } from './screens/NotFound';
import { PlanScreen } from './screens/Plan';
import { SettingsScreen } from './screens/Settings';
import { WorkspaceScreen } from './screens/Workspace';
import { WorkspacesScreen } from './screens/Workspaces';

const ORG_SCREENS: Record<string, () => ComponentChildren> = {
  workspaces: () => <WorkspacesScreen />,
  members: () => <MembersScreen />,
  domains: () => <DomainsScreen />,
  branding: () => <BrandingScreen />,
  'audit-log': () => <AuditLogScreen />,
  'api-keys': () => <ApiKeysScreen />,
  plan: () => <PlanScreen />,
  settings: () => <SettingsScreen />,
};

function orgScreen(route: Route): ComponentChildren {
  const screen = route.screen ?? 'workspaces';
  if (route.wsId) return screen === 'workspaces' ? <WorkspaceScreen wsId={route.wsId} /> : <NotFoundScreen />;
  return ORG_SCREENS[screen]?.() ?? <NotFoundScreen />;
}

function userScreen(route: Route): ComponentChildren {
  switch (route.path.replace(/\/+$/, '')) {
    case '/console':
      return <HomeScreen />;
    case '/console/new':
      return <NewOrganizationScreen />;
    case '/console/accept-invitation':
      return <AcceptInvitationScreen token={route.query.get('token')} />;
    default:
      return <NotFoundScreen />;
  }
}

export function App() {
  const route = useRoute();
  if (!route.slug) return <Layout>{userScreen(route)}</Layout>;
  return (
    <OrgProvider
      slug={route.slug}
      fallback={(state) => (
        <Layout orgMissing={state !== 'loading'}>
          {state === 'loading' ? (
            <Loading />
          ) : state === 'not-found' ? (
            <NotFoundScreen what="organization" />
          ) : (
            <section>
              <h1>This organization could not be loaded</h1>
              <ProblemBanner problem={state} />
            </section>
          )}
        </Layout>
      )}
    >
      <Layout>{orgScreen(route)}</Layout>
    </OrgProvider>
  );
}
