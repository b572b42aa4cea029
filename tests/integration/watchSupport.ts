// Shared by the watcher's integration tests (node and jsdom projects): the test services' addresses, a
// Watcher config and `gridsentinel watch` arguments against them, the built CLI as a child process,
// seeding job events and reading the score stores back (proxies and stand-in servers: ./watchServers).
// Node's http only (jsdom has no fetch).
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { DEFAULT_FEATURES } from '../../src/core/htcondor/eventTypes';
import { DEFAULT_SOURCE_SETTINGS } from '../../src/core/sources/settings';
import { directSourceHttp, requestJson } from '../../src/cli/watch/http';
import { fileModelSource } from '../../src/cli/watch/model';
import type { WatchConfig } from '../../src/cli/watch/service';
import type { ScoreDocument } from '../../src/core/scores/elasticsearch';

export type StoredScore = ScoreDocument & { _id: string };

export const HOUR = 3_600_000;
export const OS = process.env.GS_OPENSEARCH_URL;
export const GRAPHITE = process.env.GS_GRAPHITE_URL;
export const CARBON_HOST = process.env.GS_CARBON_HOST;
export const CARBON_PORT = Number(process.env.GS_CARBON_PORT);
export const SERVICES_UP = Boolean(OS && GRAPHITE && CARBON_HOST);

export const ROOT = path.resolve(__dirname, '../..');
export const MODEL_FILE = path.join(ROOT, 'src/datasource/model/default-model.json');
/** The start of the current hour when the test file loaded. */
export const NOW_HOUR = Math.floor(Date.now() / HOUR) * HOUR;
export const SETTLE_MS = 10 * 60_000;

/** A Watcher on the test services reading `<prefix>events-*`, scoring with the bundled model's file. */
export function watchConfig(name: string, prefix: string, over: Partial<WatchConfig> = {}): WatchConfig {
  return {
    name,
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: `${prefix}events-*` },
    http: directSourceHttp({ elasticsearch: { url: OS! }, graphite: { url: GRAPHITE! } }),
    configured: { elasticsearch: true, graphite: true },
    carbon: { host: CARBON_HOST!, port: CARBON_PORT },
    model: fileModelSource(MODEL_FILE),
    schedule: { stepMs: HOUR, settleMs: SETTLE_MS, maxBackfillMs: 12 * HOUR },
    batchSteps: 24,
    retryMinMs: 1000,
    retryMaxMs: 2000,
    graphiteVerifyMs: 10_000,
    log: () => undefined,
    ...over,
  };
}

/** `gridsentinel watch` arguments for the same setup (Elasticsearch at `elasticsearch`), then `extra`. */
export function watchArgs(name: string, prefix: string, elasticsearch: string, ...extra: string[]): string[] {
  return [
    'watch',
    '--name',
    name,
    '--elasticsearch',
    elasticsearch,
    '--index-pattern',
    `${prefix}events-*`,
    '--graphite-url',
    GRAPHITE!,
    '--carbon',
    `${CARBON_HOST}:${CARBON_PORT}`,
    '--model',
    MODEL_FILE,
    ...extra,
  ];
}

/** The built CLI, rebuilt when a source file is newer (cases that need a real process). */
export function ensureCliBuilt() {
  const entry = path.join(ROOT, 'build/cli/cli/commands/watch.js');
  const newest = ['src/cli', 'src/cli/watch', 'src/core/scores', 'src/cli/commands']
    .flatMap((d) => readdirSync(path.join(ROOT, d)).map((f) => statSync(path.join(ROOT, d, f)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);
  if (!existsSync(entry) || statSync(entry).mtimeMs < newest) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.cli.json'], {
      cwd: ROOT,
    });
  }
}

export interface CliProcess {
  child: ChildProcessByStdio<null, Readable, null>;
  /** Everything it wrote to stdout so far. */
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** bin/gridsentinel.js with `args` as a child process (built first if stale); stderr passes through. */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  ensureCliBuilt();
  const childEnv = { ...process.env, ...env };
  for (const k of Object.keys(env).filter((k) => env[k] === undefined)) {
    delete childEnv[k];
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/gridsentinel.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: childEnv,
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );
  return { child, stdout: () => out, exited };
}

