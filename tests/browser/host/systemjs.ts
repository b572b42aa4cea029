// The same three files Grafana's loader imports (public/app/features/plugins/loader/systemjs.ts):
// core SystemJS, the AMD extra (create-plugin emits AMD) and named-register (lazy shared dependencies).
import 'systemjs/dist/system';
import 'systemjs/dist/extras/amd';
import 'systemjs/dist/extras/named-register.js';

export const SystemJS: typeof System = (window as unknown as { System: typeof System }).System;

/** SystemJS's prototype carries the loader hooks Grafana overrides. */
export type LoaderHooks = {
  import: (id: string, parentUrl?: string, meta?: unknown) => Promise<System.Module>;
  resolve: (id: string, parentUrl?: string) => string;
  fetch: (url: string, options?: RequestInit) => Promise<Response>;
  shouldFetch: (url: string) => boolean;
  onload?: (err: unknown, id: string, deps?: string[], isErrSource?: boolean) => void;
};

export const systemJSPrototype = SystemJS.constructor.prototype as LoaderHooks;
