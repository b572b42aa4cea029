/**
 * `gridsentinel watch`: the headless scorer. Every step, once it has closed and settled, scores what the
 * stores lack and writes probability, surprise and per-feature surprise to Graphite and one document
 * per step to Elasticsearch, so Grafana Alerting can fire on it (see src/cli/watch/service.ts).
 *
 * SIGTERM (or SIGINT) finishes the write in progress and exits 0, with or without --once: a stopped --once
 * run keeps what it wrote and the next run fills the rest (state lives in the stores).
 */

import { CliError, UsageError, requireString, type CliCommand } from '../command';
import { readInputText } from '../files';
import { validateFeatureSources, type FeatureSource } from '../../core/featureSources';
import { DurationError, parseDuration } from '../../core/scores/duration';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from '../../core/sources/settings';
import { parseCarbonAddress } from '../carbon';
import { basicAuth, directSourceHttp, type Endpoint } from '../watch/http';
import { startMetricsServer } from '../watch/metricsServer';
import { fileModelSource, grafanaModelSource, type ModelSource } from '../watch/model';
import { Watcher } from '../watch/service';

const d = DEFAULT_SOURCE_SETTINGS;

export const watchCommand: CliCommand = {
  name: 'watch',
  summary:
    'Score every closed hour and write it to Graphite and Elasticsearch for Grafana Alerting (a long-running service).',
  options: {
    name: {
      type: 'string',
      valueName: 'NAME',
      description: 'watcher name: gridsentinel.<name>.* and gridsentinel-scores-<name>-* (required)',
    },
    elasticsearch: {
      type: 'string',
      valueName: 'URL',
      description: 'Elasticsearch URL: job events in, score documents out (required)',
    },
    'index-pattern': {
      type: 'string',
      valueName: 'P',
      description: 'job-event index pattern',
      default: d.indexPattern,
    },
    'time-field': { type: 'string', valueName: 'FIELD', description: 'job-event time field', default: d.timeField },
    'event-type-field': {
      type: 'string',
      valueName: 'FIELD',
      description: 'job-event type field',
      default: d.eventTypeField,
    },
    'features-file': {
      type: 'string',
      valueName: 'FILE',
      description: "JSON list of features as in the datasource's settings (default: the 13 HTCondor event types)",
    },
    step: {
      type: 'string',
      valueName: 'DURATION',
      description: 'step the model works in',
      default: `${d.stepSeconds}s`,
    },
    'graphite-url': {
      type: 'string',
      valueName: 'URL',
      description: 'graphite-web URL: state read back, context features (required)',
    },
    carbon: { type: 'string', valueName: 'HOST:PORT', description: "carbon's plaintext receiver (required)" },
    model: {
      type: 'string',
      valueName: 'FILE',
      description: 'model JSON (re-read every cycle); or --grafana-url with --datasource-uid',
    },
    'grafana-url': {
      type: 'string',
      valueName: 'URL',
      description: 'Grafana URL to read the published model from (token: GRAFANA_TOKEN, or --grafana-user)',
    },
    'grafana-user': {
      type: 'string',
      valueName: 'USER',
      description: 'with --grafana-url: basic auth as this Grafana user instead of a token; password: GRAFANA_PASSWORD',
    },
    'datasource-uid': {
      type: 'string',
      valueName: 'UID',
      description: 'uid of the GridSentinel datasource whose published model to use',
    },
    once: {
      type: 'boolean',
      description:
        'score every due hour and exit: 0 when both stores hold all of them, else 1; stopped by SIGTERM: 0 (what it wrote stays, the next run fills the rest)',
    },
    'max-backfill': {
      type: 'string',
      valueName: 'DURATION',
      description: 'how far back missing hours are filled',
      default: '7d',
    },
    settle: {
      type: 'string',
      valueName: 'DURATION',
      description: 'wait after an hour closes, for late events',
      default: '10m',
    },
    'metrics-port': {
      type: 'string',
      valueName: 'PORT',
      description: '/metrics and /healthz port (0: none)',
      default: '9464',
    },
    'elasticsearch-auth': {
      type: 'string',
      valueName: 'none|basic|apikey',
      description:
        'Elasticsearch auth: basic (--basic-auth-user, BASIC_AUTH_PASSWORD) or apikey (ELASTICSEARCH_API_KEY)',
      default: 'none',
    },
    'basic-auth-user': {
      type: 'string',
      valueName: 'USER',
      description:
        'basic auth user for Graphite (and Elasticsearch with --elasticsearch-auth basic); password: BASIC_AUTH_PASSWORD',
    },
    'ca-file': { type: 'string', valueName: 'FILE', description: 'PEM CA certificates for https URLs' },
    batch: {
      type: 'string',
      valueName: 'DURATION',
      description: 'hours fetched and written per batch in a backfill',
      default: '7d',
    },
    retry: {
      type: 'string',
      valueName: 'DURATION',
      description: 'first retry after a failed cycle (doubles up to 5m)',
      default: '10s',
    },
  },
  async run(values) {
    const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const dur = (k: string) => {
      try {
        return parseDuration(v(k) ?? '', `--${k}`);
      } catch (err) {
        throw err instanceof DurationError ? new UsageError(err.message) : err;
      }
    };
    const name = requireString(values, 'name');
    const esUrl = requireString(values, 'elasticsearch');
    const graphiteUrl = requireString(values, 'graphite-url');
    let carbon;
    try {
      carbon = parseCarbonAddress(requireString(values, 'carbon'));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const stepMs = dur('step');
    if (stepMs % 1000 !== 0 || stepMs < 1000) {
      throw new UsageError(`--step must be a whole number of seconds, got ${v('step')}`);
    }
    let features: FeatureSource[] = [...d.features];
    const featuresFile = v('features-file');
    if (featuresFile) {
      const text = await readInputText(featuresFile, 'features-file');
      try {
        features = validateFeatureSources(JSON.parse(text) as FeatureSource[]).slice();
      } catch (err) {
        throw new CliError(`--features-file ${featuresFile}: ${(err as Error).message}`);
      }
    }
    const settings: SourceSettings = {
      ...d,
      indexPattern: v('index-pattern') ?? d.indexPattern,
      timeField: v('time-field') ?? d.timeField,
      eventTypeField: v('event-type-field') ?? d.eventTypeField,
      features,
      stepSeconds: stepMs / 1000,
    };

    const caFile = v('ca-file');
    const ca = caFile ? await readInputText(caFile, 'ca-file') : undefined;
    const user = v('basic-auth-user');
    const password = process.env.BASIC_AUTH_PASSWORD ?? '';
    if (user && !process.env.BASIC_AUTH_PASSWORD) {
      throw new UsageError('--basic-auth-user needs the password in the BASIC_AUTH_PASSWORD environment variable');
    }
    const esAuth = v('elasticsearch-auth') ?? 'none';
    const es: Endpoint = { url: esUrl };
    if (esAuth === 'basic') {
      if (!user) {
        throw new UsageError('--elasticsearch-auth basic needs --basic-auth-user');
      }
      es.authorization = basicAuth(user, password);
    } else if (esAuth === 'apikey') {
      const key = process.env.ELASTICSEARCH_API_KEY;
      if (!key) {
        throw new UsageError(
          '--elasticsearch-auth apikey needs the key in the ELASTICSEARCH_API_KEY environment variable'
        );
      }
      es.authorization = `ApiKey ${key}`;
    } else if (esAuth !== 'none') {
      throw new UsageError(`--elasticsearch-auth must be none, basic or apikey, got "${esAuth}"`);
    }
    const graphite: Endpoint = { url: graphiteUrl, ...(user ? { authorization: basicAuth(user, password) } : {}) };

    let model: ModelSource;
    const modelFile = v('model');
    const grafanaUrl = v('grafana-url');
    const uid = v('datasource-uid');
    if (modelFile && (grafanaUrl || uid)) {
      throw new UsageError('give either --model or --grafana-url with --datasource-uid, not both');
    } else if (modelFile) {
      model = fileModelSource(modelFile);
    } else if (grafanaUrl && uid) {
      model = grafanaModelSource(grafanaUrl, uid, grafanaAuthorization(v('grafana-user')), { ca });
    } else {
      throw new UsageError('a model is required: --model FILE, or --grafana-url URL with --datasource-uid UID');
    }
    const port = Number(v('metrics-port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--metrics-port must be a port number 0-65535, got "${v('metrics-port')}"`);
    }

    const retryMs = dur('retry');
    let watcher: Watcher;
    try {
      watcher = new Watcher({
        name,
        settings,
        http: directSourceHttp({ elasticsearch: es, graphite }, { ca }),
        configured: { elasticsearch: true, graphite: true },
        carbon,
        model,
        schedule: { stepMs, settleMs: dur('settle'), maxBackfillMs: dur('max-backfill') },
        batchSteps: Math.max(1, Math.floor(dur('batch') / stepMs)),
        retryMinMs: retryMs,
        retryMaxMs: Math.max(retryMs, 300_000),
        graphiteVerifyMs: 15_000,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const once = values.once === true;
    const server = !once && port > 0 ? await startMetricsServer(watcher, port) : null;
    const stop = () => watcher.stop();
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    try {
      return await watcher.run(once);
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  },
};

/** How the watcher signs in to Grafana: a service-account token, or a user (the demo's admin) by basic auth. */
function grafanaAuthorization(user: string | undefined): string {
  const token = process.env.GRAFANA_TOKEN;
  if (user) {
    if (token) {
      throw new UsageError('give either GRAFANA_TOKEN or --grafana-user, not both');
    }
    const password = process.env.GRAFANA_PASSWORD;
    if (!password) {
      throw new UsageError('--grafana-user needs the password in the GRAFANA_PASSWORD environment variable');
    }
    return basicAuth(user, password);
  }
  if (!token) {
    throw new UsageError(
      '--grafana-url needs a service-account token in the GRAFANA_TOKEN environment variable (or --grafana-user)'
    );
  }
  return `Bearer ${token}`;
}
