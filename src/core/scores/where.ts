/**
 * The watcher's "where": the scored steps at or above the threshold, merged into runs of consecutive
 * steps within the batch, each run attributed like a dashboard region (one search per run,
 * core/sources/regionAttribution.ts) and stored with each of its steps, so an alarm's hour names its
 * schedd and VO. A failed attribution is stored as its reason and never stops the scores being written.
 */
import { anomalyRegions, topFeatureVotes } from '../anomalyRegions';
import { DEFAULT_THRESHOLD } from '../model/probability';
import type { FeatureFetch } from '../sources/featureFetch';
import { attributeRegions } from '../sources/regionAttribution';
import type { StepScore } from './records';

export async function attachWhere(
  f: FeatureFetch,
  steps: StepScore[],
  stepMs: number,
  threshold = DEFAULT_THRESHOLD
): Promise<void> {
  const features = [...new Set(steps.flatMap((s) => s.topFeatures))];
  const regions = anomalyRegions(
    {
      times: steps.map((s) => s.timeMs),
      stepMs,
      probability: steps.map((s) => s.probability),
      contributions: topFeatureVotes(
        steps.map((s) => s.topFeatures),
        features
      ),
      features,
    },
    threshold
  );
  if (regions.length === 0) {
    return;
  }
  let wheres;
  try {
    wheres = await attributeRegions(f, regions);
  } catch (err) {
    const text = `unavailable (${err instanceof Error ? err.message : String(err)})`;
    wheres = regions.map((r) => ({ ...r, text, result: undefined }));
  }
  for (const w of wheres) {
    const where = {
      text: w.text,
      ...(w.result?.top.schedd && { schedd: w.result.top.schedd.value }),
      ...(w.result?.top.experiment && { experiment: w.result.top.experiment.value }),
    };
    for (const s of steps) {
      if (s.timeMs >= w.startMs && s.timeMs < w.endMs) {
        s.where = where;
      }
    }
  }
}
