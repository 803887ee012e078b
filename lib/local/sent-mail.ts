/**
 * Local mode's sent mail, kept in the data folder (docs/architecture.md "Local mode"): every email
 * SES (aws-ses-v2-local, whose own store is in memory) accepted is appended to `sent-mail.jsonl`
 * with the campaign, step, account and contact it was sent for (its message tags) and the time on
 * local mode's clock, so it survives a restart. An index of the messages (without their bodies) is
 * held in memory; a body is read from the file when a message is opened.
 *
 *   GET /_local/mail?page=1&limit=50[&campaignId=&stepId=&to=]  JSON page, newest first (bearer token)
 *   GET /_local/mail/{id}                                       one message with its bodies (bearer token)
 *   GET /_local/mail/view?token=...[&page=]                     the viewer: an HTML page per 50 messages
 *   GET /_local/mail/view/{id}?token=...                        one message in the viewer
 *
 * The viewer is opened in a browser, which sends no bearer token: it takes the token in the query
 * (local mode listens on loopback by default) and compares it in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import * as z from 'zod';
import { route, type Route } from '../../functions/api/router';
import type { Clock } from '../../functions/kernel/clock';
import { NotFound, Unauthorized } from '../../functions/kernel/errors';
import type { EmailSender, OutgoingEmail } from '../../functions/platform/ses';

export const SENT_MAIL_FILE = 'sent-mail.jsonl';
export const LOCAL_MAIL_PATH = '/_local/mail';
const VIEW_PAGE_SIZE = 50;

export interface SentMail {
  /** 1, 2, 3... in the order sent. */
  id: number;
  messageId: string;
  /** On local mode's clock. */
  sentAt: string;
  from: string;
  to: string;
  subject: string;
  campaignId?: string;
  stepId?: string;
  accountId?: string;
  contactId?: string;
}

export interface SentMailWithBody extends SentMail {
  html: string;
  text: string;
  headers: { name: string; value: string }[];
}

interface Indexed extends SentMail {
  offset: number;
  length: number;
}

export class SentMailStore {
  private readonly index: Indexed[] = [];
  private size = 0;

  /** Opens (or starts) the store in `file`, reading back what earlier runs sent. */
  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    const data = readFileSync(file);
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(10, start);
      if (end < 0) end = data.length; // a last line cut by a crash: kept if it parses
      try {
        const m = JSON.parse(data.subarray(start, end).toString('utf8')) as SentMailWithBody;
        this.index.push({ ...summary(m), offset: start, length: end - start });
      } catch {
        // a torn line: skipped
      }
      start = end + 1;
    }
    this.size = data.length;
  }

  get count(): number {
    return this.index.length;
  }

  add(mail: Omit<SentMailWithBody, 'id'>): SentMail {
    const full: SentMailWithBody = { id: this.index.length + 1, ...mail };
    const line = Buffer.from(`${JSON.stringify(full)}\n`);
    // Synchronous: the line is on disk before the step goes on (a crash after keeps it).
    appendFileSync(this.file, line, { mode: 0o600 });
    this.index.push({ ...summary(full), offset: this.size, length: line.length - 1 });
    this.size += line.length;
    return summary(full);
  }

  /** Newest first, filtered; `page` from 1. */
  page(options: { page: number; limit: number } & Partial<Pick<SentMail, 'campaignId' | 'stepId' | 'to'>>) {
    const matches = this.index.filter(
      (m) =>
        (!options.campaignId || m.campaignId === options.campaignId) &&
        (!options.stepId || m.stepId === options.stepId) &&
        (!options.to || m.to === options.to),
    );
    const pages = Math.max(1, Math.ceil(matches.length / options.limit));
    const from = matches.length - options.page * options.limit;
    const items = matches
      .slice(Math.max(0, from), Math.max(0, from + options.limit))
      .reverse()
      .map(summary);
    return { total: matches.length, page: options.page, pages, items };
  }

  get(id: number): SentMailWithBody | undefined {
    const m = this.index[id - 1];
    if (!m) return undefined;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.length);
      readSync(fd, buf, 0, m.length, m.offset);
      return JSON.parse(buf.toString('utf8')) as SentMailWithBody;
    } finally {
      closeSync(fd);
    }
  }
}

function summary(m: SentMail): SentMail {
  const { id, messageId, sentAt, from, to, subject, campaignId, stepId, accountId, contactId } = m;
  return { id, messageId, sentAt, from, to, subject, campaignId, stepId, accountId, contactId };
}

/** The EMAIL port of local mode: SES sends, then the store keeps what SES accepted. */
export class RecordingEmailSender implements EmailSender {
  constructor(
    private readonly inner: EmailSender,
    private readonly store: SentMailStore,
    private readonly clock: Clock,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const out = await this.inner.send(email);
    this.store.add({
      messageId: out.messageId,
      sentAt: this.clock.now().toISOString(),
      from: email.from,
      to: email.to,
      subject: email.subject,
      campaignId: email.tags.campaignId,
      stepId: email.tags.stepId,
      accountId: email.tags.accountId,
      contactId: email.tags.contactId,
      html: email.html,
      text: email.text,
      headers: email.headers,
    });
    return out;
  }
}

