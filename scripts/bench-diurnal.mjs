#!/usr/bin/env node
// How visible is a generated diurnal_loss day at all? For each such day of seeds 1-4 at scale 1 (150 days),
// the day's diurnal amplitude in the submissions (the count it changes) against the amplitude of every
// normal 24-hour window of the same series. No detector is involved: if the days do not
// stand out here, no threshold on a day-level statistic catches them at 1 false alarm a week.
// Amplitude: the window's standardized submissions, centred, projected on the centred mean hour-of-day
// profile of the normal rows of the first 90 days (1 = the usual swing, 0 = flat). The price of catching a
// day is in the unit the Quality tables count: runs of normal steps whose trailing window is at least as flat
// (windows that overlap an outage included, as a detector would see them), per week. Builds the CLI first;
// Markdown to stdout.
//
//   node scripts/bench-diurnal.mjs
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
if (spawnSync('npm', ['run', '-s', 'cli:build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
  process.exit(1);
}
const gen = require(path.join(ROOT, 'build/cli/core/generator/index.js'));
const pp = require(path.join(ROOT, 'build/cli/core/model/preprocessing.js'));
const { HOUR_MS, DAY_MS } = require(path.join(ROOT, 'build/cli/core/time.js'));

const TRAIN_DAYS = 90;
const W = 24;
const FEATURE = 'SubmitEvent';

const rows = [];
for (const seed of [1, 2, 3, 4]) {
  const { series } = gen.generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days: 150, seed, scale: 1 });
  const m = series.matrix;
  const T = m.times.length;
  const F = m.features.length;
  const f = m.features.indexOf(FEATURE);
  const nTrain = TRAIN_DAYS * 24;
  const params = pp.fitPreprocessing({ ...m, times: m.times.slice(0, nTrain), values: m.values.slice(0, nTrain) });
  const z = pp.prepareInputs(params, m).z;
  const hour = (t) => Math.floor((m.times[t] % DAY_MS) / HOUR_MS);
  const sum = new Array(24).fill(0);
  const n = new Array(24).fill(0);
  for (let t = 0; t < nTrain; t++) {
    if (series.labels[t] === 0 && !Number.isNaN(z[t * F + f])) {
      sum[hour(t)] += z[t * F + f];
      n[hour(t)]++;
    }
  }
  const profile = sum.map((s, h) => s / n[h]);
  /** Amplitude of the window of W steps ending at t. */
  const amplitude = (t) => {
    const xs = [];
    const ps = [];
    for (let k = t - W + 1; k <= t; k++) {
      if (!Number.isNaN(z[k * F + f])) {
        xs.push(z[k * F + f]);
        ps.push(profile[hour(k)]);
      }
    }
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const mp = ps.reduce((a, b) => a + b, 0) / ps.length;
    let num = 0;
    let den = 0;
    xs.forEach((x, i) => {
      num += (x - mx) * (ps[i] - mp);
      den += (ps[i] - mp) ** 2;
    });
    return num / den;
  };
  // Once per window: each day's false-alarm count walks all of them again.
  const amp = Array.from({ length: T }, (_, t) => (t >= W - 1 ? amplitude(t) : NaN));
  const normal = [];
  for (let t = W - 1; t < T; t++) {
    let all = true;
    for (let k = t - W + 1; k <= t && all; k++) {
      all = series.labels[k] === 0;
    }
    if (all) {
      normal.push(amp[t]);
    }
  }
  normal.sort((a, b) => a - b);
  const q = (p) => normal[Math.floor(p * (normal.length - 1))];
  for (let t = W - 1; t < T; t++) {
    if (series.kinds[t] === 'diurnal_loss' && series.kinds[t + 1] !== 'diurnal_loss') {
      const a = amp[t];
      const below = normal.filter((x) => x <= a).length / normal.length;
      let runs = 0;
      let inRun = false;
      for (let u = W - 1; u < T; u++) {
        const hit = series.labels[u] === 0 && amp[u] <= a;
        runs += hit && !inRun ? 1 : 0;
        inRun = hit;
      }
      rows.push(
        `| ${seed} | ${new Date(m.times[t - W + 1]).toISOString().slice(0, 10)} | ${a.toFixed(2)} | ${(100 * below).toFixed(1)} % | ${((runs * 168) / (T - W + 1)).toFixed(2)} | ${q(0.01).toFixed(2)} / ${q(0.5).toFixed(2)} |`
      );
    }
  }
}
console.log(
  [
    `| seed | day (06:00 UTC) | its amplitude | normal windows at or below it | false alarms/week at its amplitude | normal windows: 1st percentile / median |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
);
