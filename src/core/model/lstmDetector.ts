/** The LSTM behind the evaluation Detector contract, so `gridsentinel evaluate` can compare it with baselines. */
import type { Detector, DetectorInput } from '../evaluation/detector';
import type { FeatureMatrix } from '../featureMatrix';
import { loadModel, type LoadedModel, type ModelDocument } from './modelDocument';
import { scoreSeries } from './score';
import { trainModel, type TrainOptions } from './train';

export interface LstmDetector extends Detector {
  /** The document of the last fit, for saving; undefined before fit. */
  readonly document: ModelDocument | undefined;
}

export function lstmDetector(opts: Omit<TrainOptions, 'onProgress'> = {}): LstmDetector {
  let model: LoadedModel | undefined;
  return {
    name: 'lstm',
    get document() {
      return model?.doc;
    },
    async fit(train: DetectorInput, fitOpts?: { onProgress?: (msg: string) => void }) {
      const doc = await trainModel(train, {
        ...opts,
        onProgress: (p) => {
          const val = p.validation
            ? `, validation loss ${p.validation.loss.toFixed(4)}${p.validation.ap !== undefined ? ` AP ${p.validation.ap.toFixed(3)}` : ''}`
            : '';
          fitOpts?.onProgress?.(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}${val}`);
        },
      });
      model = loadModel(doc);
    },
    async score(m: FeatureMatrix) {
      if (!model) {
        throw new Error('lstm detector: score() called before fit()');
      }
      return scoreSeries(model, m).probability;
    },
  };
}
