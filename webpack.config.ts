// Project extension of create-plugin's managed webpack config (see .config/README.md "Extend the webpack config").
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      // The managed config copies only the root plugin's logos; nested plugins reference their own.
      new CopyWebpackPlugin({ patterns: [{ from: '*/img/*.svg', to: '.' }] }),
    ],
  };
};

export default config;
