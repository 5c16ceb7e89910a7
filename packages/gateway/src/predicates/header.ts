import { compileJavaRegex } from '../internal/java-regex.js';
import type { PredicateFactory } from '../internal/types.js';

/**
 * `Header=X-Request-Id, \d+` — some value of the header fully matches the
 * regexp; without a regexp the header only has to be present.
 */
export const headerPredicateFactory: PredicateFactory = {
  name: 'Header',
  shortcutFieldOrder: ['header', 'regexp'],
  create(args) {
    const name = args.required('header').toLowerCase();
    const source = args.string('regexp');
    const regex =
      source === undefined || source === '' ? null : compileJavaRegex(source, { fullMatch: true });
    return (context) => {
      const raw = context.headers[name];
      if (raw === undefined) return false;
      if (regex === null) return true;
      // Node joins repeated header lines with ', ': test the joined value and each part.
      const values = Array.isArray(raw) ? raw : [raw, ...raw.split(',').map((v) => v.trim())];
      return values.some((value) => regex.test(value));
    };
  },
};
