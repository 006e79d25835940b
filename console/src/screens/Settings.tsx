// Settings: rename, change the slug (the subdomain changes with it), the billing contact
// (owners), and deleting the organization (owners, typed confirmation; never a personal one).
import { useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import { switchToPersonal } from '../api/user';
import { ensureOrganization } from '../auth';
import { useOrg } from '../org';
import { navigate, useTitle } from '../router';
import { ConfirmDelete } from '../ui/ConfirmDelete';
import { Field } from '../ui/Field';
import { fieldError, ProblemBanner } from '../ui/Problem';

export function SettingsScreen() {
  const { slug, organization, can, reload } = useOrg();
  const org = organization!;
  useTitle(`Settings · ${org.name}`);
  const editable = can('organization:update');
  const owner = can('billing:manage');
  const [name, setName] = useState(org.name);
  const [newSlug, setNewSlug] = useState(org.slug);
  const [billing, setBilling] = useState(org.billing_email ?? '');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const subdomain = org.domains.find((d) => d.kind === 'subdomain')?.hostname;
  const slugChanges = newSlug.trim() !== org.slug;

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: { name?: string; slug?: string; billing_email?: string | null } = {};
    if (name.trim() !== org.name) body.name = name.trim();
    if (slugChanges) body.slug = newSlug.trim();
    if (owner && billing.trim() !== (org.billing_email ?? '')) body.billing_email = billing.trim() || null;
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    setBusy(true);
    setSaved(false);
    setProblem(null);
    try {
      const updated = await unwrap(api.PATCH('/api/v1/organizations/{org}', { params: { path: { org: org.id } }, body }));
      setSaved(true);
      if (updated.slug !== slug) {
        await ensureOrganization(updated.slug);
        navigate(`/console/o/${encodeURIComponent(updated.slug)}/settings`, { replace: true });
      } else reload();
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    await unwrap(api.DELETE('/api/v1/organizations/{org}', { params: { path: { org: org.id } }, body: { confirm: org.slug } }));
    await switchToPersonal().catch(() => {});
    navigate('/console/');
  };

  return (
    <>
      <h1>Settings</h1>
      <form class="card narrow" onSubmit={submit} noValidate>
        <h2>Organization</h2>
        {!editable && <p class="muted">Only admins and owners change these settings.</p>}
        <Field label="Name" error={fieldError(problem, 'name')}>
          <input value={name} maxLength={200} readOnly={!editable} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field
          label="Slug"
          error={fieldError(problem, 'slug')}
          hint={subdomain ? <>The organization's subdomain is <code>{subdomain}</code>.</> : 'The organization’s address and subdomain.'}
        >
          <input
            value={newSlug}
            maxLength={63}
            readOnly={!editable}
            spellcheck={false}
            autoComplete="off"
            onInput={(e) => setNewSlug(e.currentTarget.value.trim().toLowerCase())}
          />
        </Field>
        {slugChanges && (
          <p class="warning">
            Changing the slug changes the organization's subdomain{subdomain ? <> (now <code>{subdomain}</code>)</> : null} and its console
            address. Links, bookmarks and sign-in pages that use the old one stop working.
          </p>
        )}
        {owner && (
          <Field label="Billing contact email" error={fieldError(problem, 'billing_email')} hint="Who receives invoices and plan notices. Leave empty for none.">
            <input type="email" value={billing} autoComplete="email" onInput={(e) => setBilling(e.currentTarget.value)} />
          </Field>
        )}
        <ProblemBanner problem={problem} />
        {editable && (
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            {saved && !problem && (
              <span role="status" class="success">
                Saved
              </span>
            )}
          </div>
        )}
      </form>
      <section class="card narrow danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete organization</h2>
        {org.type === 'personal' ? (
          <p>A personal organization cannot be deleted: it belongs to your account and goes only when the account does.</p>
        ) : can('organization:delete') ? (
          <>
            <p>Deleting removes its workspaces, resources, secrets, domains, API keys and memberships for good.</p>
            <ConfirmDelete
              what="organization"
              confirmText={org.slug}
              onConfirm={remove}
              consequences={`${org.name}, its workspaces, resources, secrets, domains, API keys and memberships are deleted for good.`}
            />
          </>
        ) : (
          <p class="muted">Only an owner can delete the organization.</p>
        )}
      </section>
    </>
  );
}
