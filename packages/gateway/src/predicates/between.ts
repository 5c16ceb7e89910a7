import { requireDateTime } from './after.js';
import type { PredicateFactory } from '../internal/types.js';

/** `Between=<datetime1>, <datetime2>` — after the first instant and before the second. */
export const betweenPredicateFactory: PredicateFactory = {
  name: 'Between',
  shortcutFieldOrder: ['datetime1', 'datetime2'],
  create(args) {
    const start = requireDateTime(args.required('datetime1'), 'datetime1');
    const end = requireDateTime(args.required('datetime2'), 'datetime2');
    if (!(start < end)) throw new Error('datetime1 must be before datetime2');
    return (context) => context.nowMs > start && context.nowMs < end;
  },
};
