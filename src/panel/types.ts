import { DEFAULT_THRESHOLD } from '../shared/thresholds';
import type { ColourScheme } from './colourScale';

export interface TimelineOptions {
  /** Probability at or above which an hour counts as anomalous. */
  threshold: number;
  colourScheme: ColourScheme;
  /** Draw operator labels (anomaly/normal bands). */
  showLabels: boolean;
  /** Mark unlabelled hours at or above the threshold as labelling suggestions. */
  showSuggestions: boolean;
}

export const DEFAULT_TIMELINE_OPTIONS: TimelineOptions = {
  threshold: DEFAULT_THRESHOLD,
  colourScheme: 'traffic',
  showLabels: true,
  showSuggestions: true,
};
