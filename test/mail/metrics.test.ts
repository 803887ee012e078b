/**
 * The print-and-mail provider's request metrics (functions/platform/providers/mail/metrics.ts):
 * each attempt the HTTP client reports is counted per provider, throttles and failures apart, and
 * published as one metric set per provider, then from zero again.
 */
import { describe, expect, it } from 'vitest';
import { MailRequestCounts } from '../../functions/platform/providers/mail/metrics';

describe('mail request metrics', () => {
  it('counts requests, throttles and failures per provider, and publishes one set each', () => {
    const counts = new MailRequestCounts();
    for (const status of [200, 200, 429, 500, 0]) counts.record('lob', { status, throttled: status === 429 });
    counts.record('postgrid', { status: 201, throttled: false });
    expect(counts.totals()).toEqual({
      lob: { requests: 5, throttles: 1, failures: 2 },
      postgrid: { requests: 1, throttles: 0, failures: 0 },
    });
    const sets: { dimensions: Record<string, string>; metrics: Record<string, number> }[] = [];
    counts.publish({
      singleMetric() {
        const set = { dimensions: {} as Record<string, string>, metrics: {} as Record<string, number> };
        sets.push(set);
        return {
          addDimension: (name, value) => void (set.dimensions[name] = value),
          addMetric: (name, _unit, value) => void (set.metrics[name] = value),
        };
      },
    });
    expect(sets).toEqual([
      {
        dimensions: { provider: 'lob' },
        metrics: { 'directMail.requests': 5, 'directMail.throttles': 1, 'directMail.failures': 2 },
      },
      { dimensions: { provider: 'postgrid' }, metrics: { 'directMail.requests': 1 } },
    ]);
    expect(counts.totals()).toEqual({});
  });
});
