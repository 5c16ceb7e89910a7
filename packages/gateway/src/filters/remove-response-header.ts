import { headerNameArg } from '../internal/header-args.js';
import type { FilterFactory } from '../internal/types.js';

/** `RemoveResponseHeader=X-Internal` — the upstream's header is not sent to the client. */
export const removeResponseHeaderFilterFactory: FilterFactory = {
  name: 'RemoveResponseHeader',
  shortcutFieldOrder: ['name'],
  create(args) {
    const name = headerNameArg(args);
    return {
      post(exchange) {
        delete exchange.responseHeaders[name];
      },
    };
  },
};
