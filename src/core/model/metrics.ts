/** Small ranking metrics the trainer reports (the evaluation module has the full set). */

/** Average precision over rows with a label and a finite score; NaN when there is no positive. */
export function averagePrecision(scores: ArrayLike<number>, labels: ReadonlyArray<0 | 1 | null>): number {
  const rows: Array<[number, 0 | 1]> = [];
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== null && Number.isFinite(scores[i])) {
      rows.push([scores[i], l]);
    }
  }
  const positives = rows.filter((r) => r[1] === 1).length;
  if (positives === 0) {
    return NaN;
  }
  rows.sort((a, b) => b[0] - a[0]);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  // Tied scores are taken as one block so the row order of ties cannot change the result.
  for (let i = 0; i < rows.length;) {
    let j = i;
    let blockTp = 0;
    while (j < rows.length && rows[j][0] === rows[i][0]) {
      blockTp += rows[j][1];
      j++;
    }
    tp += blockTp;
    seen += j - i;
    ap += (blockTp / positives) * (tp / seen);
    i = j;
  }
  return ap;
}
