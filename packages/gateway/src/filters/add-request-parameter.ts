import { compileTemplate } from '../internal/template.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `AddRequestParameter=red, blue-{segment}` — appends `red=blue-…` to the query sent upstream
 * (URI variables expanded). Name and value are percent-encoded, so a variable holding `&` or
 * `=` cannot add parameters of its own.
 */
export const addRequestParameterFilterFactory: FilterFactory = {
  name: 'AddRequestParameter',
  shortcutFieldOrder: ['name', 'value'],
  create(args) {
    const name = encodeURIComponent(args.required('name'));
    const value = compileTemplate(args.string('value') ?? '');
    return {
      pre(exchange) {
        const pair = `${name}=${encodeURIComponent(value(exchange.uriVariables))}`;
        const query = exchange.query;
        exchange.query =
          query === '' ? pair : query.endsWith('&') ? `${query}${pair}` : `${query}&${pair}`;
      },
    };
  },
};
