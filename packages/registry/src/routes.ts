import type { FastifyInstance } from 'fastify';
import type { Clock, Logger } from '@stratus/core';
import { mountEurekaApi } from './internal/http/eureka-api.js';
import type { EurekaRegistry } from './registry-types.js';

/** Options of {@link registerEurekaRoutes}. */
export interface EurekaRoutesOptions {
  readonly registry: EurekaRegistry;
  /** @default createSilentLogger() */
  readonly logger?: Logger;
  /** Supplies the default `lastDirtyTimestamp` of registrants that send none. @default systemClock */
  readonly clock?: Clock;
  /** Largest accepted request body; larger ones get 413. @default 262144 (256 KiB) */
  readonly maxBodyBytes?: number;
  /** Largest accepted `peerreplication/batch` body (413 beyond). @default 8388608 (8 MiB) */
  readonly maxBatchBodyBytes?: number;
  /** Mount points. @default ['/eureka', '/eureka/v2'] */
  readonly prefixes?: readonly string[];
}

/**
 * Registers the Eureka REST API (spring-wire §1.3) under `/eureka` and `/eureka/v2`, each path
 * with and without a trailing slash, in an encapsulated fastify scope: what
 * `@EnableEurekaServer` adds to a Spring Boot app, for an existing fastify server. Errors are
 * Eureka's plain text, not problem documents, because Eureka clients expect text. Security,
 * peers and the dashboard come with `createRegistryServer`.
 *
 * @example
 * const app = fastify();
 * await registerEurekaRoutes(app, { registry: createEurekaRegistry() });
 * await app.listen({ host: '127.0.0.1', port: 8761 });
 */
export async function registerEurekaRoutes(
  app: FastifyInstance,
  options: EurekaRoutesOptions,
): Promise<void> {
  await mountEurekaApi(app, options);
}
