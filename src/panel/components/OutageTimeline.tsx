import { css } from '@emotion/css';
import { dateTimeForTimeZone, dateTimeFormat, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { Button, RadioButtonGroup, usePanelContext, useStyles2, useTheme2 } from '@grafana/ui';
import {
  memo,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
} from 'react';

import { errorMessage } from '../errorMessage';
import { labelsFromAnnotations, stepLabels, toggleSteps, type LabelRange, type LabelValue } from '../../core/labels';
import {
  UndoStack,
  cellRect,
  hitTest,
  layoutGrid,
  moveFocus,
  runRect,
  runsByRow,
  type FocusKey,
  type GridLayout,
} from '../../core/timelineLayout';
import { DATASOURCE_ID } from '../../shared/pluginIds';
import { cellsFromFrames, stepOf, type TimelineCell } from '../cells';
import { probabilityColour, type ColourScheme } from '../colourScale';
import { LabelStore, annotationRows, backendSrvHttp, withPanelContext, type StepState } from '../labelStore';
import type { TimelineOptions } from '../types';
import { isRetrainingDataSource } from '../../shared/retraining';
import { RetrainDialog } from './RetrainDialog';

type Props = PanelProps<TimelineOptions>;

const TOOLBAR_HEIGHT = 34;
const GUTTER = 46;
const HEADER = 14;
const BAND_SHARE = 0.32;
// The band fills most of its share; the rest separates it from the next day's row.
const bandHeight = (cellHeight: number) => Math.max(cellHeight * BAND_SHARE * 0.7, 0.5);
// Writes usually finish well within this: only slower ones show "Saving…" (text appearing in the toolbar
// moves its buttons, and repainting them made a click's answer miss its frame).
const SAVING_NOTE_DELAY_MS = 400;
const NAV_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);
const MODE_OPTIONS: Array<{ value: LabelValue; label: string; description: string }> = [
  { value: 'anomaly', label: 'Anomaly', description: 'Clicks label hours anomalous (Alt+click: normal)' },
  { value: 'normal', label: 'Normal', description: 'Clicks label hours normal (Alt+click: anomalous)' },
];

interface Pending {
  seq: number;
  lo: number;
  hi: number;
  after: StepState[];
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ position: 'relative', display: 'flex', flexDirection: 'column', height: '100%' }),
  toolbar: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    height: TOOLBAR_HEIGHT,
    flexShrink: 0,
    overflow: 'hidden',
    whiteSpace: 'nowrap',
  }),
  message: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  error: css({ color: theme.colors.error.text, fontSize: theme.typography.bodySmall.fontSize }),
  legend: css({
    marginLeft: 'auto',
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
  // Fixed size: changes elsewhere in the panel (toolbar text, tooltip) never lay out the 2,160 cells again.
  layers: css({ position: 'relative', flexShrink: 0, contain: 'strict' }),
  // Its own compositing layer: otherwise any repaint of the panel (toolbar text, tooltip) re-records
  // every cell and re-layerizes them (~10 ms for 2,160 cells, traced).
  layer: css({ position: 'absolute', left: 0, top: 0, display: 'block', willChange: 'transform' }),
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
    maxWidth: 320,
    whiteSpace: 'normal',
  }),
  // Undo turns enabled after the first label is stored, often as the next click lands: Grafana's 250 ms
  // colour fade would keep the compositor busy across that click's frame (traced), so it is switched off.
  noFade: css({ '&&': { transition: 'none' } }),
  tipTitle: css({ fontWeight: theme.typography.fontWeightMedium }),
  srOnly: css({ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }),
  empty: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
});

/** Who may label: the dashboard's panel context when it says so, else the org-wide annotations:create permission. */
function canLabel(ctxCanAdd: (() => boolean) | undefined): boolean {
  if (ctxCanAdd?.()) {
    return true;
  }
  return Boolean(config.bootData?.user?.permissions?.['annotations:create']);
}

// Purple and the text colour stay apart from every probability scheme's colours.
const labelColour = (theme: GrafanaTheme2, v: LabelValue) =>
  v === 'anomaly' ? theme.visualization.getColorByName('purple') : theme.colors.text.primary;

