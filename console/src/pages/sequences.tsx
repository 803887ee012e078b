/** Sequences: the list, the editor (YAML or JSON) with the server's errors at their line, the diagram. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api';
import { CodeEditor } from '../editor';
import { navigate } from '../router';
import type { Format, LineError } from '../sequence-text';
import type { Page } from '../types';
import { ErrorBox, Field, Link, onInput, State, useApi, useModule, when } from '../ui';

const loadText = () => import('../sequence-text');
const loadDiagram = () => import('../diagram');

interface SequenceItem {
  sequenceId: string;
  name: string;
  latestVersion: number;
  updatedAt: string;
}

export function SequencesPage() {
  const list = useApi<Page<SequenceItem>>('/sequences?limit=100');
  const [id, setId] = useState('');
  return (
    <>
      <h1>Sequences</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const known = list.data?.items.some((x) => x.sequenceId === id.trim());
          if (id.trim()) navigate(`/sequences/${enc(id.trim())}${known ? '' : '?new=1'}`);
        }}
      >
        <Field label="New sequence id">
          <input value={id} onInput={onInput(setId)} pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" />
        </Field>
        <button type="submit" class="secondary">
          Create
        </button>
      </form>
      <State loaded={list} what="sequences">
        {(page) => (
          <table>
            <caption class="sr-only">Sequences</caption>
            <thead>
              <tr>
                <th>Sequence</th>
                <th>Name</th>
                <th class="n">Version</th>
                <th>Updated</th>
                <th>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((s) => (
                <tr key={s.sequenceId}>
                  <td>
                    <Link href={`/sequences/${enc(s.sequenceId)}`}>{s.sequenceId}</Link>
                  </td>
                  <td>{s.name}</td>
                  <td class="n">{s.latestVersion}</td>
                  <td>{when(s.updatedAt)}</td>
                  <td>
                    <Link href={`/campaigns/new?sequence=${enc(s.sequenceId)}`}>Launch…</Link>
                  </td>
                </tr>
              ))}
              {page.items.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    No sequences yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </State>
    </>
  );
}

const STARTER = (id: string) => ({
  id,
  name: id,
  steps: [{ id: 'intro', channel: 'email', after: 'P0D', to: ['champion'], template: 'intro' }],
});

export function SequencePage(props: { sequenceId: string; fresh?: boolean }) {
  const text = useModule(loadText);
  const diagram = useModule(loadDiagram);
  // A new id (from the list's Create) is not fetched: there is nothing to read yet.
  const stored = useApi<{ sequence: Record<string, unknown>; version: number; createdAt: string }>(
    props.fresh ? null : `/sequences/${enc(props.sequenceId)}`,
  );
  const [format, setFormat] = useState<Format>('yaml');
  const [source, setSource] = useState<string>();
  const [errors, setErrors] = useState<LineError[]>([]);
  const [saved, setSaved] = useState<string>();
  const [other, setOther] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<unknown>();
  const isNew =
    props.fresh ||
    (stored.error instanceof ApiError && stored.error.status === 404 && !stored.error.unavailable);

  // Fill the editor once: from the stored sequence, or a starter for a new id.
  useEffect(() => {
    if (!text || source !== undefined) return;
    const value = stored.data?.sequence ?? (isNew ? STARTER(props.sequenceId) : undefined);
    if (value === undefined) return;
    setSource(text.toText(value, format));
    setShown(value);
  }, [text, stored.data, isNew]);

  const switchTo = (next: Format) => {
    if (!text || source === undefined || next === format) return;
    const parsed = text.parseText(source);
    if (parsed.errors.length > 0) {
      setErrors(parsed.errors);
      return;
    }
    setSource(text.toText(parsed.value, next));
    setFormat(next);
    setErrors([]);
  };

  const save = async () => {
    if (!text || source === undefined) return;
    setSaved(undefined);
    setOther(undefined);
    const parsed = text.parseText(source);
    if (parsed.errors.length > 0) {
      setErrors(parsed.errors);
      return;
    }
    setErrors([]);
    setShown(parsed.value);
    setBusy(true);
    try {
      const r = await api<{ version: number }>('PUT', `/sequences/${enc(props.sequenceId)}`, parsed.value);
      setSaved(`Saved version ${r.version}.`);
      if (props.fresh) navigate(`/sequences/${enc(props.sequenceId)}`);
      else stored.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.details.length > 0)
        setErrors(
          err.details.map((d) => ({ line: text.lineOf(source, d.path), path: d.path, message: d.message })),
        );
      else setOther(err);
    } finally {
      setBusy(false);
    }
  };

  if (stored.error !== undefined && !isNew) return <ErrorBox error={stored.error} what="the sequence" />;
  return (
    <>
      <p class="muted">
        <Link href="/sequences">Sequences</Link> / {props.sequenceId}
      </p>
      <h1>
        {props.sequenceId}{' '}
        {stored.data ? (
          <span class="badge">v{stored.data.version}</span>
        ) : isNew ? (
          <span class="badge">new</span>
        ) : null}
      </h1>
      <div class="split">
        <section aria-labelledby="editor-h">
          <h2 id="editor-h">Definition</h2>
          <div class="row" role="group" aria-label="Format" style={{ marginBottom: '0.5rem' }}>
            <button
              type="button"
              class="secondary"
              aria-pressed={format === 'yaml'}
              onClick={() => switchTo('yaml')}
            >
              YAML
            </button>
            <button
              type="button"
              class="secondary"
              aria-pressed={format === 'json'}
              onClick={() => switchTo('json')}
            >
              JSON
            </button>
          </div>
          {source === undefined ? (
            <p class="muted">Loading the editor…</p>
          ) : (
            <CodeEditor
              label={`Sequence definition (${format.toUpperCase()})`}
              value={source}
              onChange={setSource}
              errorLines={errors.flatMap((e) => (e.line ? [e.line] : []))}
              rows={28}
              describedBy="sequence-errors"
            />
          )}
          <div class="row" style={{ marginTop: '0.6rem' }}>
            <button type="button" onClick={save} disabled={busy || source === undefined}>
              Save
            </button>
            {saved && (
              <span role="status" class="ok-text">
                {saved}
              </span>
            )}
            {stored.data?.sequence && (
              <Link href={`/campaigns/new?sequence=${enc(props.sequenceId)}`}>Launch this sequence…</Link>
            )}
          </div>
          <div id="sequence-errors" aria-live="polite">
            {errors.length > 0 && (
              <div class="error" role="alert">
                <p>
                  {errors.length} error{errors.length === 1 ? '' : 's'}; nothing was saved:
                </p>
                <ul>
                  {errors.map((e, i) => (
                    <li key={i}>
                      {e.line ? <strong>Line {e.line}: </strong> : null}
                      {e.path ? <code>{e.path.replace(/^body\./, '')}</code> : null} {e.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>
          {other !== undefined && <ErrorBox error={other} />}
        </section>
        <section aria-labelledby="diagram-h">
          <h2 id="diagram-h">Steps and branches</h2>
          <div class="diagram card">
            {diagram && shown ? (
              <diagram.SequenceDiagram sequence={shown as { steps?: [] }} />
            ) : (
              <p class="muted">Loading the diagram…</p>
            )}
          </div>
          <p class="muted">The diagram shows the definition as last loaded or saved.</p>
        </section>
      </div>
    </>
  );
}
