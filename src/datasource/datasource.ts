import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { config, getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { anomalyRegions } from '../core/anomalyRegions';
import { fieldMappingProblem } from '../core/elasticsearch/fieldMapping';
import { HOURLY_COUNTS_FILTER_PATH, parseHourlyCounts, planHourlyCounts } from '../core/elasticsearch/hourlyCounts';
import { buildTermsValuesSearch, parseTermsValues } from '../core/elasticsearch/termsValues';
import type { FeatureMatrix } from '../core/featureMatrix';
import { assembleFeatures, validateFeatureSources, type FeatureSource } from '../core/featureSources';
import { buildRenderParams, parseRender } from '../core/graphite/render';
import { labelTargets, stepLabels } from '../core/labels';
import { loadModel, ModelDocumentError, type LoadedModel, type ModelDocument } from '../core/model/modelDocument';
import { appendHistory, historyEntry, nextHistoryVersion, readModelHistory } from '../core/model/modelHistory';
import { refitPreprocessing } from '../core/model/preprocessing';
import { scoreSeries, scoreSeriesWith, type SeriesScores } from '../core/model/score';
import type { RetrainRequest, RetrainResult } from '../shared/retraining';
import { featureMatrixToFrame, regionsToFrame, scoresToFrame } from './frames';
import { scoringBackend } from './scoring';
import { trainInWorker } from './training';
import defaultModel from './model/default-model.json';
import {
  DEFAULT_OPTIONS,
  DEFAULT_QUERY,
  DEFAULT_THRESHOLD,
  type GridSentinelOptions,
  type GridSentinelQuery,
  type ResolvedOptions,
} from './types';
import { DAY_MS } from '../core/time';

type Route = 'elasticsearch' | 'graphite';
/** History the bundled model takes its input statistics from, before the queried range. */
const BUNDLED_STATS_MS = 7 * DAY_MS;
// data_source.json_data is a MySQL TEXT column in some Grafana installs (64 KiB).
const JSON_DATA_LIMIT = 65535;

/** What a failed proxied request means for the person configuring the datasource. */
export function describeFetchError(source: string, err: unknown): string {
  if (isFetchError(err)) {
    if (err.status === 401 || err.status === 403) {
      return `${source}: authentication failed (HTTP ${err.status}); check the credentials in the datasource settings`;
    }
    if (err.status === 502 || err.status === 504 || !err.status) {
      return `${source}: unreachable through Grafana's data proxy (HTTP ${err.status ?? 'no response'}); check the URL`;
    }
    const detail =
      (err.data as { error?: { reason?: string }; message?: string } | undefined)?.error?.reason ?? err.data?.message;
    return `${source}: HTTP ${err.status} ${detail ?? err.statusText ?? ''}`.trim();
  }
  return `${source}: ${err instanceof Error ? err.message : String(err)}`;
}

/** Variable queries: `event_types`, `experiments`, `schedds`, or `terms(<keyword field>)`. */
export function variableField(query: string, s: ResolvedOptions): string {
  const q = query.trim();
  const named: Record<string, string> = {
    event_types: s.eventTypeField,
    experiments: s.experimentField,
    schedds: s.scheddField,
  };
  if (named[q]) {
    return named[q];
  }
  const m = /^terms\(\s*([^()\s]+)\s*\)$/.exec(q);
  if (m) {
    return m[1];
  }
  throw new Error(`unknown variable query "${query}": use event_types, experiments, schedds or terms(<field>)`);
}

export class GridSentinelDataSource extends DataSourceApi<GridSentinelQuery, GridSentinelOptions> {
  readonly settings: GridSentinelOptions & ResolvedOptions;
  private readonly proxyUrl: string;
  private loadedModel?: LoadedModel;

  constructor(instanceSettings: DataSourceInstanceSettings<GridSentinelOptions>) {
    super(instanceSettings);
    const jsonData = instanceSettings.jsonData ?? {};
    this.settings = {
      ...DEFAULT_OPTIONS,
      ...jsonData,
      features: jsonData.features?.length ? jsonData.features : DEFAULT_OPTIONS.features,
    };
    this.proxyUrl = instanceSettings.url ?? '';
    // Annotation queries return merged anomalous hours; Grafana maps the frame's time/timeEnd/text/tags.
    this.annotations = {
      prepareQuery: (anno) => ({
        refId: 'Anno',
        ...(anno.target as GridSentinelQuery | undefined),
        queryType: 'regions',
      }),
    };
  }

  /** The published model when there is one, else the bundled default. Parsed once per instance. */
  model(): LoadedModel {
    this.loadedModel ??= loadModel(this.settings.model ?? defaultModel);
    return this.loadedModel;
  }

  /** Why the model cannot score the configured features, or null. */
  modelMismatch(): string | null {
    const doc = this.model().doc;
    const names = this.settings.features.map((f) => f.name);
    if (doc.features.length !== names.length || doc.features.some((f, i) => f !== names[i])) {
      return `model expects features [${doc.features.join(', ')}], the datasource is configured with [${names.join(', ')}]`;
    }
    if (doc.stepMs !== this.settings.stepSeconds * 1000) {
      return `model was trained on ${doc.stepMs / 1000}s steps, the datasource uses ${this.settings.stepSeconds}s`;
    }
    return null;
  }

  getDefaultQuery(): Partial<GridSentinelQuery> {
    return DEFAULT_QUERY;
  }

  /** plugin.json route for a source: the API-key route adds the secret header server-side. */
  private routePath(route: Route): string {
    return route === 'elasticsearch' && this.settings.elasticsearchAuth === 'apikey' ? 'elasticsearch-apikey' : route;
  }

  private async request<T>(
    route: Route,
    path: string,
    method = 'GET',
    data?: string,
    contentType?: string
  ): Promise<T> {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${this.proxyUrl}/${this.routePath(route)}${path}`,
        method,
        data,
        headers: contentType ? { 'Content-Type': contentType } : undefined,
        showErrorAlert: false,
      })
    );
    return response.data;
  }

  async query(request: DataQueryRequest<GridSentinelQuery>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide);
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    // Each target fails on its own: one bad query must not blank the others.
    // Targets over the same range and filters (e.g. probability + explanation) share one fetch.
    const fetched = new Map<string, Promise<FeatureMatrix>>();
    const fetchOnce = (fromMs: number, toMs: number, filters: Record<string, string[]>) => {
      const key = JSON.stringify([fromMs, toMs, filters]);
      if (!fetched.has(key)) {
        fetched.set(key, this.featureMatrix(fromMs, toMs, filters));
      }
      return fetched.get(key)!;
    };
    const results = await Promise.allSettled(
      targets.map((t) => this.runTarget(t, from, to, request.scopedVars, fetchOnce))
    );
    const response: DataQueryResponse = { data: [], errors: [] };
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        response.data.push(r.value);
      } else {
        response.errors!.push({ refId: targets[i].refId, message: describeFetchError('GridSentinel', r.reason) });
      }
    });
    return response;
  }

  /** Scores on the chosen backend; a backend failing mid-way (e.g. WebGL context lost) falls back to plain JS. */
  private async score(model: LoadedModel, matrix: FeatureMatrix): Promise<{ scores: SeriesScores; scoredOn: string }> {
    const choice = await scoringBackend(this.settings.backend, model.cfg);
    try {
      return { scores: await scoreSeriesWith(choice.forward, model, matrix), scoredOn: choice.backend };
    } catch (err) {
      if (err instanceof ModelDocumentError || choice.backend === 'js') {
        throw err;
      }
      console.warn(`GridSentinel: scoring on ${choice.backend} failed (${String(err)}); scored in plain JavaScript`);
      return { scores: scoreSeries(model, matrix), scoredOn: 'js' };
    }
  }

  private async runTarget(
    target: GridSentinelQuery,
    from: number,
    to: number,
    scopedVars: ScopedVars,
    fetchMatrix: (fromMs: number, toMs: number, filters: Record<string, string[]>) => Promise<FeatureMatrix>
  ) {
    const type = target.queryType ?? DEFAULT_QUERY.queryType!;
    const filters = {
      [this.settings.experimentField]: this.filterValues(target.experiment, scopedVars),
      [this.settings.scheddField]: this.filterValues(target.schedd, scopedVars),
    };
    if (type === 'features') {
      return featureMatrixToFrame(await fetchMatrix(from, to, filters), target.refId);
    }
    const mismatch = this.modelMismatch();
    if (mismatch) {
      throw new Error(`${mismatch}; retrain the model or restore the feature list`);
    }
    // The LSTM needs the hours before the range to be warmed up: fetch one context length more. The
    // bundled model also re-centres its inputs on this grid (see refitPreprocessing), from at least a week.
    const bundled = this.usesBundledModel();
    const model = this.model();
    const stepMs = this.settings.stepSeconds * 1000;
    const burnIn = model.doc.architecture.contextSteps * stepMs;
    const matrix = await fetchMatrix(from - (bundled ? Math.max(burnIn, BUNDLED_STATS_MS) : burnIn), to, filters);
    const { scores, scoredOn } = await this.score(this.modelFor(matrix), matrix);
    const start = Math.max(
      0,
      scores.times.findIndex((t) => t >= Math.floor(from / stepMs) * stepMs)
    );
    if (type === 'regions') {
      const regions = anomalyRegions(
        {
          times: scores.times.slice(start),
          stepMs,
          probability: Array.from(scores.probability.subarray(start), (p) => (Number.isFinite(p) ? p : null)),
          // Rank-weighted votes of each hour's top features name what drove a region.
          contributions: scores.topFeatures
            .slice(start)
            .map((top) => matrix.features.map((f) => (top.includes(f) ? top.length - top.indexOf(f) : 0))),
          features: matrix.features,
        },
        target.threshold ?? DEFAULT_THRESHOLD
      );
      return regionsToFrame(regions, target.refId);
    }
    return scoresToFrame(type, scores, start, target.refId, scoredOn);
  }

  /**
   * The configured features per step: Elasticsearch counts and Graphite series fetched in parallel.
   * Filters (exact values per field) apply to the job-event documents only.
   */
  async featureMatrix(fromMs: number, toMs: number, filters: Record<string, string[]> = {}): Promise<FeatureMatrix> {
    const features = validateFeatureSources(this.settings.features);
    const stepMs = this.settings.stepSeconds * 1000;
    const es = features.filter(
      (f): f is Extract<FeatureSource, { source: 'elasticsearch' }> => f.source === 'elasticsearch'
    );
    const gr = features.filter((f): f is Extract<FeatureSource, { source: 'graphite' }> => f.source === 'graphite');
    const parts: Array<Promise<FeatureMatrix>> = [];
    if (es.length > 0) {
      parts.push(this.elasticsearchFeatures(es, fromMs, toMs, stepMs, filters));
    }
    if (gr.length > 0) {
      parts.push(this.graphiteFeatures(gr, fromMs, toMs, stepMs));
    }
    return assembleFeatures(features, await Promise.all(parts));
  }

  private async elasticsearchFeatures(
    features: Array<Extract<FeatureSource, { source: 'elasticsearch' }>>,
    fromMs: number,
    toMs: number,
    stepMs: number,
    filters: Record<string, string[]>
  ): Promise<FeatureMatrix> {
    if (!this.settings.elasticsearchUrl) {
      throw new Error('Elasticsearch URL is not configured');
    }
    const req = {
      indexPattern: this.settings.indexPattern,
      timeField: this.settings.timeField,
      eventTypeField: this.settings.eventTypeField,
      eventTypes: features.map((f) => f.eventType),
      fromMs,
      toMs,
      stepMs,
      filters,
    };
    const plan = planHourlyCounts(req);
    const response = await this.request<unknown>(
      'elasticsearch',
      `/_msearch?filter_path=${encodeURIComponent(HOURLY_COUNTS_FILTER_PATH)}`,
      'POST',
      plan.body,
      'application/x-ndjson'
    );
    const counts = parseHourlyCounts(req, plan, response);
    return { ...counts, features: features.map((f) => f.name) };
  }

  private async graphiteFeatures(
    features: Array<Extract<FeatureSource, { source: 'graphite' }>>,
    fromMs: number,
    toMs: number,
    stepMs: number
  ): Promise<FeatureMatrix> {
    if (!this.settings.graphiteUrl) {
      throw new Error('Graphite URL is not configured');
    }
    const req = {
      features: features.map((f) => ({ name: f.name, target: f.target, aggregation: f.aggregation })),
      fromMs,
      toMs,
      stepMs,
    };
    const params = buildRenderParams(req);
    const response = await this.request<unknown>(
      'graphite',
      '/render',
      'POST',
      params.toString(),
      'application/x-www-form-urlencoded'
    );
    return parseRender(req, response);
  }

  /** Template variables expand to exact values (multi-value variables to several); no Lucene involved. */
  private filterValues(raw: string | undefined, scopedVars: ScopedVars): string[] {
    if (!raw || raw.trim() === '') {
      return [];
    }
    const sep = '\u0000';
    const expanded = getTemplateSrv().replace(raw, scopedVars, (v: string | string[]) =>
      Array.isArray(v) ? v.join(sep) : v
    );
    return expanded
      .split(sep)
      .map((v) => v.trim())
      .filter((v) => v !== '' && v !== '*' && v !== '$__all');
  }

  /** Query variables from Elasticsearch terms aggregations over the dashboard's time range (else 30 days). */
  async metricFindQuery(query: string, options?: { range?: DataQueryRequest['range'] }): Promise<MetricFindValue[]> {
    const field = variableField(query, this.settings);
    const toMs = options?.range?.to.valueOf() ?? Date.now();
    const fromMs = options?.range?.from.valueOf() ?? toMs - 30 * DAY_MS;
    const req = { field, timeField: this.settings.timeField, fromMs, toMs };
    const pattern = encodeURIComponent(this.settings.indexPattern);
    const body = JSON.stringify(buildTermsValuesSearch(req));
    const response = await this.request<unknown>(
      'elasticsearch',
      `/${pattern}/_search`,
      'POST',
      body,
      'application/json'
    );
    return parseTermsValues(req, response).map((v) => ({ text: v.value, value: v.value }));
  }

  /** Checks every configured source for real and lists everything that is wrong. */
  async testDatasource(): Promise<{ status: 'success' | 'error'; message: string }> {
    const problems: string[] = [];
    const passed: string[] = [];
    let features: readonly FeatureSource[] = [];
    try {
      features = validateFeatureSources(this.settings.features);
    } catch (err) {
      problems.push(`Features: ${(err as Error).message}`);
    }
    if (features.some((f) => f.source === 'elasticsearch')) {
      await this.checkElasticsearch(problems, passed);
    }
    try {
      const mismatch = this.modelMismatch();
      if (mismatch) {
        problems.push(`Model: does not fit the configured features: ${mismatch}`);
      } else {
        passed.push(`model fits the ${features.length} features`);
      }
    } catch (err) {
      problems.push(`Model: ${(err as Error).message}`);
    }
    const graphite = features.filter(
      (f): f is Extract<FeatureSource, { source: 'graphite' }> => f.source === 'graphite'
    );
    if (graphite.length > 0 || this.settings.graphiteUrl) {
      await this.checkGraphite(graphite, problems, passed);
    }
    return problems.length > 0
      ? { status: 'error', message: problems.join('; ') }
      : { status: 'success', message: passed.join('; ') };
  }

  private async checkElasticsearch(problems: string[], passed: string[]) {
    const s = this.settings;
    if (!s.elasticsearchUrl) {
      problems.push('Elasticsearch: no URL configured');
      return;
    }
    try {
      const info = await this.request<{ version?: { number?: string; distribution?: string } }>('elasticsearch', '/');
      passed.push(
        `${info.version?.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${info.version?.number ?? ''} reachable`
      );
    } catch (err) {
      problems.push(describeFetchError('Elasticsearch', err));
      return;
    }
    const pattern = encodeURIComponent(s.indexPattern);
    try {
      const mapping = await this.request<unknown>(
        'elasticsearch',
        `/${pattern}/_mapping/field/${encodeURIComponent(`${s.timeField},${s.eventTypeField}`)}`
      );
      const timeProblem = fieldMappingProblem(mapping, s.timeField, 'date');
      const typeProblem = fieldMappingProblem(mapping, s.eventTypeField, 'keyword');
      if (timeProblem === 'the index pattern matches no index') {
        problems.push(`Elasticsearch: index pattern "${s.indexPattern}" matches no index`);
        return;
      }
      for (const p of [timeProblem, typeProblem]) {
        if (p) {
          problems.push(`Elasticsearch: ${p}`);
        }
      }
      if (timeProblem || typeProblem) {
        return;
      }
      const now = Date.now();
      const count = await this.request<{ count: number }>(
        'elasticsearch',
        `/${pattern}/_count`,
        'POST',
        JSON.stringify({ query: { range: { [s.timeField]: { gte: now - DAY_MS, lt: now, format: 'epoch_millis' } } } }),
        'application/json'
      );
      if (count.count === 0) {
        problems.push(`Elasticsearch: no events in "${s.indexPattern}" in the last 24 h (is the shipper running?)`);
      } else {
        passed.push(`${count.count} events in the last 24 h`);
      }
    } catch (err) {
      // _mapping on a pattern that matches nothing answers 404 with an empty body.
      problems.push(
        isFetchError(err) && err.status === 404
          ? `Elasticsearch: index pattern "${s.indexPattern}" matches no index`
          : describeFetchError('Elasticsearch', err)
      );
    }
  }

  private async checkGraphite(
    features: Array<Extract<FeatureSource, { source: 'graphite' }>>,
    problems: string[],
    passed: string[]
  ) {
    if (!this.settings.graphiteUrl) {
      problems.push('Graphite: no URL configured, but features use it');
      return;
    }
    try {
      await this.request<unknown>('graphite', '/metrics/find?query=*');
    } catch (err) {
      problems.push(describeFetchError('Graphite', err));
      return;
    }
    const now = Date.now();
    const stepMs = this.settings.stepSeconds * 1000;
    for (const f of features) {
      try {
        await this.graphiteFeatures([f], now - DAY_MS, now, stepMs);
      } catch (err) {
        // parseRender's own errors already name Graphite and the path.
        problems.push(isFetchError(err) ? describeFetchError('Graphite', err) : String((err as Error).message ?? err));
      }
    }
    passed.push(`Graphite reachable${features.length ? `, ${features.length} target(s) found` : ''}`);
  }

  /** No model published in the settings: queries use the bundled default model. */
  private usesBundledModel(): boolean {
    return this.settings.model == null;
  }

  /** The model in use as it scores `matrix`: the bundled one re-centred on it (see refitPreprocessing). */
  private modelFor(matrix: FeatureMatrix): LoadedModel {
    const model = this.model();
    if (!this.usesBundledModel()) {
      return model;
    }
    const p = refitPreprocessing(model.preprocessing, matrix);
    const doc = { ...model.doc, preprocessing: { ...model.doc.preprocessing, center: p.center, scale: p.scale } };
    return { ...model, doc, preprocessing: p };
  }

  /**
   * Retrains on the operator labels over a range (features fetched like a query), then compares the
   * current and the new model on the labelled hours training held out. Nothing is saved: see publishModel.
   */
  async trainFromLabels(req: RetrainRequest): Promise<RetrainResult> {
    const matrix = await this.featureMatrix(req.fromMs, req.toMs);
    const states = stepLabels(req.labels, matrix.times);
    const outcome = await trainInWorker(
      {
        matrix,
        labels: labelTargets(states),
        current: this.modelMismatch() ? null : this.modelFor(matrix).doc,
        threshold: req.threshold ?? DEFAULT_THRESHOLD,
        epochs: req.epochs,
      },
      { signal: req.signal, onProgress: req.onProgress }
    );
    return {
      ...outcome,
      anomalousHours: states.filter((s) => s === 'anomaly').length,
      normalHours: states.filter((s) => s === 'normal').length,
    };
  }

  /**
   * Saves a model as this datasource's jsonData.model, keeping the one it replaces in
   * jsonData.modelPrevious for rollback, and records who published it and when in jsonData.modelHistory.
   * Needs datasources:write (Admin).
   */
  async publishModel(doc: ModelDocument): Promise<void> {
    await this.updateModels((jsonData) => ({
      model: doc,
      modelPrevious: jsonData.model ?? null,
      entryFor: doc,
      rollback: false,
    }));
  }

  /** Puts jsonData.modelPrevious back in use, keeping the replaced model as the previous one. */
  async rollbackModel(): Promise<void> {
    await this.updateModels((jsonData) => {
      const previous = jsonData.modelPrevious;
      if (!previous || typeof previous !== 'object') {
        throw new Error('there is no previous model to roll back to (jsonData.modelPrevious is empty)');
      }
      return {
        model: previous as ModelDocument,
        modelPrevious: jsonData.model ?? null,
        entryFor: previous as ModelDocument,
        rollback: true,
      };
    });
  }

  /**
   * Grafana's PUT replaces the whole datasource, so this reads it first and sends its version back (a
   * concurrent edit then fails with 409 instead of being lost).
   */
  private async updateModels(
    change: (jsonData: Record<string, unknown>) => {
      model: ModelDocument;
      modelPrevious: unknown;
      entryFor: ModelDocument;
      rollback: boolean;
    }
  ): Promise<void> {
    const url = `/api/datasources/uid/${encodeURIComponent(this.uid)}`;
    const current = await lastValueFrom(
      getBackendSrv().fetch<Record<string, unknown> & { jsonData?: Record<string, unknown> }>({
        url,
        method: 'GET',
        showErrorAlert: false,
      })
    );
    const ds = current.data;
    const stored = ds.jsonData ?? {};
    const next = change(stored);
    const history = readModelHistory(stored.modelHistory);
    const entry = historyEntry(next.entryFor, {
      version: nextHistoryVersion(history),
      publishedAt: new Date(),
      publishedBy: config.bootData?.user?.login ?? '',
      rollback: next.rollback,
    });
    const jsonData = {
      ...stored,
      model: next.model,
      modelPrevious: next.modelPrevious,
      modelHistory: appendHistory(history, entry),
    };
    if (JSON.stringify(jsonData).length > JSON_DATA_LIMIT) {
      throw new Error('the settings with two models exceed 64 KiB, which some Grafana databases cannot store');
    }
    await lastValueFrom(
      getBackendSrv().fetch({ url, method: 'PUT', data: { ...ds, jsonData }, showErrorAlert: false })
    );
  }
}
