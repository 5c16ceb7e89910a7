import { GatewayErrors } from '../errors.js';
import { compileTemplate } from '../internal/template.js';
import type { FilterFactory } from '../internal/types.js';

// A host name (letters, digits, `-`, `_`, dots), an IPv4 address or a bracketed IPv6 one, then
// an optional port: what RFC 9110 §7.2 allows in Host, minus percent-escapes and sub-delims.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

/** True when `value` is a valid `host[:port]` for the Host header. */
function isHostHeaderValue(value: string): boolean {
  const match = HOST.exec(value);
  if (match === null || value.includes('..')) return false;
  const port = match[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/**
 * `SetRequestHostHeader=example.org` — the upstream request's `Host` becomes that value
 * (`host[:port]`, `{var}` URI variables from Path and Host expanded), whatever
 * `PreserveHostHeader` says, as Spring's filter does. A value that is not a valid host is
 * refused when the route is compiled; one that becomes invalid once expanded gets a 400
 * `GW_ERR_INVALID_HEADER`.
 *
 * @example
 * // filters: [{ name: SetRequestHostHeader, args: { host: example.org } }]
 * routes().route('r', (r) => r.path('/{sub}/**').filters((f) => f.setRequestHostHeader('{sub}.example.org')).uri(origin));
 */
export const setRequestHostHeaderFilterFactory: FilterFactory = {
  name: 'SetRequestHostHeader',
  shortcutFieldOrder: ['host'],
  create(args) {
    const text = args.required('host');
    // Each `{var}` stands for a label or a port; `1` is both.
    if (!isHostHeaderValue(text.replace(/\{[A-Za-z_][\w-]*\}/g, '1')))
      throw new Error(`argument 'host' must be host[:port]: ${JSON.stringify(text)}`);
    const template = compileTemplate(text);
    const isTemplate = text.includes('{');
    return {
      pre(exchange) {
        const host = template(exchange.uriVariables);
        if (isTemplate && !isHostHeaderValue(host)) throw GatewayErrors.INVALID_HEADER();
        exchange.requestHeaders['host'] = host;
        // Spring sets PRESERVE_HOST_HEADER_ATTRIBUTE so the Host just set is the one sent.
        exchange.preserveHost = true;
      },
    };
  },
};
