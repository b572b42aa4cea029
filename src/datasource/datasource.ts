/**
 * The GridSentinel datasource: a facade over the proxy client, the core feature fetch and scoring, the
 * health check, variables and model publishing, each in its own module.
 */
import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';

import { anomalyRegions, topFeatureVotes, type AnomalyRegion } from '../core/anomalyRegions';
import type { FeatureMatrix } from '../core/featureMatrix';
import { labelTargets, stepLabels } from '../core/labels';
import { loadModel, ModelDocumentError, type LoadedModel, type ModelDocument } from '../core/model/modelDocument';
import { scoreSeries, scoreSeriesWith, type SeriesScores } from '../core/model/score';
import { firstStepIndex, modelForMatrix, modelMismatch, scoringFetchStart } from '../core/model/scoreRange';
import type { FeatureFetch } from '../core/sources/featureFetch';
import type { BreakdownFieldCheck } from '../core/elasticsearch/breakdown';
import { attributeRegions, whereFieldCheck, type RegionWhere } from '../core/sources/regionAttribution';
import { fetchFeatureMatrixWithSummaries, type SourcedMatrix } from '../core/sources/summaryFetch';
import { changeModel } from '../shared/datasourceSettings';
import type { RetrainingDataSource, RetrainRequest, RetrainResult } from '../shared/retraining';
import type { HourWhereRequest, WhereDataSource } from '../shared/where';
import { featureMatrixToFrame, regionsToFrame, scoresToFrame, type WhereColumns } from './frames';
import { checkDataSource } from './healthCheck';
import { describeFetchError, proxyHttp } from './proxyClient';
import { scoringBackend } from './scoring';
import { trainInWorker } from './training';
import { variableValues } from './variables';
import defaultModel from './model/default-model.json';
import {
  DEFAULT_OPTIONS,
  DEFAULT_QUERY,
  DEFAULT_THRESHOLD,
  type GridSentinelOptions,
  type GridSentinelQuery,
  type ResolvedOptions,
} from './types';

type MatrixFetch = (fromMs: number, toMs: number, filters: Record<string, string[]>) => Promise<SourcedMatrix>;

