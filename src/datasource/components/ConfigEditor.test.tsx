import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';

import { DEFAULT_FEATURE_SOURCES } from '../../core/featureSources';
import type { GridSentinelOptions, GridSentinelSecureOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';
import { stubComboboxEnvironment } from './comboboxTestEnvironment';

type Options = DataSourceSettings<GridSentinelOptions, GridSentinelSecureOptions>;

beforeAll(stubComboboxEnvironment);

function makeOptions(overrides: Partial<Options> = {}): Options {
  return {
    id: 1,
    uid: 'gs-uid',
    orgId: 1,
    name: 'GridSentinel',
    type: 'gridsentinel-anomaly-datasource',
    typeName: 'GridSentinel',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    readOnly: false,
    withCredentials: false,
    secureJsonFields: {},
    jsonData: { elasticsearchUrl: 'http://old:9200', indexPattern: 'jobs-*' },
    ...overrides,
  } as Options;
}

function setup(overrides: Partial<Options> = {}) {
  const options = makeOptions(overrides);
  const onOptionsChange = jest.fn();
  const view = render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  const input = (id: string) => view.container.querySelector<HTMLInputElement>(`#${id}`)!;
  const lastChange = (): Options => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0];
  return { options, onOptionsChange, input, lastChange, ...view };
}

/** Opens a Combobox and picks the option with this label. */
function pick(combobox: HTMLElement, label: string) {
  fireEvent.click(combobox);
  fireEvent.click(screen.getByRole('option', { name: label }));
}

