import { parseZonedDateTime } from '../internal/zoned-date-time.js';
import type { PredicateFactory } from '../internal/types.js';

/** Parses a date-time argument or throws a problem message. */
export function requireDateTime(text: string, name: string): number {
  const ms = parseZonedDateTime(text);
  if (ms === null)
    throw new Error(`argument '${name}' is not a date-time with offset: ${JSON.stringify(text)}`);
  return ms;
}

/** `After=2017-01-20T17:42:47.789-07:00[America/Denver]` — the request arrives after that instant. */
export const afterPredicateFactory: PredicateFactory = {
  name: 'After',
  shortcutFieldOrder: ['datetime'],
  create(args) {
    const at = requireDateTime(args.required('datetime'), 'datetime');
    return (context) => context.nowMs > at;
  },
};
