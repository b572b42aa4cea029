/**
 * Recording: what the monitoring pipeline sees of an hour's events (a hung schedd logs a residual now
 * and the rest in its catch-up hour; a monitoring gap loses everything), the context series probed from
 * the pool, and the ground-truth labels of the outage windows.
 */
import { CATCH_UP, NT, T_EXECUTE, T_IMAGE, T_SUBMIT } from './events';
import type { HourEffects } from './effects';
import type { Pool } from './jobStep';
import type { OutageKind, OutageWindow } from './outages';
import { HOUR_MS } from './profiles';
import type { Rng } from '../rng';

export interface GridContext {
  /** Cores visible to the pool (lost nodes excluded; never below the claimed slots). */
  cores: number[];
  /** Claimed slots (running, disconnected and suspended jobs). */
  running: number[];
  idle: number[];
  held: number[];
  /** running / cores. */
  utilization: number[];
  /** claimedByExperiment[h][e]. */
  claimedByExperiment: number[][];
}

export interface Recording {
  /** Index ((h * NT + type) * E + exp) * S + schedd. */
  counts: Uint32Array;
  /** Per (h, type), accumulated independently of `counts`. */
  totals: Uint32Array;
  missing: boolean[];
  context: GridContext;
}

export function newRecording(hours: number, cells: number): Recording {
  return {
    counts: new Uint32Array(hours * NT * cells),
    totals: new Uint32Array(hours * NT),
    missing: new Array(hours).fill(false),
    context: { cores: [], running: [], idle: [], held: [], utilization: [], claimedByExperiment: [] },
  };
}

/** Records hour h's events `ev` (after matchmaking) and the pool's state; `cap` is the cores up this hour. */
export function recordHour(
  sim: Rng,
  rec: Recording,
  pool: Pool,
  ev: Int32Array,
  fx: HourEffects,
  h: number,
  cap: number,
  E: number,
  S: number
): void {
  const { run, idle, held, susp, deferred, withheld } = pool;
  const { counts, totals, context: ctx } = rec;
  let claimedTotal = 0;
  let idleTotal = 0;
  let heldTotal = 0;
  const claimed: number[] = new Array(E).fill(0);
  for (let e = 0; e < E; e++) {
    for (let s = 0; s < S; s++) {
      const c = e * S + s;
      const o = c * NT;
      ev[o + T_IMAGE] += ev[o + T_EXECUTE]; // first image-size update of every new job
      claimed[e] += run[c] + susp[c];
      idleTotal += idle[c] + deferred[c];
      heldTotal += held[c];
      // Record: a hung schedd logs a residual now and the rest in its catch-up hour.
      for (let k = 0; k < NT; k++) {
        let n = ev[o + k];
        if (fx.down[s] && k !== T_SUBMIT && k !== T_EXECUTE) {
          const now = sim.binomial(n, fx.residual);
          if (CATCH_UP[k]) {
            withheld[o + k] += n - now;
          }
          n = now;
        }
        if (fx.catchUp[s]) {
          n += withheld[o + k];
          withheld[o + k] = 0;
        }
        if (!fx.gap && n > 0) {
          counts[((h * NT + k) * E + e) * S + s] = n;
          totals[h * NT + k] += n;
        }
      }
    }
    claimedTotal += claimed[e];
  }
  rec.missing[h] = fx.gap;
  // Nodes still running claimed jobs are visible: a collapse's binomial kill may leave a few more.
  const visible = Math.max(cap, claimedTotal);
  ctx.cores.push(visible);
  ctx.running.push(claimedTotal);
  ctx.idle.push(idleTotal);
  ctx.held.push(heldTotal);
  ctx.utilization.push(visible > 0 ? claimedTotal / visible : 0);
  ctx.claimedByExperiment.push(claimed);
}

/** Per hour: 1 in an outage window, null in a monitoring gap, else 0; and the window's kind. */
export function outageLabels(
  outages: readonly OutageWindow[],
  start: number,
  hours: number
): { labels: Array<0 | 1 | null>; hourKinds: Array<OutageKind | null> } {
  const labels: Array<0 | 1 | null> = new Array(hours).fill(0);
  const hourKinds: Array<OutageKind | null> = new Array(hours).fill(null);
  for (const w of outages) {
    for (let t = w.start; t < w.end; t += HOUR_MS) {
      const h = (t - start) / HOUR_MS;
      labels[h] = w.anomalous ? 1 : null;
      hourKinds[h] = w.kind;
    }
  }
  return { labels, hourKinds };
}
