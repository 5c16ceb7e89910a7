import { isRecord, type Clock } from '@stratus/core';
import {
  instanceJson,
  parseInstance,
  toInstanceStatus,
  type InstanceStatus,
  type JsonObject,
} from '@stratus/discovery';
import type { EurekaRegistry } from '../../registry-types.js';
import {
  MAX_BATCH_ITEMS,
  type ReplicationAction as ItemAction,
  type ReplicationItemResponse,
} from './replication-item.js';
import type { Tombstones } from './tombstones.js';

/** Options of {@link applyReplicationBatch}. */
export interface ApplyBatchOptions {
  readonly clock: Clock;
  /** Refuses stale registers (409) after a cancel; optional. */
  readonly tombstones?: Tombstones | undefined;
}

/** An item's common fields, checked. */
interface ItemFields {
  readonly raw: JsonObject;
  readonly appName: string;
  readonly id: string;
  readonly lastDirtyTimestamp: number | undefined;
  readonly status: InstanceStatus | undefined;
  readonly overriddenStatus: InstanceStatus | undefined;
}

/** What one handler answers: a status code, or a whole response (a 409 with the instance). */
type Apply = (
  registry: EurekaRegistry,
  item: ItemFields,
  options: ApplyBatchOptions,
) => number | ReplicationItemResponse;

function timestampOf(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return null;
}

function optionalStatusOf(value: unknown): InstanceStatus | undefined | null {
  if (value === undefined || value === null) return undefined;
  return toInstanceStatus(value);
}

/** The item's common fields, or null when one is missing or malformed (→ 400). */
function fieldsOf(item: unknown): ItemFields | null {
  if (!isRecord(item)) return null;
  const { appName, id } = item;
  if (typeof appName !== 'string' || appName === '' || typeof id !== 'string' || id === '')
    return null;
  const lastDirtyTimestamp = timestampOf(item.lastDirtyTimestamp);
  const status = optionalStatusOf(item.status);
  const overriddenStatus = optionalStatusOf(item.overriddenStatus);
  if (lastDirtyTimestamp === null || status === null || overriddenStatus === null) return null;
  return { raw: item, appName, id, lastDirtyTimestamp, status, overriddenStatus };
}

const dirty = ({ lastDirtyTimestamp }: ItemFields) =>
  lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp };

/** Eureka's `PeerReplicationResource`, one handler per action (spring-wire §1.12). */
const HANDLERS: Readonly<Record<ItemAction, Apply>> = {
  Register(registry, item, { clock, tombstones }) {
    const parsed = parseInstance(item.raw.instanceInfo, item.appName, clock.now());
    if (!parsed.ok) return 400;
    const { instance } = parsed;
    if (tombstones?.isStale(instance.app, item.id, instance.lastDirtyTimestamp)) return 409;
    registry.register(instance, { isReplication: true });
    return 200;
  },
  Heartbeat(registry, item) {
    const { appName, id, status, overriddenStatus } = item;
    const result = registry.renew(appName, id, {
      isReplication: true,
      ...dirty(item),
      ...(status === undefined ? {} : { status }),
      ...(overriddenStatus === undefined ? {} : { overriddenStatus }),
    });
    if (result === 'ok') return 200;
    if (result === 'not-found') return 404;
    const stored = registry.getInstance(appName, id);
    return stored === null ? 404 : { statusCode: 409, responseEntity: instanceJson(stored) };
  },
  Cancel(registry, { appName, id, lastDirtyTimestamp }, { tombstones }) {
    const stored = registry.getInstance(appName, id);
    const cancelledDirty = Math.max(lastDirtyTimestamp ?? 0, stored?.lastDirtyTimestamp ?? 0);
    if (cancelledDirty > 0) tombstones?.record(appName, id, cancelledDirty);
    return registry.cancel(appName, id, { isReplication: true }) ? 200 : 404;
  },
  StatusUpdate(registry, item) {
    if (item.status === undefined) return 400;
    const options = { isReplication: true, ...dirty(item) };
    return registry.statusUpdate(item.appName, item.id, item.status, options) ? 200 : 404;
  },
  DeleteStatusOverride(registry, item) {
    const options = { isReplication: true, ...dirty(item) };
    const status = item.status ?? 'UNKNOWN';
    return registry.deleteStatusOverride(item.appName, item.id, status, options) ? 200 : 404;
  },
};
const ACTIONS = new Map<unknown, Apply>(Object.entries(HANDLERS));

/**
 * Returns the items of a batch body, or `null` when the body is not
 * `{"replicationList":[…]}` with at most {@link MAX_BATCH_ITEMS} items (→ 400).
 * Items themselves are checked one by one in {@link applyReplicationBatch}.
 */
export function readReplicationList(body: unknown): readonly unknown[] | null {
  if (!isRecord(body) || !Array.isArray(body.replicationList)) return null;
  return body.replicationList.length <= MAX_BATCH_ITEMS ? body.replicationList : null;
}

/**
 * Applies each item with `isReplication=true`, in order, and returns one response per item
 * (spring-wire §1.12): Register → 200 (400 bad instance, 409 when a newer cancel is recorded),
 * Heartbeat → 200 / 404 / 409 with the stored instance, Cancel / StatusUpdate /
 * DeleteStatusOverride → 200 / 404, an item we cannot read → 400, an item that throws → 500.
 * Never throws.
 */
export function applyReplicationBatch(
  registry: EurekaRegistry,
  items: readonly unknown[],
  options: ApplyBatchOptions,
): ReplicationItemResponse[] {
  return items.map((item) => {
    try {
      const fields = fieldsOf(item);
      const apply = fields === null ? undefined : ACTIONS.get(fields.raw.action);
      if (fields === null || apply === undefined) return { statusCode: 400 };
      const result = apply(registry, fields, options);
      return typeof result === 'number' ? { statusCode: result } : result;
    } catch {
      return { statusCode: 500 };
    }
  });
}
