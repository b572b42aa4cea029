import { css } from '@emotion/css';
import { dateTimeForTimeZone, dateTimeFormat, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { usePanelContext, useStyles2 } from '@grafana/ui';
import { useCallback, useId, useMemo, useState } from 'react';

import type { LabelValue } from '../../core/labels';
import { layoutGrid } from '../../core/timelineLayout';
import { DATASOURCE_ID } from '../../shared/pluginIds';
import { isRetrainingDataSource } from '../../shared/retraining';
import { isWhereDataSource } from '../../shared/where';
import { cellsFromFrames, stepOf } from '../cells';
import { countLabels, describeLabel } from '../labelSummary';
import { LabelStore, backendSrvHttp, withPanelContext } from '../labelStore';
import { canLabel, canPublishModel } from '../permissions';
import type { TimelineOptions } from '../types';
import { RetrainDialog } from './RetrainDialog';
import { CellTooltip } from './timeline/CellTooltip';
import { BAND_SHARE, GUTTER, HEADER, TOOLBAR_HEIGHT } from './timeline/geometry';
import { OverlayLayer } from './timeline/OverlayLayer';
import { StaticLayer } from './timeline/StaticLayer';
import { TimelineToolbar } from './timeline/TimelineToolbar';
import { useHourWhere } from './timeline/useHourWhere';
import { useLabelEditing } from './timeline/useLabelEditing';
import { useTimelineSelection } from './timeline/useTimelineSelection';

type Props = PanelProps<TimelineOptions>;

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ position: 'relative', display: 'flex', flexDirection: 'column', height: '100%' }),
  // Fixed size: changes elsewhere in the panel (toolbar text, tooltip) never lay out the 2,160 cells again.
  layers: css({ position: 'relative', flexShrink: 0, contain: 'strict' }),
  srOnly: css({ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }),
  empty: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
});

/**
 * The outage timeline panel: one row per day, one cell per hour, coloured by anomaly probability; operators
 * label hours by clicking, dragging or with the keyboard, and retrain the model from those labels.
 */
