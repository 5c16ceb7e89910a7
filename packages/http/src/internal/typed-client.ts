import type {
  AnyEndpoint,
  ClientDefinition,
  EndpointCallOptions,
  Fallback,
} from '../definition.js';
import { HttpErrors } from '../errors.js';
import type { ClientRuntime, CompiledEndpoint } from './client-runtime.js';
import { sendAndDecode } from './endpoint-call.js';
import { compilePathTemplate, type PathTemplate } from './path-template.js';
import { prepareCall, type PreparedCall } from './prepare-request.js';
import { protect, type Protection } from './protect.js';

type Definition = ClientDefinition<Record<string, AnyEndpoint>>;

// RFC 3986 pchar and '/': a literal path of only these, without dot segments, goes out as written.
const REGULAR_PATH = /^[\w\-.~!$&'()*+,;=:@/%{}]*$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

function compileEndpoints(definition: Definition): CompiledEndpoint[] {
  return Object.entries(definition.endpoints).map(([name, spec]) => ({
    name,
    spec,
    // checkDefinition has accepted every template.
    template: compilePathTemplate(spec.path) as PathTemplate,
    methodKey: `${definition.name}#${name}`,
    uriTemplate: `${definition.path ?? ''}${spec.path}`,
    isPathIrregular: !REGULAR_PATH.test(spec.path) || DOT_SEGMENT.test(spec.path),
  }));
}

/** The method's fallback, called with the failure and the call's arguments. */
function fallbackOf(
  definition: Definition,
  name: string,
): ((cause: Error, args: Readonly<Record<string, unknown>>) => unknown) | undefined {
  const fallbacks = definition.fallback as Record<string, Fallback<AnyEndpoint>> | undefined;
  if (fallbacks === undefined || !Object.hasOwn(fallbacks, name)) return undefined;
  const fallback = fallbacks[name];
  if (typeof fallback === 'function') return fallback as (c: Error, a: unknown) => unknown;
  // A fresh copy per call: a caller that changes the fallback value must not change the next one.
  return () => structuredClone(fallback);
}

/** The breaker of a method: `CircuitBreakerNameResolver`, alphanumeric ids, the group. */
function protectionOf(runtime: ClientRuntime, definition: Definition, method: string): Protection {
  const named =
    definition.circuitBreakerName?.(definition.name, method) ?? `${definition.name}#${method}`;
  const breakerId = runtime.settings.circuitBreakerAlphanumericIds
    ? named.replace(/[^A-Za-z0-9]/g, '')
    : named;
  const group = runtime.settings.circuitBreakerGroupEnabled ? definition.name : undefined;
  return { breakerId, breaker: runtime.circuitBreakers?.create(breakerId, group) };
}

/**
 * The object of a client's methods. Each call takes the client's current runtime (so refreshed
 * settings apply to the next call), prepares the request, and runs it under the policies. What a
 * method needs of a runtime (its breaker) is resolved once per runtime.
 */
export function typedClientOf(
  definition: Definition,
  runtimeOf: () => ClientRuntime,
  isClosed: () => boolean,
): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  for (const endpoint of compileEndpoints(definition)) {
    const fallback = fallbackOf(definition, endpoint.name);
    let resolved: { runtime: ClientRuntime; protection: Protection } | undefined;
    const run = (
      runtime: ClientRuntime,
      prepared: PreparedCall,
      args: Readonly<Record<string, unknown>>,
      call: EndpointCallOptions,
    ): Promise<unknown> => {
      if (resolved?.runtime !== runtime)
        resolved = { runtime, protection: protectionOf(runtime, definition, endpoint.name) };
      return protect(
        runtime,
        resolved.protection,
        prepared.out.isIdempotent,
        (signal) => sendAndDecode(runtime, endpoint, prepared, signal),
        fallback && ((cause) => fallback(cause, args)),
        call.signal,
      );
    };
    client[endpoint.name] = (
      args: Record<string, unknown> = {},
      call: EndpointCallOptions = {},
    ): Promise<unknown> => {
      try {
        if (isClosed())
          throw HttpErrors.CLOSED({ message: `HTTP client '${definition.name}' is closed` });
        const runtime = runtimeOf();
        const prepared = prepareCall(runtime, endpoint, args, call);
        return prepared instanceof Promise
          ? prepared.then((ready) => run(runtime, ready, args, call))
          : run(runtime, prepared, args, call);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return Object.freeze(client);
}
