/**
 * The CRM's webhooks (`POST /webhooks/hubspot`, `POST /webhooks/salesforce`; README "Connect your
 * CRM"): stage changes become `crm.stage_changed` engagement on the account, with the configured
 * mapping of CRM stages (`providers.crm.stages`); a task completed in the CRM becomes the SDR
 * task's outcome. The webhook service (functions/webhooks/service.ts) applies each event once.
 *
 * HubSpot, signature v3 (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation,
 * "Validate the v3 request signature"; changelog https://developers.hubspot.com/changelog/introducing-version-3-of-webhook-signatures):
 * refuse a `X-HubSpot-Request-Timestamp` (epoch ms) older than 5 minutes; the signature
 * `X-HubSpot-Signature-v3` is base64(HMAC-SHA256(client secret, method + URI + body + timestamp)),
 * compared in constant time. The body is an array of events `{ eventId, subscriptionType,
 * objectId, propertyName, propertyValue, occurredAt, objectTypeId? }`
 * (https://developers.hubspot.com/docs/api/webhooks). Handled: `deal.propertyChange` of
 * `dealstage`, `company.propertyChange` of `lifecyclestage` (or their generic `object.propertyChange`
 * forms, objectTypeId 0-3 and 0-2), and the generic `object.propertyChange` of a task's
 * `hs_task_status` (objectTypeId 0-27; tasks are among the generic subscriptions' object types:
 * https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions). Anything
 * else is acknowledged and ignored.
 *
 * Salesforce has no signed webhook: a record-triggered Flow makes an HTTP callout
 * (https://help.salesforce.com/s/articleView?id=platform.flow_http_callout_configuring.htm) through
 * a Named Credential whose custom header `X-ABM-Webhook-Secret` carries the shared secret, with a
 * JSON body this product defines (README "Connect your CRM"):
 * `{ "eventId", "sentAt", "opportunityId", "stageName", "accountWebsite" }` for an Opportunity
 * stage change, `{ "eventId", "sentAt", "taskId", "status", "callDisposition"? }` for a Task
 * closed. The secret is compared in constant time and `sentAt` must be within 5 minutes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CrmProviderSettings } from '../kernel/crm-provider';
import type { CrmTaskLinkRepository } from '../platform/store/crm-tasks';
import {
  WebhookRefused,
  type WebhookDelivery,
  type WebhookEffect,
  type WebhookReceiver,
  type WebhookRequest,
} from '../webhooks';
import type { HubSpotAdapter } from './adapters/hubspot';
import { outcomeOf } from './adapters/shared';

/** The replay window of both CRMs' timestamps. */
export const CRM_WEBHOOK_WINDOW_MS = 5 * 60_000;

type Links = Pick<CrmTaskLinkRepository, 'taskOfCrmId'>;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkWindow(at: number, now: Date, what: string): void {
  if (!Number.isFinite(at)) throw new WebhookRefused(`${what} missing or unreadable`);
  if (Math.abs(now.getTime() - at) > CRM_WEBHOOK_WINDOW_MS)
    throw new WebhookRefused(`${what} outside the 5-minute window (a replay or a skewed clock)`);
}

