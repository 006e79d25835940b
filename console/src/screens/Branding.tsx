// How the organization's hosted sign-in pages look: display name, logo and primary colour
// (settings.branding), with a live preview. Admins and owners change it.
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useOrg } from '../org';
import { Field } from '../ui/Field';
import { ProblemBanner, fieldError } from '../ui/Problem';
import { DEFAULT_COLOUR, SignInPreview, isHexColour } from './branding/Preview';
import { asProblem } from './lib';
import './screens.css';

type Organization = components['schemas']['Organization'];

export function BrandingScreen() {
  const { organization, can, reload } = useOrg();
  return (
    <section class="c2-screen">
      <h1>Branding</h1>
      <p class="muted">
        People see this on the hosted sign-in and sign-up pages at your organization's address.
      </p>
      {organization ? (
        <BrandingForm
          organization={organization}
          editable={can('organization:update')}
          onSaved={reload}
        />
      ) : (
        <p role="status">Loading…</p>
      )}
    </section>
  );
}

const F = 'settings.branding.';

function BrandingForm(props: { organization: Organization; editable: boolean; onSaved: () => void }) {
  const { organization: org, editable } = props;
  const b = org.settings.branding;
  const [displayName, setDisplayName] = useState(b.display_name ?? '');
  const [logoUrl, setLogoUrl] = useState(b.logo_url ?? '');
  const [colour, setColour] = useState(b.primary_color ?? '');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');

  function check(): Problem | null {
    const errors: { field: string; message: string }[] = [];
    if (displayName.trim().length > 100) errors.push({ field: F + 'display_name', message: 'At most 100 characters.' });
    if (logoUrl.trim() && !/^https:\/\/\S+$/.test(logoUrl.trim()))
      errors.push({ field: F + 'logo_url', message: 'Use an https:// address.' });
    if (colour.trim() && !isHexColour(colour.trim()))
      errors.push({ field: F + 'primary_color', message: 'Write the colour as #rrggbb, e.g. #1f4f8f.' });
    if (errors.length === 0) return null;
    return { type: 'about:blank', title: 'Check the form', status: 422, code: 'validation_failed', errors };
  }

  async function submit(e: Event) {
    e.preventDefault();
    const invalid = check();
    setProblem(invalid);
    setSaved('');
    if (invalid) return;
    setBusy(true);
    try {
      await unwrap(
        api.PATCH('/api/v1/organizations/{org}', {
          params: { path: { org: org.slug } },
          body: {
            settings: {
              branding: {
                display_name: displayName.trim() || null,
                logo_url: logoUrl.trim() || null,
                primary_color: colour.trim().toLowerCase() || null,
              },
            },
          },
        }),
      );
      setSaved('Branding saved.');
      props.onSaved();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  const sub = org.domains.find((d) => d.kind === 'subdomain')?.hostname;
  const port = location.port ? ':' + location.port : '';
  const signIn = sub ? `${location.protocol}//${sub}${port}/login` : `/login?organization=${encodeURIComponent(org.slug)}`;

  return (
    <div class="c2-split">
      <form class="c2-form card" onSubmit={submit} aria-label="Branding">
        {!editable && <p class="muted">Only admins and owners change the branding.</p>}
        <Field label="Display name" error={fieldError(problem, F + 'display_name')}>
          <input type="text" value={displayName} placeholder="Bulkhead" maxLength={100} readOnly={!editable} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </Field>
        <Field label="Logo URL" error={fieldError(problem, F + 'logo_url')}>
          <input type="url" value={logoUrl} placeholder="https://example.com/logo.svg" maxLength={2048} readOnly={!editable} onInput={(e) => setLogoUrl(e.currentTarget.value)} />
        </Field>
        <div class="c2-colour">
          <Field label="Primary colour" error={fieldError(problem, F + 'primary_color')}>
            <input type="text" value={colour} placeholder={DEFAULT_COLOUR} maxLength={7} readOnly={!editable} onInput={(e) => setColour(e.currentTarget.value)} />
          </Field>
          <input
            type="color"
            aria-label="Pick a colour"
            value={isHexColour(colour) ? colour.toLowerCase() : DEFAULT_COLOUR}
            disabled={!editable}
            onInput={(e) => setColour(e.currentTarget.value)}
          />
        </div>
        {editable && (
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save branding
            </button>
            <span role="status">{saved}</span>
          </div>
        )}
        <ProblemBanner problem={problem} />
        <p>
          <a href={signIn} target="_blank" rel="noopener noreferrer">
            Open the sign-in page{sub ? ` at ${sub}` : ''}
          </a>{' '}
          <small class="muted">(shows what is saved)</small>
        </p>
      </form>
      <SignInPreview displayName={displayName} logoUrl={logoUrl} colour={colour} />
    </div>
  );
}
