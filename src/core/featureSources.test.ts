import {
  DEFAULT_FEATURE_SOURCES,
  assembleFeatures,
  validateFeatureSources,
  type FeatureSource,
} from './featureSources';

describe('feature sources', () => {
  it('defaults to the 13 HTCondor event types from Elasticsearch', () => {
    expect(DEFAULT_FEATURE_SOURCES).toHaveLength(13);
    expect(DEFAULT_FEATURE_SOURCES.every((f) => f.source === 'elasticsearch')).toBe(true);
    expect(() => validateFeatureSources(DEFAULT_FEATURE_SOURCES)).not.toThrow();
  });

  it('rejects empty, duplicate and incomplete entries by position', () => {
    expect(() => validateFeatureSources([])).toThrow('no features configured');
    const a: FeatureSource = { name: 'held', source: 'elasticsearch', eventType: 'JobHeldEvent' };
    expect(() => validateFeatureSources([a, a])).toThrow('feature 2 ("held"): duplicate name');
    expect(() => validateFeatureSources([{ name: 'r', source: 'graphite', target: '' }])).toThrow(
      'feature 1 ("r"): Graphite target is empty'
    );
    expect(() => validateFeatureSources([{ name: ' x', source: 'elasticsearch', eventType: 'E' }])).toThrow(
      /surrounding spaces/
    );
  });

  it('assembles columns from both sources in the configured order, nulls kept', () => {
    const order: FeatureSource[] = [
      { name: 'running', source: 'graphite', target: 'clusters.gpgrid.jobs.totals.running.count' },
      { name: 'JobHeldEvent', source: 'elasticsearch', eventType: 'JobHeldEvent' },
    ];
    const es = { times: [0, 10], stepMs: 10, features: ['JobHeldEvent'], values: [[3], [null]] };
    const gr = { times: [0, 10], stepMs: 10, features: ['running'], values: [[100], [120]] };
    expect(assembleFeatures(order, [es, gr])).toEqual({
      times: [0, 10],
      stepMs: 10,
      features: ['running', 'JobHeldEvent'],
      values: [
        [100, 3],
        [120, null],
      ],
    });
    expect(() => assembleFeatures(order, [es])).toThrow('no source returned feature "running"');
    expect(() => assembleFeatures(order, [es, { ...gr, times: [0, 20] }])).toThrow(/different time axes/);
  });
});
