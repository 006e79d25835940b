// The organization's audit log (admins and owners, on plans with audit_log): newest first,
// filtered by action and by a date range, with who did what to what.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { useOrg } from '../org';
import { Link } from '../router';
import { Pager } from '../ui/Pager';
import { ProblemBanner } from '../ui/Problem';
import { AuditFilters, type AuditFilter } from './audit/Filters';
import { EventItem } from './audit/EventItem';
import { orgHref, useLoad } from './lib';
import './screens.css';

export function AuditLogScreen() {
  const { slug, can } = useOrg();
  const allowed = can('audit_log:read');
  const features = useLoad(
    () => (allowed ? unwrap(api.GET('/api/v1/organizations/{org}/features', { params: { path: { org: slug } } })) : undefined),
    [slug, allowed],
  );
  const enabled = features.data?.features.includes('audit_log') ?? false;

  let body;
  if (!allowed) {
    body = <p>Only admins and owners can read the audit log.</p>;
  } else if (features.problem) {
    body = <ProblemBanner problem={features.problem} />;
  } else if (!features.data) {
    body = <p role="status">Loading…</p>;
  } else if (!enabled) {
    body = (
      <p class="notice">
        The {features.data.plan} plan does not include the audit log. Every change is still recorded, and
        all of it becomes readable on a plan with the audit log: see the{' '}
        <Link href={orgHref(slug, 'plan')}>Plan</Link> screen.
      </p>
    );
  } else {
    body = <Events slug={slug} />;
  }

  return (
    <section class="c2-screen">
      <h1>Audit log</h1>
      {body}
    </section>
  );
}

function Events({ slug }: { slug: string }) {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(() => {
    const query = { limit: 25, cursor, ...filter };
    return unwrap(api.GET('/api/v1/organizations/{org}/audit-log', { params: { path: { org: slug }, query } }));
  }, [slug, cursor, filter]);
  // People and API keys by id, to name actors and targets (one page of each covers most logs;
  // the audit log is for admins, who may list both).
  const members = useLoad(
    () => unwrap(api.GET('/api/v1/organizations/{org}/members', { params: { path: { org: slug }, query: { limit: 200 } } })),
    [slug],
  );
  const keys = useLoad(
    () => unwrap(api.GET('/api/v1/organizations/{org}/api-keys', { params: { path: { org: slug }, query: { limit: 200 } } })),
    [slug],
  );
  const names = new Map([
    ...(members.data?.data ?? []).map((m): [string, string] => [m.user.id, `${m.user.name} (${m.user.email})`]),
    ...(keys.data?.data ?? []).map((k): [string, string] => [k.id, `${k.name} (${k.prefix}…)`]),
  ]);
  const rows = list.data?.data ?? [];

  return (
    <>
      <AuditFilters
        serverProblem={list.problem}
        onApply={(f) => {
          setFilter(f);
          setCursor(undefined);
        }}
      />
      <ProblemBanner problem={list.problem} />
      {list.loading && !list.data ? (
        <p role="status">Loading events…</p>
      ) : rows.length === 0 ? (
        <p>No events match.</p>
      ) : (
        <ol class="c2-cards" aria-label="Audit events, newest first">
          {rows.map((e) => (
            <EventItem key={e.id} event={e} names={names} />
          ))}
        </ol>
      )}
      <Pager
        key={JSON.stringify(filter)}
        nextCursor={list.data?.next_cursor ?? null}
        onNext={() => setCursor(list.data?.next_cursor ?? undefined)}
        onFirst={() => setCursor(undefined)}
      />
    </>
  );
}
