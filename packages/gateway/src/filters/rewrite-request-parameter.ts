import { decodedName } from '../internal/query-pairs.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `RewriteRequestParameter=campaign,fall2023` — `?campaign=old` is sent upstream as
 * `?campaign=fall2023`. Several `campaign` parameters become one, as Spring documents; with none,
 * nothing changes. The replacement is percent-encoded as a query value (so it cannot add
 * parameters); the other parameters stay byte for byte as the client sent them, and the
 * rewritten one keeps its place (Spring moves it to the end).
 */
export const rewriteRequestParameterFilterFactory: FilterFactory = {
  name: 'RewriteRequestParameter',
  shortcutFieldOrder: ['name', 'replacement'],
  create(args) {
    const name = args.required('name');
    if (!args.has('replacement')) throw new Error("argument 'replacement' is required");
    const replacement = encodeURIComponent(args.string('replacement') ?? '');
    return {
      pre(exchange) {
        if (exchange.query === '') return;
        let isReplaced = false;
        const pairs: string[] = [];
        for (const pair of exchange.query.split('&')) {
          if (pair === '' || decodedName(pair) !== name) pairs.push(pair);
          else if (!isReplaced) {
            isReplaced = true;
            const eq = pair.indexOf('=');
            pairs.push(`${eq === -1 ? pair : pair.slice(0, eq)}=${replacement}`);
          }
        }
        if (isReplaced) exchange.query = pairs.join('&');
      },
    };
  },
};
