/**
 * SES event normaliser: an SES event record, published through this stage's configuration set to
 * the default bus (source aws.ses, one of the ten detail types of `SES_DETAIL_TYPES`), becomes what
 * it means here:
 *   - engagement: one `engagement.recorded` per recipient (send, delivery, open, click, bounce,
 *     complaint, reject and rendering failure; a delivery delay and a subscription change are none);
 *   - suppression: a permanent bounce or a complaint suppresses the address for email; a transient
 *     bounce and a delivery delay do not;
 *   - unsubscribe: a subscription change with `unsubscribeAll` unsubscribes the address;
 *   - sender reputation: each permanent bounce and complaint is counted for the sending domain (the
 *     From address), which may trip the breaker (functions/ingest/reputation.ts).
 * The engine tags every email with accountId, contactId, campaignId and stepId (SES message tags,
 * `mail.tags`); without tags the recipient's address resolves the account. Events of another
 * configuration set (the default bus carries every set of the AWS account) are ignored.
 *
 * Event ids are deterministic (message id + type, + the event's own timestamp for repeatable
 * opens and clicks), so a redelivered SES event is deduplicated by the scorer and not counted twice
 * by the breaker.
 */
import { SesEventDetail } from '../kernel/event-schemas/ses';
import type { Platform } from '../platform/compose';
import {
  busEvent,
  DETAIL_TYPES,
  SES_CONFIGURATION_SET_TAG,
  SES_DETAIL_TYPES,
  SES_TAGS,
  type EngagementRecordedDetail,
} from '../kernel/events';
import { sendingDomainOf } from '../kernel/reputation';
import { sendingReputationFeature, type SendingReputation } from './reputation';
import { ingestionDeps, type IngestionDeps } from './resolver';

export interface SesEventBridgeEvent {
  id?: string;
  source: string;
  'detail-type': string;
  time?: string;
  detail: unknown;
}

export interface SesNormaliserDeps extends IngestionDeps {
  /** This stage's configuration set: events published through another are not ours. */
  configurationSet?: string;
  /**
   * Where the engine's unsubscribe links point (UNSUBSCRIBE_BASE_URL): a click on one is not
   * engagement. The engine marks those links `ses:no-track`; this drops a click on one anyway (mail
   * sent before, or a template that builds the link another way).
   */
  unsubscribeBaseUrl?: string;
  /** The sender reputation breaker; without it nothing is counted (tests of the mapping alone). */
  reputation?: Pick<SendingReputation, 'recordFeedback'>;
}

export interface SesNormaliseResult {
  published: number;
  suppressed: string[];
  unsubscribed?: string[];
  unresolved: string[];
  /** Hard bounces and complaints counted for the sending domain (not on a redelivery). */
  counted?: number;
  ignored?: string;
}

const tag = (tags: Record<string, string[]>, name: string): string | undefined =>
  tags[name]?.[0] || undefined;

