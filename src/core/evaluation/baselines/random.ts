/** Random scores, uniform in [0, 1), the same for the same seed and matrix; rows with no data score NaN. */
import type { FeatureMatrix } from '../../featureMatrix';
import { Rng } from '../../rng';
import type { Detector, DetectorInput } from '../detector';

export class RandomDetector implements Detector {
  readonly name = 'random';
  constructor(private readonly seed: number | string = 1) {}

  async fit(_train: DetectorInput): Promise<void> {}

  async score(m: FeatureMatrix): Promise<Float64Array> {
    // Seeded per call so scoring twice gives the same scores.
    const rng = new Rng(`random-detector/${this.seed}`);
    const out = new Float64Array(m.values.length);
    m.values.forEach((row, t) => {
      const r = rng.next(); // drawn for every row so a gap does not shift the rest
      out[t] = row.every((v) => v === null) ? NaN : r;
    });
    return out;
  }
}
