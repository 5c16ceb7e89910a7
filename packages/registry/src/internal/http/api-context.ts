import type { Clock, Logger } from '@stratus/core';
import type { EurekaRegistry } from '../../registry-types.js';
import type { Tombstones } from '../replication/tombstones.js';
import type { RegistrySnapshotSource } from '../response-cache.js';
import type { InstanceOwnership } from './ownership.js';
import type { PayloadCache } from './payload-cache.js';
import type { AddRoute } from './route-table.js';

/** What the route groups of one mounted Eureka API share. */
export interface ApiContext {
  readonly route: AddRoute;
  readonly registry: EurekaRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly ownership: InstanceOwnership;
  /** Where `/apps` and `/apps/delta` come from: the registry, or the read-only cache. */
  readonly snapshots: RegistrySnapshotSource;
  /** The encoded `/apps` and `/apps/delta` bodies. */
  readonly payloads: PayloadCache;
  readonly tombstones: Tombstones | undefined;
  readonly maxBatchBodyBytes: number;
}