/** Publishing a model edits the datasource: Grafana allows that with datasources:write (Admin). */
function canPublishModel(): boolean {
  const user = config.bootData?.user;
  return Boolean(user?.permissions?.['datasources:write']);
}

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

/**
 * Mode switch and undo, then (after the "Saving…" note the timeline renders itself) retrain and legend: both
 * memoised, so hovering, selecting and labelling do not re-render Grafana UI buttons.
 */
const LabelTools = memo(function LabelTools(props: {
  writable: boolean;
  mode: LabelValue;
  onMode: (v: LabelValue) => void;
  canUndo: boolean;
  onUndo: () => void;
}) {
  const { writable, mode, onMode, canUndo, onUndo } = props;
  const styles = useStyles2(getStyles);
  return writable ? (
    <>
      <RadioButtonGroup size="sm" options={MODE_OPTIONS} value={mode} onChange={onMode} />
      <Button
        size="sm"
        variant="secondary"
        onClick={onUndo}
        disabled={!canUndo}
        className={styles.noFade}
        tooltip="Undo the last label change (Ctrl/Cmd+Z)"
      >
        Undo
      </Button>
    </>
  ) : (
    <span className={styles.message} data-testid="gs-readonly">
      Read-only: labelling hours needs permission to add annotations (Editor role or annotations:create).
    </span>
  );
});

const PanelTools = memo(function PanelTools(props: {
  onRetrain: () => void;
  error: string | null;
  options: TimelineOptions;
}) {
  const { onRetrain, error, options } = props;
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const bandColour = (v: LabelValue) => labelColour(theme, v);
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={onRetrain}
        tooltip="Train a new model on the labelled hours of this range"
      >
        Retrain…
      </Button>
      {error && (
        <span className={styles.error} role="alert">
          {error}
        </span>
      )}
      <span className={styles.legend} aria-hidden>
        <Swatch fill={probabilityColour(0, options.threshold, options.colourScheme)} />
        low
        <Swatch fill={probabilityColour(1, options.threshold, options.colourScheme)} />≥{' '}
        {Math.round(options.threshold * 100)}%
        <Swatch hatch={theme.colors.text.disabled} />
        no data
        {options.showLabels && (
          <>
            <Swatch fill={bandColour('anomaly')} />
            labelled anomaly
            <Swatch fill={bandColour('normal')} />
            normal
          </>
        )}
        {options.showSuggestions && (
          <>
            <Swatch dot={theme.colors.text.primary} />
            to label
          </>
        )}
      </span>
    </>
  );
});

