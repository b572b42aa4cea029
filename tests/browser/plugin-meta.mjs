// What Grafana's backend tells the frontend about the plugins in dist/: one entry per plugin.json
// (the app and its nested plugins), each with the frontend meta Grafana would build (module and
// baseUrl under the plugin's OWN id, as for local nested plugins), plus default boot data.
// Node built-ins only; shared by server.mjs and the tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DIST_DIR = path.join(REPO_ROOT, 'dist');
/** Grafana version the host bundle's @grafana/* packages come from. */
export const GRAFANA_VERSION = '13.2.3';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The plugins in a create-plugin dist folder: the root plugin.json plus every nested plugin.json
 * (found through the root's `includes` and by scanning its sub-folders).
 * Returns [{ id, type, name, dir, json, parentId }], root first.
 */
export function readPlugins(distDir = DEFAULT_DIST_DIR) {
  const rootFile = path.join(distDir, 'plugin.json');
  if (!existsSync(rootFile)) {
    throw new Error(`no plugin.json in ${distDir}; run \`npm run build\` first`);
  }
  const root = readJson(rootFile);
  const plugins = [{ id: root.id, type: root.type, name: root.name, dir: distDir, json: root, parentId: null }];
  const nestedFiles = new Set();
  for (const inc of root.includes ?? []) {
    if (typeof inc.path === 'string' && inc.path.endsWith('plugin.json')) {
      nestedFiles.add(path.join(distDir, inc.path));
    }
  }
  for (const entry of readdirSync(distDir, { withFileTypes: true })) {
    const candidate = path.join(distDir, entry.name, 'plugin.json');
    if (entry.isDirectory() && existsSync(candidate)) {
      nestedFiles.add(candidate);
    }
  }
  for (const file of [...nestedFiles].sort()) {
    if (!existsSync(file)) {
      throw new Error(`${path.relative(distDir, file)} is listed in plugin.json includes but missing from ${distDir}`);
    }
    const json = readJson(file);
    plugins.push({ id: json.id, type: json.type, name: json.name, dir: path.dirname(file), json, parentId: root.id });
  }
  const ids = plugins.map((p) => p.id);
  if (new Set(ids).size !== ids.length) {
    throw new Error(`duplicate plugin ids in ${distDir}: ${ids.join(', ')}`);
  }
  return plugins;
}

/** Frontend plugin meta as Grafana serves it (bootData panels, datasource meta, /api/plugins/<id>/settings). */
export function pluginMeta(plugin) {
  const { json } = plugin;
  const baseUrl = `public/plugins/${plugin.id}`;
  const logos = json.info?.logos ?? {};
  const meta = {
    ...json,
    info: {
      ...json.info,
      logos: {
        small: logos.small ? `${baseUrl}/${logos.small}` : '',
        large: logos.large ? `${baseUrl}/${logos.large}` : '',
      },
    },
    module: `${baseUrl}/module.js`,
    baseUrl,
    loadingStrategy: 'fetch',
    angular: { detected: false },
    signature: 'unsigned',
  };
  delete meta.$schema;
  if (plugin.parentId) {
    meta.parent = { id: plugin.parentId };
  }
  if (json.type === 'app') {
    Object.assign(meta, { enabled: true, pinned: false, jsonData: {}, secureJsonFields: {} });
  }
  return meta;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Recursive merge of plain objects; arrays and other values in `extra` replace. */
export function deepMerge(base, extra) {
  if (!isPlainObject(base) || !isPlainObject(extra)) {
    return extra === undefined ? base : extra;
  }
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] = deepMerge(base[k], v);
  }
  return out;
}

/**
 * window.grafanaBootData for the host page: minimal but valid settings, an Admin user with no
 * RBAC permissions (tests that need some pass them in `overrides.user.permissions`), and the
 * installed panels/apps as Grafana lists them. `overrides` is deep-merged.
 */
export function buildBootData({ plugins = [], origin = '', overrides = {} } = {}) {
  const panels = {};
  const apps = {};
  for (const p of plugins) {
    const meta = pluginMeta(p);
    if (p.type === 'panel') {
      panels[p.id] = meta;
    } else if (p.type === 'app') {
      apps[p.id] = {
        id: p.id,
        path: meta.module,
        version: meta.info?.version ?? '',
        preload: Boolean(p.json.preload),
        angular: { detected: false },
        loadingStrategy: 'fetch',
        dependencies: p.json.dependencies ?? {},
        extensions: {
          addedLinks: [],
          addedComponents: [],
          exposedComponents: [],
          extensionPoints: [],
          addedFunctions: [],
        },
      };
    }
  }
  const boot = {
    settings: {
      appUrl: `${origin}/`,
      appSubUrl: '',
      buildInfo: {
        version: GRAFANA_VERSION,
        versionString: `Grafana v${GRAFANA_VERSION}`,
        commit: 'browser-harness',
        env: 'production',
        edition: 'Open Source',
        latestVersion: '',
        hasUpdate: false,
        hideVersion: false,
        buildstamp: 0,
      },
      datasources: {},
      defaultDatasource: '',
      panels,
      apps,
      featureToggles: {},
    },
    user: {
      id: 1,
      uid: 'harness-admin',
      login: 'admin',
      email: 'admin@localhost',
      name: 'Admin',
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: 'Admin',
      isGrafanaAdmin: true,
      isSignedIn: true,
      theme: 'dark',
      timezone: 'browser',
      weekStart: '',
      locale: 'en-US',
      language: 'en-US',
      helpFlags1: 0,
      hasEditPermissionInFolders: true,
      permissions: {},
      analytics: { identifier: 'harness-admin' },
      gravatarUrl: '',
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
  return deepMerge(boot, overrides);
}
