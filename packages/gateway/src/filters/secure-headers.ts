import type { FilterFactory } from '../internal/types.js';
import { SECURE_HEADER_DEFAULTS, type SecureHeaderName } from './secure-headers-values.js';

const NAMES = Object.keys(SECURE_HEADER_DEFAULTS) as SecureHeaderName[];

/**
 * `SecureHeaders` — adds Spring's security headers to responses that lack them
 * (`X-Xss-Protection`, `Strict-Transport-Security`, `X-Frame-Options`, `X-Content-Type-Options`,
 * `Referrer-Policy`, `Content-Security-Policy`, `X-Download-Options`,
 * `X-Permitted-Cross-Domain-Policies`; `Permissions-Policy` on request). Values come from
 * `spring.cloud.gateway.filter.secure-headers.*`; route args `disable`, `enable` (lists of
 * header names) and `permissionsPolicy` adjust one route.
 */
export const secureHeadersFilterFactory: FilterFactory = {
  name: 'SecureHeaders',
  shortcutFieldOrder: [],
  extraFields: ['disable', 'enable', 'permissionsPolicy'],
  listFields: ['disable', 'enable'],
  create(args, context) {
    const { values, enabled } = context.settings.secureHeaders;
    const active = new Set(enabled);
    for (const name of args.list('enable')) active.add(name.toLowerCase());
    for (const name of args.list('disable')) active.delete(name.toLowerCase());
    const routePolicy = args.string('permissionsPolicy');
    if (routePolicy !== undefined) active.add('permissions-policy');
    const headers = NAMES.filter((name) => active.has(name.toLowerCase())).map((name) => [
      name.toLowerCase(),
      name === 'Permissions-Policy' && routePolicy !== undefined ? routePolicy : values[name],
    ]);
    return {
      post(exchange) {
        for (const [name, value] of headers)
          if (exchange.responseHeaders[name as string] === undefined)
            exchange.responseHeaders[name as string] = value as string;
      },
    };
  },
};