export function OutageTimeline({ data, width, height, options, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const panelContext = usePanelContext();
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const cells = useMemo(() => cellsFromFrames(data.series), [data.series]);
  const stepMs = useMemo(() => stepOf(data.series, cells), [data.series, cells]);
  const times = useMemo(() => cells.map((c) => c.time), [cells]);

  const writable = canLabel(panelContext.canAddAnnotations, config.bootData?.user);
  const [retrainOpen, setRetrainOpen] = useState(false);
  const openRetrain = useCallback(() => setRetrainOpen(true), []);
  const targets = data.request?.targets;
  const target = targets?.find((t) => t.datasource?.type === DATASOURCE_ID) ?? targets?.[0];
  const dsRef = target?.datasource;
  const loadDataSource = useCallback(async () => {
    const ds = await getDataSourceSrv().get(dsRef);
    if (!isRetrainingDataSource(ds)) {
      throw new Error('the panel query does not use a GridSentinel datasource');
    }
    return ds;
  }, [dsRef]);
  const loadWhereSource = useCallback(async () => {
    const ds = await getDataSourceSrv().get(dsRef);
    if (!isWhereDataSource(ds)) {
      throw new Error('the panel query does not use a GridSentinel datasource');
    }
    return ds;
  }, [dsRef]);
  const filters = target as { experiment?: string; schedd?: string } | undefined;
  const whereQuery = useMemo(
    () => ({ experiment: filters?.experiment, schedd: filters?.schedd, scopedVars: data.request?.scopedVars }),
    [filters?.experiment, filters?.schedd, data.request?.scopedVars]
  );
  const { canAddAnnotations, onAnnotationCreate, onAnnotationDelete } = panelContext;
  const store = useMemo(
    () =>
      new LabelStore(withPanelContext(backendSrvHttp(), { canAddAnnotations, onAnnotationCreate, onAnnotationDelete })),
    [canAddAnnotations, onAnnotationCreate, onAnnotationDelete]
  );

  const editing = useLabelEditing({
    store,
    times,
    stepMs,
    writable,
    annotations: data.annotations,
    refreshKey: data.series,
  });
  const { states } = editing;
  const [mode, setMode] = useState<LabelValue>('anomaly');

  const layout = useMemo(() => {
    const first = times[0] ?? 0;
    const offsetMs = dateTimeForTimeZone(timeZone, first).utcOffset() * 60e3;
    return layoutGrid({
      count: cells.length,
      stepMs,
      firstLocalMs: first + offsetMs,
      width,
      height: Math.max(height - TOOLBAR_HEIGHT, 20),
      left: GUTTER,
      top: HEADER,
      maxCellHeight: 40,
    });
  }, [cells.length, stepMs, times, timeZone, width, height]);

  const selection = useTimelineSelection({
    layout,
    writable,
    mode,
    toggle: editing.toggle,
    undoLast: editing.undoLast,
  });
  const { hover, focus, focused } = selection;
  const hovered = hover ? cells[hover.i] : undefined;
  const where = useHourWhere({ cell: hovered, load: loadWhereSource, query: whereQuery, refreshKey: data.series });

  if (cells.length === 0) {
    return <div className={styles.empty}>No hourly series in the query result</div>;
  }

  const bodyShare = options.showLabels ? 1 - BAND_SHARE : 1;
  const fmt = (t: number) => dateTimeFormat(t, { timeZone, format: 'YYYY-MM-DD HH:mm' });
  const describeCell = (i: number) => {
    const c = cells[i];
    return `${fmt(c.time)}: ${c.value === null ? 'no data' : `probability ${(c.value * 100).toFixed(0)}%`}, ${describeLabel(
      states[i]
    )}`;
  };
  const svgHeight = Math.max(height - TOOLBAR_HEIGHT, 20);

  return (
    <div
      className={styles.root}
      onKeyDown={selection.onKeyDown}
      data-testid="gs-timeline"
      data-saving={editing.saving || undefined}
    >
      <TimelineToolbar
        writable={writable}
        mode={mode}
        onMode={setMode}
        canUndo={editing.canUndo}
        onUndo={editing.undoLast}
        showSaving={editing.slowSave}
        onRetrain={openRetrain}
        error={editing.error}
        options={options}
      />
      <div className={styles.layers} style={{ width, height: svgHeight }}>
        <StaticLayer
          cells={cells}
          layout={layout}
          firstSlotMs={times[0] - layout.offset * stepMs}
          stepMs={stepMs}
          timeZone={timeZone}
          width={width}
          height={svgHeight}
          threshold={options.threshold}
          scheme={options.colourScheme}
          showLabels={options.showLabels}
          bodyShare={bodyShare}
          hatchId={`gs-nodata-${uid}`}
        />
        <OverlayLayer
          layout={layout}
          width={width}
          height={svgHeight}
          writable={writable}
          cells={cells}
          states={states}
          threshold={options.threshold}
          showLabels={options.showLabels}
          showSuggestions={options.showSuggestions}
          bodyShare={bodyShare}
          selectionRuns={selection.selectionRuns}
          hover={hover}
          focus={focus}
          focused={focused}
          handlers={selection.handlers}
        />
      </div>
      <div className={styles.srOnly} aria-live="polite" data-testid="gs-timeline-status">
        {focused ? describeCell(Math.min(focus, cells.length - 1)) : ''}
      </div>
      {retrainOpen && (
        <RetrainDialog
          onDismiss={() => setRetrainOpen(false)}
          loadDataSource={loadDataSource}
          fromMs={times[0]}
          toMs={times[times.length - 1] + stepMs}
          timeZone={timeZone}
          labels={editing.labels}
          counts={countLabels(editing.serverStates)}
          threshold={options.threshold}
          canPublish={canPublishModel(config.bootData?.user)}
        />
      )}
      {hover && hovered && (
        <CellTooltip
          hover={hover}
          cell={hovered}
          where={where}
          state={states[hover.i]}
          label={states[hover.i] ? editing.labelAt(hover.i) : undefined}
          width={width}
          layersHeight={svgHeight}
          formatTime={fmt}
        />
      )}
    </div>
  );
}
