// Jest globalSetup: starts OpenSearch and Graphite once for the whole run and hands their addresses
// to test workers through process.env (workers are forked after this and inherit it).
// Tests that need a service should skip when its variable is unset (GS_SKIP_SERVICES=1 case), e.g.
//   const describeOs = process.env.GS_OPENSEARCH_URL ? describe : describe.skip;
import { serviceUnavailable } from './availability.mjs';
import { startGraphite } from './graphite.mjs';
import { startOpenSearch } from './opensearch.mjs';

export default async function globalSetup() {
  const t0 = Date.now();
  const [os, gr] = await Promise.allSettled([startOpenSearch(), startGraphite()]);
  const services = {};
  globalThis.__GS_SERVICES__ = services;
  if (os.status === 'fulfilled') {
    services.opensearch = os.value;
  }
  if (gr.status === 'fulfilled') {
    services.graphite = gr.value;
  }
  try {
    if (os.status === 'rejected') {
      serviceUnavailable('opensearch', os.reason);
    }
    if (gr.status === 'rejected') {
      serviceUnavailable('graphite', gr.reason);
    }
  } catch (err) {
    // Jest skips globalTeardown when globalSetup throws: stop whatever did start.
    await Promise.allSettled(Object.values(services).map((s) => s.stop()));
    throw err;
  }
  const skipped = [];
  if (services.opensearch) {
    process.env.GS_OPENSEARCH_URL = services.opensearch.url;
  } else {
    delete process.env.GS_OPENSEARCH_URL;
    skipped.push('opensearch');
  }
  if (services.graphite) {
    process.env.GS_GRAPHITE_URL = services.graphite.url;
    process.env.GS_CARBON_HOST = services.graphite.carbonHost;
    process.env.GS_CARBON_PORT = String(services.graphite.carbonPort);
  } else {
    for (const k of ['GS_GRAPHITE_URL', 'GS_CARBON_HOST', 'GS_CARBON_PORT']) {
      delete process.env[k];
    }
    skipped.push('graphite');
  }
  process.env.GS_SERVICES_SKIPPED = skipped.join(',');
  console.log(
    `\n[services] ready in ${Date.now() - t0} ms: ` +
      `opensearch=${services.opensearch?.url ?? 'SKIPPED'} graphite=${services.graphite?.url ?? 'SKIPPED'}` +
      (services.graphite ? ` carbon=${services.graphite.carbonHost}:${services.graphite.carbonPort}` : '')
  );
}
