// The organization's workspaces: the caller sees those they may (admins all, members their
// assigned ones); admins and owners create them.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import type { Problem } from '../api/client';
import { useOrg } from '../org';
import { Link } from '../router';
import { Field } from '../ui/Field';
import { Pager } from '../ui/Pager';
import { ProblemBanner, fieldError } from '../ui/Problem';
import { asProblem, local, orgHref, useLoad, when } from './lib';
import './screens.css';

export function WorkspacesScreen() {
  const { slug, can } = useOrg();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces', {
          params: { path: { org: slug }, query: { cursor } },
        }),
      ),
    [slug, cursor],
  );
  const manage = can('workspaces:manage');
  const rows = list.data?.data ?? [];

  return (
    <section class="c2-screen">
      <h1>Workspaces</h1>
      {manage ? (
        <CreateWorkspace slug={slug} onCreated={list.reload} />
      ) : (
        <p class="muted">
          You see the workspaces you are assigned to. Admins and owners create workspaces and
          assign members.
        </p>
      )}
      <ProblemBanner problem={list.problem} />
      {list.loading && !list.data ? (
        <p role="status">Loading workspaces…</p>
      ) : rows.length === 0 && !list.problem ? (
        <p>{manage ? 'No workspaces yet: create the first above.' : 'You are not assigned to any workspace yet.'}</p>
      ) : (
        <ul class="c2-cards">
          {rows.map((w) => (
            <li key={w.id}>
              <Link href={orgHref(slug, `workspaces/${w.id}`)}>{w.name}</Link>
              {w.description ? <p>{w.description}</p> : null}
              <p class="muted">Created {when(w.created_at)}</p>
            </li>
          ))}
        </ul>
      )}
      <Pager
        nextCursor={list.data?.next_cursor ?? null}
        onNext={() => setCursor(list.data?.next_cursor ?? undefined)}
        onFirst={() => setCursor(undefined)}
      />
    </section>
  );
}

function CreateWorkspace({ slug, onCreated }: { slug: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setProblem(local('name', 'Enter a name for the workspace.'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const ws = await unwrap(
        api.POST('/api/v1/organizations/{org}/workspaces', {
          params: { path: { org: slug } },
          body: description.trim() ? { name: trimmed, description: description.trim() } : { name: trimmed },
        }),
      );
      setName('');
      setDescription('');
      setCreated(ws.name);
      onCreated();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="c2-form" onSubmit={submit} aria-label="Create a workspace">
      <Field label="Workspace name" error={fieldError(problem, 'name')}>
        <input
          type="text"
          value={name}
          maxLength={100}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <Field label="Description (optional)" error={fieldError(problem, 'description')}>
        <input
          type="text"
          value={description}
          maxLength={1000}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create workspace
        </button>
        <span role="status">{created ? `Created ${created}.` : ''}</span>
      </div>
      <ProblemBanner problem={problem} />
    </form>
  );
}
