import type { ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Combobox, FieldSet, InlineField, Input, SecretInput } from '@grafana/ui';

import { DEFAULT_OPTIONS, type GridSentinelOptions, type GridSentinelSecureOptions, type ModelBackend } from '../types';
import { FeatureListEditor } from './FeatureListEditor';

type Props = DataSourcePluginOptionsEditorProps<GridSentinelOptions, GridSentinelSecureOptions>;

const AUTH_MODES = [
  { value: 'none' as const, label: 'No authentication' },
  { value: 'basic' as const, label: 'Basic auth (also sent to Graphite)' },
  { value: 'apikey' as const, label: 'Elasticsearch API key' },
];

const BACKENDS: Array<{ value: ModelBackend; label: string }> = [
  { value: 'auto', label: 'Auto (fastest here, timed once per browser)' },
  { value: 'webgl', label: 'WebGL (TensorFlow.js)' },
  { value: 'wasm', label: 'WebAssembly (TensorFlow.js)' },
  { value: 'cpu', label: 'CPU (TensorFlow.js)' },
  { value: 'js', label: 'Plain JavaScript (no TensorFlow.js)' },
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
    | 'graphiteUrl'
    | 'summaryName';
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

  const auth = jsonData.elasticsearchAuth ?? (options.basicAuth ? 'basic' : 'none');
  const secret = (key: keyof GridSentinelSecureOptions, id: string) => (
    <SecretInput
      id={id}
      width={48}
      isConfigured={Boolean(options.secureJsonFields?.[key])}
      value={options.secureJsonData?.[key] ?? ''}
      onChange={(e: ChangeEvent<HTMLInputElement>) =>
        onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, [key]: e.target.value } })
      }
      onReset={() =>
        onOptionsChange({
          ...options,
          secureJsonFields: { ...options.secureJsonFields, [key]: false },
          secureJsonData: { ...options.secureJsonData, [key]: '' },
        })
      }
    />
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
        <InlineField label="Authentication" labelWidth={LABEL_WIDTH} tooltip="Credentials stay on the Grafana server">
          <Combobox
            id="gs-es-auth"
            width={48}
            options={AUTH_MODES}
            value={auth}
            onChange={(v) =>
              onOptionsChange({
                ...options,
                // Grafana's data proxy adds basic auth to every request of this datasource.
                basicAuth: v.value === 'basic',
                jsonData: { ...jsonData, elasticsearchAuth: v.value },
              })
            }
          />
        </InlineField>
        {auth === 'basic' && (
          <>
            <InlineField label="User" labelWidth={LABEL_WIDTH}>
              <Input
                id="gs-basic-user"
                width={48}
                value={options.basicAuthUser ?? ''}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onOptionsChange({ ...options, basicAuthUser: e.target.value })
                }
              />
            </InlineField>
            <InlineField label="Password" labelWidth={LABEL_WIDTH}>
              {secret('basicAuthPassword', 'gs-basic-password')}
            </InlineField>
          </>
        )}
        {auth === 'apikey' && (
          <InlineField label="API key" labelWidth={LABEL_WIDTH} tooltip="Sent as 'Authorization: ApiKey <key>'">
            {secret('elasticsearchApiKey', 'gs-es-apikey')}
          </InlineField>
        )}
      </FieldSet>
      <FieldSet label="Graphite (context series)">
        {field('gs-graphite-url', 'URL', 'graphiteUrl', 'http://graphite:8080', "Reached through Grafana's data proxy")}
      </FieldSet>
      <FieldSet label="Watcher summaries">
        {field(
          'gs-summary-name',
          'Watcher name',
          'summaryName',
          'off',
          'Name of a running `gridsentinel watch --name <name>` over the same job events: hours it has ' +
            'summarised are read as one document each from gridsentinel-scores-<name>-* instead of being ' +
            'counted again, so long ranges stay fast at full scale. Empty: always count raw events.'
        )}
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
