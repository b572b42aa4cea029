import path from 'node:path';

import { CliError, UsageError, type CliCommand } from '../command';
import { DEFAULT_DETECTORS, DETECTORS, detectorFactories } from '../detectors';
import { checkOutputs, parseInput, readInputText, writeFileAtomic } from '../files';
import { createProgress } from '../progress';
import { selectTrainingBackend } from '../../core/model/trainingBackend';
import {
  asdSplit,
  evaluateDetectors,
  feedbackLoop,
  renderFeedbackMarkdown,
  type FeedbackResult,
  generatorSplit,
  heldOutKindSplits,
  renderResultsMarkdown,
  summarize,
  type EvaluationSplit,
} from '../../core/evaluation';
import { generateLabelledSeries } from '../../core/generator';
import { negativeWarnings, parseCsv, resolveTimeColumn } from '../../core/io/csv';
import { KIND_COLUMN, readLabelledCsv, type LabelledSeries } from '../../core/io/labelledSeries';
import { readSplitCsv } from '../../core/io/splitSeries';
import { hoursFromDays, nonNegativeInteger, positiveInteger, positiveNumber } from './options';
import { DEFAULT_THRESHOLD } from '../../core/model/probability';
import { DAY_MS } from '../../core/time';

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

interface EvaluationCsv {
  dataset: string;
  series: LabelledSeries;
  /** Rows before the test part, when the CSV has a split column. */
  splitIndex?: number;
}

async function readEvaluationCsv(file: string, values: Record<string, unknown>): Promise<EvaluationCsv> {
  const text = await readInputText(file, 'csv');
  const { header } = parseInput(file, () => parseCsv(text));
  const timeColumn = parseInput(file, () =>
    resolveTimeColumn(header, typeof values['time-column'] === 'string' ? values['time-column'] : undefined)
  );
  const labelColumn = String(values['label-column'] ?? 'label');
  const splitGiven = typeof values['split-column'] === 'string';
  const splitColumn = splitGiven ? String(values['split-column']) : 'split';
  const dataset = path.basename(file).replace(/\.[^.]*$/, '');
  if (!header.includes(labelColumn)) {
    throw new CliError(`${file}: no "${labelColumn}" column; evaluation needs labels (see --label-column)`);
  }
  if (splitGiven && !header.includes(splitColumn)) {
    throw new CliError(`${file}: missing split column "${splitColumn}" (header has ${header.join(', ')})`);
  }
  if (header.includes(splitColumn)) {
    const s = parseInput(file, () =>
      readSplitCsv(text, {
        timeColumn,
        labelColumn,
        splitColumn,
        kindColumn: KIND_COLUMN,
        features: header.filter((h) => ![timeColumn, labelColumn, splitColumn, KIND_COLUMN].includes(h)),
      })
    );
    for (const w of negativeWarnings(s.negatives)) {
      console.error(`${file}: warning: ${w}`);
    }
    return { dataset, series: s, splitIndex: s.splitIndex };
  }
  if (labelColumn !== 'label') {
    throw new UsageError('--label-column is only supported together with a split column');
  }
  return { dataset, series: parseInput(file, () => readLabelledCsv(text, { timeColumn })) };
}

/** A CSV with a split column follows the ASD protocol; without one (and generated data), the time split at --train-days. */
function evaluationSplits(d: EvaluationCsv, trainDays: number, holdOut: boolean): EvaluationSplit[] {
  if (d.splitIndex !== undefined) {
    return [asdSplit({ ...d.series, splitIndex: d.splitIndex }, d.dataset, 'csv')];
  }
  return generatorSplits(d.series, d.dataset, trainDays, holdOut);
}