export function OutageTimeline({ data, width, height, options, timeZone }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const panelContext = usePanelContext();
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const cells = useMemo(() => cellsFromFrames(data.series), [data.series]);
  const stepMs = useMemo(() => stepOf(data.series, cells), [data.series, cells]);
  const times = useMemo(() => cells.map((c) => c.time), [cells]);
  const from = times[0];
  const to = times.length ? times[times.length - 1] + stepMs : undefined;

  const writable = canLabel(panelContext.canAddAnnotations);
  const [retrainOpen, setRetrainOpen] = useState(false);
  const openRetrain = useCallback(() => setRetrainOpen(true), []);
  const targets = data.request?.targets;
  const dsRef = (targets?.find((t) => t.datasource?.type === DATASOURCE_ID) ?? targets?.[0])?.datasource;
  const loadDataSource = useCallback(async () => {
    const ds = await getDataSourceSrv().get(dsRef);
    if (!isRetrainingDataSource(ds)) {
      throw new Error('the panel query does not use a GridSentinel datasource');
    }
    return ds;
  }, [dsRef]);
  const { canAddAnnotations, onAnnotationCreate, onAnnotationDelete } = panelContext;
  const store = useMemo(
    () =>
      new LabelStore(withPanelContext(backendSrvHttp(), { canAddAnnotations, onAnnotationCreate, onAnnotationDelete })),
    [canAddAnnotations, onAnnotationCreate, onAnnotationDelete]
  );

  const fromGrafana = useMemo(() => labelsFromAnnotations(annotationRows(data.annotations)), [data.annotations]);
  const [stored, setStored] = useState<LabelRange[] | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<LabelValue>('anomaly');
  const [focus, setFocus] = useState(0);
  const [focused, setFocused] = useState(false);
  const [selection, setSelection] = useState<{ anchor: number; end: number } | null>(null);
  const [drag, setDrag] = useState<{ start: number; end: number; value: LabelValue } | null>(null);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const [undoCount, setUndoCount] = useState(0);
  const undo = useRef(new UndoStack<{ lo: number; hi: number; before: StepState[] }>());
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const seq = useRef(0);

  const refresh = useCallback(async () => {
    if (from === undefined || to === undefined) {
      return;
    }
    try {
      setStored(await store.read(from, to));
    } catch (err) {
      setError(`Could not read labels: ${errorMessage(err)}`);
    }
  }, [store, from, to]);

  // Re-read on every new query result too, so labels others added show up with the data refresh.
  useEffect(() => {
    if (from === undefined || to === undefined) {
      return;
    }
    let live = true;
    store.read(from, to).then(
      (l) => live && setStored(l),
      (err) => live && setError(`Could not read labels: ${errorMessage(err)}`)
    );
    return () => {
      live = false;
    };
  }, [store, from, to, data.series]);

  const saving = pending.length > 0;
  // Reset by the effect's cleanup, one render after `saving` drops: hence `saving && slowSave` below.
  const [slowSave, setSlowSave] = useState(false);
  useEffect(() => {
    if (!saving) {
      return;
    }
    const timer = setTimeout(() => setSlowSave(true), SAVING_NOTE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      setSlowSave(false);
    };
  }, [saving]);

  const labels = stored ?? fromGrafana;
  const serverStates = useMemo(() => stepLabels(labels, times), [labels, times]);
  // What the operator sees: stored labels with not-yet-confirmed changes on top, so a click answers at once.
  const states = useMemo(() => {
    if (pending.length === 0) {
      return serverStates;
    }
    const s = serverStates.slice();
    for (const p of pending) {
      p.after.forEach((v, k) => (s[p.lo + k] = v));
    }
    return s;
  }, [serverStates, pending]);
  const labelAt = useCallback(
    (i: number): LabelRange | undefined => {
      const t = times[i];
      const hits = labels.filter((l) => t >= l.startMs && t < l.endMs);
      return hits.sort((a, b) => (b.updatedMs ?? 0) - (a.updatedMs ?? 0))[0];
    },
    [labels, times]
  );

  const run = useCallback(
    (lo: number, hi: number, preview: StepState[], want: (cur: StepState[]) => StepState[], record: boolean) => {
      const p: Pending = { seq: ++seq.current, lo, hi, after: preview };
      setPending((list) => [...list, p]);
      setError(null);
      // Serialised: each change re-reads what the previous one stored.
      queue.current = queue.current.then(async () => {
        try {
          const change = await store.change(times, stepMs, lo, hi, want);
          if (record) {
            undo.current.push({ lo, hi, before: change.before });
            setUndoCount(undo.current.size);
          }
        } catch (err) {
          setError(`Could not save labels: ${errorMessage(err)}`);
        }
        await refresh();
        setPending((list) => list.filter((x) => x.seq !== p.seq));
      });
    },
    [store, times, stepMs, refresh]
  );

  const toggle = useCallback(
    (a: number, b: number, value: LabelValue) => {
      if (!writable || cells.length === 0) {
        return;
      }
      const lo = Math.max(0, Math.min(a, b));
      const hi = Math.min(cells.length - 1, Math.max(a, b));
      const all = (s: StepState[]) =>
        toggleSteps(
          s,
          s.map((_, k) => k),
          value
        );
      run(lo, hi, all(states.slice(lo, hi + 1)), all, true);
    },
    [writable, cells.length, run, states]
  );

  const undoLast = useCallback(() => {
    const entry = undo.current.pop();
    setUndoCount(undo.current.size);
    if (entry && writable) {
      run(entry.lo, entry.hi, entry.before, () => entry.before, false);
    }
  }, [run, writable]);

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

  const bodyShare = options.showLabels ? 1 - BAND_SHARE : 1;
  const valueFor = (alt: boolean): LabelValue => (alt ? (mode === 'anomaly' ? 'normal' : 'anomaly') : mode);

  const pointIndex = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return {
      i: hitTest(layout, e.clientX - box.left, e.clientY - box.top),
      x: e.clientX - box.left,
      y: e.clientY - box.top,
    };
  };

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    const { i } = pointIndex(e);
    if (e.button !== 0 || i < 0) {
      return;
    }
    e.currentTarget.focus();
    if (e.shiftKey && writable) {
      // Shift-click labels the range from the focused hour.
      toggle(focus, i, valueFor(e.altKey));
      setFocus(i);
      return;
    }
    setFocus(i);
    setSelection(null);
    if (writable) {
      e.currentTarget.setPointerCapture?.(e.pointerId);
      setDrag({ start: i, end: i, value: valueFor(e.altKey) });
    }
  };

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const p = pointIndex(e);
    if (drag && p.i >= 0 && p.i !== drag.end) {
      setDrag({ ...drag, end: p.i });
    }
    if (p.i !== hover?.i) {
      setHover(p.i >= 0 ? p : null);
    }
  };

  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) {
      return;
    }
    const p = pointIndex(e);
    const end = p.i >= 0 ? p.i : drag.end;
    setDrag(null);
    setFocus(end);
    toggle(drag.start, end, drag.value);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      undoLast();
      return;
    }
    if (!(e.target instanceof SVGSVGElement)) {
      return;
    }
    if (NAV_KEYS.has(e.key)) {
      e.preventDefault();
      const next = moveFocus(layout, focus, e.key as FocusKey);
      setSelection(e.shiftKey ? { anchor: selection?.anchor ?? focus, end: next } : null);
      setFocus(next);
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      const sel = selection ?? { anchor: focus, end: focus };
      toggle(sel.anchor, sel.end, valueFor(e.altKey));
      setSelection(null);
    } else if (e.key === 'Escape') {
      setSelection(null);
    }
  };

  const bands = useMemo(
    () => (options.showLabels ? runsByRow(layout, (i) => states[i] ?? null) : []),
    [options.showLabels, layout, states]
  );
  const suggestions = useMemo(
    () =>
      options.showSuggestions
        ? cells
            .map((c, i) => (c.value !== null && c.value >= options.threshold && states[i] === null ? i : -1))
            .filter((i) => i >= 0)
        : [],
    [options.showSuggestions, options.threshold, cells, states]
  );
  const selected = drag ? [drag.start, drag.end] : selection ? [selection.anchor, selection.end] : null;
  const selLo = selected ? Math.min(selected[0], selected[1]) : -1;
  const selHi = selected ? Math.max(selected[0], selected[1]) : -1;
  const selectionRuns = useMemo(
    () => (selLo < 0 ? [] : runsByRow(layout, (i) => (i >= selLo && i <= selHi ? true : null))),
    [layout, selLo, selHi]
  );

  if (cells.length === 0) {
    return <div className={styles.empty}>No hourly series in the query result</div>;
  }

  const fmt = (t: number) => dateTimeFormat(t, { timeZone, format: 'YYYY-MM-DD HH:mm' });
  const describeCell = (i: number) => {
    const c = cells[i];
    const l = states[i];
    return `${fmt(c.time)}: ${c.value === null ? 'no data' : `probability ${(c.value * 100).toFixed(0)}%`}, ${
      l ? `labelled ${l === 'anomaly' ? 'anomalous' : 'normal'}` : 'unlabelled'
    }`;
  };
  const bandColour = (v: LabelValue) => labelColour(theme, v);
  const hatch = `gs-nodata-${uid}`;
  const svgHeight = Math.max(height - TOOLBAR_HEIGHT, 20);
  const hovered = hover ? cells[hover.i] : undefined;
  const hoveredLabel = hover && states[hover.i] ? labelAt(hover.i) : undefined;

  return (
    <div className={styles.root} onKeyDown={onKeyDown} data-testid="gs-timeline" data-saving={saving || undefined}>
      <div className={styles.toolbar}>
        <LabelTools writable={writable} mode={mode} onMode={setMode} canUndo={undoCount > 0} onUndo={undoLast} />
        {writable && saving && slowSave && <span className={styles.message}>Saving…</span>}
        <PanelTools onRetrain={openRetrain} error={error} options={options} />
      </div>
      <div className={styles.layers} style={{ width, height: svgHeight }}>
        {/* Static layer: repainted only when data, size or options change (own compositing layer). */}
        <svg className={styles.layer} width={width} height={svgHeight} aria-hidden>
          <defs>
            <pattern id={hatch} width={4} height={4} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width={4} height={4} fill={theme.colors.background.secondary} />
              <line x1={0} y1={0} x2={0} y2={4} stroke={theme.colors.text.disabled} strokeWidth={1.5} />
            </pattern>
          </defs>
          <Axes
            layout={layout}
            firstSlotMs={times[0] - layout.offset * stepMs}
            stepMs={stepMs}
            timeZone={timeZone}
            width={width}
            strip={options.showLabels ? theme.colors.border.weak : null}
            textFill={theme.colors.text.secondary}
          />
          <Cells
            cells={cells}
            layout={layout}
            threshold={options.threshold}
            scheme={options.colourScheme}
            bodyShare={bodyShare}
            noDataFill={`url(#${hatch})`}
          />
        </svg>
        {/* Interactive layer on its own compositing layer, so a click repaints only the overlays. */}
        <svg
          className={styles.svg}
          width={width}
          height={svgHeight}
          role="application"
          aria-label="Outage timeline: arrows move, Shift+arrows extend, Space or Enter labels, Ctrl+Z undoes"
          aria-readonly={!writable}
          tabIndex={0}
          data-testid="gs-outage-timeline"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHover(null)}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
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
                  fill={bandColour(b.key)}
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
            {selectionRuns.map((s) => {
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
          {focused && (
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
          labels={labels}
          anomalousHours={serverStates.filter((v) => v === 'anomaly').length}
          normalHours={serverStates.filter((v) => v === 'normal').length}
          threshold={options.threshold}
          canPublish={canPublishModel()}
        />
      )}
      {hover && hovered && (
        <div
          className={styles.tooltip}
          data-testid="gs-tooltip"
          style={{
            left: Math.min(hover.x + 12, Math.max(0, width - 320)),
            // Below the pointer in the upper half, above it in the lower half: it stays inside the panel.
            ...(hover.y < svgHeight / 2 ? { top: TOOLBAR_HEIGHT + hover.y + 14 } : { bottom: svgHeight - hover.y + 8 }),
          }}
        >
          <div className={styles.tipTitle}>{fmt(hovered.time)}</div>
          <div>{hovered.value === null ? 'No data' : `Anomaly probability: ${(hovered.value * 100).toFixed(1)}%`}</div>
          {typeof hovered.surprise === 'number' && <div>Surprise: {hovered.surprise.toFixed(2)}</div>}
          {hovered.topFeatures && <div>Top features: {hovered.topFeatures}</div>}
          <div>
            {states[hover.i]
              ? `Label: ${states[hover.i] === 'anomaly' ? 'anomalous' : 'normal'}${
                  hoveredLabel?.login ? ` by ${hoveredLabel.login}` : ''
                }${hoveredLabel?.updatedMs ? ` on ${fmt(hoveredLabel.updatedMs)}` : ''}`
              : 'Unlabelled'}
          </div>
          {/* Annotation text is free text from the API: rendered as a text node, never as HTML. */}
          {hoveredLabel?.text && <div>{hoveredLabel.text}</div>}
        </div>
      )}
    </div>
  );
}

function Swatch({ fill, hatch, dot }: { fill?: string; hatch?: string; dot?: string }) {
  return (
    <svg width={10} height={10} aria-hidden>
      <rect width={10} height={10} fill={fill ?? 'none'} />
      {dot && <circle cx={5} cy={5} r={3} fill="none" stroke={dot} />}
      {hatch && <path d="M0 10 L10 0 M-2 2 L2 -2 M8 12 L12 8" stroke={hatch} strokeWidth={1.5} />}
    </svg>
  );
}