const escape = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const PAGE_HEAD =
  '<!doctype html><meta charset="utf-8"><title>Sent mail (ABM local mode)</title>' +
  '<style>body{font:14px system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;width:100%}' +
  'td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}nav{margin:1rem 0}' +
  'iframe{width:100%;height:60vh;border:1px solid #ccc}</style>';

function listPage(store: SentMailStore, page: number, token: string): string {
  const p = store.page({ page, limit: VIEW_PAGE_SIZE });
  const link = (n: number, label: string) =>
    `<a href="?token=${encodeURIComponent(token)}&amp;page=${n}">${label}</a>`;
  const nav =
    `<nav>${p.total} message(s), page ${p.page} of ${p.pages} ` +
    `${p.page > 1 ? link(p.page - 1, '&larr; newer') : ''} ${p.page < p.pages ? link(p.page + 1, 'older &rarr;') : ''}</nav>`;
  const rows = p.items
    .map(
      (m) =>
        `<tr><td>${m.id}</td><td>${escape(m.sentAt)}</td><td>${escape(m.to)}</td>` +
        `<td><a href="view/${m.id}?token=${encodeURIComponent(token)}">${escape(m.subject)}</a></td>` +
        `<td>${escape(m.campaignId)}</td><td>${escape(m.stepId)}</td></tr>`,
    )
    .join('');
  return (
    `${PAGE_HEAD}<h1>Sent mail</h1>${nav}<table><tr><th>#</th><th>sent (local clock)</th><th>to</th>` +
    `<th>subject</th><th>campaign</th><th>step</th></tr>${rows}</table>${nav}`
  );
}

function messagePage(m: SentMailWithBody, token: string): string {
  return (
    `${PAGE_HEAD}<p><a href="../view?token=${encodeURIComponent(token)}">&larr; all mail</a></p>` +
    `<h1>${escape(m.subject)}</h1><p>to ${escape(m.to)} from ${escape(m.from)}, ${escape(m.sentAt)}; ` +
    `campaign ${escape(m.campaignId)}, step ${escape(m.stepId)}, account ${escape(m.accountId)}</p>` +
    // The mail's own HTML, sandboxed: no script, no access to this page.
    `<iframe sandbox srcdoc="${escape(m.html)}"></iframe><pre>${escape(m.text)}</pre>`
  );
}

const Page = z.coerce.number().int().min(1).max(1_000_000).default(1);
const Id = z.object({ id: z.coerce.number().int().min(1) });

export function localMailRoutes(store: SentMailStore, apiToken: string): Route[] {
  const expected = Buffer.from(apiToken);
  const checkToken = (given: string | undefined) => {
    const b = Buffer.from(given ?? '');
    if (b.length !== expected.length || !timingSafeEqual(b, expected))
      throw new Unauthorized('the viewer needs ?token= (the API token local mode printed)');
    return given!;
  };
  const html = (body: string) => ({
    status: 200,
    raw: body,
    contentType: 'text/html; charset=utf-8',
    headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  });
  const found = (id: number) => {
    const m = store.get(id);
    if (!m) throw new NotFound(`no sent mail ${id}`);
    return m;
  };
  return [
    route({
      method: 'GET',
      path: LOCAL_MAIL_PATH,
      operationId: 'localMail',
      summary: 'Local mode: the mail sent, newest first, a page at a time',
      tags: ['local'],
      auth: 'iam',
      query: z.object({
        page: Page,
        limit: z.coerce.number().int().min(1).max(500).default(50),
        campaignId: z.string().max(200).optional(),
        stepId: z.string().max(200).optional(),
        to: z.string().max(320).optional(),
      }),
      responses: { 200: { description: 'a page of sent mail' } },
      handler: async ({ query }) => ({ status: 200, body: store.page(query) }),
    }),
    route({
      method: 'GET',
      path: `${LOCAL_MAIL_PATH}/view`,
      operationId: 'localMailViewer',
      summary: 'Local mode: the sent-mail viewer (HTML; ?token=)',
      tags: ['local'],
      auth: 'none',
      query: z.object({ token: z.string().max(200).optional(), page: Page }),
      responses: { 200: { description: 'the viewer', html: true } },
      handler: async ({ query }) => html(listPage(store, query.page, checkToken(query.token))),
    }),
    route({
      method: 'GET',
      path: `${LOCAL_MAIL_PATH}/view/{id}`,
      operationId: 'localMailViewerMessage',
      summary: 'Local mode: one sent message in the viewer (HTML; ?token=)',
      tags: ['local'],
      auth: 'none',
      params: Id,
      query: z.object({ token: z.string().max(200).optional() }),
      responses: { 200: { description: 'one message', html: true } },
      handler: async ({ params, query }) => {
        const token = checkToken(query.token);
        return html(messagePage(found(params.id), token));
      },
    }),
    route({
      method: 'GET',
      path: `${LOCAL_MAIL_PATH}/{id}`,
      operationId: 'localMailMessage',
      summary: 'Local mode: one sent message with its bodies',
      tags: ['local'],
      auth: 'iam',
      params: Id,
      responses: { 200: { description: 'one message' } },
      handler: async ({ params }) => ({ status: 200, body: found(params.id) }),
    }),
  ];
}
