/** Scores a whole feature matrix with a loaded model in one pass: plain JS, or a tfjs forward (scoreSeriesWith). */
import type { FeatureMatrix } from '../featureMatrix';
import { checkCompatible, type LoadedModel } from './modelDocument';
import type { ProbabilitySource } from './modelHistory';
import { streamForward, type NetworkConfig, type NetworkWeights, type StreamOutput } from './network';
import { prepareInputs, type PreparedInputs } from './preprocessing';
import { orderedProbability } from './probability';
import { evidenceProbability, surpriseEvidenceSeries } from './surprise';

/** Which heads gave a step's probability (the same names a model's history uses). */
export type ScoreSource = ProbabilitySource;

export interface SeriesScores {
  times: number[];
  /** P(anomalous) per step; NaN on steps without data (and at t = 0 when the source is surprise). */
  probability: Float64Array;
  /** Forecast surprise (mean or max squared standardized error, unsmoothed); NaN where it cannot be computed. */
  surprise: Float64Array;
  /** Which head gave the probability; null where nothing was scored. */
  source: Array<ScoreSource | null>;
  /**
   * Up to TOP_FEATURES names with the largest per-feature surprise (for a 'minp' model: the smallest
   * per-feature p-value, featureRank), most surprising first.
   */
  topFeatures: string[][];
  /** [T, F] row-major squared standardized forecast (or larger seasonal) error per feature; NaN where missing or not scored. */
  featureSurprise: Float64Array;
  /** 'minp' models: [T, F] 1 − each feature's p-value (the larger of the forecast and seasonal part's). */
  featureRank?: Float64Array;
}

export const TOP_FEATURES = 3;

/** A streaming forward pass: plain JS (streamForward) or a tfjs backend (tfStreamForward). */
export type Forward = (
  cfg: NetworkConfig,
  w: NetworkWeights,
  inputs: Float32Array,
  T: number
) => StreamOutput | Promise<StreamOutput>;

/** Scores with the plain-JS pass (synchronous; no tfjs backend needed). */
export function scoreSeries(model: LoadedModel, m: FeatureMatrix): SeriesScores {
  checkCompatible(model, m);
  const prepared = prepareInputs(model.preprocessing, m);
  return finishScores(model, m, prepared, streamForward(model.cfg, model.weights, prepared.inputs, prepared.steps));
}

/** Scores with the given forward pass; the same outputs as scoreSeries within float32 rounding. */
export async function scoreSeriesWith(forward: Forward, model: LoadedModel, m: FeatureMatrix): Promise<SeriesScores> {
  checkCompatible(model, m);
  const prepared = prepareInputs(model.preprocessing, m);
  return finishScores(model, m, prepared, await forward(model.cfg, model.weights, prepared.inputs, prepared.steps));
}

function finishScores(
  model: LoadedModel,
  m: FeatureMatrix,
  prepared: PreparedInputs,
  stream: StreamOutput
): SeriesScores {
  const cal = model.doc.surprise;
  const { surprise, perFeature, featureRank, evidence } = surpriseEvidenceSeries(prepared, stream, cal);
  const rank = featureRank ?? perFeature;
  const T = prepared.steps;
  const F = prepared.features;
  const useClassifier = model.doc.classifier.enabled;
  const blend = useClassifier && model.doc.classifier.withSurprise === true;
  const offset = model.doc.classifier.logitOffset;
  const out: SeriesScores = {
    times: m.times.slice(),
    probability: new Float64Array(T).fill(NaN),
    surprise,
    source: new Array(T).fill(null),
    topFeatures: new Array(T),
    featureSurprise: perFeature,
    ...(featureRank ? { featureRank } : {}),
  };
  const top = new Int32Array(TOP_FEATURES);
  for (let t = 0; t < T; t++) {
    out.topFeatures[t] = [];
    if (prepared.emptyRow[t]) {
      continue;
    }
    const pc = useClassifier ? orderedProbability(stream.logits[t] - offset) : NaN;
    const ps = useClassifier && !blend ? NaN : evidenceProbability(cal, evidence[t]);
    // Blended where both exist (surprise needs a previous step); otherwise whichever head has a value.
    const source: ScoreSource | null =
      Number.isFinite(pc) && Number.isFinite(ps)
        ? 'classifier+surprise'
        : Number.isFinite(pc)
          ? 'classifier'
          : Number.isFinite(ps)
            ? 'surprise'
            : null;
    if (source) {
      out.probability[t] = source === 'classifier+surprise' ? (pc + ps) / 2 : source === 'classifier' ? pc : ps;
      out.source[t] = source;
    }
    // Insertion into a TOP_FEATURES-long list (largest first, ties to the lower index): no sort per step.
    let n = 0;
    for (let f = 0; f < F; f++) {
      const v = rank[t * F + f];
      if (!(v > 0) || (n === TOP_FEATURES && v <= rank[t * F + top[n - 1]])) {
        continue;
      }
      let i = n < TOP_FEATURES ? n++ : n - 1;
      while (i > 0 && rank[t * F + top[i - 1]] < v) {
        top[i] = top[i - 1];
        i--;
      }
      top[i] = f;
    }
    for (let i = 0; i < n; i++) {
      out.topFeatures[t].push(m.features[top[i]]);
    }
  }
  return out;
}
