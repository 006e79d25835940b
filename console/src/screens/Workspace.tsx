// One workspace: its resources, secrets and members (tabs in ?tab=), and for organization
// admins and owners renaming and deleting it. What the caller may do follows the workspace
// role the API reports (`role` on GET …/workspaces/{ws}).
import { api, unwrap } from '../api/client';
import { useOrg } from '../org';
import { Link, useRoute } from '../router';
import { ProblemBanner } from '../ui/Problem';
import { orgHref, useLoad } from './lib';
import { ResourcesTab } from './workspace/Resources';
import { SecretsTab } from './workspace/Secrets';
import { MembersTab } from './workspace/Members';
import { WorkspaceSettings } from './workspace/Settings';
import './screens.css';

type Tab = 'resources' | 'secrets' | 'members';
const TABS: { id: Tab; label: string }[] = [
  { id: 'resources', label: 'Resources' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'members', label: 'Members' },
];

export function WorkspaceScreen({ wsId }: { wsId: string }) {
  const route = useRoute(); // re-renders when ?tab= changes
  const { slug, can } = useOrg();
  const ws = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces/{ws}', {
          params: { path: { org: slug, ws: wsId } },
        }),
      ),
    [slug, wsId],
  );
  // One <h1> element whatever the state, so that the focus the layout gives it stays.
  const head = (
    <>
      <p>
        <Link href={orgHref(slug, 'workspaces')}>All workspaces</Link>
      </p>
      <h1>{ws.data?.name ?? 'Workspace'}</h1>
    </>
  );

  if (!ws.data) {
    return (
      <section class="c2-screen">
        {head}
        {ws.loading ? <p role="status">Loading the workspace…</p> : <ProblemBanner problem={ws.problem} />}
      </section>
    );
  }

  const w = ws.data;
  const role = w.role ?? 'viewer';
  const isAdmin = role === 'admin';
  const canWrite = role === 'editor' || isAdmin;
  const visible = TABS.filter((t) => t.id !== 'members' || isAdmin);
  const asked = route.query.get('tab');
  const tab: Tab = visible.some((t) => t.id === asked) ? (asked as Tab) : 'resources';
  const base = orgHref(slug, `workspaces/${encodeURIComponent(wsId)}`);

  return (
    <section class="c2-screen">
      {head}
      {w.description ? <p>{w.description}</p> : null}
      <p class="muted">
        Your workspace role: <strong>{role}</strong>
        {role === 'viewer' ? ' (read only)' : ''}
      </p>
      <nav aria-label="Workspace sections" class="c2-tabs">
        {visible.map((t) => (
          <Link
            key={t.id}
            href={t.id === 'resources' ? base : `${base}?tab=${t.id}`}
            aria-current={t.id === tab ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'resources' && <ResourcesTab slug={slug} wsId={wsId} canWrite={canWrite} />}
      {tab === 'secrets' && <SecretsTab slug={slug} wsId={wsId} canWrite={canWrite} />}
      {tab === 'members' && isAdmin && <MembersTab slug={slug} wsId={wsId} />}
      {can('workspaces:manage') && (
        <WorkspaceSettings slug={slug} workspace={w} onSaved={ws.reload} />
      )}
    </section>
  );
}
