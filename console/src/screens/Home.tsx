// Home: the caller's organizations (the tab's own with its workspaces), pending invitations
// to accept, and the way to create a team.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import type { UserInvitation } from '../api/types';
import { acceptMyInvitation, myInvitations, myOrganizations, type MyOrganization } from '../api/user';
import { ensureOrganization, tokenOrganization } from '../auth';
import { Link, navigate, useTitle } from '../router';
import { Loading } from '../ui/Loading';
import { ProblemBanner } from '../ui/Problem';

type Workspace = { id: string; name: string };

function orgPath(slug: string, rest = ''): string {
  return `/console/o/${encodeURIComponent(slug)}${rest}`;
}

/** The workspaces of the tab's organization (the only one its token may read). */
function TabWorkspaces({ org }: { org: MyOrganization }) {
  const [items, setItems] = useState<Workspace[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    unwrap(api.GET('/api/v1/organizations/{org}/workspaces', { params: { path: { org: org.organization.id }, query: { limit: 10 } } }))
      .then((page) => setItems(page.data))
      .catch((e) => setProblem(problemOf(e)));
  }, [org.organization.id]);
  if (problem) return <ProblemBanner problem={problem} />;
  if (!items) return null;
  if (items.length === 0) {
    return <p class="muted">{org.role === 'member' ? 'No workspace is assigned to you here yet.' : 'No workspaces yet.'}</p>;
  }
  return (
    <ul class="ws-links" aria-label={`Workspaces in ${org.organization.name}`}>
      {items.map((w) => (
        <li key={w.id}>
          <Link href={orgPath(org.organization.slug, `/workspaces/${encodeURIComponent(w.id)}`)}>{w.name}</Link>
        </li>
      ))}
    </ul>
  );
}

function Organizations() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<MyOrganization[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const tabOrg = tokenOrganization();

  const load = (query: string, cursor?: string) =>
    myOrganizations({ q: query.trim() || undefined, cursor })
      .then((page) => {
        setItems((before) => (cursor && before ? [...before, ...page.data] : page.data));
        setNext(page.next_cursor);
        setProblem(null);
      })
      .catch((e) => setProblem(problemOf(e)));

  useEffect(() => {
    const timer = setTimeout(() => void load(q), q ? 250 : 0);
    return () => clearTimeout(timer);
  }, [q]);

  const needle = q.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (i) => !needle || i.organization.name.toLowerCase().includes(needle) || i.organization.slug.includes(needle),
  );

  return (
    <section aria-labelledby="orgs-heading" class="card">
      <h2 id="orgs-heading" class="sr-only">
        Organizations
      </h2>
      {(items?.length ?? 0) > 10 || q ? (
        <div class="field">
          <label for="find-org">Find an organization</label>
          <input id="find-org" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
      ) : null}
      <ProblemBanner problem={problem} />
      {!items && !problem && <Loading />}
      <ul class="list">
        {shown.map((item) => {
          const o = item.organization;
          const here = tabOrg?.id === o.id;
          return (
            <li key={o.id}>
              <div class="grow">
                <Link href={orgPath(o.slug)} class="org-link">
                  {o.name}
                </Link>{' '}
                <span class="badge">{o.type === 'personal' ? 'Personal' : 'Team'}</span>{' '}
                <span class="role">{item.role}</span>
                {here && <TabWorkspaces org={item} />}
              </div>
              <code>{o.slug}</code>
            </li>
          );
        })}
      </ul>
      {items && shown.length === 0 && <p class="muted">{q ? 'No organization matches.' : 'You belong to no organization yet.'}</p>}
      {next && (
        <button type="button" onClick={() => void load(q, next)}>
          Load more
        </button>
      )}
    </section>
  );
}

function Invitations() {
  const [items, setItems] = useState<UserInvitation[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    myInvitations()
      .then((page) => setItems(page.data))
      .catch((e) => setProblem(problemOf(e)));
  }, []);

  const accept = async (inv: UserInvitation) => {
    setBusy(inv.id);
    setProblem(null);
    try {
      await acceptMyInvitation(inv.id);
      await ensureOrganization(inv.organization.slug);
      navigate(orgPath(inv.organization.slug));
    } catch (e) {
      setProblem(problemOf(e));
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Pending invitations</h2>
      <ProblemBanner problem={problem} />
      {items === null && !problem && <Loading />}
      {items?.length === 0 && (
        <p class="muted">No pending invitations. Invitations to your verified email address show up here.</p>
      )}
      {items && items.length > 0 && (
        <ul class="list card">
          {items.map((inv) => (
            <li key={inv.id}>
              <div class="grow">
                <strong>{inv.organization.name}</strong> invites you as <span class="role">{inv.role}</span>
                <div class="muted">
                  {inv.invited_by ? `From ${inv.invited_by.name}. ` : ''}Expires {new Date(inv.expires_at).toLocaleDateString()}.
                </div>
              </div>
              <button type="button" class="primary" disabled={busy !== null} onClick={() => void accept(inv)}>
                Accept
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function HomeScreen() {
  useTitle('Your organizations');
  return (
    <>
      <div class="title-row">
        <h1>Your organizations</h1>
        <Link href="/console/new" class="button-link">
          Create a team
        </Link>
      </div>
      <Organizations />
      <Invitations />
    </>
  );
}
