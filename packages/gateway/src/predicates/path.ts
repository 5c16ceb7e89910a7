import { compilePathPattern } from '../internal/path-pattern.js';
import type { PredicateFactory } from '../internal/types.js';

/**
 * `Path=/user-service/**, /other/{id}, false` — Spring PathPattern matching of
 * the normalised request path; the last arg `true`/`false` is
 * `matchTrailingSlash` (default true). Captured variables become URI variables.
 */
export const pathPredicateFactory: PredicateFactory = {
  name: 'Path',
  shortcutFieldOrder: ['patterns', 'matchTrailingSlash'],
  shortcutType: 'GATHER_LIST_TAIL_FLAG',
  listFields: ['patterns'],
  extraFields: ['matchOptionalTrailingSeparator'],
  create(args) {
    const patterns = args.list('patterns');
    if (patterns.length === 0) throw new Error('at least one pattern is required');
    const trailing = args.boolean(
      'matchTrailingSlash',
      args.boolean('matchOptionalTrailingSeparator', true),
    );
    const compiled = patterns.map((pattern) => compilePathPattern(pattern, trailing));
    return (context) => {
      for (const pattern of compiled) {
        const vars = pattern.match(context.path);
        if (vars) {
          Object.assign(context.uriVariables, vars);
          return true;
        }
      }
      return false;
    };
  },
};
