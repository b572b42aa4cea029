/**
 * "Where" for anomaly regions: one mapping check for the call, then one breakdown search per region
 * (never one per hour); each hour of the region is ranked from the same response.
 */
import type { AnomalyRegion } from '../anomalyRegions';
import { attribute, type AttributionResult } from '../attribution';
import {
  BREAKDOWN_FILTER_PATH,
  buildBreakdownSearch,
  checkBreakdownFields,
  parseBreakdown,
  type BreakdownRequest,
} from '../elasticsearch/breakdown';
import type { FeatureFetch } from './featureFetch';

export interface RegionWhere {
  startMs: number;
  endMs: number;
  /** One line for people: the attribution, notes appended; or why there is none. */
  text: string;
  /** Absent when no search ran (no event-type feature, bad mapping). */
  result?: AttributionResult;
  /** Each region hour ranked on its own (same response). */
  hours: Map<number, AttributionResult>;
}

export interface AttributionOptions {
  baselineDays?: number;
  /** The query's exact-value filters, so the breakdown counts what was scored. */
  filters?: Record<string, string[]>;
}

type Region = Pick<AnomalyRegion, 'startMs' | 'endMs' | 'topFeatures'>;

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
  const mapping = await f.http({
    source: 'elasticsearch',
    path: `/${s.indexPattern}/_mapping/field/${encodeURIComponent(`${s.scheddField},${s.experimentField}`)}`,
  });
  const check = checkBreakdownFields(mapping, { schedd: s.scheddField, experiment: s.experimentField });
  if (check.problems.length > 0) {
    return regions.map((r) => none(r, check.problems.join('; ')));
  }
  if (!check.fields.schedd && !check.fields.experiment) {
    return regions.map((r) => none(r, check.notes.join('; ')));
  }
  const eventTypeOf = new Map(s.features.map((x) => [x.name, x.source === 'elasticsearch' ? x.eventType : null]));
  return Promise.all(
    regions.map(async (r) => {
      const eventTypes = r.topFeatures.map((name) => eventTypeOf.get(name)).filter((t): t is string => !!t);
      // Graphite context features (even per-VO paths) are not broken down: they carry no schedd/VO terms.
      const notes = [...check.notes];
      const graphite = r.topFeatures.filter((name) => eventTypeOf.get(name) === null);
      if (graphite.length > 0) {
        notes.push(`Graphite features not attributed: ${graphite.join(', ')}`);
      }
      if (eventTypes.length === 0) {
        return none(r, notes.length ? notes.join('; ') : 'no event-type feature to break down');
      }
      const req: BreakdownRequest = {
        timeField: s.timeField,
        eventTypeField: s.eventTypeField,
        eventTypes,
        fields: check.fields,
        fromMs: r.startMs,
        toMs: r.endMs,
        stepMs: s.stepSeconds * 1000,
        baselineDays: options.baselineDays,
        filters: options.filters,
      };
      const response = await f.http({
        source: 'elasticsearch',
        path: `/${s.indexPattern}/_search?filter_path=${encodeURIComponent(BREAKDOWN_FILTER_PATH)}`,
        method: 'POST',
        body: JSON.stringify(buildBreakdownSearch(req)),
        contentType: 'application/json',
      });
      const data = parseBreakdown(req, response);
      const result = attribute(data);
      const suffix = notes.length ? ` (${notes.join('; ')})` : '';
      return {
        startMs: r.startMs,
        endMs: r.endMs,
        text: result.text + suffix,
        result,
        hours: new Map(data.regionTimes.map((t) => [t, attribute(data, [t])])),
      };
    })
  );
}
