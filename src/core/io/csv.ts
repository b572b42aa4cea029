/**
 * Small RFC 4180 CSV reader/writer plus a typed reader for time-indexed numeric tables
 * (one time column, numeric columns where an empty cell means missing, optional text columns).
 */

export class CsvError extends Error {
  constructor(
    message: string,
    /** 1-based line of the offending record (of its first line when it spans several). */
    readonly line: number,
    readonly column?: string
  ) {
    super(`line ${line}${column !== undefined ? `, column "${column}"` : ''}: ${message}`);
  }
}

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line where each row starts, for error messages. */
  lines: number[];
}

/** NUL or an undecodable byte (U+FFFD after UTF-8 decoding): binary data, not CSV text. */
function assertText(text: string): void {
  const nul = text.indexOf('\u0000');
  const undecodable = text.indexOf('\uFFFD');
  const bad = nul < 0 ? undecodable : undecodable < 0 ? nul : Math.min(nul, undecodable);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new CsvError('not a CSV text file (binary data or not UTF-8)', line);
  }
}

/** Splits CSV text into records. Quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): CsvTable {
  assertText(text);
  const records: string[][] = [];
  const starts: number[] = [];
  let field = '';
  let record: string[] = [];
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedField = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // tolerate a BOM from spreadsheets
  const endRecord = () => {
    record.push(field);
    // A record that is one empty unquoted field is a blank line: skip it.
    if (!(record.length === 1 && record[0] === '' && !quotedField)) {
      records.push(record);
      starts.push(recordLine);
    }
    record = [];
    field = '';
    quotedField = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n') {
          line++;
        }
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') {
        throw new CsvError('quote in the middle of an unquoted field', line);
      }
      inQuotes = true;
      quotedField = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      quotedField = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') {
        i++;
      }
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (quotedField) {
        throw new CsvError('text after a closing quote', line);
      }
      field += ch;
    }
  }
  if (inQuotes) {
    throw new CsvError('unterminated quoted field', recordLine);
  }
  if (field !== '' || record.length > 0 || quotedField) {
    endRecord();
  }
  if (records.length === 0) {
    throw new CsvError('empty input: expected a header line', 1);
  }
  const header = records[0].map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, idx) => {
    if (h === '') {
      throw new CsvError(`header field ${idx + 1} is empty`, starts[0]);
    }
    if (seen.has(h)) {
      throw new CsvError(`duplicate header "${h}"`, starts[0]);
    }
    seen.add(h);
  });
  const rows = records.slice(1);
  const lines = starts.slice(1);
  rows.forEach((r, idx) => {
    if (r.length !== header.length) {
      throw new CsvError(`expected ${header.length} fields, got ${r.length}`, lines[idx]);
    }
  });
  return { header, rows, lines };
}

function quoteField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export type CsvValue = string | number | null | undefined;

/** One CSV line (no newline); null/undefined become empty cells. */
export function formatCsvRow(fields: readonly CsvValue[]): string {
  return fields
    .map((v) => (v === null || v === undefined ? '' : quoteField(typeof v === 'number' ? formatNumber(v) : v)))
    .join(',');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw new Error(`cannot write non-finite number ${n} to CSV; use null for missing`);
  }
  return String(n);
}

export function writeCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const out = [formatCsvRow(header)];
  for (const r of rows) {
    if (r.length !== header.length) {
      throw new Error(`row has ${r.length} fields, header has ${header.length}`);
    }
    out.push(formatCsvRow(r));
  }
  return out.join('\n') + '\n';
}

export interface TimeSeriesCsvOptions {
  /** Name of the time column (ISO 8601 or epoch ms); default "time". */
  timeColumn?: string;
  /** Numeric columns to read, in this order; default: every column not time or text. */
  numericColumns?: readonly string[];
  /** Columns kept as text (empty = null); default none. */
  textColumns?: readonly string[];
  /** Reject non-integer numbers (counts). */
  integers?: boolean;
  /** Reject negative numbers (else they are counted in `negatives`). */
  nonNegative?: boolean;
  /** Reject a numeric column whose every cell is empty (a feature without any value). */
  requireValues?: boolean;
}

export interface NegativeCells {
  column: string;
  rows: number;
  /** Line of the first one. */
  line: number;
}

export interface TimeSeriesCsv {
  times: number[];
  columns: string[];
  /** values[row][column]; null where the cell was empty. */
  values: Array<Array<number | null>>;
  text: Record<string, Array<string | null>>;
  /** 1-based source line of each row. */
  lines: number[];
  /** Numeric columns holding negative values (allowed unless nonNegative). */
  negatives: NegativeCells[];
}

