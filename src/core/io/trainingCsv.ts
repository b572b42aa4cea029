/**
 * Reads any time-indexed CSV for training or scoring: a time column, an optional 0/1 label column
 * (empty = unknown, not normal) and numeric feature columns (all numeric columns unless listed;
 * text columns such as a split or outage kind are skipped). Steps need not be hourly.
 */
import { assertFeatureMatrix, type FeatureMatrix } from '../featureMatrix';
import {
  CsvError,
  assertDataRows,
  evenStep,
  labelValues,
  parseCsv,
  readTimeSeriesCsv,
  resolveTimeColumn,
  type NegativeCells,
} from './csv';
import { KIND_COLUMN } from './labelledSeries';

/** Text by name: the outage kind `generate` writes (empty when no outage) and a train/test split. */
const TEXT_COLUMNS = [KIND_COLUMN, 'split'];

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
  /** Text columns left out of the default feature list. */
  textColumns: string[];
  /** Feature columns with negative values (allowed: gauges may be negative; counts cannot). */
  negatives: NegativeCells[];
}

/** Starts like a number, or is a spelled-out non-finite one: a feature cell (good or bad), not text. */
const NUMBER_LIKE = /^[+-]?(\d|\.\d|nan$|inf)/i;

export function readTrainingCsv(text: string, opts: TrainingCsvOptions = {}): TrainingCsv {
  const { header, rows } = parseCsv(text);
  const timeColumn = resolveTimeColumn(header, opts.timeColumn);
  const labelColumn = opts.labelColumn ?? 'label';
  const hasLabel = header.includes(labelColumn);
  if (opts.labelColumn !== undefined && !hasLabel) {
    throw new CsvError(`missing label column "${labelColumn}" (header has ${header.join(', ')})`, 1);
  }
  assertDataRows(rows.length);
  // A column is text when named so or when no cell looks like a number; any other column is a feature
  // and every one of its cells must parse (a bad cell is an error, never a silently dropped feature).
  const textColumns = header.filter(
    (h, i) =>
      h !== timeColumn &&
      h !== labelColumn &&
      (TEXT_COLUMNS.includes(h) ||
        (rows.some((r) => r[i].trim() !== '') && !rows.some((r) => NUMBER_LIKE.test(r[i].trim()))))
  );
  const features =
    opts.features ?? header.filter((h) => h !== timeColumn && h !== labelColumn && !textColumns.includes(h));
  if (features.length === 0) {
    throw new CsvError(`no numeric feature columns (header has ${header.join(', ')})`, 1);
  }
  const t = readTimeSeriesCsv(text, {
    timeColumn,
    numericColumns: features,
    textColumns: hasLabel ? [labelColumn] : [],
    requireValues: true,
  });
  const stepMs = evenStep(t, timeColumn);
  const labels = labelValues(t, hasLabel ? labelColumn : null);
  const matrix: FeatureMatrix = { times: t.times, stepMs, features: [...features], values: t.values };
  assertFeatureMatrix(matrix);
  return { matrix, labels, textColumns: opts.features ? [] : textColumns, negatives: t.negatives };
}
