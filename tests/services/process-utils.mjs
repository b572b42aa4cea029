// Shared helpers for the test services (OpenSearch, Graphite): child processes in their own process
// group, log capture, readiness polling, free loopback ports. Node built-ins only.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Process groups still running; killed synchronously if this Node process exits without stop(). */
const liveGroups = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true if promise settles within ms, false otherwise; the timer never outlives the race. */
function settlesWithin(promise, ms) {
  let timer;
  return Promise.race([
    promise.then(() => true),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function makeTempDir(prefix) {
  return mkdtemp(path.join(process.env.GS_SERVICES_TMPDIR || os.tmpdir(), prefix));
}

export async function removeDir(dir) {
  if (dir && process.env.GS_KEEP_SERVICE_DIRS !== '1') {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** A free TCP port on 127.0.0.1 (bind to 0, read, close). Callers retry if someone grabs it meanwhile. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Distinct free ports (distinct even though each probe socket is closed before the next one opens). */
export async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) {
    ports.add(await freePort());
  }
  return [...ports];
}

export function canConnect(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Spawns a long-running service in its own process group, tees stdout+stderr into logFile and keeps
 * the last lines in memory for error messages.
 */
export function spawnService(name, command, args, { cwd, env, logFile } = {}) {
  installExitHook();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true, // own process group: stop() kills the JVM/python and anything they forked
    stdio: ['pipe', 'pipe', 'pipe'], // stdin stays open: children exit when it closes (parent gone)
  });
  const tail = [];
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  const lineListeners = new Set();
  const svc = {
    name,
    child,
    exited: false,
    exitCode: null,
    exitSignal: null,
    onLine(fn) {
      lineListeners.add(fn);
      return () => lineListeners.delete(fn);
    },
    tail(n = 40) {
      return tail.slice(-n).join('\n');
    },
    // Once ready: don't let the service's handles keep this Node process alive (the exit hook still kills it).
    unref() {
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) {
        s?.unref?.();
      }
    },
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log?.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 300) {
          tail.shift();
        }
        for (const fn of lineListeners) {
          fn(line);
        }
      }
    });
  }
  child.stdin.on('error', () => {}); // EPIPE if the child dies first
  if (child.pid) {
    liveGroups.add(child.pid);
  }
  svc.exitPromise = new Promise((resolve) => {
    child.on('error', (err) => {
      tail.push(`[spawn error] ${err.message}`);
      svc.exited = true;
      liveGroups.delete(child.pid);
      resolve();
    });
    child.on('exit', (code, signal) => {
      svc.exited = true;
      svc.exitCode = code;
      svc.exitSignal = signal;
      liveGroups.delete(child.pid);
      resolve();
    });
  });
  svc.exitPromise.then(() => log?.end());
  return svc;
}

/** Resolves with the first stdout/stderr line matching re; rejects if the process exits or time runs out. */
export function waitForLine(svc, re, timeoutMs) {
  return new Promise((resolve, reject) => {
    let timer;
    const off = svc.onLine((line) => {
      const m = line.match(re);
      if (m) {
        cleanup();
        resolve(m);
      }
    });
    const cleanup = () => {
      off();
      clearTimeout(timer);
    };
    timer = setTimeout(() => {
      cleanup();
      reject(serviceError(svc, `did not print ${re} within ${timeoutMs} ms`));
    }, timeoutMs);
    svc.exitPromise.then(() => {
      cleanup();
      reject(serviceError(svc, `exited early (code ${svc.exitCode}, signal ${svc.exitSignal})`));
    });
  });
}

/** Polls check() until it returns a truthy value; fails on timeout or if svc exits. */
export async function pollUntil(svc, what, check, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (svc?.exited) {
      throw serviceError(svc, `exited (code ${svc.exitCode}, signal ${svc.exitSignal}) while waiting for ${what}`);
    }
    try {
      const v = await check();
      if (v) {
        return v;
      }
    } catch (err) {
      lastErr = err;
    }
    await sleep(intervalMs);
  }
  throw serviceError(
    svc,
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr.message})` : ''}`
  );
}

export function serviceError(svc, msg) {
  const tail = svc ? svc.tail(40) : '';
  const err = new Error(
    `${svc?.name ?? 'service'} ${msg}${tail ? `\n--- last log lines of ${svc.name} ---\n${tail}\n---` : ''}`
  );
  err.serviceLog = tail;
  return err;
}

/** SIGTERM the process group, wait, then SIGKILL; resolves once the leader has exited. */
export async function stopService(svc, graceMs = 15000) {
  if (!svc || !svc.child.pid) {
    return;
  }
  const pid = svc.child.pid;
  svc.child.ref(); // keep the loop alive until the exit event arrives
  const signalGroup = (sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // group already gone
    }
  };
  if (!svc.exited) {
    signalGroup('SIGTERM');
    if (!(await settlesWithin(svc.exitPromise, graceMs))) {
      signalGroup('SIGKILL');
      await settlesWithin(svc.exitPromise, 5000);
    }
  }
  // Forked grandchildren may outlive the leader; the group id is the leader's pid.
  signalGroup('SIGKILL');
  liveGroups.delete(pid);
  svc.child.stdin.destroy();
}

/** true if no process of the group (or the pid) is alive any more. */
export function isGone(pid) {
  for (const target of [pid, -pid]) {
    try {
      process.kill(target, 0);
      return false;
    } catch (err) {
      if (err.code === 'EPERM') {
        return false;
      }
    }
  }
  return true;
}

/** fetch with a per-request timeout; returns { status, json, text }. */
export async function httpJson(url, { method = 'GET', body, headers = {}, timeoutMs = 10000 } = {}) {
  const res = await fetch(url, {
    method,
    body,
    headers:
      body !== undefined && !headers['content-type'] ? { 'content-type': 'application/json', ...headers } : headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
