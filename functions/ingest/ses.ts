/**
 * SES event normaliser: an SES configuration-set event on the default bus
 * (source aws.ses) becomes one `engagement.recorded` per recipient; a hard bounce or a complaint
 * also suppresses the address for email. The engine tags every email with accountId, contactId,
 * campaignId and stepId (SES message tags, `mail.tags`); without tags the recipient's address
 * resolves the account.
 *
 * Event ids are deterministic (message id + type, + the event's own timestamp for repeatable
 * opens and clicks), so a redelivered SES event is deduplicated by the scorer.
 */
import { SesEventDetail } from '../kernel/event-schemas/ses';
import type { Platform } from '../platform/compose';
import {
  busEvent,
  DETAIL_TYPES,
  SES_DETAIL_TYPES,
  SES_TAGS,
  type EngagementRecordedDetail,
} from '../kernel/events';
import { ingestionDeps, type IngestionDeps } from './resolver';

export interface SesEventBridgeEvent {
  id?: string;
  source: string;
  'detail-type': string;
  time?: string;
  detail: unknown;
}

export type SesNormaliserDeps = IngestionDeps;

export interface SesNormaliseResult {
  published: number;
  suppressed: string[];
  unresolved: string[];
  ignored?: string;
}

const tag = (tags: Record<string, string[]>, name: string): string | undefined =>
  tags[name]?.[0] || undefined;

/** The SES normaliser of a platform; a resolver per event (its cache must not outlive it). */
export function sesNormaliserFeature(platform: Platform) {
  return (event: SesEventBridgeEvent): Promise<SesNormaliseResult> =>
    createSesNormaliser(ingestionDeps(platform, 'ses'))(event);
}

export function createSesNormaliser(deps: SesNormaliserDeps) {
  return async function normalise(event: SesEventBridgeEvent): Promise<SesNormaliseResult> {
    const result: SesNormaliseResult = { published: 0, suppressed: [], unresolved: [] };
    const type = SES_DETAIL_TYPES[event['detail-type'] as keyof typeof SES_DETAIL_TYPES];
    if (!type) return { ...result, ignored: `detail-type ${event['detail-type']}` };
    const detail = SesEventDetail.parse(event.detail);
    const { mail } = detail;

    // Suppression first: it protects people even when the account is unknown.
    if (type === 'email.bounced' && detail.bounce?.bounceType === 'Permanent') {
      for (const r of detail.bounce.bouncedRecipients) {
        await deps.suppress(r.emailAddress, 'hard_bounce');
        result.suppressed.push(r.emailAddress.toLowerCase());
      }
    }
    if (type === 'email.complained') {
      for (const r of detail.complaint?.complainedRecipients ?? []) {
        await deps.suppress(r.emailAddress, 'complaint');
        result.suppressed.push(r.emailAddress.toLowerCase());
      }
    }

    const sub = detail.open ?? detail.click ?? detail.bounce ?? detail.complaint ?? detail.delivery;
    const occurredAt =
      toIso(sub?.timestamp) ?? toIso(mail.timestamp) ?? toIso(event.time) ?? deps.clock.now().toISOString();
    const repeatable = type === 'email.opened' || type === 'email.clicked';
    const baseId = `ses:${mail.messageId}:${type}${repeatable ? `:${occurredAt}` : ''}`;
    const recipients =
      type === 'email.bounced'
        ? (detail.bounce?.bouncedRecipients.map((r) => r.emailAddress) ?? mail.destination)
        : type === 'email.complained'
          ? (detail.complaint?.complainedRecipients.map((r) => r.emailAddress) ?? mail.destination)
          : mail.destination;
    const taggedAccount = tag(mail.tags, SES_TAGS.accountId);
    const taggedContact = tag(mail.tags, SES_TAGS.contactId);
    const properties: Record<string, unknown> = {
      messageId: mail.messageId,
      ...(tag(mail.tags, SES_TAGS.campaignId) ? { campaignId: tag(mail.tags, SES_TAGS.campaignId) } : {}),
      ...(tag(mail.tags, SES_TAGS.stepId) ? { stepId: tag(mail.tags, SES_TAGS.stepId) } : {}),
      ...(detail.click?.link ? { link: detail.click.link } : {}),
      ...(detail.bounce?.bounceType ? { bounceType: detail.bounce.bounceType } : {}),
      ...(detail.reject?.reason ? { rejectReason: detail.reject.reason } : {}),
    };

    const outbound: EngagementRecordedDetail[] = [];
    // One recipient per email is the engine's practice; with tags, the tagged contact is the one.
    const targets = taggedAccount ? [recipients[0]] : recipients.length > 0 ? recipients : [undefined];
    for (const [i, email] of targets.entries()) {
      const eventId = targets.length > 1 ? `${baseId}:${i}` : baseId;
      const resolution = await deps.resolver.resolve({
        accountId: taggedAccount,
        contactId: taggedContact,
        contactEmail: taggedContact ? undefined : email?.toLowerCase(),
      });
      if (!resolution) {
        const reason = taggedAccount
          ? `unknown account ${taggedAccount}`
          : `no account for ${email ?? '(no recipient)'}`;
        await deps.unresolved.keep({
          eventId,
          receivedAt: deps.clock.now().toISOString(),
          reason,
          origin: 'ses',
          event,
        });
        result.unresolved.push(eventId);
        continue;
      }
      outbound.push({
        eventId,
        occurredAt,
        accountId: resolution.accountId,
        type,
        ...(resolution.contactId ? { contactId: resolution.contactId } : {}),
        ...(resolution.role ? { role: resolution.role } : {}),
        origin: 'ses',
        properties,
      });
    }
    if (outbound.length > 0)
      await deps.publisher.publish(outbound.map((d) => busEvent(DETAIL_TYPES.engagementRecorded, d)));
    result.published = outbound.length;
    return result;
  };
}

function toIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
