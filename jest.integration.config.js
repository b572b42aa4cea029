// Integration tests against a real OpenSearch and a real Graphite, started once for the whole run by
// tests/services/global-setup.mjs (addresses reach the tests as GS_* environment variables).
process.env.TZ = 'UTC';

const unit = require('./jest.config');
const node = unit.projects.find((p) => p.displayName === 'node');

module.exports = {
  ...node,
  displayName: 'integration',
  testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/services/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/services/global-teardown.mjs',
  testTimeout: 120000,
  maxWorkers: 1,
};
