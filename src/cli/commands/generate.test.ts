/** @jest-environment node */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main } from '../main';
import { generateGrid, gridLabelledSeries } from '../../core/generator';
import { readLabelledCsv } from '../../core/io/labelledSeries';
import { readTimeSeriesCsv } from '../../core/io/csv';

// Generating and writing 30 days twice takes ~2 s alone, past Jest's 5 s default on 2 loaded cores.
jest.setTimeout(60_000);

describe('gridsentinel generate', () => {
  let dir: string;
  let errSpy: jest.SpyInstance;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gs-generate-'));
    errSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    errSpy.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same series the core generates, plus ground truth and context', async () => {
    const out = path.join(dir, 'g.csv');
    const truth = path.join(dir, 't.json');
    const context = path.join(dir, 'c.csv');
    const code = await main([
      'generate',
      '--start',
      '2024-01-01T00:00:00Z',
      '--days',
      '10',
      '--seed',
      'abc',
      '--scale',
      '0.05',
      '--outage-rate',
      '7',
      '--out',
      out,
      '--truth',
      truth,
      '--context',
      context,
    ]);
    expect(code).toBe(0);
    const grid = generateGrid({
      start: '2024-01-01T00:00:00Z',
      hours: 240,
      seed: 'abc',
      scale: 0.05,
      outageRatePerWeek: 7,
    });
    expect(readLabelledCsv(await readFile(out, 'utf8'))).toEqual(gridLabelledSeries(grid));
    const windows = JSON.parse(await readFile(truth, 'utf8'));
    expect(windows.length).toBe(grid.outages.length);
    expect(windows[0].start).toBe(new Date(grid.outages[0].start).toISOString());
    const ctx = readTimeSeriesCsv(await readFile(context, 'utf8'));
    expect(ctx.columns.slice(0, 5)).toEqual(['cores', 'running', 'idle', 'held', 'utilization']);
    expect(ctx.columns).toContain('claimed_nova');
    expect(ctx.values.map((r) => r[1])).toEqual(grid.context.running);
  });

  it('writes JSON lines and honours --features and --no-outages', async () => {
    const out = path.join(dir, 'g.jsonl');
    const code = await main([
      'generate',
      '--start',
      '2024-01-01',
      '--days',
      '1',
      '--format',
      'jsonl',
      '--features',
      'JobHeldEvent,JobUnsuspendedEvent',
      '--no-outages',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const rows = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(24);
    expect(Object.keys(rows[0])).toEqual(['time', 'JobHeldEvent', 'JobUnsuspendedEvent', 'label', 'outage_kind']);
    expect(rows.every((r) => r.label === 0)).toBe(true);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect(await main(['generate', '--days', '1'])).toBe(2);
    expect(await main(['generate', '--start', 'soon'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--format', 'xml'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--scale', '0'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--days', '0.01'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--outage-mix', 'held_wave=x'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--pattern-rate', '-1'])).toBe(2);
    expect(await main(['generate', '--start', '2024-01-01', '--features', 'Bogus'])).toBe(2);
    expect(await main(['seed', '--days', '1'])).toBe(2);
    expect(await main(['seed', '--elasticsearch', 'not a url'])).toBe(2);
    expect(await main(['seed', '--graphite', 'host:0'])).toBe(2);
    const messages = errSpy.mock.calls.map((c) => String(c[0])).join('\n');
    expect(messages).toMatch(/--start is required/);
    expect(messages).toMatch(/--format must be csv or jsonl/);
    expect(messages).toMatch(/--days must be a whole number of hours/);
    expect(messages).toMatch(/give --elasticsearch URL and\/or --graphite HOST:PORT/);
  });
});
