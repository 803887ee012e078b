/* eslint-disable @typescript-eslint/no-explicit-any -- converted steps and JSON bodies are read loosely in tests */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '../../functions/api/pinpoint-import';
import { walk } from '../../functions/engine/domain/planner';
import { NO_FACTS } from '../../functions/kernel/conditions';
import { BadRequest } from '../../functions/kernel/errors';
import { validateSequence } from '../../functions/kernel/sequence';
import { expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

/** Journeys shaped as the Pinpoint API reference documents JourneyResponse (test/api/fixtures/pinpoint). */
const fixture = (name: string): any =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pinpoint', `${name}.json`), 'utf8'));

const convert = (name: string) => {
  const out = importPinpointJourney(fixture(name));
  expect(validateSequence(out.sequence).ok).toBe(true);
  return out;
};
const step = (out: { sequence: { steps: any[] } }, id: string) => out.sequence.steps.find((s) => s.id === id);
const paths = (out: { unconverted: { path: string }[] }) => out.unconverted.map((u) => u.path);

describe('converting a Pinpoint journey: one activity type at a time', () => {
  it('EMAIL: an email step with its template name, in NextActivity order', () => {
    const out = convert('email');
    expect(out.sequence.steps).toEqual([
      expect.objectContaining({ id: 'intro', channel: 'email', template: 'intro', after: 'P0D' }),
      expect.objectContaining({ id: 'followUp', channel: 'email', template: 'follow-up' }),
    ]);
    expect(out.sequence).toMatchObject({ id: 'pinpoint-email0001', name: 'two-emails' });
    expect(out.unconverted).toEqual([]);
  });

  it('Wait: WaitFor becomes the next touch\'s "after"; WaitUntil is listed and passed through', () => {
    const out = convert('wait');
    expect(out.sequence.steps.map((s: any) => [s.id, s.after])).toEqual([
      ['intro', 'P0D'],
      ['second', 'P4D'],
      ['third', 'P0D'],
    ]);
    expect(out.unconverted).toEqual([
      { path: 'Activities.waitUntil.Wait.WaitTime.WaitUntil', reason: expect.stringMatching(/fixed date/) },
    ]);
  });

  it('ConditionalSplit: email events branch (ANY: one case each) after EvaluationWaitTime; a segment condition is listed', () => {
    const out = convert('conditional-split');
    expect(step(out, 'clicked-wait')).toMatchObject({
      type: 'await_engagement',
      until: {},
      timeout: 'P1D',
      onTimeout: 'clicked',
    });
    expect(step(out, 'clicked')).toEqual({
      id: 'clicked',
      type: 'branch',
      cases: [
        { if: { events: ['email.clicked'] }, goto: 'demo' },
        { if: { events: ['email.opened'] }, goto: 'demo' },
      ],
      // The segment split did not convert: its participants follow FalseActivity.
      default: 'nurture',
    });
    expect(step(out, 'vipEmail')).toBeUndefined();
    expect(paths(out)).toEqual([
      'Activities.clicked.ConditionalSplit.Condition.Conditions.0.EventCondition.MessageActivity',
      'Activities.clicked.ConditionalSplit.Condition.Conditions.1.EventCondition.MessageActivity',
      'Activities.segmentCheck.ConditionalSplit.Condition.Conditions.0.SegmentCondition',
      'Activities.segmentCheck.ConditionalSplit',
      'Activities.vipEmail',
    ]);
  });

  it('MultiCondition: one case per branch that maps, DefaultActivity as the default', () => {
    const out = convert('multi-condition');
    expect(step(out, 'engagement')).toEqual({
      id: 'engagement',
      type: 'branch',
      cases: [
        { if: { events: ['email.clicked'] }, goto: 'clickers' },
        { if: { events: ['email.opened'] }, goto: 'openers' },
      ],
      default: 'others',
    });
    expect(step(out, 'engagement-wait')).toMatchObject({ timeout: 'P2D', onTimeout: 'engagement' });
    expect(out.unconverted).toContainEqual({
      path: 'Activities.engagement.MultiCondition.Branches.2.Condition.EventCondition.Dimensions.EventType.Values.0',
      reason: expect.stringMatching(/_custom.webinar_signup/),
    });
    expect(out.unconverted).toContainEqual({
      path: 'Activities.webinar',
      reason: expect.stringMatching(/did not convert/),
    });
  });

  it('Holdout: a split whose held-out share exits', () => {
    const out = convert('holdout');
    expect(out.sequence.steps).toEqual([
      {
        id: 'holdout',
        type: 'split',
        variants: [
          { name: 'holdout', weight: 20, goto: 'holdout-holdout' },
          { name: 'continue', weight: 80, goto: 'intro' },
        ],
      },
      expect.objectContaining({ id: 'intro', channel: 'email', next: 'journey-end' }),
      { id: 'holdout-holdout', type: 'exit', reason: 'held out (Pinpoint holdout 20%)' },
      { id: 'journey-end', type: 'exit', reason: 'end of the Pinpoint journey' },
    ]);
  });

  it('RandomSplit: a weighted split with one variant per path', () => {
    const out = convert('random-split');
    expect(step(out, 'ab').variants).toEqual([
      { name: 'path-1', weight: 60, goto: 'variantA' },
      { name: 'path-2', weight: 30, goto: 'variantB' },
      { name: 'path-3', weight: 10, goto: 'variantC' },
    ]);
    // Each path ends: no variant falls through into the next one's email.
    expect(step(out, 'variantA').next).toBe('journey-end');
    expect(step(out, 'variantB').next).toBe('journey-end');
  });

  it('ContactCenter: an SDR call task; the Connect campaign settings are listed', () => {
    const out = convert('contact-center');
    expect(out.sequence.steps[0]).toMatchObject({ id: 'call', channel: 'sdr_task', taskType: 'call' });
    expect(out.sequence.steps[1]).toMatchObject({ id: 'thanks', channel: 'email', template: 'thanks' });
    expect(paths(out)).toEqual(['JourneyChannelSettings']);
  });

  it('SMS, PUSH and CUSTOM: listed with their paths; the path continues at their NextActivity', () => {
    const out = convert('other-channels');
    expect(out.sequence.steps).toEqual([expect.objectContaining({ id: 'email', template: 'hello' })]);
    expect(paths(out)).toEqual(['Activities.sms.SMS', 'Activities.push.PUSH', 'Activities.custom.CUSTOM']);
  });

  it('Limits, QuietTime and OpenHours: the frequency cap and send window where they map; the rest listed', () => {
    const out = convert('limits-and-hours');
    expect(out.sequence.frequencyCap).toEqual({ perContact: 4, window: 'P7D', onCapped: 'skip' });
    // OpenHours' common Monday-Thursday hours, narrowed by the quiet time (17:30 to 09:00).
    expect(out.sequence.sendWindow).toEqual({
      days: ['mon', 'tue', 'wed', 'thu'],
      start: '09:00',
      end: '17:30',
    });
    expect(paths(out).sort()).toEqual(
      [
        'ClosedDays',
        'Limits.TotalCap',
        'Limits.EndpointReentryInterval',
        'OpenHours.SMS',
        'OpenHours.EMAIL.FRIDAY.0',
      ].sort(),
    );
  });

  it('a journey without quiet time or open hours keeps the default send window and cap', () => {
    const out = convert('email');
    expect(out.sequence.sendWindow).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:00',
    });
    expect(out.sequence.frequencyCap).toEqual({ perContact: 3, window: 'P7D', onCapped: 'skip' });
  });

  it('a cycle is cut where it loops back, with its path; the bare journey and the wrapper convert alike', () => {
    const journey = {
      Id: 'loop',
      Name: 'loop',
      StartActivity: 'a',
      Activities: {
        a: { EMAIL: { TemplateName: 'a', NextActivity: 'w' } },
        w: { Wait: { WaitTime: { WaitFor: 'P1D' }, NextActivity: 'b' } },
        b: { EMAIL: { TemplateName: 'b', NextActivity: 'a' } },
      },
    };
    const bare = importPinpointJourney(journey);
    expect(importPinpointJourney({ JourneyResponse: journey })).toEqual(bare);
    expect(bare.unconverted).toEqual([
      {
        path: 'Activities.b.EMAIL.NextActivity',
        reason: expect.stringMatching(/loops back to activity "a"/),
      },
    ]);
    expect(bare.sequence.steps.map((s: any) => [s.id, s.after, s.next])).toEqual([
      ['a', 'P0D', undefined],
      ['b', 'P1D', undefined],
    ]);
  });
});