/** The HubSpot v3 signature of a request (also what the local double and the tests sign with). */
export function hubspotSignatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: string,
) {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

interface HubSpotEvent {
  eventId: number | string;
  subscriptionType: string;
  objectId: number | string;
  objectTypeId?: string;
  propertyName?: string;
  propertyValue?: string;
  occurredAt?: number;
}

const stageEngagement = (
  eventId: string,
  occurredAt: string,
  domain: string,
  stage: string,
  crmStage: string,
  extra: Record<string, string>,
): WebhookEffect => ({
  kind: 'engagement',
  event: {
    eventId,
    type: 'crm.stage_changed',
    occurredAt,
    domain,
    properties: { stage, crmStage, ...extra },
  },
});

export function hubspotReceiver(
  settings: Extract<CrmProviderSettings, { provider: 'hubspot' }>,
  deps: { adapter: () => Promise<Pick<HubSpotAdapter, 'domainOf'>>; links: Links },
): WebhookReceiver {
  return {
    provider: 'hubspot',
    secretName: settings.webhookSecretName,
    async receive(req: WebhookRequest, { secret, now }): Promise<WebhookDelivery[]> {
      const clientSecret = (secret as { clientSecret?: unknown } | undefined)?.clientSecret;
      if (typeof clientSecret !== 'string' || clientSecret === '')
        throw new Error(`hubspot: the secret ${settings.webhookSecretName} must hold "clientSecret"`);
      const timestamp = req.headers['x-hubspot-request-timestamp'] ?? '';
      checkWindow(/^\d+$/.test(timestamp) ? Number(timestamp) : NaN, now, 'X-HubSpot-Request-Timestamp');
      const expected = hubspotSignatureV3(clientSecret, req.method, req.url, req.rawBody, timestamp);
      if (!sameSecret(req.headers['x-hubspot-signature-v3'] ?? '', expected))
        throw new WebhookRefused('X-HubSpot-Signature-v3 does not match');
      let events: HubSpotEvent[];
      try {
        const parsed = JSON.parse(req.rawBody) as unknown;
        events = (Array.isArray(parsed) ? parsed : [parsed]) as HubSpotEvent[];
      } catch {
        throw new WebhookRefused('the body is not JSON');
      }
      const out: WebhookDelivery[] = [];
      for (const e of events) {
        if (e?.eventId === undefined) continue;
        out.push({ eventId: String(e.eventId), effects: await effectsOf(e) });
      }
      return out;

      async function effectsOf(e: HubSpotEvent): Promise<WebhookEffect[]> {
        const objectId = String(e.objectId);
        const occurredAt = new Date(
          typeof e.occurredAt === 'number' ? e.occurredAt : now.getTime(),
        ).toISOString();
        const generic = e.subscriptionType === 'object.propertyChange';
        const isDeal = e.subscriptionType === 'deal.propertyChange' || (generic && e.objectTypeId === '0-3');
        const isCompany =
          e.subscriptionType === 'company.propertyChange' || (generic && e.objectTypeId === '0-2');
        const isTask = generic && e.objectTypeId === '0-27';
        if (isTask && e.propertyName === 'hs_task_status' && e.propertyValue === 'COMPLETED') {
          const taskId = await deps.links.taskOfCrmId('hubspot', objectId);
          return taskId ? [{ kind: 'task_outcome', taskId, outcome: outcomeOf(undefined) }] : [];
        }
        const stageChange =
          (isDeal && e.propertyName === 'dealstage') || (isCompany && e.propertyName === 'lifecyclestage');
        if (!stageChange || typeof e.propertyValue !== 'string') return [];
        const stage = settings.stages[e.propertyValue];
        if (!stage) return [];
        const domain = await (await deps.adapter()).domainOf(isDeal ? 'deal' : 'company', objectId);
        if (!domain) return [];
        return [
          stageEngagement(`hubspot-${String(e.eventId)}`, occurredAt, domain, stage, e.propertyValue, {
            [isDeal ? 'opportunityId' : 'companyId']: objectId,
          }),
        ];
      }
    },
  };
}

interface SalesforceBody {
  eventId?: unknown;
  sentAt?: unknown;
  opportunityId?: unknown;
  stageName?: unknown;
  accountWebsite?: unknown;
  taskId?: unknown;
  status?: unknown;
  callDisposition?: unknown;
}

/** A Website as Salesforce holds it (`https://www.northwind.example/`) -> `northwind.example`. */
export function domainOfWebsite(website: string): string | undefined {
  const host = website
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/^www\./, '');
  return host.includes('.') ? host : undefined;
}

export function salesforceReceiver(
  settings: Extract<CrmProviderSettings, { provider: 'salesforce' }>,
  deps: { links: Links },
): WebhookReceiver {
  return {
    provider: 'salesforce',
    secretName: settings.webhookSecretName,
    async receive(req, { secret, now }) {
      const shared = (secret as { sharedSecret?: unknown } | undefined)?.sharedSecret;
      if (typeof shared !== 'string' || shared === '')
        throw new Error(`salesforce: the secret ${settings.webhookSecretName} must hold "sharedSecret"`);
      if (!sameSecret(req.headers['x-abm-webhook-secret'] ?? '', shared))
        throw new WebhookRefused('X-ABM-Webhook-Secret does not match');
      let body: SalesforceBody;
      try {
        body = JSON.parse(req.rawBody) as SalesforceBody;
      } catch {
        throw new WebhookRefused('the body is not JSON');
      }
      checkWindow(typeof body.sentAt === 'string' ? Date.parse(body.sentAt) : NaN, now, 'sentAt');
      if (typeof body.eventId !== 'string' || body.eventId === '')
        throw new WebhookRefused('eventId missing');
      const effects: WebhookEffect[] = [];
      if (typeof body.taskId === 'string') {
        const taskId = await deps.links.taskOfCrmId('salesforce', body.taskId);
        if (taskId && body.status === 'Completed')
          effects.push({
            kind: 'task_outcome',
            taskId,
            outcome: outcomeOf(body.callDisposition),
            ...(typeof body.callDisposition === 'string'
              ? { notes: `Salesforce: ${body.callDisposition}` }
              : {}),
          });
      } else if (typeof body.stageName === 'string' && typeof body.accountWebsite === 'string') {
        const stage = settings.stages[body.stageName];
        const domain = domainOfWebsite(body.accountWebsite);
        if (stage && domain)
          effects.push(
            stageEngagement(
              `salesforce-${body.eventId}`,
              new Date(Date.parse(body.sentAt as string)).toISOString(),
              domain,
              stage,
              body.stageName,
              {
                ...(typeof body.opportunityId === 'string' ? { opportunityId: body.opportunityId } : {}),
              },
            ),
          );
      }
      return [{ eventId: body.eventId, effects }];
    },
  };
}