/** The link without its query and fragment is the unsubscribe URL (scheme and host in any case). */
function isUnsubscribeLink(link: string, base: string | undefined): boolean {
  if (!base) return false;
  try {
    const a = new URL(link);
    const b = new URL(base);
    return a.origin === b.origin && a.pathname.replace(/\/+$/, '') === b.pathname.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

/** The SES normaliser of a platform; a resolver per event (its cache must not outlive it). */
export function sesNormaliserFeature(platform: Platform) {
  const reputation = sendingReputationFeature(platform);
  return (event: SesEventBridgeEvent): Promise<SesNormaliseResult> =>
    createSesNormaliser({
      ...ingestionDeps(platform, 'ses'),
      configurationSet: platform.config.sesConfigurationSet,
      unsubscribeBaseUrl: platform.config.unsubscribeBaseUrl,
      reputation,
    })(event);
}

export function createSesNormaliser(deps: SesNormaliserDeps) {
  return async function normalise(event: SesEventBridgeEvent): Promise<SesNormaliseResult> {
    const result: SesNormaliseResult = { published: 0, suppressed: [], unresolved: [] };
    const detailType = event['detail-type'];
    if (!Object.prototype.hasOwnProperty.call(SES_DETAIL_TYPES, detailType))
      return { ...result, ignored: `detail-type ${detailType}` };
    const type = SES_DETAIL_TYPES[detailType as keyof typeof SES_DETAIL_TYPES];
    const detail = SesEventDetail.parse(event.detail);
    const { mail } = detail;
    const set = tag(mail.tags, SES_CONFIGURATION_SET_TAG);
    if (deps.configurationSet && set !== deps.configurationSet)
      return {
        ...result,
        ignored: `configuration set ${set ?? '(none)'}, not this stage's ${deps.configurationSet}`,
      };

    if (detail.click?.link && isUnsubscribeLink(detail.click.link, deps.unsubscribeBaseUrl))
      return { ...result, ignored: 'a click on the unsubscribe link (not engagement)' };

    const sub =
      detail.open ??
      detail.click ??
      detail.bounce ??
      detail.complaint ??
      detail.delivery ??
      detail.deliveryDelay ??
      detail.subscription;
    const occurredAt =
      toIso(sub?.timestamp) ?? toIso(mail.timestamp) ?? toIso(event.time) ?? deps.clock.now().toISOString();
    const repeatable = detailType === 'Email Opened' || detailType === 'Email Clicked';
    const baseId = `ses:${mail.messageId}:${type ?? detailType.replace(/\W/g, '')}${repeatable ? `:${occurredAt}` : ''}`;
    const hardBounce = detailType === 'Email Bounced' && detail.bounce?.bounceType === 'Permanent';
    const complained = detailType === 'Email Complaint Received';

    // Suppression first: it protects people even when the account is unknown.
    const feedback = hardBounce
      ? detail.bounce!.bouncedRecipients.map((r) => r.emailAddress)
      : complained
        ? (detail.complaint?.complainedRecipients.map((r) => r.emailAddress) ?? [])
        : [];
    for (const email of feedback) {
      await deps.suppress(email, hardBounce ? 'hard_bounce' : 'complaint');
      result.suppressed.push(email.toLowerCase());
    }

    // The sender's reputation: one count per bounced or complaining recipient, once per event.
    const domain =
      sendingDomainOf(mail.source) ?? sendingDomainOf(`@${tag(mail.tags, 'ses:from-domain') ?? ''}`);
    if (deps.reputation && domain && feedback.length > 0) {
      result.counted = 0;
      for (const email of feedback) {
        const { counted } = await deps.reputation.recordFeedback(
          domain,
          hardBounce ? 'bounce' : 'complaint',
          `${baseId}:${email.toLowerCase()}`,
          new Date(occurredAt),
        );
        if (counted) result.counted++;
      }
    }

    // A template's test send (POST /templates/{id}/test-send): a bounce or complaint above still
    // protects the address and counts for the sender (SES counts it too), but it is never engagement.
    if (tag(mail.tags, SES_TAGS.test) === 'true') return { ...result, ignored: 'a test send (never scored)' };

    const recipients =
      detailType === 'Email Bounced'
        ? (detail.bounce?.bouncedRecipients.map((r) => r.emailAddress) ?? mail.destination)
        : complained
          ? (detail.complaint?.complainedRecipients.map((r) => r.emailAddress) ?? mail.destination)
          : mail.destination;
    const taggedAccount = tag(mail.tags, SES_TAGS.accountId);
    const taggedContact = tag(mail.tags, SES_TAGS.contactId);
    const unsubscribeAll =
      detailType === 'Email Subscribed' && detail.subscription?.newTopicPreferences?.unsubscribeAll === true;
    if (type === null && !unsubscribeAll) {
      const why =
        detailType === 'Email Subscribed'
          ? 'a subscription change without unsubscribeAll'
          : 'a delivery delay (SES retries; no engagement, no suppression)';
      return { ...result, ignored: why };
    }

    const properties: Record<string, unknown> = {
      messageId: mail.messageId,
      ...(tag(mail.tags, SES_TAGS.campaignId) ? { campaignId: tag(mail.tags, SES_TAGS.campaignId) } : {}),
      ...(tag(mail.tags, SES_TAGS.stepId) ? { stepId: tag(mail.tags, SES_TAGS.stepId) } : {}),
      ...(detail.click?.link ? { link: detail.click.link } : {}),
      ...(detail.bounce?.bounceType ? { bounceType: detail.bounce.bounceType } : {}),
      ...(detail.bounce?.bounceSubType ? { bounceSubType: detail.bounce.bounceSubType } : {}),
      ...(detail.reject?.reason ? { rejectReason: detail.reject.reason } : {}),
      ...(detailType === 'Email Rendering Failed'
        ? { rejectReason: `rendering failure: ${detail.failure?.errorMessage ?? 'unknown'}` }
        : {}),
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
      if (unsubscribeAll && email) {
        const contact = resolution?.contactId
          ? { accountId: resolution.accountId, contactId: resolution.contactId }
          : undefined;
        await deps.unsubscribe(email, contact);
        (result.unsubscribed ??= []).push(email.toLowerCase());
      }
      if (type === null) continue;
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
