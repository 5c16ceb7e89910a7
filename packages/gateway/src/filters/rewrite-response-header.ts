import { headerNameArg } from '../internal/header-args.js';
import { isHeaderValue } from '../internal/headers.js';
import { compileJavaRegex, compileJavaReplacement } from '../internal/java-regex.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `RewriteResponseHeader=X-Response-Red, password=[^&]+, password=***` — Java regex
 * `replaceAll` on every value of the response header (`$\{name}` and `${name}` groups).
 * A result that could not be a header value leaves the value as it was.
 */
export const rewriteResponseHeaderFilterFactory: FilterFactory = {
  name: 'RewriteResponseHeader',
  shortcutFieldOrder: ['name', 'regexp', 'replacement'],
  create(args) {
    const name = headerNameArg(args);
    const regex = compileJavaRegex(args.required('regexp'), { global: true });
    const replacement = compileJavaReplacement(args.string('replacement') ?? '', regex);
    const rewrite = (value: string): string => {
      const out = value.replace(regex, replacement);
      return isHeaderValue(out) ? out : value;
    };
    return {
      post(exchange) {
        const current = exchange.responseHeaders[name];
        if (current === undefined) return;
        exchange.responseHeaders[name] = Array.isArray(current)
          ? current.map(rewrite)
          : rewrite(current);
      },
    };
  },
};
