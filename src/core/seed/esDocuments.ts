/**
 * Raw HTCondor event documents as FIFE's logstash indexes them, derived deterministically from a
 * generated grid: same grid → same documents, ids and timestamps, so reloading never duplicates.
 */
import type { GeneratedGrid } from '../generator/simulate';
import { hashString } from '../rng';
import { eventTypeNumber } from '../htcondor/eventTypes';
import { HOUR_MS } from '../time';

export const DEFAULT_INDEX_PREFIX = 'fifebatch-logs-';

export interface EventDocument {
  '@timestamp': string;
  MyType: string;
  EventTypeNumber: number;
  experiment: string;
  schedd: string;
  Owner: string;
  Cluster: number;
  Proc: number;
  jobid: string;
}

export interface IndexedDocument {
  index: string;
  id: string;
  doc: EventDocument;
}

/** Daily index for a time: `<prefix>YYYY.MM.dd` (UTC), as logstash names them. */
export function dailyIndex(prefix: string, timeMs: number): string {
  const d = new Date(timeMs);
  return `${prefix}${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function hourKey(timeMs: number): string {
  const d = new Date(timeMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}`;
}

/** Document id: hour, event number, VO, schedd host, sequence; stable across runs. */
export function documentId(timeMs: number, myType: string, experiment: string, schedd: string, seq: number): string {
  return `${hourKey(timeMs)}-${eventTypeNumber(myType) ?? myType}-${experiment}-${schedd.split('.')[0]}-${seq}`;
}

// Cluster ids grow with time (one block of ids per hour and VO), so they look like a real schedd's.
function clusterFor(hourMs: number, expIndex: number): number {
  return 20_000_000 + (Math.floor(hourMs / HOUR_MS) % 1_000_000) * 40 + (expIndex % 40);
}

/** Every document of the grid, hour by hour; monitoring-gap hours have none. */
export function* gridDocuments(g: GeneratedGrid, indexPrefix = DEFAULT_INDEX_PREFIX): Generator<IndexedDocument> {
  const T = g.eventTypes.length;
  const E = g.experiments.length;
  const S = g.schedds.length;
  for (let h = 0; h < g.hours; h++) {
    if (g.missing[h]) {
      continue;
    }
    const hourMs = g.times[h];
    const index = dailyIndex(indexPrefix, hourMs);
    for (let k = 0; k < T; k++) {
      if (g.totals[h * T + k] === 0) {
        continue;
      }
      const myType = g.eventTypes[k];
      const number = eventTypeNumber(myType) ?? -1;
      for (let e = 0; e < E; e++) {
        const experiment = g.experiments[e];
        for (let s = 0; s < S; s++) {
          const n = g.counts[((h * T + k) * E + e) * S + s];
          if (n === 0) {
            continue;
          }
          const schedd = g.schedds[s];
          const cellHash = hashString(`${hourMs}|${myType}|${experiment}|${schedd}`);
          for (let i = 0; i < n; i++) {
            const x = hashString(`${cellHash}:${i}`);
            // Spread evenly over the hour with a per-document jitter; always inside the hour.
            const offset = Math.floor(((i + x / 4294967296) / n) * HOUR_MS);
            const t = hourMs + offset;
            // Submits create new jobs this hour; other events refer to jobs submitted up to a day earlier.
            const lagHours = myType === 'SubmitEvent' ? 0 : x % 24;
            const cluster = clusterFor(hourMs - lagHours * HOUR_MS, e);
            const proc = myType === 'SubmitEvent' ? i : (x >>> 8) % 500;
            const owner = x % 4 === 0 ? `${experiment}ana` : `${experiment}pro`;
            yield {
              index,
              id: documentId(hourMs, myType, experiment, schedd, i),
              doc: {
                '@timestamp': new Date(t).toISOString(),
                MyType: myType,
                EventTypeNumber: number,
                experiment,
                schedd,
                Owner: owner,
                Cluster: cluster,
                Proc: proc,
                jobid: `${cluster}.${proc}@${schedd}`,
              },
            };
          }
        }
      }
    }
  }
}

/** Expected document count per daily index. */
export function expectedDailyCounts(g: GeneratedGrid, indexPrefix = DEFAULT_INDEX_PREFIX): Map<string, number> {
  const T = g.eventTypes.length;
  const out = new Map<string, number>();
  for (let h = 0; h < g.hours; h++) {
    const index = dailyIndex(indexPrefix, g.times[h]);
    let n = 0;
    for (let k = 0; k < T; k++) {
      n += g.totals[h * T + k];
    }
    out.set(index, (out.get(index) ?? 0) + n);
  }
  return out;
}

/** Expected document count per MyType over the whole grid. */
export function expectedTypeCounts(g: GeneratedGrid): Map<string, number> {
  const T = g.eventTypes.length;
  const out = new Map<string, number>(g.eventTypes.map((t) => [t, 0]));
  for (let h = 0; h < g.hours; h++) {
    for (let k = 0; k < T; k++) {
      out.set(g.eventTypes[k], (out.get(g.eventTypes[k]) ?? 0) + g.totals[h * T + k]);
    }
  }
  return out;
}

/** Daily indices touched by the grid's hours. */
export function gridIndices(g: GeneratedGrid, indexPrefix = DEFAULT_INDEX_PREFIX): string[] {
  const set = new Set<string>();
  for (const t of g.times) {
    set.add(dailyIndex(indexPrefix, t));
  }
  return [...set];
}
