/** @jest-environment node */
import { CsvError, formatCsvRow, parseCsv, parseTime, readTimeSeriesCsv, writeCsv } from './csv';
import { labelledSeriesToCsv, labelledSeriesToJsonLines, readLabelledCsv } from './labelledSeries';
import { generateGrid, gridLabelledSeries } from '../generator';
import { FeatureMatrixError } from '../featureMatrix';

function csvError(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsv / writeCsv', () => {
  it('handles quotes, embedded commas, quotes and newlines, CRLF, BOM and a missing final newline', () => {
    const t = parseCsv('\uFEFFa,b,c\r\n1,"x,y","say ""hi"""\r\n2,"two\nlines",\r\n\r\n3,z,w');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'x,y', 'say "hi"'],
      ['2', 'two\nlines', ''],
      ['3', 'z', 'w'],
    ]);
    expect(t.lines).toEqual([2, 3, 6]);
  });

  it('round-trips through writeCsv', () => {
    const rows = [
      ['2024-01-01T00:00:00.000Z', 1.5, null, 'a "quoted", text'],
      ['2024-01-01T01:00:00.000Z', 0, 7, ' padded '],
    ];
    const text = writeCsv(['time', 'x', 'y', 'note'], rows);
    const t = parseCsv(text);
    expect(t.rows).toEqual([
      ['2024-01-01T00:00:00.000Z', '1.5', '', 'a "quoted", text'],
      ['2024-01-01T01:00:00.000Z', '0', '7', ' padded '],
    ]);
    expect(formatCsvRow([null, undefined, 'x'])).toBe(',,x');
    expect(() => formatCsvRow([NaN])).toThrow(/non-finite/);
  });

  it('reports malformed input with line numbers', () => {
    expect(csvError(() => parseCsv('a,b\n1,2\n3\n')).message).toBe('line 3: expected 2 fields, got 1');
    expect(csvError(() => parseCsv('a,b\n1,"open\n2,3\n')).message).toBe('line 2: unterminated quoted field');
    expect(csvError(() => parseCsv('a,b\n1,x"y\n')).message).toBe('line 2: quote in the middle of an unquoted field');
    expect(csvError(() => parseCsv('a,a\n')).message).toMatch(/duplicate header "a"/);
    expect(csvError(() => parseCsv('')).message).toMatch(/empty input/);
  });
});

describe('readTimeSeriesCsv', () => {
  const text = 'time,a,b,kind\n2024-01-01T00:00:00Z,1,2.5,x\n2024-01-01T01:00:00Z,,3,\n2024-01-01 02:00,4,-1e2,y\n';

  it('reads time, numeric columns (empty = null) and text columns', () => {
    const t = readTimeSeriesCsv(text, { textColumns: ['kind'] });
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.times).toEqual([Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 1), Date.UTC(2024, 0, 1, 2)]);
    expect(t.values).toEqual([
      [1, 2.5],
      [null, 3],
      [4, -100],
    ]);
    expect(t.text.kind).toEqual(['x', null, 'y']);
  });

  it('selects and orders columns, and supports another time column name', () => {
    const t = readTimeSeriesCsv(text.replace(/^time/, 'ts'), { timeColumn: 'ts', numericColumns: ['b'] });
    expect(t.columns).toEqual(['b']);
    expect(t.values.map((r) => r[0])).toEqual([2.5, 3, -100]);
  });

  it('names line and column of bad values', () => {
    expect(
      csvError(() => readTimeSeriesCsv('time,a\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,abc\n')).message
    ).toBe('line 3, column "a": "abc" is not a number');
    expect(csvError(() => readTimeSeriesCsv('time,a\nnot-a-time,1\n')).message).toBe(
      'line 2, column "time": "not-a-time" is not an ISO 8601 time or epoch milliseconds'
    );
    expect(csvError(() => readTimeSeriesCsv('time,a\n2024-13-45T00:00:00Z,1\n')).line).toBe(2);
    expect(csvError(() => readTimeSeriesCsv('time,a\n2024-01-01,1.5\n', { integers: true })).message).toMatch(
      /line 2, column "a": "1.5" is not an integer/
    );
    expect(csvError(() => readTimeSeriesCsv('time,a\n2024-01-01,-1\n', { nonNegative: true })).message).toMatch(
      /is negative/
    );
    expect(csvError(() => readTimeSeriesCsv('when,a\n2024-01-01,1\n')).message).toMatch(
      /line 1: missing column "time"/
    );
    expect(csvError(() => readTimeSeriesCsv('time,a\n2024-01-01,NaN\n')).message).toMatch(/"NaN" is not a number/);
    expect(csvError(() => readTimeSeriesCsv('time,a\n2024-01-01,Infinity\n')).message).toMatch(/not a number/);
  });

  it('parses ISO times with offsets, date-only and epoch ms', () => {
    expect(parseTime('2024-01-01T06:00:00+06:00')).toBe(Date.UTC(2024, 0, 1, 0));
    expect(parseTime('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime('1704067200000')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime('yesterday')).toBeNull();
  });
});

