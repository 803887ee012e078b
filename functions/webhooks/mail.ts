/**
 * The tracking webhooks of the print-and-mail providers (`POST /webhooks/lob`,
 * `POST /webhooks/postgrid`): a delivered piece becomes `direct_mail.delivered` engagement on the
 * account its metadata names (the adapters put accountId, campaignId, contactId and touchId on
 * every piece: functions/platform/providers/mail/shared.ts).
 *
 * Verification, with the secret named by `providers.directMail.webhookSecretName` (`{ "secret" }`):
 * - Lob (https://help.lob.com/print-and-mail/getting-data-and-results/using-webhooks, "securing
 *   your endpoint"): `Lob-Signature` is the hex HMAC-SHA256, keyed with the webhook's secret, of
 *   `Lob-Signature-Timestamp + "." + body`;
 * - PostGrid (https://postgrid.readme.io/docs/manually-verifying-webhook-signatures and
 *   https://postgrid.readme.io/reference/webhooks, "Verifying JSON Payloads"): `PostGrid-Signature:
 *   t=<timestamp>,v1=<hex HMAC-SHA256 of t + "." + raw body>` (the JSON payload format; the JWT
 *   format is not accepted: choose JSON when creating the webhook).
 * Both: compared in constant time, and the timestamp must lie within `WEBHOOK_TOLERANCE_MS` of now
 * (a replay of a captured request later is refused; a replay inside the window is a duplicate event
 * id, which functions/webhooks/service.ts applies once). A timestamp is read as Unix seconds or
 * milliseconds (PostGrid's two pages give one each) or an ISO date.
 *
 * Delivered: Lob's `letter.delivered` / `postcard.delivered` event types; PostGrid's
 * `letter.updated` / `postcard.updated` whose piece reports `imbStatus: "delivered"` (USPS
 * Intelligent Mail barcode tracking; an assumption, docs/providers.md). Other events are
 * acknowledged (their id recorded) and change nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseDirectMailSettings } from '../kernel/direct-mail-providers';
import {
  WebhookRefused,
  type ReceiverFactory,
  type WebhookDelivery,
  type WebhookProvider,
  type WebhookReceiver,
  type WebhookRequest,
} from './port';

/** How far a signed timestamp may lie from now (five minutes, the usual tolerance). */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/** The webhook secret's signing key: `{ "secret" }`, or the SecretString itself. */
export function webhookKey(provider: string, secret: unknown): string {
  if (typeof secret === 'string' && secret !== '') return secret;
  const s = (secret as { secret?: unknown } | undefined)?.secret;
  if (typeof s !== 'string' || s === '')
    throw new Error(`${provider}: the webhook secret must be a JSON object with "secret"`);
  return s;
}

