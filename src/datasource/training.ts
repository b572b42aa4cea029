/**
 * Retraining runs in a Web Worker (dist/datasource/trainWorker.js, next to this plugin's module.js), so
 * the dashboard keeps answering while TensorFlow.js trains; the worker bundles tfjs-layers, which the
 * datasource's own module.js then does not need. Cancel terminates the worker: immediate, and nothing
 * half-trained survives.
 */
import type { TrainProgress } from '../core/model/train';
import type { RetrainInput, RetrainOutcome } from '../core/model/retrain';

declare const __webpack_public_path__: string;

export const WORKER_FILE = 'trainWorker.js';

export type WorkerRequest = { type: 'train'; input: RetrainInput; wasmPath: string };
export type WorkerReply =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; outcome: RetrainOutcome; backend: string }
  | { type: 'error'; message: string };

export interface WorkerOutcome extends RetrainOutcome {
  /** tfjs backend the worker trained on. */
  backend: string;
}

function abortError(): Error {
  const e = new Error('training aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * Workers must be same-origin; a plugin served from a CDN (Grafana's plugin CDN) is not, so its script
 * is fetched and started from a blob: URL instead.
 */
async function startWorker(url: string, signal?: AbortSignal): Promise<{ worker: Worker; stop: () => void }> {
  if (new URL(url).origin === window.location.origin) {
    const worker = new Worker(url);
    return { worker, stop: () => worker.terminate() };
  }
  const res = await fetch(url, { signal });
  if (!res.ok) {
    throw new Error(`could not load the training worker (${url}: HTTP ${res.status})`);
  }
  const source = await res.text();
  // Aborted while the script was loading: start nothing.
  if (signal?.aborted) {
    throw abortError();
  }
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl);
  // Revoked only once the worker is stopped: the worker loads its script from the URL asynchronously.
  return {
    worker,
    stop: () => {
      worker.terminate();
      URL.revokeObjectURL(blobUrl);
    },
  };
}

export async function trainInWorker(
  input: RetrainInput,
  opts: { signal?: AbortSignal; onProgress?: (p: TrainProgress) => void } = {}
): Promise<WorkerOutcome> {
  const base = new URL(__webpack_public_path__, document.baseURI).href;
  const started = await startWorker(base + WORKER_FILE, opts.signal).catch((err: unknown) => {
    // fetch's own AbortError (a DOMException) becomes ours, so callers see one kind of abort.
    throw opts.signal?.aborted ? abortError() : err;
  });
  const worker = started.worker;
  // An abort before the message listener exists would be missed otherwise.
  if (opts.signal?.aborted) {
    started.stop();
    throw abortError();
  }
  return new Promise<WorkerOutcome>((resolve, reject) => {
    const stop = (settle: () => void) => {
      started.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => stop(() => reject(abortError()));
    opts.signal?.addEventListener('abort', onAbort);
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const m = e.data;
      if (m.type === 'progress') {
        opts.onProgress?.(m.progress);
      } else if (m.type === 'done') {
        stop(() => resolve({ ...m.outcome, backend: m.backend }));
      } else {
        stop(() => reject(new Error(m.message)));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      stop(() => reject(new Error(`training worker failed: ${e.message || `could not start ${base}${WORKER_FILE}`}`)));
    };
    const request: WorkerRequest = { type: 'train', input, wasmPath: base };
    worker.postMessage(request);
  });
}