/** The feedback-loop protocol on every dataset (history: the CSV's train rows, else --history-days). */
async function runFeedback(
  datasets: EvaluationCsv[],
  factories: ReturnType<typeof detectorFactories>,
  values: Record<string, unknown>
): Promise<FeedbackResult[]> {
  const weeks = positiveInteger(values, 'weeks', 8);
  const topK = nonNegativeInteger(values, 'top-k', 10);
  const threshold = positiveNumber(values, 'threshold', DEFAULT_THRESHOLD);
  const historyDays = positiveNumber(values, 'history-days', 28);
  const runs = datasets.flatMap((d) => factories.map((f) => ({ d, f })));
  const progress = createProgress('evaluate', runs.length * weeks);
  const results: FeedbackResult[] = [];
  for (const [i, { d, f }] of runs.entries()) {
    const stepMs = d.series.matrix.stepMs;
    const weekSteps = positiveInteger(values, 'week-steps', Math.round((7 * DAY_MS) / stepMs));
    const historySteps = d.splitIndex ?? Math.round((historyDays * DAY_MS) / stepMs);
    let week = 0;
    results.push(
      await feedbackLoop(d.series, d.dataset, f.create, {
        weekSteps,
        historySteps,
        weeks,
        topK,
        threshold,
        onProgress: (msg) => {
          progress.update(i * weeks + ++week, `${d.dataset} / ${f.name}`);
          progress.log(msg);
        },
      })
    );
  }
  progress.finish();
  return results;
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
      description: 'time column (default: time, else timestamp)',
    },
    'label-column': { type: 'string', valueName: 'NAME', description: 'label column (1/0/empty)', default: 'label' },
    'split-column': {
      type: 'string',
      valueName: 'NAME',
      description: 'train/test column (default: split, if present; a named one must exist)',
    },
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
    protocol: {
      type: 'string',
      valueName: 'split|feedback',
      description:
        'split: learn from the training part, report on the test part; feedback: weekly retraining on the labels a shifter gives to alarms and suggestions, beside the same detector without labels',
      default: 'split',
    },
    'history-days': {
      type: 'string',
      valueName: 'N',
      description: 'feedback: unlabelled days before the first week (a CSV with a split column: its train rows)',
      default: '28',
    },
    'week-steps': {
      type: 'string',
      valueName: 'N',
      description: 'feedback: steps per simulated week (default: 7 days)',
    },
    weeks: { type: 'string', valueName: 'N', description: 'feedback: weeks to simulate', default: '8' },
    'top-k': {
      type: 'string',
      valueName: 'K',
      description: 'feedback: suggestions per week the shifter labels besides the alarms',
      default: '10',
    },
    threshold: {
      type: 'string',
      valueName: 'P',
      description: 'feedback: alarm threshold on the score',
      default: '0.5',
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
    const out = typeof values.out === 'string' ? values.out : undefined;
    await checkOutputs({ out });
    const protocol = String(values.protocol ?? 'split');
    if (protocol !== 'split' && protocol !== 'feedback') {
      throw new UsageError(`--protocol must be split or feedback, got "${protocol}"`);
    }
    const datasets: EvaluationCsv[] = [];
    if (values.generated) {
      const hours = hoursFromDays(values, 150);
      if (protocol === 'split' && trainDays * 24 >= hours) {
        throw new UsageError(`--train-days ${trainDays} leaves no test days out of ${hours / 24}`);
      }
      const scale = positiveNumber(values, 'scale', 1);
      const seeds = String(values.seed ?? '1')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const seed of seeds) {
        const { series } = generateLabelledSeries({ start: GENERATED_START, hours, seed, scale });
        datasets.push({ dataset: `generated seed ${seed}`, series });
      }
    } else {
      for (const file of csvFiles) {
        datasets.push(await readEvaluationCsv(file, values));
      }
    }
    if (protocol === 'feedback') {
      const results = await runFeedback(datasets, factories, values);
      if (out !== undefined) {
        const doc = { created: new Date().toISOString(), argv: process.argv.slice(2), protocol, results };
        await writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
        console.error(`wrote ${out}`);
      }
      console.log(renderFeedbackMarkdown(results));
      return 0;
    }
    const splits = datasets.flatMap((d) => evaluationSplits(d, trainDays, Boolean(values['hold-out'])));
    // One step per detector and split: a factory is called when its step starts.
    const progress = createProgress('evaluate', splits.length * factories.length);
    let started = 0;
    const results = await evaluateDetectors(
      factories.map((f) => () => {
        progress.update(started++, `fitting ${f.name}`);
        return f.create();
      }),
      splits,
      { onProgress: (msg) => progress.log(msg) }
    );
    progress.update(started, 'done');
    progress.finish();
    // Written before the table is printed, so a failed write never follows a printed result.
    if (out !== undefined) {
      const doc = {
        created: new Date().toISOString(),
        argv: process.argv.slice(2),
        note: 'event metrics use the best-F1 threshold chosen on the test labels (oracle threshold)',
        summary: summarize(results.filter((r) => r.heldOutKind === undefined)),
        results,
      };
      await writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
      console.error(`wrote ${out}`);
    }
    console.log(renderResultsMarkdown(results));
    return 0;
  },
};
