import { compileHostPattern } from '../internal/path-pattern.js';
import type { PredicateFactory } from '../internal/types.js';

/** Strips the port from a Host value (`[::1]:80` → `[::1]`, `a.org:8080` → `a.org`). */
function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * `Host=**.somehost.org, {sub}.other.org` — Ant-style match of the `Host`
 * header, case-insensitive. The port is ignored unless the pattern names one.
 * Variables become URI variables.
 */
export const hostPredicateFactory: PredicateFactory = {
  name: 'Host',
  shortcutFieldOrder: ['patterns'],
  shortcutType: 'GATHER_LIST',
  listFields: ['patterns'],
  create(args) {
    const patterns = args.list('patterns');
    if (patterns.length === 0) throw new Error('at least one pattern is required');
    const compiled = patterns.map((pattern) => ({
      hasPort: pattern.includes(':'),
      pattern: compileHostPattern(pattern),
    }));
    return (context) => {
      const host = context.headers.host;
      if (host === undefined) return false;
      const bare = hostWithoutPort(host);
      for (const { hasPort, pattern } of compiled) {
        const vars = pattern.match(hasPort ? host : bare);
        if (vars) {
          Object.assign(context.uriVariables, vars);
          return true;
        }
      }
      return false;
    };
  },
};
