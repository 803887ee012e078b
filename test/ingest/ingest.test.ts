import { beforeAll, describe, expect, it } from 'vitest';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { BadRequest } from '../../functions/kernel/errors';
import { keys } from '../../functions/platform/store';
import { DETAIL_TYPES, SOURCES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import { createIngest } from '../../functions/ingest/ingest';
import { RepositoryAccountResolver } from '../../functions/ingest/resolver';
import { createSesNormaliser } from '../../functions/ingest/ses';
import { MemoryUnresolvedStore, UnresolvedEventRepository } from '../../functions/platform/store/unresolved';
import { useLocalStore } from '../support/suite';
import { sesEvent } from '../contract/events';
import { seedAccount } from '../support/scoring';
import { scoringConfig } from '../../functions/scoring/domain/config';

const clock = new ManualClock('2026-11-22T10:00:00Z');
const AT = '2026-11-22T09:00:00Z';
const store = useLocalStore(() => clock.now());

beforeAll(async () => {
  await seedAccount(store, 'northwind', [
    { contactId: 'nw-dana', role: 'economic_buyer', email: 'dana@northwind.example' },
    { contactId: 'nw-sam', role: 'champion', email: 'sam@northwind.example' },
  ]);
});

function rig() {
  const publisher = new RecordingPublisher();
  const unresolved = new UnresolvedEventRepository(store.table);
  const suppressed: string[] = [];
  const suppress = async (email: string, reason: string) => {
    suppressed.push(`${email}:${reason}`);
    await store.accounts.addSuppression(email, { reason, source: 'test' });
  };
  const ingest = createIngest({
    resolver: new RepositoryAccountResolver(store.accounts),
    publisher,
    unresolved,
    clock,
    suppress,
  });
  const ses = createSesNormaliser({
    resolver: new RepositoryAccountResolver(store.accounts),
    publisher,
    unresolved,
    clock,
    suppress,
    unsubscribe: async (email) => suppress(email, 'unsubscribed'),
    unsubscribeBaseUrl: 'https://api.example/unsubscribe',
  });
  const details = () =>
    publisher.ofType(DETAIL_TYPES.engagementRecorded).map((e) => e.detail as EngagementRecordedDetail);
  return { publisher, ingest, ses, details, suppressed };
}

describe('POST /events ingestion', () => {
  it('resolves the account from an account id, a contact email or a domain, with the contact role', async () => {
    const r = rig();
    const out = await r.ingest({
      events: [
        { eventId: 'a1', type: 'ad.clicked', occurredAt: AT, accountId: 'northwind' },
        { eventId: 'a2', type: 'meeting.booked', occurredAt: AT, contactEmail: 'SAM@northwind.example' },
        {
          eventId: 'a3',
          type: 'web.visit',
          occurredAt: AT,
          domain: 'northwind.example',
          properties: { page: '/pricing' },
        },
        { eventId: 'a4', type: 'web.visit', occurredAt: AT, contactEmail: 'someone-new@northwind.example' },
      ],
    });
    expect(out).toEqual({ accepted: 4, rejected: [], unresolved: [] });
    expect(r.details().map((d) => [d.eventId, d.accountId, d.contactId, d.role])).toEqual([
      ['a1', 'northwind', undefined, undefined],
      ['a2', 'northwind', 'nw-sam', 'champion'],
      ['a3', 'northwind', undefined, undefined],
      ['a4', 'northwind', undefined, undefined],
    ]);
    expect(r.publisher.events.every((e) => e.source === SOURCES.ingest)).toBe(true);
    expect(r.details().find((d) => d.eventId === 'a2')?.origin).toBe('api');
  });

  it('keeps and reports an event for an unknown account instead of dropping it', async () => {
    const r = rig();
    const out = await r.ingest({
      events: [
        { eventId: 'u1', type: 'web.visit', occurredAt: AT, domain: 'nobody.example' },
        {
          eventId: 'u2',
          type: 'intent.surge',
          occurredAt: AT,
          accountId: 'ghost',
          properties: { topic: 'etl', strength: 0.7 },
        },
      ],
    });
    expect(out.accepted).toBe(0);
    expect(out.unresolved).toEqual([
      { index: 0, eventId: 'u1', reason: 'no account for nobody.example' },
      { index: 1, eventId: 'u2', reason: 'unknown account ghost' },
    ]);
    const kept = await store.table.get(keys.unresolvedEvent(clock.now().toISOString(), 'u2'));
    expect(kept).toMatchObject({ eventId: 'u2', reason: 'unknown account ghost', origin: 'api' });
    expect(r.publisher.events).toEqual([]);
  });

  it.each([
    [{ eventId: 'v1', type: 'web.visit', occurredAt: 'yesterday', accountId: 'northwind' }, 'occurredAt'],
    [{ eventId: 'v2', type: 'page.liked', occurredAt: AT, accountId: 'northwind' }, 'type'],
    [{ eventId: 'v3', type: 'web.visit', occurredAt: AT }, '(root)'],
    [
      {
        eventId: 'v4',
        type: 'intent.surge',
        occurredAt: AT,
        accountId: 'northwind',
        properties: { topic: 'etl' },
      },
      'properties.strength',
    ],
    [
      { eventId: 'v5', type: 'crm.stage_changed', occurredAt: AT, accountId: 'northwind' },
      'properties.stage',
    ],
  ])('rejects %j with a field error at %s, and lands the good ones', async (bad, path) => {
    const r = rig();
    const out = await r.ingest({
      events: [bad, { eventId: 'ok', type: 'ad.clicked', occurredAt: AT, accountId: 'northwind' }],
    });
    expect(out.accepted).toBe(1);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.index).toBe(0);
    expect(out.rejected[0]!.errors.map((e) => e.path)).toContain(path);
  });

  it('rejects an event dated more than 5 minutes in the future (typo, clock skew), never a 500', async () => {
    const r = rig();
    const now = clock.now().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const out = await r.ingest({
      events: [
        { eventId: 'f1', type: 'meeting.booked', occurredAt: at(5 * 60_000), accountId: 'northwind' },
        { eventId: 'f2', type: 'meeting.booked', occurredAt: '2027-11-22T09:00:00Z', accountId: 'northwind' },
        { eventId: 'f3', type: 'web.visit', occurredAt: at(5 * 60_000 + 1), accountId: 'northwind' },
        { eventId: 'f4', type: 'ad.clicked', occurredAt: AT, accountId: 'northwind' },
      ],
    });
    expect(out.accepted).toBe(2);
    expect(out.rejected.map((x) => [x.index, x.eventId, x.errors.map((e) => e.path)])).toEqual([
      [1, 'f2', ['occurredAt']],
      [2, 'f3', ['occurredAt']],
    ]);
    expect(out.rejected[0]!.errors[0]!.message).toMatch(/future/);
    expect(r.details().map((d) => d.eventId)).toEqual(['f1', 'f4']);
  });

  it('maps CRM, intent and SDR events to their origin, and suppresses an address that complained', async () => {
    const r = rig();
    await r.ingest({
      events: [
        {
          eventId: 'o1',
          type: 'crm.stage_changed',
          occurredAt: AT,
          accountId: 'northwind',
          properties: { stage: 'closed_won' },
        },
        {
          eventId: 'o2',
          type: 'intent.surge',
          occurredAt: AT,
          accountId: 'northwind',
          properties: { topic: 'etl', strength: 55 },
        },
        { eventId: 'o3', type: 'sdr.call_logged', occurredAt: AT, accountId: 'northwind' },
        { eventId: 'o4', type: 'email.complained', occurredAt: AT, contactEmail: 'dana@northwind.example' },
      ],
    });
    expect(r.details().map((d) => d.origin)).toEqual(['crm', 'intent', 'sdr', 'api']);
    // One source per detail type: engagement comes from abm.ingest whatever its origin.
    expect(r.publisher.events.map((e) => e.source)).toEqual([
      SOURCES.ingest,
      SOURCES.ingest,
      SOURCES.ingest,
      SOURCES.ingest,
    ]);
    expect(await store.accounts.isSuppressed('dana@northwind.example')).toBe(true);
  });

  it('rejects a body that is not a list of events as a bad request', async () => {
    const r = rig();
    await expect(r.ingest({ events: 'x' })).rejects.toBeInstanceOf(BadRequest);
    await expect(r.ingest({ events: [] })).rejects.toBeInstanceOf(BadRequest);
  });
});