/** The time column every reader uses: the one named, else "time", else "timestamp". */
export function resolveTimeColumn(header: readonly string[], explicit?: string): string {
  const name = explicit ?? (header.includes('time') ? 'time' : header.includes('timestamp') ? 'timestamp' : undefined);
  if (name === undefined || !header.includes(name)) {
    const wanted = explicit !== undefined ? `"${explicit}"` : '"time" or "timestamp"';
    throw new CsvError(`missing time column ${wanted} (header has ${header.join(', ')})`, 1);
  }
  return name;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO 8601 time (date-only or with time; no offset means UTC) or integer epoch ms. */
export function parseTime(raw: string): number | null {
  const s = raw.trim();
  if (/^-?\d+$/.test(s)) {
    return Number(s);
  }
  if (!ISO_RE.test(s)) {
    return null;
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) && s.length > 10;
  const ms = Date.parse(hasZone || s.length === 10 ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : null;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function readTimeSeriesCsv(text: string, opts: TimeSeriesCsvOptions = {}): TimeSeriesCsv {
  const table = parseCsv(text);
  const timeColumn = opts.timeColumn ?? 'time';
  const textColumns = opts.textColumns ?? [];
  const headerLine = 1;
  const col = (name: string) => {
    const i = table.header.indexOf(name);
    if (i < 0) {
      throw new CsvError(`missing column "${name}" (header has ${table.header.join(', ')})`, headerLine);
    }
    return i;
  };
  const timeIdx = col(timeColumn);
  const textIdx = textColumns.map(col);
  const numericColumns =
    opts.numericColumns ?? table.header.filter((h) => h !== timeColumn && !textColumns.includes(h));
  const numIdx = numericColumns.map(col);
  const out: TimeSeriesCsv = {
    times: [],
    columns: [...numericColumns],
    values: [],
    text: {},
    lines: table.lines,
    negatives: [],
  };
  const negative = numericColumns.map(() => ({ rows: 0, line: 0 }));
  const filled = numericColumns.map(() => false);
  for (const name of textColumns) {
    out.text[name] = [];
  }
  table.rows.forEach((row, r) => {
    const line = table.lines[r];
    const t = parseTime(row[timeIdx]);
    if (t === null) {
      throw new CsvError(`"${row[timeIdx]}" is not an ISO 8601 time or epoch milliseconds`, line, timeColumn);
    }
    out.times.push(t);
    out.values.push(
      numIdx.map((i, k) => {
        const raw = row[i].trim();
        if (raw === '') {
          return null;
        }
        filled[k] = true;
        if (!NUMBER_RE.test(raw)) {
          throw new CsvError(`"${row[i]}" is not a number`, line, numericColumns[k]);
        }
        const v = Number(raw);
        if (!Number.isFinite(v)) {
          throw new CsvError(`"${row[i]}" is out of range`, line, numericColumns[k]);
        }
        if (opts.integers && !Number.isInteger(v)) {
          throw new CsvError(`"${row[i]}" is not an integer`, line, numericColumns[k]);
        }
        if (v < 0) {
          if (opts.nonNegative) {
            throw new CsvError(`"${row[i]}" is negative`, line, numericColumns[k]);
          }
          negative[k].line ||= line;
          negative[k].rows++;
        }
        return v;
      })
    );
    textColumns.forEach((name, k) => {
      const raw = row[textIdx[k]];
      out.text[name].push(raw.trim() === '' ? null : raw);
    });
  });
  numericColumns.forEach((column, k) => {
    if (opts.requireValues && table.rows.length > 0 && !filled[k]) {
      throw new CsvError('every cell is empty: a feature needs values', headerLine, column);
    }
    if (negative[k].rows > 0) {
      out.negatives.push({ column, ...negative[k] });
    }
  });
  return out;
}

/** "m01: 3 rows with negative values (first on line 12)", one per column. */
export function negativeWarnings(negatives: readonly NegativeCells[]): string[] {
  return negatives.map(
    (n) =>
      `column "${n.column}": ${n.rows} row${n.rows === 1 ? '' : 's'} with negative values (first on line ${n.line})`
  );
}

/** Throws for a table without data rows (a header line only). */
export function assertDataRows(rows: number, what = 'data rows'): void {
  if (rows === 0) {
    throw new CsvError(`no ${what}: the file has a header line only`, 1);
  }
}

/**
 * The step of a time-series table: the first interval, which every later row must follow (strictly
 * increasing, evenly spaced); errors name the line. A single row gets `singleRowStepMs`.
 */
export function evenStep(t: TimeSeriesCsv, timeColumn: string, singleRowStepMs = 3_600_000): number {
  const stepMs = t.times.length > 1 ? t.times[1] - t.times[0] : singleRowStepMs;
  for (let i = 1; i < t.times.length; i++) {
    const d = t.times[i] - t.times[i - 1];
    if (d <= 0) {
      throw new CsvError('time is not after the previous row', t.lines[i], timeColumn);
    }
    if (d !== stepMs) {
      throw new CsvError(
        `uneven step: ${d / 1000}s after the previous row, expected ${stepMs / 1000}s`,
        t.lines[i],
        timeColumn
      );
    }
  }
  return stepMs;
}

/** A text column of labels: "1" anomalous, "0" normal, empty unknown (null, not normal); column absent: all null. */
export function labelValues(t: TimeSeriesCsv, column: string | null): Array<0 | 1 | null> {
  return t.times.map((_, i) => {
    const raw = column === null ? null : t.text[column][i];
    if (raw === null) {
      return null;
    }
    const v = raw.trim();
    if (v !== '0' && v !== '1') {
      throw new CsvError(`label must be 0, 1 or empty, got "${raw}"`, t.lines[i], column!);
    }
    return v === '1' ? 1 : 0;
  });
}
