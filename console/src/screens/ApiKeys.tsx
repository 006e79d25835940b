// API keys: create (the secret shown once, with Copy), list, revoke. Admins and owners only.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import type { components } from '../api/schema';
import { grantableRoles, type Role } from '../api/types';
import { useOrg } from '../org';
import { useTitle } from '../router';
import { CopyButton } from '../ui/CopyButton';
import { Field } from '../ui/Field';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { fieldError, ProblemBanner } from '../ui/Problem';

type ApiKey = components['schemas']['ApiKey'];

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

function CreateKey({ org, role, onCreated }: { org: string; role: Role | null; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [keyRole, setKeyRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const created = await unwrap(api.POST('/api/v1/organizations/{org}/api-keys', { params: { path: { org } }, body: { name: name.trim(), role: keyRole } }));
      setSecret({ name: created.name, key: created.key ?? '' });
      setName('');
      onCreated();
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="card" onSubmit={submit} noValidate>
        <h2>Create a key</h2>
        <div class="inline">
          <Field label="Key name" error={fieldError(problem, 'name')}>
            <input value={name} required maxLength={100} autoComplete="off" onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Role" error={fieldError(problem, 'role')}>
            <select value={keyRole} onChange={(e) => setKeyRole(e.currentTarget.value as Role)}>
              {grantableRoles(role).map((r) => (
                <option value={r}>{r}</option>
              ))}
            </select>
          </Field>
        </div>
        <p class="hint">A key acts in this organization only, with its role. A member key sees no workspace until one is assigned.</p>
        <ProblemBanner problem={problem} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !name.trim()}>
            Create key
          </button>
        </div>
      </form>
      {secret && (
        <div class="notice" role="status">
          <p>
            The key <strong>{secret.name}</strong> was created. Copy it now: it is not shown again.
          </p>
          <div class="secret">
            <code>{secret.key}</code> <CopyButton text={secret.key} />
          </div>
          <div class="actions">
            <button type="button" onClick={() => setSecret(null)}>
              I have copied it
            </button>
          </div>
        </div>
      )}
    </>
  );
}

export function ApiKeysScreen() {
  const { slug, organization, role, can } = useOrg();
  useTitle(`API keys · ${organization?.name ?? slug}`);
  const allowed = can('organization:update');
  const [cursor, setCursor] = useState<string | undefined>();
  const [page, setPage] = useState<{ data: ApiKey[]; next_cursor: string | null } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!allowed) return;
    unwrap(api.GET('/api/v1/organizations/{org}/api-keys', { params: { path: { org: slug }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }))
      .then((p) => {
        setPage(p);
        setProblem(null);
      })
      .catch((e) => setProblem(problemOf(e)));
  }, [slug, cursor, generation, allowed]);

  const revoke = async (key: ApiKey) => {
    setProblem(null);
    const { error, response } = await api.DELETE('/api/v1/organizations/{org}/api-keys/{id}', { params: { path: { org: slug, id: key.id } } });
    if (!response.ok) setProblem(problemOf(error));
    setGeneration((g) => g + 1);
  };

  if (!allowed) {
    return (
      <>
        <h1>API keys</h1>
        <p class="notice">Only admins and owners of {organization?.name ?? slug} create and revoke API keys.</p>
      </>
    );
  }
  return (
    <>
      <h1>API keys</h1>
      <p class="muted">
        Programs use API keys to call the API for this organization: send one as <code>Authorization: Bearer bk_…</code>.
      </p>
      <CreateKey org={slug} role={role} onCreated={() => setGeneration((g) => g + 1)} />
      <ProblemBanner problem={problem} />
      {!page && !problem && <Loading />}
      {page && page.data.length === 0 && <p class="muted">No API keys yet.</p>}
      {page && page.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>Keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col" class="hide-sm">Starts with</th>
                <th scope="col" class="hide-sm">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <span class="role">{k.role}</span>
                  </td>
                  <td class="hide-sm">
                    <code>{k.prefix}…</code>
                  </td>
                  <td class="hide-sm">{k.last_used_at ? new Date(k.last_used_at).toLocaleString() : 'Never'}</td>
                  <td>
                    {role && RANK[role] >= RANK[k.role] && (
                      <button type="button" class="danger" onClick={() => void revoke(k)}>
                        Revoke <span class="sr-only">{k.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager nextCursor={page?.next_cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
    </>
  );
}
