/**
 * A sequence's steps and branches as a diagram: dagre lays the graph out (top to bottom), this
 * draws it as SVG. Loaded with the sequence page only.
 */
import dagre from '@dagrejs/dagre';

interface Step {
  id: string;
  type?: string;
  channel?: string;
  after?: string;
  next?: string;
  cases?: { goto?: string; if?: unknown }[];
  default?: string;
  onTimeout?: string;
  variants?: { name?: string; goto?: string; weight?: number }[];
  timeout?: string;
  template?: string;
}

const W = 190;
const H = 52;

function edgesOf(steps: Step[]): { from: string; to: string; label?: string }[] {
  const ids = new Set(steps.map((s) => s.id));
  const out: { from: string; to: string; label?: string }[] = [];
  steps.forEach((s, i) => {
    const following = steps[i + 1]?.id;
    const resolve = (t: string | undefined) => (t === 'next' ? following : t);
    const add = (t: string | undefined, label?: string) => {
      const to = resolve(t);
      if (to && ids.has(to)) out.push({ from: s.id, to, label });
    };
    if (s.type === 'exit') return;
    if (s.type === 'branch') {
      (s.cases ?? []).forEach((c, k) => add(c.goto, `case ${k + 1}`));
      add(s.default ?? 'next', 'otherwise');
      return;
    }
    if (s.type === 'split') {
      (s.variants ?? []).forEach((v, k) => add(v.goto, v.name ?? `variant ${k + 1}`));
      return;
    }
    if (s.type === 'await_engagement') {
      const engaged = resolve(s.next ?? 'next');
      const timeout = resolve(s.onTimeout ?? 'next');
      if (engaged === timeout) add(engaged, 'engaged or timeout');
      else {
        add(engaged, 'engaged');
        add(timeout, 'timeout');
      }
      return;
    }
    add(s.next ?? 'next');
  });
  return out;
}

function kindOf(s: Step): string {
  if (s.type === 'touch' || (!s.type && s.channel))
    return `${(s.channel ?? 'touch').replace(/_/g, ' ')}${s.after && s.after !== 'P0D' ? ` after ${s.after}` : ''}`;
  return (s.type ?? 'step').replace(/_/g, ' ');
}

const FILL: Record<string, string> = {
  email: '#ddf4ff',
  ads: '#fbefff',
  sdr_task: '#dafbe1',
  direct_mail: '#fff8c5',
};

export function SequenceDiagram(props: { sequence: { steps?: Step[] } }) {
  const steps = Array.isArray(props.sequence.steps)
    ? props.sequence.steps.filter((s) => s && typeof s.id === 'string')
    : [];
  if (steps.length === 0) return <p class="muted">No steps to draw.</p>;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 36, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of steps) g.setNode(s.id, { width: W, height: H });
  const edges = edgesOf(steps);
  for (const e of edges)
    g.setEdge(e.from, e.to, { label: e.label, width: e.label ? 60 : 0, height: e.label ? 14 : 0 });
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(graph.width ?? 400);
  const height = Math.ceil(graph.height ?? 400);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      role="img"
      aria-label={`Diagram of ${steps.length} steps: ${edges.map((e) => `${e.from} to ${e.to}${e.label ? ` (${e.label})` : ''}`).join('; ')}`}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a" />
        </marker>
      </defs>
      {g.edges().map((e) => {
        const edge = g.edge(e) as {
          points: { x: number; y: number }[];
          label?: string;
          x?: number;
          y?: number;
        };
        const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
        return (
          <g key={`${e.v}-${e.w}`}>
            <path d={d} fill="none" stroke="#57606a" stroke-width="1.5" marker-end="url(#arrow)" />
            {edge.label && edge.x !== undefined && edge.y !== undefined && (
              <text x={edge.x} y={edge.y + 4} text-anchor="middle" font-size="11" fill="#1b1f24">
                {edge.label}
              </text>
            )}
          </g>
        );
      })}
      {steps.map((s) => {
        const n = g.node(s.id);
        const fill =
          s.type === 'branch'
            ? '#ffebe9'
            : s.type === 'exit'
              ? '#eaeef2'
              : s.type === 'await_engagement'
                ? '#fff1e5'
                : (FILL[s.channel ?? ''] ?? '#f6f8fa');
        return (
          <g key={s.id} transform={`translate(${n.x - W / 2}, ${n.y - H / 2})`}>
            <rect width={W} height={H} rx="8" fill={fill} stroke="#57606a" />
            <text x={W / 2} y={21} text-anchor="middle" font-size="13" font-weight="600" fill="#1b1f24">
              {s.id.length > 24 ? `${s.id.slice(0, 23)}…` : s.id}
            </text>
            <text x={W / 2} y={39} text-anchor="middle" font-size="11" fill="#424a53">
              {kindOf(s)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
