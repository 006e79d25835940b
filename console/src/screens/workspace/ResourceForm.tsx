// Creating or editing one resource: kind, name, labels (key=value lines) and its JSON spec.
// Viewers get the same form read only. The API's validation errors go beside the fields they
// name (kind, name, labels.<key>, spec).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Field } from '../../ui/Field';
import { JsonEditor, parseJsonObject } from '../../ui/JsonEditor';
import { ProblemBanner } from '../../ui/Problem';
import { asProblem, errorsUnder, local } from '../lib';

export type Resource = components['schemas']['Resource'];

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,62}$/;

/** "env=prod\nteam=core" → {env: "prod", team: "core"}, or the first line that is not key=value. */
export function parseLabels(text: string): { labels?: Record<string, string>; error?: string } {
  const labels: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `Line ${i + 1}: write each label as key=value.` };
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key)) {
      return { error: `Line ${i + 1}: a key is 1-63 of letters, digits, . _ / - and starts with a letter or digit.` };
    }
    if (new TextEncoder().encode(value).length > 255) return { error: `Line ${i + 1}: a value is at most 255 bytes.` };
    labels[key] = value;
  }
  if (Object.keys(labels).length > 64) return { error: 'At most 64 labels.' };
  return { labels };
}

export function labelsText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function ResourceForm(props: {
  slug: string;
  wsId: string;
  resource?: Resource;
  canWrite: boolean;
  onDone: (saved: Resource | null) => void;
}) {
  const { slug, wsId, resource, canWrite, onDone } = props;
  const editing = Boolean(resource);
  const [kind, setKind] = useState(resource?.kind ?? '');
  const [name, setName] = useState(resource?.name ?? '');
  const [labels, setLabels] = useState(labelsText(resource?.labels));
  const [spec, setSpec] = useState(JSON.stringify(resource?.spec ?? {}, null, 2));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const readOnly = !canWrite;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from a list below: bring the form into view and the keyboard to it.
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'nearest' });
    heading.current?.focus();
  }, []);
  const title = !resource ? 'New resource' : `${canWrite ? 'Edit' : 'View'} ${resource.name}`;

  async function submit(e: Event) {
    e.preventDefault();
    if (!canWrite) return;
    const parsedLabels = parseLabels(labels);
    const parsedSpec = parseJsonObject(spec);
    if (!editing && !/^[a-z0-9_-]{1,63}$/.test(kind)) {
      return setProblem(local('kind', '1-63 of a-z, 0-9, _ and -, e.g. kubernetes_cluster.'));
    }
    if (!name.trim()) return setProblem(local('name', 'Enter a name.'));
    if (parsedLabels.error) return setProblem(local('labels', parsedLabels.error));
    if (parsedSpec.error) return setProblem(local('spec', 'Fix the JSON first: ' + parsedSpec.error));
    setBusy(true);
    setProblem(null);
    try {
      let saved: Resource;
      if (resource) {
        const merged: Record<string, string | null> = { ...parsedLabels.labels };
        for (const key of Object.keys(resource.labels ?? {})) if (!(key in merged)) merged[key] = null;
        saved = await unwrap(
          api.PATCH('/api/v1/organizations/{org}/workspaces/{ws}/resources/{id}', {
            params: { path: { org: slug, ws: wsId, id: resource.id } },
            body: { name: name.trim(), labels: merged, spec: parsedSpec.value },
          }),
        );
      } else {
        saved = await unwrap(
          api.POST('/api/v1/organizations/{org}/workspaces/{ws}/resources', {
            params: { path: { org: slug, ws: wsId } },
            body: { kind, name: name.trim(), labels: parsedLabels.labels, spec: parsedSpec.value },
          }),
        );
      }
      onDone(saved);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="c2-form card" onSubmit={submit} aria-labelledby="resource-form-title">
      <h2 id="resource-form-title" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <Field label="Kind" error={errorsUnder(problem, 'kind')}>
        <input
          type="text"
          value={kind}
          readOnly={editing || readOnly}
          placeholder="kubernetes_cluster"
          maxLength={63}
          onInput={(e) => setKind(e.currentTarget.value)}
        />
      </Field>
      <Field label="Name" error={errorsUnder(problem, 'name')}>
        <input
          type="text"
          value={name}
          readOnly={readOnly}
          maxLength={200}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <Field label="Labels (one key=value a line)" error={errorsUnder(problem, 'labels')}>
        <textarea
          class="c2-code"
          rows={3}
          value={labels}
          readOnly={readOnly}
          placeholder="env=prod"
          onInput={(e) => setLabels(e.currentTarget.value)}
        />
      </Field>
      <JsonEditor
        label="Spec (JSON)"
        value={spec}
        onInput={setSpec}
        readOnly={readOnly}
        apiError={errorsUnder(problem, 'spec')}
      />
      <div class="actions">
        {canWrite && (
          <button type="submit" class="primary" disabled={busy}>
            {editing ? 'Save resource' : 'Create resource'}
          </button>
        )}
        <button type="button" onClick={() => onDone(null)}>
          {canWrite ? 'Cancel' : 'Close'}
        </button>
      </div>
      <ProblemBanner problem={problem} />
    </form>
  );
}
