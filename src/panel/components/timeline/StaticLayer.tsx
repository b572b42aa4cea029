import { css } from '@emotion/css';
import { dateTimeFormat } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { memo } from 'react';

import { cellRect, type GridLayout } from '../../../core/timelineLayout';
import type { TimelineCell } from '../../cells';
import { probabilityColour, type ColourScheme } from '../../colourScale';
import { BAND_SHARE, GUTTER, HEADER, bandHeight } from './geometry';

const getStyles = () => ({
  // Its own compositing layer: otherwise any repaint of the panel (toolbar text, tooltip) re-records
  // every cell and re-layerizes them (~10 ms for 2,160 cells, traced).
  layer: css({ position: 'absolute', left: 0, top: 0, display: 'block', willChange: 'transform' }),
});

interface Props {
  cells: TimelineCell[];
  layout: GridLayout;
  firstSlotMs: number;
  stepMs: number;
  timeZone: string;
  width: number;
  height: number;
  threshold: number;
  scheme: ColourScheme;
  showLabels: boolean;
  bodyShare: number;
  /** Id of the no-data hatch pattern, unique per panel. */
  hatchId: string;
}

/**
 * Axes, cells and the no-data hatching: repainted only when data, size or options change (memoised, on
 * its own compositing layer), never on hover, selection or labelling.
 */
export const StaticLayer = memo(function StaticLayer(props: Props) {
  const { cells, layout, firstSlotMs, stepMs, timeZone, width, height, threshold, scheme, showLabels } = props;
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  return (
    <svg className={styles.layer} width={width} height={height} aria-hidden>
      <defs>
        <pattern id={props.hatchId} width={4} height={4} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width={4} height={4} fill={theme.colors.background.secondary} />
          <line x1={0} y1={0} x2={0} y2={4} stroke={theme.colors.text.disabled} strokeWidth={1.5} />
        </pattern>
      </defs>
      <Axes
        layout={layout}
        firstSlotMs={firstSlotMs}
        stepMs={stepMs}
        timeZone={timeZone}
        width={width}
        strip={showLabels ? theme.colors.border.weak : null}
        textFill={theme.colors.text.secondary}
      />
      <Cells
        cells={cells}
        layout={layout}
        threshold={threshold}
        scheme={scheme}
        bodyShare={props.bodyShare}
        noDataFill={`url(#${props.hatchId})`}
      />
    </svg>
  );
});

/** The probability cells: drawn once per data/size/scheme change, never on hover or selection. */
const Cells = memo(function Cells(props: {
  cells: TimelineCell[];
  layout: GridLayout;
  threshold: number;
  scheme: ColourScheme;
  bodyShare: number;
  noDataFill: string;
}) {
  const { cells, layout, threshold, scheme, bodyShare, noDataFill } = props;
  const gap = layout.cellWidth > 4 ? 1 : 0;
  return (
    <g data-testid="gs-cells">
      {cells.map((c, i) => {
        const r = cellRect(layout, i);
        return (
          <rect
            key={c.time}
            data-i={i}
            data-nodata={c.value === null ? '' : undefined}
            x={r.x}
            y={r.y}
            width={Math.max(r.width - gap, 0.5)}
            height={Math.max(r.height * bodyShare - gap, 0.5)}
            fill={c.value === null ? noDataFill : probabilityColour(c.value, threshold, scheme)}
          />
        );
      })}
    </g>
  );
});

/** Hour and day labels plus the neutral "unlabelled" strip per row: redrawn only on layout changes. */
const Axes = memo(function Axes(props: {
  layout: GridLayout;
  firstSlotMs: number;
  stepMs: number;
  timeZone: string;
  width: number;
  /** Colour of the unlabelled strip, or null when labels are hidden. */
  strip: string | null;
  textFill: string;
}) {
  const { layout, firstSlotMs, stepMs, timeZone, width, strip, textFill } = props;
  const rowEvery = Math.max(1, Math.ceil(12 / layout.cellHeight));
  const colEvery =
    layout.cols >= 24 ? 6 : Math.max(1, Math.ceil(layout.cols / Math.max(1, Math.floor((width - GUTTER) / 60))));
  const bodyShare = 1 - BAND_SHARE;
  return (
    <g aria-hidden>
      {Array.from({ length: layout.cols }, (_, col) =>
        col % colEvery === 0 ? (
          <text key={`c${col}`} x={GUTTER + col * layout.cellWidth + 1} y={HEADER - 3} fontSize={10} fill={textFill}>
            {dateTimeFormat(firstSlotMs + col * stepMs, { timeZone, format: 'HH:mm' })}
          </text>
        ) : null
      )}
      {Array.from({ length: layout.rows }, (_, row) =>
        row % rowEvery === 0 ? (
          <text
            key={`r${row}`}
            x={2}
            y={HEADER + row * layout.cellHeight + Math.min(layout.cellHeight, 12) - 2}
            fontSize={10}
            fill={textFill}
          >
            {dateTimeFormat(firstSlotMs + row * layout.cols * stepMs, { timeZone, format: 'MM-DD' })}
          </text>
        ) : null
      )}
      {strip &&
        Array.from({ length: layout.rows }, (_, row) => (
          <rect
            key={`s${row}`}
            x={GUTTER}
            y={HEADER + (row + bodyShare) * layout.cellHeight}
            width={layout.cols * layout.cellWidth}
            height={bandHeight(layout.cellHeight)}
            fill={strip}
          />
        ))}
    </g>
  );
});
