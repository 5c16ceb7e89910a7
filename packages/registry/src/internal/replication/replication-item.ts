import {
  instanceIdOf,
  instanceJson,
  type InstanceInfo,
  type InstanceStatus,
} from '@stratus/discovery';
import type { RegistryChange } from '../../registry-types.js';

/** The header Eureka peers send on replicated calls (and only peers may send). */
export const REPLICATION_HEADER = 'x-netflix-discovery-replication';

/** Largest batch the endpoint accepts (Eureka sends at most 250). */
export const MAX_BATCH_ITEMS = 1000;

/** `action` of a replication item (Netflix `PeerEurekaNode.Action`). */
export type ReplicationAction =
  'Register' | 'Heartbeat' | 'Cancel' | 'StatusUpdate' | 'DeleteStatusOverride';

/**
 * One item of `{"replicationList":[…]}` (Netflix `ReplicationInstance`, spring-wire §1.12);
 * null fields are omitted on the wire. `instanceInfo` is the bare instance JSON (no `instance`
 * wrapper).
 */
export interface ReplicationItem {
  readonly appName: string;
  readonly id: string;
  readonly lastDirtyTimestamp?: number;
  readonly overriddenStatus?: InstanceStatus;
  readonly status?: InstanceStatus;
  readonly action: ReplicationAction;
  readonly instanceInfo?: Record<string, unknown>;
}

/** One entry of `{"responseList":[…]}`; `responseEntity` is the stored instance on a heartbeat 409. */
export interface ReplicationItemResponse {
  readonly statusCode: number;
  readonly responseEntity?: Record<string, unknown>;
}

/** The Register task that copies `instance` to a peer. */
export function registerItem(instance: InstanceInfo): ReplicationItem {
  return {
    appName: instance.app,
    id: instanceIdOf(instance),
    lastDirtyTimestamp: instance.lastDirtyTimestamp,
    overriddenStatus: instance.overriddenStatus,
    status: instance.status,
    action: 'Register',
    instanceInfo: instanceJson(instance),
  };
}

/** The task that replicates a local change (evictions are not replicated, as in Eureka). */
export function itemOf(change: RegistryChange): ReplicationItem | null {
  const { app: appName, id, instance } = change;
  const { lastDirtyTimestamp, status } = instance;
  switch (change.kind) {
    case 'register':
      return registerItem(instance);
    case 'renew':
      return {
        appName,
        id,
        lastDirtyTimestamp,
        overriddenStatus: instance.overriddenStatus,
        status,
        action: 'Heartbeat',
      };
    case 'cancel':
      return { appName, id, lastDirtyTimestamp, action: 'Cancel' };
    case 'status-update':
      return { appName, id, lastDirtyTimestamp, status, action: 'StatusUpdate' };
    case 'delete-status-override':
      return { appName, id, lastDirtyTimestamp, status, action: 'DeleteStatusOverride' };
    case 'evict':
      return null;
  }
}
