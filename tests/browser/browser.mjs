// Headless Debian Chromium through playwright-core, with what a page did wrong collected in one place.
// Flags: software WebGL through ANGLE + SwiftShader (later tests need WebGL; see
// /work/shared/research/tfjs.md section 3), no sandbox (root in a container), no background traffic.
// Playwright's launch() already uses a fresh temporary profile (it refuses --user-data-dir in args).
import { existsSync } from 'node:fs';

import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.GS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * `gpu: 'chromium-default'` drops the flags that put compositing and raster on SwiftShader's emulated GPU,
 * leaving Chromium's own choice on a machine without a GPU (software compositing; WebGL still works).
 */
export async function launchChromium({ args = [], gpu = 'swiftshader' } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}; install it with \`apt-get update && apt-get install -y chromium\` ` +
        '(or set GS_CHROMIUM); do not use `npx playwright install`'
    );
  }
  const forceGpu = new Set(['--use-angle=swiftshader', '--ignore-gpu-blocklist']);
  const base = gpu === 'chromium-default' ? CHROMIUM_ARGS.filter((a) => !forceGpu.has(a)) : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...base, ...args] });
}

/**
 * Records what a page does: uncaught errors, console errors/warnings, failed requests and HTTP >= 400
 * responses, and every request URL. Attach before page.goto().
 */
export function watchPage(page) {
  const w = {
    pageErrors: [],
    consoleErrors: [],
    consoleWarnings: [],
    failedRequests: [],
    badResponses: [],
    requests: [],
    inFlight: 0,
    /** Resolves once no request has been in flight for quietMs (late chunk loads count too). */
    async settle({ quietMs = 300, timeoutMs = 10000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        if (w.inFlight > 0) {
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= quietMs) {
          return;
        }
      }
      throw new Error(`page network did not go quiet within ${timeoutMs} ms (${w.inFlight} requests in flight)`);
    },
  };
  page.on('requestfinished', () => w.inFlight--);
  page.on('pageerror', (err) => w.pageErrors.push(err.stack || err.message));
  page.on('console', (msg) => {
    const loc = msg.location();
    const where = loc?.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    if (msg.type() === 'error') {
      w.consoleErrors.push(msg.text() + where);
    } else if (msg.type() === 'warning') {
      w.consoleWarnings.push(msg.text() + where);
    }
  });
  page.on('request', (req) => {
    w.inFlight++;
    w.requests.push(req.url());
  });
  page.on('requestfailed', (req) => {
    w.inFlight--;
    w.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) {
      w.badResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  return w;
}

/** Opens the host page and waits until window.gsHarness exists; throws if the host bundle failed to boot. */
export async function openHost(page, url, { timeoutMs = 30000 } = {}) {
  await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  await page.waitForFunction(() => document.documentElement.dataset.gsHarness, null, { timeout: timeoutMs });
  const state = await page.evaluate(() => document.documentElement.dataset.gsHarness);
  if (state !== 'ready') {
    throw new Error(`host page did not boot (state "${state}"); see the page errors`);
  }
}
