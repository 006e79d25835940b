// Renaming and deleting a workspace (organization admins and owners).
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { navigate } from '../../router';
import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { Field } from '../../ui/Field';
import { ProblemBanner, fieldError } from '../../ui/Problem';
import { asProblem, local, orgHref } from '../lib';

type Workspace = components['schemas']['Workspace'];

export function WorkspaceSettings(props: { slug: string; workspace: Workspace; onSaved: () => void }) {
  const { slug, workspace, onSaved } = props;
  const [name, setName] = useState(workspace.name);
  const [description, setDescription] = useState(workspace.description ?? '');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const path = { org: slug, ws: workspace.id };

  async function save(e: Event) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setProblem(local('name', 'Enter a name for the workspace.'));
    setBusy(true);
    setProblem(null);
    setSaved('');
    try {
      await unwrap(
        api.PATCH('/api/v1/organizations/{org}/workspaces/{ws}', {
          params: { path },
          body: { name: trimmed, description: description.trim() },
        }),
      );
      setSaved('Saved.');
      onSaved();
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  // A refusal is shown in the confirmation dialog (ConfirmDelete catches it).
  async function remove() {
    await unwrap(api.DELETE('/api/v1/organizations/{org}/workspaces/{ws}', { params: { path } }));
    navigate(orgHref(slug, 'workspaces'));
  }

  return (
    <section class="card" aria-labelledby="ws-settings">
      <h2 id="ws-settings">Workspace settings</h2>
      <form class="c2-form" onSubmit={save}>
        <Field label="Workspace name" error={fieldError(problem, 'name')}>
          <input
            type="text"
            value={name}
            maxLength={100}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field label="Description" error={fieldError(problem, 'description')}>
          <input
            type="text"
            value={description}
            maxLength={1000}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Save workspace
          </button>
          <span role="status">{saved}</span>
        </div>
        <ProblemBanner problem={problem} />
      </form>
      <h3>Delete this workspace</h3>
      <p>Its resources, secrets and member assignments go with it.</p>
      <ConfirmDelete
        what={`workspace ${workspace.name}`}
        confirmText={workspace.name}
        onConfirm={remove}
        consequences="Its resources, secrets and member assignments are deleted with it. This cannot be undone."
      />
    </section>
  );
}
