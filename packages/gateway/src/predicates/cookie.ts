import { compileJavaRegex } from '../internal/java-regex.js';
import type { PredicateFactory } from '../internal/types.js';

/** `Cookie=chocolate, ch.p` — a cookie with that name whose value fully matches the regexp. */
export const cookiePredicateFactory: PredicateFactory = {
  name: 'Cookie',
  shortcutFieldOrder: ['name', 'regexp'],
  create(args) {
    const name = args.required('name');
    const regex = compileJavaRegex(args.required('regexp'), { fullMatch: true });
    return (context) => (context.cookies().get(name) ?? []).some((value) => regex.test(value));
  },
};
