/**
 * What Grafana's Combobox needs from the browser and jsdom lacks (canvas text measuring, an
 * IntersectionObserver, element sizes for its virtualised list); editor tests call it in beforeAll.
 */
export function stubComboboxEnvironment() {
  HTMLCanvasElement.prototype.getContext = (() => ({
    measureText: (text: string) => ({ width: 8 * text.length }),
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
  global.IntersectionObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
}