describe('converting a realistic journey (get-journey output)', () => {
  const out = convert('tier1-nurture.get-journey');

  it('orders the steps from StartActivity along NextActivity, then each branch', () => {
    expect(out.sequence.steps.map((s: any) => s.id)).toEqual([
      'welcomeEmail',
      'wait3d',
      'openedSplit-wait',
      'openedSplit',
      'caseStudy',
      'abTest',
      'roiEmail',
      'sdrCall',
      'holdout10',
      'breakupEmail',
      'reminderEmail',
      'holdout10-holdout',
      'journey-end',
    ]);
    expect(out.sequence).toMatchObject({
      id: 'pinpoint-5d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
      name: 'ABM-Tier1-Nurture',
      frequencyCap: { perContact: 2, window: 'P1D' },
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '08:00', end: '20:00' },
    });
    expect(step(out, 'welcomeEmail')).toMatchObject({ template: 'ABM-Welcome' });
    // The SMS on the "no" path is skipped: its wait and reminder follow.
    expect(step(out, 'openedSplit').default).toBe('reminderEmail');
    expect(step(out, 'reminderEmail')).toMatchObject({ after: 'P5D', next: 'journey-end' });
  });

  it('the engine follows it: opened goes to the case study, not opened to the reminder', () => {
    const at = new Date('2026-04-01T10:00:00Z');
    const ctx = (events: any[]) => ({
      accountId: 'northwind',
      facts: { ...NO_FACTS, recentEvents: events },
      splitSalt: out.sequence.id,
      now: at,
    });
    const opened = walk(
      out.sequence,
      'openedSplit',
      ctx([{ type: 'email.opened', occurredAt: at.toISOString() }]),
    );
    expect(opened).toMatchObject({ kind: 'touch', step: { id: 'caseStudy' } });
    expect(walk(out.sequence, 'openedSplit', ctx([]))).toMatchObject({
      kind: 'touch',
      step: { id: 'reminderEmail' },
    });
  });

  it('lists everything it could not convert, with its path in the journey', () => {
    expect(out.unconverted).toEqual([
      { path: 'Activities.welcomeEmail.EMAIL.TemplateVersion', reason: expect.any(String) },
      { path: 'Activities.welcomeEmail.EMAIL.MessageConfig.FromAddress', reason: expect.any(String) },
      {
        path: 'Activities.openedSplit.ConditionalSplit.Condition.Conditions.0.EventCondition.MessageActivity',
        reason: expect.stringMatching(/email.opened from any email/),
      },
      { path: 'Activities.smsNudge.SMS', reason: expect.stringMatching(/no SMS channel/) },
      { path: 'Activities.appPromo', reason: 'not reachable from StartActivity' },
      { path: 'StartCondition', reason: expect.stringMatching(/audience/) },
      { path: 'Schedule', reason: expect.any(String) },
      { path: 'RefreshFrequency', reason: expect.any(String) },
      { path: 'Limits.MessagesPerSecond', reason: expect.any(String) },
      { path: 'Limits.EndpointReentryCap', reason: expect.any(String) },
    ]);
  });
});

