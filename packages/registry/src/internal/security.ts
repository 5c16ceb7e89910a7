import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { FastifyRequest } from 'fastify';
import type { Secret } from '@stratus/core';

/** A username and password accepted by the registry. */
export interface RegistryCredential {
  readonly username: string;
  readonly password: Secret;
}

/** Options of {@link createRegistrySecurity}. */
export interface RegistrySecurityOptions {
  /** Require HTTP Basic on `/eureka/**` and the dashboard (`stratus.registry.security.enabled`). @default false */
  readonly enabled: boolean;
  /**
   * Administrator credentials (`spring.security.user.name` / `.password`): may change any
   * instance (status overrides by an operator).
   */
  readonly users: readonly RegistryCredential[];
  /**
   * Per-service client credentials (`stratus.registry.security.clients.<name>=<password>`):
   * each may change only the instances it registered itself.
   */
  readonly clients?: readonly RegistryCredential[];
  /**
   * Peer credentials (the `user:pw@` of `defaultZone` entries). With security on,
   * only these may replicate; when a peer credential equals a client one, every
   * client holding it counts as a peer.
   */
  readonly peerUsers: readonly RegistryCredential[];
  /** Peer host names or IPs; with security off only these addresses may replicate. */
  readonly peerHosts: readonly string[];
}

/** Outcome of a check: allowed, 401 (no or wrong credentials) or 403 (not a peer). */
export type SecurityDecision = 'allow' | 'unauthenticated' | 'forbidden';

/** Who made a request, when security is on. */
export interface RegistryPrincipal {
  readonly username: string;
  /** `client` principals are limited to their own instances. */
  readonly kind: 'admin' | 'peer' | 'client';
}

/** What the access rules read of a request: a fastify request, or Node's own. */
export type SecuredRequest = Pick<FastifyRequest, 'headers' | 'socket'>;

/** The registry's access rules. */
export interface RegistrySecurity {
  readonly enabled: boolean;
  /** The authenticated caller, or `null` when security is off or nobody matched. */
  principal(request: FastifyRequest): RegistryPrincipal | null;
  /** `isReplication`: the request carries the replication header or targets the batch endpoint. */
  check(request: SecuredRequest, isReplication: boolean): SecurityDecision;
  /** Resolves peer host names to addresses (call once at start; IP literals need none). */
  resolvePeerAddresses(): Promise<void>;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function matches(header: string | undefined, credential: RegistryCredential): boolean {
  if (typeof header !== 'string' || !/^basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Hash first so lengths match and timing says nothing about either value.
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(credential.username));
  const passwordOk = timingSafeEqual(
    digest(decoded.slice(colon + 1)),
    digest(credential.password.reveal()),
  );
  return userOk && passwordOk;
}

const normalizeAddress = (address: string): string => address.toLowerCase().replace(/^::ffff:/, '');

/**
 * Creates the registry's access rules. With security on, every request needs
 * one of `users` or `peerUsers` (401 otherwise) and replication needs a
 * `peerUsers` credential (403 otherwise). With security off, replication is
 * accepted only from a peer's address (403 otherwise).
 *
 * @example
 * const security = createRegistrySecurity({
 *   enabled: true,
 *   users: [{ username: 'eureka', password: new Secret('pw') }],
 *   peerUsers: [],
 *   peerHosts: [],
 * });
 */
export function createRegistrySecurity(options: RegistrySecurityOptions): RegistrySecurity {
  const peerAddresses = new Set<string>();
  for (const host of options.peerHosts)
    if (isIP(host) !== 0) peerAddresses.add(normalizeAddress(host));
  const clients = options.clients ?? [];
  const all = [...options.users, ...options.peerUsers, ...clients];
  return {
    enabled: options.enabled,
    principal(request) {
      if (!options.enabled) return null;
      const header = request.headers.authorization;
      const found = (list: readonly RegistryCredential[]) => list.find((c) => matches(header, c));
      const peer = found(options.peerUsers);
      if (peer) return { username: peer.username, kind: 'peer' };
      const admin = found(options.users);
      if (admin) return { username: admin.username, kind: 'admin' };
      const client = found(clients);
      return client ? { username: client.username, kind: 'client' } : null;
    },
    check(request, isReplication) {
      const header = request.headers.authorization;
      if (options.enabled) {
        if (!all.some((credential) => matches(header, credential))) return 'unauthenticated';
        if (isReplication && !options.peerUsers.some((credential) => matches(header, credential)))
          return 'forbidden';
        return 'allow';
      }
      if (!isReplication) return 'allow';
      return peerAddresses.has(normalizeAddress(request.socket.remoteAddress ?? ''))
        ? 'allow'
        : 'forbidden';
    },
    async resolvePeerAddresses() {
      await Promise.all(
        options.peerHosts
          .filter((host) => isIP(host) === 0)
          .map(async (host) => {
            try {
              for (const { address } of await lookup(host, { all: true }))
                peerAddresses.add(normalizeAddress(address));
            } catch {
              // An unresolvable peer simply cannot replicate to us.
            }
          }),
      );
    },
  };
}
