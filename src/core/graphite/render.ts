/**
 * Graphite render API for context features: one request for all targets, summarized to the model's
 * step with `sum` so a value is a count per step, aligned to step boundaries. Graphite's nulls stay null.
 */
import type { FeatureMatrix } from '../featureMatrix';
import { stepStarts } from '../time';

export interface GraphiteFeature {
  /** Feature name in the matrix. */
  name: string;
  /** Graphite target (path or function expression). */
  target: string;
  /** How points inside one step combine: sum for counts, avg for gauges such as running jobs. */
  aggregation?: 'sum' | 'avg' | 'max' | 'min' | 'last';
}

export interface GraphiteRenderRequest {
  features: GraphiteFeature[];
  fromMs: number;
  toMs: number;
  stepMs: number;
}

export class GraphiteQueryError extends Error {}

/** Query string for `/render` (POST form body or GET query). */
export function buildRenderParams(req: GraphiteRenderRequest): URLSearchParams {
  if (req.features.length === 0) {
    throw new GraphiteQueryError('no Graphite targets configured');
  }
  return renderParams(
    req.features.map((f) => `alias(${summarized(f.target, req.stepMs, f.aggregation)},"${aliasSafe(f.name)}")`),
    req
  );
}

/** `target` summarized to the step, buckets aligned to step boundaries. */
export function summarized(target: string, stepMs: number, aggregation: GraphiteFeature['aggregation']): string {
  if (!Number.isInteger(stepMs) || stepMs < 1000 || stepMs % 1000 !== 0) {
    throw new GraphiteQueryError(`step must be a whole number of seconds, got ${stepMs} ms`);
  }
  // alignToFrom=true makes buckets start at `from`, which is itself a step boundary.
  return `summarize(${target},"${stepMs / 1000}s","${aggregation ?? 'sum'}",true)`;
}

/** Render parameters for targets over [fromMs, toMs) widened to whole steps, as JSON with nulls. */
export function renderParams(
  targets: readonly string[],
  req: Omit<GraphiteRenderRequest, 'features'>
): URLSearchParams {
  const { from, to } = aligned(req);
  const params = new URLSearchParams();
  for (const t of targets) {
    params.append('target', t);
  }
  // Whisper returns points strictly after `from`; start one second early to get the first step.
  params.set('from', String(from / 1000 - 1));
  // `until` is inclusive in Graphite; stop one second before the next step.
  params.set('until', String(to / 1000 - 1));
  params.set('format', 'json');
  params.set('noNullPoints', 'false');
  return params;
}

interface RenderSeries {
  target: string;
  datapoints: Array<[number | null, number]>;
}

/** Renders → feature matrix with one row per step in [from, to); a step Graphite did not return is null. */
export function parseRender(req: GraphiteRenderRequest, response: unknown): FeatureMatrix {
  if (!Array.isArray(response)) {
    throw new GraphiteQueryError('unexpected Graphite render response: not a JSON array');
  }
  const { from, to } = aligned(req);
  const times = stepStarts(from, to, req.stepMs);
  const index = new Map(times.map((t, i) => [t, i]));
  const values = times.map(() => req.features.map((): number | null => null));
  const series = response as RenderSeries[];
  req.features.forEach((f, col) => {
    const s = series.find((x) => x.target === aliasSafe(f.name));
    if (!s) {
      throw new GraphiteQueryError(`Graphite path matches nothing: ${f.target} (feature "${f.name}")`);
    }
    for (const [v, ts] of s.datapoints) {
      const row = index.get(ts * 1000);
      if (row !== undefined && v !== null && Number.isFinite(v)) {
        values[row][col] = v;
      }
    }
  });
  return { times, stepMs: req.stepMs, features: req.features.map((f) => f.name), values };
}

function aligned(req: Omit<GraphiteRenderRequest, 'features'>) {
  if (!(req.toMs > req.fromMs)) {
    throw new GraphiteQueryError('empty time range');
  }
  return { from: Math.floor(req.fromMs / req.stepMs) * req.stepMs, to: Math.ceil(req.toMs / req.stepMs) * req.stepMs };
}

/** Feature names go inside a quoted Graphite string; keep them to characters that need no escaping. */
function aliasSafe(name: string): string {
  return name.replace(/["\\(),]/g, '_');
}
