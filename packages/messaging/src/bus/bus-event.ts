import { isRecord } from '@stratus/core';

/** Java package of Spring Cloud Bus's events; an ack names the acked event's class in it. */
export const BUS_EVENT_PACKAGE = 'org.springframework.cloud.bus.event';

/** The event types Stratus reads and writes: the simple class names Jackson puts in `type`. */
export type BusEventType =
  | 'RefreshRemoteApplicationEvent'
  | 'EnvironmentChangeRemoteApplicationEvent'
  | 'ShutdownRemoteApplicationEvent'
  | 'AckRemoteApplicationEvent';

const EVENT_TYPES: ReadonlySet<string> = new Set<BusEventType>([
  'RefreshRemoteApplicationEvent',
  'EnvironmentChangeRemoteApplicationEvent',
  'ShutdownRemoteApplicationEvent',
  'AckRemoteApplicationEvent',
]);

/** Fields of every `RemoteApplicationEvent`. */
interface RemoteApplicationEventFields {
  /** A UUID; an ack carries it as `ackId`. */
  readonly id: string;
  /** The sender's bus id (`spring.cloud.bus.id`), e.g. `customers:9000:3f2a…`. */
  readonly originService: string;
  /** Who it is for: an Ant pattern over bus ids (`customers:**`, `**`); `null` is everyone. */
  readonly destinationService: string | null;
  /** When the sender created it, in milliseconds since the epoch. */
  readonly timestamp: number;
}

/** `RefreshRemoteApplicationEvent`: reload configuration (`POST /actuator/busrefresh`). */
export interface RefreshRemoteApplicationEvent extends RemoteApplicationEventFields {
  readonly type: 'RefreshRemoteApplicationEvent';
}

/** `EnvironmentChangeRemoteApplicationEvent`: set properties (`POST /actuator/busenv`). */
export interface EnvironmentChangeRemoteApplicationEvent extends RemoteApplicationEventFields {
  readonly type: 'EnvironmentChangeRemoteApplicationEvent';
  readonly values: Readonly<Record<string, string>>;
}

/** `ShutdownRemoteApplicationEvent`: stop the application (`POST /actuator/busshutdown`). */
export interface ShutdownRemoteApplicationEvent extends RemoteApplicationEventFields {
  readonly type: 'ShutdownRemoteApplicationEvent';
}

/** `AckRemoteApplicationEvent`: an instance received (and applied) the event `ackId`. */
export interface AckRemoteApplicationEvent extends RemoteApplicationEventFields {
  readonly type: 'AckRemoteApplicationEvent';
  readonly ackId: string | null;
  /** The acked event's `destinationService`. */
  readonly ackDestinationService: string | null;
  /** The acked event's fully-qualified Java class name (`org.springframework.cloud.bus.event.…`). */
  readonly event: string | null;
}

/** A Spring Cloud Bus event. */
export type RemoteApplicationEvent =
  | RefreshRemoteApplicationEvent
  | EnvironmentChangeRemoteApplicationEvent
  | ShutdownRemoteApplicationEvent
  | AckRemoteApplicationEvent;

