import type { CompileContext, PredicateFactory } from '../internal/types.js';

/**
 * `Weight=group1, 8` — the route takes its share of the group's traffic: weights are normalised
 * per group and one random draw per request and group picks the route (WeightCalculatorWebFilter).
 */
export const weightPredicateFactory: PredicateFactory = {
  name: 'Weight',
  shortcutFieldOrder: ['group', 'weight'],
  create(args, context) {
    const group = args.required('group');
    const weight = args.integer('weight', -1);
    if (weight < 0)
      throw new Error("argument 'weight' is required and must be a non-negative integer");
    (
      context as CompileContext & { registerWeight(group: string, weight: number): void }
    ).registerWeight(group, weight);
    const routeKey = context.routeKey;
    return (request) => request.weightChoice(group) === routeKey;
  },
};
