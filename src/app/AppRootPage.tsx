import type { AppRootProps } from '@grafana/data';
import { Stack, Text, LinkButton } from '@grafana/ui';

import { DATASOURCE_ID, PANEL_ID } from '../shared/pluginIds';

export function AppRootPage(_props: AppRootProps) {
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
    </Stack>
  );
}
