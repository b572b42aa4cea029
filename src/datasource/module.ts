import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { GridSentinelDataSource } from './datasource';
import type { GridSentinelOptions, GridSentinelQuery } from './types';

export const plugin = new DataSourcePlugin<GridSentinelDataSource, GridSentinelQuery, GridSentinelOptions>(
  GridSentinelDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
