import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { UsageError, type CliCommand } from '../command';
import { DEFAULT_DETECTORS, DETECTORS, detectorFactories } from '../detectors';
import { selectTrainingBackend } from '../../core/model/trainingBackend';
import {
  asdSplit,
  evaluateDetectors,
  generatorSplit,
  heldOutKindSplits,
  renderResultsMarkdown,
  summarize,
  type EvaluationSplit,
} from '../../core/evaluation';
import { generateLabelledSeries } from '../../core/generator';
import { parseCsv } from '../../core/io/csv';
import { KIND_COLUMN, readLabelledCsv, type LabelledSeries } from '../../core/io/labelledSeries';
import { readSplitCsv } from '../../core/io/splitSeries';
import { hoursFromDays, positiveNumber } from './options';

const GENERATED_START = '2024-01-01T00:00:00Z';

function generatorSplits(
  series: LabelledSeries,
  dataset: string,
  trainDays: number,
  holdOut: boolean
): EvaluationSplit[] {
  const base = { dataset, trainDays };
  return [generatorSplit(series, base), ...(holdOut ? heldOutKindSplits(series, base) : [])];
}

/** A CSV with a split column follows the ASD protocol; without one, the time split at --train-days. */
export async function csvSplits(
  file: string,
  values: Record<string, unknown>,
  trainDays: number
): Promise<EvaluationSplit[]> {
  const text = await readFile(file, 'utf8');
  const { header } = parseCsv(text.slice(0, text.indexOf('\n') + 1) || text);
  const timeColumn =
    typeof values['time-column'] === 'string'
      ? values['time-column']
      : header.includes('timestamp')
        ? 'timestamp'
        : 'time';
  const labelColumn = String(values['label-column'] ?? 'label');
  const splitColumn = String(values['split-column'] ?? 'split');
  const dataset = path.basename(file).replace(/\.[^.]*$/, '');
  if (!header.includes(labelColumn)) {
    throw new UsageError(`${file}: no "${labelColumn}" column; evaluation needs labels (see --label-column)`);
  }
  if (header.includes(splitColumn)) {
    const s = readSplitCsv(text, {
      timeColumn,
      labelColumn,
      splitColumn,
      kindColumn: KIND_COLUMN,
      features: header.filter((h) => ![timeColumn, labelColumn, splitColumn, KIND_COLUMN].includes(h)),
    });
    return [asdSplit(s, dataset, 'csv')];
  }
  if (labelColumn !== 'label') {
    throw new UsageError('--label-column is only supported together with a split column');
  }
  const series = readLabelledCsv(text, { timeColumn });
  return generatorSplits(series, dataset, trainDays, Boolean(values['hold-out']));
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'Fit and score anomaly detectors on labelled data (ASD-style CSV or generated) and print quality metrics.',
  options: {
    csv: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description:
        'labelled CSV (repeatable); with a split column: train + first half of test to learn, second half to report; without: time split at --train-days',
    },
    'time-column': {
      type: 'string',
      valueName: 'NAME',
      description: 'time column (default: timestamp if present, else time)',
    },
    'label-column': { type: 'string', valueName: 'NAME', description: 'label column (1/0/empty)', default: 'label' },
    'split-column': { type: 'string', valueName: 'NAME', description: 'train/test column', default: 'split' },
    generated: { type: 'boolean', description: 'evaluate on generator data instead of a CSV' },
    days: { type: 'string', valueName: 'N', description: 'generated days', default: '150' },
    seed: { type: 'string', valueName: 'S[,S...]', description: 'generator seed(s); one dataset each', default: '1' },
    scale: { type: 'string', valueName: 'X', description: 'generator scale (1 = GPGrid-sized)', default: '1' },
    'train-days': {
      type: 'string',
      valueName: 'N',
      description: 'days to learn from (generated or split-less CSV)',
      default: '90',
    },
    'hold-out': {
      type: 'boolean',
      description: 'also evaluate with each outage kind in turn hidden from the training labels',
    },
    detectors: {
      type: 'string',
      valueName: 'A,B,...',
      description: `detectors to run (${Object.keys(DETECTORS).join(', ')})`,
      default: DEFAULT_DETECTORS.join(','),
    },
    out: { type: 'string', valueName: 'FILE', description: 'also write the full results as JSON' },
  },
  async run(values) {
    let factories;
    try {
      factories = detectorFactories(String(values.detectors ?? DEFAULT_DETECTORS.join(',')));
    } catch (err) {
      throw new UsageError(`--detectors: ${(err as Error).message}`);
    }
    if (factories.some((f) => f.name === 'lstm')) {
      await selectTrainingBackend();
    }
    const csvFiles = (values.csv as string[] | undefined) ?? [];
    if (csvFiles.length > 0 === Boolean(values.generated)) {
      throw new UsageError('give either --csv FILE or --generated');
    }
    const trainDays = positiveNumber(values, 'train-days', 90);
    const splits: EvaluationSplit[] = [];
    if (values.generated) {
      const hours = hoursFromDays(values, 150);
      const scale = positiveNumber(values, 'scale', 1);
      const seeds = String(values.seed ?? '1')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (trainDays * 24 >= hours) {
        throw new UsageError(`--train-days ${trainDays} leaves no test days out of ${hours / 24}`);
      }
      for (const seed of seeds) {
        const { series } = generateLabelledSeries({ start: GENERATED_START, hours, seed, scale });
        splits.push(...generatorSplits(series, `generated seed ${seed}`, trainDays, Boolean(values['hold-out'])));
      }
    } else {
      for (const file of csvFiles) {
        splits.push(...(await csvSplits(file, values, trainDays)));
      }
    }
    const results = await evaluateDetectors(
      factories.map((f) => f.create),
      splits,
      { onProgress: (msg) => console.error(msg) }
    );
    console.log(renderResultsMarkdown(results));
    if (typeof values.out === 'string') {
      const doc = {
        created: new Date().toISOString(),
        argv: process.argv.slice(2),
        note: 'event metrics use the best-F1 threshold chosen on the test labels (oracle threshold)',
        summary: summarize(results.filter((r) => r.heldOutKind === undefined)),
        results,
      };
      await writeFile(values.out, JSON.stringify(doc, null, 2) + '\n');
      console.error(`wrote ${values.out}`);
    }
    return 0;
  },
};
