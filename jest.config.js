// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

// Jest configuration provided by Grafana scaffolding
const scaffold = require('./.config/jest.config');

// @grafana/* 13 pull in ESM-only .mjs files (d3-*), which the scaffold's transform pattern misses.
const swc = Object.values(scaffold.transform)[0];
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');
const base = {
  ...scaffold,
  transform: { '^.+\\.m?[tj]sx?$': swc },
  // @grafana/runtime 13 reaches ESM-only packages (@react-hookz/web, @ver0/deep-equal) through @grafana/ui.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0'])],
};

// Two projects: Grafana glue runs in jsdom with the scaffold's setup; the framework-free core, the CLI
// and repository checks run in plain Node, as they do in production.
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'grafana',
      setupFilesAfterEnv: [...base.setupFilesAfterEnv, '<rootDir>/tests/jest-polyfills.js'],
      testMatch: ['<rootDir>/src/{app,datasource,panel,shared}/**/*.test.{ts,tsx}'],
    },
    {
      ...base,
      displayName: 'node',
      testEnvironment: 'node',
      setupFilesAfterEnv: [],
      testMatch: ['<rootDir>/src/{core,cli}/**/*.test.ts', '<rootDir>/tests/config/**/*.test.ts'],
    },
  ],
};
