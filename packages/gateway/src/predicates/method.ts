import type { PredicateFactory } from '../internal/types.js';

/** `Method=GET,POST` — the request method is one of the listed methods. */
export const methodPredicateFactory: PredicateFactory = {
  name: 'Method',
  shortcutFieldOrder: ['methods'],
  shortcutType: 'GATHER_LIST',
  listFields: ['methods'],
  create(args) {
    const methods = new Set(args.list('methods').map((m) => m.toUpperCase()));
    if (methods.size === 0) throw new Error('at least one method is required');
    for (const method of methods) {
      if (!/^[A-Z]+$/.test(method)) throw new Error(`invalid method ${JSON.stringify(method)}`);
    }
    return (context) => methods.has(context.method);
  },
};
