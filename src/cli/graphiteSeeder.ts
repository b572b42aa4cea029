/**
 * Node side of the Graphite seeder: the series over carbon's plaintext protocol (./carbon) with explicit
 * (past) timestamps, then the render check from core. Exported for tests and benchmarks.
 */
import type { GeneratedGrid } from '../core/generator/simulate';
import {
  DEFAULT_POOL,
  countDatapoints,
  gridGraphiteSeries,
  plaintextChunks,
  type GraphiteSeries,
} from '../core/seed/graphiteMetrics';
import { GraphiteVerifyError, verifyGraphite, type GraphiteVerifyReport } from '../core/seed/graphiteRender';
import { sendPlaintext, type CarbonTarget } from './carbon';

// The carbon client lives in ./carbon (shared with the watcher); re-exported for the seeder's callers.
export { CarbonError, parseHostPort, sendPlaintext, type CarbonTarget } from './carbon';

export interface GraphiteSeedOptions extends CarbonTarget {
  pool?: string;
  /** graphite-web URL for the render check; without it the check is skipped. */
  url?: string;
  verifyTimeoutMs?: number;
  /** Re-send everything once if the check still fails at its timeout (whisper writes are idempotent). */
  resendOnMismatch?: boolean;
  log?: (message: string) => void;
}

export interface GraphiteSeedReport {
  series: number;
  datapoints: number;
  bytes: number;
  sendMs: number;
  datapointsPerSecond: number;
  verify?: GraphiteVerifyReport;
  /** From the first byte sent to a matching render (includes carbon's flush). */
  totalMs: number;
}

export async function seedGraphite(g: GeneratedGrid, o: GraphiteSeedOptions): Promise<GraphiteSeedReport> {
  const series = gridGraphiteSeries(g, o.pool ?? DEFAULT_POOL);
  return seedGraphiteSeries(series, o);
}

export async function seedGraphiteSeries(
  series: GraphiteSeries[],
  o: GraphiteSeedOptions
): Promise<GraphiteSeedReport> {
  const log = o.log ?? (() => undefined);
  const datapoints = countDatapoints(series);
  const t0 = Date.now();
  const { bytes } = await sendPlaintext(plaintextChunks(series), o);
  const sendMs = Date.now() - t0;
  const report: GraphiteSeedReport = {
    series: series.length,
    datapoints,
    bytes,
    sendMs,
    datapointsPerSecond: datapoints / Math.max(sendMs / 1000, 1e-3),
    totalMs: sendMs,
  };
  log(
    `sent ${datapoints} datapoints in ${series.length} series to ${o.host}:${o.port} (${Math.round(report.datapointsPerSecond)}/s)`
  );
  if (!o.url) {
    return report;
  }
  const timeoutMs = o.verifyTimeoutMs ?? 120_000;
  try {
    report.verify = await verifyGraphite(series, {
      url: o.url,
      timeoutMs: o.resendOnMismatch ? timeoutMs / 2 : timeoutMs,
    });
  } catch (err) {
    if (!o.resendOnMismatch || !(err instanceof GraphiteVerifyError) || !err.report) {
      throw err;
    }
    // Carbon may have dropped points (e.g. create rate limits); re-sending is idempotent in whisper.
    const bad = new Set(err.report.mismatches.map((m) => m.path));
    log(`render check: ${bad.size} series incomplete; sending them once more`);
    await sendPlaintext(plaintextChunks(series.filter((s) => bad.has(s.path))), o);
    report.verify = await verifyGraphite(series, { url: o.url, timeoutMs: timeoutMs / 2 });
  }
  report.totalMs = Date.now() - t0;
  log(`render check: ${series.length} series match (${report.verify.polls} polls, ${report.verify.elapsedMs} ms)`);
  return report;
}
