// The organization switcher: a dialog listing the caller's organizations (personal and teams
// apart, with the role), searched on the server and paged, so 1,000 organizations stay fast.
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemOf, type Problem } from '../api/client';
import { myOrganizations, type MyOrganization } from '../api/user';
import { Dialog } from '../ui/Dialog';
import { ProblemBanner } from '../ui/Problem';
import { Link } from '../router';

const DEBOUNCE_MS = 250;

function matches(item: MyOrganization, q: string): boolean {
  const needle = q.toLowerCase();
  return item.organization.name.toLowerCase().includes(needle) || item.organization.slug.includes(needle);
}

function Group({ label, items, current, onPick }: { label: string; items: MyOrganization[]; current?: string; onPick: () => void }) {
  if (items.length === 0) return null;
  const id = `switcher-${label.toLowerCase()}`;
  return (
    <div role="group" aria-labelledby={id} class="switcher-group">
      <h3 id={id}>{label}</h3>
      <ul>
        {items.map(({ organization: o, role }) => (
          <li key={o.id}>
            <Link href={`/console/o/${encodeURIComponent(o.slug)}`} onClick={onPick} aria-current={o.slug === current ? 'page' : undefined}>
              <span class="org-name">{o.name}</span> <span class="role">{role}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SwitcherList({ current, onClose }: { current?: string; onClose: () => void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<MyOrganization[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const ticket = useRef(0);

  const fetchPage = async (query: string, cursor?: string) => {
    const mine = ++ticket.current;
    setLoading(true);
    setProblem(null);
    try {
      const page = await myOrganizations({ q: query.trim().slice(0, 100) || undefined, cursor });
      if (mine !== ticket.current) return;
      setItems((before) => (cursor ? [...before, ...page.data] : page.data));
      setNext(page.next_cursor);
    } catch (e) {
      if (mine === ticket.current) setProblem(problemOf(e));
    } finally {
      if (mine === ticket.current) setLoading(false);
    }
  };

  useEffect(() => {
    const timer = setTimeout(() => fetchPage(q), q ? DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [q]);

  const shown = q.trim() ? items.filter((i) => matches(i, q.trim())) : items;
  const personal = shown.filter((i) => i.organization.type === 'personal');
  const teams = shown.filter((i) => i.organization.type !== 'personal');

  return (
    <div class="switcher">
      <div class="dialog-head">
        <h2>Switch organization</h2>
        <button type="button" class="plain" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <input
        type="search"
        aria-label="Search organizations"
        placeholder="Search organizations"
        value={q}
        autoFocus
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      <ProblemBanner problem={problem} />
      <div class="switcher-list">
        <Group label="Personal" items={personal} current={current} onPick={onClose} />
        <Group label="Teams" items={teams} current={current} onPick={onClose} />
      </div>
      <p role="status" class="muted">
        {loading ? 'Loading…' : shown.length === 0 ? (q ? 'No organization matches.' : 'No organizations yet.') : ''}
      </p>
      {next && !loading && (
        <button type="button" onClick={() => fetchPage(q, next)}>
          Load more
        </button>
      )}
      <p class="switcher-foot">
        <Link href="/console/" onClick={onClose}>
          All organizations
        </Link>
        <Link href="/console/new" onClick={onClose}>
          Create a team
        </Link>
      </p>
    </div>
  );
}

/** The header's "Switch organization" button and its dialog. */
export function Switcher({ currentSlug, currentName }: { currentSlug?: string; currentName?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <span class="current-org" title={currentName ?? currentSlug}>
        {currentName ?? currentSlug ?? 'No organization'}
      </span>
      <button type="button" class="switcher-button" aria-label="Switch organization" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16">
          <path d="M4 6l4-4 4 4M4 10l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      </button>
      {open && (
        <Dialog title="Switch organization" onClose={() => setOpen(false)} class="switcher-dialog">
          <SwitcherList current={currentSlug} onClose={() => setOpen(false)} />
        </Dialog>
      )}
    </>
  );
}
