// Who is assigned to a workspace, with which workspace role (workspace admins: this tab is only
// shown to them). Organization owners and admins reach every workspace without an assignment.
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Field } from '../../ui/Field';
import { Pager } from '../../ui/Pager';
import { ProblemBanner, fieldError } from '../../ui/Problem';
import { asProblem, local, useLoad, when } from '../lib';

type WsRole = components['schemas']['WorkspaceMember']['role'];
const ROLES: { id: WsRole; label: string }[] = [
  { id: 'viewer', label: 'Viewer (read)' },
  { id: 'editor', label: 'Editor (write resources and secrets)' },
  { id: 'admin', label: 'Admin (editor, and assign members)' },
];

export function MembersTab({ slug, wsId }: { slug: string; wsId: string }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const path = { org: slug, ws: wsId };
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces/{ws}/members', {
          params: { path, query: { cursor } },
        }),
      ),
    [slug, wsId, cursor],
  );
  const rows = list.data?.data ?? [];

  async function assign(userId: string, role: WsRole, who: string) {
    setProblem(null);
    try {
      await unwrap(
        api.PUT('/api/v1/organizations/{org}/workspaces/{ws}/members/{user_id}', {
          params: { path: { ...path, user_id: userId } },
          body: { role },
        }),
      );
      setNotice(`${who} is now ${role}.`);
      list.reload();
    } catch (err) {
      setProblem(asProblem(err));
    }
  }

  async function unassign(userId: string, who: string) {
    setProblem(null);
    try {
      await unwrap(
        api.DELETE('/api/v1/organizations/{org}/workspaces/{ws}/members/{user_id}', {
          params: { path: { ...path, user_id: userId } },
        }),
      );
      setNotice(`Unassigned ${who}.`);
      list.reload();
    } catch (err) {
      setProblem(asProblem(err));
    }
  }

  return (
    <section aria-labelledby="ws-members-title">
      <h2 id="ws-members-title">Workspace members</h2>
      <p class="muted">
        Organization owners and admins can reach every workspace; assign members here with a
        workspace role.
      </p>
      <AssignForm slug={slug} assigned={new Set(rows.map((m) => m.user.id))} onAssign={assign} />
      <p role="status" class="muted">{notice}</p>
      <ProblemBanner problem={problem ?? list.problem} />
      {list.loading && !list.data ? (
        <p role="status">Loading members…</p>
      ) : rows.length === 0 ? (
        <p>Nobody is assigned to this workspace yet.</p>
      ) : (
        <ul class="c2-cards" aria-label="Assigned members">
          {rows.map((m) => (
            <li key={m.user.id}>
              <h3 class="c2-item-title">{m.user.name}</h3>
              <p class="muted">
                {m.user.email} · assigned {when(m.assigned_at)}
              </p>
              <div class="c2-row-actions">
                <select
                  aria-label={`Workspace role for ${m.user.email}`}
                  value={m.role}
                  onChange={(e) => assign(m.user.id, e.currentTarget.value as WsRole, m.user.email)}
                >
                  {ROLES.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.label}
                    </option>
                  ))}
                </select>
                <button type="button" class="danger" onClick={() => unassign(m.user.id, m.user.email)}>
                  Unassign {m.user.email}
                </button>
              </div>
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

function AssignForm(props: {
  slug: string;
  assigned: Set<string>;
  onAssign: (userId: string, role: WsRole, who: string) => Promise<void>;
}) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<WsRole>('viewer');
  const [problem, setProblem] = useState<Problem | null>(null);
  // The organization's members (one page of 200: enough to pick from; more are reached by paging).
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const members = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/members', {
          params: { path: { org: props.slug }, query: { limit: 200, cursor } },
        }),
      ),
    [props.slug, cursor],
  );
  const choices = (members.data?.data ?? []).filter((m) => !props.assigned.has(m.user.id));

  async function submit(e: Event) {
    e.preventDefault();
    const chosen = choices.find((m) => m.user.id === userId);
    if (!chosen) return setProblem(local('user_id', 'Choose a member to assign.'));
    setProblem(null);
    await props.onAssign(chosen.user.id, role, chosen.user.email);
    setUserId('');
  }

  return (
    <form class="c2-form card" onSubmit={submit} aria-label="Assign a member">
      <Field label="Member" error={fieldError(problem, 'user_id')}>
        <select value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
          <option value="">Choose a member…</option>
          {choices.map((m) => (
            <option key={m.user.id} value={m.user.id}>
              {m.user.name} ({m.user.email}, {m.role})
            </option>
          ))}
        </select>
      </Field>
      {members.data?.next_cursor && (
        <button type="button" class="c2-link" onClick={() => setCursor(members.data?.next_cursor ?? undefined)}>
          More members…
        </button>
      )}
      <Field label="Workspace role">
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as WsRole)}>
          {ROLES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </Field>
      <div class="actions">
        <button type="submit" class="primary">Assign member</button>
      </div>
      <ProblemBanner problem={problem ?? members.problem} />
    </form>
  );
}
