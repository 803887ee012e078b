/**
 * The real AccountSequence ASL, executed by aws-local-stepfunctions with every Task routed to the
 * real engine service, against dynalite and aws-ses-v2-local.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { hashEmailForAudience } from '../../functions/kernel/hash';
import { verifyUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';
import { useHarness } from '../support/suite';
import {
  committeeAccount,
  enroll,
  seedAccount,
  snapshot,
  START,
  startSeededHarness,
  TIER1_SEQUENCE,
  UNSUBSCRIBE_KEY,
} from '../support/engine';

describe('tier-1 sequence end to end', () => {
  const h = useHarness(() => startSeededHarness({ time: { mode: 'skip', start: START } }));

  it('sends the right mail to the right roles, creates SDR tasks, syncs the audience, orders mail', async () => {
    const account = committeeAccount('northwind');
    await seedAccount(h.store, account);
    const input = await enroll(h.store, 'northwind', 'q1-tier1', snapshot(TIER1_SEQUENCE), START);
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(summary.status, JSON.stringify(summary.error)).toBe('SUCCEEDED');
    expect((summary.output as { plan: { reason: string } }).plan.reason).toBe('completed');

    const emails = await h.ses.emails();
    const touches = (await h.store.touches.listOfAccount('northwind', { limit: 100 })).items;
    const sent = touches.filter((t) => t.status === 'sent');
    // Join each email touch to the mail the local SES received (ref = SES message id).
    const mailOf = (stepId: string) =>
      sent
        .filter((t) => t.stepId === stepId)
        .map((t) => emails.find((e) => e.messageId === t.ref)!)
        .map((e) => ({ to: e.destination.to[0], subject: e.subject }))
        .sort((a, b) => a.to.localeCompare(b.to));
    // intro: economic buyer gets the role variant, champion the base template; nobody else.
    expect(mailOf('intro')).toEqual([
      { to: 'dana@northwind.example', subject: 'Payback for Account northwind' },
      { to: 'sam@northwind.example', subject: 'A note for Account northwind' },
    ]);
    expect(mailOf('tech')).toEqual([
      { to: 'kim@northwind.example', subject: 'Architecture notes for Account northwind' },
    ]);
    expect(mailOf('follow').map((m) => m.to)).toEqual(['dana@northwind.example', 'sam@northwind.example']);
    // The follow-up continues from what the last touch said.
    const followMail = emails.find((e) => e.messageId === sent.find((t) => t.stepId === 'follow')!.ref)!;
    expect(followMail.body.text).toMatch(/Following up on sdr call task/);
    // The split sends exactly one of its variants, to the whole committee.
    const variantSteps = ['email-a', 'email-b'].filter((id) => mailOf(id).length > 0);
    expect(variantSteps).toHaveLength(1);
    expect(mailOf(variantSteps[0])).toHaveLength(3);
    expect(emails).toHaveLength(2 + 1 + 2 + 3);
    // Every email carries a verifiable one-click unsubscribe.
    for (const email of emails) {
      const headers = Object.fromEntries((email.headers ?? []).map((x) => [x.name.toLowerCase(), x.value]));
      expect(headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      const token = decodeURIComponent(/t=([^>&]+)/.exec(headers['list-unsubscribe'])![1]);
      const check = verifyUnsubscribeToken(token, UNSUBSCRIBE_KEY, START);
      expect(check.ok).toBe(true);
    }
    // Timing: tech email one day later, inside 09:00-17:00 New York time on a weekday.
    const tech = sent.find((t) => t.stepId === 'tech')!;
    expect(tech.at).toBe('2026-03-03T15:00:00.000Z');
    // "follow" falls due on Saturday: it goes on Monday at 09:00 New York (EDT from 8 March).
    const follow = sent.filter((t) => t.stepId === 'follow');
    expect(follow.map((t) => t.at)).toEqual(['2026-03-09T13:00:00.000Z', '2026-03-09T13:00:00.000Z']);

    // SDR tasks: champion after call-1, economic buyer after call-2, owner from the account.
    const tasks = await h.store.tasks.listOfAccount('northwind');
    expect(tasks.map((t) => [t.stepId, t.context.contact?.role, t.owner]).sort()).toEqual([
      ['call-1', 'champion', 'sdr-ana'],
      ['call-2', 'economic_buyer', 'sdr-ana'],
    ]);
    const call1 = tasks.find((t) => t.stepId === 'call-1')!;
    expect(call1.context.talkingPoints.length).toBeGreaterThan(0);
    expect(call1.context.lastTouches.length).toBeGreaterThan(0);
    // Tier 1 SLA: 4 business hours.
    expect(new Date(call1.dueAt).getTime() - new Date(call1.createdAt).getTime()).toBe(4 * 3_600_000);
    expect(h.publisher.ofType(DETAIL_TYPES.sdrTaskCreated)).toHaveLength(2);

    // Ads: the three consenting members added as SHA-256 hashes, removed when the enrollment ends.
    const audience = h.publisher
      .ofType(DETAIL_TYPES.adsAudienceChanged)
      .map((e) => e.detail as unknown as { add: string[]; remove: string[] });
    const hashes = account.contacts.map((c) => hashEmailForAudience(c.email)).sort();
    expect(audience[0].add.sort()).toEqual(hashes);
    expect(audience.at(-1)!.remove.sort()).toEqual(hashes);

    // Direct mail for the economic buyer, within budget, spend recorded on the account.
    const mail = h.publisher.ofType(DETAIL_TYPES.directMailRequested);
    expect(mail.map((e) => (e.detail as unknown as { contactId: string }).contactId)).toEqual([
      'northwind-eb',
    ]);
    expect((await h.store.accounts.get('northwind'))!.directMailSpentCents).toBe(5000);

    const finished = h.publisher.ofType(DETAIL_TYPES.enrollmentFinished);
    expect(finished.map((e) => (e.detail as unknown as { reason: string }).reason)).toEqual(['completed']);
    expect((await h.store.enrollments.get('northwind', 'q1-tier1'))!.status).toBe('completed');
    // At most 3 transitions per touch step.
    const touchSteps = new Set(sent.map((t) => t.stepId)).size;
    expect(touchSteps).toBe(8); // 10 steps: the split and one of its two variants are not taken
    expect(summary.path.filter((s) => s === 'WaitUntil').length).toBeLessThan(touchSteps);
    expect(summary.transitions / touchSteps).toBeLessThanOrEqual(3);
  });
});
