// Grafana's plugin importer (public/app/features/plugins/importer/*) reduced to what loading needs:
// register the plugin's version for cache busting, resolve meta.module against appSubUrl, import it
// through the hooked SystemJS, then treat the exports the way Grafana treats each plugin type.
// On top of that it reports whether `plugin` is an instance of the base classes from the SAME
// @grafana/data instance that was registered as `package:@grafana/data` - a plugin that bundled its
// own copy would load in Grafana but fail in subtle ways (instanceof checks, shared singletons).
import {
  AppPlugin,
  DataSourceApi,
  DataSourcePlugin,
  PanelPlugin,
  type DataSourceInstanceSettings,
  type PluginMeta,
} from '@grafana/data';
import { config } from '@grafana/runtime';

import { registerPluginInfo } from './loaderHooks';
import { SystemJS } from './systemjs';

export type HarnessPluginMeta = PluginMeta & { loadingStrategy?: 'fetch' | 'script' };

export type SerializedError = { message: string; stack?: string };

export type ImportSummary =
  | {
      ok: true;
      id: string;
      type: string;
      /** URL SystemJS resolved (what module.uri, hence webpack's public path, is derived from). */
      resolvedUrl: string;
      exportNames: string[];
      hasPluginExport: boolean;
      /** Which shared base class `plugin` is an instance of, or "none". */
      pluginClass: 'AppPlugin' | 'DataSourcePlugin' | 'PanelPlugin' | 'none';
      pluginConstructorName: string | null;
      /** For data sources: DataSourceClass extends the shared DataSourceApi. */
      dataSourceClassExtendsShared?: boolean;
    }
  | { ok: false; id: string; type: string; resolvedUrl?: string; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { message: err.message, stack: err.stack };
  }
  return { message: String(err) };
}

// Grafana: `${appSubUrl}/${path}` unless the path is absolute or a full URL.
export function resolveModulePath(path: string): string {
  if (path.startsWith('http') || path.startsWith('/')) {
    return path;
  }
  return `${config.appSubUrl ?? ''}/${path}`;
}

function classify(plugin: unknown): Extract<ImportSummary, { ok: true }>['pluginClass'] {
  // Most specific first: all three extend GrafanaPlugin.
  if (plugin instanceof AppPlugin) {
    return 'AppPlugin';
  }
  if (plugin instanceof DataSourcePlugin) {
    return 'DataSourcePlugin';
  }
  if (plugin instanceof PanelPlugin) {
    return 'PanelPlugin';
  }
  return 'none';
}

/** Live results, for later steps (rendering a panel, constructing a data source). */
export const loaded = new Map<string, { meta: HarnessPluginMeta; exports: System.Module; plugin: unknown }>();
const inFlight = new Map<string, Promise<ImportSummary>>();

async function importOnce(meta: HarnessPluginMeta): Promise<ImportSummary> {
  const base = { id: meta.id, type: meta.type };
  let resolvedUrl: string | undefined;
  try {
    if (meta.info?.version) {
      registerPluginInfo(meta.module, meta.info.version, meta.loadingStrategy ?? 'fetch');
    }
    const modulePath = resolveModulePath(meta.module);
    resolvedUrl = SystemJS.resolve(modulePath);
    const exports = (await SystemJS.import(modulePath)) as System.Module & Record<string, unknown>;
    const exportNames = Object.keys(exports);
    let plugin: unknown;

    switch (meta.type) {
      case 'app': {
        // Grafana silently falls back to an empty AppPlugin; hasPluginExport below makes that visible.
        const app = (exports.plugin as AppPlugin | undefined) ?? new AppPlugin();
        app.init(meta as never);
        app.meta = meta as never;
        app.setComponentsFromLegacyExports(exports);
        plugin = app;
        break;
      }
      case 'datasource': {
        if (!exports.plugin) {
          // Grafana would still wrap a legacy `Datasource` export; this plugin is not meant to have one.
          throw new Error(
            `Plugin module is missing DataSourcePlugin or Datasource constructor export (exports: ${exportNames.join(', ') || 'none'})`
          );
        }
        (exports.plugin as DataSourcePlugin<DataSourceApi>).meta = meta as never;
        plugin = exports.plugin;
        break;
      }
      case 'panel': {
        const panel = (await exports.plugin) as PanelPlugin | undefined;
        if (!panel) {
          throw new Error(`missing export: plugin (exports: ${exportNames.join(', ') || 'none'})`);
        }
        panel.meta = meta as never;
        plugin = panel;
        break;
      }
      default:
        throw new Error(`browser harness: unsupported plugin type "${meta.type}"`);
    }

    loaded.set(meta.id, { meta, exports, plugin });
    const summary: ImportSummary = {
      ...base,
      ok: true,
      resolvedUrl,
      exportNames,
      hasPluginExport: 'plugin' in exports,
      pluginClass: classify(plugin),
      pluginConstructorName: (plugin as object | null)?.constructor?.name ?? null,
    };
    if (plugin instanceof DataSourcePlugin) {
      const cls = plugin.DataSourceClass as unknown as { prototype: unknown } | undefined;
      summary.dataSourceClassExtendsShared = Boolean(cls && cls.prototype instanceof DataSourceApi);
    }
    return summary;
  } catch (err) {
    return { ...base, ok: false, resolvedUrl, error: serializeError(err) };
  }
}

/** Like Grafana, one import per plugin id, in-flight promises shared. */
export function importPlugin(meta: HarnessPluginMeta): Promise<ImportSummary> {
  let p = inFlight.get(meta.id);
  if (!p) {
    p = importOnce(meta);
    inFlight.set(meta.id, p);
  }
  return p;
}

export type DataSourceSummary =
  | { ok: true; instanceOfSharedDataSourceApi: boolean; name: string; uid: string; type: string; className: string }
  | { ok: false; error: SerializedError };

/** Constructs the loaded data source plugin's DataSourceClass, as DatasourceSrv does on first use. */
export function createDataSource(pluginId: string, settings: Partial<DataSourceInstanceSettings>) {
  const entry = loaded.get(pluginId);
  if (!entry || !(entry.plugin instanceof DataSourcePlugin)) {
    throw new Error(`browser harness: data source plugin "${pluginId}" has not been imported`);
  }
  const instanceSettings = {
    id: 1,
    uid: `${pluginId}-uid`,
    type: pluginId,
    name: 'GridSentinel (harness)',
    access: 'proxy',
    url: `/api/datasources/proxy/uid/${pluginId}-uid`,
    jsonData: {},
    readOnly: false,
    meta: entry.meta,
    ...settings,
  } as DataSourceInstanceSettings;
  return new entry.plugin.DataSourceClass(instanceSettings);
}

export function describeDataSource(
  pluginId: string,
  settings: Partial<DataSourceInstanceSettings> = {}
): DataSourceSummary {
  try {
    const ds = createDataSource(pluginId, settings);
    return {
      ok: true,
      instanceOfSharedDataSourceApi: ds instanceof DataSourceApi,
      name: ds.name,
      uid: ds.uid,
      type: ds.type,
      className: ds.constructor.name,
    };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}
