/** The words for operator labels, in one place: the timeline's status line and tooltip, and the retrain summary. */
import type { LabelValue } from '../core/labels';

export const labelAdjective = (v: LabelValue): 'anomalous' | 'normal' => (v === 'anomaly' ? 'anomalous' : 'normal');

/** "labelled anomalous", "labelled normal" or "unlabelled". */
export const describeLabel = (v: LabelValue | null | undefined): string =>
  v ? `labelled ${labelAdjective(v)}` : 'unlabelled';

export interface LabelCounts {
  anomalous: number;
  normal: number;
}

export function countLabels(states: ReadonlyArray<LabelValue | null>): LabelCounts {
  let anomalous = 0;
  let normal = 0;
  for (const s of states) {
    if (s === 'anomaly') {
      anomalous++;
    } else if (s === 'normal') {
      normal++;
    }
  }
  return { anomalous, normal };
}

/** "12 hours labelled anomalous, 30 labelled normal." */
export const describeLabelCounts = ({ anomalous, normal }: LabelCounts): string =>
  `${anomalous} hours ${describeLabel('anomaly')}, ${normal} ${describeLabel('normal')}.`;
