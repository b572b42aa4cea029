// What every browser test script shares: named checks printed as "ok - ..." / "not ok - ...", and the
// closing "N passed, M failed" line (read by scripts/test-all.sh) with a failing exit code.

export function createChecks() {
  const results = [];
  const indent = (text) => text.split('\n').join('\n    ');
  return {
    results,
    async check(name, fn) {
      try {
        await fn();
        results.push(true);
        console.log(`ok - ${name}`);
      } catch (err) {
        results.push(false);
        console.log(`not ok - ${name}\n    ${indent(err?.stack ?? String(err))}`);
      }
    },
    crashed(err) {
      results.push(false);
      console.log(`not ok - harness crashed\n    ${indent(err?.stack ?? String(err))}`);
    },
    finish() {
      const passed = results.filter(Boolean).length;
      console.log(`${passed} passed, ${results.length - passed} failed`);
      process.exitCode = passed === results.length ? 0 : 1;
    },
  };
}

/** Grafana's web fonts ship inside Grafana, not in any npm package: their 404s are expected in the harness. */
const FONT_REQUEST = /\/public\/fonts\//;

/**
 * What went wrong on a page besides expected font 404s: uncaught errors, console errors, HTTP >= 400
 * responses the browser saw and 404s the harness server answered.
 */
export function pageProblems(watched, server) {
  const expected = (text) => FONT_REQUEST.test(text);
  return [
    ...watched.pageErrors,
    ...watched.consoleErrors.filter((e) => !expected(e)),
    ...watched.badResponses.filter((r) => !expected(r)),
    ...server.notFound.filter((r) => !expected(r.url)).map((r) => `404 ${r.url}`),
  ];
}
