import { headerNameArg, headerValueArg } from '../internal/header-args.js';
import { appendHeader } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `AddResponseHeader=X-Response-Red, Blue, false` — adds a value to the
 * response; with `override=false` nothing is added when the upstream already set it.
 */
export const addResponseHeaderFilterFactory: FilterFactory = {
  name: 'AddResponseHeader',
  shortcutFieldOrder: ['name', 'value', 'override'],
  create(args) {
    const name = headerNameArg(args);
    const value = headerValueArg(args);
    const override = args.boolean('override', true);
    return {
      post(exchange) {
        if (!override && exchange.responseHeaders[name] !== undefined) return;
        appendHeader(exchange.responseHeaders, name, value(exchange.uriVariables));
      },
    };
  },
};
