// Pins what a seed trains to (the whole model document), so refactoring training cannot change models
// silently. A deliberate change to training (or a tfjs upgrade) changes these hashes: check why, then update.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';

import { generateLabelledSeries } from '../generator';
import { trainModel, type TrainOptions, type TrainingSeries } from './train';

jest.setTimeout(60_000);

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const SMALL = { units: 4, epochs: 2, contextSteps: 6, batchSize: 16 };
const series = (days: number, seed: string, outageRatePerWeek = 7) =>
  generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days, seed, scale: 0.0165, outageRatePerWeek }).series;
const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

async function pin(data: TrainingSeries, opts: TrainOptions) {
  const losses: string[] = [];
  const doc = await trainModel(data, {
    ...opts,
    onProgress: (p) => losses.push(`${p.loss.toPrecision(8)}/${p.validation?.loss.toPrecision(8) ?? '-'}`),
  });
  return {
    data: sha(data), // tells a changed generator apart from changed training
    doc: sha(doc),
    losses: losses.join(' '),
    classifier: doc.classifier.enabled,
    calibratedOn: doc.training.calibratedOn,
    platt: doc.surprise.logistic?.fittedRows !== undefined,
    choice: doc.training.metrics.validationApSurprise !== undefined,
  };
}

describe('a seed trains to the same model', () => {
  it('with labels: classifier, Platt scaling, the classifier-or-surprise choice', async () => {
    expect(await pin(series(20, 'choice', 14), { ...SMALL, seed: 2 })).toEqual({
      data: '1b86ae9d23db0e9f',
      doc: 'd7f8ffc2d512440c',
      losses: '2.0063269/0.91710722 1.9819548/0.89782701',
      classifier: true,
      calibratedOn: 'all',
      platt: true,
      choice: true,
    });
  });

  it('without labels: surprise only, calibrated on validation rows', async () => {
    const data = series(60, 'unlabelled');
    expect(await pin({ matrix: data.matrix, labels: data.labels.map(() => null) }, SMALL)).toEqual({
      data: 'e2e5d6f25797656f',
      doc: '2a9aafc2e2343212',
      losses: '1.6172799/1.6800433 1.5025355/1.5890639',
      classifier: false,
      calibratedOn: 'validation',
      platt: false,
      choice: false,
    });
  });

  it('classifier forced, more dropout, no validation rows', async () => {
    const opts = { ...SMALL, seed: 3, useClassifier: true, validationFraction: 0, dropout: 0.3 };
    expect(await pin(series(8, 'forced', 14), opts)).toEqual({
      data: '57aa44f077a9b6d0',
      doc: '40656170e8ace277',
      losses: '1.7519124/- 1.7309365/-',
      classifier: true,
      calibratedOn: 'all',
      platt: true,
      choice: false,
    });
  });
});
