/**
 * The print-and-mail provider's request metrics, per provider (a `provider` dimension): requests,
 * throttles (429s) and failures (5xx, network errors, timeouts), as the shared HTTP client reports
 * each attempt (functions/platform/providers/http.ts `onRequest`). The ExecuteStep function
 * publishes them once per invocation in the embedded metric format
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html),
 * through the handlers' own writer (functions/platform/powertools.ts `metrics`), as the audience
 * sync publishes its own.
 */
import type { RequestMetric } from '../http';

export const MAIL_METRICS = ['requests', 'throttles', 'failures'] as const;
export type MailMetricName = (typeof MAIL_METRICS)[number];

interface SingleMetric {
  addDimension(name: string, value: string): void;
  addMetric(name: string, unit: 'Count', value: number): void;
}

export class MailRequestCounts {
  private readonly counts = new Map<string, Record<MailMetricName, number>>();

  /** One attempt of a request to `provider`. */
  record(provider: string, m: Pick<RequestMetric, 'status' | 'throttled'>): void {
    let c = this.counts.get(provider);
    if (!c) this.counts.set(provider, (c = { requests: 0, throttles: 0, failures: 0 }));
    c.requests++;
    if (m.throttled) c.throttles++;
    else if (m.status === 0 || m.status >= 500) c.failures++;
  }

  totals(): Record<string, Record<MailMetricName, number>> {
    return Object.fromEntries([...this.counts].map(([p, c]) => [p, { ...c }]));
  }

  /** One metric set per provider, then from zero again. */
  publish(metrics: { singleMetric(): SingleMetric }): void {
    for (const [provider, counts] of this.counts) {
      const single = metrics.singleMetric();
      single.addDimension('provider', provider);
      for (const name of MAIL_METRICS)
        if (counts[name] > 0) single.addMetric(`directMail.${name}`, 'Count', counts[name]);
    }
    this.counts.clear();
  }
}

/** The counts of this execution environment's orders (published by the ExecuteStep handler). */
export const mailRequestCounts = new MailRequestCounts();