/** What {@link decodeBusEvent} made of a payload. */
export type DecodedBusEvent =
  | { readonly kind: 'event'; readonly event: RemoteApplicationEvent }
  /** A `type` Stratus does not know (Spring's `UnknownRemoteApplicationEvent`). */
  | { readonly kind: 'unknown'; readonly typeInfo: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Largest payload read, in bytes; bus events are a few hundred bytes. */
export const MAX_BUS_EVENT_BYTES = 256 * 1024;
/** Longest origin or destination read; matching work grows with it. */
const MAX_ADDRESS_LENGTH = 4096;

/**
 * Spring's JSON of an event, as Jackson 3 writes it for Spring Cloud Bus 5: `type` first (the
 * simple class name), then the properties in alphabetical order.
 *
 * @example
 * encodeBusEvent({ type: 'RefreshRemoteApplicationEvent', id, originService: 'config-server:8888:ab12', destinationService: 'customers:**', timestamp: Date.now() });
 * // {"type":"RefreshRemoteApplicationEvent","destinationService":"customers:**","id":"…","originService":"config-server:8888:ab12","timestamp":…}
 */
export function encodeBusEvent(event: RemoteApplicationEvent): string {
  const common = {
    destinationService: event.destinationService,
    id: event.id,
    originService: event.originService,
    timestamp: event.timestamp,
  };
  switch (event.type) {
    case 'AckRemoteApplicationEvent':
      return JSON.stringify({
        type: event.type,
        ackDestinationService: event.ackDestinationService,
        ackId: event.ackId,
        destinationService: event.destinationService,
        event: event.event,
        id: event.id,
        originService: event.originService,
        timestamp: event.timestamp,
      });
    case 'EnvironmentChangeRemoteApplicationEvent':
      return JSON.stringify({ type: event.type, ...common, values: event.values });
    default:
      return JSON.stringify({ type: event.type, ...common });
  }
}

/**
 * Reads a bus payload as Spring's `BusJacksonMessageConverter` does: a known `type` becomes its
 * event, an unknown one `unknown` (skipped by the bus, as Spring skips
 * `UnknownRemoteApplicationEvent`); anything else — not JSON, not an object, no `id`, no
 * `originService`, no `destinationService`, a `values` map that is not strings — is `invalid`.
 * A missing `timestamp` takes `receivedAt`. Never throws.
 */
export function decodeBusEvent(payload: Buffer | string, receivedAt: number): DecodedBusEvent {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_BUS_EVENT_BYTES)
    return invalid(`payload larger than ${MAX_BUS_EVENT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return invalid('payload is not JSON');
  }
  if (!isRecord(json)) return invalid('payload is not a JSON object');
  const { type } = json;
  if (typeof type !== 'string') return invalid('no type');
  if (!EVENT_TYPES.has(type)) return { kind: 'unknown', typeInfo: type.slice(0, 200) };
  const fields = commonFields(json, receivedAt);
  if (typeof fields === 'string') return invalid(fields);
  switch (type as BusEventType) {
    case 'EnvironmentChangeRemoteApplicationEvent': {
      const values = stringMap(json.values);
      if (values === null) return invalid('values is not a map of strings');
      return event({ type: 'EnvironmentChangeRemoteApplicationEvent', ...fields, values });
    }
    case 'AckRemoteApplicationEvent': {
      const ackId = optionalText(json.ackId);
      const ackDestinationService = optionalText(json.ackDestinationService);
      const acked = optionalText(json.event);
      if (ackId === undefined || ackDestinationService === undefined || acked === undefined)
        return invalid('ackId, ackDestinationService and event must be strings');
      const ack = { ackId, ackDestinationService, event: acked };
      return event({ type: 'AckRemoteApplicationEvent', ...fields, ...ack });
    }
    default:
      return event({ type: type as 'RefreshRemoteApplicationEvent', ...fields });
  }
}

function commonFields(
  json: Record<string, unknown>,
  receivedAt: number,
): RemoteApplicationEventFields | string {
  const { id, originService, destinationService, timestamp } = json;
  if (typeof id !== 'string' || id === '') return 'no id';
  if (typeof originService !== 'string') return 'no originService';
  if (!('destinationService' in json)) return 'no destinationService';
  if (destinationService !== null && typeof destinationService !== 'string')
    return 'destinationService is not a string';
  if (
    originService.length > MAX_ADDRESS_LENGTH ||
    (destinationService?.length ?? 0) > MAX_ADDRESS_LENGTH
  )
    return `originService or destinationService longer than ${MAX_ADDRESS_LENGTH} characters`;
  return {
    id: id.slice(0, 200),
    originService,
    destinationService,
    timestamp: typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : receivedAt,
  };
}

/** Jackson's `Map<String, String>`: scalars become their text; `null`, objects and arrays fail. */
function stringMap(value: unknown): Record<string, string> | null {
  if (!isRecord(value)) return null;
  const out = Object.create(null) as Record<string, string>;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[key] = entry;
    else if (typeof entry === 'number' || typeof entry === 'boolean') out[key] = String(entry);
    else return null;
  }
  return out;
}

/** A string or `null` (a missing property reads as `null`); `undefined` for another type. */
function optionalText(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : undefined;
}

function event(value: RemoteApplicationEvent): DecodedBusEvent {
  return { kind: 'event', event: value };
}

function invalid(reason: string): DecodedBusEvent {
  return { kind: 'invalid', reason };
}
