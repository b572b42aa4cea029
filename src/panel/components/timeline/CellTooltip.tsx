import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import type { LabelRange } from '../../../core/labels';
import type { TimelineCell } from '../../cells';
import { labelAdjective } from '../../labelSummary';
import type { StepState } from '../../labelStore';
import { TOOLBAR_HEIGHT } from './geometry';
import type { Hover } from './useTimelineSelection';

const TOOLTIP_WIDTH = 320;

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    position: 'absolute',
    zIndex: theme.zIndex.tooltip,
    pointerEvents: 'none',
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    boxShadow: theme.shadows.z2,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    maxWidth: TOOLTIP_WIDTH,
    whiteSpace: 'normal',
  }),
  tipTitle: css({ fontWeight: theme.typography.fontWeightMedium }),
});

interface Props {
  hover: Hover;
  cell: TimelineCell;
  /** The hour's where: the query result's, else asked on demand (useHourWhere). */
  where: string | undefined;
  state: StepState | undefined;
  /** The stored label record under the hour, when labelled. */
  label: LabelRange | undefined;
  /** Panel width and height of the layers, to keep the tooltip inside the panel. */
  width: number;
  layersHeight: number;
  formatTime: (ms: number) => string;
}

/** The hovered hour: time, probability, surprise, top features, where, and its label (who, when, note). */
export function CellTooltip({ hover, cell, where, state, label, width, layersHeight, formatTime }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div
      className={styles.tooltip}
      data-testid="gs-tooltip"
      style={{
        left: Math.min(hover.x + 12, Math.max(0, width - TOOLTIP_WIDTH)),
        // Below the pointer in the upper half, above it in the lower half: it stays inside the panel.
        ...(hover.y < layersHeight / 2
          ? { top: TOOLBAR_HEIGHT + hover.y + 14 }
          : { bottom: layersHeight - hover.y + 8 }),
      }}
    >
      <div className={styles.tipTitle}>{formatTime(cell.time)}</div>
      <div>{cell.value === null ? 'No data' : `Anomaly probability: ${(cell.value * 100).toFixed(1)}%`}</div>
      {typeof cell.surprise === 'number' && <div>Surprise: {cell.surprise.toFixed(2)}</div>}
      {cell.topFeatures && <div>Top features: {cell.topFeatures}</div>}
      {where && <div>Where: {where}</div>}
      <div>
        {state
          ? `Label: ${labelAdjective(state)}${label?.login ? ` by ${label.login}` : ''}${
              label?.updatedMs ? ` on ${formatTime(label.updatedMs)}` : ''
            }`
          : 'Unlabelled'}
      </div>
      {/* Annotation text is free text from the API: rendered as a text node, never as HTML. */}
      {label?.text && <div>{label.text}</div>}
    </div>
  );
}
