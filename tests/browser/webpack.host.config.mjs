// Builds the browser harness host bundle (tests/browser/host) into tests/browser/.host-build/public.
// Development mode without source maps keeps it fast on 2 cores; a filesystem cache
// (node_modules/.cache/gs-browser-host) makes rebuilds quicker. `--env production` gives a minified build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const HOST_BUILD_DIR = path.join(here, '.host-build');
// About 240 MB; kept with the other tool caches rather than next to the output.
const CACHE_DIR = path.join(here, '..', '..', 'node_modules', '.cache', 'gs-browser-host');

/** Host bundle with React's production build (as Grafana ships it), unminified: for timing the panel. */
export const HOST_BUILD_DIR_REACT_PROD = path.join(HOST_BUILD_DIR, 'public-react-production');

export default (env = {}) => {
  const production = Boolean(env.production);
  const reactProduction = Boolean(env.reactProduction);
  return {
    mode: production ? 'production' : 'development',
    // React (and other libraries) read process.env.NODE_ENV to drop development-only checks.
    optimization: reactProduction ? { nodeEnv: 'production' } : undefined,
    devtool: false,
    context: here,
    entry: { host: './host/index.ts' },
    output: {
      path: reactProduction ? HOST_BUILD_DIR_REACT_PROD : path.join(HOST_BUILD_DIR, 'public'),
      // server.mjs serves this folder at /harness/.
      publicPath: '/harness/',
      filename: '[name].js',
      chunkFilename: 'chunks/[name].js',
      clean: true,
      // Always rewrite, so the test's "host bundle newer than its sources" check sees fresh mtimes.
      compareBeforeEmit: false,
    },
    cache: {
      type: 'filesystem',
      cacheDirectory: CACHE_DIR,
      name: production ? 'production' : reactProduction ? 'development-react-production' : 'development',
      buildDependencies: { config: [fileURLToPath(import.meta.url)] },
    },
    resolve: { extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'] },
    module: {
      rules: [
        // Some ESM dependencies of @grafana/ui (ol) import paths without extensions.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              swcrc: false,
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
        // @grafana/ui imports a few stylesheets and images.
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(png|jpe?g|gif|svg|woff2?|eot|ttf|otf)$/, type: 'asset/resource' },
      ],
    },
    performance: { hints: false },
    stats: 'errors-warnings',
    infrastructureLogging: { level: 'warn' },
  };
};
