import fastify from 'fastify';
import { createEurekaRegistry } from './registry.js';
import type { EurekaRegistry, EurekaRegistryOptions } from './registry-types.js';
import { registerEurekaRoutes, type EurekaRoutesOptions } from './routes.js';

/** Options of {@link startEurekaApi}. */
export interface StartEurekaApiOptions extends Omit<EurekaRoutesOptions, 'registry'> {
  /** Options of the registry it creates. @default { evictionIntervalMs: 0 } with `clock` */
  readonly registry?: EurekaRegistryOptions;
}

/** A registry serving the Eureka API on 127.0.0.1, for tests. */
export interface TestEurekaApi {
  readonly registry: EurekaRegistry;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** `http://127.0.0.1:<port>/eureka/`: a `defaultZone` entry. */
  readonly serviceUrl: string;
  /** Closes the server, then the registry. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a lease table (eviction timer off) behind `registerEurekaRoutes` on 127.0.0.1, port 0.
 *
 * @example
 * import { startEurekaApi } from '@stratus/registry/testing';
 * const api = await startEurekaApi({ registry: { clock } });
 * t.after(() => api.close());
 * await fetch(`${api.base}/eureka/apps`, { headers: { accept: 'application/json' } });
 */
export async function startEurekaApi(options: StartEurekaApiOptions = {}): Promise<TestEurekaApi> {
  const { registry: registryOptions, ...routes } = options;
  const registry = createEurekaRegistry({
    evictionIntervalMs: 0,
    ...(routes.clock === undefined ? {} : { clock: routes.clock }),
    ...registryOptions,
  });
  const app = fastify();
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await registry.close();
    })());
  try {
    await registerEurekaRoutes(app, { ...routes, registry });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return { registry, base, serviceUrl: `${base}/eureka/`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
