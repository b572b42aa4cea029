import { readFile, writeFile } from 'node:fs/promises';

import { requireString, type CliCommand } from '../command';
import { parseCsv, writeCsv } from '../../core/io/csv';
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
    let model;
    try {
      model = loadModel(await readFile(modelFile, 'utf8'));
    } catch (err) {
      if (err instanceof ModelDocumentError) {
        console.error(`gridsentinel score: ${modelFile}: ${err.message}`);
        return 1;
      }
      throw err;
    }
    const csvFile = requireString(values, 'csv');
    const out = requireString(values, 'out');
    const text = await readFile(csvFile, 'utf8');
    const want = model.doc.features;
    const { header } = parseCsv(text.slice(0, text.indexOf('\n') + 1 || undefined));
    const missing = want.filter((f) => !header.includes(f));
    if (missing.length > 0) {
      const have = readTrainingCsv(text, { timeColumn: values['time-column'] as string | undefined }).matrix.features;
      console.error(
        `gridsentinel score: model expects features [${want.join(', ')}], data has [${have.join(', ')}] (missing ${missing.join(', ')})`
      );
      return 1;
    }
    const { matrix } = readTrainingCsv(text, {
      timeColumn: values['time-column'] as string | undefined,
      features: want,
    });
    let s;
    try {
      s = scoreSeries(model, matrix);
    } catch (err) {
      if (err instanceof ModelDocumentError) {
        console.error(`gridsentinel score: ${err.message}`);
        return 1;
      }
      throw err;
    }
    const rows = s.times.map((t, i) => [
      new Date(t).toISOString(),
      num(s.probability[i]),
      num(s.surprise[i]),
      s.topFeatures[i].join(';'),
    ]);
    await writeFile(out, writeCsv(['timestamp', 'probability', 'surprise', 'top_features'], rows));
    const flagged = Array.from(s.probability).filter((p) => p >= 0.5).length;
    console.error(
      `wrote ${out}: ${rows.length} steps scored by ${SOURCE_NAMES[probabilitySource(model.doc)]}, ${flagged} with probability >= 0.5`
    );
    return 0;
  },
};
