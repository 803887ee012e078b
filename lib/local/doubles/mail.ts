/**
 * Test doubles of the print-and-mail providers, Lob and PostGrid (local mode, contract tests, the
 * mail bench): one HTTP server each on 127.0.0.1, holding the pieces each was asked to make. Each
 * checks what its provider's documentation requires (the adapters cite the pages:
 * functions/platform/providers/mail/lob.ts, postgrid.ts):
 *
 * - Lob: `POST /v1/letters` | `/v1/postcards`, `DELETE|GET /v1/{letters|postcards}/{id}`; HTTP
 *   Basic with the API key as the user and an empty password (401 otherwise); a JSON body with an
 *   inline `to` (name, address_line1, address_city, address_zip, address_country, and
 *   address_state for a US address), `from`, `use_type` (marketing | operational), for a letter
 *   `file` and a boolean `color`, for a postcard `front`, `back` and a `size` of 4x6, 6x9 or 6x11;
 *   `metadata` of at most 20 string values (keys up to 40 characters, values up to 500);
 *   `Idempotency-Key` (up to 256 characters): a key seen before answers with the piece it made.
 * - PostGrid: `POST /print-mail/v1/letters` | `/postcards`, `GET` (list, `search` by metadata),
 *   `DELETE .../{id}`; `x-api-key`; a JSON body with `to` (addressLine1, city, postalOrZip,
 *   countryCode, and firstName or companyName), `from`, for a letter `template`, for a postcard
 *   `frontTemplate`, `backTemplate` and a `size` of 6x4, 9x6 or 11x6. Whether it honours
 *   `Idempotency-Key` is a switch (`postgridHonoursIdempotencyKey`, default true): PostGrid's pages
 *   do not say, and the adapter must make one piece either way.
 *
 * A piece can be cancelled until its send date (`cancelWindowMs` after it was made; Lob's default
 * window is minutes to hours, per account), after which both refuse. Faults (lib/local/doubles/
 * shared.ts) apply to creates after validation: `throttle` (429 + Retry-After, nothing made),
 * `error` (500, nothing made), `hang` (the piece is made, no answer ever comes).
 *
 * Each double signs tracking webhooks as its provider does (`deliveredWebhook`), for the receivers'
 * contract tests and the local e2e: Lob `Lob-Signature` = hex HMAC-SHA256 of
 * `timestamp + "." + body` with `Lob-Signature-Timestamp`; PostGrid `PostGrid-Signature:
 * t=<ms>,v1=<hex HMAC-SHA256 of t + "." + body>`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  Faults,
  parseJson,
  startDouble,
  type DoubleRequest,
  type DoubleResponse,
  type RequestDetail,
  type RequestRecord,
} from './shared';

export type MailProviderName = 'lob' | 'postgrid';

export interface HeldPiece {
  id: string;
  kind: 'letter' | 'postcard';
  /** The Idempotency-Key it was made with (absent when none was sent). */
  idempotencyKey?: string;
  metadata: Record<string, string>;
  /** The request body that made it. */
  body: Record<string, unknown>;
  status: 'ready' | 'cancelled';
  createdAt: number;
  sendDate: number;
}

export interface MailDoubleSecrets {
  lob: { apiKey: string };
  postgrid: { apiKey: string };
}

/** The keys the doubles take: test keys (nothing is ever mailed), as each provider prefixes them. */
export const LOCAL_MAIL_SECRETS: MailDoubleSecrets = {
  lob: { apiKey: 'test_local_lob_key' },
  postgrid: { apiKey: 'test_sk_local_postgrid_key' },
};

