// Must be the entry's FIRST import: @grafana/runtime builds its `config` singleton from
// window.grafanaBootData when it is evaluated, and ES imports evaluate in order. Like Grafana's
// index.html, the page (rendered by ../server.mjs) sets the boot data in an inline script; here we
// only refuse to go on without it, instead of runtime's silent fallback to an empty config.
const boot = (window as unknown as { grafanaBootData?: { settings?: unknown; user?: unknown } }).grafanaBootData;
if (!boot || !boot.settings || !boot.user) {
  throw new Error('browser harness: window.grafanaBootData (settings + user) must be set before the host bundle runs');
}

export {};
