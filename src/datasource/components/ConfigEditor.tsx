import type { ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Combobox, FieldSet, InlineField, Input } from '@grafana/ui';

import { DEFAULT_OPTIONS, type GridSentinelOptions, type ModelBackend } from '../types';
import { FeatureListEditor } from './FeatureListEditor';

type Props = DataSourcePluginOptionsEditorProps<GridSentinelOptions>;

const BACKENDS: Array<{ value: ModelBackend; label: string }> = [
  { value: 'auto', label: 'Auto (fastest available)' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

const LABEL_WIDTH = 24;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData;
  const set = <K extends keyof GridSentinelOptions>(key: K, value: GridSentinelOptions[K]) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  const text = (key: keyof GridSentinelOptions) => (e: ChangeEvent<HTMLInputElement>) => set(key, e.target.value);

  return (
    <>
      <FieldSet label="Elasticsearch (job events)">
        <InlineField label="URL" labelWidth={LABEL_WIDTH} tooltip="Reached through Grafana's data proxy">
          <Input
            id="gs-es-url"
            width={48}
            value={jsonData.elasticsearchUrl ?? ''}
            placeholder="http://elasticsearch:9200"
            onChange={text('elasticsearchUrl')}
          />
        </InlineField>
        <InlineField label="Index pattern" labelWidth={LABEL_WIDTH} tooltip="Daily indices are matched with a wildcard">
          <Input
            id="gs-es-index"
            width={48}
            value={jsonData.indexPattern ?? ''}
            placeholder={DEFAULT_OPTIONS.indexPattern}
            onChange={text('indexPattern')}
          />
        </InlineField>
        <InlineField label="Time field" labelWidth={LABEL_WIDTH}>
          <Input
            id="gs-es-time"
            width={48}
            value={jsonData.timeField ?? ''}
            placeholder={DEFAULT_OPTIONS.timeField}
            onChange={text('timeField')}
          />
        </InlineField>
        <InlineField
          label="Event-type field"
          labelWidth={LABEL_WIDTH}
          tooltip="A keyword field holding HTCondor's MyType"
        >
          <Input
            id="gs-es-type"
            width={48}
            value={jsonData.eventTypeField ?? ''}
            placeholder={DEFAULT_OPTIONS.eventTypeField}
            onChange={text('eventTypeField')}
          />
        </InlineField>
        <InlineField
          label="Experiment field"
          labelWidth={LABEL_WIDTH}
          tooltip="Keyword field used by the experiment filter and variable"
        >
          <Input
            id="gs-es-experiment"
            width={48}
            value={jsonData.experimentField ?? ''}
            placeholder={DEFAULT_OPTIONS.experimentField}
            onChange={text('experimentField')}
          />
        </InlineField>
        <InlineField
          label="Schedd field"
          labelWidth={LABEL_WIDTH}
          tooltip="Keyword field used by the schedd filter and variable"
        >
          <Input
            id="gs-es-schedd"
            width={48}
            value={jsonData.scheddField ?? ''}
            placeholder={DEFAULT_OPTIONS.scheddField}
            onChange={text('scheddField')}
          />
        </InlineField>
      </FieldSet>
      <FieldSet label="Graphite (context series)">
        <InlineField label="URL" labelWidth={LABEL_WIDTH} tooltip="Reached through Grafana's data proxy">
          <Input
            id="gs-graphite-url"
            width={48}
            value={jsonData.graphiteUrl ?? ''}
            placeholder="http://graphite:8080"
            onChange={text('graphiteUrl')}
          />
        </InlineField>
      </FieldSet>
      <FieldSet label="Features">
        <FeatureListEditor
          features={jsonData.features?.length ? jsonData.features : DEFAULT_OPTIONS.features}
          onChange={(features) => set('features', features)}
        />
      </FieldSet>
      <FieldSet label="Model">
        <InlineField label="Step (seconds)" labelWidth={LABEL_WIDTH}>
          <Input
            id="gs-step"
            type="number"
            width={16}
            min={60}
            value={jsonData.stepSeconds ?? DEFAULT_OPTIONS.stepSeconds}
            onChange={(e: ChangeEvent<HTMLInputElement>) => set('stepSeconds', Number(e.target.value))}
          />
        </InlineField>
        <InlineField label="Backend" labelWidth={LABEL_WIDTH} tooltip="Where TensorFlow.js runs in the browser">
          <Combobox
            id="gs-backend"
            width={32}
            options={BACKENDS}
            value={jsonData.backend ?? DEFAULT_OPTIONS.backend}
            onChange={(v) => set('backend', v.value)}
          />
        </InlineField>
      </FieldSet>
    </>
  );
}
