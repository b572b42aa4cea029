// Entry of the browser harness host bundle: a stand-in for Grafana's frontend boot as far as plugin
// loading goes. Order matters: boot data check, then everything that evaluates @grafana/runtime.
import './boot';

import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUI from '@grafana/ui';

import { describeDataSource, importPlugin, loaded, resolveModulePath } from './importer';
import { initSystemJSHooks } from './loaderHooks';
import { installRuntimeServices } from './services';
import { SystemJS } from './systemjs';

initSystemJSHooks();
installRuntimeServices();

const harness = {
  importPlugin,
  describeDataSource,
  resolveModulePath,
  loaded,
  SystemJS,
  // The instances plugins get as package:@grafana/*; use these (not a second copy) in later steps.
  data: grafanaData,
  runtime: grafanaRuntime,
  ui: grafanaUI,
  /** What the registered runtime's config read from the boot data, for a boot-order check. */
  bootInfo: () => ({
    buildVersion: grafanaRuntime.config.buildInfo?.version,
    appSubUrl: grafanaRuntime.config.appSubUrl,
    userLogin: grafanaRuntime.config.bootData?.user?.login,
  }),
};

declare global {
  interface Window {
    gsHarness: typeof harness;
  }
}

window.gsHarness = harness;
document.documentElement.dataset.gsHarness = 'ready';
