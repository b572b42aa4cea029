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
import { CarbonError, sendPlaintext, type CarbonTarget } from './carbon';

// The carbon client lives in ./carbon (shared with the watcher); re-exported for the seeder's callers.
export { CarbonError, parseHostPort, sendPlaintext, type CarbonTarget } from './carbon';

export interface GraphiteSeedOptions extends CarbonTarget {
  pool?: string;
  /** graphite-web URL for the render check; without it the check is skipped. */
  url?: string;
  verifyTimeoutMs?: number;
  /** Re-send everything once if the check still fails at its timeout (whisper writes are idempotent). */
  resendOnMismatch?: boolean;
  /** Tries of a send that timed out or broke off (default 3; whisper writes are idempotent). */
  sendAttempts?: number;
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
  const send = async (part: GraphiteSeries[]) => {
    const attempts = o.sendAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await sendPlaintext(plaintextChunks(part), o);
      } catch (err) {
        if (!(err instanceof CarbonError) || !err.transient || attempt >= attempts) {
          throw err;
        }
        log(`${err.message}; sending again (attempt ${attempt + 1} of ${attempts})`);
      }
    }
  };
  const { bytes } = await send(series);
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
  const onRetry = (reason: string, elapsedMs: number) =>
    log(
      `render check: ${reason}; polling again (${Math.round(elapsedMs / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s)`
    );
  try {
    report.verify = await verifyGraphite(series, {
      url: o.url,
      timeoutMs: o.resendOnMismatch ? timeoutMs / 2 : timeoutMs,
      onRetry,
    });
  } catch (err) {
    if (!o.resendOnMismatch || !(err instanceof GraphiteVerifyError) || !err.report) {
      throw err;
    }
    // Carbon may have dropped points (e.g. create rate limits); re-sending is idempotent in whisper.
    const bad = new Set(err.report.mismatches.map((m) => m.path));
    log(`render check: ${bad.size} series incomplete; sending them once more`);
    await send(series.filter((s) => bad.has(s.path)));
    report.verify = await verifyGraphite(series, { url: o.url, timeoutMs: timeoutMs / 2, onRetry });
  }
  report.totalMs = Date.now() - t0;
  log(`render check: ${series.length} series match (${report.verify.polls} polls, ${report.verify.elapsedMs} ms)`);
  return report;
}
