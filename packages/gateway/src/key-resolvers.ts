import type { GatewayExchange } from './exchange.js';

/**
 * Spring's `KeyResolver`: the rate-limit key of a request; empty (null, undefined or '') means
 * "no key", which `deny-empty-key` refuses.
 */
export type KeyResolver = (
  exchange: GatewayExchange,
) => string | null | undefined | Promise<string | null | undefined>;

/** The authenticated subject (Spring's default `PrincipalNameKeyResolver`). */
export const principalNameKeyResolver: KeyResolver = (exchange) => exchange.principal;

/** The client address: the socket peer, or the first untrusted hop behind `trusted-proxies`. */
export const remoteAddressKeyResolver: KeyResolver = (exchange) => exchange.clientAddress;

/**
 * The first value of a request header, e.g. an API key.
 *
 * @example
 * registerGateway(app, { definitions, keyResolvers: { apiKeyResolver: headerKeyResolver('X-Api-Key') } });
 */
export function headerKeyResolver(headerName: string): KeyResolver {
  const name = headerName.toLowerCase();
  return (exchange) => {
    const value = exchange.incomingHeaders[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/** The key resolvers every gateway knows, by Spring bean name. */
export const BUILT_IN_KEY_RESOLVERS: ReadonlyMap<string, KeyResolver> = new Map([
  ['principalNameKeyResolver', principalNameKeyResolver],
  ['remoteAddrKeyResolver', remoteAddressKeyResolver],
  ['ipKeyResolver', remoteAddressKeyResolver],
]);
