/**
 * Spring Cloud Gateway factories Stratus deliberately lacks, with the reason given in the load
 * problem (docs/gateway.md, "Not in Stratus"), so a Spring user learns why rather than only
 * that the name is unknown.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = Object.freeze({
  TokenRelay:
    'needs an OAuth2 client, which the gateway has not (AuthorizationHeaderFilter forwards the verified identity)',
  SaveSession: 'needs a web session, which the gateway has not',
  SetRequestUri:
    'a template variable would choose the upstream (request forgery); the upstream comes from the route uri only',
  RequestHeaderToRequestUri:
    "a client's header would choose the upstream (request forgery); the upstream comes from the route uri only",
  JsonToGrpc: 'upstream calls are HTTP/1.1 only',
  Version:
    'needs Spring API versioning (spring.webflux.apiversion.*); use a Header or Path predicate',
  ReadBody: 'Java DSL only; a custom predicate factory can read what it needs',
  CloudFoundryRouteService: 'Cloud Foundry only',
});

/** `: not supported by Stratus: <why>` for a Spring factory Stratus lacks on purpose, else ''. */
export function unsupportedReason(name: string): string {
  const why = Object.hasOwn(UNSUPPORTED, name) ? UNSUPPORTED[name] : undefined;
  return why === undefined ? '' : ` — not supported by Stratus: ${why}`;
}
