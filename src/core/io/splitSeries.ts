/**
 * Labelled series with a train/test split column, as in the ASD benchmark files:
 *   timestamp,split,label,<feature...>     split = train|test, label = 0|1|empty (unknown)
 * Train rows must all come before test rows; splitIndex is the first test row.
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
import type { LabelledSeries } from './labelledSeries';

export interface SplitSeries extends LabelledSeries {
  /** Index of the first test row (= number of train rows). */
  splitIndex: number;
}

export interface SplitCsv extends SplitSeries {
  /** Feature columns with negative values (allowed: benchmark metrics may be negative). */
  negatives: NegativeCells[];
}

export interface SplitCsvOptions {
  /** Default: "time" if present, else "timestamp". */
  timeColumn?: string;
  labelColumn?: string;
  splitColumn?: string;
  /** Optional outage-kind column. */
  kindColumn?: string;
  features?: readonly string[];
}

export function readSplitCsv(text: string, opts: SplitCsvOptions = {}): SplitCsv {
  const labelColumn = opts.labelColumn ?? 'label';
  const splitColumn = opts.splitColumn ?? 'split';
  const { header, rows } = parseCsv(text);
  const timeColumn = resolveTimeColumn(header, opts.timeColumn);
  for (const c of [labelColumn, splitColumn]) {
    if (!header.includes(c)) {
      throw new CsvError(`missing column "${c}" (header has ${header.join(', ')})`, 1);
    }
  }
  const kindColumn = opts.kindColumn !== undefined && header.includes(opts.kindColumn) ? opts.kindColumn : undefined;
  const textColumns = [labelColumn, splitColumn, ...(kindColumn ? [kindColumn] : [])];
  assertDataRows(rows.length);
  const table = readTimeSeriesCsv(text, {
    timeColumn,
    numericColumns: opts.features,
    textColumns,
    requireValues: true,
  });
  const n = table.times.length;
  if (n < 2) {
    throw new CsvError('need at least two data rows', 1);
  }
  if (table.columns.length === 0) {
    throw new CsvError('no feature columns', 1);
  }
  const stepMs = evenStep(table, timeColumn);
  const labels = labelValues(table, labelColumn);
  let splitIndex = -1;
  table.times.forEach((_, i) => {
    const line = table.lines[i];
    const split = (table.text[splitColumn][i] ?? '').trim();
    if (split !== 'train' && split !== 'test') {
      throw new CsvError(`split must be "train" or "test", got "${split}"`, line, splitColumn);
    }
    if (split === 'test' && splitIndex < 0) {
      splitIndex = i;
    }
    if (split === 'train' && splitIndex >= 0) {
      throw new CsvError('train row after the first test row: train must precede test', line, splitColumn);
    }
  });
  if (splitIndex < 0) {
    throw new CsvError('no test rows (split = "test")', 1, splitColumn);
  }
  const matrix: FeatureMatrix = { times: table.times, stepMs, features: table.columns, values: table.values };
  assertFeatureMatrix(matrix);
  const kinds = table.times.map((_, i) => (kindColumn ? table.text[kindColumn][i] : null));
  return { matrix, labels, kinds, splitIndex, negatives: table.negatives };
}
