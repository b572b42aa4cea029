/** Scores a whole feature matrix with a loaded model in one streaming pass (no tfjs needed). */
import type { FeatureMatrix } from '../featureMatrix';
import { checkCompatible, type LoadedModel } from './modelDocument';
import { streamForward } from './network';
import { prepareInputs } from './preprocessing';
import { computeSurprise, surpriseProbability } from './surprise';

export type ScoreSource = 'classifier' | 'surprise';

export interface SeriesScores {
  times: number[];
  /** P(anomalous) per step; NaN on steps without data (and at t = 0 when the source is surprise). */
  probability: Float64Array;
  /** Forecast surprise (mean or max squared standardized error); NaN where it cannot be computed. */
  surprise: Float64Array;
  /** Which head gave the probability; null where nothing was scored. */
  source: Array<ScoreSource | null>;
  /** Up to TOP_FEATURES names with the largest per-feature surprise, most surprising first. */
  topFeatures: string[][];
}

export const TOP_FEATURES = 3;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function scoreSeries(model: LoadedModel, m: FeatureMatrix): SeriesScores {
  checkCompatible(model, m);
  const prepared = prepareInputs(model.preprocessing, m);
  const stream = streamForward(model.cfg, model.weights, prepared.inputs, prepared.steps);
  const cal = model.doc.surprise;
  const { surprise, perFeature } = computeSurprise(prepared, stream, cal.residualScale, cal.aggregate);
  const T = prepared.steps;
  const F = prepared.features;
  const useClassifier = model.doc.classifier.enabled;
  const offset = model.doc.classifier.logitOffset;
  const out: SeriesScores = {
    times: m.times.slice(),
    probability: new Float64Array(T).fill(NaN),
    surprise,
    source: new Array(T).fill(null),
    topFeatures: [],
  };
  for (let t = 0; t < T; t++) {
    if (prepared.emptyRow[t]) {
      out.topFeatures.push([]);
      continue;
    }
    const p = useClassifier ? sigmoid(stream.logits[t] - offset) : surpriseProbability(cal, surprise[t]);
    if (Number.isFinite(p)) {
      out.probability[t] = p;
      out.source[t] = useClassifier ? 'classifier' : 'surprise';
    }
    const ranked: Array<[number, number]> = [];
    for (let f = 0; f < F; f++) {
      const v = perFeature[t * F + f];
      if (v > 0) {
        ranked.push([v, f]);
      }
    }
    ranked.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    out.topFeatures.push(ranked.slice(0, TOP_FEATURES).map(([, f]) => m.features[f]));
  }
  return out;
}
