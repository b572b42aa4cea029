// jsdom lacks MessageChannel, which React 19's scheduler uses when present. Node's own MessagePort would
// keep Jest from exiting, so deliver messages on a timer instead; the scheduler only needs that.
if (typeof global.MessageChannel === 'undefined') {
  global.MessageChannel = class MessageChannel {
    constructor() {
      const port = () => ({ onmessage: null, postMessage: undefined, close() {} });
      this.port1 = port();
      this.port2 = port();
      this.port1.postMessage = (data) => setTimeout(() => this.port2.onmessage?.({ data }), 0);
      this.port2.postMessage = (data) => setTimeout(() => this.port1.onmessage?.({ data }), 0);
    }
  };
}
