import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Picks the fastest backend Node has here: wasm (SIMD; ~5× the cpu backend for LSTM training),
 * else cpu. tfjs-node cannot be installed offline. Prod mode also silences tfjs's "install
 * tfjs-node" banner.
 */
export async function selectTfBackend(prefer: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  tf.enableProdMode();
  if (prefer === 'wasm') {
    try {
      if (await tf.setBackend('wasm')) {
        return 'wasm';
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  return 'cpu';
}
