/** @jest-environment node */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main } from '../main';
import { classifierNote, validationNote } from './train';
import defaultModel from '../../datasource/model/default-model.json';
import type { ModelDocument } from '../../core/model/modelDocument';
import { generateLabelledSeries } from '../../core/generator';
import { readTimeSeriesCsv, writeCsv } from '../../core/io/csv';
import { labelledSeriesToCsv } from '../../core/io/labelledSeries';
import { Rng } from '../../core/rng';

jest.setTimeout(60_000);

describe('gridsentinel train / score', () => {
  let dir: string;
  let errSpy: jest.SpyInstance;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gs-train-'));
    errSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    errSpy.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains on a generated CSV and scores it', async () => {
    const { series } = generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days: 8, seed: 'cli', scale: 0.0165 });
    const csv = path.join(dir, 'g.csv');
    await writeFile(csv, labelledSeriesToCsv(series));
    const model = path.join(dir, 'm.json');
    const small = ['--epochs', '2', '--units', '4', '--context', '6'];
    expect(await main(['train', '--csv', csv, ...small, '--train-until', '2024-01-07T00:00:00Z', '--out', model])).toBe(
      0
    );
    const doc = JSON.parse(await readFile(model, 'utf8'));
    expect(doc.features).toEqual(series.matrix.features);
    expect(doc.training.trainUntil).toBe('2024-01-06T23:00:00.000Z');
    const scores = path.join(dir, 's.csv');
    expect(await main(['score', '--model', model, '--csv', csv, '--out', scores])).toBe(0);
    const text = await readFile(scores, 'utf8');
    expect(text.split('\n')[0]).toBe('timestamp,probability,surprise,top_features');
    const t = readTimeSeriesCsv(text, {
      timeColumn: 'timestamp',
      numericColumns: ['probability', 'surprise'],
      textColumns: ['top_features'],
    });
    expect(t.times.length).toBe(8 * 24);
    expect(t.values.slice(1).every(([p]) => p !== null && p >= 0 && p <= 1)).toBe(true);
    expect(t.text.top_features[5]!.split(';').every((f) => series.matrix.features.includes(f))).toBe(true);

    // A CSV without one of the model's features is refused with both lists.
    const fewer = path.join(dir, 'fewer.csv');
    await writeFile(
      fewer,
      labelledSeriesToCsv({
        ...series,
        matrix: {
          ...series.matrix,
          features: series.matrix.features.slice(1),
          values: series.matrix.values.map((r) => r.slice(1)),
        },
      })
    );
    expect(await main(['score', '--model', model, '--csv', fewer, '--out', scores])).toBe(1);
    expect(String(errSpy.mock.calls.at(-1)?.[0])).toMatch(
      /model expects features \[SubmitEvent, .*\], data has \[ExecuteEvent, .*\] \(missing SubmitEvent\)/
    );
  });

  it('handles 5-minute gauges with a text column and unknown labels', async () => {
    const rng = new Rng('gauges');
    const start = Date.parse('2021-01-01T00:00:00Z');
    const rows = [];
    for (let t = 0; t < 400; t++) {
      const base = 0.5 + 0.2 * Math.sin(t / 12);
      const anomalous = t > 300 && t % 40 < 4;
      rows.push([
        new Date(start + t * 300_000).toISOString(),
        t < 200 ? 'train' : 'test',
        t < 200 ? null : anomalous ? 1 : 0,
        Number((base + 0.02 * rng.normal() + (anomalous ? 0.3 : 0)).toFixed(4)),
        Number(Math.min(1, Math.max(0, 0.3 + 0.05 * rng.normal())).toFixed(4)),
        t === 50 ? null : 0.01,
      ]);
    }
    const csv = path.join(dir, 'asd.csv');
    await writeFile(csv, writeCsv(['timestamp', 'split', 'label', 'm01', 'm02', 'm03'], rows));
    const model = path.join(dir, 'm.json');
    expect(
      await main([
        'train',
        '--csv',
        csv,
        '--time-column',
        'timestamp',
        '--epochs',
        '2',
        '--units',
        '4',
        '--context',
        '6',
        '--backend',
        'cpu',
        '--out',
        model,
      ])
    ).toBe(0);
    const doc = JSON.parse(await readFile(model, 'utf8'));
    expect(doc.features).toEqual(['m01', 'm02', 'm03']);
    expect(doc.stepMs).toBe(300_000);
    expect(doc.preprocessing.transform).toEqual(['identity', 'identity', 'identity']);
    expect(doc.training.labelledRows).toBeLessThanOrEqual(200);
    const scores = path.join(dir, 's.csv');
    expect(await main(['score', '--model', model, '--csv', csv, '--out', scores])).toBe(0);
    expect((await readFile(scores, 'utf8')).trim().split('\n').length).toBe(401);
  });

  it('trains from the generator with --generated', async () => {
    const model = path.join(dir, 'gen.json');
    expect(
      await main([
        'train',
        '--generated',
        '--days',
        '6',
        '--seed',
        '3',
        '--epochs',
        '1',
        '--units',
        '4',
        '--context',
        '6',
        '--out',
        model,
      ])
    ).toBe(0);
    expect(JSON.parse(await readFile(model, 'utf8')).training.seed).toBe(3);
    expect(await main(['train', '--epochs', '1', '--out', model])).toBe(2);
  });
});

describe('validationNote', () => {
  it('gives the validation AP to three decimals and the anomaly rate as a percentage', () => {
    expect(validationNote({ validationAp: 1, validationAnomalyRate: 0.02083 })).toBe(
      '; validation AP of the probability 1.000 (anomaly rate 2.08 %)'
    );
    expect(validationNote({ validationAp: 0.5 })).toBe(
      '; validation AP of the probability 0.500 (anomaly rate unknown)'
    );
    expect(validationNote({})).toBe('');
  });
});

describe('classifierNote', () => {
  const base = JSON.parse(JSON.stringify(defaultModel)) as ModelDocument;
  const edit = (f: (d: ModelDocument) => void) => {
    const d = JSON.parse(JSON.stringify(base)) as ModelDocument;
    f(d);
    return classifierNote(d);
  };

  it('says whether the classifier is on and, when off, why', () => {
    expect(edit(() => undefined)).toMatch(/^classifier on, averaged with the surprise/);
    expect(
      edit((d) => {
        d.classifier.enabled = false;
        d.training.anomalyEvents = 2;
        d.training.anomalousRows = 9;
        d.training.surpriseChosenBy = 'labels';
        d.training.surpriseLabelledAp = 0.61;
        d.surprise.aggregate = 'mean';
      })
    ).toBe(
      'classifier off: 2 labelled incidents (9 steps) in the training rows, it needs 5 (20 steps); surprise from the mean over features; its smoothing and seasonal part chosen on the labelled rows (AP 0.61)'
    );
    expect(
      edit((d) => {
        d.classifier.enabled = false;
        d.surprise.aggregate = 'minp';
        d.training.metrics = { validationAnomalousRows: 4 };
      })
    ).toMatch(
      /^classifier off: the held-out rows hold 4 anomalous steps, too few to check it against the surprise \(it needs 10 in 2 incidents\); surprise from the smallest per-feature p-value over features/
    );
    expect(
      edit((d) => {
        d.classifier.enabled = false;
        d.training.metrics = { validationApSurprise: 0.8, validationApClassifier: 0.6 };
      })
    ).toMatch(/classifier off: on held-out rows the surprise alone ranked anomalies better \(AP 0.8 vs 0.6/);
  });
});
