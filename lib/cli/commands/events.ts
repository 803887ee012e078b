/** `abm events send [FILE]`: ingest engagement events from a file or from flags. */
import { randomUUID } from 'node:crypto';
import { list, str, stringOption, type Command, type CommandContext } from '../command';
import { CliError, ExitCode, inputFileError, usageError } from '../errors';
import { parseStructured, readInput } from '../files';
import { plural, positiveInt, rejectedTable, type Rejected } from './shared';

export const DEFAULT_EVENT_CHUNK = 500;

/** `k=v` -> properties; values that read as numbers or booleans become those. */
export function parseProps(pairs: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--prop expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    props[key] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && /^-?\d+(\.\d+)?$/.test(raw)
            ? Number(raw)
            : raw;
  }
  return props;
}

/**
 * "Now" on the server's clock (GET /health `time`): local mode's clock may be simulated or skipped
 * ahead, and an event dated by this machine's clock would then be days old or in the future. This
 * machine's clock when the server does not say.
 */
async function serverNow(ctx: CommandContext): Promise<string> {
  try {
    const { body } = await ctx.client().send<{ time?: string }>({ method: 'GET', path: '/health' });
    if (body?.time && !Number.isNaN(Date.parse(body.time))) return body.time;
  } catch {
    // the send of the event itself reports an unreachable server
  }
  return ctx.io.now().toISOString();
}

async function eventFromFlags(ctx: CommandContext): Promise<Record<string, unknown>> {
  const f = ctx.flags;
  const type = str(f, 'type');
  if (!type)
    throw usageError(
      'give a FILE of events, or --type with --account/--email',
      'Run `abm events send --help`.',
    );
  const accountId = str(f, 'account');
  const contactEmail = str(f, 'email');
  const domain = str(f, 'domain');
  if (!accountId && !contactEmail && !domain)
    throw usageError('name the account: --account ID, --email ADDRESS or --domain');
  const at = str(f, 'at');
  if (at !== undefined && Number.isNaN(Date.parse(at))) {
    throw usageError(`--at expects an ISO 8601 timestamp such as 2026-11-22T10:00:00Z, got "${at}"`);
  }
  return {
    eventId: str(f, 'event-id') ?? `cli-${randomUUID()}`,
    type,
    occurredAt: at ?? (await serverNow(ctx)),
    ...(accountId ? { accountId } : {}),
    ...(contactEmail ? { contactEmail } : {}),
    ...(domain ? { domain } : {}),
    ...(str(f, 'contact') ? { contactId: str(f, 'contact') } : {}),
    properties: parseProps(list(f, 'prop')),
  };
}

async function send(ctx: CommandContext): Promise<number> {
  const path = ctx.args[0];
  const flagged = ['type', 'account', 'email', 'domain', 'contact', 'at', 'prop', 'event-id'].filter(
    (k) => ctx.flags[k] !== undefined,
  );
  let events: unknown[];
  if (path) {
    if (flagged.length)
      throw usageError(
        `give either a FILE or event flags, not both (got ${flagged.map((k) => `--${k}`).join(', ')})`,
      );
    const file = await readInput(path, ctx.io.cwd);
    const doc = parseStructured(file);
    const list = Array.isArray(doc) ? doc : (doc as { events?: unknown } | null)?.events;
    if (!Array.isArray(list))
      throw inputFileError(path, 'expected {"events": [...]}, an array of events or JSON Lines');
    if (!list.length) throw inputFileError(path, 'no events in the file');
    events = list;
  } else {
    events = [await eventFromFlags(ctx)];
  }
  const size = positiveInt(str(ctx.flags, 'chunk-size'), 'chunk-size') ?? DEFAULT_EVENT_CHUNK;
  const client = ctx.client();
  let accepted = 0;
  let requests = 0;
  const rejected: Rejected[] = [];
  for (let offset = 0; offset < events.length; offset += size) {
    const slice = events.slice(offset, offset + size);
    try {
      const { body } = await client.send<{ accepted?: number; rejected?: Rejected[] }>({
        method: 'POST',
        path: '/events',
        json: { events: slice },
      });
      requests++;
      accepted += Number(body?.accepted ?? 0);
      for (const r of body?.rejected ?? []) {
        // Re-base positions to the whole file: `row` counts from 1, `index` from 0.
        const local =
          typeof r.row === 'number' ? r.row - 1 : typeof r.index === 'number' ? r.index : undefined;
        const ev = local !== undefined ? (slice[local] as { eventId?: unknown } | undefined) : undefined;
        rejected.push({
          ...r,
          ...(typeof r.row === 'number' ? { row: offset + r.row } : {}),
          ...(typeof r.index === 'number' ? { index: offset + r.index, row: offset + r.index + 1 } : {}),
          ...(r.eventId === undefined && typeof ev?.eventId === 'string' ? { eventId: ev.eventId } : {}),
        });
      }
    } catch (err) {
      if (err instanceof CliError && offset > 0) {
        throw new CliError(
          err.exitCode,
          err.message,
          [
            ...err.detailLines,
            `events 1-${offset} were sent (${accepted} accepted, ${rejected.length} rejected); events ${offset + 1}-${events.length} were not`,
          ],
          err.apiError,
          err.status,
        );
      }
      throw err;
    }
  }
  const result = { sent: events.length, requests, accepted, rejected };
  ctx.out.result(result, () => {
    const p = ctx.out.paint;
    const head = `${p('green', `${accepted} accepted`)}, ${rejected.length ? p('red', `${rejected.length} rejected`) : '0 rejected'} of ${plural(events.length, 'event')}`;
    return rejected.length ? `${head}\n\n${rejectedTable(rejected, ctx.out)}` : head;
  });
  return rejected.length ? ExitCode.Partial : ExitCode.Ok;
}

export const eventCommands: Command[] = [
  {
    path: ['events', 'send'],
    summary: 'send engagement events (web visit, intent, meeting, CRM stage...) from a file or flags',
    description:
      'FILE: JSON {"events": [...]}, an array, JSON Lines (.jsonl) or YAML, sent in chunks of --chunk-size.\nWithout FILE one event is built from the flags (eventId generated, occurredAt = the server\'s now unless --at).\nExit code 5 when some events were rejected.',
    args: [{ name: 'FILE', required: false, description: 'events file (or use the flags below)' }],
    options: {
      type: stringOption(
        'TYPE',
        'event type, e.g. web.visit, content.downloaded, event.attended, meeting.booked, crm.stage_changed',
      ),
      account: stringOption('ACCOUNT_ID', 'the account'),
      email: stringOption('ADDRESS', "the contact's email (resolves the account)"),
      domain: stringOption('DOMAIN', "the account's domain (resolves the account)"),
      contact: stringOption('CONTACT_ID', 'the contact id'),
      at: stringOption('TIME', "when it happened, ISO 8601 (default: the server's now, GET /health)"),
      prop: { ...stringOption('KEY=VALUE', 'a property, e.g. --prop page=/pricing'), multiple: true },
      'event-id': stringOption('ID', 'event id for deduplication (default: generated)'),
      'chunk-size': stringOption('N', `events per request (default ${DEFAULT_EVENT_CHUNK})`),
    },
    examples: [
      'abm events send --type web.visit --email dana@northwind.example --prop page=/pricing',
      'abm events send --type crm.stage_changed --account northwind-retail --prop stage=opportunity',
      'abm events send events.jsonl',
    ],
    run: send,
  },
];
