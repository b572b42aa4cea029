// Renders the plugin's editors and app page from dist/ inside the browser harness (Grafana's loader
// stand-in, see load-modules.mjs) and saves the screenshots README.md shows (docs/screenshots/).
// It also checks that each renders its fields without page or console errors, so a broken editor fails
// here rather than in a user's Grafana. The datasource settings come from provisioning/ as Grafana would
// pass them to the config editor.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { launchChromium, openHost, watchPage } from './browser.mjs';
import { bootUser, createGrafanaApi } from '../support/grafanaApi.mjs';
import { createChecks, pageProblems } from './checks.mjs';
import { REPO_ROOT } from './plugin-meta.mjs';
import { createServer } from './server.mjs';

// README's pictures are replaced only when asked (GS_UPDATE_SCREENSHOTS=1): a test run leaves tracked files alone.
const OUT =
  process.env.GS_UPDATE_SCREENSHOTS === '1'
    ? path.join(REPO_ROOT, 'docs', 'screenshots')
    : path.join(REPO_ROOT, '.test-logs', 'screenshots');
const { check, crashed, finish } = createChecks();

// A datasource as the retrain dialog leaves it after two publishes and a rollback (metadata only: the app
// page never reads weights).
const FEATURES = ['jobs_idle', 'jobs_running', 'jobs_held', 'shadow_exceptions', 'transfer_queue'];
const publishedModel = {
  format: 'gridsentinel-lstm',
  features: FEATURES,
  classifier: { enabled: true },
  training: {
    trainFrom: '2026-10-01T00:00:00.000Z',
    trainUntil: '2026-10-31T00:00:00.000Z',
    metrics: { validationAp: 0.71 },
  },
};
const modelHistory = [
  {
    version: 3,
    publishedAt: '2026-11-20T09:12:00.000Z',
    publishedBy: 'ops-lead',
    features: FEATURES,
    validationAp: 0.71,
    anomalyEvents: 9,
    source: 'classifier',
    rollback: true,
  },
  {
    version: 2,
    publishedAt: '2026-11-19T16:40:00.000Z',
    publishedBy: 'nightshift',
    features: FEATURES,
    validationAp: 0.42,
    anomalyEvents: 11,
    source: 'surprise',
  },
  {
    version: 1,
    publishedAt: '2026-11-02T08:05:00.000Z',
    publishedBy: 'admin',
    features: FEATURES,
    validationAp: 0.71,
    anomalyEvents: 9,
    source: 'classifier',
  },
];
const api = createGrafanaApi({
  user: bootUser('Admin', 'admin'),
  datasources: [
    {
      uid: 'gridsentinel',
      name: 'GridSentinel',
      type: 'gridsentinel-anomaly-datasource',
      access: 'proxy',
      jsonData: {
        model: publishedModel,
        modelPrevious: { ...publishedModel, classifier: { enabled: false } },
        modelHistory,
      },
    },
  ],
});

/** In the page: a DataSourceSrv stand-in whose getList returns these datasources. */
async function setDataSources(page, list) {
  await page.evaluate(async (list) => {
    const h = window.gsHarness;
    h.runtime.setDataSourceSrv({
      get: async () => undefined,
      getInstanceSettings: () => undefined,
      getList: (filter) => list.filter((d) => !filter?.type || d.type === filter.type),
      reload: async () => {},
      registerRuntimeDataSource: () => {},
    });
  }, list);
}

const provisioned = parse(readFileSync(path.join(REPO_ROOT, 'provisioning/datasources/datasources.yaml'), 'utf8'));
const gsSettings = provisioned.datasources.find((d) => d.type === 'gridsentinel-anomaly-datasource');

