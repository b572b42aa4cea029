// The shared dependencies Grafana 13 hands to plugins through SystemJS, keyed by the specifier the
// plugin's AMD define() asks for (list: public/app/features/plugins/loader/sharedDependencies.ts).
// Eager entries are module objects; functions are lazy and get registered with named-register,
// exactly as Grafana does. The @grafana/* instances here are the ones classification checks use.
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUIRaw from '@grafana/ui';

export type Preload = object | (() => Promise<object>);

// Grafana re-exports the plugin base classes on @grafana/ui for plugins written before 6.5.
const grafanaUI = {
  ...grafanaUIRaw,
  PanelPlugin: grafanaData.PanelPlugin,
  DataSourcePlugin: grafanaData.DataSourcePlugin,
  AppPlugin: grafanaData.AppPlugin,
  DataSourceApi: grafanaData.DataSourceApi,
};

// Grafana internals (app/core/*) and packages not installed here: importing them fails with a clear
// message instead of a generic resolve error, so a test names what the plugin asked for.
const notProvided = (name: string) => () =>
  Promise.reject(new Error(`browser harness: shared dependency "${name}" exists in Grafana but not in this harness`));

// Grafana adds lodash.move (removed from lodash 4) for old plugins; a small stand-in with the same contract.
function arrayMove<T>(array: T[], from: number, to: number): T[] {
  array.splice(to, 0, array.splice(from, 1)[0]);
  return array;
}

const flot = [
  'jquery.flot',
  'jquery.flot.crosshair',
  'jquery.flot.events',
  'jquery.flot.fillbelow',
  'jquery.flot.gauge',
  'jquery.flot.pie',
  'jquery.flot.selection',
  'jquery.flot.stack',
  'jquery.flot.stackpercent',
  'jquery.flot.time',
];

export const sharedDependencies: Record<string, Preload> = {
  '@emotion/css': () => import('@emotion/css'),
  '@emotion/react': () => import('@emotion/react'),
  '@grafana/data': grafanaData,
  '@grafana/data/unstable': () => import('@grafana/data/unstable'),
  '@grafana/runtime': grafanaRuntime,
  '@grafana/runtime/unstable': () => import('@grafana/runtime/unstable'),
  '@grafana/slate-react': () => import('slate-react'),
  '@grafana/ui': grafanaUI,
  '@grafana/ui/unstable': () => import('@grafana/ui/unstable'),
  '@kusto/monaco-kusto': notProvided('@kusto/monaco-kusto'),
  'app/core/app_events': notProvided('app/core/app_events'),
  'app/core/config': { default: grafanaRuntime.config, __useDefault: true },
  'app/core/core': notProvided('app/core/core'),
  'app/core/services/backend_srv': notProvided('app/core/services/backend_srv'),
  'app/core/table_model': notProvided('app/core/table_model'),
  'app/core/time_series': notProvided('app/core/time_series'),
  'app/core/time_series2': notProvided('app/core/time_series2'),
  'app/core/utils/datemath': grafanaData.dateMath,
  'app/core/utils/flatten': notProvided('app/core/utils/flatten'),
  'app/core/utils/kbn': notProvided('app/core/utils/kbn'),
  'app/core/utils/ticks': notProvided('app/core/utils/ticks'),
  'app/features/dashboard/impression_store': notProvided('app/features/dashboard/impression_store'),
  d3: notProvided('d3'),
  emotion: () => import('@emotion/css'),
  // Grafana shares its initialised i18next instance (not the module namespace).
  i18next: () => import('i18next').then((m) => m.default),
  jquery: () => import('jquery').then((m) => ({ default: m.default, __useDefault: true })),
  ...Object.fromEntries(flot.map((name) => [name, { fakeDep: 1 }])),
  lodash: () => import('lodash').then((m) => ({ ...m, move: arrayMove, __useDefault: true })),
  moment: () => import('moment').then((m) => ({ ...m, __useDefault: true })),
  prismjs: () => import('prismjs'),
  react: () => import('react'),
  'react/jsx-runtime': () => import('react/jsx-runtime'),
  'react/jsx-dev-runtime': () => import('react/jsx-dev-runtime'),
  'react-dom': () => import('react-dom'),
  'react-dom/client': () => import('react-dom/client'),
  'react-dom/server': () => import('react-dom/server'),
  'react-inlinesvg': () => import('react-inlinesvg'),
  'react-redux': () => import('react-redux'),
  'react-router-dom': () => import('react-router-dom'),
  'react-router': () => import('react-router-dom-v5-compat'),
  redux: () => import('redux'),
  rxjs: () => import('rxjs'),
  'rxjs/operators': () => import('rxjs/operators'),
  slate: () => import('slate'),
  'slate-plain-serializer': () => import('slate-plain-serializer'),
  'slate-react': () => import('slate-react'),
};
