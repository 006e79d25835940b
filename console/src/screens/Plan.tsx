// The organization's plan: what it includes, each limit against what is used, requests and
// writes per day, and for owners the plan and the billing contact.
import { api, unwrap } from '../api/client';
import { useOrg } from '../org';
import { ProblemBanner } from '../ui/Problem';
import { useLoad } from './lib';
import { Billing } from './plan/Billing';
import { Limits, type Counts } from './plan/Limits';
import { UsageCharts } from './plan/UsageCharts';
import './screens.css';

// Features Bulkhead itself gates, described for people.
const KNOWN_FEATURES: Record<string, string> = {
  custom_domains: 'Custom domains',
  audit_log: 'Audit log',
  sso: 'Single sign-on',
};

export function PlanScreen() {
  const { slug, organization, can, reload } = useOrg();
  const admin = can('usage:read');
  const features = useLoad(
    () => unwrap(api.GET('/api/v1/organizations/{org}/features', { params: { path: { org: slug } } })),
    [slug],
  );
  const usage = useLoad(
    () => (admin ? unwrap(api.GET('/api/v1/organizations/{org}/usage', { params: { path: { org: slug } } })) : undefined),
    [slug, admin],
  );
  const keys = useLoad(
    () =>
      can('organization:update')
        ? unwrap(api.GET('/api/v1/organizations/{org}/api-keys', { params: { path: { org: slug }, query: { limit: 200 } } }))
        : undefined,
    [slug, can('organization:update')],
  );

  const f = features.data;
  const today = usage.data?.data[usage.data.data.length - 1];
  const counts: Counts = {
    max_members: today?.members,
    max_workspaces: today?.workspaces,
    max_resources: today?.resources,
    max_custom_domains: organization?.domains.filter((d) => d.kind === 'custom').length,
    max_api_keys: keys.data ? keys.data.data.length : undefined,
  };
  const moreKeys = Boolean(keys.data?.next_cursor);
  const extra = (f?.features ?? []).filter((x) => !(x in KNOWN_FEATURES));

  return (
    <section class="c2-screen">
      <h1>Plan and usage</h1>
      <ProblemBanner problem={features.problem ?? usage.problem ?? keys.problem} />
      {!f ? (
        features.loading && <p role="status">Loading the plan…</p>
      ) : (
        <>
          <section class="card" aria-labelledby="plan-title">
            <h2 id="plan-title">
              Plan: <span class="c2-plan">{f.plan}</span>
            </h2>
            <ul class="c2-features">
              {Object.entries(KNOWN_FEATURES).map(([id, label]) => {
                const on = f.features.includes(id);
                return (
                  <li key={id} class={on ? 'c2-ok' : 'c2-off'}>
                    <span aria-hidden="true">{on ? '✓' : '✗'}</span> {label}: {on ? 'included' : 'not included'}
                    {f.overrides.features.includes(id) ? ' (granted by the operator)' : ''}
                  </li>
                );
              })}
              {extra.map((x) => (
                <li key={x} class="c2-ok">
                  <span aria-hidden="true">✓</span> <code>{x}</code> (your application's flag)
                </li>
              ))}
            </ul>
          </section>
          <Limits limits={f.limits} overrides={f.overrides.limits} counts={counts} moreKeys={moreKeys} showCounts={admin} />
        </>
      )}
      {admin ? (
        usage.data && <UsageCharts usage={usage.data} />
      ) : (
        <p class="muted">Admins and owners see the organization's usage.</p>
      )}
      {organization && (
        <Billing
          organization={organization}
          owner={can('billing:manage')}
          onChanged={() => {
            reload();
            features.reload();
          }}
        />
      )}
    </section>
  );
}
