import type { BodyRewrite } from './filter-api.js';
import { registerBodyRewrite } from './internal/body-rewrites.js';
import { parseGatewayDefinitions, type GatewayDefinitions } from './route-definition.js';

/** An argument value in code: lists become indexed args, the rest text. */
type ArgValue = string | number | boolean | readonly (string | number)[];
type Args = Readonly<Record<string, ArgValue | undefined>>;

interface Item {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

const item = (name: string, args: Args = {}): Item => ({
  name,
  args: Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)),
});

// Java's replacement `${segment}` is written `$\{segment}` in YAML; definitions keep the YAML form.
const javaReplacement = (replacement: string): string => replacement.replace(/\$\{/g, '$\\{');

/** The filters of a route or of `defaultFilters` (Spring's `GatewayFilterSpec`). */
export class FilterSpec {
  readonly items: Item[] = [];
  /** Any filter factory by name, built-in or yours, with its args (Spring's `filter(factory.apply(config))`). */
  filter(name: string, args: Args = {}): this {
    this.items.push(item(name, args));
    return this;
  }
  addRequestHeader = (name: string, value: string): this =>
    this.filter('AddRequestHeader', { name, value });
  addRequestHeadersIfNotPresent = (...keyValues: string[]): this =>
    this.filter('AddRequestHeadersIfNotPresent', { keyValues });
  addRequestParameter = (name: string, value: string): this =>
    this.filter('AddRequestParameter', { name, value });
  addResponseHeader = (name: string, value: string, override?: boolean): this =>
    this.filter('AddResponseHeader', { name, value, override });
  setRequestHeader = (name: string, value: string): this =>
    this.filter('SetRequestHeader', { name, value });
  setResponseHeader = (name: string, value: string): this =>
    this.filter('SetResponseHeader', { name, value });
  removeRequestHeader = (name: string): this => this.filter('RemoveRequestHeader', { name });
  removeResponseHeader = (name: string): this => this.filter('RemoveResponseHeader', { name });
  removeRequestParameter = (name: string): this => this.filter('RemoveRequestParameter', { name });
  /** `RewriteRequestParameter=campaign,fall2023`: every `campaign` parameter becomes one with that value. */
  rewriteRequestParameter = (name: string, replacement: string): this =>
    this.filter('RewriteRequestParameter', { name, replacement });
  mapRequestHeader = (fromHeader: string, toHeader: string): this =>
    this.filter('MapRequestHeader', { fromHeader, toHeader });
  /** `rewritePath("/red/(?<segment>.*)", "/${segment}")`, Java's replacement syntax. */
  rewritePath = (regexp: string, replacement: string): this =>
    this.filter('RewritePath', { regexp, replacement: javaReplacement(replacement) });
  rewriteResponseHeader = (name: string, regexp: string, replacement: string): this =>
    this.filter('RewriteResponseHeader', {
      name,
      regexp,
      replacement: javaReplacement(replacement),
    });
  rewriteLocationResponseHeader = (
    stripVersion = 'AS_IN_REQUEST',
    locationHeaderName = 'Location',
    hostValue?: string,
    protocols?: string,
  ): this =>
    this.filter('RewriteLocationResponseHeader', {
      stripVersion,
      locationHeaderName,
      hostValue,
      protocols,
    });
  stripPrefix = (parts: number): this => this.filter('StripPrefix', { parts });
  prefixPath = (prefix: string): this => this.filter('PrefixPath', { prefix });
  setPath = (template: string): this => this.filter('SetPath', { template });
  preserveHostHeader = (): this => this.filter('PreserveHostHeader');
  /** `SetRequestHostHeader=example.org`: the upstream `Host` (`{var}` URI variables expanded). */
  setRequestHostHeader = (host: string): this => this.filter('SetRequestHostHeader', { host });
  redirect = (status: number | string, url: string, includeRequestParams?: boolean): this =>
    this.filter('RedirectTo', { status, url, includeRequestParams });
  setStatus = (status: number | string): this => this.filter('SetStatus', { status });
  setRequestSize = (maxSize: string | number): this => this.filter('RequestSize', { maxSize });
  setRequestHeaderSize = (maxSize: string | number): this =>
    this.filter('RequestHeaderSize', { maxSize });
  secureHeaders = (
    args: { disable?: string[]; enable?: string[]; permissionsPolicy?: string } = {},
  ): this => this.filter('SecureHeaders', args);
  dedupeResponseHeader = (
    names: string,
    strategy?: 'RETAIN_FIRST' | 'RETAIN_LAST' | 'RETAIN_UNIQUE',
  ): this => this.filter('DedupeResponseHeader', { name: names, strategy });
  localResponseCache = (timeToLive?: string, size?: string): this =>
    this.filter('LocalResponseCache', { timeToLive, size });
  /** `RemoveJsonAttributesResponseBody=id,color[,true]`: strips JSON attributes (at any depth when recursive). */
  removeJsonAttributesResponseBody = (
    fieldList: readonly string[],
    deleteRecursively?: boolean,
  ): this => this.filter('RemoveJsonAttributesResponseBody', { fieldList, deleteRecursively });
  /** `cacheRequestBody(String.class)`: `'java.lang.String'` or `'byte[]'`, kept in the attribute `cachedRequestBodyObject`. */
  cacheRequestBody = (bodyClass: string): this => this.filter('CacheRequestBody', { bodyClass });
  /**
   * Spring's `modifyRequestBody(String.class, String.class, contentType, rewrite)`: the whole
   * request body through `rewrite` (code only; the definition shows an opaque id for it).
   */
  modifyRequestBody = (rewrite: BodyRewrite, contentType?: string): this =>
    this.filter('ModifyRequestBody', {
      rewriteFunction: registerBodyRewrite(rewrite),
      contentType,
    });
  /** Spring's `modifyResponseBody(…)`: the whole upstream body through `rewrite` (code only). */
  modifyResponseBody = (rewrite: BodyRewrite, contentType?: string): this =>
    this.filter('ModifyResponseBody', {
      rewriteFunction: registerBodyRewrite(rewrite),
      contentType,
    });
  circuitBreaker = (config: {
    name?: string;
    fallbackUri?: string;
    statusCodes?: (string | number)[];
    resumeWithoutError?: boolean;
  }): this => this.filter('CircuitBreaker', config);
  fallbackHeaders = (): this => this.filter('FallbackHeaders');
  retry = (config: {
    retries?: number;
    statuses?: (string | number)[];
    series?: string[];
    methods?: string[];
    exceptions?: string[];
    backoff?: {
      firstBackoff?: string;
      maxBackoff?: string;
      factor?: number;
      basedOnPreviousValue?: boolean;
    };
    jitter?: { randomFactor?: number };
    timeout?: string;
  }): this => {
    const { backoff, jitter, ...rest } = config;
    const nested = (prefix: string, values: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(values ?? {}).map(([k, v]) => [`${prefix}.${k}`, v as ArgValue]),
      );
    return this.filter('Retry', {
      ...rest,
      ...nested('backoff', backoff),
      ...nested('jitter', jitter),
    });
  };
  requestRateLimiter = (config: {
    replenishRate: number;
    burstCapacity?: number;
    requestedTokens?: number;
    keyResolver?: string;
    keyResolverHeader?: string;
    denyEmptyKey?: boolean;
    emptyKeyStatus?: string;
    statusCode?: string;
  }): this => {
    const { replenishRate, burstCapacity, requestedTokens, keyResolver, ...rest } = config;
    return this.filter('RequestRateLimiter', {
      ...rest,
      ...(keyResolver === undefined ? {} : { 'key-resolver': `#{@${keyResolver}}` }),
      'redis-rate-limiter.replenishRate': replenishRate,
      'redis-rate-limiter.burstCapacity': burstCapacity,
      'redis-rate-limiter.requestedTokens': requestedTokens,
    });
  };
  /** The seed's AuthorizationHeaderFilter (bearer JWT). */
  authorizationHeader = (): this => this.filter('AuthorizationHeaderFilter');
}

/** One route's predicates, order, metadata and filters (Spring's `PredicateSpec`/`UriSpec`). */
export class RouteSpec {
  readonly predicates: Item[] = [];
  readonly filterSpec = new FilterSpec();
  #uri = '';
  #order = 0;
  readonly #metadata: Record<string, unknown> = {};
  /** Any predicate factory by name with its args. */
  predicate(name: string, args: Args = {}): this {
    this.predicates.push(item(name, args));
    return this;
  }
  /** Reads like Spring's `.and()`; predicates are always combined with AND. */
  and = (): this => this;
  path = (...patterns: string[]): this => this.predicate('Path', { patterns });
  method = (...methods: string[]): this => this.predicate('Method', { methods });
  host = (...patterns: string[]): this => this.predicate('Host', { patterns });
  header = (header: string, regexp?: string): this => this.predicate('Header', { header, regexp });
  query = (param: string, regexp?: string): this => this.predicate('Query', { param, regexp });
  cookie = (name: string, regexp: string): this => this.predicate('Cookie', { name, regexp });
  after = (datetime: string): this => this.predicate('After', { datetime });
  before = (datetime: string): this => this.predicate('Before', { datetime });
  between = (datetime1: string, datetime2: string): this =>
    this.predicate('Between', { datetime1, datetime2 });
  remoteAddr = (...sources: string[]): this => this.predicate('RemoteAddr', { sources });
  xForwardedRemoteAddr = (...sources: string[]): this =>
    this.predicate('XForwardedRemoteAddr', { sources });
  weight = (group: string, weight: number): this => this.predicate('Weight', { group, weight });
  order = (order: number): this => {
    this.#order = order;
    return this;
  };
  /** Route metadata; `response-timeout` and `connect-timeout` (ms) are honoured. */
  metadata = (key: string, value: unknown): this => {
    this.#metadata[key] = value;
    return this;
  };
  filters = (configure: (filters: FilterSpec) => FilterSpec): this => {
    configure(this.filterSpec);
    return this;
  };
  /** `lb://SERVICE`, `http(s)://host:port`, `ws(s)://…`, `forward:/path` or `no://op`. */
  uri = (uri: string): this => {
    this.#uri = uri;
    return this;
  };
  toDefinition(id: string): Record<string, unknown> {
    return {
      id,
      uri: this.#uri,
      order: this.#order,
      metadata: this.#metadata,
      predicates: this.predicates,
      filters: this.filterSpec.items,
    };
  }
}

/** Builds routes in code: the Java DSL's `RouteLocatorBuilder.routes()`. */
export class RoutesBuilder {
  readonly #routes: Record<string, unknown>[] = [];
  readonly #defaults = new FilterSpec();
  /** Adds a route; `configure` sets its predicates, filters and uri. */
  route(id: string, configure: (route: RouteSpec) => RouteSpec): this {
    this.#routes.push(configure(new RouteSpec()).toDefinition(id));
    return this;
  }
  /** Filters applied to every route (`default-filters`). */
  defaultFilters(configure: (filters: FilterSpec) => FilterSpec): this {
    configure(this.#defaults);
    return this;
  }
  /**
   * The definitions, checked as YAML ones are.
   *
   * @throws StratusError `GW_ERR_INVALID_ROUTE` listing every problem.
   */
  build(): GatewayDefinitions {
    return parseGatewayDefinitions({
      routes: this.#routes,
      'default-filters': this.#defaults.items,
    });
  }
}

/**
 * Starts a typed route definition, the TypeScript analogue of Spring's Java DSL.
 *
 * @example
 * const definitions = routes()
 *   .route('user-service', (r) => r.path('/user-service/**').and().method('GET')
 *     .filters((f) => f.removeRequestHeader('Cookie').rewritePath('/user-service/(?<segment>.*)', '/${segment}').authorizationHeader())
 *     .uri('lb://USER-SERVICE'))
 *   .build();
 * registerGateway(app, { definitions, loadBalancer });
 */
export function routes(): RoutesBuilder {
  return new RoutesBuilder();
}
