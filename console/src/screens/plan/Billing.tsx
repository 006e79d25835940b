// The plan and the billing contact: the owner's to change (billing:manage).
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Field } from '../../ui/Field';
import { ProblemBanner, fieldError } from '../../ui/Problem';
import { asProblem, local } from '../lib';

type Organization = components['schemas']['Organization'];
const BUILT_IN = ['free', 'team', 'enterprise'];

export function Billing(props: { organization: Organization; owner: boolean; onChanged: () => void }) {
  const { organization: org, owner } = props;
  if (!owner) {
    return (
      <section class="card" aria-labelledby="billing-title">
        <h2 id="billing-title">Billing</h2>
        <p>Billing contact: {org.billing_email ?? 'none set'}</p>
        <p class="muted">Only owners change the plan and the billing contact.</p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="billing-title">
      <h2 id="billing-title">Billing</h2>
      <ChangePlan org={org} onChanged={props.onChanged} />
      <BillingContact org={org} onChanged={props.onChanged} />
    </section>
  );
}

function useSubmit(onChanged: () => void) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  async function run(request: () => Promise<unknown>, message: string) {
    setBusy(true);
    setProblem(null);
    setDone('');
    try {
      await request();
      setDone(message);
      onChanged();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }
  return { problem, setProblem, busy, done, run };
}

function ChangePlan({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  const [plan, setPlan] = useState(org.plan);
  const s = useSubmit(onChanged);
  const choices = BUILT_IN.includes(org.plan) ? BUILT_IN : [org.plan, ...BUILT_IN];

  function submit(e: Event) {
    e.preventDefault();
    const wanted = plan.trim();
    if (!wanted) return s.setProblem(local('plan', 'Name a plan.'));
    if (wanted === org.plan) return s.setProblem(local('plan', `The organization is on ${wanted} already.`));
    void s.run(
      () => unwrap(api.PUT('/api/v1/organizations/{org}/plan', { params: { path: { org: org.slug } }, body: { plan: wanted } })),
      `Moved to ${wanted}.`,
    );
  }

  return (
    <form class="c2-form" onSubmit={submit} aria-label="Change plan">
      <Field
        label="Plan"
        error={fieldError(s.problem, 'plan')}
        hint="Built-in plans: free, team, enterprise; your server may define others. A smaller plan lowers the limits at once."
      >
        <input type="text" list="c2-plans" value={plan} onInput={(e) => setPlan(e.currentTarget.value)} />
      </Field>
      <datalist id="c2-plans">
        {choices.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <div class="actions">
        <button type="submit" class="primary" disabled={s.busy}>
          Change plan
        </button>
        <span role="status">{s.done}</span>
      </div>
      <ProblemBanner problem={s.problem} />
    </form>
  );
}

function BillingContact({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  const [email, setEmail] = useState(org.billing_email ?? '');
  const s = useSubmit(onChanged);

  function submit(e: Event) {
    e.preventDefault();
    const value = email.trim();
    if (value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      return s.setProblem(local('billing_email', 'Enter an email address, or leave it empty to clear it.'));
    }
    void s.run(
      () =>
        unwrap(api.PATCH('/api/v1/organizations/{org}', { params: { path: { org: org.slug } }, body: { billing_email: value || null } })),
      value ? 'Billing contact saved.' : 'Billing contact cleared.',
    );
  }

  return (
    <form class="c2-form" onSubmit={submit} aria-label="Billing contact">
      <Field label="Billing contact email" error={fieldError(s.problem, 'billing_email')}>
        <input type="email" value={email} autoComplete="email" onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        <button type="submit" class="primary" disabled={s.busy}>
          Save billing contact
        </button>
        <span role="status">{s.done}</span>
      </div>
      <ProblemBanner problem={s.problem} />
    </form>
  );
}
