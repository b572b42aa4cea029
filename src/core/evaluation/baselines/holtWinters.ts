/**
 * Holt-Winters aberration, after Graphite's holtWintersAberration: per feature, additive triple
 * exponential smoothing with one season = one day in steps, and a seasonal mean absolute deviation that
 * sets confidence bands of ±delta deviations around the one-step-ahead forecast.
 *
 * For each feature, at step t with seasonal slot i = floor(time / stepMs) mod period and observation x:
 *   forecast  p  = L + B + S[i]                  (state from before t)
 *   half band h  = delta · D[i]
 *   score_f      = (|x - p| - h) / max(2h, floor)  > 0 exactly when x is outside the band, in band widths
 *   L' = α(x - S[i]) + (1-α)(L + B)              B' = β(L' - L) + (1-β)B
 *   S[i]' = γ(x - L') + (1-γ)S[i]                D[i]' = γ|x - p| + (1-γ)D[i]
 * Row score = max of score_f over the features present; a row with no value scores NaN. The score is
 * not clipped at 0 so that rows inside the band still rank (Graphite's aberration would be 0 there).
 * floor = 1e-3 × the feature's training standard deviation (1e-9 if constant) avoids dividing by 0.
 *
 * Missing values (and, while fitting, rows labelled anomalous) do not update the state: the level moves
 * on by the trend and the seasonal terms stay, i.e. the forecast stands in for the observation.
 * Initial state (differs from Graphite, which starts from zero seasonals and deviations): L = mean of the
 * first season of training data, B = 0, S[i] = x_i - L, D[i] = mean |x - L| over that season.
 *
 * Scoring continues from the state at the end of training when m starts at or after it (skipped steps
 * are treated as missing); otherwise it restarts from the initial state.
 */
import type { FeatureMatrix } from '../../featureMatrix';
import type { Detector, DetectorInput } from '../detector';
import { assertFitted, assertSameFeatures } from './common';
import { DAY_MS } from '../../time';

export interface HoltWintersOptions {
  alpha?: number;
  beta?: number;
  gamma?: number;
  delta?: number;
  /** Steps per season; default one day (86,400,000 ms / stepMs). */
  period?: number;
}

interface FeatureState {
  level: number;
  trend: number;
  season: Float64Array;
  dev: Float64Array;
}

interface State {
  features: string[];
  stepMs: number;
  period: number;
  floor: number[];
  initial: FeatureState[];
  initialTime: number;
  final: FeatureState[];
  /** Time of the first step after training. */
  nextTime: number;
}

function clone(s: FeatureState): FeatureState {
  return { level: s.level, trend: s.trend, season: s.season.slice(), dev: s.dev.slice() };
}

export class HoltWintersDetector implements Detector {
  readonly name = 'holt-winters';
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly delta: number;
  private readonly periodOption?: number;
  private state?: State;

  constructor(opts: HoltWintersOptions = {}) {
    // Graphite's defaults.
    this.alpha = opts.alpha ?? 0.1;
    this.beta = opts.beta ?? 0.0035;
    this.gamma = opts.gamma ?? 0.1;
    this.delta = opts.delta ?? 3;
    for (const [k, v] of Object.entries({ alpha: this.alpha, beta: this.beta, gamma: this.gamma })) {
      if (!(v >= 0 && v <= 1)) {
        throw new Error(`${k} must be in [0, 1], got ${v}`);
      }
    }
    if (!(this.delta > 0)) {
      throw new Error(`delta must be positive, got ${this.delta}`);
    }
    if (opts.period !== undefined && !(Number.isInteger(opts.period) && opts.period >= 1)) {
      throw new Error(`period must be a positive integer, got ${opts.period}`);
    }
    this.periodOption = opts.period;
  }

  private slot(time: number, stepMs: number, period: number): number {
    const k = Math.floor(time / stepMs) % period;
    return k < 0 ? k + period : k;
  }

