import { requireDateTime } from './after.js';
import type { PredicateFactory } from '../internal/types.js';

/** `Before=2017-01-20T17:42:47.789-07:00[America/Denver]` — the request arrives before that instant. */
export const beforePredicateFactory: PredicateFactory = {
  name: 'Before',
  shortcutFieldOrder: ['datetime'],
  create(args) {
    const at = requireDateTime(args.required('datetime'), 'datetime');
    return (context) => context.nowMs < at;
  },
};
