import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The backend training runs on (the CLI in Node, the training worker in the browser): wasm (SIMD; ~5×
 * the cpu backend for LSTM training), else cpu, e.g. where a CSP without 'wasm-unsafe-eval' blocks
 * wasm. tfjs-node cannot be installed offline. Prod mode also silences tfjs's "install tfjs-node"
 * banner. In the browser, call setWasmPaths first.
 */
export async function selectTrainingBackend(prefer: 'wasm' | 'cpu' = 'wasm'): Promise<'wasm' | 'cpu'> {
  tf.enableProdMode();
  if (prefer === 'wasm') {
    try {
      if (await tf.setBackend('wasm')) {
        return 'wasm';
      }
    } catch {
      // falls back to cpu
    }
  }
  await tf.setBackend('cpu');
  return 'cpu';
}
