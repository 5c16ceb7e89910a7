import { headerNameArg } from '../internal/header-args.js';
import { appendHeader } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

/** `MapRequestHeader=Blue, X-Request-Red` — the values of `Blue` are added to `X-Request-Red`. */
export const mapRequestHeaderFilterFactory: FilterFactory = {
  name: 'MapRequestHeader',
  shortcutFieldOrder: ['fromHeader', 'toHeader'],
  create(args) {
    const from = headerNameArg(args, 'fromHeader');
    const to = headerNameArg(args, 'toHeader');
    return {
      pre(exchange) {
        const values = exchange.requestHeaders[from];
        if (values === undefined) return;
        for (const value of [values].flat()) appendHeader(exchange.requestHeaders, to, value);
      },
    };
  },
};
