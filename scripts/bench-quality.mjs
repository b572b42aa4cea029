#!/usr/bin/env node
// Detection quality of the baseline detectors: the six ASD servers (real, expert-labelled; read from
// ../shared/data/asd, never copied here) and generator data (150 days, train 90, test 60, seeds 1 and 2,
// at the generator's scale 1 and at the seeded-demo scale). Builds the CLI first, prints Markdown and
// replaces the "## Quality" section of BENCHMARKS.md (other sections are kept).
//
//   node scripts/bench-quality.mjs              run and update BENCHMARKS.md
//   node scripts/bench-quality.mjs --no-write   run and print only
//
// GS_ASD_DIR overrides the ASD folder.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ASD_DIR = process.env.GS_ASD_DIR ?? path.resolve(ROOT, '..', 'shared', 'data', 'asd');
const write = !process.argv.includes('--no-write');
const require = createRequire(import.meta.url);
const log = (msg) => console.error(`[bench-quality] ${msg}`);

log('building the CLI (npm run cli:build: into a clean build/cli)');
const build = spawnSync('npm', ['run', '-s', 'cli:build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(1);
}
const ev = require(path.join(ROOT, 'build/cli/core/evaluation/index.js'));
const io = require(path.join(ROOT, 'build/cli/core/io/splitSeries.js'));
const gen = require(path.join(ROOT, 'build/cli/core/generator/index.js'));
const { DETECTORS } = require(path.join(ROOT, 'build/cli/cli/detectors.js'));
const { selectTrainingBackend } = require(path.join(ROOT, 'build/cli/core/model/trainingBackend.js'));
log(`tfjs backend for the LSTM: ${await selectTrainingBackend()}`);

const t0 = Date.now();
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pct = (x) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '–');
const mean = (xs) => {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};
const md = [];

// ---- ASD ----
const ASD_DETECTORS = ['lstm', 'robust-z', 'robust-z-naive', 'holt-winters', 'pca', 'random'];
const REFERENCE = { 'robust-z-naive': [0.083, 0.038], pca: [0.126, 0.08], random: [0.071, 0.039] };
let asd = [];
if (!existsSync(path.join(ASD_DIR, 'omi-1.csv'))) {
  log(`*** ASD data not found in ${ASD_DIR}: SKIPPING the ASD part (set GS_ASD_DIR) ***`);
} else {
  const splits = [1, 2, 3, 4, 5, 6].map((i) =>
    ev.asdSplit(io.readSplitCsv(readFileSync(path.join(ASD_DIR, `omi-${i}.csv`), 'utf8')), `omi-${i}`)
  );
  asd = await ev.evaluateDetectors(
    ASD_DETECTORS.map((n) => DETECTORS[n].create),
    splits,
    { onProgress: log }
  );
  const servers = [...new Set(asd.map((r) => r.dataset))];
  md.push(
    '### ASD (6 servers, 5-minute steps, 19 metrics)',
    '',
    'Learn from the train rows and the labels of the first half of the test rows; report on the second half,',
    'point-wise, no point adjustment. Best F1 / AP per server; omi-2 has no labelled anomaly in its second half',
    '(all 55 anomalous rows are in the first half), so it cannot be scored and is left out of the mean.',
    '',
    `| detector | ${servers.join(' | ')} | mean (5 servers) | mean over 6, omi-2 = 0 | README reference |`,
    `| --- | ${servers.map(() => '---').join(' | ')} | --- | --- | --- |`
  );
  for (const d of ASD_DETECTORS) {
    const rs = asd.filter((r) => r.detector === d);
    const cells = servers.map((s) => {
      const r = rs.find((x) => x.dataset === s);
      return r.skipped ? 'n/a' : `${f3(r.bestF1)} / ${f3(r.averagePrecision)}`;
    });
    const m5 = [mean(rs.map((r) => r.bestF1)), mean(rs.map((r) => r.averagePrecision))];
    const m6 = [
      rs.reduce((a, r) => a + (r.skipped ? 0 : r.bestF1), 0) / rs.length,
      rs.reduce((a, r) => a + (r.skipped ? 0 : r.averagePrecision), 0) / rs.length,
    ];
    const ref = REFERENCE[d] ? `${f3(REFERENCE[d][0])} / ${f3(REFERENCE[d][1])}` : '';
    md.push(`| ${d} | ${cells.join(' | ')} | **${f3(m5[0])} / ${f3(m5[1])}** | ${f3(m6[0])} / ${f3(m6[1])} | ${ref} |`);
  }
  md.push(
    '',
    'Against the README reference: all three reference rows fit a mean over 6 servers with omi-2 counted as 0 (what',
    'scikit-learn returns for a part with no positives): `robust-z-naive` (plain median/MAD, scale floored at 1e-6)',
    'and `pca` land within 0.004 of it; `random` over 40 seeds gives 0.071 ± 0.006 / 0.035 ± 0.004 over 6 (0.085 /',
    '0.042 over 5), seed 1 above is a low draw. `robust-z` beats the reference because of one guard: 2-3 of the 19',
    'metrics of every server are constant for more than half of the training rows (MAD 0); without a fallback any',
    'blip there scores ~1e6 and swamps the ranking; with the mean-absolute-deviation fallback F1 goes from 0.098 to',
    '0.130 (5-server means).',
    '',
    'At the operating threshold, chosen without the reported labels (the best-F1 threshold on the labelled',
    'training rows, scored in-sample), what an operator would get; mean over the 5 servers:',
    '',
    '| detector | F1 | precision | recall | event recall | median delay h | false alarms/week |',
    '| --- | --- | --- | --- | --- | --- | --- |'
  );
  for (const s of ev.summarize(asd)) {
    const rs = asd.filter((r) => r.detector === s.detector && !r.skipped);
    md.push(
      `| ${s.detector} | ${f3(s.operatingF1)} | ${f3(mean(rs.map((r) => r.operating.precision)))} | ${f3(mean(rs.map((r) => r.operating.recall)))} | ${pct(s.eventRecall)} | ${f1(s.medianDelayHours)} | ${f1(s.falseAlarmsPerWeek)} |`
    );
  }
  md.push('');
}