/** In the page: import a plugin like Grafana, render one of its components with the shared React. */
async function render(page, meta, pick, props) {
  return page.evaluate(
    async ({ meta, pick, props }) => {
      const h = window.gsHarness;
      const summary = await h.importPlugin(meta);
      if (!summary.ok) {
        throw new Error(`import failed: ${summary.error?.message}`);
      }
      const plugin = h.loaded.get(meta.id).plugin;
      const React = await h.SystemJS.import('react');
      const { createRoot } = await h.SystemJS.import('react-dom/client');
      const Component = pick === 'root' ? plugin.root : plugin.components[pick];
      if (!Component) {
        throw new Error(`${meta.id} has no ${pick} component`);
      }
      const el = document.getElementById('reactRoot');
      el.style.cssText = 'width: 900px; padding: 16px';
      window.__gsRoot?.unmount();
      window.__gsRoot = createRoot(el);
      const extra = pick === 'QueryEditor' ? { datasource: new plugin.DataSourceClass(props.instanceSettings) } : {};
      // Grafana wraps every page in its theme and global styles (fonts, colours, form resets).
      const theme = h.data.createTheme({ colors: { mode: 'dark' } });
      window.__gsRoot.render(
        React.createElement(
          h.ui.ThemeContext.Provider,
          { value: theme },
          React.createElement(h.ui.GlobalStyles),
          React.createElement(Component, { ...props, ...extra })
        )
      );
    },
    { meta, pick, props }
  );
}

let server;
let browser;
try {
  server = await createServer({ routes: api.routes });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 940, height: 700 } });
  const watched = watchPage(page);
  await openHost(page, server.url);
  mkdirSync(OUT, { recursive: true });
  const dsMeta = server.metas['gridsentinel-anomaly-datasource'];
  const appMeta = server.metas['gridsentinel-anomaly-app'];

  const options = {
    id: 1,
    uid: gsSettings.uid,
    orgId: 1,
    name: gsSettings.name,
    type: gsSettings.type,
    typeName: 'GridSentinel',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: true,
    jsonData: gsSettings.jsonData,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
  };

  await check('datasource config editor renders the provisioned settings', async () => {
    await render(page, dsMeta, 'ConfigEditor', { options });
    await page.waitForSelector('#gs-es-url');
    assert.equal(await page.inputValue('#gs-es-url'), gsSettings.jsonData.elasticsearchUrl);
    assert.equal(await page.inputValue('#gs-graphite-url'), gsSettings.jsonData.graphiteUrl);
    assert.equal(await page.inputValue('#gs-es-type'), 'MyType');
    await page.locator('#reactRoot').screenshot({ path: path.join(OUT, 'datasource-config.png') });
  });

  await check('query editor renders the query type and filters', async () => {
    const instanceSettings = { ...options, meta: dsMeta, url: `/api/datasources/proxy/uid/${options.uid}` };
    await render(page, dsMeta, 'QueryEditor', {
      instanceSettings,
      query: { refId: 'A', queryType: 'features', experiment: '$experiment' },
      onChange: null,
      onRunQuery: null,
    });
    await page.waitForSelector('#gs-query-type-A');
    assert.equal(await page.inputValue('#gs-query-type-A'), 'Features');
    await page.locator('#reactRoot').screenshot({ path: path.join(OUT, 'query-editor.png') });
  });

  const appProps = { meta: appMeta, basename: '/a/gridsentinel-anomaly-app', query: {}, path: '/' };
  await check('app page without a GridSentinel datasource says so', async () => {
    await setDataSources(page, []);
    await render(page, appMeta, 'root', appProps);
    await page.getByText('Add a GridSentinel datasource').waitFor();
    await page.getByText(/No GridSentinel datasource yet/).waitFor();
  });

  await check('app page lists the model in use and its publish history', async () => {
    await setDataSources(page, [
      { uid: 'gridsentinel', name: 'GridSentinel', type: 'gridsentinel-anomaly-datasource' },
    ]);
    await render(page, appMeta, 'root', appProps);
    const table = page.getByTestId('gs-model-history');
    await table.waitFor();
    await page.getByText(/Model in use: published, 5 features, validation AP 71\.0%/).waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 3);
    assert.match(rows[0], /3 \(rollback\)\s+2026-11-20 \d\d:12\s+ops-lead\s+71\.0%\s+9\s+classifier/);
    assert.match(rows[1], /nightshift\s+42\.0%\s+11\s+surprise/);
    await page.locator('#reactRoot').screenshot({ path: path.join(OUT, 'app-page.png') });
  });

  await watched.settle();
  await check('no page errors, console errors or 404s while rendering', () => {
    assert.deepEqual(pageProblems(watched, server), []);
  });
} catch (err) {
  crashed(err);
} finally {
  await browser?.close().catch(() => {});
  await server?.close();
}
finish();
