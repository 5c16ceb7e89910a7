import { headerNameArg, headerValueArg } from '../internal/header-args.js';
import type { FilterFactory } from '../internal/types.js';

/** `SetResponseHeader=X-Response-Red, Blue` — replaces every value of the response header. */
export const setResponseHeaderFilterFactory: FilterFactory = {
  name: 'SetResponseHeader',
  shortcutFieldOrder: ['name', 'value'],
  create(args) {
    const name = headerNameArg(args);
    const value = headerValueArg(args);
    return {
      post(exchange) {
        exchange.responseHeaders[name] = value(exchange.uriVariables);
      },
    };
  },
};
