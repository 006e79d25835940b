// A workspace's secrets: names and metadata for everyone in it; editors set values, reveal
// them (each reveal is written to the audit log) and delete them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { CopyButton } from '../../ui/CopyButton';
import { Field } from '../../ui/Field';
import { Pager } from '../../ui/Pager';
import { ProblemBanner, fieldError } from '../../ui/Problem';
import { asProblem, local, useLoad, when } from '../lib';

type Secret = components['schemas']['Secret'];
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function SecretsTab({ slug, wsId, canWrite }: { slug: string; wsId: string; canWrite: boolean }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [target, setTarget] = useState('');
  const [focusValue, setFocusValue] = useState(0);
  const [notice, setNotice] = useState('');
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces/{ws}/secrets', {
          params: { path: { org: slug, ws: wsId }, query: { cursor } },
        }),
      ),
    [slug, wsId, cursor],
  );
  const rows = list.data?.data ?? [];

  return (
    <section aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <p class="muted">
        Values are encrypted with the organization's key and never listed.
        {canWrite
          ? ' Editors can reveal a value: every reveal is recorded in the audit log under your name.'
          : ' Viewers see names and metadata only; editors can set and reveal values.'}
      </p>
      {canWrite && (
        <SetSecret
          slug={slug}
          wsId={wsId}
          name={target}
          onName={setTarget}
          focusValue={focusValue}
          onSaved={(n) => {
            setNotice(`Saved ${n}.`);
            list.reload();
          }}
        />
      )}
      <p role="status" class="muted">{notice}</p>
      <ProblemBanner problem={list.problem} />
      {list.loading && !list.data ? (
        <p role="status">Loading secrets…</p>
      ) : rows.length === 0 ? (
        <p>No secrets yet.</p>
      ) : (
        <ul class="c2-cards">
          {rows.map((s) => (
            <SecretItem
              key={s.name}
              slug={slug}
              wsId={wsId}
              secret={s}
              canWrite={canWrite}
              onReplace={() => {
                setTarget(s.name);
                setFocusValue((n) => n + 1);
              }}
              onDeleted={() => {
                setNotice(`Deleted ${s.name}.`);
                list.reload();
              }}
            />
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

function SetSecret(props: {
  slug: string;
  wsId: string;
  name: string;
  onName: (n: string) => void;
  onSaved: (n: string) => void;
  focusValue: number;
}) {
  const [value, setValue] = useState('');
  const valueRef = useRef<HTMLTextAreaElement>(null);
  // "New value" on a listed secret brings the keyboard here.
  useEffect(() => {
    if (props.focusValue > 0) valueRef.current?.focus();
  }, [props.focusValue]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const name = props.name.trim();
    if (!NAME.test(name)) return setProblem(local('name', '1-128 of A-Z, a-z, 0-9, _ . and -.'));
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PUT('/api/v1/organizations/{org}/workspaces/{ws}/secrets/{name}', {
          params: { path: { org: props.slug, ws: props.wsId, name } },
          body: { value },
        }),
      );
      setValue('');
      props.onName('');
      props.onSaved(name);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="c2-form card" onSubmit={submit} aria-label="Set a secret">
      <Field label="Secret name" error={fieldError(problem, 'name')}>
        <input type="text" value={props.name} maxLength={128} placeholder="DATABASE_URL" autoComplete="off" onInput={(e) => props.onName(e.currentTarget.value)} />
      </Field>
      <Field label="Secret value" error={fieldError(problem, 'value')}>
        <textarea ref={valueRef} class="c2-code" rows={2} value={value} autoComplete="off" spellcheck={false} onInput={(e) => setValue(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Set secret
        </button>
        <small class="muted">Setting an existing name replaces its value.</small>
      </div>
      <ProblemBanner problem={problem} />
    </form>
  );
}

function SecretItem(props: {
  slug: string;
  wsId: string;
  secret: Secret;
  canWrite: boolean;
  onReplace: () => void;
  onDeleted: () => void;
}) {
  const { secret: s, canWrite } = props;
  const [value, setValue] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const path = { org: props.slug, ws: props.wsId, name: s.name };

  async function reveal() {
    setProblem(null);
    try {
      const got = await unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces/{ws}/secrets/{name}', {
          params: { path, query: { reveal: true } },
        }),
      );
      setValue(got.value ?? '');
    } catch (err) {
      setProblem(asProblem(err));
    }
  }

  async function remove() {
    setProblem(null);
    try {
      await unwrap(api.DELETE('/api/v1/organizations/{org}/workspaces/{ws}/secrets/{name}', { params: { path } }));
      props.onDeleted();
    } catch (err) {
      setProblem(asProblem(err));
      setConfirming(false);
    }
  }

  return (
    <li>
      <h3 class="c2-item-title">
        <code>{s.name}</code>
      </h3>
      <p class="muted">
        Updated {when(s.updated_at)} · created {when(s.created_at)} · key version {s.key_version}
      </p>
      {value !== null && (
        <div class="c2-reveal">
          <code>{value}</code>
          <CopyButton text={value} />
          <button type="button" onClick={() => setValue(null)}>
            Hide
          </button>
        </div>
      )}
      {canWrite && (
        <div class="actions">
          {value === null && (
            <button type="button" onClick={reveal} aria-label={`Reveal ${s.name} (audited)`}>
              Reveal (audited)
            </button>
          )}
          <button type="button" onClick={props.onReplace} aria-label={`Set a new value for ${s.name}`}>
            New value
          </button>
          {!confirming ? (
            <button type="button" class="danger" onClick={() => setConfirming(true)} aria-label={`Delete ${s.name}`}>
              Delete
            </button>
          ) : (
            <span role="group" aria-label={`Confirm deleting ${s.name}`}>
              <button type="button" class="danger" onClick={remove}>
                Yes, delete {s.name}
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
