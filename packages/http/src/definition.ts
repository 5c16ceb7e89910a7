import type { ClientDefaults } from './client-settings.js';
import type { ErrorDecoder } from './error-decoder.js';
import { HttpErrors } from './errors.js';
import type { RequestInterceptor } from './interceptors.js';
import { compilePathTemplate } from './internal/path-template.js';

/** The methods an endpoint may use. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** The `{name}` parameters of a path template, as a union of names. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/** A path or header parameter's value. */
export type ParamValue = string | number | boolean;
/** A query parameter's value: a list repeats the parameter; null and undefined leave it out. */
export type QueryValue = ParamValue | readonly ParamValue[] | null | undefined;

declare const BODY_TYPE: unique symbol;
declare const ENDPOINT_TYPES: unique symbol;

/** A JSON request body of type `T` (`@RequestBody T`); make one with {@link jsonBody}. */
export interface JsonBody<T> {
  readonly kind: 'json';
  /** Carries `T` for the compiler only. */
  readonly [BODY_TYPE]?: T;
}

/** Declares a JSON request body of type `T`. @example endpoint({ method: 'POST', path: '/orders', body: jsonBody<NewOrder>() }) */
export function jsonBody<T>(): JsonBody<T> {
  return { kind: 'json' };
}

/**
 * Checks a decoded JSON answer and returns it typed, or throws when it is not a `T`: the call
 * then fails with `HTTP_ERR_DECODE`. A type guard becomes one with `(v) => { if (!isT(v)) throw …; return v; }`.
 */
export type ResponseValidator<T> = (value: unknown) => T;

/** One method of a client: Spring MVC's `@GetMapping("/…/{id}")` with its parameters. */
export interface Endpoint<
  P extends string = string,
  Q extends string = string,
  H extends string = string,
  B = unknown,
  R = unknown,
> {
  readonly method: HttpMethod;
  /** Path template below the client's URL; `{name}` parameters are percent-encoded. */
  readonly path: P;
  /** Argument names sent as query parameters (`@RequestParam`). */
  readonly query?: readonly Q[];
  /** Argument name → header name (`@RequestHeader("X-Tenant") tenant`). */
  readonly headers?: { readonly [K in H]: string };
  /** The request body (`@RequestBody`), sent as JSON. @default none */
  readonly body?: JsonBody<B>;
  /** Checks the answer's JSON; without one the result is `unknown`. @default none */
  readonly response?: ResponseValidator<R>;
  /** Carries the type parameters for the compiler only (`never` would not survive inference). */
  readonly [ENDPOINT_TYPES]?: { path: P; query: Q; headers: H; body: B; result: R };
}

// `any` here only widens the constraint so that every concrete endpoint fits.
export type AnyEndpoint = Endpoint<any, any, any, any, any>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

// Read through indexed access, not `infer`: an inferred `never` would widen to the constraint.
type TypesOf<E> = E extends { readonly [ENDPOINT_TYPES]?: infer T }
  ? T extends { path: string; query: string; headers: string; body: unknown; result: unknown }
    ? T
    : never
  : never;

/** The argument object of an endpoint: path parameters, query parameters, headers and body. */
export type EndpointArgs<E> = Simplify<
  { readonly [K in PathParamNames<TypesOf<E>['path']>]: ParamValue } & {
    readonly [K in TypesOf<E>['query']]?: QueryValue;
  } & { readonly [K in TypesOf<E>['headers']]?: ParamValue } & ([TypesOf<E>['body']] extends [
      undefined,
    ]
      ? unknown
      : { readonly body: TypesOf<E>['body'] })
>;

/** What an endpoint's call resolves to. */
export type EndpointResult<E> = TypesOf<E>['result'];

/** Options of one call of a declarative client's method. */
export interface EndpointCallOptions {
  /** Stops the call (and closes its socket) when aborted. @default none */
  readonly signal?: AbortSignal;
  /** Extra headers for this call (after the defaults, before the interceptors). @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Sent as `Idempotency-Key`: the callee promises to execute a repeated request once, so a POST
   * carrying it is retried like a GET. 1–255 visible ASCII characters. @default none
   */
  readonly idempotencyKey?: string;
}

/** The function a client exposes for one endpoint. */
export type EndpointMethod<E> =
  {} extends EndpointArgs<E>
    ? (args?: EndpointArgs<E>, options?: EndpointCallOptions) => Promise<EndpointResult<E>>
    : (args: EndpointArgs<E>, options?: EndpointCallOptions) => Promise<EndpointResult<E>>;

/** A fallback for one endpoint: a value, or a function of the cause (Spring's `FallbackFactory`). */
export type Fallback<E> =
  | EndpointResult<E>
  | ((cause: Error, args: EndpointArgs<E>) => EndpointResult<E> | Promise<EndpointResult<E>>);

/** A client definition: what `@FeignClient` and its interface say. */
export interface ClientDefinition<
  Endpoints extends Record<string, AnyEndpoint>,
