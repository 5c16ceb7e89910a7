import type { FilterFactory } from '../internal/types.js';

/** `PrefixPath=/mypath` — `/hello` → `/mypath/hello`. */
export const prefixPathFilterFactory: FilterFactory = {
  name: 'PrefixPath',
  shortcutFieldOrder: ['prefix'],
  create(args) {
    const prefix = args.required('prefix');
    if (!/^\/[^\s?#]*$/.test(prefix))
      throw new Error(
        `argument 'prefix' must be a path starting with '/': ${JSON.stringify(prefix)}`,
      );
    const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    return {
      pre(exchange) {
        exchange.path = base + exchange.path;
      },
    };
  },
};
