import { compileJavaRegex, compileJavaReplacement } from '../internal/java-regex.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `RewritePath=/user-service/(?<segment>.*), /$\{segment}` — Java regex
 * `replaceAll` on the raw path; `$\` is the YAML escape for `$`, and Java's
 * `${name}` is converted to JS `$<name>`.
 */
export const rewritePathFilterFactory: FilterFactory = {
  name: 'RewritePath',
  shortcutFieldOrder: ['regexp', 'replacement'],
  create(args) {
    const regex = compileJavaRegex(args.required('regexp'), { global: true });
    const replacement = compileJavaReplacement(args.string('replacement') ?? '', regex);
    return {
      pre(exchange) {
        exchange.path = exchange.path.replace(regex, replacement);
      },
    };
  },
};
