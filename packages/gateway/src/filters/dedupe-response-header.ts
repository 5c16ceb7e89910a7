import type { FilterFactory } from '../internal/types.js';

const STRATEGIES = ['RETAIN_FIRST', 'RETAIN_LAST', 'RETAIN_UNIQUE'] as const;

/** Splits header values the way they are listed: repeated lines and comma-separated items. */
const valuesOf = (value: string | string[]): string[] =>
  [value]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * `DedupeResponseHeader=Access-Control-Allow-Credentials Access-Control-Allow-Origin, RETAIN_FIRST`
 * — names are space-separated; keeps the first, the last or the unique values.
 */
export const dedupeResponseHeaderFilterFactory: FilterFactory = {
  name: 'DedupeResponseHeader',
  shortcutFieldOrder: ['name', 'strategy'],
  create(args) {
    const names = args
      .required('name')
      .split(' ')
      .map((n) => n.trim().toLowerCase())
      .filter(Boolean);
    const strategy = (args.string('strategy') || 'RETAIN_FIRST').toUpperCase();
    if (!(STRATEGIES as readonly string[]).includes(strategy))
      throw new Error(`argument 'strategy' must be one of ${STRATEGIES.join(', ')}`);
    return {
      post(exchange) {
        for (const name of names) {
          const current = exchange.responseHeaders[name];
          if (current === undefined) continue;
          const values = valuesOf(current);
          if (values.length <= 1) continue;
          exchange.responseHeaders[name] =
            strategy === 'RETAIN_FIRST'
              ? (values[0] as string)
              : strategy === 'RETAIN_LAST'
                ? (values[values.length - 1] as string)
                : [...new Set(values)].join(', ');
        }
      },
    };
  },
};
