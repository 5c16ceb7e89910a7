import type { FilterFactory } from '../internal/types.js';

/** Spring's StripPrefix: drops the first `parts` segments; a trailing slash is kept. */
export function stripPrefix(path: string, parts: number): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  const kept = segments.slice(parts);
  let result = `/${kept.join('/')}`;
  if (result.length > 1 && path.endsWith('/')) result += '/';
  return result;
}

/** `StripPrefix=2` — `/name/blue/red` → `/red` (parts default 1). */
export const stripPrefixFilterFactory: FilterFactory = {
  name: 'StripPrefix',
  shortcutFieldOrder: ['parts'],
  create(args) {
    const parts = args.integer('parts', 1);
    return {
      pre(exchange) {
        exchange.path = stripPrefix(exchange.path, parts);
      },
    };
  },
};
