/** Per-group means of evaluation results, per detector. */
import type { DetectorResult } from './runner';

export interface SummaryRow {
  group: string;
  detector: string;
  datasets: number;
  bestF1: number;
  averagePrecision: number;
  /** F1 and event metrics at the operating threshold (chosen on the training labels; see DetectorResult). */
  operatingF1: number;
  eventRecall: number;
  /** Mean over datasets where at least one event was detected. */
  medianDelayHours: number;
  falseAlarmsPerWeek: number;
}

function meanFinite(xs: number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

/**
 * Means over the datasets of each group, per detector. NaN entries (a skipped dataset, no detected event
 * for the delay) are left out of that mean; `datasets` counts the datasets not skipped.
 */
export function summarize(results: readonly DetectorResult[]): SummaryRow[] {
  const keys: string[] = [];
  const by = new Map<string, DetectorResult[]>();
  for (const r of results) {
    const k = `${r.group}\u0000${r.detector}`;
    if (!by.has(k)) {
      by.set(k, []);
      keys.push(k);
    }
    by.get(k)!.push(r);
  }
  return keys.map((k) => {
    const rs = by.get(k)!;
    return {
      group: rs[0].group,
      detector: rs[0].detector,
      datasets: rs.filter((r) => r.skipped === undefined).length,
      bestF1: meanFinite(rs.map((r) => r.bestF1)),
      averagePrecision: meanFinite(rs.map((r) => r.averagePrecision)),
      operatingF1: meanFinite(rs.map((r) => r.operating.f1)),
      eventRecall: meanFinite(rs.map((r) => r.operating.events.eventRecall)),
      medianDelayHours: meanFinite(rs.map((r) => r.operating.events.medianDelayHours)),
      falseAlarmsPerWeek: meanFinite(rs.map((r) => r.operating.events.falseAlarmsPerWeek)),
    };
  });
}
