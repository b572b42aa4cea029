import { UsageError, requireString, type CliCommand } from '../command';
import { checkOutputs, parseInput, readInputText, writeFileAtomic } from '../files';
import { createProgress } from '../progress';
import { generateLabelledSeries } from '../../core/generator';
import { sliceTime } from '../../core/featureMatrix';
import { selectTrainingBackend } from '../../core/model/trainingBackend';
import { negativeWarnings } from '../../core/io/csv';
import { readTrainingCsv } from '../../core/io/trainingCsv';
import { SOURCE_NAMES, probabilitySource } from '../../core/model/modelHistory';
import type { ModelDocument, TrainingMetadata } from '../../core/model/modelDocument';
import {
  MIN_ANOMALOUS_STEPS,
  MIN_ANOMALY_EVENTS,
  MIN_VALIDATION_ANOMALOUS_STEPS,
  MIN_VALIDATION_EVENTS,
  trainModel,
} from '../../core/model/train';
import { hoursFromDays, isoOption, nonNegativeInteger, positiveInteger, positiveNumber } from './options';

export function listOption(values: Record<string, unknown>, name: string): string[] | undefined {
  const v = values[name];
  if (typeof v !== 'string') {
    return undefined;
  }
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new UsageError(`--${name} must list at least one name`);
  }
  return list;
}