/** Milliseconds since the epoch from a signed timestamp (seconds, milliseconds or ISO). */
export function timestampMs(value: string): number | undefined {
  const v = value.trim();
  if (/^\d{1,16}$/.test(v)) {
    const n = Number(v);
    return n >= 1e12 ? n : n * 1000;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : at;
}

function verify(key: string, timestamp: string, rawBody: string, givenHex: string[], now: Date): void {
  const at = timestampMs(timestamp);
  if (at === undefined) throw new WebhookRefused('unreadable signature timestamp');
  if (Math.abs(now.getTime() - at) > WEBHOOK_TOLERANCE_MS)
    throw new WebhookRefused(
      `signature timestamp ${new Date(at).toISOString()} is outside the ${WEBHOOK_TOLERANCE_MS / 60_000}-minute window`,
    );
  const expected = createHmac('sha256', key).update(`${timestamp}.${rawBody}`).digest();
  const ok = givenHex.some((h) => {
    const given = /^[0-9a-f]+$/i.test(h) ? Buffer.from(h, 'hex') : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookRefused('bad signature');
}

interface PieceInfo {
  id?: unknown;
  metadata?: Record<string, unknown>;
}

/** `direct_mail.delivered` on the account the piece's metadata names (nothing when it names none). */
function delivered(provider: WebhookProvider, eventId: string, occurredAt: string, piece: PieceInfo) {
  const meta = piece.metadata ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const accountId = text(meta.accountId);
  if (!accountId) return [];
  const contactId = text(meta.contactId);
  return [
    {
      kind: 'engagement' as const,
      event: {
        eventId: `${provider}-${eventId}`,
        type: 'direct_mail.delivered',
        occurredAt,
        accountId,
        ...(contactId ? { contactId } : {}),
        properties: {
          provider,
          pieceId: text(piece.id),
          campaignId: text(meta.campaignId),
          touchId: text(meta.touchId),
        },
      },
    },
  ];
}

function parseBody(rawBody: string): Record<string, unknown> {
  try {
    const body = JSON.parse(rawBody) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw new WebhookRefused('the body is not a JSON object');
}

const isoOr = (value: unknown, fallback: Date) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? new Date(value).toISOString()
    : fallback.toISOString();

export class LobWebhookReceiver implements WebhookReceiver {
  readonly provider = 'lob' as const;
  constructor(readonly secretName: string) {}

  async receive(req: WebhookRequest, context: { secret: unknown; now: Date }): Promise<WebhookDelivery[]> {
    const signature = req.headers['lob-signature'];
    const timestamp = req.headers['lob-signature-timestamp'];
    if (!signature || !timestamp) throw new WebhookRefused('no Lob-Signature or Lob-Signature-Timestamp');
    verify(webhookKey('lob', context.secret), timestamp, req.rawBody, [signature], context.now);
    const body = parseBody(req.rawBody);
    if (typeof body.id !== 'string' || body.id === '') throw new WebhookRefused('the event has no id');
    const type = (body.event_type as { id?: unknown } | undefined)?.id;
    const effects =
      type === 'letter.delivered' || type === 'postcard.delivered'
        ? delivered('lob', body.id, isoOr(body.date_created, context.now), (body.body ?? {}) as PieceInfo)
        : [];
    return [{ eventId: body.id, effects }];
  }
}

export class PostGridWebhookReceiver implements WebhookReceiver {
  readonly provider = 'postgrid' as const;
  constructor(readonly secretName: string) {}

  async receive(req: WebhookRequest, context: { secret: unknown; now: Date }): Promise<WebhookDelivery[]> {
    const header = req.headers['postgrid-signature'];
    if (!header) throw new WebhookRefused('no PostGrid-Signature');
    const parts = header.split(',').map((p) => p.trim().split('='));
    const t = parts.find(([k]) => k === 't')?.[1];
    const v1 = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
    if (!t || v1.length === 0) throw new WebhookRefused('PostGrid-Signature needs t= and v1=');
    verify(webhookKey('postgrid', context.secret), t, req.rawBody, v1, context.now);
    const body = parseBody(req.rawBody);
    if (typeof body.id !== 'string' || body.id === '') throw new WebhookRefused('the event has no id');
    const data = (body.data ?? {}) as PieceInfo & { imbStatus?: unknown };
    const effects =
      (body.type === 'letter.updated' || body.type === 'postcard.updated') && data.imbStatus === 'delivered'
        ? delivered('postgrid', body.id, isoOr(body.createdAt, context.now), data)
        : [];
    return [{ eventId: body.id, effects }];
  }
}

/** The receiver of the configured print-and-mail provider, when it is `provider`. */
function mailReceiver(provider: 'lob' | 'postgrid'): ReceiverFactory {
  return (platform) => {
    const settings = parseDirectMailSettings(platform.config.directMailProvider);
    if (settings.provider !== provider) return undefined;
    return provider === 'lob'
      ? new LobWebhookReceiver(settings.webhookSecretName)
      : new PostGridWebhookReceiver(settings.webhookSecretName);
  };
}

export const lobReceiver = mailReceiver('lob');
export const postgridReceiver = mailReceiver('postgrid');
