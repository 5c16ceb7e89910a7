import type { Clock, Logger } from '@stratus/core';
import type { Transport } from '../transport.js';
import type {
  EnvironmentChangeRemoteApplicationEvent,
  RefreshRemoteApplicationEvent,
  RemoteApplicationEvent,
  ShutdownRemoteApplicationEvent,
} from './bus-event.js';

/** Defaults of `createBus` (Spring Cloud Bus's `BusProperties`). */
export const BUS_DEFAULTS = Object.freeze({
  /** `spring.cloud.bus.destination`: the Kafka topic / RabbitMQ exchange. */
  destination: 'springCloudBus',
  /** `spring.cloud.bus.ack.enabled`. */
  ackEnabled: true,
  /** `spring.cloud.bus.trace.enabled`. */
  traceEnabled: false,
  /** Event ids remembered to apply a redelivered event once. */
  seenEventIds: 1024,
});

/**
 * What the bus does with the events addressed to this instance (Spring's `RefreshListener`,
 * `EnvironmentChangeListener`, `ShutdownListener`). A missing handler leaves that event type
 * unapplied, as `spring.cloud.bus.refresh.enabled=false` (or `env`, `shutdown`) does; the event
 * is still acknowledged.
 */
export interface BusHandlers {
  /** Reloads configuration; resolves to the changed keys (`ContextRefresher.refresh()`). */
  refresh?: (event: RefreshRemoteApplicationEvent) => Promise<readonly string[]>;
  /** Sets `event.values` above every other property source, then refreshes; the changed keys. */
  environmentChange?: (
    event: EnvironmentChangeRemoteApplicationEvent,
  ) => Promise<readonly string[]>;
  /**
   * Stops the application. Called after the event was acknowledged and never awaited by the
   * bus, so it may close the bus itself.
   */
  shutdown?: (event: ShutdownRemoteApplicationEvent) => Promise<void> | void;
}

/** Something the bus did, for observers (tests, metrics, the trace log). */
export type BusActivity =
  /** An event read from the bus (also this instance's own, and acks). */
  | {
      readonly kind: 'received';
      readonly event: RemoteApplicationEvent;
      readonly isForSelf: boolean;
      readonly isFromSelf: boolean;
    }
  /** An event this instance published (its acks included). */
  | { readonly kind: 'sent'; readonly event: RemoteApplicationEvent }
  /** An event applied here, with the keys it changed (none for a shutdown). */
  | {
      readonly kind: 'applied';
      readonly event: RemoteApplicationEvent;
      readonly changed: readonly string[];
    }
  /** An event this instance could not apply; it is not acknowledged. */
  | { readonly kind: 'failed'; readonly event: RemoteApplicationEvent; readonly error: unknown };

/** Options of `createBus`. */
export interface BusOptions {
  /** The transport carrying the bus (the application's: embedded log, Kafka or RabbitMQ). */
  transport: Transport;
  /** This instance's bus id (`spring.cloud.bus.id`); see `defaultBusId`. */
  id: string;
  /** `spring.cloud.bus.destination`. @default 'springCloudBus' */
  destination?: string;
  ack?: {
    /** `spring.cloud.bus.ack.enabled`: acknowledge every event addressed here. @default true */
    enabled?: boolean;
    /** `spring.cloud.bus.ack.destination-service`: who gets the acks. @default null (everyone, `**`) */
    destinationService?: string | null;
  };
  trace?: {
    /** `spring.cloud.bus.trace.enabled`: log acks received and events sent at info. @default false */
    enabled?: boolean;
  };
  /** `spring.cloud.config.name` values also matched against destinations. @default [] */
  configNames?: readonly string[];
  /** What to do with events addressed here. @default {} (acknowledge only) */
  handlers?: BusHandlers;
  /** Time of event timestamps. @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
}