/** Whether the classifier head gives (part of) the probability, and why not when it does not. */
export function classifierNote(doc: ModelDocument): string {
  const tr = doc.training;
  const m = tr.metrics;
  const over = doc.surprise.aggregate === 'minp' ? 'the smallest per-feature p-value' : `the ${doc.surprise.aggregate}`;
  const surprise =
    tr.surpriseChosenBy === 'labels'
      ? `surprise from ${over} over features; its smoothing and seasonal part chosen on the labelled rows (AP ${tr.surpriseLabelledAp})`
      : `surprise from ${over} over features; its smoothing and seasonal part at their defaults (no labelled incident to choose with)`;
  if (doc.classifier.enabled) {
    return `classifier on, averaged with the surprise; ${surprise}`;
  }
  if (tr.anomalousRows < MIN_ANOMALOUS_STEPS || tr.anomalyEvents < MIN_ANOMALY_EVENTS) {
    return `classifier off: ${tr.anomalyEvents} labelled incidents (${tr.anomalousRows} steps) in the training rows, it needs ${MIN_ANOMALY_EVENTS} (${MIN_ANOMALOUS_STEPS} steps); ${surprise}`;
  }
  if (m.validationApClassifier === undefined) {
    return `classifier off: the held-out rows hold ${m.validationAnomalousRows ?? 0} anomalous steps, too few to check it against the surprise (it needs ${MIN_VALIDATION_ANOMALOUS_STEPS} in ${MIN_VALIDATION_EVENTS} incidents); ${surprise}`;
  }
  return `classifier off: on held-out rows the surprise alone ranked anomalies better (AP ${m.validationApSurprise} vs ${m.validationApClassifier} with the classifier); ${surprise}`;
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train the LSTM anomaly model on a labelled CSV (or generated data) and write the model JSON.',
  options: {
    csv: {
      type: 'string',
      valueName: 'FILE',
      description: 'training data: time column, feature columns, optional label',
    },
    generated: {
      type: 'boolean',
      description: 'train on generator data instead of --csv (see --days, --start, --scale)',
    },
    days: { type: 'string', valueName: 'N', description: 'with --generated: days of data', default: '150' },
    start: {
      type: 'string',
      valueName: 'ISO',
      description: 'with --generated: first hour',
      default: '2024-01-01T00:00:00Z',
    },
    scale: {
      type: 'string',
      valueName: 'X',
      description: 'with --generated: pool scale (1 = GPGrid-sized, as generate and evaluate)',
      default: '1',
    },
    'time-column': { type: 'string', valueName: 'NAME', description: 'time column (default: time, else timestamp)' },
    'label-column': {
      type: 'string',
      valueName: 'NAME',
      description: 'label column: 1 anomalous, 0 normal, empty unknown (default: label, if present)',
    },
    'train-until': { type: 'string', valueName: 'ISO', description: 'use only rows before this time' },
    features: { type: 'string', valueName: 'A,B,...', description: 'feature columns (default: every numeric column)' },
    epochs: {
      type: 'string',
      valueName: 'N',
      description: 'maximum epochs (early stopping may end sooner)',
      default: '30',
    },
    units: { type: 'string', valueName: 'N', description: 'LSTM units', default: '32' },
    context: {
      type: 'string',
      valueName: 'STEPS',
      description: 'minimum history behind each scored step',
      default: '24',
    },
    seed: {
      type: 'string',
      valueName: 'S',
      description: 'seed (whole number); same seed and data, same model',
      default: '1',
    },
    backend: {
      type: 'string',
      valueName: 'wasm|cpu',
      description: 'tfjs backend for training (wasm falls back to cpu)',
      default: 'wasm',
    },
    out: { type: 'string', valueName: 'FILE', description: 'model JSON to write (required)' },
  },
  async run(values) {
    const out = requireString(values, 'out');
    await checkOutputs({ out });
    const seed = nonNegativeInteger(values, 'seed', 1);
    let series;
    if (values.generated) {
      if (values.csv !== undefined) {
        throw new UsageError('give either --csv or --generated, not both');
      }
      const start = isoOption(values, 'start')!;
      series = generateLabelledSeries(
        {
          start,
          hours: hoursFromDays(values, 150),
          seed: String(seed),
          scale: positiveNumber(values, 'scale', 1),
        },
        listOption(values, 'features')
      ).series;
    } else {
      const file = values.csv;
      if (typeof file !== 'string' || file === '') {
        throw new UsageError('--csv FILE or --generated is required');
      }
      const text = await readInputText(file, 'csv');
      const read = parseInput(file, () =>
        readTrainingCsv(text, {
          timeColumn: values['time-column'] as string | undefined,
          labelColumn: values['label-column'] as string | undefined,
          features: listOption(values, 'features'),
        })
      );
      if (read.textColumns.length > 0) {
        console.error(`${file}: not used (text columns): ${read.textColumns.join(', ')}`);
      }
      for (const w of negativeWarnings(read.negatives)) {
        console.error(`${file}: warning: ${w}`);
      }
      series = read;
    }
    let { matrix, labels } = series;
    const until = isoOption(values, 'train-until');
    if (until !== undefined) {
      const n = matrix.times.filter((t) => t < until).length;
      matrix = sliceTime(matrix, -Infinity, until);
      labels = labels.slice(0, n);
    }
    const backend = values.backend === undefined ? 'wasm' : String(values.backend);
    if (backend !== 'wasm' && backend !== 'cpu') {
      throw new UsageError(`--backend must be wasm or cpu, got "${backend}"`);
    }
    const used = await selectTrainingBackend(backend);
    const started = Date.now();
    const epochs = positiveInteger(values, 'epochs', 30);
    const progress = createProgress('epoch', epochs);
    const doc = await trainModel(
      { matrix, labels },
      {
        epochs,
        units: positiveInteger(values, 'units', 32),
        contextSteps: positiveInteger(values, 'context', 24),
        seed,
        onProgress: (p) => {
          const v = p.validation;
          progress.update(
            p.epoch,
            `loss ${p.loss.toFixed(4)} (forecast ${p.forecastLoss.toFixed(4)}, ${p.classifierOn !== false ? `classifier ${p.classifierLoss.toFixed(4)}` : 'classifier off'})` +
              (v
                ? `  validation loss ${v.loss.toFixed(4)}${v.ap !== undefined ? ` classifier-head AP ${v.ap.toFixed(3)}` : ''}`
                : '')
          );
        },
      }
    );
    progress.finish();
    const text = JSON.stringify(doc) + '\n';
    await writeFileAtomic(out, text);
    const tr = doc.training;
    console.error(
      `wrote ${out} (${text.length} bytes): ${matrix.features.length} features, ${tr.trainRows} training + ${tr.validationRows} validation rows, ` +
        `best epoch ${tr.bestEpoch}/${tr.epochsRun}, probability from ${SOURCE_NAMES[probabilitySource(doc)]} ` +
        `(${tr.anomalousRows} anomalous rows in ${tr.anomalyEvents} events), ${((Date.now() - started) / 1000).toFixed(1)}s on ${used}` +
        validationNote(tr.metrics)
    );
    console.error(classifierNote(doc));
    return 0;
  },
};

/** The validation figures of the summary line: AP to three decimals, the anomaly rate as a percentage. */
export function validationNote(metrics: TrainingMetadata['metrics']): string {
  if (metrics.validationAp === undefined) {
    return '';
  }
  const rate = metrics.validationAnomalyRate;
  const rateText = rate === undefined ? 'unknown' : `${(100 * rate).toFixed(2)} %`;
  return `; validation AP of the probability ${metrics.validationAp.toFixed(3)} (anomaly rate ${rateText})`;
}
