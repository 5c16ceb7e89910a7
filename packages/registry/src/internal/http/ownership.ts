import type { FastifyRequest } from 'fastify';
import type { EurekaRegistry } from '../../registry-types.js';
import type { RegistrySecurity } from '../security.js';
import { isReplicationRequest } from './request-values.js';

const keyOf = (app: string, id: string): string => `${app.toUpperCase()}/${id}`;

/**
 * Which client credential registered which instance (reliability §1.3: an instance may change
 * only its own record). A client may touch only the instances it registered; administrators
 * and peers may change any. Instances of unknown owner (they came by replication) are not
 * restricted. An owner is forgotten when its instance is cancelled or evicted.
 */
export class InstanceOwnership {
  readonly #owners = new Map<string, string>();
  readonly #security: RegistrySecurity | undefined;

  constructor(registry: EurekaRegistry, security: RegistrySecurity | undefined) {
    this.#security = security;
    registry.subscribe((change) => {
      if (change.kind === 'cancel' || change.kind === 'evict')
        this.#owners.delete(keyOf(change.app, change.id));
    });
  }

  /** True when a client credential other than the owner's asks to change `app`/`id`. */
  isForeign(request: FastifyRequest, app: string, id: string): boolean {
    const principal = this.#security?.principal(request) ?? null;
    if (principal === null || principal.kind !== 'client' || isReplicationRequest(request))
      return false;
    const owner = this.#owners.get(keyOf(app, id));
    return owner !== undefined && owner !== principal.username;
  }

  /** Records the client credential of a registration as the owner of `app`/`id`. */
  claim(request: FastifyRequest, app: string, id: string): void {
    const principal = this.#security?.principal(request) ?? null;
    if (principal?.kind === 'client') this.#owners.set(keyOf(app, id), principal.username);
  }
}
