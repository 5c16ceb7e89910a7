import { headerNameArg, headerValueArg } from '../internal/header-args.js';
import type { FilterFactory } from '../internal/types.js';

/** `SetRequestHeader=X-Request-Red, Blue` — replaces every value of the header. */
export const setRequestHeaderFilterFactory: FilterFactory = {
  name: 'SetRequestHeader',
  shortcutFieldOrder: ['name', 'value'],
  create(args) {
    const name = headerNameArg(args);
    const value = headerValueArg(args);
    return {
      pre(exchange) {
        exchange.requestHeaders[name] = value(exchange.uriVariables);
      },
    };
  },
};
