/**
 * Robust z-score: per feature median and MAD from the training rows (labelled anomalies left out);
 * score = max over features of |x - median| / (1.4826 · MAD). Missing values are ignored (max over the
 * features present); a row with no value at all scores NaN.
 */
import type { FeatureMatrix } from '../../featureMatrix';
import type { Detector, DetectorInput } from '../detector';
import { assertFitted, assertSameFeatures, columnValues, median, normalRows } from './common';

/** MAD → standard deviation under normality. */
const MAD_TO_SD = 1.4826;
/** Mean absolute deviation → standard deviation under normality (sqrt(pi/2)). */
const MEAN_AD_TO_SD = 1.2533;

interface State {
  features: string[];
  center: number[];
  scale: number[];
}

export interface RobustZOptions {
  /**
   * Plain median/MAD with a 1e-6 floor on the scale instead of the mean-absolute-deviation fallback:
   * then any change in a feature constant for more than half the training rows scores ~1e6 and swamps
   * the ranking. Kept to reproduce naive reference numbers.
   */
  naive?: boolean;
}

export class RobustZDetector implements Detector {
  readonly name: string;
  private state?: State;
  private readonly naive: boolean;

  constructor(opts: RobustZOptions = {}) {
    this.naive = opts.naive ?? false;
    this.name = this.naive ? 'robust-z-naive' : 'robust-z';
  }

  async fit(train: DetectorInput): Promise<void> {
    const rows = normalRows(train);
    const m = train.matrix;
    const center: number[] = [];
    const scale: number[] = [];
    m.features.forEach((_, f) => {
      const xs = columnValues(m, f, rows);
      const med = xs.length ? median(xs) : 0;
      const dev = xs.map((x) => Math.abs(x - med));
      let s = MAD_TO_SD * median(dev);
      // A feature that is constant for more than half the rows has MAD 0: fall back to the mean absolute
      // deviation, then to a tiny floor, so it still counts (any change from the constant is large).
      if (this.naive) {
        s += 1e-6;
      } else if (!(s > 0)) {
        s = dev.length ? (MEAN_AD_TO_SD * dev.reduce((a, b) => a + b, 0)) / dev.length : 0;
      }
      center.push(med);
      scale.push(s > 0 ? s : 1e-9);
    });
    this.state = { features: m.features.slice(), center, scale };
  }

  async score(m: FeatureMatrix): Promise<Float64Array> {
    const st = assertFitted(this.state, this.name);
    assertSameFeatures(st.features, m, this.name);
    const out = new Float64Array(m.values.length);
    m.values.forEach((row, t) => {
      let best = NaN;
      row.forEach((v, f) => {
        if (v !== null) {
          const z = Math.abs(v - st.center[f]) / st.scale[f];
          best = Number.isNaN(best) ? z : Math.max(best, z);
        }
      });
      out[t] = best;
    });
    return out;
  }
}
