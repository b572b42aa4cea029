// Project extension of create-plugin's managed webpack config (see .config/README.md "Extend the webpack config").
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    entry: {
      ...(base.entry as Record<string, string>),
      // A Web Worker script, not an AMD module: the worker has no loader to call define().
      'datasource/trainWorker': { import: './datasource/trainWorker.ts', library: { type: 'self' } },
    },
    plugins: [
      ...(base.plugins ?? []),
      // The managed config copies only the root plugin's logos; nested plugins reference their own.
      new CopyWebpackPlugin({
        patterns: [
          { from: '*/img/*.svg', to: '.' },
          // tfjs-backend-wasm fetches its binaries from setWasmPaths(public path of the datasource's module.js).
          {
            from: path.resolve(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm'),
            to: 'datasource/[name][ext]',
          },
        ],
      }),
    ],
  };
};

export default config;
