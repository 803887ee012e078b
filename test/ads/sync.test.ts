/**
 * The audience sync (functions/ads/sync.ts) over dynalite with a fake adapter per provider: what it
 * reads, coalesces, sends in batches and records in the membership ledger; redelivery, stale and
 * unmatched removes, erasure with the recorded identifiers, retryable and partial failures.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { adsSyncFeature, CountingAdsMetrics, ProviderError } from '../../functions/ads';
import { ManualClock } from '../../functions/kernel/clock';
import { busEvent, DETAIL_TYPES } from '../../functions/kernel/events';
import { compose } from '../../functions/platform/compose';
import { StaticProviderSecrets } from '../../functions/platform/providers/secrets';
import { AdsMembershipRepository } from '../../functions/platform/store/ads-memberships';
import { ADS_PROVIDERS_EXAMPLE, fakeAdapters } from '../support/ads-sync';
import { fitProfile } from '../support/accounts';
import { useLocalStore } from '../support/suite';

const clock = new ManualClock('2026-11-23T09:00:00.000Z');
const store = useLocalStore(() => clock.now());
let seq = 0;

const person = (accountId: string, id: string, ads = true, name = 'Dana Cole') => ({
  accountId,
  contactId: `${accountId}-${id}`,
  name,
  email: ` ${id.toUpperCase()}@${accountId}.Example `.trim(),
  role: 'champion' as const,
  consent: { email: true, ads, directMail: false },
  postalAddress: { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'no' },
});

async function seed(accountId: string, ids: string[], withoutConsent: string[] = []) {
  await store.accounts.upsert({ ...fitProfile(accountId, `${accountId} Inc`), tier: 1 } as never);
  await store.accounts.putContacts(accountId, [
    ...ids.map((id) => person(accountId, id)),
    ...withoutConsent.map((id) => person(accountId, id, false)),
  ]);
}

/** One SQS record carrying an `ads.audience.changed` event as EventBridge delivers it. */
function record(detail: Record<string, unknown>, messageId = `m${++seq}`) {
  const event = busEvent(DETAIL_TYPES.adsAudienceChanged, {
    eventId: `change-${seq}`,
    occurredAt: clock.now().toISOString(),
    add: [],
    remove: [],
    reason: 'test',
    ...detail,
  } as never);
  return {
    messageId,
    body: JSON.stringify({ 'detail-type': event.detailType, source: event.source, detail: event.detail }),
  };
}

function setup(maxBatch?: number, adsProviders: unknown = ADS_PROVIDERS_EXAMPLE) {
  const adapters = fakeAdapters(maxBatch);
  const metrics = new CountingAdsMetrics();
  const platform = compose(
    { tableName: store.table.tableName, adsProviders },
    {},
    {
      table: store.table,
      clock,
      providerSecrets: new StaticProviderSecrets({
        'abm/linkedin': '{"accessToken":"li"}',
        'abm/meta': { accessToken: 'meta' },
        'abm/google': '{"developerToken":"g"}',
      }),
    },
  );
  const sync = adsSyncFeature(platform, { createAdapter: adapters.createAdapter, metrics });
  const ledger = platform.repository(AdsMembershipRepository);
  return { ...adapters, metrics, sync, ledger };
}

const LISTS = { li: '123456', liCompanies: '654321', meta: '23851234567890', google: '8675309' };

beforeEach(() => {
  clock.set(new Date(Date.parse('2026-11-23T09:00:00.000Z') + seq * 60_000));
});