export interface MailDoublesOptions {
  providers?: MailProviderName[];
  secrets?: Partial<MailDoubleSecrets>;
  /** How long after it is made a piece may still be cancelled (default 5 minutes). */
  cancelWindowMs?: number;
  /** Whether the PostGrid double dedupes creates by `Idempotency-Key` (default true). */
  postgridHonoursIdempotencyKey?: boolean;
  /** The doubles' clock (ms since the epoch). */
  now?: () => number;
  faults?: Faults;
  seed?: number;
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

export interface MailDoubleSnapshot {
  provider: MailProviderName;
  requests: RequestRecord[];
  audiences: never[];
  pieces: {
    id: string;
    kind: string;
    status: string;
    idempotencyKey?: string;
    metadata: Record<string, string>;
  }[];
}

export interface MailDoubles {
  baseUrlFor(provider: MailProviderName): string;
  secrets: MailDoubleSecrets;
  faults: Faults;
  /** The pieces a provider holds now (cancelled ones included, with their status). */
  pieces(provider: MailProviderName): HeldPiece[];
  /** Creates that named an idempotency key already held (answered with the piece it made). */
  repeatedKeys(provider: MailProviderName): number;
  details(provider: MailProviderName): RequestDetail[];
  snapshot(): { providers: MailDoubleSnapshot[] };
  /** A delivery tracking event for a piece, signed with `secret` as the provider signs it. */
  deliveredWebhook(
    provider: MailProviderName,
    pieceId: string,
    secret: string,
    options?: { timestamp?: number; eventId?: string },
  ): SignedWebhook;
  close(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const error = (status: number, message: string): DoubleResponse => ({
  status,
  body: { error: { message, status_code: status } },
});

function checkMetadata(metadata: unknown): string | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return 'metadata must be an object';
  const entries = Object.entries(metadata);
  if (entries.length > 20) return 'metadata: at most 20 keys';
  for (const [k, v] of entries) {
    if (k.length > 40) return `metadata key ${k} is longer than 40 characters`;
    if (typeof v !== 'string' || v.length > 500)
      return `metadata.${k} must be a string of at most 500 characters`;
  }
  return undefined;
}

const str = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** A create's JSON body with its inline `to`, each required field of `to` present; or the refusal. */
function createBody(
  req: DoubleRequest,
  invalid: number,
  toFields: readonly string[],
): { body: Record<string, unknown>; to: Record<string, unknown> } | DoubleResponse {
  if (req.method !== 'POST') return error(405, `${req.method} is not allowed`);
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    return error(415, 'JSON body required');
  const body = parseJson(req.body) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return error(400, 'a JSON object is required');
  const to = body.to as Record<string, unknown> | undefined;
  if (!to || typeof to !== 'object') return error(invalid, 'to is required');
  for (const f of toFields) if (!str(to[f])) return error(invalid, `to.${f} is required`);
  return { body, to };
}

class PieceStore {
  readonly pieces = new Map<string, HeldPiece>();
  readonly byKey = new Map<string, string>();
  repeatedKeys = 0;
}

export async function startMailDoubles(opts: MailDoublesOptions = {}): Promise<MailDoubles> {
  const faults = opts.faults ?? new Faults(opts.seed ?? 1);
  const secrets: MailDoubleSecrets = { ...LOCAL_MAIL_SECRETS, ...opts.secrets };
  const now = opts.now ?? Date.now;
  const window = opts.cancelWindowMs ?? 5 * 60_000;
  const honourPostGridKey = opts.postgridHonoursIdempotencyKey ?? true;
  const wanted = opts.providers ?? ['lob', 'postgrid'];
  const stores = new Map<MailProviderName, PieceStore>();
  const servers = new Map<MailProviderName, Awaited<ReturnType<typeof startDouble>>>();

  /** Makes the piece (or finds the one the key made), then applies the fault. */
  function create(
    provider: MailProviderName,
    store: PieceStore,
    req: DoubleRequest,
    kind: 'letter' | 'postcard',
    body: Record<string, unknown>,
    honourKey: boolean,
    present: (p: HeldPiece) => unknown,
  ): DoubleResponse {
    const key = req.headers['idempotency-key'] as string | undefined;
    if (key !== undefined && (key.length === 0 || key.length > 256))
      return error(422, 'Idempotency-Key must be 1 to 256 characters');
    const fault = faults.next(provider);
    if (fault === 'throttle')
      return {
        status: 429,
        headers: { 'retry-after': String(faults.retryAfterSeconds) },
        body: { error: { message: 'Too Many Requests', status_code: 429 } },
      };
    if (fault === 'error') return error(500, 'Internal Server Error');
    const knownId = honourKey && key ? store.byKey.get(key) : undefined;
    let piece = knownId ? store.pieces.get(knownId) : undefined;
    if (piece) store.repeatedKeys++;
    else {
      const created = now();
      piece = {
        id: provider === 'lob' ? `${kind === 'letter' ? 'ltr' : 'psc'}_${hex(8)}` : `${kind}_${hex(10)}`,
        kind,
        ...(key ? { idempotencyKey: key } : {}),
        metadata: (body.metadata as Record<string, string> | undefined) ?? {},
        body,
        status: 'ready',
        createdAt: created,
        sendDate: created + window,
      };
      store.pieces.set(piece.id, piece);
      if (key && honourKey) store.byKey.set(key, piece.id);
    }
    if (fault === 'hang') return { hang: true };
    return { status: 200, body: present(piece) };
  }

  function cancel(store: PieceStore, id: string, present: (p: HeldPiece) => unknown): DoubleResponse {
    const piece = store.pieces.get(id);
    if (!piece) return error(404, `no piece ${id}`);
    if (piece.status === 'cancelled') return { status: 200, body: present(piece) };
    if (now() >= piece.sendDate)
      return error(422, 'this piece is past its cancellation window and cannot be cancelled');
    piece.status = 'cancelled';
    return { status: 200, body: present(piece) };
  }

  const lobPresent = (p: HeldPiece) => ({
    id: p.id,
    object: p.kind,
    metadata: p.metadata,
    to: p.body.to,
    from: p.body.from,
    send_date: new Date(p.sendDate).toISOString(),
    deleted: p.status === 'cancelled' ? true : undefined,
  });

  function lob(store: PieceStore, apiKey: string) {
    const expected = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    return (req: DoubleRequest): DoubleResponse => {
      const m = /^\/v1\/(letters|postcards)(?:\/([^/]+))?$/.exec(req.path);
      if (!m) return error(404, `no resource ${req.path}`);
      if (req.headers.authorization !== expected) return error(401, 'Your API key is not valid.');
      const kind = m[1] === 'letters' ? 'letter' : 'postcard';
      if (m[2]) {
        if (req.method === 'DELETE') return cancel(store, m[2], lobPresent);
        if (req.method === 'GET') {
          const p = store.pieces.get(m[2]);
          return p ? { status: 200, body: lobPresent(p) } : error(404, `no piece ${m[2]}`);
        }
        return error(405, `${req.method} is not allowed`);
      }
      const parsed = createBody(req, 422, [
        'name',
        'address_line1',
        'address_city',
        'address_zip',
        'address_country',
      ]);
      if (!('to' in parsed)) return parsed;
      const { body, to } = parsed;
      if (to.address_country === 'US' && !str(to.address_state))
        return error(422, 'to.address_state is required');
      if (!str(body.from)) return error(422, 'from is required');
      if (body.use_type !== 'marketing' && body.use_type !== 'operational')
        return error(422, 'use_type must be marketing or operational');
      if (kind === 'letter') {
        if (!str(body.file)) return error(422, 'file is required');
        if (typeof body.color !== 'boolean') return error(422, 'color is required (a boolean)');
      } else {
        if (!str(body.front) || !str(body.back)) return error(422, 'front and back are required');
        if (!['4x6', '6x9', '6x11'].includes(String(body.size)))
          return error(422, 'size must be 4x6, 6x9 or 6x11');
      }
      const meta = checkMetadata(body.metadata);
      if (meta) return error(422, meta);
      return create('lob', store, req, kind, body, true, lobPresent);
    };
  }

  const pgPresent = (p: HeldPiece) => ({
    id: p.id,
    object: p.kind,
    status: p.status,
    createdAt: new Date(p.createdAt).toISOString(),
    live: false,
    metadata: p.metadata,
    to: p.body.to,
    from: p.body.from,
    sendDate: new Date(p.sendDate).toISOString(),
  });

  function postgrid(store: PieceStore, apiKey: string) {
    return (req: DoubleRequest): DoubleResponse => {
      const m = /^\/print-mail\/v1\/(letters|postcards)(?:\/([^/]+))?$/.exec(req.path);
      if (!m) return error(404, `no resource ${req.path}`);
      if (req.headers['x-api-key'] !== apiKey) return error(401, 'Invalid API key');
      const kind = m[1] === 'letters' ? 'letter' : 'postcard';
      if (m[2]) {
        if (req.method === 'DELETE') return cancel(store, m[2], pgPresent);
        return error(405, `${req.method} is not allowed`);
      }
      if (req.method === 'GET') {
        const search = req.query.search
          ? (parseJson(req.query.search) as { metadata?: Record<string, string> })
          : {};
        const wantedMeta = Object.entries(search?.metadata ?? {});
        const data = [...store.pieces.values()]
          .filter((p) => p.kind === kind && wantedMeta.every(([k, v]) => p.metadata[k] === v))
          .map(pgPresent);
        return { status: 200, body: { object: 'list', totalCount: data.length, data } };
      }
      const parsed = createBody(req, 400, ['addressLine1', 'city', 'postalOrZip', 'countryCode']);
      if (!('to' in parsed)) return parsed;
      const { body, to } = parsed;
      if (!str(to.firstName) && !str(to.companyName))
        return error(400, 'to needs a firstName or a companyName');
      if (!str(body.from)) return error(400, 'from is required');
      if (kind === 'letter') {
        if (!str(body.template)) return error(400, 'template is required');
      } else {
        if (!str(body.frontTemplate) || !str(body.backTemplate))
          return error(400, 'frontTemplate and backTemplate are required');
        if (!['6x4', '9x6', '11x6'].includes(String(body.size)))
          return error(400, 'size must be 6x4, 9x6 or 11x6');
      }
      const meta = checkMetadata(body.metadata);
      if (meta) return error(400, meta);
      return create('postgrid', store, req, kind, body, honourPostGridKey, pgPresent);
    };
  }

  for (const provider of wanted) {
    const store = new PieceStore();
    stores.set(provider, store);
    servers.set(
      provider,
      await startDouble(
        provider,
        new Map(),
        provider === 'lob' ? lob(store, secrets.lob.apiKey) : postgrid(store, secrets.postgrid.apiKey),
      ),
    );
  }
  const server = (provider: MailProviderName) => {
    const s = servers.get(provider);
    if (!s) throw new Error(`no ${provider} double was started`);
    return s;
  };
  const store = (provider: MailProviderName) => {
    server(provider);
    return stores.get(provider)!;
  };

  return {
    baseUrlFor: (provider) => server(provider).baseUrl,
    secrets,
    faults,
    pieces: (provider) => [...store(provider).pieces.values()],
    repeatedKeys: (provider) => store(provider).repeatedKeys,
    details: (provider) => server(provider).details,
    snapshot: () => ({
      providers: [...servers].map(([provider, s]) => ({
        provider,
        requests: s.snapshot().requests,
        audiences: [],
        pieces: [...stores.get(provider)!.pieces.values()].map((p) => ({
          id: p.id,
          kind: p.kind,
          status: p.status,
          ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
          metadata: p.metadata,
        })),
      })),
    }),
    deliveredWebhook(provider, pieceId, secret, options = {}): SignedWebhook {
      const piece = store(provider).pieces.get(pieceId);
      if (!piece) throw new Error(`no ${provider} piece ${pieceId}`);
      const at = options.timestamp ?? now();
      if (provider === 'lob') {
        const body = JSON.stringify({
          id: options.eventId ?? `evt_${hex(8)}`,
          object: 'event',
          reference_id: piece.id,
          date_created: new Date(at).toISOString(),
          event_type: {
            id: `${piece.kind}.delivered`,
            resource: `${piece.kind}s`,
            enabled_for_test: true,
            object: 'event_type',
          },
          body: lobPresent(piece),
        });
        const timestamp = String(at);
        const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
        return {
          body,
          headers: {
            'content-type': 'application/json',
            'lob-signature': signature,
            'lob-signature-timestamp': timestamp,
          },
        };
      }
      const body = JSON.stringify({
        id: options.eventId ?? `event_${hex(10)}`,
        object: 'event',
        type: `${piece.kind}.updated`,
        createdAt: new Date(at).toISOString(),
        data: { ...pgPresent(piece), status: 'completed', imbStatus: 'delivered' },
      });
      const t = String(at);
      const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      return {
        body,
        headers: { 'content-type': 'application/json', 'postgrid-signature': `t=${t},v1=${v1}` },
      };
    },
    close: async () => {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}
