/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The sending-domain routes through the API router over dynalite: a domain's reputation breaker
 * (GET /sending-domains/{domain}) and the operator's resume (POST .../resume), in the OpenAPI
 * document; local mode's /_local routes are not.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const pause = () =>
  h.store.reputation.pause({
    domain: 'example.com',
    status: 'paused',
    reason: 'complaint_rate',
    pausedAt: '2026-11-23T08:00:00.000Z',
    window: {
      hours: 24,
      from: '2026-11-22T09:00:00.000Z',
      sends: 800,
      bounces: 3,
      complaints: 1,
      bounceRate: 3 / 800,
      complaintRate: 1 / 800,
    },
    updatedAt: '2026-11-23T08:00:00.000Z',
  });

describe('sending domains', () => {
  it('shows a domain that was never paused as active, with the default thresholds', async () => {
    const res = await h.call('GET', '/sending-domains/Example.COM');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      domain: 'example.com',
      status: 'active',
      window: {
        hours: 24,
        from: '2026-11-22T10:00:00.000Z',
        sends: 0,
        bounces: 0,
        complaints: 0,
        bounceRate: 0,
        complaintRate: 0,
      },
      thresholds: { windowHours: 24, minSends: 500, maxBounceRate: 0.05, maxComplaintRate: 0.001 },
    });
  });

  it('resuming a domain that is not paused is a 409; a malformed domain a 400', async () => {
    const res = await h.call('POST', '/sending-domains/example.com/resume');
    expect(expectErrorShape(res, 409, 'conflict').message).toMatch(/example\.com is not paused/);
    const bad = await h.call('POST', '/sending-domains/not_a_domain/resume');
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: any) => d.path)).toEqual(['params.domain']);
  });

  it('resumes a paused domain: active again, its window from now, email.sending_resumed published', async () => {
    expect(await pause()).toBe(true);
    expect((await h.call('GET', '/sending-domains/example.com')).json).toMatchObject({
      status: 'paused',
      reason: 'complaint_rate',
      pausedAt: '2026-11-23T08:00:00.000Z',
    });
    const res = await h.call('POST', '/sending-domains/example.com/resume');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      domain: 'example.com',
      status: 'active',
      resumedAt: '2026-11-23T09:00:00.000Z',
      window: { from: '2026-11-23T09:00:00.000Z', sends: 0 },
    });
    expect(h.publisher.ofType(DETAIL_TYPES.sendingResumed).map((e) => e.detail)).toEqual([
      {
        eventId: 'sending-resumed:example.com:2026-11-23T09:00:00.000Z',
        occurredAt: '2026-11-23T09:00:00.000Z',
        domain: 'example.com',
        pausedAt: '2026-11-23T08:00:00.000Z',
        reason: 'complaint_rate',
      },
    ]);
    expect((await h.call('POST', '/sending-domains/example.com/resume')).status).toBe(409);
  });

  it('documents the routes in the OpenAPI document; no local-only route is in it', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/sending-domains/{domain}', '/sending-domains/{domain}/resume']),
    );
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/_local'))).toEqual([]);
    expect((await h.call('POST', '/_local/ses-events', { body: [] })).status).toBe(404);
  });
});
