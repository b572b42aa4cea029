/**
 * Labelled feature series as written by `gridsentinel generate`: one row per step with the
 * feature counts, label (1 outage, 0 normal, empty unknown) and the outage kind.
 *
 * CSV:   time,<feature...>,label,outage_kind        (empty cell = no data)
 * JSONL: {"time": ISO, "<feature>": n|null, ..., "label": 1|0|null, "outage_kind": kind|null}
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
  writeCsv,
  type CsvValue,
} from './csv';

export interface LabelledSeries {
  matrix: FeatureMatrix;
  labels: Array<0 | 1 | null>;
  kinds: Array<string | null>;
}

export const LABEL_COLUMN = 'label';
export const KIND_COLUMN = 'outage_kind';

function check(s: LabelledSeries): void {
  assertFeatureMatrix(s.matrix);
  if (s.labels.length !== s.matrix.times.length || s.kinds.length !== s.matrix.times.length) {
    throw new Error(
      `labels (${s.labels.length}) and kinds (${s.kinds.length}) must have one entry per row (${s.matrix.times.length})`
    );
  }
}

function* csvRows(s: LabelledSeries): Generator<CsvValue[]> {
  for (let t = 0; t < s.matrix.times.length; t++) {
    yield [new Date(s.matrix.times[t]).toISOString(), ...s.matrix.values[t], s.labels[t], s.kinds[t]];
  }
}

export function labelledSeriesToCsv(s: LabelledSeries): string {
  check(s);
  return writeCsv(['time', ...s.matrix.features, LABEL_COLUMN, KIND_COLUMN], csvRows(s));
}

export function labelledSeriesToJsonLines(s: LabelledSeries): string {
  check(s);
  const lines: string[] = [];
  for (let t = 0; t < s.matrix.times.length; t++) {
    const row: Record<string, unknown> = { time: new Date(s.matrix.times[t]).toISOString() };
    s.matrix.features.forEach((f, i) => {
      row[f] = s.matrix.values[t][i];
    });
    row[LABEL_COLUMN] = s.labels[t];
    row[KIND_COLUMN] = s.kinds[t];
    lines.push(JSON.stringify(row));
  }
  return lines.join('\n') + '\n';
}

/**
 * Reads a labelled CSV back (time column: "time", else "timestamp"). Label and kind columns are optional
 * (absent = all unknown/null); counts must not be negative;
 * the step is taken from the first two rows and every row must follow it.
 */
export function readLabelledCsv(
  text: string,
  opts: { features?: readonly string[]; timeColumn?: string } = {}
): LabelledSeries {
  const { header, rows } = parseCsv(text);
  const timeColumn = resolveTimeColumn(header, opts.timeColumn);
  assertDataRows(rows.length);
  const hasLabel = header.includes(LABEL_COLUMN);
  const hasKind = header.includes(KIND_COLUMN);
  const textColumns = [...(hasLabel ? [LABEL_COLUMN] : []), ...(hasKind ? [KIND_COLUMN] : [])];
  const table = readTimeSeriesCsv(text, {
    timeColumn,
    numericColumns: opts.features,
    textColumns,
    nonNegative: true,
    requireValues: true,
  });
  if (table.columns.length === 0) {
    throw new CsvError('no feature columns', 1);
  }
  const stepMs = evenStep(table, timeColumn);
  const labels = labelValues(table, hasLabel ? LABEL_COLUMN : null);
  const kinds = table.times.map((_, i) => (hasKind ? table.text[KIND_COLUMN][i] : null));
  const matrix: FeatureMatrix = { times: table.times, stepMs, features: table.columns, values: table.values };
  assertFeatureMatrix(matrix);
  return { matrix, labels, kinds };
}
