/**
 * What scoring a time range needs besides the range itself, shared by the datasource and the watcher so
 * that both give an hour the same probability: the warm-up history to fetch, the model as it scores that
 * matrix, and whether the model fits the configured features at all.
 */
import type { FeatureMatrix } from '../featureMatrix';
import type { SourceSettings } from '../sources/settings';
import { DAY_MS } from '../time';
import type { LoadedModel, ModelDocument } from './modelDocument';
import { refitPreprocessing } from './preprocessing';

/** History the bundled model takes its input statistics from, before the scored range. */
export const BUNDLED_STATS_MS = 7 * DAY_MS;

/**
 * Where to start fetching to score steps from `fromMs` on: C steps of warm-up (a week for the bundled
 * model's statistics; plus the surprise's smoothing window and the days its seasonal part compares with),
 * aligned down to a multiple of C steps since the epoch. Scoring windows start at
 * multiples of C from the matrix's first row (network.ts), so the alignment makes an hour's score the
 * same whatever range it was fetched in.
 */
export function scoringFetchStart(doc: ModelDocument, fromMs: number, bundled: boolean): number {
  const stepMs = doc.stepMs;
  const period = doc.architecture.contextSteps * stepMs;
  // Steps at window positions below C differ between fetches; smoothing looks back over its window, the
  // seasonal part over its days: each adds to the warm-up.
  const { seasonal, smoothing } = doc.surprise;
  const extraSteps = (smoothing ? smoothing.steps : 0) + (seasonal ? seasonal.days * seasonal.periodSteps : 0);
  const history = period + extraSteps * stepMs;
  const warmUp = bundled ? Math.max(history, BUNDLED_STATS_MS) : history;
  const start = Math.floor(fromMs / stepMs) * stepMs - warmUp;
  return Math.floor(start / period) * period;
}

/** The model as it scores `matrix`: the bundled one re-centred on it (see refitPreprocessing). */
export function modelForMatrix(model: LoadedModel, matrix: FeatureMatrix, bundled: boolean): LoadedModel {
  if (!bundled) {
    return model;
  }
  const p = refitPreprocessing(model.preprocessing, matrix);
  const doc = { ...model.doc, preprocessing: { ...model.doc.preprocessing, center: p.center, scale: p.scale } };
  return { ...model, doc, preprocessing: p };
}

/** Index of the first step at or after the step holding `fromMs` (0 when none is earlier). */
export function firstStepIndex(times: readonly number[], fromMs: number, stepMs: number): number {
  const from = Math.floor(fromMs / stepMs) * stepMs;
  return Math.max(
    0,
    times.findIndex((t) => t >= from)
  );
}

/** Why the model cannot score the configured features, or null. */
export function modelMismatch(doc: ModelDocument, s: Pick<SourceSettings, 'features' | 'stepSeconds'>): string | null {
  const names = s.features.map((f) => f.name);
  if (doc.features.length !== names.length || doc.features.some((f, i) => f !== names[i])) {
    return `model expects features [${doc.features.join(', ')}], the datasource is configured with [${names.join(', ')}]`;
  }
  if (doc.stepMs !== s.stepSeconds * 1000) {
    return `model was trained on ${doc.stepMs / 1000}s steps, the datasource uses ${s.stepSeconds}s`;
  }
  return null;
}
