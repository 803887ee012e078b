/**
 * The audience sync's metrics, per provider (a `provider` dimension): members added and removed,
 * requests, throttles (429s) and failures. The sync counts members and failures; an adapter counts
 * its requests and throttles through the same sink (it is handed to the adapter factory). On Lambda
 * they are Powertools metrics (CloudWatch embedded metric format), published once per batch.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

export const ADS_METRICS = ['membersAdded', 'membersRemoved', 'requests', 'throttles', 'failures'] as const;
export type AdsMetricName = (typeof ADS_METRICS)[number];

export interface AdsMetrics {
  count(provider: string, name: AdsMetricName, value?: number): void;
}

/** Counts in memory: the totals of a batch (then published), or what a test or local mode reads. */
export class CountingAdsMetrics implements AdsMetrics {
  private readonly counts = new Map<string, Record<AdsMetricName, number>>();

  count(provider: string, name: AdsMetricName, value = 1): void {
    if (value === 0) return;
    let c = this.counts.get(provider);
    if (!c) {
      c = { membersAdded: 0, membersRemoved: 0, requests: 0, throttles: 0, failures: 0 };
      this.counts.set(provider, c);
    }
    c[name] += value;
  }

  totals(): Record<string, Record<AdsMetricName, number>> {
    return Object.fromEntries([...this.counts].map(([p, c]) => [p, { ...c }]));
  }

  /** Hands the counts to Powertools, one metric set per provider, and starts again from zero. */
  publish(metrics: Pick<Metrics, 'singleMetric'>): void {
    for (const [provider, counts] of this.counts) {
      const single = metrics.singleMetric();
      single.addDimension('provider', provider);
      // A single metric is emitted as soon as it is added.
      for (const name of ADS_METRICS)
        if (counts[name] > 0) single.addMetric(name, MetricUnit.Count, counts[name]);
    }
    this.counts.clear();
  }
}
