/**
 * Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations. Plenty for
 * covariance matrices of a few dozen features; O(n^3) per sweep, usually < 10 sweeps.
 */
export interface Eigen {
  /** Descending. */
  values: number[];
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: number[][];
}

export function symmetricEigen(matrix: ReadonlyArray<readonly number[]>, maxSweeps = 100): Eigen {
  const n = matrix.length;
  const a = matrix.map((row, i) => {
    if (row.length !== n) {
      throw new Error(`matrix is not square: row ${i} has ${row.length} entries, expected ${n}`);
    }
    return row.slice();
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(a[i][j] - a[j][i]);
      if (!(d <= 1e-9 * (Math.abs(a[i][j]) + Math.abs(a[j][i]) + 1e-300))) {
        throw new Error(`matrix is not symmetric at (${i}, ${j})`);
      }
    }
  }
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let total = 0;
  for (const row of a) {
    for (const x of row) {
      total += x * x;
    }
  }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        off += a[p][q] * a[p][q];
      }
    }
    if (off <= 1e-30 * total || off === 0) {
      break;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) {
          continue;
        }
        // Rotation angle that zeroes a[p][q]; the smaller root of t^2 + 2θt - 1 = 0 keeps it stable.
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        a[p][q] = 0;
        a[q][p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return {
    values: order.map((i) => a[i][i]),
    vectors: order.map((i) => v.map((row) => row[i])),
  };
}
