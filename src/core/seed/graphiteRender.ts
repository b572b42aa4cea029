/**
 * Checks through graphite-web's render API that every series sent to carbon arrived; carbon writes
 * asynchronously, so verifyGraphite polls.
 */
import { describeFetchError } from './fetchErrors';
import type { GraphiteSeries } from './graphiteMetrics';
import { isRecord } from './json';

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
  /** A render failed in a way that may pass (5xx, timeout); the check polls on until its timeout. */
  onRetry?: (reason: string, elapsedMs: number) => void;
}

export class GraphiteVerifyError extends Error {
  constructor(
    message: string,
    readonly report?: GraphiteVerifyReport,
    /** The render failed in a way that may pass: HTTP 5xx, a timeout or a broken connection. */
    readonly transient = false
  ) {
    super(message);
  }
}

/** [value, epoch seconds], as render's JSON gives them. */
type RenderedPoint = [number | null, number];

function isRenderedPoint(p: unknown): p is RenderedPoint {
  return Array.isArray(p) && (p[0] === null || typeof p[0] === 'number') && typeof p[1] === 'number';
}

/** target → datapoints; entries of another shape are skipped. */
function renderedSeries(json: readonly unknown[]): Map<string, RenderedPoint[]> {
  const out = new Map<string, RenderedPoint[]>();
  for (const r of json) {
    if (isRecord(r) && typeof r.target === 'string' && Array.isArray(r.datapoints)) {
      out.set(r.target, r.datapoints.filter(isRenderedPoint));
    }
  }
  return out;
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
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${base}/render`, {
        method: 'POST',
        headers: { ...o.headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
      });
      text = await res.text();
    } catch (err) {
      const { reason, retry } = describeFetchError(err, base);
      throw new GraphiteVerifyError(`graphite-web /render: ${reason}`, undefined, retry);
    }
    if (!res.ok) {
      // graphite-web answers 500 when its fetch from carbon's cache times out under load: that passes.
      throw new GraphiteVerifyError(
        `graphite-web /render: HTTP ${res.status}: ${text.slice(0, 300)}`,
        undefined,
        res.status >= 500
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GraphiteVerifyError(`graphite-web /render did not return JSON: ${text.slice(0, 300)}`);
    }
    if (!Array.isArray(json)) {
      throw new GraphiteVerifyError(`graphite-web /render did not return a list of series: ${text.slice(0, 300)}`);
    }
    const byTarget = renderedSeries(json);
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
  let last: GraphiteVerifyReport | undefined;
  for (;;) {
    polls++;
    let failure: GraphiteVerifyError | undefined;
    try {
      const checks = await checkGraphiteOnce(series, o);
      const mismatches = checks.filter((c) => !matches(c));
      last = { series: checks, mismatches, polls, elapsedMs: Date.now() - t0, ok: mismatches.length === 0 };
      if (last.ok) {
        return last;
      }
    } catch (err) {
      if (!(err instanceof GraphiteVerifyError) || !err.transient) {
        throw err;
      }
      failure = err;
    }
    const elapsedMs = Date.now() - t0;
    if (elapsedMs >= timeoutMs) {
      if (!failure) {
        throw new GraphiteVerifyError(formatGraphiteMismatch(last!), last);
      }
      // Say what is still missing: the last complete answer's mismatches, or that nothing was checked.
      const missing = last
        ? formatGraphiteMismatch({ ...last, polls, elapsedMs })
        : `none of the ${series.length} Graphite series could be checked (after ${Math.round(elapsedMs / 1000)} s, ${polls} polls)`;
      throw new GraphiteVerifyError(
        `${missing}\n  last render error: ${failure.message}`,
        last && { ...last, polls, elapsedMs }
      );
    }
    if (failure) {
      o.onRetry?.(failure.message, elapsedMs);
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