describe('the engagement ABM teams measure: form fills, company ad impressions, events and webinars', () => {
  it('accepts each type with its properties and rejects one without what it needs, by path', async () => {
    const r = rig();
    const out = await r.ingest({
      events: [
        {
          eventId: 'n1',
          type: 'content.downloaded',
          occurredAt: AT,
          contactEmail: 'sam@northwind.example',
          properties: { asset: 'freight-audit-guide' },
        },
        {
          eventId: 'n2',
          type: 'ad.impression',
          occurredAt: AT,
          domain: 'northwind.example',
          properties: { network: 'linkedin', impressions: 340 },
        },
        {
          eventId: 'n3',
          type: 'event.registered',
          occurredAt: AT,
          contactEmail: 'sam@northwind.example',
          properties: { event: 'Logistics Summit' },
        },
        {
          eventId: 'n4',
          type: 'event.attended',
          occurredAt: AT,
          contactEmail: 'sam@northwind.example',
          properties: { event: 'Logistics Summit' },
        },
        { eventId: 'n5', type: 'event.attended', occurredAt: AT, accountId: 'northwind' },
        {
          eventId: 'n6',
          type: 'ad.impression',
          occurredAt: AT,
          accountId: 'northwind',
          properties: { impressions: -1 },
        },
      ],
    });
    expect(out.accepted).toBe(4);
    expect(out.rejected.map((x) => [x.eventId, x.errors.map((e) => e.path)])).toEqual([
      ['n5', ['properties.event']],
      ['n6', ['properties.impressions']],
    ]);
    expect(r.details().map((d) => [d.eventId, d.type, d.contactId])).toEqual([
      ['n1', 'content.downloaded', 'nw-sam'],
      ['n2', 'ad.impression', undefined],
      ['n3', 'event.registered', 'nw-sam'],
      ['n4', 'event.attended', 'nw-sam'],
    ]);
  });

  it('each has a default weight, and form fills and attendance make a contact engaged', () => {
    const config = scoringConfig();
    expect(config.weights).toMatchObject({
      'content.downloaded': 6,
      'ad.impression': 0.5,
      'event.registered': 5,
      'event.attended': 15,
    });
    expect(config.engagingTypes).toEqual(expect.arrayContaining(['content.downloaded', 'event.attended']));
    expect(config.engagingTypes).not.toContain('ad.impression');
    expect(config.engagingTypes).not.toContain('event.registered');
  });
});

