/**
 * Local SES's sending rate (ABM_SES_MAX_SEND_RATE): a token bucket on local mode's clock in front of
 * aws-ses-v2-local's SendEmail, answering SES's ThrottlingException past it.
 */
import { tmpdir } from 'node:os';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../functions/kernel/clock';
import { classifySesError } from '../../functions/platform/ses';
import { SendRateLimit, startSesLocal } from '../../lib/local/ses';
import { readSettings } from '../../lib/local/settings';

describe('the sending-rate bucket', () => {
  it('holds one second of sends, refills at the rate on the given clock, and counts refusals', () => {
    const clock = new ManualClock(0);
    const limit = new SendRateLimit(10, () => clock.now().getTime());
    expect(Array.from({ length: 12 }, () => limit.take())).toEqual([
      ...Array<boolean>(10).fill(true),
      false,
      false,
    ]);
    expect(limit.throttled).toBe(2);
    expect(limit.peakPerSecond).toBe(10);
    clock.advance(100);
    expect([limit.take(), limit.take()]).toEqual([true, false]);
    clock.advance(10_000);
    expect(Array.from({ length: 11 }, () => limit.take()).filter(Boolean)).toHaveLength(10);
  });

  it('holds at least one send below one per second', () => {
    const clock = new ManualClock(0);
    const limit = new SendRateLimit(0.5, () => clock.now().getTime());
    expect([limit.take(), limit.take()]).toEqual([true, false]);
    clock.advance(1000);
    expect(limit.take()).toBe(false);
    clock.advance(1000);
    expect(limit.take()).toBe(true);
  });
});

describe('local SES with a sending rate', () => {
  it('answers SendEmail past the rate with ThrottlingException, drops that mail, and accepts again later', async () => {
    const clock = new ManualClock('2026-03-02T15:00:00Z');
    const ses = await startSesLocal({ maxSendRate: 1, clock });
    // No SDK retries: each call is one request.
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const send = (to: string) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'campaigns@abm.local',
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      );
    try {
      await send('a@example.com');
      const err = await send('b@example.com').then(
        () => undefined,
        (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
      );
      expect(err?.name).toBe('ThrottlingException');
      expect(err?.message).toBe('Maximum sending rate exceeded.');
      expect(err?.$metadata?.httpStatusCode).toBe(400);
      expect(classifySesError(err)).toBe('throttled');
      expect(ses.sendStats()).toEqual({ accepted: 1, throttled: 1, peakPerSecond: 1 });
      // Other routes are not limited.
      expect((await ses.emails()).map((m) => m.destination.to[0])).toEqual(['a@example.com']);
      clock.advance(1000);
      await send('b@example.com');
      expect((await ses.emails()).map((m) => m.destination.to[0])).toEqual([
        'a@example.com',
        'b@example.com',
      ]);
    } finally {
      client.destroy();
      await ses.stop();
    }
  });
});

describe('local settings: ABM_SES_MAX_SEND_RATE', () => {
  it('is unlimited by default and takes sends per second of the local clock', () => {
    expect(readSettings({}, tmpdir()).sesMaxSendRate).toBeUndefined();
    expect(readSettings({ ABM_SES_MAX_SEND_RATE: '14' }, tmpdir()).sesMaxSendRate).toBe(14);
    expect(readSettings({ ABM_SES_MAX_SEND_RATE: '0.5' }, tmpdir()).sesMaxSendRate).toBe(0.5);
  });

  it('names the variable when the value is not a rate', () => {
    for (const bad of ['0', '-3', 'fast', '5000'])
      expect(() => readSettings({ ABM_SES_MAX_SEND_RATE: bad }, tmpdir())).toThrow(/ABM_SES_MAX_SEND_RATE/);
  });
});