describe('bodies that are not a journey', () => {
  const details = (body: unknown) => {
    try {
      importPinpointJourney(body);
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequest);
      return (err as BadRequest).details.map((d) => d.path);
    }
    throw new Error('expected a 400');
  };

  it.each([
    ['no StartActivity', { Activities: { a: { EMAIL: {} } } }, 'body.StartActivity'],
    [
      'a StartActivity that is not an activity',
      { StartActivity: 'x', Activities: { a: { EMAIL: {} } } },
      'body.StartActivity',
    ],
    [
      'a wrong type inside the wrapper',
      { JourneyResponse: { StartActivity: 'a', Activities: { a: { Holdout: { Percentage: 'ten' } } } } },
      'body.JourneyResponse.Activities.a.Holdout.Percentage',
    ],
    ['an array', [], 'body'],
  ])('400 for %s, with the path', (_name, body, path) => {
    expect(details(body)).toContain(path);
  });

  it('a journey with nothing convertible: 400 saying why, with the journey paths', () => {
    const got = details({ StartActivity: 's', Activities: { s: { SMS: { TemplateName: 't' } } } });
    expect(got).toContain('body');
    expect(got).toContain('body.Activities.s.SMS');
    expect(got.every((p: string) => /^body(\.|$)/.test(p))).toBe(true);
  });
});

const h = useHarness(() => startHarness());

describe('POST /sequences/import/pinpoint', () => {
  it('200 with the sequence and what was not converted; nothing is saved', async () => {
    const res = await h.call('POST', '/sequences/import/pinpoint', {
      body: fixture('tier1-nurture.get-journey'),
    });
    expect(res.status).toBe(200);
    expect(res.json.sequence.id).toBe('pinpoint-5d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b');
    expect(res.json.unconverted).toContainEqual({
      path: 'Activities.smsNudge.SMS',
      reason: expect.any(String),
    });
    expectErrorShape(await h.call('GET', `/sequences/${res.json.sequence.id}`), 404);
  });

  it('400 for a body that is not a journey, with the field path', async () => {
    const e = expectErrorShape(
      await h.call('POST', '/sequences/import/pinpoint', { body: { JourneyResponse: { Activities: {} } } }),
      400,
    );
    expect(e.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['body.JourneyResponse.StartActivity', 'body.JourneyResponse.Activities']),
    );
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    expect(doc.paths['/sequences/import/pinpoint'].post.security).toEqual([{ sigv4: [] }]);
  });
});
