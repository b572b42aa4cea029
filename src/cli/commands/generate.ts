import { UsageError, requireString, type CliCommand } from '../command';
import { checkOutputs, writeFileAtomic } from '../files';
import { GENERATED_EVENT_TYPES, generateGrid, gridLabelledSeries } from '../../core/generator';
import { DEFAULT_FEATURE_NAMES } from '../../core/htcondor/eventTypes';
import { writeCsv } from '../../core/io/csv';
import { labelledSeriesToCsv, labelledSeriesToJsonLines } from '../../core/io/labelledSeries';
import { hoursFromDays, isoOption, outageOptions, parseOutageOptions, positiveNumber } from './options';

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate hourly HTCondor event counts of a synthetic GPGrid-like pool with labelled outages.',
  options: {
    start: { type: 'string', valueName: 'ISO', description: 'first hour, e.g. 2024-01-01T00:00:00Z (required)' },
    days: { type: 'string', valueName: 'N', description: 'number of days', default: '150' },
    seed: {
      type: 'string',
      valueName: 'S',
      description: 'random seed (any string); same seed, same output',
      default: '1',
    },
    scale: {
      type: 'string',
      valueName: 'X',
      description: 'pool size and rates; 1 = ~19,000 cores, ~17,000 events/hour',
      default: '1',
    },
    format: { type: 'string', valueName: 'csv|jsonl', description: 'output format', default: 'csv' },
    out: { type: 'string', valueName: 'FILE', description: 'output file ("-" or absent: stdout)' },
    features: {
      type: 'string',
      valueName: 'A,B,...',
      description: 'event types to output (default: the 13 default features)',
    },
    truth: { type: 'string', valueName: 'FILE', description: 'also write the outage windows (ground truth) as JSON' },
    context: {
      type: 'string',
      valueName: 'FILE',
      description: 'also write the context series (running, idle, held, utilization, claimed per VO) as CSV',
    },
    ...outageOptions,
  },
  async run(values) {
    const start = isoOption(values, 'start');
    if (start === undefined) {
      requireString(values, 'start');
    }
    const format = String(values.format ?? 'csv');
    if (format !== 'csv' && format !== 'jsonl') {
      throw new UsageError(`--format must be csv or jsonl, got "${format}"`);
    }
    const features =
      typeof values.features === 'string'
        ? values.features
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean)
        : [...DEFAULT_FEATURE_NAMES];
    const unknown = features.filter((f) => !GENERATED_EVENT_TYPES.includes(f));
    if (features.length === 0 || unknown.length > 0) {
      throw new UsageError(
        `--features: unknown event type(s) ${unknown.join(', ')}; the generator produces ${GENERATED_EVENT_TYPES.join(', ')}`
      );
    }
    const out = typeof values.out === 'string' && values.out !== '-' ? values.out : undefined;
    const truthFile = typeof values.truth === 'string' ? values.truth : undefined;
    const contextFile = typeof values.context === 'string' ? values.context : undefined;
    // Every output is checked before any is written: a bad --truth must not leave a new --out behind.
    await checkOutputs({ out, truth: truthFile, context: contextFile });
    const grid = generateGrid({
      start: start!,
      hours: hoursFromDays(values, 150),
      seed: String(values.seed ?? '1'),
      scale: positiveNumber(values, 'scale', 1),
      ...parseOutageOptions(values),
    });
    const series = gridLabelledSeries(grid, features);
    const text = format === 'csv' ? labelledSeriesToCsv(series) : labelledSeriesToJsonLines(series);
    if (out !== undefined) {
      await writeFileAtomic(out, text);
      const anomalous = grid.outages.filter((o) => o.anomalous).length;
      console.error(
        `wrote ${grid.hours} hours to ${out} (${anomalous} outages, ${grid.outages.length - anomalous} monitoring gaps)`
      );
    } else {
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(text, (err) => (err ? reject(err) : resolve()))
      );
    }
    if (truthFile !== undefined) {
      const truth = grid.outages.map((o) => ({
        ...o,
        start: new Date(o.start).toISOString(),
        end: new Date(o.end).toISOString(),
      }));
      await writeFileAtomic(truthFile, JSON.stringify(truth, null, 2) + '\n');
    }
    if (contextFile !== undefined) {
      const c = grid.context;
      const header = [
        'time',
        'cores',
        'running',
        'idle',
        'held',
        'utilization',
        ...grid.experiments.map((e) => `claimed_${e}`),
      ];
      const rows = grid.times.map((t, h) => [
        new Date(t).toISOString(),
        c.cores[h],
        c.running[h],
        c.idle[h],
        c.held[h],
        Number(c.utilization[h].toFixed(6)),
        ...c.claimedByExperiment[h],
      ]);
      await writeFileAtomic(contextFile, writeCsv(header, rows));
    }
    return 0;
  },
};
