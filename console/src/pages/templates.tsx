/** Templates: the list, the editor, a preview for an account and contact, a test send. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api';
import { CodeEditor } from '../editor';
import { hasRoute, useOpenApi } from '../openapi';
import { navigate } from '../router';
import type { AccountSummary, AccountView, Page } from '../types';
import { ErrorBox, Field, label, Link, onInput, State, Unavailable, useApi, when } from '../ui';

interface TemplateItem {
  templateId: string;
  subject: string;
  version: number;
  updatedAt: string;
}

interface Template {
  subject: string;
  html: string;
  text?: string;
  byRole?: Record<string, unknown>;
  byAccount?: Record<string, unknown>;
  version?: number;
  updatedAt?: string;
}

interface Preview {
  version?: number;
  subject: string;
  html: string;
  text: string;
  /** Variables the render context has no field for (typos): they render empty. */
  unknownVariables?: string[];
  /** Known variables with no value for this account or contact. */
  emptyVariables?: string[];
  /** The role variant and the account override applied (null: the base). */
  variant?: { role: string | null; account: string | null };
  to?: string | null;
}

export function TemplatesPage() {
  const list = useApi<Page<TemplateItem>>('/templates?limit=100');
  const [id, setId] = useState('');
  return (
    <>
      <h1>Templates</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const known = list.data?.items.some((x) => x.templateId === id.trim());
          if (id.trim()) navigate(`/templates/${enc(id.trim())}${known ? '' : '?new=1'}`);
        }}
      >
        <Field label="New template id">
          <input value={id} onInput={onInput(setId)} />
        </Field>
        <button type="submit" class="secondary">
          Create
        </button>
      </form>
      <State loaded={list} what="templates">
        {(page) => (
          <table>
            <caption class="sr-only">Templates</caption>
            <thead>
              <tr>
                <th>Template</th>
                <th>Subject</th>
                <th class="n">Version</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((t) => (
                <tr key={t.templateId}>
                  <td>
                    <Link href={`/templates/${enc(t.templateId)}`}>{t.templateId}</Link>
                  </td>
                  <td>{t.subject}</td>
                  <td class="n">{t.version}</td>
                  <td>{when(t.updatedAt)}</td>
                </tr>
              ))}
              {page.items.length === 0 && (
                <tr>
                  <td colSpan={4} class="muted">
                    No templates yet.
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

function PreviewPanel(props: { templateId: string; savedVersion?: number }) {
  const doc = useOpenApi();
  const accounts = useApi<Page<AccountSummary>>('/accounts?limit=100');
  const [accountId, setAccountId] = useState('');
  const account = useApi<AccountView>(accountId ? `/accounts/${enc(accountId)}` : null);
  const [contactId, setContactId] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<unknown>();
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<string>();
  const [sendError, setSendError] = useState<unknown>();
  const base = `/templates/${enc(props.templateId)}`;
  const canPreview = hasRoute(doc, 'post', '/templates/{templateId}/preview');
  const canSend = hasRoute(doc, 'post', '/templates/{templateId}/test-send');

  useEffect(() => {
    const first = account.data?.contacts[0]?.contactId;
    if (first && !account.data?.contacts.some((c) => c.contactId === contactId)) setContactId(first);
  }, [account.data]);

  const run = async () => {
    setError(undefined);
    try {
      setPreview(await api<Preview>('POST', `${base}/preview`, { accountId, contactId }));
    } catch (err) {
      setPreview(undefined);
      setError(err);
    }
  };
  const send = async (e: Event) => {
    e.preventDefault();
    setSent(undefined);
    setSendError(undefined);
    try {
      const r = await api<{ messageId?: string }>('POST', `${base}/test-send`, { to, accountId, contactId });
      setSent(`Test sent to ${to}${r?.messageId ? ` (message ${r.messageId})` : ''}.`);
    } catch (err) {
      setSendError(err);
    }
  };
  return (
    <section class="card" aria-labelledby="preview-h">
      <h2 id="preview-h">Preview</h2>
      <p class="muted">
        Renders the saved version{props.savedVersion ? ` (v${props.savedVersion})` : ''} for one contact, with
        its role variant and the account's override applied.
      </p>
      {doc && !canPreview && <Unavailable what="template preview (POST /templates/{templateId}/preview)" />}
      <div class="row">
        <Field label="Account">
          <select value={accountId} onChange={onInput(setAccountId)}>
            <option value="">choose an account</option>
            {accounts.data?.items.map((a) => (
              <option key={a.accountId} value={a.accountId}>
                {a.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Contact">
          <select value={contactId} onChange={onInput(setContactId)} disabled={!account.data}>
            {!account.data && <option value="">choose an account first</option>}
            {account.data?.contacts.map((c) => (
              <option key={c.contactId} value={c.contactId}>
                {c.name} ({label(c.role)})
              </option>
            ))}
          </select>
        </Field>
        <button type="button" onClick={run} disabled={!accountId || !contactId || !canPreview}>
          Preview
        </button>
      </div>
      {error !== undefined && <ErrorBox error={error} what="template preview" />}
      {preview && (
        <div style={{ marginTop: '0.8rem' }}>
          {preview.unknownVariables && preview.unknownVariables.length > 0 ? (
            <div class="error" role="alert">
              <p>
                Unknown variables (they render empty):{' '}
                {preview.unknownVariables.map((v) => (
                  <code key={v}>{`{{${v}}}`} </code>
                ))}
              </p>
            </div>
          ) : (
            <p class="ok-text">Every variable is known.</p>
          )}
          {preview.emptyVariables && preview.emptyVariables.length > 0 && (
            <p class="warn-text">
              Empty for this contact:{' '}
              {preview.emptyVariables.map((v) => (
                <code key={v}>{`{{${v}}}`} </code>
              ))}
            </p>
          )}
          {preview.variant && (
            <p class="muted">
              {preview.variant.role ? `The ${label(preview.variant.role)} variant` : 'The base template'}
              {preview.variant.account ? ` with the override for ${preview.variant.account}` : ''}
              {preview.version ? `, version ${preview.version}` : ''}
              {preview.to ? `; a real send would go to ${preview.to}` : ''}.
            </p>
          )}
          <p>
            <strong>Subject:</strong> {preview.subject}
          </p>
          <iframe class="preview" title="Rendered HTML of the email" sandbox="" srcdoc={preview.html} />
          <details>
            <summary>Text version</summary>
            <pre>{preview.text}</pre>
          </details>
        </div>
      )}
      <h3>Send test</h3>
      {doc && !canSend && <Unavailable what="test send (POST /templates/{templateId}/test-send)" />}
      <form class="row" onSubmit={send}>
        <Field label="Send to">
          <input type="email" value={to} onInput={onInput(setTo)} required />
        </Field>
        <button type="submit" disabled={!accountId || !contactId || !canSend}>
          Send test
        </button>
      </form>
      {sent && (
        <p role="status" class="ok-text">
          {sent}
        </p>
      )}
      {sendError !== undefined && <ErrorBox error={sendError} what="test send" />}
    </section>
  );
}

export function TemplatePage(props: { templateId: string; fresh?: boolean }) {
  // A new id (from the list's Create) is not fetched: there is nothing to read yet.
  const stored = useApi<Template>(props.fresh ? null : `/templates/${enc(props.templateId)}`);
  const isNew =
    props.fresh ||
    (stored.error instanceof ApiError && stored.error.status === 404 && !stored.error.unavailable);
  const [subject, setSubject] = useState<string>();
  const [html, setHtml] = useState('');
  const [text, setText] = useState('');
  const [variants, setVariants] = useState('{}');
  const [errors, setErrors] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [version, setVersion] = useState<number>();

  useEffect(() => {
    if (subject !== undefined) return;
    const t = stored.data;
    if (t) {
      setSubject(t.subject);
      setHtml(t.html);
      setText(t.text ?? '');
      setVariants(JSON.stringify({ byRole: t.byRole ?? {}, byAccount: t.byAccount ?? {} }, null, 2));
      setVersion(t.version);
    } else if (isNew) {
      setSubject('');
      setHtml('<p>Hi {{contact.firstName}},</p>');
      setText('Hi {{contact.firstName}},');
      setVariants(JSON.stringify({ byRole: {}, byAccount: {} }, null, 2));
    }
  }, [stored.data, isNew]);

  const save = async () => {
    setErrors(undefined);
    setSaved(undefined);
    let extra: Record<string, unknown>;
    try {
      extra = JSON.parse(variants || '{}') as Record<string, unknown>;
    } catch (err) {
      setErrors(new Error(`Variants: not JSON (${(err as Error).message})`));
      return;
    }
    try {
      const r = await api<{ version: number }>('PUT', `/templates/${enc(props.templateId)}`, {
        subject,
        html,
        ...(text ? { text } : {}),
        ...extra,
      });
      setVersion(r.version);
      setSaved(`Saved version ${r.version}.`);
      if (props.fresh) navigate(`/templates/${enc(props.templateId)}`);
    } catch (err) {
      setErrors(err);
    }
  };

  if (stored.error !== undefined && !isNew) return <ErrorBox error={stored.error} what="the template" />;
  return (
    <>
      <p class="muted">
        <Link href="/templates">Templates</Link> / {props.templateId}
      </p>
      <h1>
        {props.templateId} {version ? <span class="badge">v{version}</span> : <span class="badge">new</span>}
      </h1>
      {subject === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <div class="split top">
          <section aria-labelledby="tpl-h">
            <h2 id="tpl-h">Template</h2>
            <p class="muted">
              Handlebars: <code>{'{{account.name}}'}</code>, <code>{'{{contact.firstName}}'}</code>,{' '}
              <code>{'{{sender.name}}'}</code>, <code>{'{{{unsubscribeUrl}}}'}</code>…
            </p>
            <Field label="Subject">
              <input value={subject} onInput={onInput(setSubject)} />
            </Field>
            <h3>HTML</h3>
            <CodeEditor label="HTML body" value={html} onChange={setHtml} rows={10} />
            <h3>Text</h3>
            <CodeEditor label="Text body" value={text} onChange={setText} rows={6} />
            <h3>Role variants and account overrides (JSON)</h3>
            <CodeEditor
              label="Role variants and account overrides (JSON)"
              value={variants}
              onChange={setVariants}
              rows={8}
            />
            <div class="row" style={{ marginTop: '0.6rem' }}>
              <button type="button" onClick={save}>
                Save
              </button>
              {saved && (
                <span role="status" class="ok-text">
                  {saved}
                </span>
              )}
            </div>
            {errors !== undefined && <ErrorBox error={errors} />}
          </section>
          <PreviewPanel templateId={props.templateId} savedVersion={version} />
        </div>
      )}
    </>
  );
}
