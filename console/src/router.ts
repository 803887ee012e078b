/** A small history router under /console/ (the server answers index.html for every route). */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === '' ? '/' : p;
}

export function navigate(to: string): void {
  history.pushState(null, '', `${BASE}${to}`);
  window.dispatchEvent(new Event('abm-navigate'));
  window.scrollTo(0, 0);
}

export function usePath(): { path: string; search: URLSearchParams } {
  const read = () => ({ path: currentPath(), search: new URLSearchParams(location.search) });
  const [state, setState] = useState(read);
  useEffect(() => {
    const on = () => setState(read());
    window.addEventListener('popstate', on);
    window.addEventListener('abm-navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('abm-navigate', on);
    };
  }, []);
  return state;
}

/** Route patterns like `/accounts/:id`; returns the params or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return undefined;
  }
  return params;
}