  /** Advances one feature by one step; returns the score (NaN when x is null). */
  private step(s: FeatureState, i: number, x: number | null, floor: number): number {
    const p = s.level + s.trend + s.season[i];
    if (x === null) {
      s.level += s.trend;
      return NaN;
    }
    const h = this.delta * s.dev[i];
    const score = (Math.abs(x - p) - h) / Math.max(2 * h, floor);
    const level = this.alpha * (x - s.season[i]) + (1 - this.alpha) * (s.level + s.trend);
    s.trend = this.beta * (level - s.level) + (1 - this.beta) * s.trend;
    s.level = level;
    s.season[i] = this.gamma * (x - level) + (1 - this.gamma) * s.season[i];
    s.dev[i] = this.gamma * Math.abs(x - p) + (1 - this.gamma) * s.dev[i];
    return score;
  }

  async fit(train: DetectorInput): Promise<void> {
    const m = train.matrix;
    if (train.labels.length !== m.values.length) {
      throw new Error(`labels (${train.labels.length}) and matrix rows (${m.values.length}) differ`);
    }
    if (m.values.length === 0) {
      throw new Error(`${this.name}: empty training matrix`);
    }
    const period = this.periodOption ?? Math.max(1, Math.round(DAY_MS / m.stepMs));
    const F = m.features.length;
    const first = Math.min(period, m.values.length);
    const floor: number[] = [];
    const initial: FeatureState[] = [];
    for (let f = 0; f < F; f++) {
      const all: number[] = [];
      m.values.forEach((row, t) => {
        const v = row[f];
        if (v !== null && train.labels[t] !== 1) {
          all.push(v);
        }
      });
      const mu = all.length ? all.reduce((a, b) => a + b, 0) / all.length : 0;
      const sd = all.length > 1 ? Math.sqrt(all.reduce((a, x) => a + (x - mu) ** 2, 0) / (all.length - 1)) : 0;
      floor.push(sd > 0 ? 1e-3 * sd : 1e-9);
      const seasonVals: Array<[number, number]> = [];
      for (let t = 0; t < first; t++) {
        const v = m.values[t][f];
        if (v !== null && train.labels[t] !== 1) {
          seasonVals.push([this.slot(m.times[t], m.stepMs, period), v]);
        }
      }
      const level = seasonVals.length ? seasonVals.reduce((a, [, v]) => a + v, 0) / seasonVals.length : mu;
      const season = new Float64Array(period);
      for (const [i, v] of seasonVals) {
        season[i] = v - level;
      }
      const mad = seasonVals.length
        ? seasonVals.reduce((a, [, v]) => a + Math.abs(v - level), 0) / seasonVals.length
        : sd;
      initial.push({ level, trend: 0, season, dev: new Float64Array(period).fill(mad) });
    }
    const final = initial.map(clone);
    m.values.forEach((row, t) => {
      const i = this.slot(m.times[t], m.stepMs, period);
      const known = train.labels[t] !== 1;
      for (let f = 0; f < F; f++) {
        this.step(final[f], i, known ? row[f] : null, floor[f]);
      }
    });
    this.state = {
      features: m.features.slice(),
      stepMs: m.stepMs,
      period,
      floor,
      initial,
      initialTime: m.times[0],
      final,
      nextTime: m.times[m.times.length - 1] + m.stepMs,
    };
  }

  async score(m: FeatureMatrix): Promise<Float64Array> {
    const st = assertFitted(this.state, this.name);
    assertSameFeatures(st.features, m, this.name);
    if (m.stepMs !== st.stepMs) {
      throw new Error(`${this.name}: step ${m.stepMs} ms differs from training (${st.stepMs} ms)`);
    }
    const out = new Float64Array(m.values.length);
    if (m.values.length === 0) {
      return out;
    }
    const resume = m.times[0] >= st.nextTime;
    const state = (resume ? st.final : st.initial).map(clone);
    // Steps between the saved state and m's first row carry no data.
    const from = resume ? st.nextTime : Math.min(st.initialTime, m.times[0]);
    for (let time = from; time < m.times[0]; time += st.stepMs) {
      const i = this.slot(time, st.stepMs, st.period);
      state.forEach((s, f) => this.step(s, i, null, st.floor[f]));
    }
    m.values.forEach((row, t) => {
      const i = this.slot(m.times[t], st.stepMs, st.period);
      let best = NaN;
      row.forEach((v, f) => {
        const sc = this.step(state[f], i, v, st.floor[f]);
        if (!Number.isNaN(sc)) {
          best = Number.isNaN(best) ? sc : Math.max(best, sc);
        }
      });
      out[t] = best;
    });
    return out;
  }
}
