// Create a team: name, a slug derived from it (editable) with live availability, then the
// tab switches to the new organization.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import type { SlugAvailability } from '../api/types';
import { slugAvailability } from '../api/user';
import { ensureOrganization } from '../auth';
import { Link, navigate, useTitle } from '../router';
import { Field } from '../ui/Field';
import { fieldError, ProblemBanner } from '../ui/Problem';

const DEBOUNCE_MS = 300;

/** "Acme Rockets, Inc." → "acme-rockets-inc" (what the server derives too). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function statusText(a: SlugAvailability): string {
  if (a.available) return 'Available';
  if (a.reason === 'taken') return 'Taken';
  if (a.reason === 'reserved') return a.detail ? `Reserved: ${a.detail}` : 'Reserved';
  return a.detail ? `Invalid: ${a.detail}` : 'Invalid';
}

function useAvailability(slug: string): { checking: boolean; result: SlugAvailability | null; problem: Problem | null } {
  const [state, setState] = useState<{ checking: boolean; result: SlugAvailability | null; problem: Problem | null }>({
    checking: false,
    result: null,
    problem: null,
  });
  useEffect(() => {
    if (!slug || slug.length > 100) {
      setState({ checking: false, result: null, problem: null });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, checking: true }));
    const timer = setTimeout(() => {
      slugAvailability(slug)
        .then((result) => live && setState({ checking: false, result, problem: null }))
        .catch((e) => live && setState({ checking: false, result: null, problem: problemOf(e) }));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [slug]);
  return state;
}

export function NewOrganizationScreen() {
  useTitle('Create a team');
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const availability = useAvailability(slug);
  const current = availability.result?.slug === slug ? availability.result : null;

  const onName = (value: string) => {
    setName(value);
    if (!slugEdited) setSlug(slugify(value));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const org = await unwrap(api.POST('/api/v1/organizations', { body: { name: name.trim(), ...(slug ? { slug } : {}) } }));
      await ensureOrganization(org.slug);
      navigate(`/console/o/${encodeURIComponent(org.slug)}`);
    } catch (err) {
      setProblem(problemOf(err));
      setBusy(false);
    }
  };

  const status = !slug || availability.problem ? '' : availability.checking || !current ? 'Checking…' : statusText(current);

  return (
    <section class="narrow">
      <h1>Create a team</h1>
      <p class="muted">
        A team organization has members with roles, workspaces and its own address. You become its owner.
      </p>
      <form onSubmit={submit} class="card" noValidate>
        <Field label="Name" error={fieldError(problem, 'name')}>
          <input value={name} required maxLength={200} autoComplete="organization" onInput={(e) => onName(e.currentTarget.value)} />
        </Field>
        <Field
          label="Slug"
          error={fieldError(problem, 'slug')}
          hint={
            <>
              Lowercase letters, digits and dashes: the organization's address, as in <code>/console/o/{slug || 'your-team'}</code> and
              its subdomain.
            </>
          }
        >
          <input
            value={slug}
            maxLength={100}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => {
              setSlugEdited(true);
              setSlug(e.currentTarget.value.trim().toLowerCase());
            }}
          />
        </Field>
        <p role="status" class={current ? (current.available ? 'status-ok' : 'status-bad') : 'muted'}>
          {status}
        </p>
        <ProblemBanner problem={availability.problem ?? problem} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !name.trim() || (current !== null && !current.available)}>
            Create organization
          </button>
          <Link href="/console/">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
