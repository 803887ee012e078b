/** The SDR's queue: my open tasks first (the owner is remembered), overdue marked, complete with an outcome. */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { queryParams, useOpenApi } from '../openapi';
import { OUTCOMES, type Page, type Task } from '../types';
import { ErrorBox, Field, label, Link, onInput, State, Unavailable, useApi, when } from '../ui';

const OWNER_KEY = 'abm.console.owner';

function localTime(now: Date, timeZone?: string): string | undefined {
  if (!timeZone) return undefined;
  try {
    return now.toLocaleTimeString('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
  } catch {
    return undefined;
  }
}

function TaskCard(props: { task: Task; now: Date; onDone(): void }) {
  const { task, now } = props;
  const [outcome, setOutcome] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const overdue = task.overdue ?? Date.parse(task.dueAt) < now.getTime();
  const who = task.call ?? task.context.contact ?? {};
  const id = `task-${task.taskId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const complete = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/tasks/${enc(task.taskId)}/complete`, { outcome, ...(notes ? { notes } : {}) });
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class={`card task ${overdue ? 'overdue' : ''}`} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        {label(task.type).replace(/^./, (c) => c.toUpperCase())} {who.name ?? task.contactId ?? ''}
        {who.role ? <span class="muted"> ({label(who.role)})</span> : null}{' '}
        {overdue ? <span class="badge bad">overdue</span> : <span class="badge">due</span>}
      </h3>
      <dl class="facts">
        <dt>Account</dt>
        <dd>
          <Link href={`/accounts/${enc(task.accountId)}`}>{task.accountName ?? task.accountId}</Link>
          {task.context.stage ? ` · ${task.context.stage}` : ''}
          {typeof task.context.score === 'number' ? ` · score ${task.context.score.toFixed(1)}` : ''}
        </dd>
        <dt>Due</dt>
        <dd>{when(task.dueAt)}</dd>
        <dt>Phone</dt>
        <dd>
          {who.phone ? (
            <a href={`tel:${who.phone}`}>{who.phone}</a>
          ) : (
            <span class="muted">no phone on file</span>
          )}
        </dd>
        <dt>Their time</dt>
        <dd>
          {localTime(now, who.timeZone) ?? who.localTime ?? '—'}
          {who.timeZone ? <span class="muted"> ({who.timeZone})</span> : null}
        </dd>
        <dt>Owner</dt>
        <dd>{task.owner}</dd>
        <dt>Priority</dt>
        <dd>{task.priority}</dd>
      </dl>
      <p>
        <strong>Why now:</strong> {task.reason.replace(/^.*Why now: /, '')}
      </p>
      {task.context.talkingPoints && task.context.talkingPoints.length > 0 && (
        <>
          <h4>Talking points</h4>
          <ul>
            {task.context.talkingPoints.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
      <form class="row" onSubmit={complete} aria-label={`Complete the task for ${who.name ?? task.taskId}`}>
        <Field label="Outcome">
          <select value={outcome} onChange={onInput(setOutcome)} required>
            <option value="">choose…</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {label(o)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Notes">
          <input value={notes} onInput={onInput(setNotes)} maxLength={4000} />
        </Field>
        <button type="submit" disabled={busy || !outcome}>
          Complete
        </button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
    </article>
  );
}

function TaskList(props: { path: string; now: Date; exclude?: string; empty: string }) {
  const list = useApi<Page<Task>>(props.path);
  return (
    <State loaded={list} what="tasks">
      {(page) => {
        const items = page.items
          .filter((t) => t.owner !== props.exclude)
          .sort((a, b) => {
            const ao = Date.parse(a.dueAt) < props.now.getTime() ? 0 : 1;
            const bo = Date.parse(b.dueAt) < props.now.getTime() ? 0 : 1;
            return ao - bo || a.priority - b.priority || a.dueAt.localeCompare(b.dueAt);
          });
        return items.length === 0 ? (
          <p class="muted">{props.empty}</p>
        ) : (
          <div class="grid">
            {items.map((t) => (
              <TaskCard key={t.taskId} task={t} now={props.now} onDone={list.reload} />
            ))}
          </div>
        );
      }}
    </State>
  );
}

export function TasksPage() {
  const doc = useOpenApi();
  const health = useApi<{ time: string }>('/health');
  const [owner, setOwnerState] = useState(localStorage.getItem(OWNER_KEY) ?? '');
  const [draft, setDraft] = useState(owner);
  const setOwner = (o: string) => {
    localStorage.setItem(OWNER_KEY, o);
    setOwnerState(o);
  };
  const ownerRequired = queryParams(doc, 'get', '/tasks').get('owner');
  // The API's clock (local mode's may be simulated): what is overdue is judged against it.
  const now = health.data ? new Date(health.data.time) : new Date();
  return (
    <>
      <h1>Tasks</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setOwner(draft.trim());
        }}
      >
        <Field label="I am (owner)" hint="remembered in this browser">
          <input value={draft} onInput={onInput(setDraft)} placeholder="e.g. sdr-ana" />
        </Field>
        <button type="submit" class="secondary">
          Show my tasks
        </button>
        <span class="muted">Now: {when(now.toISOString())}</span>
      </form>
      <h2>My open tasks</h2>
      {owner ? (
        <TaskList
          path={`/tasks${query({ owner, status: 'open', limit: 100 })}`}
          now={now}
          empty={`No open tasks for ${owner}.`}
        />
      ) : (
        <p class="muted">Type your owner name above to see your queue first.</p>
      )}
      <h2>Everyone's open tasks</h2>
      {doc === undefined ? null : ownerRequired !== false ? (
        <Unavailable what="open tasks of every owner (GET /tasks without owner)" />
      ) : (
        <TaskList
          path={`/tasks${query({ status: 'open', limit: 100 })}`}
          now={now}
          exclude={owner || undefined}
          empty="No other open tasks."
        />
      )}
      {health.error !== undefined && <ErrorBox error={health.error} />}
    </>
  );
}
