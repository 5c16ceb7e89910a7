import { decodedName } from '../internal/query-pairs.js';
import type { FilterFactory } from '../internal/types.js';

/** `RemoveRequestParameter=red` — every `red` parameter is dropped; the others stay as sent. */
export const removeRequestParameterFilterFactory: FilterFactory = {
  name: 'RemoveRequestParameter',
  shortcutFieldOrder: ['name'],
  create(args) {
    const name = args.required('name');
    return {
      pre(exchange) {
        if (exchange.query === '') return;
        exchange.query = exchange.query
          .split('&')
          .filter((pair) => pair !== '' && decodedName(pair) !== name)
          .join('&');
      },
    };
  },
};
