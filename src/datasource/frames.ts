import { FieldType, createDataFrame, type DataFrame } from '@grafana/data';

import type { FeatureMatrix } from '../core/featureMatrix';

/** One wide frame: Time plus one count field per feature; null ("no data") stays null, not 0. */
export function featureMatrixToFrame(m: FeatureMatrix, refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'features',
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
