// Integration tests against a real OpenSearch and a real Graphite, started once for the whole run by
// tests/services/global-setup.mjs (addresses reach the tests as GS_* environment variables).
process.env.TZ = 'UTC';

const unit = require('./jest.config');
const project = (name) => unit.projects.find((p) => p.displayName === name);

module.exports = {
  globalSetup: '<rootDir>/tests/services/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/services/global-teardown.mjs',
  maxWorkers: 1,
  projects: [
    {
      ...project('node'),
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.grafana\\.test\\.ts$'],
    },
    {
      // Grafana glue (the datasource class) needs the browser-like environment it runs in.
      ...project('grafana'),
      displayName: 'integration-grafana',
      testMatch: ['<rootDir>/tests/integration/**/*.grafana.test.ts'],
    },
  ],
};
