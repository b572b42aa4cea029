import { FieldType, createDataFrame, type DataFrame } from '@grafana/data';

import type { AnomalyRegion } from '../core/anomalyRegions';
import type { FeatureMatrix } from '../core/featureMatrix';
import type { SeriesScores } from '../core/model/score';
import type { MatrixProvenance } from '../core/sources/summaryFetch';
import {
  FIELD_PROBABILITY,
  FIELD_SURPRISE,
  FIELD_TOP_FEATURES,
  FIELD_WHERE,
  FIELD_WHERE_EXPERIMENT,
  FIELD_WHERE_SCHEDD,
} from '../shared/frameFields';

/** Per row of the explanation frame: where its region's attribution puts the hour ('' outside regions). */
export interface WhereColumns {
  text: string[];
  schedd: string[];
  experiment: string[];
}

/** One wide frame: Time plus one count field per feature; null ("no data") stays null, not 0. */
export function featureMatrixToFrame(m: FeatureMatrix, refId: string, provenance?: MatrixProvenance): DataFrame {
  return createDataFrame({
    refId,
    name: 'features',
    ...(provenance ? { meta: { custom: { ...provenance } } } : {}),
    fields: [
      { name: 'Time', type: FieldType.time, values: m.times, config: { interval: m.stepMs } },
      ...m.features.map((name, f) => ({
        name,
        type: FieldType.number,
        values: m.values.map((row) => row[f]),
        config: { displayName: name, unit: 'short', min: 0, decimals: 0 },
      })),
    ],
  });
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Rows of `scores` from `start` on, as the frame each model query type returns. */
export function scoresToFrame(
  kind: 'probability' | 'surprise' | 'explanation',
  scores: SeriesScores,
  start: number,
  refId: string,
  /** Where scoring ran (webgl, wasm, cpu, js), for the query inspector. */
  scoredOn?: string,
  /** How many fetched hours (warm-up included) came from the watcher's summaries and how many were counted. */
  provenance?: MatrixProvenance,
  where?: WhereColumns
): DataFrame {
  const rows = scores.times.slice(start);
  const probability = {
    name: FIELD_PROBABILITY,
    type: FieldType.number,
    values: Array.from(scores.probability.subarray(start), finiteOrNull),
    config: { displayName: 'Anomaly probability', unit: 'percentunit', min: 0, max: 1, decimals: 2 },
  };
  const fields =
    kind === 'surprise'
      ? [
          {
            name: FIELD_SURPRISE,
            type: FieldType.number,
            values: Array.from(scores.surprise.subarray(start), finiteOrNull),
            config: { displayName: 'Surprise', min: 0 },
          },
        ]
      : kind === 'explanation'
        ? [
            probability,
            {
              name: FIELD_TOP_FEATURES,
              type: FieldType.string,
              values: scores.topFeatures.slice(start).map((f) => f.join(', ')),
              config: { displayName: 'Top features' },
            },
            ...(where
              ? [
                  { name: FIELD_WHERE, type: FieldType.string, values: where.text, config: { displayName: 'Where' } },
                  {
                    name: FIELD_WHERE_SCHEDD,
                    type: FieldType.string,
                    values: where.schedd,
                    config: { displayName: 'Where: schedd' },
                  },
                  {
                    name: FIELD_WHERE_EXPERIMENT,
                    type: FieldType.string,
                    values: where.experiment,
                    config: { displayName: 'Where: VO' },
                  },
                ]
              : []),
          ]
        : [probability];
  const sources = new Set(scores.source.slice(start).filter((s) => s !== null));
  return createDataFrame({
    refId,
    name: kind,
    fields: [
      {
        name: 'Time',
        type: FieldType.time,
        values: rows,
        config: { interval: scores.times[1] - scores.times[0] || undefined },
      },
      ...fields,
    ],
    meta: { custom: { probabilitySource: [...sources], ...(scoredOn ? { scoredOn } : {}), ...provenance } },
  });
}

/** Annotation frame (time, timeEnd, title, text, tags) for anomaly regions, as Grafana maps events. */
export function regionsToFrame(regions: AnomalyRegion[], refId: string, where?: string[]): DataFrame {
  return createDataFrame({
    refId,
    name: 'anomalies',
    fields: [
      { name: 'time', type: FieldType.time, values: regions.map((r) => r.startMs) },
      { name: 'timeEnd', type: FieldType.time, values: regions.map((r) => r.endMs) },
      { name: 'title', type: FieldType.string, values: regions.map(() => 'GridSentinel: anomaly') },
      {
        name: 'text',
        type: FieldType.string,
        values: regions.map(
          (r, i) =>
            `peak probability ${(r.peakProbability * 100).toFixed(0)}%${r.topFeatures.length ? `; top features: ${r.topFeatures.join(', ')}` : ''}${where?.[i] ? `; where: ${where[i]}` : ''}`
        ),
      },
      { name: 'tags', type: FieldType.other, values: regions.map(() => ['gridsentinel', 'anomaly']) },
    ],
  });
}