export class GridSentinelDataSource
  extends DataSourceApi<GridSentinelQuery, GridSentinelOptions>
  implements RetrainingDataSource, WhereDataSource
{
  readonly settings: GridSentinelOptions & ResolvedOptions;
  private readonly sources: FeatureFetch;
  private loadedModel?: LoadedModel;
  /** The breakdown fields' mapping check, kept a few minutes for hours asked one at a time. */
  private whereCheck?: { atMs: number; check: Promise<BreakdownFieldCheck> };

  constructor(instanceSettings: DataSourceInstanceSettings<GridSentinelOptions>) {
    super(instanceSettings);
    const jsonData = instanceSettings.jsonData ?? {};
    this.settings = {
      ...DEFAULT_OPTIONS,
      ...jsonData,
      features: jsonData.features?.length ? jsonData.features : DEFAULT_OPTIONS.features,
    };
    this.sources = {
      http: proxyHttp(instanceSettings.url ?? '', this.settings.elasticsearchAuth),
      settings: this.settings,
      configured: { elasticsearch: !!this.settings.elasticsearchUrl, graphite: !!this.settings.graphiteUrl },
    };
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
    return modelMismatch(this.model().doc, this.settings);
  }

  getDefaultQuery(): Partial<GridSentinelQuery> {
    return DEFAULT_QUERY;
  }

  async query(request: DataQueryRequest<GridSentinelQuery>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide);
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    // Each target fails on its own: one bad query must not blank the others.
    // Targets over the same range and filters (e.g. probability + explanation) share one fetch.
    const fetched = new Map<string, Promise<SourcedMatrix>>();
    const fetchOnce: MatrixFetch = (fromMs, toMs, filters) => {
      const key = JSON.stringify([fromMs, toMs, filters]);
      if (!fetched.has(key)) {
        fetched.set(key, this.sourcedMatrix(fromMs, toMs, filters));
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
    fetchMatrix: MatrixFetch
  ) {
    const type = target.queryType ?? DEFAULT_QUERY.queryType!;
    const filters = this.filters(target, scopedVars);
    if (type === 'features') {
      const { matrix, provenance } = await fetchMatrix(from, to, filters);
      return featureMatrixToFrame(matrix, target.refId, provenance);
    }
    const mismatch = this.modelMismatch();
    if (mismatch) {
      throw new Error(`${mismatch}; retrain the model or restore the feature list`);
    }
    // The LSTM needs the hours before the range to be warmed up (the bundled model also re-centres its
    // inputs on this grid, from at least a week): scoringFetchStart says how far back.
    const bundled = this.usesBundledModel();
    const model = this.model();
    // Hours read from the watcher's summaries carry features only: they are scored here with this model,
    // whichever model version wrote them.
    const { matrix, provenance } = await fetchMatrix(scoringFetchStart(model.doc, from, bundled), to, filters);
    const { scores, scoredOn } = await this.score(modelForMatrix(model, matrix, bundled), matrix);
    const stepMs = this.settings.stepSeconds * 1000;
    const start = firstStepIndex(scores.times, from, stepMs);
    if (type === 'surprise' || type === 'probability') {
      return scoresToFrame(type, scores, start, target.refId, scoredOn, provenance);
    }
    const regions = anomalyRegions(
      {
        times: scores.times.slice(start),
        stepMs,
        probability: Array.from(scores.probability.subarray(start), (p) => (Number.isFinite(p) ? p : null)),
        // Rank-weighted votes of each hour's top features name what drove a region.
        contributions: topFeatureVotes(scores.topFeatures.slice(start), matrix.features),
        features: matrix.features,
      },
      target.threshold ?? DEFAULT_THRESHOLD
    );
    const where = await this.where(regions, filters);
    if (type === 'regions') {
      return regionsToFrame(
        regions,
        target.refId,
        where.map((w) => w.text)
      );
    }
    return scoresToFrame(
      type,
      scores,
      start,
      target.refId,
      scoredOn,
      provenance,
      whereColumns(scores.times.slice(start), where)
    );
  }

  /**
   * Where each region's excess is (core/sources/regionAttribution.ts: one search per region). A failure
   * becomes the text, so the probability and the regions still show.
   */
  private async where(regions: AnomalyRegion[], filters: Record<string, string[]>): Promise<RegionWhere[]> {
    try {
      return await attributeRegions(this.sources, regions, { filters });
    } catch (err) {
      const text = `unavailable (${describeFetchError('Elasticsearch', err)})`;
      return regions.map((r) => ({ startMs: r.startMs, endMs: r.endMs, text, hours: new Map() }));
    }
  }

  /**
   * Where one hour's change is (the timeline tooltip, for an hour outside every region): one breakdown
   * search; the mapping check is kept for 5 minutes so hovering hour after hour costs one request each.
   */
  async hourWhere(req: HourWhereRequest): Promise<string> {
    const now = Date.now();
    if (!this.whereCheck || now - this.whereCheck.atMs > 5 * 60e3) {
      const kept = { atMs: now, check: whereFieldCheck(this.sources) };
      // A failed check is not kept: the next hover asks again.
      kept.check.catch(() => this.whereCheck === kept && (this.whereCheck = undefined));
      this.whereCheck = kept;
    }
    const check = await this.whereCheck.check;
    const stepMs = this.settings.stepSeconds * 1000;
    const startMs = Math.floor(req.timeMs / stepMs) * stepMs;
    const [where] = await attributeRegions(
      this.sources,
      [{ startMs, endMs: startMs + stepMs, topFeatures: req.topFeatures }],
      { filters: this.filters(req, req.scopedVars ?? {}), check }
    );
    return where.text;
  }

  /** A query's experiment and schedd filters as exact values per field. */
  private filters(q: Pick<GridSentinelQuery, 'experiment' | 'schedd'>, scopedVars: ScopedVars) {
    return {
      [this.settings.experimentField]: this.filterValues(q.experiment, scopedVars),
      [this.settings.scheddField]: this.filterValues(q.schedd, scopedVars),
    };
  }

  /** The configured features per step (core/sources/featureFetch.ts, through the data proxy). */
  async featureMatrix(fromMs: number, toMs: number, filters: Record<string, string[]> = {}): Promise<FeatureMatrix> {
    return (await this.sourcedMatrix(fromMs, toMs, filters)).matrix;
  }

  /**
   * The features and where their hours came from: the watcher's summaries (jsonData.summaryName) where it
   * has written them, else counted from raw events (core/sources/summaryFetch.ts).
   */
  sourcedMatrix(fromMs: number, toMs: number, filters: Record<string, string[]> = {}): Promise<SourcedMatrix> {
    return fetchFeatureMatrixWithSummaries(this.sources, this.settings.summaryName, fromMs, toMs, filters);
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
    const range = options?.range && { fromMs: options.range.from.valueOf(), toMs: options.range.to.valueOf() };
    const values = await variableValues(this.sources.http, this.settings, query, range);
    return values.map((v) => ({ text: v, value: v }));
  }

  testDatasource() {
    return checkDataSource(this.sources, () => this.modelMismatch());
  }

  /** No model published in the settings: queries use the bundled default model. */
  private usesBundledModel(): boolean {
    return this.settings.model == null;
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
        current: this.modelMismatch() ? null : modelForMatrix(this.model(), matrix, this.usesBundledModel()).doc,
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
   */
  publishModel(doc: ModelDocument): Promise<void> {
    return changeModel(this.uid, { kind: 'publish', doc });
  }

  /** Puts jsonData.modelPrevious back in use, keeping the replaced model as the previous one. */
  rollbackModel(): Promise<void> {
    return changeModel(this.uid, { kind: 'rollback' });
  }
}

/** The explanation frame's where columns: each region hour's own ranking, '' outside regions. */
function whereColumns(times: number[], regions: RegionWhere[]): WhereColumns {
  const out: WhereColumns = { text: [], schedd: [], experiment: [] };
  for (const t of times) {
    const region = regions.find((r) => t >= r.startMs && t < r.endMs);
    const hour = region?.hours.get(t);
    out.text.push(hour?.text ?? region?.text ?? '');
    out.schedd.push(hour?.top.schedd?.value ?? '');
    out.experiment.push(hour?.top.experiment?.value ?? '');
  }
  return out;
}
