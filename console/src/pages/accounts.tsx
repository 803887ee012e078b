/** Accounts (list, filters, sort) and one account's story. */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { hasRoute, queryParams, useOpenApi } from '../openapi';
import {
  ROLES,
  STAGES,
  type AccountSummary,
  type AccountView,
  type CampaignReport,
  type Page,
} from '../types';
import {
  Bar,
  ErrorBox,
  Field,
  label,
  Link,
  num,
  onInput,
  State,
  Unavailable,
  useApi,
  useModule,
  when,
} from '../ui';

const loadCharts = () => import('../charts');

const FILTERS = [
  ['q', 'Search'],
  ['tier', 'Tier'],
  ['cluster', 'Cluster'],
  ['stage', 'Stage'],
  ['owner', 'Owner'],
  ['minScore', 'Min score'],
  ['maxScore', 'Max score'],
  ['sort', 'Sort by'],
] as const;
type FilterKey = (typeof FILTERS)[number][0];

function Trend(props: { trend?: number | null }) {
  const t = props.trend;
  if (t === undefined || t === null) return null;
  if (Math.abs(t) < 0.05) return <div class="muted">steady this week</div>;
  return t > 0 ? (
    <div class="ok-text">↑ {t.toFixed(1)} this week</div>
  ) : (
    <div class="bad-text">↓ {Math.abs(t).toFixed(1)} this week</div>
  );
}

interface ImportResult {
  imported: number;
  updated: number;
  contacts: number;
  rejected: { row: number; accountId?: string; errors: { path: string; message: string }[] }[];
}

