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
import { FONT_REQUEST, createChecks } from './checks.mjs';
import { REPO_ROOT } from './plugin-meta.mjs';
import { createServer } from './server.mjs';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const { check, crashed, finish } = createChecks();

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
  server = await createServer({});
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

  await check('app page renders', async () => {
    await render(page, appMeta, 'root', {
      meta: appMeta,
      basename: '/a/gridsentinel-anomaly-app',
      query: {},
      path: '/',
    });
    await page.getByText('Add a GridSentinel datasource').waitFor();
    await page.locator('#reactRoot').screenshot({ path: path.join(OUT, 'app-page.png') });
  });

  await watched.settle();
  await check('no page errors, console errors or 404s while rendering', () => {
    const font = FONT_REQUEST;
    const problems = [
      ...watched.pageErrors,
      ...watched.consoleErrors.filter((e) => !font.test(e)),
      ...server.notFound.filter((r) => !font.test(r.url)).map((r) => `404 ${r.url}`),
    ];
    assert.deepEqual(problems, []);
  });
} catch (err) {
  crashed(err);
} finally {
  await browser?.close().catch(() => {});
  await server?.close();
}
finish();
