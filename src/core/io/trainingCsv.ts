/**
 * Reads any time-indexed CSV for training or scoring: a time column, an optional 0/1 label column
 * (empty = unknown, not normal) and numeric feature columns (all numeric columns unless listed;
 * text columns such as a split or outage kind are skipped). Steps need not be hourly.
 */
import { assertFeatureMatrix, type FeatureMatrix } from '../featureMatrix';
import { CsvError, evenStep, labelValues, parseCsv, readTimeSeriesCsv } from './csv';

export interface TrainingCsvOptions {
  /** Default: "time" if present, else "timestamp". */
  timeColumn?: string;
  /** Default "label"; absent column = every label unknown. */
  labelColumn?: string;
  features?: readonly string[];
}

export interface TrainingCsv {
  matrix: FeatureMatrix;
  labels: Array<0 | 1 | null>;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function readTrainingCsv(text: string, opts: TrainingCsvOptions = {}): TrainingCsv {
  const table = parseCsv(text);
  const { header, rows } = table;
  const timeColumn =
    opts.timeColumn ?? (header.includes('time') || !header.includes('timestamp') ? 'time' : 'timestamp');
  if (!header.includes(timeColumn)) {
    throw new CsvError(`missing time column "${timeColumn}" (header has ${header.join(', ')})`, 1);
  }
  const labelColumn = opts.labelColumn ?? 'label';
  const hasLabel = header.includes(labelColumn);
  if (opts.labelColumn !== undefined && !hasLabel) {
    throw new CsvError(`missing label column "${labelColumn}" (header has ${header.join(', ')})`, 1);
  }
  const features =
    opts.features ??
    header.filter((h, i) => {
      if (h === timeColumn || h === labelColumn) {
        return false;
      }
      let any = false;
      for (const r of rows) {
        const v = r[i].trim();
        if (v === '') {
          continue;
        }
        if (!NUMBER_RE.test(v)) {
          return false;
        }
        any = true;
      }
      return any;
    });
  if (features.length === 0) {
    throw new CsvError('no numeric feature columns', 1);
  }
  if (rows.length === 0) {
    throw new CsvError('no data rows', 1);
  }
  const t = readTimeSeriesCsv(text, {
    timeColumn,
    numericColumns: features,
    textColumns: hasLabel ? [labelColumn] : [],
  });
  const stepMs = evenStep(t, timeColumn);
  const labels = labelValues(t, hasLabel ? labelColumn : null);
  const matrix: FeatureMatrix = { times: t.times, stepMs, features: [...features], values: t.values };
  assertFeatureMatrix(matrix);
  return { matrix, labels };
}