/** POST /accounts/import with a CSV (one row per contact) or JSON file the user picks. */
function ImportAccounts(props: { onDone(): void }) {
  const [file, setFile] = useState<File>();
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const text = await file.text();
      const json = /\.json$/i.test(file.name);
      setResult(
        json
          ? await api<ImportResult>('POST', '/accounts/import', JSON.parse(text))
          : await api<ImportResult>('POST', '/accounts/import', text, 'text/csv'),
      );
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="card" style={{ marginBottom: '1rem' }}>
      <summary>Import accounts</summary>
      <form class="row" onSubmit={submit} style={{ marginTop: '0.6rem' }}>
        <Field
          label="CSV or JSON file"
          hint="CSV: one row per contact, the account columns repeated (docs/api.md)"
        >
          <input
            type="file"
            accept=".csv,.json,text/csv,application/json"
            onChange={(e) => setFile(e.currentTarget.files?.[0])}
          />
        </Field>
        <button type="submit" disabled={!file || busy}>
          Import
        </button>
      </form>
      {result && (
        <div role="status">
          <p>
            {result.imported} account(s) imported, {result.updated} updated, {result.contacts} contact(s);{' '}
            {result.rejected.length} row(s) rejected.
          </p>
          {result.rejected.length > 0 && (
            <ul>
              {result.rejected.map((r) => (
                <li key={r.row}>
                  Row {r.row}
                  {r.accountId ? ` (${r.accountId})` : ''}:{' '}
                  {r.errors.map((x) => `${x.path} ${x.message}`).join('; ')}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </details>
  );
}

export function AccountsPage() {
  const doc = useOpenApi();
  const supported = queryParams(doc, 'get', '/accounts');
  const [f, setF] = useState<Record<FilterKey, string>>({
    q: '',
    tier: '',
    cluster: '',
    stage: '',
    owner: '',
    minScore: '',
    maxScore: '',
    sort: '',
  });
  const [cursor, setCursor] = useState<string | null>(null);
  const set = (k: FilterKey) => (v: string) => {
    setCursor(null);
    setF((old) => ({ ...old, [k]: v }));
  };
  const params: Record<string, string> = {};
  for (const [k] of FILTERS) if (supported.has(k) && f[k]) params[k] = f[k];
  // With no filter set the list does not depend on what the server supports: it loads at once,
  // beside the OpenAPI document, not after it.
  const anySet = FILTERS.some(([k]) => f[k] !== '');
  const list = useApi<Page<AccountSummary>>(
    doc || !anySet ? `/accounts${query({ ...params, limit: 50, cursor })}` : null,
  );
  const off = (k: FilterKey) => doc !== undefined && !supported.has(k);
  const hint = (k: FilterKey) => (off(k) ? 'not available on this server' : undefined);
  return (
    <>
      <h1>Accounts</h1>
      <ImportAccounts onDone={() => list.reload()} />
      <form class="filters" role="search" aria-label="Filter accounts" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search" hint={hint('q')}>
          <input
            type="search"
            value={f.q}
            onInput={onInput(set('q'))}
            disabled={off('q')}
            placeholder="name or domain"
          />
        </Field>
        <Field label="Tier" hint={hint('tier')}>
          <select value={f.tier} onChange={onInput(set('tier'))} disabled={off('tier')}>
            <option value="">any</option>
            <option value="1">1</option>
            <option value="2">2</option>
            <option value="3">3</option>
          </select>
        </Field>
        <Field label="Cluster" hint={hint('cluster')}>
          <input value={f.cluster} onInput={onInput(set('cluster'))} disabled={off('cluster')} />
        </Field>
        <Field label="Stage" hint={hint('stage')}>
          <select value={f.stage} onChange={onInput(set('stage'))} disabled={off('stage')}>
            <option value="">any</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Owner" hint={hint('owner')}>
          <input value={f.owner} onInput={onInput(set('owner'))} disabled={off('owner')} />
        </Field>
        <Field label="Min score" hint={hint('minScore')}>
          <input
            type="number"
            min={0}
            value={f.minScore}
            onInput={onInput(set('minScore'))}
            disabled={off('minScore')}
          />
        </Field>
        <Field label="Max score" hint={hint('maxScore')}>
          <input
            type="number"
            min={0}
            value={f.maxScore}
            onInput={onInput(set('maxScore'))}
            disabled={off('maxScore')}
          />
        </Field>
        <Field label="Sort by" hint={hint('sort')}>
          <select value={f.sort} onChange={onInput(set('sort'))} disabled={off('sort')}>
            <option value="">default</option>
            <option value="score">score</option>
            <option value="fit">fit</option>
            <option value="name">name</option>
          </select>
        </Field>
      </form>
      <State loaded={list} what="accounts">
        {(page) => (
          <>
            <table>
              <caption class="sr-only">Accounts</caption>
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Tier</th>
                  <th>Stage</th>
                  <th class="n">Score</th>
                  <th>Committee coverage</th>
                  <th class="n">Fit</th>
                  <th>Owner</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((a) => {
                  const s = a.score;
                  const cov = a.coverage;
                  return (
                    <tr key={a.accountId}>
                      <td>
                        <Link href={`/accounts/${enc(a.accountId)}`}>{a.name}</Link>
                        <div class="muted">{a.domain}</div>
                      </td>
                      <td>{a.tier}</td>
                      <td>
                        <span class={`badge ${a.stage === 'mqa' || a.stage === 'opportunity' ? 'ok' : ''}`}>
                          {a.stage}
                        </span>
                      </td>
                      <td class="n">
                        {s?.now === null || s?.now === undefined ? (
                          <span class="muted">—</span>
                        ) : (
                          s.now.toFixed(1)
                        )}
                        <Trend trend={s?.change} />
                      </td>
                      <td>
                        {cov ? (
                          <>
                            {cov.reached.length} of {cov.mapped.length} roles reached
                            {cov.missing.length > 0 && (
                              <div class="muted">missing: {cov.missing.map(label).join(', ')}</div>
                            )}
                          </>
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                      <td class="n">{a.fit ? a.fit.score : '—'}</td>
                      <td>{a.ownerSdr ?? '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {page.items.length === 0 && <p class="muted">No accounts match.</p>}
            <div class="row" style={{ marginTop: '0.8rem' }}>
              {cursor && (
                <button type="button" class="secondary" onClick={() => setCursor(null)}>
                  First page
                </button>
              )}
              {page.cursor && (
                <button type="button" class="secondary" onClick={() => setCursor(page.cursor)}>
                  Next page
                </button>
              )}
            </div>
          </>
        )}
      </State>
    </>
  );
}

interface TimelineItem {
  at: string;
  kind: string;
  summary: string;
  channel?: string;
  status?: string;
  stepId?: string;
  campaignId?: string;
}

interface NextStep {
  campaignId: string;
  sequenceId: string;
  enrollmentStatus: string;
  stepId: string | null;
  at: string | null;
  waitingFor?: { stepId: string; since: string };
  contacts: { contactId: string; name: string; timeZone: string; localTime: string | null }[];
}

interface Timeline {
  items: TimelineItem[];
  cursor: string | null;
  next: NextStep[];
}

const KIND: Record<string, string> = {
  touch: 'Touch',
  engagement: 'Engagement',
  stage_change: 'Stage',
  task_created: 'SDR task',
  task_completed: 'SDR outcome',
};

function Next(props: { next: NextStep }) {
  const n = props.next;
  return (
    <li>
      <Link href={`/campaigns/${enc(n.campaignId)}`}>{n.campaignId}</Link>:{' '}
      {n.waitingFor
        ? `waiting for engagement at step ${n.waitingFor.stepId} since ${when(n.waitingFor.since)}`
        : `${n.enrollmentStatus === 'paused' ? 'paused at' : 'next:'} step ${n.stepId ?? 'the first'}`}
      {n.at ? `, at ${when(n.at)}` : ''}
      {n.contacts.length > 0 &&
        `, for ${n.contacts
          .map((c) => `${c.name} (${c.localTime ? `${c.localTime} ` : ''}${c.timeZone})`)
          .join(', ')}`}
    </li>
  );
}

/** The account's timeline, newest first, with the next step of each enrollment; older pages on demand. */
function TimelineSection(props: { accountId: string }) {
  const first = useApi<Timeline>(`/accounts/${enc(props.accountId)}/timeline?limit=25`);
  const [older, setOlder] = useState<{ items: TimelineItem[]; cursor: string | null }>();
  const [error, setError] = useState<unknown>();
  if (first.error !== undefined) return <ErrorBox error={first.error} what="the account timeline" />;
  if (!first.data) return <p class="muted">Loading the timeline…</p>;
  const items = [...first.data.items, ...(older?.items ?? [])];
  const cursor = older ? older.cursor : first.data.cursor;
  const more = async () => {
    try {
      const page = await api<Timeline>(
        'GET',
        `/accounts/${enc(props.accountId)}/timeline${query({ limit: 25, cursor })}`,
      );
      setOlder({ items: [...(older?.items ?? []), ...page.items], cursor: page.cursor });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h3>Next</h3>
      <ul>
        {first.data.next.map((n) => (
          <Next key={n.campaignId} next={n} />
        ))}
        {first.data.next.length === 0 && <li class="muted">Nothing scheduled: no active enrollment.</li>}
      </ul>
      <h3>What happened</h3>
      <ul class="plain timeline">
        {items.map((item, i) => (
          <li key={`${item.at}-${i}`}>
            <time dateTime={item.at}>{when(item.at)}</time>
            <span>
              <span class="badge">{KIND[item.kind] ?? label(item.kind)}</span> {item.summary}
            </span>
          </li>
        ))}
        {items.length === 0 && <li class="muted">Nothing has happened yet.</li>}
      </ul>
      {cursor && (
        <button type="button" class="secondary" onClick={more}>
          Older
        </button>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </>
  );
}

function Committee(props: { account: AccountView }) {
  const a = props.account;
  const reachedContacts = new Set(a.touches.filter((t) => t.status === 'sent').map((t) => t.contactId));
  const engagedRoles = new Set(a.mqaProgress.engagedRoles.roles);
  const roles = [...new Set([...a.coverage.required, ...a.contacts.map((c) => c.role)])].sort(
    (x, y) => ROLES.indexOf(x as (typeof ROLES)[number]) - ROLES.indexOf(y as (typeof ROLES)[number]),
  );
  return (
    <table>
      <caption class="sr-only">Buying committee by role</caption>
      <thead>
        <tr>
          <th>Role</th>
          <th>People</th>
          <th>Reached</th>
          <th>Engaged</th>
        </tr>
      </thead>
      <tbody>
        {roles.map((role) => {
          const people = a.contacts.filter((c) => c.role === role);
          const missing = people.length === 0;
          return (
            <tr key={role}>
              <th scope="row">{label(role)}</th>
              <td>
                {missing ? (
                  <span class="badge bad">
                    missing{a.coverage.required.includes(role) ? ' (required)' : ''}
                  </span>
                ) : (
                  people.map((c) => (
                    <div key={c.contactId}>
                      {c.name}
                      {c.title ? <span class="muted">, {c.title}</span> : null}
                      {c.unsubscribedAt ? <span class="badge warn"> unsubscribed</span> : null}
                    </div>
                  ))
                )}
              </td>
              <td>
                {missing
                  ? '—'
                  : `${people.filter((c) => reachedContacts.has(c.contactId)).length} of ${people.length}`}
              </td>
              <td>
                {engagedRoles.has(role) ? (
                  <span class="badge ok">engaged</span>
                ) : (
                  <span class="muted">not yet</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function WhyNotMqa(props: { account: AccountView }) {
  const p = props.account.mqaProgress;
  const rows: [string, { value: number; threshold: number; met: boolean }, string][] = [
    ['Score', p.score, `${p.score.value.toFixed(1)} of ${p.score.threshold}`],
    ['Engaged people', p.engagedContacts, `${p.engagedContacts.value} of ${p.engagedContacts.threshold}`],
    [
      'Engaged roles',
      p.engagedRoles,
      `${p.engagedRoles.value} of ${p.engagedRoles.threshold}${p.engagedRoles.roles.length ? ` (${p.engagedRoles.roles.map(label).join(', ')})` : ''}`,
    ],
  ];
  return (
    <>
      <p>
        {p.met ? (
          <strong class="ok-text">MQA: every threshold is met.</strong>
        ) : (
          <strong>
            Not MQA yet:{' '}
            {rows
              .filter(([, r]) => !r.met)
              .map(([n]) => n.toLowerCase())
              .join(', ')}{' '}
            below the threshold.
          </strong>
        )}
      </p>
      <table>
        <caption class="sr-only">Progress against each MQA threshold</caption>
        <tbody>
          {rows.map(([name, r, text]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td style={{ width: '40%' }}>
                <Bar
                  value={r.value}
                  max={r.threshold}
                  label={`${name}: ${text}`}
                  tone={r.met ? 'ok' : 'warn'}
                />
              </td>
              <td>
                {text} {r.met ? <span class="badge ok">met</span> : <span class="badge warn">not met</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        Engagement counts within {p.engagedWindow}; engaging types: {p.engagingTypes.map(label).join(', ')}.
        Once MQA, the account stays MQA while its score is at least {p.keptAtScore}.
      </p>
    </>
  );
}

function ScoreOverTime(props: { account: AccountView }) {
  const charts = useModule(loadCharts);
  const { account } = props;
  const own = account.scoreHistory;
  // An older server has no score history on the account: the campaign report's is used.
  const campaignId = own ? null : (account.enrollments[0]?.campaignId ?? null);
  const report = useApi<CampaignReport>(campaignId ? `/reports/campaigns/${enc(campaignId)}` : null);
  const points =
    own?.points ?? report.data?.scoreHistory.find((h) => h.accountId === account.accountId)?.points;
  if (!points || points.length === 0) {
    if (report.loading) return <p class="muted">Loading the score history…</p>;
    return <p class="muted">No score history for this account yet.</p>;
  }
  const threshold = own?.mqaThreshold ?? account.mqaProgress.score.threshold;
  // One point draws no line: said in words instead.
  if (points.length === 1)
    return (
      <p>
        One score so far: {points[0].value.toFixed(1)} on {when(points[0].at)} (MQA at {threshold}).
      </p>
    );
  if (!charts) return <p class="muted">Loading the chart…</p>;
  return (
    <>
      <charts.ScoreChart
        points={points}
        threshold={own?.mqaThreshold ?? account.mqaProgress.score.threshold}
      />
      {!own && campaignId && <p class="muted">From the report of campaign {campaignId}.</p>}
    </>
  );
}

export function AccountPage(props: { accountId: string }) {
  const doc = useOpenApi();
  const account = useApi<AccountView>(`/accounts/${enc(props.accountId)}`);
  const timelineAvailable = hasRoute(doc, 'get', '/accounts/{accountId}/timeline');
  return (
    <State loaded={account} what="the account">
      {(a) => (
        <>
          <p class="muted">
            <Link href="/accounts">Accounts</Link> / {a.name}
          </p>
          <h1>{a.name}</h1>
          <div class="kpis">
            <div class="kpi">
              <div class="k">Stage</div>
              <div class="v">{a.stage}</div>
            </div>
            <div class="kpi">
              <div class="k">Score</div>
              <div class="v">{a.score ? a.score.value.toFixed(1) : '—'}</div>
            </div>
            <div class="kpi">
              <div class="k">Tier</div>
              <div class="v">{a.tier}</div>
            </div>
            <div class="kpi">
              <div class="k">Fit</div>
              <div class="v">{a.fit ? `${a.fit.score}/100` : '—'}</div>
            </div>
            <div class="kpi">
              <div class="k">Owner</div>
              <div class="v">{a.ownerSdr ?? '—'}</div>
            </div>
          </div>
          <div class="split">
            <section class="card" aria-labelledby="committee-h">
              <h2 id="committee-h">Buying committee</h2>
              {a.coverage.missing.length > 0 && (
                <p>
                  <strong class="bad-text">Missing roles: {a.coverage.missing.map(label).join(', ')}.</strong>
                </p>
              )}
              <Committee account={a} />
            </section>
            <section class="card" aria-labelledby="mqa-h">
              <h2 id="mqa-h">{a.mqaProgress.met ? 'MQA: why' : 'Why not MQA yet'}</h2>
              <WhyNotMqa account={a} />
            </section>
          </div>
          <div class="split">
            <section class="card" aria-labelledby="score-h">
              <h2 id="score-h">Score over time</h2>
              <ScoreOverTime account={a} />
            </section>
            <section class="card" aria-labelledby="fit-h">
              <h2 id="fit-h">Fit</h2>
              {a.fit ? (
                <>
                  <p>
                    <strong>{a.fit.score}/100</strong>, suggested tier {a.fit.suggestedTier}.
                  </p>
                  <h3>Fits</h3>
                  <ul>
                    {a.fit.fits.length ? a.fit.fits.map((x) => <li key={x}>{x}</li>) : <li>nothing yet</li>}
                  </ul>
                  <h3>Misses</h3>
                  <ul>
                    {a.fit.misses.length ? a.fit.misses.map((x) => <li key={x}>{x}</li>) : <li>none</li>}
                  </ul>
                </>
              ) : (
                <p class="muted">No fit profile configured.</p>
              )}
              <dl class="facts">
                <dt>Domain</dt>
                <dd>{a.domain}</dd>
                <dt>Industry</dt>
                <dd>{a.industry ?? '—'}</dd>
                <dt>Employees</dt>
                <dd>{num(a.employees)}</dd>
                <dt>Region</dt>
                <dd>{a.region ?? '—'}</dd>
                <dt>Cluster</dt>
                <dd>{a.cluster ?? '—'}</dd>
              </dl>
            </section>
          </div>
          <section class="card" aria-labelledby="timeline-h" style={{ marginTop: '1rem' }}>
            <h2 id="timeline-h">Timeline</h2>
            {doc && !timelineAvailable && (
              <Unavailable what="the account timeline (GET /accounts/{accountId}/timeline)" />
            )}
            {timelineAvailable && <TimelineSection accountId={a.accountId} />}
            {doc && !timelineAvailable && (
              <>
                <h3>Recent touches</h3>
                <ul class="plain timeline">
                  {[...a.touches]
                    .sort((x, y) => y.at.localeCompare(x.at))
                    .map((t) => (
                      <li key={`${t.stepId}-${t.contactId}-${t.at}`}>
                        <time dateTime={t.at}>{when(t.at)}</time>
                        <span>
                          {label(t.channel)} · step {t.stepId} ·{' '}
                          {a.contacts.find((c) => c.contactId === t.contactId)?.name ?? t.contactId} ·{' '}
                          {t.status}
                          {t.reason ? ` (${label(t.reason)})` : ''}
                        </span>
                      </li>
                    ))}
                  {a.touches.length === 0 && <li class="muted">No touches yet.</li>}
                </ul>
              </>
            )}
            <h3>Enrollments</h3>
            <ul>
              {a.enrollments.map((e) => (
                <li key={e.campaignId}>
                  <Link href={`/campaigns/${enc(e.campaignId)}`}>{e.campaignId}</Link> ({e.sequenceId}):{' '}
                  {e.status}
                  {e.stepId ? `, at step ${e.stepId}` : ''}
                </li>
              ))}
              {a.enrollments.length === 0 && <li class="muted">Not enrolled in any campaign.</li>}
            </ul>
          </section>
        </>
      )}
    </State>
  );
}
