/**
 * Web Worker entry (built to dist/datasource/trainWorker.js): trains on the wasm backend, or cpu where
 * wasm cannot start (e.g. a CSP without 'wasm-unsafe-eval'), and reports progress per epoch. The tfjs
 * engine here is the worker's own, so nothing is shared with other plugins on the page.
 */
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { retrainAndCompare } from '../core/model/retrain';
import type { WorkerReply, WorkerRequest } from './training';

const reply = (m: WorkerReply) => self.postMessage(m);

async function pickBackend(wasmPath: string): Promise<string> {
  tf.enableProdMode();
  setWasmPaths(wasmPath);
  try {
    if (await tf.setBackend('wasm')) {
      return 'wasm';
    }
  } catch {
    // falls back to cpu
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  try {
    const backend = await pickBackend(e.data.wasmPath);
    const outcome = await retrainAndCompare(e.data.input, {
      onProgress: (progress) => reply({ type: 'progress', progress }),
    });
    reply({ type: 'done', outcome, backend });
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
