/**
 * The datasource's scoring backend in the browser: WebGL, wasm (its .wasm files are copied next to this
 * plugin's module.js, which create-plugin's runtime public path points at, also when Grafana serves the
 * nested plugin under its own id) or the plain-JS pass. The 'auto' verdict is timed once per browser
 * and kept in localStorage; a configured backend is used when it starts (see core/model/scoringBackend).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import type { NetworkConfig } from '../core/model/network';
import {
  chooseScoringBackend,
  type ScoringBackend,
  type ScoringChoice,
  type ScoringPreference,
} from '../core/model/scoringBackend';

declare const __webpack_public_path__: string;

// Only a webpack build defines the public path (Jest does not).
if (typeof __webpack_public_path__ === 'string') {
  setWasmPaths(__webpack_public_path__);
}

const CACHE_KEY = 'gridsentinel.scoringBackend.v1';
const REGISTERED = ['webgl', 'wasm', 'cpu'];

interface CachedChoice {
  userAgent: string;
  backend: ScoringBackend;
  timings: ScoringChoice['timings'];
}

function readCache(): CachedChoice | null {
  try {
    const c = JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null') as CachedChoice | null;
    return c && c.userAgent === navigator.userAgent ? c : null;
  } catch {
    return null;
  }
}

async function choose(prefer: ScoringPreference, cfg: NetworkConfig): Promise<ScoringChoice> {
  if (prefer === 'auto') {
    const cached = readCache();
    if (cached) {
      // Re-checks that the cached backend still starts (e.g. WebGL disabled since); otherwise times again.
      const again = await chooseScoringBackend(cached.backend, cfg, { registered: REGISTERED });
      if (again.backend === cached.backend) {
        return { ...again, timings: cached.timings };
      }
    }
  }
  const choice = await chooseScoringBackend(prefer, cfg, { registered: REGISTERED });
  if (choice.note) {
    console.warn(`GridSentinel: ${choice.note}`);
  }
  if (prefer === 'auto') {
    try {
      const entry: CachedChoice = { userAgent: navigator.userAgent, backend: choice.backend, timings: choice.timings };
      localStorage.setItem(CACHE_KEY, JSON.stringify(entry));
    } catch {
      // storage full or disabled: time again next page load
    }
  }
  return choice;
}

const choices = new Map<ScoringPreference, Promise<ScoringChoice>>();

/** One choice per preference per page, shared by every datasource instance. */
export function scoringBackend(prefer: ScoringPreference, cfg: NetworkConfig): Promise<ScoringChoice> {
  let c = choices.get(prefer);
  if (!c) {
    c = choose(prefer, cfg);
    choices.set(prefer, c);
  }
  return c;
}
