/** Detectors the CLI can evaluate, by name. Adding one (e.g. the LSTM) is one entry here. */
import type { DetectorFactory } from '../core/evaluation/detector';
import { HoltWintersDetector, PcaDetector, RandomDetector, RobustZDetector } from '../core/evaluation/baselines';
import { lstmDetector } from '../core/model/lstmDetector';

export interface DetectorEntry {
  description: string;
  create: DetectorFactory;
}

export const DETECTORS: Record<string, DetectorEntry> = {
  'robust-z': { description: 'median/MAD z-score, max over features', create: () => new RobustZDetector() },
  'robust-z-naive': {
    description: 'robust-z without the zero-MAD fallback (reproduces naive reference numbers)',
    create: () => new RobustZDetector({ naive: true }),
  },
  'holt-winters': {
    description: 'Graphite-style Holt-Winters aberration, daily season',
    create: () => new HoltWintersDetector(),
  },
  pca: { description: 'PCA reconstruction error (90% variance)', create: () => new PcaDetector() },
  random: { description: 'seeded uniform random scores (floor)', create: () => new RandomDetector(1) },
  lstm: {
    description: 'the GridSentinel LSTM (trained per split, seed 1; needs a tfjs backend)',
    create: () => lstmDetector({ seed: 1 }),
  },
};

export const DEFAULT_DETECTORS = ['robust-z', 'holt-winters', 'pca', 'random'];

/** Parses "a,b,c" into factories; throws naming the unknown names and the known ones. */
export function detectorFactories(list: string): Array<{ name: string; create: DetectorFactory }> {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in DETECTORS));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `unknown detector(s) ${unknown.join(', ') || '(none given)'}; known: ${Object.keys(DETECTORS).join(', ')}`
    );
  }
  return names.map((name) => ({ name, create: DETECTORS[name].create }));
}