// ---- generator ----
const GEN_DETECTORS = ['lstm', 'robust-z', 'holt-winters', 'pca', 'random'];
const SEEDS = ['1', '2'];
const SCALES = [1, gen.DEFAULT_SEED_SCALE];
const genResults = [];
for (const scale of SCALES) {
  const splits = [];
  const held = [];
  for (const seed of SEEDS) {
    const { series } = gen.generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days: 150, seed, scale });
    const o = { dataset: `seed ${seed}`, group: `scale ${scale}`, trainDays: 90 };
    splits.push(ev.generatorSplit(series, o));
    held.push(...ev.heldOutKindSplits(series, o));
  }
  const main = await ev.evaluateDetectors(
    GEN_DETECTORS.map((n) => DETECTORS[n].create),
    splits,
    { onProgress: log }
  );
  const ho = await ev.evaluateDetectors(
    GEN_DETECTORS.map((n) => DETECTORS[n].create),
    held,
    { onProgress: log }
  );
  genResults.push({ scale, main, ho });
}
md.push(
  '### Generator (150 days hourly, 13 event-type features; train on days 1-90 with labels, test on days 91-150)',
  '',
  `Seeds ${SEEDS.join(' and ')}, at scale 1 (GPGrid-sized, ~17,000 events/h, the generator's default) and at scale`,
  `${gen.DEFAULT_SEED_SCALE} (the seeded demo, ~275 events/h: Poisson noise hides the subtler outages).`,
  'Best F1 and AP as above; "F1 at fit" and the event columns at the operating threshold (the best-F1 threshold on',
  'the labelled training days, scored in-sample; nothing from the test days). Monitoring gaps are unlabelled and unscored.',
  '',
  '| scale | detector | best F1 (seed 1, 2) | AP (seed 1, 2) | mean F1 | mean AP | F1 at fit (seed 1, 2) | events detected | median delay h | false alarms/week |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
);
for (const { scale, main } of genResults) {
  for (const d of GEN_DETECTORS) {
    const rs = main.filter((r) => r.detector === d);
    const det = rs.reduce((a, r) => a + r.operating.events.detected, 0);
    const tot = rs.reduce((a, r) => a + r.operating.events.events, 0);
    md.push(
      `| ${scale} | ${d} | ${rs.map((r) => f3(r.bestF1)).join(', ')} | ${rs.map((r) => f3(r.averagePrecision)).join(', ')} | **${f3(mean(rs.map((r) => r.bestF1)))}** | **${f3(mean(rs.map((r) => r.averagePrecision)))}** | ${rs.map((r) => f3(r.operating.f1)).join(', ')} | ${det}/${tot} | ${f1(mean(rs.map((r) => r.operating.events.medianDelayHours)))} | ${f1(mean(rs.map((r) => r.operating.events.falseAlarmsPerWeek)))} |`
    );
  }
}
const kinds = [
  ...new Set(genResults.flatMap((g) => g.main.flatMap((r) => Object.keys(r.operating.events.perKind)))),
].sort();
md.push(
  '',
  "Events detected per outage kind (both seeds summed); in brackets: the same with that kind's labels hidden from",
  'training (held out). The baselines use labels only to leave labelled-anomalous rows out of their fit, so hiding a',
  'kind puts its training outages back into the fit; PCA suffers most (its subspace absorbs them). The operating',
  'threshold is re-fitted per split, so other kinds can move too.',
  '',
  `| scale | detector | ${kinds.join(' | ')} |`,
  `| --- | --- | ${kinds.map(() => '---').join(' | ')} |`
);
for (const { scale, main, ho } of genResults) {
  for (const d of GEN_DETECTORS) {
    const cells = kinds.map((k) => {
      const sum = (rs) =>
        rs.reduce(
          (a, r) => [
            a[0] + (r.operating.events.perKind[k]?.detected ?? 0),
            a[1] + (r.operating.events.perKind[k]?.events ?? 0),
          ],
          [0, 0]
        );
      const [d1, e1] = sum(main.filter((r) => r.detector === d));
      const [d2, e2] = sum(ho.filter((r) => r.detector === d && r.heldOutKind === k));
      return `${d1}/${e1} (${d2}/${e2})`;
    });
    md.push(`| ${scale} | ${d} | ${cells.join(' | ')} |`);
  }
}
// Issue 16 asks for pattern outages caught at <= 1 false alarm a week, an alarm rate the operating threshold
// does not promise: the lowest test threshold that keeps to it shows what each detector can reach there.
const PATTERN_KINDS = gen.PATTERN_KINDS.filter((k) => kinds.includes(k));
md.push(
  '',
  `Within ${ev.FALSE_ALARM_BUDGET_PER_WEEK} false alarm a week: events detected at the lowest test threshold whose false alarms stay`,
  'within it (an oracle threshold, like best F1: the point of the event-recall curve at that alarm rate), both',
  'seeds summed; pattern outages are the kinds the issue asks to catch at this rate.',
  '',
  `| scale | detector | events detected | pattern outages | ${PATTERN_KINDS.join(' | ')} | false alarms/week |`,
  `| --- | --- | --- | --- | ${PATTERN_KINDS.map(() => '---').join(' | ')} | --- |`
);
for (const { scale, main } of genResults) {
  for (const d of GEN_DETECTORS) {
    const rs = main.filter((r) => r.detector === d).map((r) => r.withinAlarmBudget);
    const sum = (f) => rs.reduce((a, e) => a + f(e), 0);
    const kind = (k) => [sum((e) => e.perKind[k]?.detected ?? 0), sum((e) => e.perKind[k]?.events ?? 0)];
    const pattern = PATTERN_KINDS.map(kind).reduce((a, [x, y]) => [a[0] + x, a[1] + y], [0, 0]);
    md.push(
      `| ${scale} | ${d} | ${sum((e) => e.detected)}/${sum((e) => e.events)} | ${pattern[0]}/${pattern[1]} | ${PATTERN_KINDS.map((k) => kind(k).join('/')).join(' | ')} | ${f1(mean(rs.map((e) => e.falseAlarmsPerWeek)))} |`
    );
  }
}
const seconds = (Date.now() - t0) / 1000;
log(`done in ${seconds.toFixed(1)} s`);

