import { compileJavaRegex } from '../internal/java-regex.js';
import type { PredicateFactory } from '../internal/types.js';

/** `Query=green, gree.` — some value of the parameter fully matches the regexp; without one the parameter must be present. */
export const queryPredicateFactory: PredicateFactory = {
  name: 'Query',
  shortcutFieldOrder: ['param', 'regexp'],
  create(args) {
    const param = args.required('param');
    const source = args.string('regexp');
    const regex =
      source === undefined || source === '' ? null : compileJavaRegex(source, { fullMatch: true });
    return (context) => {
      if (context.rawQuery === '') return false;
      const values = context.query().getAll(param);
      if (values.length === 0) return false;
      return regex === null || values.some((value) => regex.test(value));
    };
  },
};