/** The JSON lines a watcher logged with event "cycle". */
export const cycleLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.includes('"event":"cycle"'))
    .map((l) => JSON.parse(l));

export const os = <T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json') =>
  requestJson<T>(`${OS}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    contentType,
  });

/**
 * Job events for the 13 default types in [fromMs, fromMs + hours·1h): a few per type and hour, none in
 * the `gaps` hours (a monitoring gap: no data, not zero).
 */
export async function seedEvents(prefix: string, fromMs: number, hours: number, gaps: number[]): Promise<number> {
  await os('PUT', `/_index_template/${prefix}events`, {
    index_patterns: [`${prefix}events-*`],
    template: {
      settings: { number_of_shards: 1 },
      mappings: { properties: { '@timestamp': { type: 'date' }, MyType: { type: 'keyword' } } },
    },
  });
  const lines: string[] = [];
  for (let h = 0; h < hours; h++) {
    if (gaps.includes(h)) {
      continue;
    }
    DEFAULT_FEATURES.forEach((f, i) => {
      const n = 1 + ((h * 5 + i * 3) % 4) + (i === 0 ? 3 : 0);
      for (let k = 0; k < n; k++) {
        lines.push(JSON.stringify({ index: { _index: `${prefix}events-1` } }));
        lines.push(
          JSON.stringify({ '@timestamp': new Date(fromMs + h * HOUR + k * 1000).toISOString(), MyType: f.eventType })
        );
      }
    });
  }
  const r = await os<{ errors: boolean }>(
    'POST',
    '/_bulk?refresh=true',
    lines.join('\n') + '\n',
    'application/x-ndjson'
  );
  if (r.errors) {
    throw new Error('seeding job events failed');
  }
  return lines.length / 2;
}

/** Documents per hour in the watcher's score indices. */
export async function docsPerHour(name: string): Promise<Map<number, number>> {
  await os('POST', `/gridsentinel-scores-${name}-*/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await os<{ aggregations?: { h?: { buckets: Array<{ key: number; doc_count: number }> } } }>(
    'POST',
    `/gridsentinel-scores-${name}-*/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      size: 0,
      track_total_hits: true,
      aggs: { h: { terms: { field: 'hour', size: 10000 } } },
    }
  );
  return new Map(
    (r.aggregations?.h?.buckets ?? []).map((b: { key: number; doc_count: number }) => [b.key, b.doc_count])
  );
}

export async function scoreDocs(name: string): Promise<StoredScore[]> {
  await os('POST', `/gridsentinel-scores-${name}-*/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await os<{ hits: { hits: Array<{ _id: string; _source: ScoreDocument }> } }>(
    'POST',
    `/gridsentinel-scores-${name}-*/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      size: 10000,
      sort: [{ hour: 'asc' }],
    }
  );
  return r.hits.hits.map((h) => ({ ...h._source, _id: h._id }));
}

/** Raw points of one Graphite series over [fromMs, toMs): epoch ms → value (nulls dropped). */
export async function graphitePoints(target: string, fromMs: number, toMs: number): Promise<Map<number, number>> {
  const q = new URLSearchParams({
    target,
    from: String(fromMs / 1000 - 1),
    until: String(toMs / 1000 - 1),
    format: 'json',
  });
  const r = await requestJson<Array<{ datapoints: Array<[number | null, number]> }>>(`${GRAPHITE}/render?${q}`, {});
  const out = new Map<number, number>();
  for (const s of r) {
    for (const [v, ts] of s.datapoints) {
      if (v !== null) {
        out.set(ts * 1000, v);
      }
    }
  }
  return out;
}

export const hoursOf = (fromMs: number, toMs: number) =>
  Array.from({ length: Math.max(0, (toMs - fromMs) / HOUR) }, (_, i) => fromMs + i * HOUR);
