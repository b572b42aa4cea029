/** Consecutive steps at or above a probability threshold, merged into one region (one annotation each). */

export interface AnomalyRegion {
  /** Start of the first anomalous step, epoch ms. */
  startMs: number;
  /** End of the last anomalous step (exclusive), epoch ms. */
  endMs: number;
  peakProbability: number;
  /** Features that contributed most over the region, strongest first. */
  topFeatures: string[];
}

export interface RegionInput {
  times: number[];
  stepMs: number;
  /** null where the step has no data: it ends a region, it never counts as anomalous. */
  probability: Array<number | null>;
  /** Per step, per-feature contribution (e.g. surprise), aligned with `features`; optional. */
  contributions?: Array<Array<number | null> | null>;
  features?: string[];
}

/** Rank-weighted votes of each step's top features (the first of n gets n), as RegionInput contributions. */
export function topFeatureVotes(
  topFeatures: ReadonlyArray<readonly string[]>,
  features: readonly string[]
): number[][] {
  return topFeatures.map((top) => features.map((f) => (top.includes(f) ? top.length - top.indexOf(f) : 0)));
}

export function anomalyRegions(input: RegionInput, threshold: number, maxFeatures = 3): AnomalyRegion[] {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`threshold must be in (0, 1], got ${threshold}`);
  }
  const regions: AnomalyRegion[] = [];
  let open: { start: number; end: number; peak: number; sums: number[] } | null = null;
  const close = () => {
    if (open) {
      const names = input.features ?? [];
      const top = open.sums
        .map((v, i) => ({ v, name: names[i] }))
        .filter((x) => x.name !== undefined && x.v > 0)
        .sort((a, b) => b.v - a.v)
        .slice(0, maxFeatures)
        .map((x) => x.name);
      regions.push({
        startMs: input.times[open.start],
        endMs: input.times[open.end] + input.stepMs,
        peakProbability: open.peak,
        topFeatures: top,
      });
      open = null;
    }
  };
  input.probability.forEach((p, t) => {
    const contiguous = open !== null && input.times[t] - input.times[open.end] === input.stepMs;
    if (p === null || !Number.isFinite(p) || p < threshold) {
      close();
      return;
    }
    if (!contiguous) {
      close();
      open = { start: t, end: t, peak: p, sums: [] };
    }
    const o = open!;
    o.end = t;
    o.peak = Math.max(o.peak, p);
    (input.contributions?.[t] ?? []).forEach((c, f) => {
      o.sums[f] = (o.sums[f] ?? 0) + (c !== null && Number.isFinite(c) ? c : 0);
    });
  });
  close();
  return regions;
}
