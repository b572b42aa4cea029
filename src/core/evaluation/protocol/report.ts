/** Markdown tables of evaluation results (what BENCHMARKS.md and `gridsentinel evaluate` print). */
import type { FeedbackFigures, FeedbackResult } from './feedback';
import { FALSE_ALARM_BUDGET_PER_WEEK, type DetectorResult } from './runner';
import { summarize } from './summary';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const f1d = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '–');

/**
 * Markdown tables: one row per dataset and detector, then the per-group means, then (when present)
 * per-kind event recall and held-out-kind recall. Best F1 and AP use the test labels' best threshold (the
 * usual benchmark figures); the other columns use the operating threshold chosen on the training labels, except
 * the events caught within the false-alarm budget (the lowest test threshold that keeps to it).
 */
export function renderResultsMarkdown(results: readonly DetectorResult[]): string {
  const main = results.filter((r) => r.heldOutKind === undefined);
  const out: string[] = [
    'Best F1 and AP: best threshold on the test labels. Other columns: at the threshold chosen on the training labels,',
    `except the last: events detected at the lowest test threshold with at most ${FALSE_ALARM_BUDGET_PER_WEEK} false alarm a week.`,
    '',
    `| dataset | detector | best F1 | AP | F1 | precision | recall | events detected | median delay h | false alarms/week | events within ${FALSE_ALARM_BUDGET_PER_WEEK} false alarm/week |`,
    '| ------- | -------- | ------- | -- | -- | --------- | ------ | --------------- | -------------- | ----------------- | --- |',
  ];
  for (const r of main) {
    const o = r.operating;
    const e = o.events;
    if (r.skipped !== undefined) {
      out.push(`| ${r.dataset} | ${r.detector} | ${r.skipped} | | | | | | | | |`);
      continue;
    }
    out.push(
      `| ${r.dataset} | ${r.detector} | ${f3(r.bestF1)} | ${f3(r.averagePrecision)} | ${f3(o.f1)} | ${f3(o.precision)} | ${f3(o.recall)} | ${e.detected}/${e.events} (${pct(e.eventRecall)}) | ${f1d(e.medianDelayHours)} | ${f1d(e.falseAlarmsPerWeek)} | ${r.withinAlarmBudget.detected}/${r.withinAlarmBudget.events} |`
    );
  }
  const summary = summarize(main);
  if (main.length > summary.length) {
    out.push(
      '',
      '| mean over | detector | datasets | best F1 | AP | F1 | event recall | median delay h | false alarms/week |',
      '| --------- | -------- | -------- | ------- | -- | -- | ------------ | -------------- | ----------------- |'
    );
    for (const s of summary) {
      out.push(
        `| ${s.group} | ${s.detector} | ${s.datasets} | ${f3(s.bestF1)} | ${f3(s.averagePrecision)} | ${f3(s.operatingF1)} | ${pct(s.eventRecall)} | ${f1d(s.medianDelayHours)} | ${f1d(s.falseAlarmsPerWeek)} |`
      );
    }
  }
  const kinds = [...new Set(main.flatMap((r) => Object.keys(r.operating.events.perKind)))].sort();
  if (kinds.length > 1 || (kinds.length === 1 && kinds[0] !== 'unknown')) {
    out.push(
      '',
      `| dataset | detector | ${kinds.join(' | ')} |`,
      `| --- | --- | ${kinds.map(() => '---').join(' | ')} |`
    );
    for (const r of main) {
      const cells = kinds.map((k) => {
        const pk = r.operating.events.perKind[k];
        return pk ? `${pk.detected}/${pk.events}` : '–';
      });
      out.push(`| ${r.dataset} | ${r.detector} | ${cells.join(' | ')} |`);
    }
  }
  const held = results.filter((r) => r.heldOutKind !== undefined);
  if (held.length) {
    out.push(
      '',
      '| dataset | detector | held-out kind | its event recall | best F1 (all kinds) |',
      '| ------- | -------- | ------------- | ---------------- | ------------------- |'
    );
    for (const r of held) {
      const pk = r.operating.events.perKind[r.heldOutKind!];
      out.push(
        `| ${r.dataset} | ${r.detector} | ${r.heldOutKind} | ${pk ? `${pk.detected}/${pk.events}` : '–'} | ${f3(r.bestF1)} |`
      );
    }
  }
  return out.join('\n') + '\n';
}

/** The feedback-loop protocol's tables: per week, then all weeks and the weeks after the 4th. */
export function renderFeedbackMarkdown(results: readonly FeedbackResult[]): string {
  const pair = (a: number, b: number, f: (x: number) => string) => `${f(a)} / ${f(b)}`;
  const row = (label: string, l: FeedbackFigures, u: FeedbackFigures) =>
    `| ${label} | ${pair(l.averagePrecision, u.averagePrecision, f3)} | ${pair(l.f1, u.f1, f3)} | ${l.detected}/${l.events} / ${u.detected}/${u.events} | ${pair(l.falseAlarmsPerWeek, u.falseAlarmsPerWeek, f1d)} |`;
  const out: string[] = [];
  for (const r of results) {
    out.push(
      `### ${r.dataset} (${r.detector}; alarm at ${r.threshold}, top ${r.topK} suggestions labelled per week)`,
      '',
      'Each cell: with the labels collected so far / fitted without labels. F1 and events at the alarm threshold.',
      '',
      '| week (labelled steps, incidents) | AP | F1 | events detected | false alarms/week |',
      '| -------------------------------- | -- | -- | --------------- | ----------------- |'
    );
    for (const w of r.weeks) {
      out.push(row(`${w.week} (${w.labelledSteps}, ${w.labelledIncidents})`, w.withLabels, w.withoutLabels));
    }
    out.push(row('**all weeks**', r.overall.withLabels, r.overall.withoutLabels));
    if (r.afterWeek4) {
      out.push(row('**after week 4**', r.afterWeek4.withLabels, r.afterWeek4.withoutLabels));
    }
    out.push('');
  }
  return out.join('\n');
}
