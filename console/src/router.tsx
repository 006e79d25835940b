// A small history router for the console's paths under /console/.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export type Route = {
  /** The full pathname, e.g. /console/o/acme/members. */
  path: string;
  /** The query of the URL. */
  query: URLSearchParams;
  /** From /console/o/<slug>/<screen>/<id>: the organization slug, the screen, a workspace id. */
  slug?: string;
  screen?: string;
  wsId?: string;
};

const listeners = new Set<() => void>();

function current(): Route {
  const path = location.pathname;
  const route: Route = { path, query: new URLSearchParams(location.search) };
  const m = /^\/console\/o\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/.exec(path);
  if (m) {
    route.slug = decodeURIComponent(m[1]!);
    route.screen = m[2];
    route.wsId = m[3] && decodeURIComponent(m[3]);
  }
  return route;
}

/** `/o/acme` and `/console/o/acme` name the same place; `?tab=x` stays on this path. */
export function resolve(href: string): string {
  if (href.startsWith('?')) return location.pathname + href;
  if (href.startsWith(BASE + '/') || href === BASE) return href;
  if (href.startsWith('/')) return BASE + href;
  return href;
}

let focusNext = false;

/** Goes to `href` without reloading the page; focus moves to the new screen's heading. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const url = resolve(href);
  if (url === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  focusNext = true;
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

addEventListener('popstate', () => {
  focusNext = true;
  for (const l of listeners) l();
});

/** True once after a navigation: the layout then moves focus to the screen's <h1>. */
export function takeFocusRequest(): boolean {
  const f = focusNext;
  focusNext = false;
  return f;
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return route;
}

type LinkProps = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { href: string };

/** An <a> that navigates in place (plain clicks only: new-tab clicks keep working). */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const url = resolve(href);
  const click = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(url);
  };
  return <a href={url} onClick={click} {...rest} />;
}

/** Sets the document title while a screen is shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Bulkhead` : 'Bulkhead';
  }, [title]);
}
