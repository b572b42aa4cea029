/**
 * Web Worker entry (built to dist/datasource/trainWorker.js): trains on the wasm backend, or cpu where
 * wasm cannot start (e.g. a CSP without 'wasm-unsafe-eval'), and reports progress per epoch. The tfjs
 * engine here is the worker's own, so nothing is shared with other plugins on the page.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { retrainAndCompare } from '../core/model/retrain';
import { selectTrainingBackend } from '../core/model/trainingBackend';
import type { WorkerReply, WorkerRequest } from './training';

const reply = (m: WorkerReply) => self.postMessage(m);

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  try {
    setWasmPaths(e.data.wasmPath);
    const backend = await selectTrainingBackend();
    const outcome = await retrainAndCompare(e.data.input, {
      onProgress: (progress) => reply({ type: 'progress', progress }),
    });
    reply({ type: 'done', outcome, backend });
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
