import type { FastifyInstance } from 'fastify';
import {
  isActuatorRequest,
  isAuthorized,
  UnauthorizedError,
  type ManagementCredentials,
} from '@stratus/boot';

/** Options of {@link protectConfigServer}. */
export interface ConfigServerSecurityOptions {
  /** The credentials (`spring.security.user.name` / `.password`), read on every request so a refresh applies. */
  credentials: () => ManagementCredentials;
  /**
   * Require the credentials on every configuration endpoint (Spring Security on the config
   * server; clients send them as `spring.cloud.config.username/password`).
   * @default false
   */
  requireForAll: () => boolean;
}

const CRYPTO_PATH = /^(?:\/[^/]+)*\/(?:encrypt|decrypt)(?:\/|$)/;

/**
 * HTTP Basic for the config server. `/encrypt` and `/decrypt` need the credentials whenever
 * a password is configured, as they turn the server into an encryption oracle; the rest only
 * when `requireForAll` says so. Requests routed to the actuator (wherever
 * `management.endpoints.web.base-path` puts it) keep the actuator's rule, the same on every
 * Stratus server: `health`, `info` and `prometheus` open, the other exposed endpoints behind
 * the same credentials.
 */
export function protectConfigServer(
  server: FastifyInstance,
  options: ConfigServerSecurityOptions,
): void {
  server.addHook('onRequest', async (request, reply) => {
    if (isActuatorRequest(request)) return;
    const path = request.url.split('?')[0] ?? '';
    const credentials = options.credentials();
    const needsCredentials =
      options.requireForAll() ||
      (credentials.password !== null && CRYPTO_PATH.test(path) && path !== '/encrypt/status');
    if (!needsCredentials || isAuthorized(request, credentials)) return;
    void reply.header('www-authenticate', 'Basic realm="config-server"');
    throw new UnauthorizedError();
  });
}
