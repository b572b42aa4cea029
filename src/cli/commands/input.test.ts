/** @jest-environment node */
// Bad input never passes silently and outputs are checked before the work (issue #14), through `main`
// as a user calls it.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main, packageVersion } from '../main';
import { generateLabelledSeries } from '../../core/generator';
import { labelledSeriesToCsv } from '../../core/io/labelledSeries';

jest.setTimeout(60_000);

const SMALL = ['--epochs', '1', '--units', '4', '--context', '6'];

describe('strict input and checked outputs', () => {
  let dir: string;
  let errSpy: jest.SpyInstance;
  let logSpy: jest.SpyInstance;
  let csv: string;
  let lines: string[];
  const said = () => errSpy.mock.calls.map((c) => c.join(' ')).join('\n');
  const file = (name: string) => path.join(dir, name);
  /** The generated CSV with cells replaced (row: data row, 1-based, on file line row + 1). */
  const withCells = async (name: string, edits: Array<[row: number, column: string, value: string]>) => {
    const header = lines[0].split(',');
    const out = [...lines];
    for (const [row, column, value] of edits) {
      const cells = out[row].split(',');
      cells[header.indexOf(column)] = value;
      out[row] = cells.join(',');
    }
    await writeFile(file(name), out.join('\n'));
    return file(name);
  };

  beforeAll(async () => {
    const { series } = generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days: 4, seed: 'strict', scale: 0.05 });
    lines = labelledSeriesToCsv(series).trimEnd().split('\n');
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gs-input-'));
    csv = file('g.csv');
    await writeFile(csv, lines.join('\n') + '\n');
    errSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    errSpy.mockRestore();
    logSpy.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['abc', 'NaN', 'Infinity'])(
    'train refuses a bad cell (%s) naming file, line and column, and writes no model',
    async (bad) => {
      const data = await withCells(`bad-${bad}.csv`, [[5, 'JobHeldEvent', bad]]);
      expect(await main(['train', '--csv', data, ...SMALL, '--out', file('m.json')])).toBe(1);
      expect(said()).toContain(`${data}: line 6, column "JobHeldEvent": "${bad}" is not a number`);
      expect(await readdir(dir)).not.toContain('m.json');
    }
  );

  it('train refuses a feature column left empty instead of dropping it', async () => {
    const header = lines[0].split(',');
    const k = header.indexOf('JobEvictedEvent');
    const emptied = lines.map((l, i) =>
      i === 0
        ? l
        : l
            .split(',')
            .map((c, j) => (j === k ? '' : c))
            .join(',')
    );
    await writeFile(file('empty.csv'), emptied.join('\n'));
    expect(await main(['train', '--csv', file('empty.csv'), ...SMALL, '--out', file('m.json')])).toBe(1);
    expect(said()).toMatch(/empty\.csv: line 1, column "JobEvictedEvent": every cell is empty/);
  });

  it('binary input is "not a CSV text file"; a header-only file says so; both name the file', async () => {
    await writeFile(file('bin.csv'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x22, 0xff, 0x0a]));
    await writeFile(file('header.csv'), lines[0] + '\n');
    for (const [cmd, extra] of [
      ['train', [...SMALL, '--out', file('m.json')]],
      ['evaluate', []],
    ] as const) {
      expect(await main([cmd, '--csv', file('bin.csv'), ...extra])).toBe(1);
      expect(await main([cmd, '--csv', file('header.csv'), ...extra])).toBe(1);
    }
    expect(said()).toMatch(/gridsentinel train: .*bin\.csv: line 1: not a CSV text file/);
    expect(said()).toMatch(/gridsentinel train: .*header\.csv: line 1: no data rows: the file has a header line only/);
    expect(said()).toMatch(/gridsentinel evaluate: .*bin\.csv: line 1: not a CSV text file/);
    expect(said()).toMatch(/gridsentinel evaluate: .*header\.csv: .*header line only/);
  });

  it('evaluate: a named split column that is missing is named as missing', async () => {
    expect(await main(['evaluate', '--csv', csv, '--split-column', 'spilt'])).toBe(1);
    expect(said()).toMatch(/g\.csv: missing split column "spilt" \(header has time, /);
    expect(said()).not.toMatch(/not a number/);
  });

  it('checks output paths before the work: train runs no epoch, evaluate prints no table', async () => {
    const missing = file('no/such/folder/m.json');
    expect(await main(['train', '--csv', csv, ...SMALL, '--out', missing])).toBe(1);
    expect(said()).toContain(`--out ${missing}: folder ${path.dirname(missing)} does not exist`);
    expect(said()).not.toMatch(/epoch/);
    expect(await main(['train', '--csv', csv, ...SMALL, '--out', dir])).toBe(1);
    expect(said()).toContain(`--out ${dir}: is a folder, not a file`);
    expect(await main(['evaluate', '--csv', csv, '--train-days', '2', '--out', missing])).toBe(1);
    expect(logSpy).not.toHaveBeenCalled();
    expect(said()).not.toMatch(/robust-z/);
  });

  it('generate --out A --truth missing/B leaves A as it was; --out and --truth may not be one file', async () => {
    const a = file('a.csv');
    await writeFile(a, 'old A\n');
    const base = ['generate', '--start', '2024-01-01T00:00:00Z', '--days', '1', '--out', a];
    expect(await main([...base, '--truth', file('missing/b.json')])).toBe(1);
    expect(await readFile(a, 'utf8')).toBe('old A\n');
    expect(await main([...base, '--truth', a])).toBe(1);
    expect(said()).toMatch(/--truth and --out are the same file/);
    expect(await readFile(a, 'utf8')).toBe('old A\n');
    expect(await main([...base, '--truth', file('b.json')])).toBe(0);
    expect((await readFile(a, 'utf8')).startsWith('time,')).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("README's train example works on generate's output (time column found by default)", async () => {
    expect(
      await main([
        'train',
        '--csv',
        csv,
        '--label-column',
        'label',
        '--train-until',
        '2024-01-04T00:00:00Z',
        ...SMALL,
        '--out',
        file('m.json'),
      ])
    ).toBe(0);
    expect(JSON.parse(await readFile(file('m.json'), 'utf8')).features).toHaveLength(13);
    expect(said()).toMatch(/not used \(text columns\): outage_kind/);
  });

  describe('score', () => {
    let model: string;
    beforeAll(async () => {
      const d = await mkdtemp(path.join(tmpdir(), 'gs-input-model-'));
      model = path.join(d, 'm.json');
      await writeFile(path.join(d, 'g.csv'), lines.join('\n') + '\n');
      const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await main(['train', '--csv', path.join(d, 'g.csv'), ...SMALL, '--out', model])).toBe(0);
      spy.mockRestore();
    });

    it('refuses a model feature column that is entirely empty, with the reason', async () => {
      const header = lines[0].split(',');
      const k = header.indexOf('JobHeldEvent');
      const emptied = lines.map((l, i) =>
        i === 0
          ? l
          : l
              .split(',')
              .map((c, j) => (j === k ? '' : c))
              .join(',')
      );
      await writeFile(file('e.csv'), emptied.join('\n'));
      expect(await main(['score', '--model', model, '--csv', file('e.csv'), '--out', file('s.csv')])).toBe(1);
      expect(said()).toMatch(/e\.csv: line 1, column "JobHeldEvent": every cell is empty: a feature needs values/);
      expect(await readdir(dir)).not.toContain('s.csv');
    });

    it('refuses negative counts, saying how many rows', async () => {
      const data = await withCells('neg.csv', [
        [3, 'SubmitEvent', '-5'],
        [7, 'SubmitEvent', '-1'],
      ]);
      expect(await main(['score', '--model', model, '--csv', data, '--out', file('s.csv')])).toBe(1);
      expect(said()).toMatch(
        /neg\.csv: column "SubmitEvent": 2 rows with negative values \(first on line 4\): the model reads this column as counts/
      );
    });

    it('rejects stray positional arguments', async () => {
      expect(await main(['score', '--model', model, '--csv', csv, '--out', file('s.csv'), 'extra.csv'])).toBe(2);
      expect(said()).toMatch(/unexpected argument "extra\.csv"/);
      expect(await readdir(dir)).not.toContain('s.csv');
    });

    it('a failed run leaves the previous output as it was', async () => {
      await writeFile(file('s.csv'), 'previous scores\n');
      const data = await withCells('bad.csv', [[9, 'ExecuteEvent', 'x']]);
      expect(await main(['score', '--model', model, '--csv', data, '--out', file('s.csv')])).toBe(1);
      expect(await readFile(file('s.csv'), 'utf8')).toBe('previous scores\n');
      expect(await main(['score', '--model', model, '--csv', csv, '--out', file('s.csv')])).toBe(0);
      expect((await readFile(file('s.csv'), 'utf8')).split('\n')[0]).toBe(
        'timestamp,probability,surprise,top_features'
      );
    });
  });
});

describe('help and version', () => {
  let logSpy: jest.SpyInstance;
  beforeEach(() => {
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => logSpy.mockRestore());

  it('"help <command>" shows that command\'s options', async () => {
    expect(await main(['help', 'train'])).toBe(0);
    expect(String(logSpy.mock.calls[0][0])).toMatch(/^Usage: gridsentinel train \[options\][\s\S]*--epochs N/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(__dirname, '../../../package.json'), 'utf8'));
    expect(packageVersion()).toBe(pkg.version);
    expect(await main(['--version'])).toBe(0);
    expect(logSpy.mock.calls[0][0]).toBe(`gridsentinel ${pkg.version}`);
  });
});
