import type { FilterFactory } from '../internal/types.js';

/** `PreserveHostHeader` — send the client's `Host` upstream instead of the target's. */
export const preserveHostHeaderFilterFactory: FilterFactory = {
  name: 'PreserveHostHeader',
  shortcutFieldOrder: [],
  create() {
    return {
      pre(exchange) {
        exchange.preserveHost = true;
      },
    };
  },
};