const today = new Date().toISOString().slice(0, 10);
const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
const section = [
  '## Quality',
  '',
  'Point-wise best F1 (exact, every distinct score tried) and average precision (step-wise, scikit-learn',
  "definition, ties as one step) of the LSTM (`lstm`: trained on each split's training part, seed 1, its probability",
  'as the score) and of the baseline detectors computed in the same run, plus, at an operating threshold chosen on',
  'the training labels, F1, event recall, detection delay and false alarms per week of labelled-normal time. Definitions: `src/core/evaluation/metrics.ts`; protocols:',
  '`src/core/evaluation/protocol/`; detectors: `src/core/model/lstmDetector.ts`, `src/core/evaluation/baselines/`.',
  '',
  'Command (builds the CLI, reads the ASD files from `../shared/data/asd`, rewrites this section):',
  '',
  '```bash',
  '. scripts/ensure-node.sh',
  'node scripts/bench-quality.mjs',
  '```',
  '',
  `Machine: **${cpus().length} cores** (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}. Run on ${today};`,
  `the whole run takes ${seconds.toFixed(0)} s.`,
  '',
  ...md,
  '',
].join('\n');
console.log(section);
if (write && asd.length === 0) {
  log('*** not updating BENCHMARKS.md: its section would lose the ASD part ***');
} else if (write) {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = Math.max(text.indexOf('\n## Quality\n'), text.indexOf('\n## Quality (baselines)\n'));
  let next;
  if (start >= 0) {
    const after = text.indexOf('\n## ', start + 1);
    next = text.slice(0, start + 1) + section + (after >= 0 ? text.slice(after + 1) : '');
  } else {
    next = text.replace(/\n*$/, '\n\n') + section;
  }
  writeFileSync(file, next.replace(/\n*$/, '\n'));
  // Same table layout as `npm run lint:fix` would give, so the file stays prettier-clean.
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', file], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  log('updated BENCHMARKS.md');
}
