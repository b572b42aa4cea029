/**
 * Graphite side of the seeder, framework-free: the hourly series of a generated grid under fifemon's
 * metric naming and the plaintext lines for carbon (graphiteRender.ts checks they arrived).
 *
 *   clusters.<pool>.jobs.totals.{running,idle,held}.count   claimed / idle / held jobs
 *   clusters.<pool>.experiments.<vo>.claimed.count          slots claimed per VO
 *   clusters.<pool>.slots.total.count                       cores visible to the pool
 *   clusters.<pool>.slots.utilization                       claimed / cores (0..1)
 *   clusters.<pool>.events.<MyType>.count                   events per hour (absent in monitoring gaps)
 */
import type { GeneratedGrid } from '../generator/simulate';

export const DEFAULT_POOL = 'gpgrid';

export interface GraphiteSeries {
  path: string;
  /** [epoch seconds, value]; value already in its final text form's precision. */
  points: Array<[number, number]>;
}

/** Graphite path components may not contain dots or spaces. */
export function metricComponent(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function gridGraphiteSeries(g: GeneratedGrid, pool = DEFAULT_POOL): GraphiteSeries[] {
  const p = `clusters.${metricComponent(pool)}`;
  const sec = g.times.map((t) => Math.floor(t / 1000));
  const all = (values: readonly number[]) => sec.map((t, h): [number, number] => [t, values[h]]);
  const series: GraphiteSeries[] = [
    { path: `${p}.jobs.totals.running.count`, points: all(g.context.running) },
    { path: `${p}.jobs.totals.idle.count`, points: all(g.context.idle) },
    { path: `${p}.jobs.totals.held.count`, points: all(g.context.held) },
    { path: `${p}.slots.total.count`, points: all(g.context.cores) },
    // Six decimals: the value written is the value checked.
    { path: `${p}.slots.utilization`, points: all(g.context.utilization.map((u) => Number(u.toFixed(6)))) },
  ];
  g.experiments.forEach((vo, e) => {
    series.push({
      path: `${p}.experiments.${metricComponent(vo)}.claimed.count`,
      points: all(g.context.claimedByExperiment.map((row) => row[e])),
    });
  });
  const T = g.eventTypes.length;
  g.eventTypes.forEach((type, k) => {
    const points: Array<[number, number]> = [];
    for (let h = 0; h < g.hours; h++) {
      if (!g.missing[h]) {
        points.push([sec[h], g.totals[h * T + k]]);
      }
    }
    series.push({ path: `${p}.events.${metricComponent(type)}.count`, points });
  });
  return series;
}

export function countDatapoints(series: readonly GraphiteSeries[]): number {
  return series.reduce((n, s) => n + s.points.length, 0);
}

/** Carbon plaintext protocol lines, `path value timestamp\n`, in chunks of about `chunkLines`. */
export function* plaintextChunks(series: readonly GraphiteSeries[], chunkLines = 5000): Generator<string> {
  let buf: string[] = [];
  for (const s of series) {
    for (const [t, v] of s.points) {
      buf.push(`${s.path} ${v} ${t}\n`);
      if (buf.length >= chunkLines) {
        yield buf.join('');
        buf = [];
      }
    }
  }
  if (buf.length > 0) {
    yield buf.join('');
  }
}
