/**
 * The CRM bridge's metrics, per provider (a `provider` dimension): tasks created, requests,
 * throttles (429s), failures, outcomes polled. On Lambda they are Powertools metrics (CloudWatch
 * embedded metric format), published once per batch or poll.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

export const CRM_METRICS = ['tasksCreated', 'requests', 'throttles', 'failures', 'outcomesPolled'] as const;
export type CrmMetricName = (typeof CRM_METRICS)[number];

export class CrmMetrics {
  private readonly counts = new Map<string, Record<CrmMetricName, number>>();

  count(provider: string, name: CrmMetricName, value = 1): void {
    if (value === 0) return;
    let c = this.counts.get(provider);
    if (!c)
      this.counts.set(
        provider,
        (c = { tasksCreated: 0, requests: 0, throttles: 0, failures: 0, outcomesPolled: 0 }),
      );
    c[name] += value;
  }

  get(provider: string, name: CrmMetricName): number {
    return this.counts.get(provider)?.[name] ?? 0;
  }

  publish(metrics: Pick<Metrics, 'singleMetric'>): void {
    for (const [provider, counts] of this.counts) {
      const single = metrics.singleMetric();
      single.addDimension('provider', provider);
      for (const name of CRM_METRICS)
        if (counts[name] > 0) single.addMetric(name, MetricUnit.Count, counts[name]);
    }
    this.counts.clear();
  }
}
