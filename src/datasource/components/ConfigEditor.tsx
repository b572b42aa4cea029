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
  type TextKey =
    | 'elasticsearchUrl'
    | 'indexPattern'
    | 'timeField'
    | 'eventTypeField'
    | 'experimentField'
    | 'scheddField'
    | 'graphiteUrl';
  const field = (id: string, label: string, key: TextKey, placeholder: string, tooltip?: string) => (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      <Input
        id={id}
        width={48}
        value={jsonData[key] ?? ''}
        placeholder={placeholder}
        onChange={(e: ChangeEvent<HTMLInputElement>) => set(key, e.target.value)}
      />
    </InlineField>
  );

  return (
    <>
      <FieldSet label="Elasticsearch (job events)">
        {field(
          'gs-es-url',
          'URL',
          'elasticsearchUrl',
          'http://elasticsearch:9200',
          "Reached through Grafana's data proxy"
        )}
        {field(
          'gs-es-index',
          'Index pattern',
          'indexPattern',
          DEFAULT_OPTIONS.indexPattern,
          'Daily indices are matched with a wildcard'
        )}
        {field('gs-es-time', 'Time field', 'timeField', DEFAULT_OPTIONS.timeField)}
        {field(
          'gs-es-type',
          'Event-type field',
          'eventTypeField',
          DEFAULT_OPTIONS.eventTypeField,
          "A keyword field holding HTCondor's MyType"
        )}
        {field(
          'gs-es-experiment',
          'Experiment field',
          'experimentField',
          DEFAULT_OPTIONS.experimentField,
          'Keyword field used by the experiment filter and variable'
        )}
        {field(
          'gs-es-schedd',
          'Schedd field',
          'scheddField',
          DEFAULT_OPTIONS.scheddField,
          'Keyword field used by the schedd filter and variable'
        )}
      </FieldSet>
      <FieldSet label="Graphite (context series)">
        {field('gs-graphite-url', 'URL', 'graphiteUrl', 'http://graphite:8080', "Reached through Grafana's data proxy")}
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
