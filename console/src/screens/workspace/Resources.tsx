// A workspace's resources: filter by kind and labels, a page at a time; editors create, edit
// and delete them.
import { useState } from 'preact/hooks';
import { api, type Problem, unwrap } from '../../api/client';
import { Field } from '../../ui/Field';
import { Pager } from '../../ui/Pager';
import { ProblemBanner } from '../../ui/Problem';
import { asProblem, local, useLoad, when } from '../lib';
import { ResourceForm, parseLabels, type Resource } from './ResourceForm';

type Filter = { kind: string; labels: string[] };

export function ResourcesTab({ slug, wsId, canWrite }: { slug: string; wsId: string; canWrite: boolean }) {
  const [filter, setFilter] = useState<Filter>({ kind: '', labels: [] });
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [editing, setEditing] = useState<Resource | 'new' | null>(null);
  const [notice, setNotice] = useState('');
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/organizations/{org}/workspaces/{ws}/resources', {
          params: {
            path: { org: slug, ws: wsId },
            // Repeated ?label= (openapi-fetch explodes arrays); the schema types it as one string.
            query: {
              cursor,
              kind: filter.kind || undefined,
              label: (filter.labels.length ? filter.labels : undefined) as string | undefined,
            },
          },
        }),
      ),
    [slug, wsId, cursor, filter],
  );
  const rows = list.data?.data ?? [];

  function done(saved: Resource | null) {
    if (saved) setNotice(`Saved ${saved.name}.`);
    setEditing(null);
    if (saved) list.reload();
  }

  return (
    <section aria-labelledby="resources-title">
      <h2 id="resources-title">Resources</h2>
      <Filters
        onApply={(f) => {
          setFilter(f);
          setCursor(undefined);
        }}
      />
      {canWrite && editing === null && (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            New resource
          </button>
        </p>
      )}
      <p role="status" class="muted">{notice}</p>
      {editing !== null && (
        <ResourceForm
          key={editing === 'new' ? 'new' : editing.id}
          slug={slug}
          wsId={wsId}
          canWrite={canWrite}
          resource={editing === 'new' ? undefined : editing}
          onDone={done}
        />
      )}
      <ProblemBanner problem={list.problem} />
      {list.loading && !list.data ? (
        <p role="status">Loading resources…</p>
      ) : rows.length === 0 ? (
        <p>{filter.kind || filter.labels.length ? 'No resource matches these filters.' : 'No resources yet.'}</p>
      ) : (
        <ul class="c2-cards" aria-label="Resources">
          {rows.map((r) => (
            <ResourceItem
              key={r.id}
              slug={slug}
              wsId={wsId}
              resource={r}
              canWrite={canWrite}
              onOpen={() => setEditing(r)}
              onDeleted={() => {
                setNotice(`Deleted ${r.name}.`);
                list.reload();
              }}
            />
          ))}
        </ul>
      )}
      <Pager
        key={JSON.stringify(filter)}
        nextCursor={list.data?.next_cursor ?? null}
        onNext={() => setCursor(list.data?.next_cursor ?? undefined)}
        onFirst={() => setCursor(undefined)}
      />
    </section>
  );
}

function Filters({ onApply }: { onApply: (f: Filter) => void }) {
  const [kind, setKind] = useState('');
  const [labels, setLabels] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);

  function apply(e: Event) {
    e.preventDefault();
    const parsed = parseLabels(labels.replace(/[,\s]+/g, '\n'));
    if (parsed.error) return setProblem(local('label', 'Write label filters as key=value, separated by spaces or commas.'));
    setProblem(null);
    onApply({
      kind: kind.trim(),
      labels: Object.entries(parsed.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    });
  }

  return (
    <form class="c2-filters" onSubmit={apply} aria-label="Filter resources">
      <Field label="Filter by kind">
        <input type="text" value={kind} placeholder="any" maxLength={63} onInput={(e) => setKind(e.currentTarget.value)} />
      </Field>
      <Field label="Filter by labels (key=value)" error={problem?.errors?.[0]?.message}>
        <input type="text" value={labels} placeholder="env=prod" onInput={(e) => setLabels(e.currentTarget.value)} />
      </Field>
      <button type="submit">Filter</button>
    </form>
  );
}

function ResourceItem(props: {
  slug: string;
  wsId: string;
  resource: Resource;
  canWrite: boolean;
  onOpen: () => void;
  onDeleted: () => void;
}) {
  const { resource: r, canWrite } = props;
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function remove() {
    setProblem(null);
    try {
      await unwrap(
        api.DELETE('/api/v1/organizations/{org}/workspaces/{ws}/resources/{id}', {
          params: { path: { org: props.slug, ws: props.wsId, id: r.id } },
        }),
      );
      props.onDeleted();
    } catch (err) {
      setProblem(asProblem(err));
      setConfirming(false);
    }
  }

  return (
    <li>
      <h3 class="c2-item-title">{r.name}</h3>
      <p>
        <code>{r.kind}</code>{' '}
        {Object.entries(r.labels ?? {}).map(([k, v]) => (
          <span key={k} class="c2-tag">
            {k}={v}
          </span>
        ))}
      </p>
      <p class="muted">Updated {when(r.updated_at)}</p>
      <div class="c2-row-actions">
        <button type="button" onClick={props.onOpen} aria-label={`${canWrite ? 'Edit' : 'View'} ${r.name}`}>
          {canWrite ? 'Edit' : 'View'}
        </button>
        {canWrite && !confirming && (
          <button type="button" class="danger" onClick={() => setConfirming(true)} aria-label={`Delete ${r.name}`}>
            Delete
          </button>
        )}
        {confirming && (
          <span role="group" aria-label={`Confirm deleting ${r.name}`} class="c2-row-actions">
            <button type="button" class="danger" onClick={remove}>
              Yes, delete {r.name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        )}
      </div>
      <ProblemBanner problem={problem} />
    </li>
  );
}
