// Grafana's SystemJS setup (initSystemJSHooks in public/app/features/plugins/loader/systemjsHooks.ts
// and pluginInfoCache.ts), rewritten for the harness: import map under the `package:` prefix,
// fetch + eval for plugin files, `?_cache=<plugin version>` on every plugin .js/.css URL,
// `__useDefault` unwrapping on import.
import { sharedDependencies, type Preload } from './sharedDependencies';
import { SystemJS, systemJSPrototype } from './systemjs';

const SHARED_DEPENDENCY_PREFIX = 'package';
const JS_CONTENT_TYPE_REGEX = /^(text|application)\/(x-)?javascript(;|$)/;
const PLUGIN_PATH_REGEX = /\/?public\/plugins\/([^\/]+)\//;
// Grafana falls back to its page-load time when a plugin's version is unknown.
const CACHE_INITIALISED_AT = Date.now();

type PluginInfo = { version?: string; loadingStrategy: 'fetch' | 'script' };
const pluginInfo: Record<string, PluginInfo> = {};

export function registerPluginInfo(
  path: string,
  version: string | undefined,
  loadingStrategy: PluginInfo['loadingStrategy']
) {
  const key = path.match(PLUGIN_PATH_REGEX)?.[1];
  if (key && !pluginInfo[key]) {
    pluginInfo[key] = { version: version ? encodeURI(version) : undefined, loadingStrategy };
  }
}

// Substring match on purpose: that is what Grafana does, so an id that is a substring of another
// plugin's URL would pick the wrong version here too.
function cacheKeyFor(url: string): string | undefined {
  return Object.keys(pluginInfo).find((key) => url.includes(key));
}

function withCacheBust(url: string): string {
  const key = cacheKeyFor(url);
  return `${url}?_cache=${(key && pluginInfo[key].version) || CACHE_INITIALISED_AT}`;
}

// Legacy SystemJS behaviour Grafana keeps: strip a trailing "!" and default to .js.
function backwardsCompatibleUrl(url: string): string {
  if (url.startsWith(`${SHARED_DEPENDENCY_PREFIX}:`)) {
    return url;
  }
  const clean = url.endsWith('!') ? url.slice(0, -1) : url;
  return ['css', 'js', 'json', 'wasm'].some((ext) => clean.endsWith(ext)) ? clean : `${clean}.js`;
}

function registerSharedDependency(id: string, preload: Preload) {
  if (typeof preload === 'function') {
    // Lazy: a named System.register whose execute step awaits the dynamic import.
    SystemJS.register(id, [], (_export) => ({
      execute: async () => {
        _export((await preload()) as System.Module);
      },
    }));
  } else {
    SystemJS.set(id, preload as System.Module);
  }
}

let installed = false;

export function initSystemJSHooks() {
  if (installed) {
    return;
  }
  // SystemJS treats a System.register() made while the document is still parsing as the body of the
  // last <script src> and imports that script's URL; with the ?_cache resolve hook the URL misses its
  // auto-import cache, so the whole host bundle would be fetched and evaluated a second time
  // (second React/@emotion/@grafana instances). Hence the deferred host script.
  if (document.readyState === 'loading') {
    throw new Error('browser harness: initSystemJSHooks() must run after parsing (load the host bundle with defer)');
  }
  installed = true;

  const imports: Record<string, string> = {};
  for (const [name, preload] of Object.entries(sharedDependencies)) {
    const id = `${SHARED_DEPENDENCY_PREFIX}:${name}`;
    registerSharedDependency(id, preload);
    imports[name] = id;
  }
  SystemJS.addImportMap({ imports });

  // true = fetch + eval (Grafana's default); false = <script> tag for loadingStrategy "script".
  systemJSPrototype.shouldFetch = (url: string) => {
    if (!/^[^#?]+\.js([?#].*)?$/.test(url)) {
      return true;
    }
    const key = cacheKeyFor(url);
    return (key && pluginInfo[key].loadingStrategy) !== 'script';
  };

  const originalImport = systemJSPrototype.import;
  systemJSPrototype.import = function (this: unknown, ...args: Parameters<typeof originalImport>) {
    return originalImport.apply(this, args).then((mod) => (mod && mod.__useDefault ? mod.default : mod));
  };

  const originalFetch = systemJSPrototype.fetch;
  systemJSPrototype.fetch = async function (this: unknown, url: string, options?: RequestInit) {
    const res = await originalFetch.call(this, url, options);
    if (JS_CONTENT_TYPE_REGEX.test(res.headers.get('content-type') || '')) {
      // Grafana re-wraps the source (and rewrites it for the CDN, not modelled here).
      return new Response(new Blob([await res.text()], { type: 'text/javascript' }));
    }
    return res;
  };

  const originalResolve = systemJSPrototype.resolve;
  systemJSPrototype.resolve = function (this: unknown, id: string, parentUrl?: string) {
    try {
      const url = backwardsCompatibleUrl(originalResolve.call(this, id, parentUrl));
      return url.endsWith('.js') || url.endsWith('.css') ? withCacheBust(url) : url;
    } catch {
      console.warn(`SystemJS: failed to resolve '${id}'`);
      return id;
    }
  };

  // Old plugins import .css through SystemJS; Grafana adopts the resulting CSS module sheet.
  systemJSPrototype.onload = (err: unknown, id: string) => {
    if (!err && new URL(id, window.location.origin).pathname.endsWith('.css')) {
      const sheet = SystemJS.get(id)?.default as CSSStyleSheet | undefined;
      if (sheet) {
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
    }
  };
}
