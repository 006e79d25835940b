// Small helpers the organization screens share: load data into state, local form problems,
// times and paths. (Calls go through unwrap() from api/client.)
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { problemOf, type Problem } from '../api/client';

/** Anything thrown (a problem from unwrap(), a network failure) as a problem to show. */
export const asProblem = problemOf;

export type Loaded<T> = {
  data: T | undefined;
  problem: Problem | null;
  loading: boolean;
  reload: () => void;
};

/**
 * Loads with `load` whenever `deps` change (or on reload()); a late answer to an older request
 * is dropped. `load` returning undefined means "nothing to ask".
 */
export function useLoad<T>(load: () => Promise<T> | undefined, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const pending = load();
    if (!pending) {
      setLoading(false);
      return;
    }
    setLoading(true);
    pending.then(
      (value) => {
        if (mine !== seq.current) return;
        setData(value);
        setProblem(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setProblem(asProblem(e));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, problem, loading, reload };
}

/** An RFC 3339 time in the reader's locale. */
export function when(ts: string | null | undefined): string {
  if (!ts) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}

/** The error the API gave for `field` or for any of its sub-fields (`labels.env`). */
export function errorsUnder(problem: Problem | null, field: string): string | undefined {
  const hits = (problem?.errors ?? []).filter(
    (e) => e.field === field || e.field.startsWith(field + '.') || e.field.startsWith(field + '['),
  );
  if (hits.length === 0) return undefined;
  return hits.map((e) => (e.field === field ? e.message : `${e.field}: ${e.message}`)).join('; ');
}

/** A problem found before asking the server, shown like the server's own. */
export function local(field: string, message: string): Problem {
  return {
    type: 'about:blank',
    title: 'Check the form',
    status: 422,
    code: 'validation_failed',
    detail: message,
    errors: [{ field, message }],
  };
}

/** The console's path for a screen of the organization. */
export function orgHref(slug: string, rest = ''): string {
  return `/console/o/${encodeURIComponent(slug)}${rest ? '/' + rest : ''}`;
}
