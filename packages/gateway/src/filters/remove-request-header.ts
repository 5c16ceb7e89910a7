import { headerNameArg } from '../internal/header-args.js';
import type { FilterFactory } from '../internal/types.js';

/** `RemoveRequestHeader=Cookie` — the header is not sent upstream. */
export const removeRequestHeaderFilterFactory: FilterFactory = {
  name: 'RemoveRequestHeader',
  shortcutFieldOrder: ['name'],
  create(args) {
    const name = headerNameArg(args);
    return {
      pre(exchange) {
        delete exchange.requestHeaders[name];
      },
    };
  },
};
