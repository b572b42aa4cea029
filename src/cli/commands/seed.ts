import { UsageError, type CliCommand } from '../command';
import { checkOutputs, writeFileAtomic } from '../files';
import { createProgress, type Progress } from '../progress';
import {
  DEFAULT_SEED_DAYS,
  DEFAULT_SEED_SCALE,
  HOUR_MS,
  generateGrid,
  gridEventCount,
  type GeneratedGrid,
} from '../../core/generator';
import { seedElasticsearch, type EsSeedEvent } from '../../core/seed/elasticsearch';
import { DEFAULT_INDEX_PREFIX } from '../../core/seed/esDocuments';
import { EsHttpError, EsSeedError, hasSurplusDocuments } from '../../core/seed/esReport';
import { DEFAULT_POOL } from '../../core/seed/graphiteMetrics';
import { GraphiteVerifyError } from '../../core/seed/graphiteRender';
import { CarbonError, parseHostPort } from '../carbon';
import { seedGraphite } from '../graphiteSeeder';
import {
  hoursFromDays,
  isoOption,
  nonNegativeInteger,
  outageOptions,
  parseOutageOptions,
  positiveInteger,
  positiveNumber,
} from './options';

export const seedCommand: CliCommand = {
  name: 'seed',
  summary:
    'Generate grid activity ending at --end and load it: raw job events into Elasticsearch/OpenSearch ' +
    '(daily fifebatch-logs-YYYY.MM.dd indices) and hourly series into Graphite (carbon plaintext), then check both.',
  options: {
    elasticsearch: {
      type: 'string',
      valueName: 'URL',
      description: 'Elasticsearch/OpenSearch URL, e.g. http://localhost:9200',
    },
    graphite: { type: 'string', valueName: 'HOST:PORT', description: 'carbon plaintext receiver, e.g. localhost:2003' },
    'graphite-url': {
      type: 'string',
      valueName: 'URL',
      description: 'graphite-web URL for the render check, e.g. http://localhost:8080',
    },
    days: { type: 'string', valueName: 'N', description: 'days of activity', default: String(DEFAULT_SEED_DAYS) },
    scale: {
      type: 'string',
      valueName: 'X',
      description: `pool size and rates (${DEFAULT_SEED_SCALE} ≈ 1M documents over 150 days)`,
      default: String(DEFAULT_SEED_SCALE),
    },
    end: { type: 'string', valueName: 'ISO', description: 'end of the range, exclusive (default: the current hour)' },
    seed: { type: 'string', valueName: 'S', description: 'random seed', default: '1' },
    'index-prefix': {
      type: 'string',
      valueName: 'PREFIX',
      description: 'daily index prefix',
      default: DEFAULT_INDEX_PREFIX,
    },
    pool: {
      type: 'string',
      valueName: 'NAME',
      description: 'pool name in Graphite paths (clusters.<pool>.…)',
      default: DEFAULT_POOL,
    },
    'batch-size': { type: 'string', valueName: 'N', description: 'documents per _bulk request', default: '5000' },
    concurrency: { type: 'string', valueName: 'N', description: 'parallel _bulk requests', default: '2' },
    'max-retries': {
      type: 'string',
      valueName: 'N',
      description: 'retries per request / rejected document (backoff 0.25 s doubling to 10 s)',
      default: '8',
    },
    fresh: { type: 'boolean', description: 'delete the daily indices of the range before loading' },
    'no-verify': { type: 'boolean', description: 'skip the final count/render checks' },
    truth: { type: 'string', valueName: 'FILE', description: 'write the outage windows (ground truth) as JSON' },
    ...outageOptions,
  },
  async run(values) {
    const esUrl = typeof values.elasticsearch === 'string' ? values.elasticsearch : undefined;
    const carbon = typeof values.graphite === 'string' ? values.graphite : undefined;
    const graphiteUrl = typeof values['graphite-url'] === 'string' ? values['graphite-url'] : undefined;
    if (!esUrl && !carbon) {
      throw new UsageError('give --elasticsearch URL and/or --graphite HOST:PORT');
    }
    if (esUrl) {
      try {
        new URL(esUrl);
      } catch {
        throw new UsageError(`--elasticsearch must be a URL, got "${esUrl}"`);
      }
    }
    let carbonTarget;
    if (carbon) {
      try {
        carbonTarget = parseHostPort(carbon);
      } catch (err) {
        throw new UsageError(`--graphite: ${(err as Error).message}`);
      }
    }
    const truthFile = typeof values.truth === 'string' ? values.truth : undefined;
    await checkOutputs({ truth: truthFile });
    const verify = !values['no-verify'];
    const hours = hoursFromDays(values, DEFAULT_SEED_DAYS);
    const endMs = isoOption(values, 'end') ?? Date.now();
    // Whole hours only, and never in the future: whisper refuses future points.
    const end = Math.floor(endMs / HOUR_MS) * HOUR_MS;
    const t0 = Date.now();
    const grid = generateGrid({
      start: end - hours * HOUR_MS,
      hours,
      seed: String(values.seed ?? '1'),
      scale: positiveNumber(values, 'scale', DEFAULT_SEED_SCALE),
      ...parseOutageOptions(values),
    });
    const total = gridEventCount(grid);
    console.error(
      `generated ${hours} hours ${iso(grid.start)} .. ${iso(end)}: ${total} events, ` +
        `${grid.outages.filter((o) => o.anomalous).length} outages, ${grid.outages.filter((o) => !o.anomalous).length} monitoring gaps (${Date.now() - t0} ms)`
    );
    if (truthFile !== undefined) {
      await writeTruth(truthFile, grid);
    }
    let failed = false;
    if (esUrl) {
      failed = !(await loadEs(grid, esUrl, values, verify)) || failed;
    }
    if (carbonTarget) {
      failed = !(await loadGraphite(grid, carbonTarget, graphiteUrl, values, verify)) || failed;
    }
    return failed ? 1 : 0;
  },
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function writeTruth(file: string, grid: GeneratedGrid): Promise<void> {
  const truth = grid.outages.map((o) => ({ ...o, start: iso(o.start), end: iso(o.end) }));
  await writeFileAtomic(file, JSON.stringify(truth, null, 2) + '\n');
}

async function loadEs(
  grid: GeneratedGrid,
  url: string,
  values: Record<string, unknown>,
  verify: boolean
): Promise<boolean> {
  let progress: Progress | undefined;
  let shownStep = -1;
  try {
    const r = await seedElasticsearch(grid, {
      url,
      indexPrefix: String(values['index-prefix'] ?? DEFAULT_INDEX_PREFIX),
      batchSize: positiveInteger(values, 'batch-size', 5000),
      concurrency: positiveInteger(values, 'concurrency', 2),
      maxRetries: nonNegativeInteger(values, 'max-retries', 8),
      fresh: Boolean(values.fresh),
      verify,
      onEvent: (e) =>
        progress
          ? progress.log(`elasticsearch: ${describeEsEvent(e)}`)
          : console.error(`elasticsearch: ${describeEsEvent(e)}`),
      onProgress: (p) => {
        progress ??= createProgress('elasticsearch: documents', p.total);
        // Off a terminal, one line per 5 % of the documents (a long load still shows it moves).
        const step = Math.floor((20 * p.sent) / Math.max(p.total, 1));
        if (progress.tty || step > shownStep) {
          shownStep = step;
          progress.update(
            p.sent,
            `${Math.floor((100 * p.sent) / Math.max(p.total, 1))}%, ${Math.round(p.docsPerSecond)} docs/s`
          );
        }
      },
    });
    progress?.finish();
    console.error(
      `elasticsearch: loaded ${r.documents} documents in ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round(r.docsPerSecond)} docs/s, ` +
        `${r.retriedRequests} request retries, ${r.retriedItems} item retries)` +
        (r.verified ? `; _count matches in all ${r.days.length} daily indices` : '; counts not verified (--no-verify)')
    );
    return true;
  } catch (err) {
    progress?.finish();
    if (err instanceof EsSeedError) {
      console.error(`elasticsearch: FAILED\n${esFailureText(err)}`);
      return false;
    }
    throw err;
  }
}

/** The loader's events as this command prints them (deletion only happens with --fresh). */
export function describeEsEvent(e: EsSeedEvent): string {
  switch (e.type) {
    case 'template':
      return `index template ${e.name} → ${e.indexPattern}`;
    case 'deleted':
      return `deleted ${e.indices} daily indices of the range (--fresh)`;
    case 'itemsRejected':
      return `${e.count} documents rejected with 429, retrying in ${e.retryInMs} ms`;
    case 'retry':
      return `${e.what}: ${e.reason}; retry ${e.attempt}/${e.maxRetries} in ${(e.retryInMs / 1000).toFixed(1)} s`;
  }
}

/** The core's failure text plus advice naming this command's options. */
export function esFailureText(err: EsSeedError): string {
  if (err instanceof EsHttpError && err.status === 413) {
    return `${err.what} failed: HTTP 413 (request too large: lower --batch-size): ${err.body}`;
  }
  if (err.report && hasSurplusDocuments(err.report)) {
    return (
      `${err.message}\n` +
      '  (more documents than generated: the range was seeded before with another seed or scale; rerun with --fresh)'
    );
  }
  return err.message;
}

async function loadGraphite(
  grid: GeneratedGrid,
  target: { host: string; port: number },
  url: string | undefined,
  values: Record<string, unknown>,
  verify: boolean
): Promise<boolean> {
  if (verify && !url) {
    console.error('graphite: no --graphite-url given, so the render check is skipped');
  }
  try {
    const r = await seedGraphite(grid, {
      ...target,
      pool: String(values.pool ?? DEFAULT_POOL),
      url: verify ? url : undefined,
      resendOnMismatch: true,
      log: (m) => console.error(`graphite: ${m}`),
    });
    console.error(
      `graphite: ${r.datapoints} datapoints in ${r.series} series, sent in ${(r.sendMs / 1000).toFixed(1)} s${r.verify ? ', render sums match' : ''}`
    );
    return true;
  } catch (err) {
    if (err instanceof GraphiteVerifyError || err instanceof CarbonError) {
      console.error(`graphite: FAILED\n${err.message}`);
      return false;
    }
    throw err;
  }
}
