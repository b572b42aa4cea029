import { css } from '@emotion/css';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { useMemo, type PointerEvent } from 'react';

import { cellRect, runRect, runsByRow, type GridLayout, type RowRun } from '../../../core/timelineLayout';
import type { TimelineCell } from '../../cells';
import type { StepState } from '../../labelStore';
import { bandHeight, labelColour } from './geometry';
import type { Hover } from './useTimelineSelection';

const getStyles = () => ({
  svg: css({
    position: 'absolute',
    left: 0,
    top: 0,
    display: 'block',
    outline: 'none',
    touchAction: 'none',
    userSelect: 'none',
    willChange: 'transform',
  }),
});

interface Props {
  layout: GridLayout;
  width: number;
  height: number;
  writable: boolean;
  cells: TimelineCell[];
  /** Label per hour as the operator sees it (pending changes included). */
  states: StepState[];
  threshold: number;
  showLabels: boolean;
  showSuggestions: boolean;
  bodyShare: number;
  selectionRuns: Array<RowRun<true>>;
  hover: Hover | null;
  focus: number;
  focused: boolean;
  handlers: {
    onPointerDown: (e: PointerEvent<SVGSVGElement>) => void;
    onPointerMove: (e: PointerEvent<SVGSVGElement>) => void;
    onPointerUp: (e: PointerEvent<SVGSVGElement>) => void;
    onPointerLeave: () => void;
    onFocus: () => void;
    onBlur: () => void;
  };
}

/**
 * The interactive layer: label bands, suggestions, selection, hover and focus, on its own compositing
 * layer, so a click repaints only these overlays.
 */
export function OverlayLayer(props: Props) {
  const { layout, states, cells, threshold, showLabels, showSuggestions, bodyShare, hover, focus } = props;
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const bands = useMemo(
    () => (showLabels ? runsByRow(layout, (i) => states[i] ?? null) : []),
    [showLabels, layout, states]
  );
  const suggestions = useMemo(
    () =>
      showSuggestions
        ? cells
            .map((c, i) => (c.value !== null && c.value >= threshold && states[i] === null ? i : -1))
            .filter((i) => i >= 0)
        : [],
    [showSuggestions, threshold, cells, states]
  );
  return (
    <svg
      className={styles.svg}
      width={props.width}
      height={props.height}
      role="application"
      aria-label="Outage timeline: arrows move, Shift+arrows extend, Space or Enter labels, Ctrl+Z undoes"
      aria-readonly={!props.writable}
      tabIndex={0}
      data-testid="gs-outage-timeline"
      {...props.handlers}
    >
      <g data-testid="gs-labels">
        {bands.map((b) => {
          const r = runRect(layout, b);
          return (
            <rect
              key={`${b.first}-${b.key}`}
              data-label={b.key}
              data-first={b.first}
              data-last={b.last}
              x={r.x}
              y={r.y + r.height * bodyShare}
              width={Math.max(r.width - 1, 0.5)}
              height={bandHeight(r.height)}
              fill={labelColour(theme, b.key)}
            />
          );
        })}
      </g>
      <g data-testid="gs-suggestions">
        {suggestions.map((i) => {
          const r = cellRect(layout, i);
          const radius = Math.max(1, Math.min(r.width, r.height) / 6);
          return (
            <circle
              key={i}
              cx={r.x + r.width - radius - 1}
              cy={r.y + radius + 1}
              r={radius}
              fill={theme.colors.background.primary}
              stroke={theme.colors.text.primary}
              strokeWidth={0.5}
            />
          );
        })}
      </g>
      <g data-testid="gs-selection">
        {props.selectionRuns.map((s) => {
          const r = runRect(layout, s);
          return (
            <rect
              key={s.first}
              x={r.x}
              y={r.y}
              width={r.width}
              height={r.height}
              fill={theme.colors.primary.transparent}
              stroke={theme.colors.primary.border}
              strokeDasharray="3 2"
            />
          );
        })}
      </g>
      {hover && (
        <rect
          {...cellRect(layout, hover.i)}
          fill="none"
          stroke={theme.colors.text.primary}
          strokeWidth={1}
          pointerEvents="none"
        />
      )}
      {props.focused && (
        <rect
          data-testid="gs-focus"
          data-i={focus}
          {...cellRect(layout, focus)}
          fill="none"
          stroke={theme.colors.primary.text}
          strokeWidth={2}
          pointerEvents="none"
        />
      )}
    </svg>
  );
}
