/**
 * "Where" for anomaly regions: one mapping check for the call (or one the caller kept), then per region
 * one breakdown search of every event-type feature (never one per hour) and, when Graphite features carry
 * a VO in their path, one render; each hour of the region is ranked from the same responses.
 *
 * Every event type, not only the region's top features: the culprit's signal is often in a type the model
 * ranks lower (a small VO's holds under a big VO's submission campaign), and the ranking is fair across
 * types (core/attribution.ts). The top features only choose which feature the text leads with.
 */
import type { AnomalyRegion } from '../anomalyRegions';
import { attribute, type AttributionResult } from '../attribution';
import {
  BREAKDOWN_FILTER_PATH,
  DEFAULT_BASELINE_DAYS,
  buildBreakdownSearch,
  checkBreakdownFields,
  parseBreakdown,
  type BreakdownData,
  type BreakdownFieldCheck,
  type BreakdownRequest,
} from '../elasticsearch/breakdown';
import { buildVoBreakdownParams, parseVoBreakdown, voFeature, type VoFeature } from '../graphite/breakdown';
import { bySource, type FeatureFetch } from './featureFetch';
import { graphiteRender } from './sourceHttp';

export interface RegionWhere {
  startMs: number;
  endMs: number;
  /** One line for people: the attribution, notes appended; or why there is none. */
  text: string;
  /** Absent when no search ran (no event-type feature, bad mapping). */
  result?: AttributionResult;
  /** Each region hour ranked on its own (same responses). */
  hours: Map<number, AttributionResult>;
}

export interface AttributionOptions {
  baselineDays?: number;
  /** The query's exact-value filters, so the breakdown counts what was scored. */
  filters?: Record<string, string[]>;
  /** A mapping check already made (whereFieldCheck), e.g. kept for hours asked one at a time. */
  check?: BreakdownFieldCheck;
}

type Region = Pick<AnomalyRegion, 'startMs' | 'endMs' | 'topFeatures'>;

/** The schedd and experiment fields' mapping (one request): which breakdowns can run. */
export async function whereFieldCheck(f: FeatureFetch): Promise<BreakdownFieldCheck> {
  const s = f.settings;
  const mapping = await f.http({
    source: 'elasticsearch',
    path: `/${s.indexPattern}/_mapping/field/${encodeURIComponent(`${s.scheddField},${s.experimentField}`)}`,
  });
  return checkBreakdownFields(mapping, { schedd: s.scheddField, experiment: s.experimentField });
}

export async function attributeRegions(
  f: FeatureFetch,
  regions: readonly Region[],
  options: AttributionOptions = {}
): Promise<RegionWhere[]> {
  if (regions.length === 0) {
    return [];
  }
  const s = f.settings;
  const none = (r: Region, text: string): RegionWhere => ({
    startMs: r.startMs,
    endMs: r.endMs,
    text,
    hours: new Map(),
  });
  if (!f.configured.elasticsearch) {
    return regions.map((r) => none(r, 'where: Elasticsearch is not configured'));
  }
  const check = options.check ?? (await whereFieldCheck(f));
  if (check.problems.length > 0) {
    return regions.map((r) => none(r, check.problems.join('; ')));
  }
  if (!check.fields.schedd && !check.fields.experiment) {
    return regions.map((r) => none(r, check.notes.join('; ')));
  }
  const { es, gr } = bySource(s.features);
  const eventTypes = [...new Set(es.map((x) => x.eventType))];
  const voFeatures = f.configured.graphite ? gr.map(voFeature).filter((x): x is VoFeature => x !== null) : [];
  const eventTypeOf = new Map(es.map((x) => [x.name, x.eventType]));
  const stepMs = s.stepSeconds * 1000;
  const baselineDays = options.baselineDays ?? DEFAULT_BASELINE_DAYS;
  return Promise.all(
    regions.map(async (r) => {
      if (eventTypes.length === 0) {
        return none(r, 'no event-type feature to break down');
      }
      const notes = [...check.notes];
      const req: BreakdownRequest = {
        timeField: s.timeField,
        eventTypeField: s.eventTypeField,
        eventTypes,
        fields: check.fields,
        fromMs: r.startMs,
        toMs: r.endMs,
        stepMs,
        baselineDays,
        filters: options.filters,
      };
      const [response, graphite] = await Promise.all([
        f.http({
          source: 'elasticsearch',
          path: `/${s.indexPattern}/_search?filter_path=${encodeURIComponent(BREAKDOWN_FILTER_PATH)}`,
          method: 'POST',
          body: JSON.stringify(buildBreakdownSearch(req)),
          contentType: 'application/json',
        }),
        voBreakdowns(f, voFeatures, r, stepMs, baselineDays).catch((err: unknown) => {
          notes.push(`Graphite features not attributed: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        }),
      ]);
      const parts: BreakdownData[] = [parseBreakdown(req, response), ...graphite];
      const lead = r.topFeatures.map((name) => eventTypeOf.get(name) ?? name);
      const result = attribute(parts, { lead });
      const suffix = notes.length ? ` (${notes.join('; ')})` : '';
      return {
        startMs: r.startMs,
        endMs: r.endMs,
        text: result.text + suffix,
        result,
        hours: new Map(parts[0].regionTimes.map((t) => [t, attribute(parts, { times: [t], lead })])),
      };
    })
  );
}

/** The region's per-VO Graphite series (one render), or none without VO features. */
async function voBreakdowns(
  f: FeatureFetch,
  features: VoFeature[],
  r: Region,
  stepMs: number,
  baselineDays: number
): Promise<BreakdownData[]> {
  if (features.length === 0) {
    return [];
  }
  const req = { features, fromMs: r.startMs, toMs: r.endMs, stepMs, baselineDays };
  return parseVoBreakdown(req, await graphiteRender(f.http, buildVoBreakdownParams(req)));
}