> extends ClientDefaults {
  /** `@FeignClient(name)`: the service id and the key under `…client.config.<name>`. */
  readonly name: string;
  /** `@FeignClient(url)`; `…client.config.<name>.url` replaces it. @default `lb://<name>` */
  readonly url?: string;
  /** `@FeignClient(path)`: a prefix of every endpoint's path. @default '' */
  readonly path?: string;
  readonly endpoints: Endpoints;
  /**
   * Used when the circuit breaker is on (`spring.cloud.openfeign.circuitbreaker.enabled`) and a
   * call fails or is refused, as `@FeignClient(fallback/fallbackFactory)`. @default none
   */
  readonly fallback?: { readonly [M in keyof Endpoints]?: Fallback<Endpoints[M]> };
  /** Feign's `ErrorDecoder` bean for this client. @default `defaultErrorDecoder` */
  readonly errorDecoder?: ErrorDecoder;
  /** `RequestInterceptor` beans for this client, after the factory's. @default none */
  readonly interceptors?: readonly RequestInterceptor[];
  /**
   * `CircuitBreakerNameResolver`: the breaker id of a method. Return the client name for one
   * breaker per client. @default `<name>#<method>` (per method)
   */
  readonly circuitBreakerName?: (clientName: string, methodName: string) => string;
  /** The logger component, for `logging.level.<loggerName>: DEBUG`. @default `http-client.<name>` */
  readonly loggerName?: string;
}

/** The typed client a definition produces. */
export type TypedClient<D> =
  D extends ClientDefinition<infer Endpoints>
    ? { readonly [M in keyof Endpoints]: EndpointMethod<Endpoints[M]> }
    : never;

/**
 * Declares one endpoint. Types come from the values: path parameters from the template, query
 * and header argument names from their lists, the body from `jsonBody<T>()`, the result from the
 * response validator.
 *
 * @example
 * const getOrders = endpoint({ method: 'GET', path: '/order-service/{userId}/orders', response: toOrders });
 */
export function endpoint<
  const P extends string,
  const Q extends string = never,
  const H extends string = never,
  B = undefined,
  R = unknown,
>(spec: Endpoint<P, Q, H, B, R>): NoInfer<Endpoint<P, Q, H, B, R>> {
  return Object.freeze({ ...spec });
}

const CLIENT_NAME = /^[A-Za-z0-9][\w.-]{0,127}$/;

function definitionProblems(definition: ClientDefinition<Record<string, AnyEndpoint>>): string[] {
  const problems: string[] = [];
  if (!CLIENT_NAME.test(definition.name))
    problems.push(`name '${definition.name}' must be 1-128 letters, digits, '.', '_' or '-'`);
  if (definition.url !== undefined && !/^(lb|https?):\/\/[^/?#\s]+/.test(definition.url))
    problems.push(`url '${definition.url}' must be lb://, http:// or https://`);
  if (definition.path !== undefined && definition.path !== '') {
    const prefix = compilePathTemplate(definition.path);
    if (typeof prefix === 'string') problems.push(prefix);
    else if (prefix.names.length > 0)
      problems.push(`path '${definition.path}' cannot hold parameters`);
  }
  for (const [name, spec] of Object.entries(definition.endpoints)) {
    const template = compilePathTemplate(spec.path);
    if (typeof template === 'string') problems.push(`${name}: ${template}`);
    const argNames = [...(spec.query ?? []), ...Object.keys(spec.headers ?? {})];
    const clash = argNames.find(
      (arg) => typeof template !== 'string' && template.names.includes(arg),
    );
    if (clash !== undefined)
      problems.push(`${name}: '${clash}' is both a path parameter and another argument`);
  }
  for (const name of Object.keys(definition.fallback ?? {}))
    if (!Object.hasOwn(definition.endpoints, name))
      problems.push(`fallback '${name}' names no endpoint`);
  return problems;
}

/** @throws StratusError `HTTP_ERR_INVALID_CONFIG` listing every problem of the definition. */
export function checkDefinition(definition: ClientDefinition<Record<string, AnyEndpoint>>): void {
  const problems = definitionProblems(definition);
  if (problems.length > 0)
    throw HttpErrors.INVALID_CONFIG({
      message: `Invalid client definition '${definition.name}': ${problems.join('; ')}`,
      details: { client: definition.name, problems },
    });
}

/**
 * Declares a client, as `@FeignClient` on an interface does; `createClientFactory(…).create(definition)`
 * makes the callable client.
 *
 * @throws StratusError `HTTP_ERR_INVALID_CONFIG` listing every problem of the definition.
 * @example
 * export const OrderServiceClient = defineClient({
 *   name: 'order-service',
 *   endpoints: {
 *     getOrders: endpoint({ method: 'GET', path: '/order-service/{userId}/orders', response: toOrders }),
 *   },
 *   fallback: { getOrders: () => [] },
 * });
 */
export function defineClient<const Endpoints extends Record<string, AnyEndpoint>>(
  definition: ClientDefinition<Endpoints>,
): ClientDefinition<Endpoints> {
  checkDefinition(definition);
  return Object.freeze({ ...definition, endpoints: Object.freeze({ ...definition.endpoints }) });
}
