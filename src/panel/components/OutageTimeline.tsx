import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { cellsFromFrames } from '../cells';
import type { TimelineOptions } from '../types';

type Props = PanelProps<TimelineOptions>;

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
});

export function OutageTimeline({ data, width, height, options, timeZone }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const cells = cellsFromFrames(data.series);
  if (cells.length === 0) {
    return <div className={styles.empty}>No hourly series in the query result</div>;
  }
  const cellWidth = width / cells.length;
  const colour = (v: number | null) => {
    if (v === null) {
      return theme.colors.background.secondary;
    }
    return v >= options.threshold
      ? theme.colors.error.main
      : theme.visualization.getColorByName(v >= options.threshold / 2 ? 'yellow' : 'green');
  };
  return (
    <svg width={width} height={height} role="grid" aria-label="Outage timeline" data-testid="gs-outage-timeline">
      {cells.map((c, i) => (
        <rect
          key={c.time}
          x={i * cellWidth}
          y={0}
          width={Math.max(cellWidth - 1, 1)}
          height={height}
          fill={colour(c.value)}
        >
          <title>{`${dateTimeFormat(c.time, { timeZone })}: ${c.value === null ? 'no data' : c.value.toFixed(3)}`}</title>
        </rect>
      ))}
    </svg>
  );
}