describe('labelled series CSV / JSONL', () => {
  const g = generateGrid({
    start: '2024-04-01T00:00:00Z',
    hours: 72,
    seed: 8,
    scale: 0.05,
    outages: [
      { kind: 'monitoring_gap', start: '2024-04-01T05:00:00Z', activeHours: 2 },
      { kind: 'held_wave', start: '2024-04-02T10:00:00Z', activeHours: 3, experiment: 'dune' },
    ],
  });
  const series = gridLabelledSeries(g);

  it('round-trips through CSV exactly', () => {
    const text = labelledSeriesToCsv(series);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`time,${series.matrix.features.join(',')},label,outage_kind`);
    // Gap rows: empty counts, empty label, kind given.
    expect(lines[6]).toBe(`2024-04-01T05:00:00.000Z,${','.repeat(series.matrix.features.length - 1)},,monitoring_gap`);
    expect(lines[1].endsWith(',0,')).toBe(true);
    expect(readLabelledCsv(text)).toEqual(series);
  });

  it('writes JSON lines with nulls for missing data', () => {
    const rows = labelledSeriesToJsonLines(series)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(72);
    expect(rows[5]).toMatchObject({
      time: '2024-04-01T05:00:00.000Z',
      SubmitEvent: null,
      label: null,
      outage_kind: 'monitoring_gap',
    });
    expect(rows[34]).toMatchObject({ time: '2024-04-02T10:00:00.000Z', label: 1, outage_kind: 'held_wave' });
    expect(rows[0].label).toBe(0);
    expect(typeof rows[0].JobHeldEvent).toBe('number');
  });

  it('rejects bad labels, uneven steps and negative counts with line numbers', () => {
    expect(() => readLabelledCsv('time,a,label\n2024-01-01T00:00:00Z,1,2\n')).toThrow(
      'line 2, column "label": label must be 0, 1 or empty, got "2"'
    );
    expect(() =>
      readLabelledCsv('time,a\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,1\n2024-01-01T03:00:00Z,1\n')
    ).toThrow('line 4, column "time": uneven step: 7200s after the previous row, expected 3600s');
    expect(() => readLabelledCsv('time,a\n2024-01-01T01:00:00Z,1\n2024-01-01T00:00:00Z,1\n')).toThrow(
      /line 3, column "time": time is not after the previous row/
    );
    expect(() => readLabelledCsv('time,a\n2024-01-01T00:00:00Z,-3\n')).toThrow(/line 2, column "a": "-3" is negative/);
    expect(() => readLabelledCsv('time,label\n2024-01-01T00:00:00Z,1\n')).toThrow(/no feature columns/);
  });

  it('reads files without label columns as unlabelled', () => {
    const s = readLabelledCsv('time,a,b\n2024-01-01T00:00:00Z,1,\n2024-01-01T01:00:00Z,2,3\n');
    expect(s.labels).toEqual([null, null]);
    expect(s.matrix.values).toEqual([
      [1, null],
      [2, 3],
    ]);
    expect(s.matrix.stepMs).toBe(3600_000);
  });

  it('refuses to write an invalid matrix', () => {
    const bad = {
      ...series,
      matrix: { ...series.matrix, values: series.matrix.values.map((r, i) => (i === 3 ? [...r.slice(1)] : r)) },
    };
    expect(() => labelledSeriesToCsv(bad)).toThrow(FeatureMatrixError);
  });
});