describe('SES event normaliser', () => {
  it.each([
    ['Email Sent', 'email.sent'],
    ['Email Delivered', 'email.delivered'],
    ['Email Opened', 'email.opened'],
    ['Email Clicked', 'email.clicked'],
    ['Email Bounced', 'email.bounced'],
    ['Email Complaint Received', 'email.complained'],
    ['Email Rejected', 'email.rejected'],
  ])('maps "%s" to %s using the message tags', async (detailType, type) => {
    const r = rig();
    const out = await r.ses(sesEvent(detailType));
    expect(out.published).toBe(1);
    expect(r.details()[0]).toMatchObject({
      type,
      accountId: 'northwind',
      contactId: 'nw-dana',
      role: 'economic_buyer',
      origin: 'ses',
      properties: { messageId: expect.any(String), campaignId: 'q1', stepId: 'intro' },
    });
  });

  it('drops a click on the unsubscribe link (a person leaving, or a scanner prefetching, is not engagement)', async () => {
    const r = rig();
    const click = (link: string) =>
      sesEvent('Email Clicked', { click: { timestamp: '2026-11-22T10:01:00Z', link } });
    const out = await r.ses(click('https://API.example/unsubscribe/?t=abc.def'));
    expect(out).toMatchObject({ published: 0, ignored: expect.stringMatching(/unsubscribe link/) });
    expect(await r.ses(click('https://api.example/unsubscribe-faq'))).toMatchObject({ published: 1 });
    expect(await r.ses(click('https://other.example/unsubscribe?t=abc'))).toMatchObject({ published: 1 });
    expect(r.details().map((d) => d.properties.link)).toEqual([
      'https://api.example/unsubscribe-faq',
      'https://other.example/unsubscribe?t=abc',
    ]);
  });

  it('ignores detail types that are not email events, and scores no delivery delay', async () => {
    const r = rig();
    expect((await r.ses(sesEvent('Sending Status Disabled'))).ignored).toMatch(/Sending Status Disabled/);
    expect((await r.ses(sesEvent('Email Delivery Delayed'))).ignored).toMatch(/delivery delay/);
    expect(r.publisher.events).toEqual([]);
  });

  it('suppresses a hard bounce and a complaint, not a soft bounce', async () => {
    const r = rig();
    await r.ses(
      sesEvent('Email Bounced', {
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'soft@northwind.example' }] },
      }),
    );
    await r.ses(
      sesEvent('Email Bounced', {
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Hard@Northwind.example' }] },
      }),
    );
    await r.ses(
      sesEvent('Email Complaint Received', {
        complaint: { complainedRecipients: [{ emailAddress: 'sam@northwind.example' }] },
      }),
    );
    expect(r.suppressed).toEqual(['Hard@Northwind.example:hard_bounce', 'sam@northwind.example:complaint']);
    expect(await store.accounts.isSuppressed('hard@northwind.example')).toBe(true);
    expect(await store.accounts.isSuppressed('soft@northwind.example')).toBe(false);
    expect(await store.accounts.getSuppression('sam@northwind.example')).toMatchObject({
      reason: 'complaint',
    });
  });

  it('gives a redelivered SES event the same id, and each open its own', async () => {
    const r = rig();
    const open = (ts: string) => sesEvent('Email Opened', { open: { timestamp: ts } });
    await r.ses(open('2026-11-22T09:10:00Z'));
    await r.ses(open('2026-11-22T09:10:00Z'));
    await r.ses(open('2026-11-22T11:00:00Z'));
    const ids = r.details().map((d) => d.eventId);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(2);
    expect(r.details()[2]!.occurredAt).toBe('2026-11-22T11:00:00.000Z');
  });

  it('resolves an untagged email by its recipient, and keeps what it cannot resolve', async () => {
    const r = rig();
    const untagged = sesEvent('Email Clicked');
    untagged.detail.mail.tags = {} as never;
    untagged.detail.mail.destination = ['sam@northwind.example'];
    await r.ses(untagged);
    expect(r.details()[0]).toMatchObject({ accountId: 'northwind', contactId: 'nw-sam', role: 'champion' });
    const stranger = sesEvent('Email Clicked');
    stranger.detail.mail.tags = {} as never;
    stranger.detail.mail.destination = ['who@elsewhere.example'];
    const out = await r.ses(stranger);
    expect(out).toMatchObject({ published: 0, unresolved: [expect.stringContaining('ses:')] });
  });
});

describe('unresolved store (memory)', () => {
  it('keeps one entry per event id', async () => {
    const m = new MemoryUnresolvedStore();
    await m.keep({ eventId: 'x', receivedAt: AT, reason: 'r', origin: 'api', event: {} });
    await m.keep({ eventId: 'x', receivedAt: AT, reason: 'r', origin: 'api', event: {} });
    expect(m.kept).toHaveLength(1);
  });
});
