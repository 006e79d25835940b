// The audit log's filters: an action name and a date range (local date and time in the form,
// RFC 3339 UTC to the API).
import { useState } from 'preact/hooks';
import type { Problem } from '../../api/client';
import { Field } from '../../ui/Field';
import { fieldError } from '../../ui/Problem';
import { local } from '../lib';

export type AuditFilter = { action?: string; since?: string; until?: string };

const ACTIONS = [
  'api_key.created',
  'api_key.revoked',
  'domain.added',
  'domain.dropped',
  'domain.removed',
  'domain.verified',
  'invitation.accepted',
  'invitation.created',
  'invitation.revoked',
  'member.added',
  'member.removed',
  'member.role_changed',
  'oauth.grant_refused',
  'oauth.token_issued',
  'oauth.token_revoked',
  'organization.billing_contact_changed',
  'organization.created',
  'organization.key_rotated',
  'organization.override_cleared',
  'organization.override_set',
  'organization.plan_changed',
  'organization.resumed',
  'organization.suspended',
  'organization.updated',
  'resource.created',
  'resource.deleted',
  'resource.updated',
  'secret.created',
  'secret.deleted',
  'secret.revealed',
  'secret.updated',
  'workspace.created',
  'workspace.deleted',
  'workspace.member_assigned',
  'workspace.member_unassigned',
  'workspace.updated',
];

/** "2026-11-24T10:30" (the reader's time) → "2026-11-24T09:30:00Z". */
export function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function AuditFilters(props: { onApply: (f: AuditFilter) => void; serverProblem: Problem | null }) {
  const { onApply } = props;
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);

  const shown = problem ?? props.serverProblem;

  function apply(e: Event) {
    e.preventDefault();
    const from = toRfc3339(since);
    const to = toRfc3339(until);
    if (from && to && from >= to) return setProblem(local('until', 'Until must be after since.'));
    setProblem(null);
    onApply({ action: action.trim() || undefined, since: from, until: to });
  }

  function clear() {
    setAction('');
    setSince('');
    setUntil('');
    setProblem(null);
    onApply({});
  }

  return (
    <form class="c2-filters" onSubmit={apply} aria-label="Filter events">
      <Field label="Action" error={fieldError(shown, 'action')}>
        <input type="text" list="c2-actions" value={action} placeholder="member.added" onInput={(e) => setAction(e.currentTarget.value)} />
      </Field>
      <datalist id="c2-actions">
        {ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <Field label="Since" error={fieldError(shown, 'since')}>
        <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </Field>
      <Field label="Until" error={fieldError(shown, 'until')}>
        <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        <button type="submit">Filter</button>
        <button type="button" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
