// The organization's addresses: its subdomain, and custom domains proven with a DNS TXT record
// (admins and owners, on plans with custom_domains).
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useOrg } from '../org';
import { Link } from '../router';
import { CopyButton } from '../ui/CopyButton';
import { Field } from '../ui/Field';
import { Pager } from '../ui/Pager';
import { ProblemBanner, fieldError } from '../ui/Problem';
import { asProblem, local, orgHref, useLoad, when } from './lib';
import './screens.css';

type Domain = components['schemas']['Domain'];

export function DomainsScreen() {
  const { slug, can } = useOrg();
  const manage = can('organization:update');
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/domains', {
          params: { path: { org: slug }, query: { cursor } },
        }),
      ),
    [slug, cursor],
  );
  const features = useLoad(
    () => unwrap(api.GET('/api/v1/organizations/{org}/features', { params: { path: { org: slug } } })),
    [slug],
  );
  const rows = list.data?.data ?? [];
  const subdomain = rows.find((d) => d.kind === 'subdomain');
  const custom = rows.filter((d) => d.kind === 'custom');
  const hasFeature = features.data?.features.includes('custom_domains') ?? false;

  return (
    <section class="c2-screen">
      <h1>Domains</h1>
      <ProblemBanner problem={list.problem ?? features.problem} />
      {subdomain && (
        <section class="card" aria-labelledby="subdomain-title">
          <h2 id="subdomain-title">Subdomain</h2>
          <p>
            <code>{subdomain.hostname}</code>
          </p>
          <p class="muted">
            Given with the organization's slug; changing the slug in Settings changes it.
          </p>
        </section>
      )}
      <section aria-labelledby="custom-title">
        <h2 id="custom-title">Custom domains</h2>
        {!manage ? (
          <p class="muted">Admins and owners add and verify custom domains.</p>
        ) : features.loading && !features.data ? null : hasFeature ? (
          <AddDomain slug={slug} onAdded={list.reload} />
        ) : features.data ? (
          <p class="notice">
            The {features.data.plan} plan does not include custom domains.{' '}
            {can('billing:manage') ? 'Choose a plan that does on the ' : 'An owner can change plans on the '}
            <Link href={orgHref(slug, 'plan')}>Plan</Link> screen.
          </p>
        ) : null}
        {list.loading && !list.data ? (
          <p role="status">Loading domains…</p>
        ) : custom.length === 0 ? (
          <p>No custom domains yet.</p>
        ) : (
          <ul class="c2-cards">
            {custom.map((d) => (
              <DomainItem key={d.hostname} slug={slug} domain={d} manage={manage} canVerify={hasFeature} onChanged={list.reload} />
            ))}
          </ul>
        )}
        <Pager
          nextCursor={list.data?.next_cursor ?? null}
          onNext={() => setCursor(list.data?.next_cursor ?? undefined)}
          onFirst={() => setCursor(undefined)}
        />
      </section>
    </section>
  );
}

function AddDomain({ slug, onAdded }: { slug: string; onAdded: () => void }) {
  const [hostname, setHostname] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const host = hostname.trim();
    if (!host.includes('.')) return setProblem(local('hostname', 'Enter a hostname such as app.example.com.'));
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST('/api/v1/organizations/{org}/domains', { params: { path: { org: slug } }, body: { hostname: host } }));
      setHostname('');
      onAdded();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="c2-form card" onSubmit={submit} aria-label="Add a custom domain">
      <Field label="Hostname" error={fieldError(problem, 'hostname')}>
        <input type="text" value={hostname} placeholder="app.example.com" maxLength={253} autoComplete="off" onInput={(e) => setHostname(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Add domain
        </button>
      </div>
      <ProblemBanner problem={problem} />
    </form>
  );
}

function DomainItem(props: { slug: string; domain: Domain; manage: boolean; canVerify: boolean; onChanged: () => void }) {
  const { domain: d, manage } = props;
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const path = { org: props.slug, hostname: d.hostname };

  async function act(request: () => Promise<unknown>) {
    setBusy(true);
    setProblem(null);
    try {
      await request();
      props.onChanged();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }
  const verify = () => act(() => unwrap(api.POST('/api/v1/organizations/{org}/domains/{hostname}/verify', { params: { path } })));
  const remove = () => act(() => unwrap(api.DELETE('/api/v1/organizations/{org}/domains/{hostname}', { params: { path } })));

  return (
    <li>
      <h3 class="c2-item-title">{d.hostname}</h3>
      <p>
        <span class={d.verified ? 'c2-badge c2-ok' : 'c2-badge c2-warn'}>{d.verified ? 'Verified' : 'Not verified'}</span>{' '}
        {d.verified ? <small class="muted">since {when(d.verified_at)}</small> : null}
      </p>
      {d.verification && !d.verified && (
        <div class="c2-record">
          <p>Publish this DNS TXT record, then verify:</p>
          <dl>
            <dt>Name</dt>
            <dd>
              <code>{d.verification.name}</code> <CopyButton text={d.verification.name} />
            </dd>
            <dt>Value</dt>
            <dd>
              <code>{d.verification.value}</code> <CopyButton text={d.verification.value} />
            </dd>
          </dl>
        </div>
      )}
      {manage && (
        <div class="actions">
          {!d.verified && props.canVerify && (
            <button type="button" class="primary" disabled={busy} onClick={verify}>
              Verify {d.hostname}
            </button>
          )}
          {!confirming ? (
            <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
              Remove {d.hostname}
            </button>
          ) : (
            <span role="group" aria-label={`Confirm removing ${d.hostname}`}>
              <button type="button" class="danger" disabled={busy} onClick={remove}>
                Yes, remove {d.hostname}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </span>
          )}
        </div>
      )}
      <ProblemBanner problem={problem} />
    </li>
  );
}
