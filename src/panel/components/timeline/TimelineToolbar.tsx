import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, RadioButtonGroup, useStyles2, useTheme2 } from '@grafana/ui';
import { memo } from 'react';

import type { LabelValue } from '../../../core/labels';
import { probabilityColour } from '../../colourScale';
import type { TimelineOptions } from '../../types';
import { TOOLBAR_HEIGHT, labelColour } from './geometry';

const MODE_OPTIONS: Array<{ value: LabelValue; label: string; description: string }> = [
  { value: 'anomaly', label: 'Anomaly', description: 'Clicks label hours anomalous (Alt+click: normal)' },
  { value: 'normal', label: 'Normal', description: 'Clicks label hours normal (Alt+click: anomalous)' },
];

const getStyles = (theme: GrafanaTheme2) => ({
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
  // Undo turns enabled after the first label is stored, often as the next click lands: Grafana's 250 ms
  // colour fade would keep the compositor busy across that click's frame (traced), so it is switched off.
  noFade: css({ '&&': { transition: 'none' } }),
});

interface Props {
  writable: boolean;
  mode: LabelValue;
  onMode: (v: LabelValue) => void;
  canUndo: boolean;
  onUndo: () => void;
  /** Shown only for writes slower than the timeline's delay: text here moves the buttons after it. */
  showSaving: boolean;
  onRetrain: () => void;
  error: string | null;
  options: TimelineOptions;
}

/**
 * Mode switch and undo, then the "Saving…" note, then retrain and legend: the two button groups are
 * memoised, so hovering, selecting and labelling do not re-render Grafana UI buttons.
 */
export function TimelineToolbar({
  writable,
  mode,
  onMode,
  canUndo,
  onUndo,
  showSaving,
  onRetrain,
  error,
  options,
}: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.toolbar}>
      <LabelTools writable={writable} mode={mode} onMode={onMode} canUndo={canUndo} onUndo={onUndo} />
      {writable && showSaving && <span className={styles.message}>Saving…</span>}
      <PanelTools onRetrain={onRetrain} error={error} options={options} />
    </div>
  );
}

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

function Swatch({ fill, hatch, dot }: { fill?: string; hatch?: string; dot?: string }) {
  return (
    <svg width={10} height={10} aria-hidden>
      <rect width={10} height={10} fill={fill ?? 'none'} />
      {dot && <circle cx={5} cy={5} r={3} fill="none" stroke={dot} />}
      {hatch && <path d="M0 10 L10 0 M-2 2 L2 -2 M8 12 L12 8" stroke={hatch} strokeWidth={1.5} />}
    </svg>
  );
}
