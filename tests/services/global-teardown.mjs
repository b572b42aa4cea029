// Jest globalTeardown: stops what global-setup.mjs started (same process, handles on globalThis).
export default async function globalTeardown() {
  const services = globalThis.__GS_SERVICES__ ?? {};
  delete globalThis.__GS_SERVICES__;
  const results = await Promise.allSettled(Object.values(services).map((s) => s.stop()));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    throw new Error(`[services] teardown failed: ${failed.map((r) => r.reason?.message).join('; ')}`);
  }
}
