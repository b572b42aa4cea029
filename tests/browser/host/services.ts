// Runtime services Grafana sets at boot (public/app/app.ts) that are cheap and safe to provide.
// Loading a module needs none of them; they are set so code that reads them at import time sees
// Grafana-like values. Later tests plug stand-ins through window.gsHarness.runtime (the registered
// @grafana/runtime instance), e.g. setBackendSrv (fetch-based, talking to server.mjs routes),
// setDataSourceSrv, setTemplateSrv. setCurrentUser / setPluginImportUtils may only be called once.
import { EventBusSrv } from '@grafana/data';
import { config, locationService, setAppEvents, setBackendSrv, setCurrentUser, setLocationSrv } from '@grafana/runtime';

import { createBackendSrv } from './backendSrv';

export function installRuntimeServices() {
  setAppEvents(new EventBusSrv());
  setLocationSrv(locationService);
  setCurrentUser(config.bootData.user as never);
  setBackendSrv(createBackendSrv());
}
