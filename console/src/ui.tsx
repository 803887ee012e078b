/** Shared pieces of the console's pages: data loading, links, states, formats. */
import { cloneElement, isValidElement, type ComponentChildren, type TargetedEvent, type VNode } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { BASE, navigate } from './router';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload(): void;
}

/** GET `path` (null: nothing to load); `everyMs` polls while the page is open. */
export function useApi<T>(path: string | null, everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return undefined;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>('GET', path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    // A skip-ahead of the local clock changes everything: every view on the page loads again.
    window.addEventListener('abm-refresh', reload);
    return () => window.removeEventListener('abm-refresh', reload);
  }, [reload]);
  useEffect(() => {
    if (!everyMs || path === null) return undefined;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [everyMs, path, reload]);
  return { ...state, reload };
}

/** Loads an ES module on demand (the charts, the diagram, the YAML parser): one chunk per use. */
export function useModule<M>(load: () => Promise<M>): M | undefined {
  const [mod, setMod] = useState<M>();
  const loader = useRef(load);
  useEffect(() => {
    let live = true;
    loader.current().then((m) => live && setMod(() => m));
    return () => {
      live = false;
    };
  }, []);
  return mod;
}

export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
}) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a
      href={`${BASE}${props.href}`}
      onClick={onClick}
      class={props.class}
      aria-current={props['aria-current']}
    >
      {props.children}
    </a>
  );
}

export function Unavailable(props: { what: string }) {
  return (
    <p class="notice" role="status">
      Not available on this server: {props.what}. The server's API does not have this route yet.
    </p>
  );
}

export function ErrorBox(props: { error: unknown; what?: string }) {
  const e = props.error;
  if (e instanceof ApiError && e.unavailable) return <Unavailable what={props.what ?? 'this view'} />;
  const message = e instanceof ApiError ? `${e.message} (${e.status} ${e.code})` : String(e);
  return (
    <div class="error" role="alert">
      <p>{message}</p>
      {e instanceof ApiError && e.details.length > 0 && (
        <ul>
          {e.details.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function State<T>(props: {
  loaded: Loaded<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  const { data, error, loading } = props.loaded;
  if (error !== undefined && data === undefined) return <ErrorBox error={error} what={props.what} />;
  if (data === undefined)
    return loading ? (
      <p class="muted" role="status">
        Loading {props.what}…
      </p>
    ) : null;
  return <>{props.children(data)}</>;
}

export const label = (s: string) => s.replace(/_/g, ' ');

export function pct(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export const num = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US');

export function when(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', {
    timeZone: timeZone ?? 'UTC',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/**
 * A labelled control: the label names the control by `for`/`id` (a label wrapping a select would
 * add the selected option's text to the control's name), the hint describes it.
 */
export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  const id = useId();
  const child = isValidElement(props.children)
    ? cloneElement(props.children as VNode<Record<string, unknown>>, {
        id,
        'aria-describedby': props.hint ? `${id}-hint` : undefined,
      })
    : props.children;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {child}
      {props.hint && (
        <small id={`${id}-hint`} class="muted">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function Bar(props: { value: number; max: number; label: string; tone?: 'ok' | 'warn' }) {
  const ratio = props.max > 0 ? Math.max(0, Math.min(1, props.value / props.max)) : 0;
  return (
    <div
      class={`bar ${props.tone ?? ''}`}
      role="meter"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={props.max}
      aria-valuenow={Math.min(props.value, props.max)}
    >
      <div style={{ width: `${ratio * 100}%` }} />
    </div>
  );
}

export const onInput =
  (set: (v: string) => void) =>
  (e: TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    set(e.currentTarget.value);
