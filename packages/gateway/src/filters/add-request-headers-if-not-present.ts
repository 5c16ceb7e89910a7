import { compileHeaderValue } from '../internal/header-args.js';
import { appendHeader, isHeaderName } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `AddRequestHeadersIfNotPresent=X-Request-Color-1:blue,X-Request-Color-2:green` — each header
 * is added (URI variables expanded) only when the request lacks it or it is blank; repeat a
 * name for several values.
 */
export const addRequestHeadersIfNotPresentFilterFactory: FilterFactory = {
  name: 'AddRequestHeadersIfNotPresent',
  shortcutFieldOrder: ['keyValues'],
  shortcutType: 'GATHER_LIST',
  listFields: ['keyValues'],
  create(args) {
    const byName = new Map<string, ((vars: Readonly<Record<string, string>>) => string)[]>();
    for (const pair of args.list('keyValues')) {
      const colon = pair.indexOf(':');
      const name = colon === -1 ? '' : pair.slice(0, colon).trim();
      if (!isHeaderName(name)) throw new Error(`${JSON.stringify(pair)} is not 'Name:value'`);
      const values = byName.get(name.toLowerCase()) ?? [];
      values.push(compileHeaderValue(pair.slice(colon + 1), 'keyValues'));
      byName.set(name.toLowerCase(), values);
    }
    if (byName.size === 0) throw new Error('at least one Name:value is required');
    const entries = [...byName];
    return {
      pre(exchange) {
        for (const [name, values] of entries) {
          const current = exchange.requestHeaders[name];
          const isBlank = current === undefined || [current].flat().every((v) => v.trim() === '');
          if (!isBlank) continue;
          delete exchange.requestHeaders[name];
          for (const value of values)
            appendHeader(exchange.requestHeaders, name, value(exchange.uriVariables));
        }
      },
    };
  },
};
