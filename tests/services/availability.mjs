// Policy for a test service (OpenSearch, Graphite) that fails to start:
//  - CI set            -> hard error, always.
//  - GS_SKIP_SERVICES=1 -> loud warning; tests that need the service skip themselves.
//  - otherwise         -> hard error (a silent skip would hide a broken setup).

/**
 * @param {string} name service name, e.g. "opensearch"
 * @param {Error} err why it failed
 * @returns {{ skipped: true, reason: string }} only when skipping is allowed; otherwise throws
 */
export function serviceUnavailable(name, err) {
  const reason = err?.message ?? String(err);
  if (process.env.CI) {
    throw new Error(`Test service "${name}" failed to start (CI is set, so this is fatal):\n${reason}`, { cause: err });
  }
  if (process.env.GS_SKIP_SERVICES === '1') {
    const bar = '!'.repeat(78);
    console.warn(
      [
        '',
        bar,
        `!!! TEST SERVICE "${name.toUpperCase()}" IS NOT AVAILABLE — TESTS THAT NEED IT WILL BE SKIPPED`,
        '!!! (GS_SKIP_SERVICES=1 is set; without it this is an error, and under CI it always is)',
        bar,
        ...reason.split('\n').map((l) => `!!! ${l}`),
        bar,
        '',
      ].join('\n')
    );
    return { skipped: true, reason };
  }
  throw new Error(
    `Test service "${name}" failed to start:\n${reason}\n\n` +
      'Fix the setup (bash scripts/install-services.sh), or set GS_SKIP_SERVICES=1 to skip the tests that need it.',
    { cause: err }
  );
}
