import { CliError, requireString, type CliCommand } from '../command';
import { checkOutputs, parseInput, readInputText, writeFileAtomic } from '../files';
import { negativeWarnings, parseCsv, writeCsv } from '../../core/io/csv';
import { readTrainingCsv } from '../../core/io/trainingCsv';
import { ModelDocumentError, loadModel } from '../../core/model/modelDocument';
import { SOURCE_NAMES, probabilitySource } from '../../core/model/modelHistory';
import { scoreSeries } from '../../core/model/score';

const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'Score a CSV with a trained model: per-step anomaly probability, surprise and top features.',
  options: {
    model: { type: 'string', valueName: 'FILE', description: 'model JSON from "gridsentinel train" (required)' },
    csv: { type: 'string', valueName: 'FILE', description: "data with the model's feature columns (required)" },
    'time-column': { type: 'string', valueName: 'NAME', description: 'time column (default: time, else timestamp)' },
    out: {
      type: 'string',
      valueName: 'FILE',
      description: 'scores CSV: timestamp,probability,surprise,top_features (required)',
    },
  },
  async run(values) {
    const modelFile = requireString(values, 'model');
    const csvFile = requireString(values, 'csv');
    const out = requireString(values, 'out');
    await checkOutputs({ out });
    let model;
    try {
      model = loadModel(await readInputText(modelFile, 'model'));
    } catch (err) {
      if (err instanceof ModelDocumentError) {
        throw new CliError(`${modelFile}: ${err.message}`);
      }
      throw err;
    }
    const text = await readInputText(csvFile, 'csv');
    const timeColumn = values['time-column'] as string | undefined;
    const want = model.doc.features;
    const { header } = parseInput(csvFile, () => parseCsv(text));
    const missing = want.filter((f) => !header.includes(f));
    if (missing.length > 0) {
      const have = parseInput(csvFile, () => readTrainingCsv(text, { timeColumn })).matrix.features;
      throw new CliError(
        `model expects features [${want.join(', ')}], data has [${have.join(', ')}] (missing ${missing.join(', ')})`
      );
    }
    const read = parseInput(csvFile, () => readTrainingCsv(text, { timeColumn, features: want }));
    // The model reads log1p features as counts, which it clamps at 0: a negative one would pass unseen.
    const counts = read.negatives.filter((n) => model.doc.preprocessing.transform[want.indexOf(n.column)] === 'log1p');
    if (counts.length > 0) {
      throw new CliError(
        `${csvFile}: ${negativeWarnings(counts).join('; ')}: the model reads ${counts.length === 1 ? 'this column' : 'these columns'} as counts, which cannot be negative`
      );
    }
    for (const w of negativeWarnings(read.negatives)) {
      console.error(`${csvFile}: warning: ${w}`);
    }
    let s;
    try {
      s = scoreSeries(model, read.matrix);
    } catch (err) {
      if (err instanceof ModelDocumentError) {
        throw new CliError(err.message);
      }
      throw err;
    }
    const rows = s.times.map((t, i) => [
      new Date(t).toISOString(),
      num(s.probability[i]),
      num(s.surprise[i]),
      s.topFeatures[i].join(';'),
    ]);
    await writeFileAtomic(out, writeCsv(['timestamp', 'probability', 'surprise', 'top_features'], rows));
    const flagged = Array.from(s.probability).filter((p) => p >= 0.5).length;
    console.error(
      `wrote ${out}: ${rows.length} steps scored by ${SOURCE_NAMES[probabilitySource(model.doc)]}, ${flagged} with probability >= 0.5`
    );
    return 0;
  },
};
