// Starts a private single-node OpenSearch 2.19 (test-support/opensearch) on 127.0.0.1 for the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  httpJson,
  makeTempDir,
  pollUntil,
  removeDir,
  serviceError,
  spawnService,
  stopService,
  waitForLine,
} from './process-utils.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LAUNCHER_DIR = path.join(REPO_ROOT, 'test-support/opensearch');
const TARGET = path.join(LAUNCHER_DIR, 'target');
const JAR = path.join(TARGET, 'opensearch-launcher-1.0.0.jar');
const MAIN_CLASS = 'io.gridsentinel.testsupport.OpenSearchLauncher';

function newestMtime(p) {
  const st = statSync(p);
  if (!st.isDirectory()) {
    return st.mtimeMs;
  }
  return Math.max(st.mtimeMs, ...readdirSync(p).map((e) => newestMtime(path.join(p, e))));
}

/** true if target/ is missing or older than pom.xml / src. */
export function launcherNeedsBuild() {
  if (!existsSync(JAR) || !existsSync(path.join(TARGET, 'lib'))) {
    return true;
  }
  const built = statSync(JAR).mtimeMs;
  return newestMtime(path.join(LAUNCHER_DIR, 'pom.xml')) > built || newestMtime(path.join(LAUNCHER_DIR, 'src')) > built;
}

/** Runs the Maven build if needed; returns the build time in ms (0 if it was up to date). */
export function buildLauncher({ force = false } = {}) {
  if (!force && !launcherNeedsBuild()) {
    return 0;
  }
  const t0 = Date.now();
  const mvnArgs = ['-q', '-B', '-f', path.join(LAUNCHER_DIR, 'pom.xml'), 'package'];
  if (process.env.GS_MAVEN_OFFLINE === '1') {
    mvnArgs.unshift('-o');
  }
  const r = spawnSync('mvn', mvnArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(
      `OpenSearch launcher build failed (mvn ${mvnArgs.join(' ')}): ${r.error?.message ?? `exit ${r.status}`}\n` +
        `${out}\nNeeds Java 17 and Maven (scripts/install-services.sh installs them).`
    );
  }
  return Date.now() - t0;
}

/**
 * @param {object} [opts]
 * @param {number} [opts.port=0] HTTP port; 0 picks a free one (no race: the node binds it and reports it)
 * @param {string} [opts.heap] JVM heap, default GS_OPENSEARCH_HEAP or 512m
 * @param {number} [opts.timeoutMs=180000] start timeout (first start on a cold 2-core machine is the slow case)
 * @returns {Promise<{url: string, pid: number, home: string, timings: {buildMs: number, startMs: number}, stop: () => Promise<void>}>}
 */
export async function startOpenSearch(opts = {}) {
  const { port = 0, heap = process.env.GS_OPENSEARCH_HEAP || '512m', timeoutMs = 180000, javaOpts = [] } = opts;
  const buildMs = buildLauncher();
  const t0 = Date.now();
  const home = await makeTempDir('gs-opensearch-');
  const jvm = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseSerialGC', // 2-core CI machines: no parallel GC threads fighting the tests
    '-XX:TieredStopAtLevel=1', // faster start; throughput is irrelevant for small test data
    '-XX:-UsePerfData',
    '-Dopensearch.set.netty.runtime.available.processors=false',
    '-Djava.locale.providers=SPI,COMPAT', // same date/week semantics as the OpenSearch distribution
    '-Dlog4j2.disable.jmx=true',
    '-Dlog4j.shutdownHookEnabled=false', // the node closes itself in our hook; avoids a log4j warning at exit
    `-Djava.io.tmpdir=${home}`,
    ...javaOpts,
  ];
  const classpath = `${path.join(TARGET, 'classes')}:${path.join(TARGET, 'lib')}/*`;
  const svc = spawnService(
    'opensearch',
    'java',
    [...jvm, '-cp', classpath, MAIN_CLASS, home, String(port), '--exit-on-stdin-close'],
    { cwd: home, logFile: path.join(home, 'launcher.log') }
  );
  let stopped = false;
  const stop = async () => {
    if (stopped) {
      return;
    }
    stopped = true;
    await stopService(svc);
    await removeDir(home);
  };
  try {
    const [, url] = await waitForLine(svc, /^OPENSEARCH_READY (http:\/\/127\.0\.0\.1:\d+)$/, timeoutMs);
    const remaining = Math.max(5000, timeoutMs - (Date.now() - t0));
    await pollUntil(
      svc,
      'cluster health yellow/green',
      async () => {
        const r = await httpJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`);
        return r.status === 200 && ['yellow', 'green'].includes(r.json?.status);
      },
      remaining
    );
    svc.unref();
    return { url, pid: svc.child.pid, home, timings: { buildMs, startMs: Date.now() - t0 }, stop };
  } catch (err) {
    const e = err.serviceLog !== undefined ? err : serviceError(svc, err.message);
    await stop();
    throw e;
  }
}
