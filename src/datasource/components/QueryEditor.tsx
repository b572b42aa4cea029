import type { ChangeEvent } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, Input, Stack } from '@grafana/ui';

import type { GridSentinelDataSource } from '../datasource';
import {
  DEFAULT_QUERY,
  DEFAULT_THRESHOLD,
  QUERY_TYPES,
  type GridSentinelOptions,
  type GridSentinelQuery,
  type QueryType,
} from '../types';

type Props = QueryEditorProps<GridSentinelDataSource, GridSentinelQuery, GridSentinelOptions>;

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const update = (patch: Partial<GridSentinelQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  return (
    <Stack gap={1} wrap="wrap">
      <InlineField label="Query type" labelWidth={14}>
        <Combobox<QueryType>
          id={`gs-query-type-${query.refId}`}
          width={28}
          options={QUERY_TYPES}
          value={query.queryType ?? DEFAULT_QUERY.queryType}
          onChange={(v) => update({ queryType: v.value })}
        />
      </InlineField>
      <InlineField
        label="Experiment"
        labelWidth={12}
        tooltip="Only events of this experiment (VO); template variables allowed"
      >
        <Input
          width={20}
          value={query.experiment ?? ''}
          placeholder="all"
          onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, experiment: e.target.value })}
          onBlur={onRunQuery}
        />
      </InlineField>
      <InlineField label="Schedd" labelWidth={10}>
        <Input
          width={24}
          value={query.schedd ?? ''}
          placeholder="all"
          onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, schedd: e.target.value })}
          onBlur={onRunQuery}
        />
      </InlineField>
      <InlineField
        label="Threshold"
        labelWidth={11}
        tooltip="Probability at or above which an hour is anomalous (annotation regions)"
      >
        <Input
          width={10}
          type="number"
          min={0.01}
          max={1}
          step={0.05}
          value={query.threshold ?? DEFAULT_THRESHOLD}
          onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, threshold: Number(e.target.value) })}
          onBlur={onRunQuery}
        />
      </InlineField>
    </Stack>
  );
}
