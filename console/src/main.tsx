/**
 * The console's shell: sign-in (the local token, or Cognito's managed login on AWS: auth.ts), the
 * main navigation, the local clock, the pages.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, getToken, setToken } from './api';
import { cognito, completeSignIn, isSignInCallback, loadConfig, signIn, signOut } from './auth';
import { BASE, currentPath, match, usePath } from './router';
import { ErrorBox, Field, Link, onInput, useApi, when } from './ui';
import { AccountPage, AccountsPage } from './pages/accounts';
import { CampaignPage, CampaignsPage, LaunchPage } from './pages/campaigns';
import { SequencePage, SequencesPage } from './pages/sequences';
import { TemplatePage, TemplatesPage } from './pages/templates';
import { TasksPage } from './pages/tasks';
import { ReportPage, ReportsPage } from './pages/reports';
import './styles.css';

const NAV = [
  ['/accounts', 'Accounts'],
  ['/campaigns', 'Campaigns'],
  ['/sequences', 'Sequences'],
  ['/templates', 'Templates'],
  ['/tasks', 'Tasks'],
  ['/reports', 'Reports'],
] as const;

/**
 * On AWS: one button to Cognito's managed login (with MFA), which comes back signed in. `failed`:
 * why the last sign-in did not complete (Cognito's error redirect, a refused code).
 */
function CognitoSignIn(props: { failed?: unknown }) {
  const [error, setError] = useState<unknown>(props.failed);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      await signIn(currentPath() + location.search);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>ABM console</h1>
      <p>
        Sign in with your organisation's account (your administrator creates it; an authenticator app is
        required).
      </p>
      <button type="button" onClick={go} disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </main>
  );
}

function SignIn() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setToken(value.trim());
    try {
      // Any route behind the token tells whether it is the right one.
      await api('GET', '/templates?limit=1');
      setError(undefined);
    } catch (err) {
      setToken(null);
      setError(err);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>ABM console</h1>
      <p>
        Sign in with the API token. Local mode prints it when it starts (<code>npm start</code>, the line
        "Token"); it is kept for this browser session only.
      </p>
      <form onSubmit={submit}>
        <Field label="Token">
          <input type="password" value={value} onInput={onInput(setValue)} autoComplete="off" required />
        </Field>
        <button type="submit">Sign in</button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
    </main>
  );
}

const SKIPS = [
  ['PT1H', '1 hour'],
  ['P1D', '1 day'],
  ['P3D', '3 days'],
  ['P7D', '1 week'],
] as const;

/** Local mode's clock (GET /_local/clock): absent on AWS, where the route does not exist. */
function Clock() {
  const clock = useApi<{ mode: string; now: string }>('/_local/clock');
  const [by, setBy] = useState<string>('P1D');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!clock.data) return null;
  const skip = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/_local/clock/advance', { by });
      clock.reload();
      window.dispatchEvent(new Event('abm-refresh'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="clock" role="group" aria-label="Local clock">
      <span>
        Local clock ({clock.data.mode}): <time dateTime={clock.data.now}>{when(clock.data.now)}</time>
      </span>
      <label>
        <span class="sr-only">Skip by</span>
        <select value={by} onChange={onInput(setBy)}>
          {SKIPS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={skip} disabled={busy}>
        {busy ? 'Skipping…' : 'Skip ahead'}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}

function Page(props: { path: string; search: URLSearchParams }) {
  const { path, search } = props;
  let m: Record<string, string> | undefined;
  if (path === '/' || path === '/accounts') return <AccountsPage />;
  if ((m = match('/accounts/:id', path))) return <AccountPage accountId={m.id} />;
  if (path === '/campaigns') return <CampaignsPage />;
  if (path === '/campaigns/new') return <LaunchPage sequenceId={search.get('sequence') ?? ''} />;
  if ((m = match('/campaigns/:id', path))) return <CampaignPage campaignId={m.id} />;
  if (path === '/sequences') return <SequencesPage />;
  if ((m = match('/sequences/:id', path)))
    return <SequencePage sequenceId={m.id} fresh={search.get('new') === '1'} />;
  if (path === '/templates') return <TemplatesPage />;
  if ((m = match('/templates/:id', path)))
    return <TemplatePage templateId={m.id} fresh={search.get('new') === '1'} />;
  if (path === '/tasks') return <TasksPage />;
  if (path === '/reports') return <ReportsPage />;
  if ((m = match('/reports/:id', path))) return <ReportPage campaignId={m.id} />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link href="/accounts">Go to Accounts</Link>.
      </p>
    </>
  );
}

function App(props: { signInFailed?: unknown }) {
  const [token, setTok] = useState(getToken());
  const { path, search } = usePath();
  useEffect(() => {
    const on = () => setTok(getToken());
    window.addEventListener('abm-token', on);
    return () => window.removeEventListener('abm-token', on);
  }, []);
  useEffect(() => {
    const section = NAV.find(([href]) => path.startsWith(href))?.[1] ?? 'Accounts';
    document.title = `${section} · ABM console`;
  }, [path]);
  if (!token) return cognito() ? <CognitoSignIn failed={props.signInFailed} /> : <SignIn />;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">ABM console</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, name]) => (
              <li key={href}>
                <Link href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
                  {name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {!cognito() && <Clock />}
      <main id="main" tabIndex={-1}>
        <Page path={path} search={search} />
      </main>
    </>
  );
}

/** Reads how to sign in, finishes a sign-in Cognito redirected back with, then shows the app. */
async function start(root: HTMLElement): Promise<void> {
  let signInFailed: unknown;
  try {
    if ((await loadConfig()) && isSignInCallback()) {
      try {
        const to = await completeSignIn();
        history.replaceState(null, '', `${BASE}${to}`);
      } catch (err) {
        // Shown beside the Sign in button; the code or error leaves the address bar.
        signInFailed = err;
        history.replaceState(null, '', `${BASE}/`);
      }
    }
  } catch (err) {
    render(
      <main id="main" class="signin">
        <h1>ABM console</h1>
        <p>The console could not start.</p>
        <ErrorBox error={err} />
        <p>
          <a href={`${BASE}/`}>Try again</a>
        </p>
      </main>,
      root,
    );
    return;
  }
  render(<App signInFailed={signInFailed} />, root);
}

void start(document.getElementById('app')!);
