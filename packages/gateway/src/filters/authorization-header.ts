import { GatewayErrors, withResponse } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import { isHeaderValue } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';
import type { TokenVerification } from '@stratus/boot';

/** The one 401 every token failure gets: constant body, `WWW-Authenticate: Bearer`. */
export function unauthorized() {
  return withResponse(GatewayErrors.UNAUTHORIZED(), { headers: { 'www-authenticate': 'Bearer' } });
}

/** A claim as a header value, or null when it cannot be one (objects, control characters). */
function claimHeaderValue(value: unknown): string | null {
  const text = Array.isArray(value)
    ? value.every((item) => typeof item !== 'object')
      ? value.join(',')
      : null
    : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : null;
  return text !== null && isHeaderValue(text) ? text : null;
}

/**
 * The seed's `AuthorizationHeaderFilter`: requires `Authorization: Bearer <jwt>` verified by the
 * gateway's one token verifier (`createTokenVerifier` of `@stratus/boot`): algorithms pinned to
 * the key (HS512/HS256 for `token.secret`, RS/PS/ES for a public key or JWKS), `exp` and `sub`
 * required, `nbf`, `iss` and `aud` checked. Any failure → the same 401 problem. On success the
 * subject goes upstream in `X-User-Id` and configured claims in their headers; the gateway owns
 * those headers, so a client's copies never pass.
 */
export const authorizationHeaderFilterFactory: FilterFactory = {
  name: 'AuthorizationHeaderFilter',
  shortcutFieldOrder: [],
  create(_args, context) {
    const verifier = context.services.tokenVerifier;
    if (verifier === null && !context.validateOnly) {
      throw new Error(
        'needs a verification key: token.secret, spring.security.oauth2.resourceserver.jwt.jwk-set-uri or .public-key-location',
      );
    }
    const { userIdHeader, claimHeaders } = context.settings.jwt;
    const owned = [
      ...(userIdHeader === null ? [] : [userIdHeader]),
      ...Object.values(claimHeaders),
    ];
    const claims = Object.entries(claimHeaders);
    const log = context.logger.child({ component: 'gateway.filter.AuthorizationHeaderFilter' });
    const forwardIdentity = (
      exchange: GatewayExchange,
      subject: string,
      verified: Record<string, unknown>,
    ): void => {
      if (userIdHeader !== null) exchange.requestHeaders[userIdHeader] = subject;
      for (const [claim, header] of claims) {
        const value = claimHeaderValue(verified[claim]);
        if (value !== null) exchange.requestHeaders[header] = value;
      }
    };
    const accept = (exchange: GatewayExchange, result: TokenVerification): void => {
      if (!result.ok) {
        log.debug({ routeId: exchange.routeId, reason: result.reason }, 'bearer token rejected');
        throw unauthorized();
      }
      exchange.principal = result.token.subject;
      exchange.claims = result.token.claims as Record<string, unknown>;
      forwardIdentity(exchange, result.token.subject, exchange.claims as Record<string, unknown>);
    };
    return {
      // A token verified before (the verifier's cache) is accepted without waiting: no promise.
      pre(exchange) {
        for (const header of owned) delete exchange.requestHeaders[header];
        if (verifier === null) return accept(exchange, NO_KEY);
        const header = exchange.requestHeaders['authorization'];
        const known = verifier.verifyHeaderNow(header);
        if (known !== undefined) return accept(exchange, known);
        return verifier.verifyHeader(header).then((result) => accept(exchange, result));
      },
    };
  },
};

const NO_KEY: TokenVerification = Object.freeze({ ok: false, reason: 'no-key' });
