import type { FastifyInstance } from 'fastify';
import { createSilentLogger, systemClock } from '@stratus/core';
import { EUREKA_API_DEFAULTS } from '../../defaults.js';
import type { EurekaRoutesOptions } from '../../routes.js';
import type { Tombstones } from '../replication/tombstones.js';
import type { RegistrySnapshotSource } from '../response-cache.js';
import type { RegistrySecurity } from '../security.js';
import type { ApiContext } from './api-context.js';
import { installBodyParsers } from './body-parsers.js';
import { installErrorHandler } from './error-handler.js';
import { installCharacterGuard, installSecurityGuard } from './guards.js';
import { InstanceOwnership } from './ownership.js';
import { registerPeerRoutes } from './peer-routes.js';
import { fastReads, type FastReadHooks, type FastReadInterceptor } from './fast-reads.js';
import { fastRenewals } from './fast-renewals.js';
import { PayloadCache } from './payload-cache.js';
import { registerReadRoutes } from './read-routes.js';
import { routeAdder } from './route-table.js';
import { registerWriteRoutes } from './write-routes.js';

/** What the registry server adds to the public options of `registerEurekaRoutes`. */
export interface EurekaApiOptions extends EurekaRoutesOptions {
  /** Where `GET /apps` and `/apps/delta` read from (the read-only response cache). @default registry */
  readonly snapshots?: RegistrySnapshotSource | undefined;
  /** Access rules (401/403); without it nothing is checked, the replication header included. */
  readonly security?: RegistrySecurity | undefined;
  /** Recent cancels; replicated registers older than one are refused with 409. */
  readonly tombstones?: Tombstones | undefined;
  /** Cached bodies up to this size are one buffer (tests lower it). @default JOIN_MAX_BYTES */
  readonly payloadJoinMaxBytes?: number;
  /**
   * Serve the plain `/apps` and `/apps/delta` reads and heartbeats before fastify: `install`
   * puts each interceptor in place (boot's `interceptRequests`). @default none: fastify routes
   * them all
   */
  readonly fastReads?: FastReadHooks & {
    readonly install: (interceptor: FastReadInterceptor) => void;
  };
}

/**
 * Mounts the Eureka REST API (spring-wire §1.3) in an encapsulated fastify scope: body
 * parsers and character rules for hostile input, Eureka's plain-text errors, optional access
 * rules, then the read, write and peer routes.
 */
export async function mountEurekaApi(
  app: FastifyInstance,
  options: EurekaApiOptions,
): Promise<void> {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-http' });
  const d = EUREKA_API_DEFAULTS;
  const maxBodyBytes = options.maxBodyBytes ?? d.maxBodyBytes;
  const maxBatchBodyBytes = options.maxBatchBodyBytes ?? d.maxBatchBodyBytes;

  await app.register(async (scope) => {
    installBodyParsers(scope, { maxBodyBytes, maxBatchBodyBytes });
    installCharacterGuard(scope, log);
    installErrorHandler(scope, log);
    if (options.security !== undefined) installSecurityGuard(scope, options.security, log);
    const context: ApiContext = {
      route: routeAdder(scope, options.prefixes ?? d.prefixes, maxBodyBytes),
      registry,
      clock,
      log,
      ownership: new InstanceOwnership(registry, options.security),
      snapshots: options.snapshots ?? registry,
      payloads: new PayloadCache(options.payloadJoinMaxBytes),
      tombstones: options.tombstones,
      maxBatchBodyBytes,
    };
    registerWriteRoutes(context);
    registerReadRoutes(context);
    registerPeerRoutes(context);
    if (options.fastReads !== undefined) {
      const fast = {
        ...context,
        prefixes: options.prefixes ?? d.prefixes,
        security: options.security,
        hooks: options.fastReads,
      };
      options.fastReads.install(fastReads(fast));
      options.fastReads.install(fastRenewals(fast));
    }
  });
}
