/**
 * The console's charts (Chart.js, loaded only by the pages that draw one). Each canvas is an image
 * with a label that says what it shows; the numbers are also in a table next to it.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Filler,
  Legend,
  Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.color = '#1b1f24';
Chart.defaults.datasets.bar.maxBarThickness = 28;

function Canvas(props: { label: string; config: () => ChartConfiguration }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { config } = props;
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, config());
    return () => chart.destroy();
  }, [config]);
  return (
    <div class="chart">
      <canvas ref={ref} role="img" aria-label={props.label} />
    </div>
  );
}

const shortDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** One account's score over time, with the MQA threshold as a dashed line. */
export function ScoreChart(props: { points: { at: string; value: number }[]; threshold: number }) {
  const { points, threshold } = props;
  const config = (): ChartConfiguration => ({
    type: 'line',
    data: {
      labels: points.map((p) => shortDate(p.at)),
      datasets: [
        {
          label: 'Score',
          data: points.map((p) => p.value),
          borderColor: '#0969da',
          backgroundColor: '#0969da',
          tension: 0,
        },
        {
          label: `MQA threshold (${threshold})`,
          data: points.map(() => threshold),
          borderColor: '#cf222e',
          borderDash: [6, 4],
          pointRadius: 0,
          backgroundColor: '#cf222e',
        },
      ],
    },
    options: { scales: { y: { suggestedMin: 0, title: { display: true, text: 'score' } } } },
  });
  return <Canvas label={`Score over time against the MQA threshold of ${threshold}`} config={config} />;
}

/** Per step: sent, skipped, failed, uncertain, stacked. */
export function FunnelChart(props: {
  steps: {
    stepId: string;
    channel: string | null;
    sent: number;
    skipped: number;
    failed: number;
    uncertain: number;
    deferred: number;
  }[];
}) {
  // Control steps (waits, branches, exits) send nothing: only the touch steps are drawn.
  const steps = props.steps.filter((s) => s.channel);
  const config = (): ChartConfiguration => ({
    type: 'bar',
    data: {
      labels: steps.map((s) => s.stepId),
      datasets: [
        { label: 'Sent', data: steps.map((s) => s.sent), backgroundColor: '#1a7f37' },
        { label: 'Skipped', data: steps.map((s) => s.skipped), backgroundColor: '#8c959f' },
        { label: 'Deferred', data: steps.map((s) => s.deferred), backgroundColor: '#bf8700' },
        { label: 'Failed', data: steps.map((s) => s.failed), backgroundColor: '#cf222e' },
        { label: 'Uncertain', data: steps.map((s) => s.uncertain), backgroundColor: '#8250df' },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: { stacked: true, title: { display: true, text: 'touches' } },
        y: { stacked: true, ticks: { autoSkip: false } },
      },
    },
  });
  return <Canvas label="Touches per step: sent, skipped, deferred, failed and uncertain" config={config} />;
}

/** Committee coverage by role: the share of mapped people reached. */
export function CoverageChart(props: {
  byRole: [string, { reached: number; committee: number; ratio: number }][];
}) {
  const { byRole } = props;
  const config = (): ChartConfiguration => ({
    type: 'bar',
    data: {
      labels: byRole.map(([r]) => r.replace(/_/g, ' ')),
      datasets: [
        {
          label: 'Reached',
          data: byRole.map(([, v]) => Math.round(v.ratio * 1000) / 10),
          backgroundColor: '#0969da',
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { min: 0, max: 100, title: { display: true, text: '% of the committee reached' } } },
    },
  });
  return <Canvas label="Committee coverage by role, percent reached" config={config} />;
}

export type { Quantiles } from './quantiles';
import type { Quantiles } from './quantiles';

/** The treated accounts' score distribution over time: the median, the middle half and 80%. */
export function DistributionChart(props: { series: Quantiles[]; threshold?: number }) {
  const { series, threshold } = props;
  const config = (): ChartConfiguration => ({
    type: 'line',
    data: {
      labels: series.map((q) => shortDate(q.at)),
      datasets: [
        {
          label: '90th percentile',
          data: series.map((q) => q.p90),
          borderColor: '#b6e3ff',
          backgroundColor: '#b6e3ff',
          pointRadius: 0,
          fill: false,
        },
        {
          label: '10th-90th',
          data: series.map((q) => q.p10),
          borderColor: '#b6e3ff',
          backgroundColor: 'rgba(182,227,255,0.45)',
          pointRadius: 0,
          fill: '-1',
        },
        {
          label: '75th percentile',
          data: series.map((q) => q.p75),
          borderColor: '#54aeff',
          backgroundColor: '#54aeff',
          pointRadius: 0,
          fill: false,
        },
        {
          label: '25th-75th',
          data: series.map((q) => q.p25),
          borderColor: '#54aeff',
          backgroundColor: 'rgba(84,174,255,0.45)',
          pointRadius: 0,
          fill: '-1',
        },
        {
          label: 'Median',
          data: series.map((q) => q.p50),
          borderColor: '#0550ae',
          backgroundColor: '#0550ae',
          borderWidth: 3,
          pointRadius: 2,
        },
        ...(threshold === undefined
          ? []
          : [
              {
                label: `MQA threshold (${threshold})`,
                data: series.map(() => threshold),
                borderColor: '#cf222e',
                backgroundColor: '#cf222e',
                borderDash: [6, 4],
                pointRadius: 0,
              },
            ]),
      ],
    },
    options: {
      plugins: { legend: { labels: { filter: (item) => !/percentile$/.test(item.text) } } },
      scales: { y: { beginAtZero: true, title: { display: true, text: 'score' } } },
    },
  });
  return (
    <Canvas
      label="Score distribution of the treated accounts over time: median with the middle 50% and 80% bands"
      config={config}
    />
  );
}
