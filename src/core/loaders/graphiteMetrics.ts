/**
 * Graphite side of the seeder, framework-free: the hourly series of a generated grid under fifemon's
 * metric naming, the plaintext lines for carbon, and a check through graphite-web's render API that
 * every series arrived (carbon writes asynchronously, so the check polls).
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

export interface GraphiteSeriesCheck {
  path: string;
  expectedPoints: number;
  actualPoints: number;
  expectedSum: number;
  actualSum: number;
}

export interface GraphiteVerifyReport {
  series: GraphiteSeriesCheck[];
  mismatches: GraphiteSeriesCheck[];
  polls: number;
  elapsedMs: number;
  ok: boolean;
}

export interface GraphiteVerifyOptions {
  /** graphite-web base URL, e.g. http://localhost:8080 */
  url: string;
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  pollMs?: number;
  /** Targets per render request (default 40). */
  targetsPerRequest?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  headers?: Record<string, string>;
}

export class GraphiteVerifyError extends Error {
  constructor(
    message: string,
    readonly report?: GraphiteVerifyReport
  ) {
    super(message);
  }
}

function matches(c: GraphiteSeriesCheck): boolean {
  return (
    c.actualPoints === c.expectedPoints &&
    Math.abs(c.actualSum - c.expectedSum) <= 1e-6 * Math.max(1, Math.abs(c.expectedSum))
  );
}

/** Renders every series once and compares point counts and sums inside the series' time range. */
export async function checkGraphiteOnce(
  series: readonly GraphiteSeries[],
  o: GraphiteVerifyOptions
): Promise<GraphiteSeriesCheck[]> {
  const doFetch = o.fetch ?? fetch;
  const base = o.url.replace(/\/+$/, '');
  const per = o.targetsPerRequest ?? 40;
  const out: GraphiteSeriesCheck[] = [];
  for (let i = 0; i < series.length; i += per) {
    const part = series.slice(i, i + per);
    // A loop, not Math.min(...): months of hourly points would overflow the argument stack.
    let first = Infinity;
    let last = -Infinity;
    for (const s of part) {
      for (const [t] of s.points) {
        first = Math.min(first, t);
        last = Math.max(last, t);
      }
    }
    if (first === Infinity) {
      out.push(
        ...part.map((s) => ({ path: s.path, expectedPoints: 0, actualPoints: 0, expectedSum: 0, actualSum: 0 }))
      );
      continue;
    }
    const params = new URLSearchParams();
    for (const s of part) {
      params.append('target', s.path);
    }
    // Whisper returns points strictly after `from`, and `until` is inclusive.
    params.set('from', String(first - 1));
    params.set('until', String(last + 1));
    params.set('format', 'json');
    const res = await doFetch(`${base}/render`, {
      method: 'POST',
      headers: { ...o.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new GraphiteVerifyError(`graphite-web /render: HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    let json: Array<{ target: string; datapoints: Array<[number | null, number]> }>;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GraphiteVerifyError(`graphite-web /render did not return JSON: ${text.slice(0, 300)}`);
    }
    const byTarget = new Map(json.map((r) => [r.target, r.datapoints]));
    for (const s of part) {
      const wanted = new Set(s.points.map((p) => p[0]));
      let actualPoints = 0;
      let actualSum = 0;
      for (const [v, t] of byTarget.get(s.path) ?? []) {
        if (v !== null && wanted.has(t)) {
          actualPoints++;
          actualSum += v;
        }
      }
      out.push({
        path: s.path,
        expectedPoints: s.points.length,
        actualPoints,
        expectedSum: s.points.reduce((a, p) => a + p[1], 0),
        actualSum,
      });
    }
  }
  return out;
}

/** Polls render until every series matches or the timeout passes; throws GraphiteVerifyError with the report then. */
export async function verifyGraphite(
  series: readonly GraphiteSeries[],
  o: GraphiteVerifyOptions
): Promise<GraphiteVerifyReport> {
  const t0 = Date.now();
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = o.timeoutMs ?? 120_000;
  let polls = 0;
  for (;;) {
    polls++;
    const checks = await checkGraphiteOnce(series, o);
    const mismatches = checks.filter((c) => !matches(c));
    const report: GraphiteVerifyReport = {
      series: checks,
      mismatches,
      polls,
      elapsedMs: Date.now() - t0,
      ok: mismatches.length === 0,
    };
    if (report.ok) {
      return report;
    }
    if (Date.now() - t0 >= timeoutMs) {
      throw new GraphiteVerifyError(formatGraphiteMismatch(report), report);
    }
    await sleep(o.pollMs ?? 1000);
  }
}

export function formatGraphiteMismatch(r: GraphiteVerifyReport): string {
  const lines = [
    `${r.mismatches.length} of ${r.series.length} Graphite series differ from what was sent (after ${Math.round(r.elapsedMs / 1000)} s, ${r.polls} polls):`,
  ];
  for (const m of r.mismatches.slice(0, 15)) {
    lines.push(`  ${m.path}: points ${m.actualPoints}/${m.expectedPoints}, sum ${m.actualSum} vs ${m.expectedSum}`);
  }
  if (r.mismatches.length > 15) {
    lines.push(`  ... and ${r.mismatches.length - 15} more`);
  }
  if (r.mismatches.some((m) => m.actualPoints === 0)) {
    lines.push(
      '  (series with no points: check storage-schemas.conf retention covers the range, and carbon MAX_CREATES_PER_MINUTE)'
    );
  }
  return lines.join('\n');
}
