import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { Button, Field, Input, Modal, useStyles2 } from '@grafana/ui';
import { useRef, useState } from 'react';

import { formatPercent } from '../../core/format';
import type { LabelRange } from '../../core/labels';
import type { TrainProgress } from '../../core/model/train';
import type { HeldOutMetrics } from '../../core/retrainMetrics';
import { errorMessage } from '../../shared/errorMessage';
// Types only: the panel must not bundle the datasource (or tfjs); it calls the instance Grafana gives it.
import type { RetrainingDataSource, RetrainResult } from '../../shared/retraining';
import { describeLabelCounts, type LabelCounts } from '../labelSummary';

interface Props {
  onDismiss: () => void;
  loadDataSource: () => Promise<RetrainingDataSource>;
  fromMs: number;
  toMs: number;
  timeZone: string;
  labels: LabelRange[];
  /** Stored labelled hours in the range (what training will use). */
  counts: LabelCounts;
  threshold: number;
  canPublish: boolean;
}

type Phase = 'idle' | 'training' | 'trained' | 'publishing' | 'published' | 'rollingBack' | 'rolledBack';

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({ height: 8, background: theme.colors.background.secondary, borderRadius: 4, overflow: 'hidden' }),
  fill: css({ height: '100%', background: theme.colors.primary.main, transition: 'width 0.2s' }),
  losses: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    maxHeight: 120,
    overflowY: 'auto',
    margin: theme.spacing(1, 0),
  }),
  table: css({ width: '100%', 'td, th': { padding: theme.spacing(0.25, 1), textAlign: 'right' } }),
  note: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  error: css({ color: theme.colors.error.text }),
});

