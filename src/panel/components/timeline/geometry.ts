/** Sizes shared by the timeline's toolbar and its two SVG layers. */
import type { GrafanaTheme2 } from '@grafana/data';

import type { LabelValue } from '../../../core/labels';

export const TOOLBAR_HEIGHT = 34;
export const GUTTER = 46;
export const HEADER = 14;
export const BAND_SHARE = 0.32;
// The band fills most of its share; the rest separates it from the next day's row.
export const bandHeight = (cellHeight: number) => Math.max(cellHeight * BAND_SHARE * 0.7, 0.5);

// Purple and the text colour stay apart from every probability scheme's colours.
export const labelColour = (theme: GrafanaTheme2, v: LabelValue) =>
  v === 'anomaly' ? theme.visualization.getColorByName('purple') : theme.colors.text.primary;
