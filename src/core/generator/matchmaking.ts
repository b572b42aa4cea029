/**
 * Matchmaking: each hour the negotiator fills free slots by fair share, taking idle jobs only from
 * schedds that respond.
 */
import { NT, T_EXECUTE } from './events';

/** Starts for this hour: quota-deficit first, then surplus shared by remaining demand. */
export function allocateStarts(
  cap: number,
  run: Int32Array,
  susp: Int32Array,
  idle: Int32Array,
  quota: readonly number[],
  down: readonly boolean[],
  E: number,
  S: number,
  ev: Int32Array
): void {
  let busy = 0;
  const runningE = new Array(E).fill(0);
  const demandE = new Array(E).fill(0);
  for (let e = 0; e < E; e++) {
    for (let s = 0; s < S; s++) {
      const c = e * S + s;
      runningE[e] += run[c] + susp[c];
      if (!down[s]) {
        demandE[e] += idle[c];
      }
    }
    busy += runningE[e];
  }
  const free = cap - busy;
  if (free <= 0) {
    return;
  }
  const want = demandE.map((d, e) => Math.min(d, Math.max(0, Math.floor(quota[e] * cap - runningE[e]))));
  const wantSum = want.reduce((a, b) => a + b, 0);
  let give: number[];
  if (wantSum >= free) {
    give = apportion(free, want, want);
  } else {
    const rest = demandE.map((d, e) => d - want[e]);
    const restSum = rest.reduce((a, b) => a + b, 0);
    const extra = apportion(Math.min(free - wantSum, restSum), rest, rest);
    give = want.map((w, e) => w + extra[e]);
  }
  for (let e = 0; e < E; e++) {
    if (give[e] <= 0) {
      continue;
    }
    const idleE: number[] = [];
    for (let s = 0; s < S; s++) {
      idleE.push(down[s] ? 0 : idle[e * S + s]);
    }
    const perSchedd = apportion(give[e], idleE, idleE);
    for (let s = 0; s < S; s++) {
      const c = e * S + s;
      run[c] += perSchedd[s];
      idle[c] -= perSchedd[s];
      ev[c * NT + T_EXECUTE] += perSchedd[s];
    }
  }
}

/** Splits an integer total proportionally to weights (largest remainder), never above caps. */
export function apportion(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const out = new Array(weights.length).fill(0);
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  if (total <= 0 || sum <= 0) {
    return out;
  }
  const fracs: Array<[number, number]> = [];
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = (total * Math.max(0, weights[i])) / sum;
    out[i] = Math.min(caps[i], Math.floor(exact));
    given += out[i];
    fracs.push([exact - Math.floor(exact), i]);
  }
  fracs.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - given;
  for (let pass = 0; left > 0 && pass < 2; pass++) {
    for (const [, i] of fracs) {
      if (left <= 0) {
        break;
      }
      if (out[i] < caps[i]) {
        out[i]++;
        left--;
      }
    }
  }
  return out;
}