export function RetrainDialog(props: Props) {
  const styles = useStyles2(getStyles);
  const [epochs, setEpochs] = useState(10);
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState<TrainProgress[]>([]);
  const [result, setResult] = useState<RetrainResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const ds = useRef<RetrainingDataSource | null>(null);
  const last = progress[progress.length - 1];

  const train = async () => {
    setError(null);
    setProgress([]);
    setResult(null);
    setPhase('training');
    abort.current = new AbortController();
    try {
      ds.current ??= await props.loadDataSource();
      const r = await ds.current.trainFromLabels({
        fromMs: props.fromMs,
        toMs: props.toMs,
        labels: props.labels,
        epochs,
        threshold: props.threshold,
        signal: abort.current.signal,
        onProgress: (p) => setProgress((list) => [...list, p]),
      });
      setResult(r);
      setPhase('trained');
    } catch (err) {
      setPhase('idle');
      setError(abort.current?.signal.aborted ? 'Training cancelled.' : `Training failed: ${errorMessage(err)}`);
    }
  };

  const publish = async () => {
    if (!result || !ds.current) {
      return;
    }
    setPhase('publishing');
    try {
      await ds.current.publishModel(result.doc);
      // As Grafana's datasource settings page does after saving: new instances get the new jsonData.
      await getDataSourceSrv()
        .reload()
        .catch(() => undefined);
      setPhase('published');
    } catch (err) {
      setPhase('trained');
      // An HTTP error answer means Grafana saved nothing; without an answer the outcome is unknown.
      const answered = typeof (err as { status?: unknown })?.status === 'number';
      setError(
        `Publishing failed: ${errorMessage(err)}. ` +
          (answered
            ? 'The model in use was not replaced: queries still score with it.'
            : "Check the datasource's settings to see which model is in use.")
      );
    }
  };

  const rollback = async () => {
    const before = phase;
    setError(null);
    setPhase('rollingBack');
    try {
      ds.current ??= await props.loadDataSource();
      await ds.current.rollbackModel();
      await getDataSourceSrv()
        .reload()
        .catch(() => undefined);
      setPhase('rolledBack');
    } catch (err) {
      // A trained result stays publishable after a failed rollback.
      setPhase(before);
      setError(`Rollback failed: ${errorMessage(err)}`);
    }
  };

  const busy = phase === 'training' || phase === 'publishing' || phase === 'rollingBack';

  const metricRow = (name: string, key: keyof HeldOutMetrics) => (
    <tr key={key}>
      <th>{name}</th>
      <td>{result?.before ? formatPercent(result.before[key]) : '–'}</td>
      <td>{result ? formatPercent(result.after[key]) : '–'}</td>
    </tr>
  );

  return (
    <Modal title="Retrain the model from labels" isOpen onDismiss={props.onDismiss}>
      <p data-testid="gs-retrain-summary">
        {dateTimeFormat(props.fromMs, { timeZone: props.timeZone, format: 'YYYY-MM-DD HH:mm' })} to{' '}
        {dateTimeFormat(props.toMs, { timeZone: props.timeZone, format: 'YYYY-MM-DD HH:mm' })}:{' '}
        {describeLabelCounts(props.counts)} Unlabelled hours count as unknown, not normal.
      </p>
      <Field label="Epochs" description="More epochs fit better but take longer; training runs in this browser.">
        <Input
          id="gs-retrain-epochs"
          type="number"
          min={1}
          max={200}
          width={12}
          value={epochs}
          disabled={phase === 'training'}
          onChange={(e) => setEpochs(Math.max(1, Math.min(200, Number(e.currentTarget.value) || 1)))}
        />
      </Field>
      {(phase === 'training' || progress.length > 0) && (
        <>
          <div
            className={styles.bar}
            role="progressbar"
            aria-label="Training progress"
            aria-valuemin={0}
            aria-valuemax={last?.epochs ?? epochs}
            aria-valuenow={last?.epoch ?? 0}
          >
            <div className={styles.fill} style={{ width: `${last ? (100 * last.epoch) / last.epochs : 0}%` }} />
          </div>
          <div className={styles.losses} data-testid="gs-retrain-losses">
            {progress.map((p) => (
              <div key={p.epoch}>
                epoch {p.epoch}/{p.epochs}: loss {p.loss.toFixed(4)}
                {p.validation ? `, held-out loss ${p.validation.loss.toFixed(4)}` : ''}
                {p.validation?.ap !== undefined ? `, AP ${formatPercent(p.validation.ap)}` : ''}
              </div>
            ))}
          </div>
        </>
      )}
      {result && (
        <>
          <table className={styles.table} data-testid="gs-retrain-metrics">
            <thead>
              <tr>
                <th>Held-out labelled hours ({result.after.rows})</th>
                <th>Current model</th>
                <th>Retrained</th>
              </tr>
            </thead>
            <tbody>
              {metricRow('Average precision', 'ap')}
              {metricRow('Precision', 'precision')}
              {metricRow('Recall', 'recall')}
              {metricRow('Accuracy', 'accuracy')}
            </tbody>
          </table>
          {result.after.anomalous === 0 && (
            <p className={styles.note}>No anomalous hour was held out: label more incidents for a fair comparison.</p>
          )}
        </>
      )}
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      {phase === 'published' && (
        <p role="status">
          Published: queries score with the retrained model from the next refresh. The replaced model is kept in the
          datasource settings (jsonData.modelPrevious) for rollback.
        </p>
      )}
      {phase === 'rolledBack' && (
        <p role="status">
          Rolled back: queries score with the previous model from the next refresh. The model it replaced is now the
          previous one, so rolling back again undoes this.
        </p>
      )}
      {!props.canPublish && (
        <p className={styles.note} data-testid="gs-publish-denied">
          Publishing or rolling back changes the datasource for everyone and needs an organization Admin
          (datasources:write).
        </p>
      )}
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={props.onDismiss}>
          Close
        </Button>
        {phase === 'training' ? (
          <Button variant="destructive" onClick={() => abort.current?.abort()}>
            Cancel training
          </Button>
        ) : (
          <Button variant="secondary" onClick={train} disabled={busy}>
            {result ? 'Train again' : 'Train'}
          </Button>
        )}
        <Button variant="secondary" icon="history" onClick={rollback} disabled={!props.canPublish || busy}>
          Roll back to the previous model
        </Button>
        <Button onClick={publish} disabled={!props.canPublish || phase !== 'trained'}>
          Publish
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
