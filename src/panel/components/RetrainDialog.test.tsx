import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import type { RetrainRequest, RetrainResult, RetrainingDataSource } from '../../shared/retraining';
import { RetrainDialog } from './RetrainDialog';

// Grafana's datasource service, replaced at the boundary: the dialog only asks it to reload after a publish.
const reload = jest.fn(async () => undefined);
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ reload }),
}));

const H = 3600e3;
const FROM = Date.UTC(2026, 7, 3);

const metrics = (ap: number) => ({ rows: 40, anomalous: 6, ap, precision: 0.5, recall: 0.75, accuracy: 0.9 });
const result: RetrainResult = {
  doc: { version: 'test-doc' } as unknown as RetrainResult['doc'],
  anomalousHours: 12,
  normalHours: 30,
  before: metrics(0.4123),
  after: metrics(0.8766),
  backend: 'cpu',
};

function fakeDataSource(train?: (req: RetrainRequest) => Promise<RetrainResult>) {
  const ds: jest.Mocked<RetrainingDataSource> = {
    trainFromLabels: jest.fn(
      train ??
        (async (req) => {
          req.onProgress?.({ epoch: 1, epochs: 2, loss: 0.5, forecastLoss: 0.4, classifierLoss: 0.1 });
          req.onProgress?.({ epoch: 2, epochs: 2, loss: 0.25, forecastLoss: 0.2, classifierLoss: 0.05 });
          return result;
        })
    ),
    publishModel: jest.fn(async (_doc: RetrainResult['doc']) => {}),
    rollbackModel: jest.fn(async () => {}),
  };
  return ds;
}

function renderDialog(ds: RetrainingDataSource, canPublish = true) {
  const loadDataSource = jest.fn(async () => ds);
  render(
    <RetrainDialog
      onDismiss={jest.fn()}
      loadDataSource={loadDataSource}
      fromMs={FROM}
      toMs={FROM + 48 * H}
      timeZone="utc"
      labels={[{ startMs: FROM, endMs: FROM + 2 * H, value: 'anomaly' }]}
      counts={{ anomalous: 2, normal: 5 }}
      threshold={0.6}
      canPublish={canPublish}
    />
  );
  return { loadDataSource };
}

const button = (name: string) => screen.getByRole('button', { name });

beforeEach(() => reload.mockClear());

describe('RetrainDialog', () => {
  it('sums up the range and its labelled hours', () => {
    renderDialog(fakeDataSource());
    expect(screen.getByTestId('gs-retrain-summary')).toHaveTextContent(
      '2026-08-03 00:00 to 2026-08-05 00:00: 2 hours labelled anomalous, 5 labelled normal. Unlabelled hours count as unknown, not normal.'
    );
    expect(button('Publish')).toBeDisabled();
    expect(screen.queryByTestId('gs-publish-denied')).toBeNull();
  });

  it('trains through the datasource, shows progress and both models’ metrics, then publishes', async () => {
    const ds = fakeDataSource();
    renderDialog(ds);
    fireEvent.change(screen.getByRole('spinbutton'), { target: { value: '2' } });
    fireEvent.click(button('Train'));
    await screen.findByTestId('gs-retrain-metrics');

    const req = ds.trainFromLabels.mock.calls[0][0];
    expect(req).toMatchObject({ fromMs: FROM, toMs: FROM + 48 * H, epochs: 2, threshold: 0.6 });
    expect(req.labels).toHaveLength(1);
    expect(screen.getByTestId('gs-retrain-losses')).toHaveTextContent('epoch 2/2: loss 0.2500');
    const rows = screen.getAllByRole('row').map((r) => r.textContent);
    expect(rows).toContain('Average precision41.2%87.7%');
    expect(rows).toContain('Recall75.0%75.0%');

    fireEvent.click(button('Publish'));
    await screen.findByText(/Published: queries score with the retrained model/);
    expect(ds.publishModel).toHaveBeenCalledWith(result.doc);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('shows a dash for a metric without a number (no held-out anomalous hour)', async () => {
    const ds = fakeDataSource(async () => ({ ...result, before: null, after: { ...metrics(NaN), anomalous: 0 } }));
    renderDialog(ds);
    fireEvent.click(button('Train'));
    await screen.findByTestId('gs-retrain-metrics');
    expect(screen.getAllByRole('row').map((r) => r.textContent)).toContain('Average precision––');
    expect(screen.getByText(/No anomalous hour was held out/)).toBeInTheDocument();
  });

  it('reports a failed training with the error, and stays ready to train again', async () => {
    const ds = fakeDataSource(async () => {
      throw { status: 500, data: { message: 'no labelled hours' } };
    });
    renderDialog(ds);
    fireEvent.click(button('Train'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Training failed: HTTP 500 no labelled hours');
    expect(button('Train')).toBeEnabled();
    expect(button('Publish')).toBeDisabled();
  });

  it('says a failed publish left the model in use, and stays ready to publish', async () => {
    const ds = fakeDataSource();
    ds.publishModel.mockRejectedValueOnce({ status: 500, data: { message: 'Internal Server Error' } });
    renderDialog(ds);
    fireEvent.click(button('Train'));
    await screen.findByTestId('gs-retrain-metrics');
    fireEvent.click(button('Publish'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Publishing failed: HTTP 500 Internal Server Error. The model in use was not replaced: queries still score with it.'
    );
    expect(reload).not.toHaveBeenCalled();
    expect(button('Publish')).toBeEnabled();
  });

  it('does not let a user without datasources:write publish or roll back', async () => {
    const ds = fakeDataSource();
    renderDialog(ds, false);
    expect(screen.getByTestId('gs-publish-denied')).toHaveTextContent(/needs an organization Admin/);
    expect(button('Roll back to the previous model')).toBeDisabled();
    fireEvent.click(button('Train'));
    await screen.findByTestId('gs-retrain-metrics');
    expect(button('Publish')).toBeDisabled();
    fireEvent.click(button('Publish'));
    await waitFor(() => expect(ds.publishModel).not.toHaveBeenCalled());
  });

  it('rolls back through the datasource', async () => {
    const ds = fakeDataSource();
    renderDialog(ds);
    fireEvent.click(button('Roll back to the previous model'));
    await screen.findByText(/Rolled back: queries score with the previous model/);
    expect(ds.rollbackModel).toHaveBeenCalledTimes(1);
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
