import { headerNameArg, headerValueArg } from '../internal/header-args.js';
import { appendHeader } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

/** `AddRequestHeader=X-Request-Red, Blue-{segment}` — adds a value (URI variables expanded). */
export const addRequestHeaderFilterFactory: FilterFactory = {
  name: 'AddRequestHeader',
  shortcutFieldOrder: ['name', 'value'],
  create(args) {
    const name = headerNameArg(args);
    const value = headerValueArg(args);
    return {
      pre(exchange) {
        appendHeader(exchange.requestHeaders, name, value(exchange.uriVariables));
      },
    };
  },
};
