import { css } from '@emotion/css';
import { dateTimeFormat, type AppRootProps, type GrafanaTheme2 } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { Alert, LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { useEffect, useState } from 'react';

import { modelInUse, readModelHistory, type ModelHistoryEntry, type ModelInUse } from '../core/model/modelHistory';
import { formatPercent } from '../core/format';
import { errorMessage } from '../shared/errorMessage';
import { readDataSource } from '../shared/datasourceSettings';
import { DATASOURCE_ID, PANEL_ID } from '../shared/pluginIds';

interface DataSourceModels {
  uid: string;
  name: string;
  model?: ModelInUse;
  history: ModelHistoryEntry[];
  /** Set when this datasource's settings could not be read (e.g. a Viewer lacks datasources:read). */
  error?: string;
}

type State =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; list: DataSourceModels[] };

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    borderCollapse: 'collapse',
    'td, th': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
    },
    'td.num': { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
  }),
  card: css({ padding: theme.spacing(2), border: `1px solid ${theme.colors.border.weak}`, borderRadius: 4 }),
});

const when = (iso: string) =>
  Number.isNaN(Date.parse(iso)) ? iso : dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm' });

async function loadModels(): Promise<DataSourceModels[]> {
  const list = getDataSourceSrv().getList({ type: DATASOURCE_ID });
  // One datasource's failure (permissions, deleted meanwhile) must not hide the others.
  return Promise.all(
    list.map(async (d): Promise<DataSourceModels> => {
      try {
        const jsonData = (await readDataSource(d.uid)).jsonData ?? {};
        return {
          uid: d.uid,
          name: d.name,
          model: modelInUse(jsonData),
          history: readModelHistory(jsonData.modelHistory),
        };
      } catch (err) {
        return { uid: d.uid, name: d.name, history: [], error: errorMessage(err) };
      }
    })
  );
}

function ModelSummary({ model }: { model: ModelInUse }) {
  if (model.kind === 'default') {
    return <Text>Model in use: the default model bundled with the plugin (nothing published yet).</Text>;
  }
  return (
    <Text>
      Model in use: published, {model.features.length} features, validation AP {formatPercent(model.validationAp)},
      probability from the {model.source ?? 'unknown'}
      {model.trainFrom && model.trainUntil ? `, trained on ${when(model.trainFrom)} to ${when(model.trainUntil)}` : ''}.
      {model.hasPrevious ? ' A previous model is kept for rollback.' : ''}
    </Text>
  );
}

function DataSourceCard({ ds }: { ds: DataSourceModels }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.card} data-testid={`gs-app-ds-${ds.uid}`}>
      <Stack direction="column" gap={1}>
        <Text element="h4">{ds.name}</Text>
        {ds.error ? (
          <Alert severity="warning" title="Could not read this datasource's settings">
            {ds.error}
          </Alert>
        ) : (
          <>
            {ds.model && <ModelSummary model={ds.model} />}
            {ds.history.length === 0 ? (
              <Text color="secondary">No publish history.</Text>
            ) : (
              <table className={styles.table} data-testid="gs-model-history">
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Published at</th>
                    <th>By</th>
                    <th>Validation AP</th>
                    <th>Incidents</th>
                    <th>Probability source</th>
                  </tr>
                </thead>
                <tbody>
                  {ds.history.map((e) => (
                    <tr key={`${e.version}-${e.publishedAt}`}>
                      <td className="num">
                        {e.version}
                        {e.rollback ? ' (rollback)' : ''}
                      </td>
                      <td>{when(e.publishedAt)}</td>
                      <td>{e.publishedBy || '–'}</td>
                      <td className="num">{formatPercent(e.validationAp)}</td>
                      <td className="num">{e.anomalyEvents ?? '–'}</td>
                      <td>{e.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Stack>
    </div>
  );
}

export function AppRootPage(_props: AppRootProps) {
  const [state, setState] = useState<State>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    loadModels().then(
      (list) => live && setState({ status: 'ready', list }),
      (err) => live && setState({ status: 'error', message: errorMessage(err) })
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <Stack direction="column" gap={2}>
      <Text element="h2">GridSentinel</Text>
      <Text>
        Anomaly detection for HTCondor grids. Add a <code>{DATASOURCE_ID}</code> datasource pointing at your job-event
        Elasticsearch and Graphite, then put the <code>{PANEL_ID}</code> panel on a dashboard to label outage hours.
      </Text>
      <LinkButton href="/connections/datasources/new" variant="primary" icon="plus" fill="outline">
        Add a GridSentinel datasource
      </LinkButton>
      <Text element="h3">Models</Text>
      {state.status === 'loading' && <Text color="secondary">Loading models…</Text>}
      {state.status === 'error' && (
        <Alert severity="error" title="Could not list the GridSentinel datasources">
          {state.message}
        </Alert>
      )}
      {state.status === 'ready' && state.list.length === 0 && (
        <Text color="secondary" data-testid="gs-app-no-datasource">
          No GridSentinel datasource yet: add one to see the model it uses and its publish history.
        </Text>
      )}
      {state.status === 'ready' && state.list.map((ds) => <DataSourceCard key={ds.uid} ds={ds} />)}
    </Stack>
  );
}