describe('ConfigEditor', () => {
  it('shows the stored settings and the defaults as placeholders', () => {
    const { input } = setup();
    expect(input('gs-es-url').value).toBe('http://old:9200');
    expect(input('gs-es-index').value).toBe('jobs-*');
    expect(input('gs-es-time').value).toBe('');
    expect(input('gs-es-time').placeholder).toBe('@timestamp');
    expect(input('gs-es-type').placeholder).toBe('MyType');
    expect(input('gs-step').value).toBe('3600');
    expect(input('gs-backend').value).toBe('Auto (fastest here, timed once per browser)');
    expect(input('gs-es-auth').value).toBe('No authentication');
  });

  it.each([
    ['gs-es-url', 'elasticsearchUrl', 'http://es.example:9200'],
    ['gs-es-index', 'indexPattern', 'fifebatch-logs-*'],
    ['gs-es-time', 'timeField', 'timestamp'],
    ['gs-es-type', 'eventTypeField', 'MyType.keyword'],
    ['gs-es-experiment', 'experimentField', 'VO'],
    ['gs-es-schedd', 'scheddField', 'ScheddName'],
    ['gs-graphite-url', 'graphiteUrl', 'http://graphite:8080'],
    ['gs-summary-name', 'summaryName', 'pool1'],
  ])('writes #%s to jsonData.%s', (id, key, value) => {
    const { input, options, onOptionsChange } = setup();
    fireEvent.change(input(id), { target: { value } });
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { ...options.jsonData, [key]: value } });
  });

  it('stores the step as a number', () => {
    const { input, options, onOptionsChange } = setup();
    fireEvent.change(input('gs-step'), { target: { value: '600' } });
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { ...options.jsonData, stepSeconds: 600 } });
  });

  it('stores the scoring backend', () => {
    const { input, options, onOptionsChange } = setup();
    pick(input('gs-backend'), 'Plain JavaScript (no TensorFlow.js)');
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { ...options.jsonData, backend: 'js' } });
  });

  describe('authentication', () => {
    it('switches Grafana basic auth on for basic, off for an API key', () => {
      const { input, options, onOptionsChange } = setup();
      pick(input('gs-es-auth'), 'Basic auth (also sent to Graphite)');
      expect(onOptionsChange).toHaveBeenLastCalledWith({
        ...options,
        basicAuth: true,
        jsonData: { ...options.jsonData, elasticsearchAuth: 'basic' },
      });
      pick(input('gs-es-auth'), 'Elasticsearch API key');
      expect(onOptionsChange).toHaveBeenLastCalledWith({
        ...options,
        basicAuth: false,
        jsonData: { ...options.jsonData, elasticsearchAuth: 'apikey' },
      });
    });

    it('shows no credential fields without authentication', () => {
      const { container } = setup();
      expect(container.querySelector('#gs-basic-user')).toBeNull();
      expect(container.querySelector('#gs-basic-password')).toBeNull();
      expect(container.querySelector('#gs-es-apikey')).toBeNull();
    });

    it('treats a datasource with Grafana basic auth and no mode as basic', () => {
      const { input } = setup({ basicAuth: true, basicAuthUser: 'reader' });
      expect(input('gs-es-auth').value).toBe('Basic auth (also sent to Graphite)');
      expect(input('gs-basic-user').value).toBe('reader');
    });

    it('sends the basic-auth user to the datasource and the password to secureJsonData only', () => {
      const { input, options, onOptionsChange } = setup({
        basicAuth: true,
        jsonData: { elasticsearchUrl: 'http://es:9200', elasticsearchAuth: 'basic' },
      });
      fireEvent.change(input('gs-basic-user'), { target: { value: 'reader' } });
      expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, basicAuthUser: 'reader' });
      fireEvent.change(input('gs-basic-password'), { target: { value: 's3cret' } });
      expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, secureJsonData: { basicAuthPassword: 's3cret' } });
      const payload: Options = onOptionsChange.mock.calls[1][0];
      expect(payload.jsonData).toBe(options.jsonData);
      expect(JSON.stringify({ ...payload, secureJsonData: undefined })).not.toContain('s3cret');
    });

    it('sends the API key to secureJsonData only', () => {
      const { input, options, onOptionsChange, lastChange } = setup({
        jsonData: { elasticsearchUrl: 'http://es:9200', elasticsearchAuth: 'apikey' },
        secureJsonData: { basicAuthPassword: 'kept' },
      });
      expect(input('gs-basic-password')).toBeNull();
      fireEvent.change(input('gs-es-apikey'), { target: { value: 'key-123' } });
      expect(onOptionsChange).toHaveBeenCalledWith({
        ...options,
        secureJsonData: { basicAuthPassword: 'kept', elasticsearchApiKey: 'key-123' },
      });
      expect(JSON.stringify({ ...lastChange(), secureJsonData: undefined })).not.toContain('key-123');
    });

    it('shows a configured secret without its value and resets it', () => {
      const { input, options, onOptionsChange } = setup({
        jsonData: { elasticsearchUrl: 'http://es:9200', elasticsearchAuth: 'apikey' },
        secureJsonFields: { elasticsearchApiKey: true, basicAuthPassword: true },
      });
      expect(input('gs-es-apikey').value).toBe('configured');
      expect(input('gs-es-apikey')).toBeDisabled();
      fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
      expect(onOptionsChange).toHaveBeenCalledWith({
        ...options,
        secureJsonFields: { elasticsearchApiKey: false, basicAuthPassword: true },
        secureJsonData: { elasticsearchApiKey: '' },
      });
    });
  });

  describe('features', () => {
    const features = [
      { name: 'submits', source: 'elasticsearch' as const, eventType: 'SubmitEvent' },
      { name: 'cpu', source: 'graphite' as const, target: 'pool.cpu', aggregation: 'avg' as const },
    ];
    const withFeatures = () => setup({ jsonData: { elasticsearchUrl: 'http://es:9200', features } });
    const jsonFeatures = (o: Options) => o.jsonData.features;

    it('lists the 13 default event types when none are configured', () => {
      setup();
      expect(screen.getByLabelText('Feature 1 name')).toHaveValue('SubmitEvent');
      expect(screen.getByLabelText('Feature 13 name')).toHaveValue(DEFAULT_FEATURE_SOURCES[12].name);
      expect(screen.queryByLabelText('Feature 14 name')).toBeNull();
    });

    it('shows each source with its own fields', () => {
      withFeatures();
      expect(screen.getByLabelText('Feature 1 event type')).toHaveValue('SubmitEvent');
      expect(screen.getByLabelText('Feature 2 Graphite target')).toHaveValue('pool.cpu');
      expect(screen.getByLabelText('Feature 2 aggregation')).toHaveValue('avg');
      expect(screen.queryByLabelText('Feature 2 event type')).toBeNull();
    });

    it('renames, retargets and re-aggregates a feature in place', () => {
      const { lastChange } = withFeatures();
      fireEvent.change(screen.getByLabelText('Feature 1 name'), { target: { value: 'submitted' } });
      expect(jsonFeatures(lastChange())).toEqual([{ ...features[0], name: 'submitted' }, features[1]]);
      fireEvent.change(screen.getByLabelText('Feature 1 event type'), { target: { value: 'ExecuteEvent' } });
      expect(jsonFeatures(lastChange())).toEqual([{ ...features[0], eventType: 'ExecuteEvent' }, features[1]]);
      fireEvent.change(screen.getByLabelText('Feature 2 Graphite target'), { target: { value: 'pool.mem' } });
      expect(jsonFeatures(lastChange())).toEqual([features[0], { ...features[1], target: 'pool.mem' }]);
      pick(screen.getByLabelText('Feature 2 aggregation'), 'max');
      expect(jsonFeatures(lastChange())).toEqual([features[0], { ...features[1], aggregation: 'max' }]);
    });

    it('switches a feature between sources, keeping its name', () => {
      const { lastChange } = withFeatures();
      pick(screen.getByLabelText('Feature 1 source'), 'Graphite target');
      expect(jsonFeatures(lastChange())).toEqual([{ name: 'submits', source: 'graphite', target: '' }, features[1]]);
      pick(screen.getByLabelText('Feature 2 source'), 'Elasticsearch event type');
      expect(jsonFeatures(lastChange())).toEqual([
        features[0],
        { name: 'cpu', source: 'elasticsearch', eventType: 'cpu' },
      ]);
    });

    it('adds, removes and resets features', () => {
      const { lastChange, options } = withFeatures();
      fireEvent.click(screen.getByRole('button', { name: 'Add feature' }));
      expect(lastChange()).toEqual({
        ...options,
        jsonData: {
          ...options.jsonData,
          features: [...features, { name: 'feature3', source: 'elasticsearch', eventType: '' }],
        },
      });
      const removeButtons = screen.getAllByRole('button', { name: 'Remove feature' });
      expect(removeButtons).toHaveLength(2);
      fireEvent.click(removeButtons[0]);
      expect(jsonFeatures(lastChange())).toEqual([features[1]]);
      fireEvent.click(screen.getByRole('button', { name: 'Reset to the 13 HTCondor event types' }));
      expect(jsonFeatures(lastChange())).toEqual([...DEFAULT_FEATURE_SOURCES]);
    });
  });
});
