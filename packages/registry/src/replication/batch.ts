import type { Clock } from '@stratus/core';
import { toInstanceStatus, type InstanceStatus } from '../model.js';
import type { EurekaRegistry } from '../registry-types.js';
import { instanceJson } from '../wire/json.js';
import { parseInstance } from '../wire/parse-instance.js';
import type { Tombstones } from './tombstones.js';

/** `action` of a replication item (Netflix `PeerEurekaNode.Action`). */
export type ReplicationAction =
  'Register' | 'Heartbeat' | 'Cancel' | 'StatusUpdate' | 'DeleteStatusOverride';

/** Every replication action. */
export const REPLICATION_ACTIONS: readonly ReplicationAction[] = Object.freeze([
  'Register',
  'Heartbeat',
  'Cancel',
  'StatusUpdate',
  'DeleteStatusOverride',
]);

/**
 * One item of `{"replicationList":[…]}` (Netflix `ReplicationInstance`);
 * null fields are omitted on the wire. `instanceInfo` is the bare instance
 * JSON (no `instance` wrapper).
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

/** Largest batch the endpoint accepts (Eureka sends at most 250). */
export const MAX_BATCH_ITEMS = 1000;

/** Options of {@link applyReplicationBatch}. */
export interface ApplyBatchOptions {
  readonly clock: Clock;
  /** Refuses stale registers (409) after a cancel; optional. */
  readonly tombstones?: Tombstones;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function timestamp(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return null;
}

function optionalStatus(value: unknown): InstanceStatus | undefined | null {
  if (value === undefined || value === null) return undefined;
  return toInstanceStatus(value);
}

/**
 * Returns the items of a batch body, or `null` when the body is not
 * `{"replicationList":[…]}` with at most {@link MAX_BATCH_ITEMS} items (→ 400).
 * Items themselves are checked one by one in {@link applyReplicationBatch}.
 */
export function readReplicationList(body: unknown): readonly unknown[] | null {
  if (!isObject(body) || !Array.isArray(body.replicationList)) return null;
  return body.replicationList.length <= MAX_BATCH_ITEMS ? body.replicationList : null;
}

/**
 * Applies each item with `isReplication=true`, in order, and returns one
 * response per item (spring-wire §1.12): Register → 200 (400 bad instance,
 * 409 when a newer cancel is recorded), Heartbeat → 200 / 404 / 409 with the
 * stored instance, Cancel / StatusUpdate / DeleteStatusOverride → 200 / 404,
 * an item we cannot read → 400, an item that throws → 500. Never throws.
 */
export function applyReplicationBatch(
  registry: EurekaRegistry,
  items: readonly unknown[],
  options: ApplyBatchOptions,
): ReplicationItemResponse[] {
  return items.map((item) => {
    try {
      return applyItem(registry, item, options);
    } catch {
      return { statusCode: 500 };
    }
  });
}

function applyItem(
  registry: EurekaRegistry,
  item: unknown,
  { clock, tombstones }: ApplyBatchOptions,
): ReplicationItemResponse {
  if (!isObject(item)) return { statusCode: 400 };
  const { appName, id, action } = item;
  if (typeof appName !== 'string' || appName === '' || typeof id !== 'string' || id === '')
    return { statusCode: 400 };
  const lastDirtyTimestamp = timestamp(item.lastDirtyTimestamp);
  const status = optionalStatus(item.status);
  const overriddenStatus = optionalStatus(item.overriddenStatus);
  if (lastDirtyTimestamp === null || status === null || overriddenStatus === null)
    return { statusCode: 400 };
  const dirty = lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp };
  switch (action) {
    case 'Register': {
      const parsed = parseInstance(item.instanceInfo, appName, clock.now());
      if (!parsed.ok) return { statusCode: 400 };
      const instance = parsed.instance;
      if (tombstones?.isStale(instance.app, id, instance.lastDirtyTimestamp))
        return { statusCode: 409 };
      registry.register(instance, { isReplication: true });
      return { statusCode: 200 };
    }
    case 'Heartbeat': {
      const result = registry.renew(appName, id, {
        isReplication: true,
        ...dirty,
        ...(status === undefined ? {} : { status }),
        ...(overriddenStatus === undefined ? {} : { overriddenStatus }),
      });
      if (result === 'ok') return { statusCode: 200 };
      if (result === 'not-found') return { statusCode: 404 };
      const stored = registry.getInstance(appName, id);
      return stored === null
        ? { statusCode: 404 }
        : { statusCode: 409, responseEntity: instanceJson(stored) };
    }
    case 'Cancel': {
      const stored = registry.getInstance(appName, id);
      const cancelledDirty = Math.max(lastDirtyTimestamp ?? 0, stored?.lastDirtyTimestamp ?? 0);
      if (cancelledDirty > 0) tombstones?.record(appName, id, cancelledDirty);
      return { statusCode: registry.cancel(appName, id, { isReplication: true }) ? 200 : 404 };
    }
    case 'StatusUpdate': {
      if (status === undefined) return { statusCode: 400 };
      const ok = registry.statusUpdate(appName, id, status, { isReplication: true, ...dirty });
      return { statusCode: ok ? 200 : 404 };
    }
    case 'DeleteStatusOverride': {
      const ok = registry.deleteStatusOverride(appName, id, status ?? 'UNKNOWN', {
        isReplication: true,
        ...dirty,
      });
      return { statusCode: ok ? 200 : 404 };
    }
    default:
      return { statusCode: 400 };
  }
}
