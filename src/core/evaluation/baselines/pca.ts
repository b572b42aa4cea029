/**
 * PCA reconstruction error. Fit: standardize each feature on the training rows (labelled anomalies left
 * out), covariance, eigen-decomposition (Jacobi), keep the fewest leading components that explain
 * `varianceKept` of the variance. Score: mean squared residual of the standardized row after projecting
 * onto those components, over the features present. A missing value is imputed with the training mean
 * (0 after standardizing) for the projection and left out of the residual; a row with no value scores NaN.
 */
import type { FeatureMatrix } from '../../featureMatrix';
import type { Detector, DetectorInput } from '../detector';
import { assertFitted, assertSameFeatures, columnValues, normalRows } from './common';
import { symmetricEigen } from './jacobi';

interface State {
  features: string[];
  mean: number[];
  sd: number[];
  /** Kept components, each of length features. */
  components: number[][];
  explained: number;
}

export class PcaDetector implements Detector {
  readonly name = 'pca';
  private state?: State;

  constructor(private readonly varianceKept = 0.9) {
    if (!(varianceKept > 0 && varianceKept <= 1)) {
      throw new Error(`varianceKept must be in (0, 1], got ${varianceKept}`);
    }
  }

  /** Number of kept components and the share of variance they explain (after fit). */
  get summary(): { components: number; explained: number } | undefined {
    return this.state && { components: this.state.components.length, explained: this.state.explained };
  }

  async fit(train: DetectorInput): Promise<void> {
    const rows = normalRows(train);
    const m = train.matrix;
    const F = m.features.length;
    const mean: number[] = [];
    const sd: number[] = [];
    for (let f = 0; f < F; f++) {
      const xs = columnValues(m, f, rows);
      const mu = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      const v = xs.length > 1 ? xs.reduce((a, x) => a + (x - mu) * (x - mu), 0) / (xs.length - 1) : 0;
      mean.push(mu);
      // A constant training feature keeps unit scale: any later change shows up as residual.
      sd.push(v > 0 ? Math.sqrt(v) : 1);
    }
    const cov = Array.from({ length: F }, () => new Array<number>(F).fill(0));
    const z = new Array<number>(F);
    for (const t of rows) {
      const row = m.values[t];
      for (let f = 0; f < F; f++) {
        const x = row[f];
        z[f] = x === null ? 0 : (x - mean[f]) / sd[f];
      }
      for (let i = 0; i < F; i++) {
        for (let j = 0; j <= i; j++) {
          cov[i][j] += z[i] * z[j];
        }
      }
    }
    const denom = Math.max(1, rows.length - 1);
    for (let i = 0; i < F; i++) {
      for (let j = 0; j <= i; j++) {
        cov[i][j] /= denom;
        cov[j][i] = cov[i][j];
      }
    }
    const eig = symmetricEigen(cov);
    const total = eig.values.reduce((a, b) => a + Math.max(0, b), 0);
    const components: number[][] = [];
    let kept = 0;
    for (let k = 0; k < F && (total === 0 ? false : kept / total < this.varianceKept - 1e-12); k++) {
      components.push(eig.vectors[k]);
      kept += Math.max(0, eig.values[k]);
    }
    this.state = { features: m.features.slice(), mean, sd, components, explained: total > 0 ? kept / total : 0 };
  }

  async score(m: FeatureMatrix): Promise<Float64Array> {
    const st = assertFitted(this.state, this.name);
    assertSameFeatures(st.features, m, this.name);
    const F = st.features.length;
    const out = new Float64Array(m.values.length);
    const z = new Array<number>(F);
    const recon = new Array<number>(F);
    m.values.forEach((row, t) => {
      let present = 0;
      for (let f = 0; f < F; f++) {
        const x = row[f];
        z[f] = x === null ? 0 : (x - st.mean[f]) / st.sd[f];
        present += x === null ? 0 : 1;
      }
      if (present === 0) {
        out[t] = NaN;
        return;
      }
      recon.fill(0);
      for (const c of st.components) {
        let p = 0;
        for (let f = 0; f < F; f++) {
          p += c[f] * z[f];
        }
        for (let f = 0; f < F; f++) {
          recon[f] += p * c[f];
        }
      }
      let err = 0;
      for (let f = 0; f < F; f++) {
        if (row[f] !== null) {
          err += (z[f] - recon[f]) ** 2;
        }
      }
      out[t] = err / present;
    });
    return out;
  }
}
