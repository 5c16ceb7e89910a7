import { errors as joseErrors, jwtVerify } from 'jose';
import { GATEWAY_DEFAULTS } from '../defaults.js';
import { GatewayError } from '../errors.js';
import { isHeaderValue } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i;
// reliability.md §1.4: an explicit allowlist per key; never `none`, never an asymmetric alg with an HMAC key.
const ALGORITHMS = ['HS512', 'HS256'];

/** The one 401 every token failure gets: constant body, `WWW-Authenticate: Bearer`. */
export function unauthorized(): GatewayError {
  return new GatewayError('GW_ERR_UNAUTHORIZED', {
    message: 'A valid bearer token is required',
    headers: { 'www-authenticate': 'Bearer' },
  });
}

/**
 * The seed's `AuthorizationHeaderFilter`: requires `Authorization: Bearer <jwt>`
 * signed with the gateway's `tokenSecret` (HS512 or HS256), not expired, with a
 * non-empty `sub`. Any failure → 401 problem. On success the subject is sent
 * upstream in `X-User-Id` (configurable) after dropping any incoming value.
 */
export const authorizationHeaderFilterFactory: FilterFactory = {
  name: 'AuthorizationHeaderFilter',
  shortcutFieldOrder: [],
  create(_args, context, order) {
    const key = context.tokenKey;
    if (key === undefined && !context.validateOnly) {
      throw new Error('needs the gateway option tokenSecret (Spring token.secret)');
    }
    const userIdHeader = context.userIdHeader?.toLowerCase() ?? null;
    const log = context.logger.child({ filter: 'AuthorizationHeaderFilter' });
    return {
      name: 'AuthorizationHeaderFilter',
      order,
      async pre(exchange) {
        if (userIdHeader !== null) delete exchange.requestHeaders[userIdHeader];
        const header = exchange.requestHeaders['authorization'];
        if (typeof header !== 'string') {
          log.debug({ routeId: exchange.routeId, reason: 'missing' }, 'bearer token rejected');
          throw unauthorized();
        }
        if (header.length > GATEWAY_DEFAULTS.maxTokenLength + 16) {
          log.debug({ routeId: exchange.routeId, reason: 'too-large' }, 'bearer token rejected');
          throw unauthorized();
        }
        const token = BEARER.exec(header)?.[1];
        if (token === undefined || key === undefined) {
          log.debug({ routeId: exchange.routeId, reason: 'malformed' }, 'bearer token rejected');
          throw unauthorized();
        }
        let subject: unknown;
        try {
          const { payload } = await jwtVerify(token, key, {
            algorithms: ALGORITHMS,
            currentDate: new Date(context.clock.now()),
            clockTolerance: GATEWAY_DEFAULTS.tokenClockToleranceSec,
            requiredClaims: ['exp', 'sub'],
            ...(context.tokenIssuer === undefined ? {} : { issuer: context.tokenIssuer }),
            ...(context.tokenAudience === undefined ? {} : { audience: context.tokenAudience }),
          });
          subject = payload.sub;
        } catch (error) {
          const reason = error instanceof joseErrors.JOSEError ? error.code : 'invalid';
          log.debug({ routeId: exchange.routeId, reason }, 'bearer token rejected');
          throw unauthorized();
        }
        if (typeof subject !== 'string' || subject === '' || !isHeaderValue(subject)) {
          log.debug({ routeId: exchange.routeId, reason: 'subject' }, 'bearer token rejected');
          throw unauthorized();
        }
        if (userIdHeader !== null) exchange.requestHeaders[userIdHeader] = subject;
      },
    };
  },
};