describe('audience sync', () => {
  it('adds the consenting contacts to every provider that maps the audience, and the company to LinkedIn', async () => {
    await seed('northwind', ['dana', 'sam', 'kim'], ['lou']);
    const { fakes, sync, ledger, metrics, settingsSeen } = setup(2);
    const ids = ['dana', 'sam', 'kim', 'lou'].map((id) => `northwind-${id}`);
    const out = await sync.handleBatch([
      record({
        accountId: 'northwind',
        audienceId: 'tier1-committee',
        target: 'both',
        addContactIds: ids,
        company: 'add',
      }),
    ]);
    expect(out.batchItemFailures).toEqual([]);
    const consenting = ['northwind-dana', 'northwind-kim', 'northwind-sam'];
    expect(fakes.linkedin.members(LISTS.li)).toEqual(consenting);
    expect(fakes.linkedin.members(LISTS.liCompanies)).toEqual(['northwind']);
    expect(fakes.meta.members(LISTS.meta)).toEqual(consenting);
    expect(fakes.google.members(LISTS.google)).toEqual(consenting);
    // Batches of the adapter's maximum (2): 3 members -> 2 requests per contact list.
    expect(fakes.meta.calls.map((c) => c.memberIds.length)).toEqual([2, 1]);
    // Each adapter was built with its settings and its parsed secret.
    expect(settingsSeen).toEqual(
      expect.arrayContaining([
        { provider: 'linkedin', baseUrl: undefined, secret: { accessToken: 'li' } },
        { provider: 'meta', baseUrl: undefined, secret: { accessToken: 'meta' } },
      ]),
    );
    // The ledger holds what was sent: hashed email for a contact, name and domain for the company.
    const dana = await ledger.ofMember('contact', 'northwind-dana');
    expect(dana.map((e) => `${e.provider}:${e.status}`).sort()).toEqual([
      'google:added',
      'linkedin:added',
      'meta:added',
    ]);
    expect(dana.find((e) => e.provider === 'google')).toMatchObject({
      listId: LISTS.google,
      consent: { adUserData: 'granted', adPersonalization: 'granted' },
      ids: { sha256Email: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(await ledger.ofMember('company', 'northwind')).toEqual([
      expect.objectContaining({
        provider: 'linkedin',
        listId: LISTS.liCompanies,
        ids: { companyName: 'northwind Inc', domain: 'northwind.example' },
      }),
    ]);
    expect(metrics.totals()).toMatchObject({
      linkedin: { membersAdded: 4 },
      meta: { membersAdded: 3 },
      google: { membersAdded: 3 },
    });
  });

  it('a redelivered change does nothing; removes go only where adds went, with the identifiers sent', async () => {
    await seed('contoso', ['dana', 'sam']);
    const { fakes, sync } = setup();
    const add = record({
      accountId: 'contoso',
      audienceId: 'tier1-committee',
      addContactIds: ['contoso-dana'],
    });
    await sync.handleBatch([add]);
    const calls = fakes.meta.calls.length;
    await sync.handleBatch([add]);
    expect(fakes.meta.calls.length).toBe(calls);
    // sam was never added: his remove goes nowhere; dana's takes her out.
    clock.advance(60_000);
    await sync.handleBatch([
      record({
        accountId: 'contoso',
        audienceId: 'tier1-committee',
        removeContactIds: ['contoso-dana', 'contoso-sam'],
      }),
    ]);
    expect(fakes.meta.calls.at(-1)).toEqual({
      action: 'remove',
      listId: LISTS.meta,
      memberIds: ['contoso-dana'],
    });
    expect(fakes.meta.members(LISTS.meta)).toEqual([]);
    // The add, redelivered late (older than the remove applied), is stale: nothing happens.
    await sync.handleBatch([add]);
    expect(fakes.meta.members(LISTS.meta)).toEqual([]);
  });

  it('coalesces one batch per provider list: the newest change per member wins', async () => {
    await seed('fabrikam', ['dana', 'sam']);
    const { fakes, sync } = setup();
    const add = record({
      accountId: 'fabrikam',
      audienceId: 'tier1-committee',
      addContactIds: ['fabrikam-dana', 'fabrikam-sam'],
    });
    clock.advance(1000);
    const remove = record({
      accountId: 'fabrikam',
      audienceId: 'tier1-committee',
      removeContactIds: ['fabrikam-sam'],
    });
    const before = fakes.google.calls.length;
    // Delivered out of order in one batch.
    expect((await sync.handleBatch([remove, add])).batchItemFailures).toEqual([]);
    expect(fakes.google.calls.slice(before)).toEqual([
      { action: 'add', listId: LISTS.google, memberIds: ['fabrikam-dana'] },
    ]);
  });

  it('an erasure removes the person everywhere it was added, from the ledger (the contact is gone)', async () => {
    await seed('litware', ['dana']);
    const { fakes, sync, ledger } = setup();
    await sync.handleBatch([
      record({ accountId: 'litware', audienceId: 'tier1-committee', addContactIds: ['litware-dana'] }),
    ]);
    expect(fakes.linkedin.members(LISTS.li)).toContain('litware-dana');
    await store.accounts.deleteContact('litware', 'litware-dana');
    clock.advance(1000);
    const out = await sync.handleBatch([
      record({
        accountId: 'litware',
        contactId: 'litware-dana',
        removeContactIds: ['litware-dana'],
        reason: 'erasure',
      }),
    ]);
    expect(out.batchItemFailures).toEqual([]);
    for (const [fake, list] of [
      [fakes.linkedin, LISTS.li],
      [fakes.meta, LISTS.meta],
      [fakes.google, LISTS.google],
    ] as const)
      expect(fake.members(list)).not.toContain('litware-dana');
    expect((await ledger.ofMember('contact', 'litware-dana')).map((e) => e.status)).toEqual([
      'removed',
      'removed',
      'removed',
    ]);
  });

  it('a retryable provider error fails only the messages it carried; the retry finishes, each member once', async () => {
    await seed('adatum', ['dana', 'sam']);
    const { fakes, sync, ledger, metrics } = setup();
    fakes.meta.throwNext.push(new ProviderError('meta', '429 past the retry budget', true, 429));
    const a = record({ accountId: 'adatum', audienceId: 'tier1-committee', addContactIds: ['adatum-dana'] });
    const bad = record({ accountId: 'adatum', audienceId: 'other-audience', addContactIds: ['adatum-sam'] });
    const garbage = { messageId: 'garbage', body: '{"detail":{"nope":true}}' };
    const out = await sync.handleBatch([a, bad, garbage]);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [a.messageId, 'garbage'].sort(),
    );
    // LinkedIn and Google took it; the redelivery sends only what Meta still lacks.
    const linkedinCalls = fakes.linkedin.calls.length;
    expect((await sync.handleBatch([a])).batchItemFailures).toEqual([]);
    expect(fakes.linkedin.calls.length).toBe(linkedinCalls);
    expect(fakes.meta.members(LISTS.meta)).toContain('adatum-dana');
    expect((await ledger.ofMember('contact', 'adatum-dana')).length).toBe(3);
    expect(metrics.totals().meta).toMatchObject({ failures: 1 });
  });

  it('a member refused inside a batch: retryable fails its message, final refusal is counted and not recorded', async () => {
    await seed('tailspin', ['dana', 'sam']);
    const { fakes, sync, ledger, metrics } = setup();
    fakes.google.refuse.set('tailspin-dana', { reason: 'INVALID_EMAIL', retryable: false });
    fakes.google.refuse.set('tailspin-sam', { reason: 'CONCURRENT_MODIFICATION', retryable: true });
    const m = record({
      accountId: 'tailspin',
      audienceId: 'tier1-committee',
      addContactIds: ['tailspin-dana', 'tailspin-sam'],
    });
    expect((await sync.handleBatch([m])).batchItemFailures).toEqual([{ itemIdentifier: m.messageId }]);
    expect((await ledger.ofMember('contact', 'tailspin-dana')).map((e) => e.provider).sort()).toEqual([
      'linkedin',
      'meta',
    ]);
    expect(metrics.totals().google).toMatchObject({ failures: 2 });
    await sync.handleBatch([m]);
    expect(fakes.google.members(LISTS.google)).toEqual(['tailspin-dana', 'tailspin-sam']);
  });

  it('exits: the company leaves the LinkedIn company list only if it was added', async () => {
    await seed('wingtip', ['dana']);
    const { fakes, sync } = setup();
    await sync.handleBatch([
      record({ accountId: 'wingtip', audienceId: 'tier1-committee', target: 'companies', company: 'remove' }),
    ]);
    expect(fakes.linkedin.calls.filter((c) => c.listId === LISTS.liCompanies)).toEqual([]);
    await sync.handleBatch([
      record({ accountId: 'wingtip', audienceId: 'tier1-committee', target: 'companies', company: 'add' }),
    ]);
    clock.advance(1000);
    await sync.handleBatch([
      record({ accountId: 'wingtip', audienceId: 'tier1-committee', target: 'companies', company: 'remove' }),
    ]);
    expect(fakes.linkedin.calls.filter((c) => c.listId === LISTS.liCompanies).map((c) => c.action)).toEqual([
      'add',
      'remove',
    ]);
    expect(fakes.linkedin.members(LISTS.liCompanies)).toEqual([]);
  });

  it('a remove goes to the list the add went to, even after the audience was mapped to another list', async () => {
    await seed('proseware', ['dana']);
    const before = setup();
    await before.sync.handleBatch([
      record({ accountId: 'proseware', audienceId: 'tier1-committee', addContactIds: ['proseware-dana'] }),
    ]);
    const moved = ADS_PROVIDERS_EXAMPLE.map((p) =>
      p.provider === 'meta' ? { ...p, audiences: { 'tier1-committee': { contacts: '999' } } } : p,
    );
    const after = setup(undefined, moved);
    clock.advance(1000);
    await after.sync.handleBatch([
      record({ accountId: 'proseware', audienceId: 'tier1-committee', removeContactIds: ['proseware-dana'] }),
    ]);
    expect(after.fakes.meta.calls).toEqual([
      { action: 'remove', listId: LISTS.meta, memberIds: ['proseware-dana'] },
    ]);
  });
});
