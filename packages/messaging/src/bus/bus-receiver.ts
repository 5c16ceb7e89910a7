import type { Logger } from '@stratus/core';
import type { Message } from '../transport.js';
import {
  BUS_EVENT_PACKAGE,
  decodeBusEvent,
  type AckRemoteApplicationEvent,
  type RemoteApplicationEvent,
} from './bus-event.js';
import { BUS_CONTENT_TYPE, declaredContentType } from './bus-headers.js';
import type { BusActivity, BusHandlers } from './bus-options.js';
import type { ServiceMatcher } from './destination.js';

/** What the receiver needs from its bus. */
export interface ReceiverContext {
  readonly matcher: ServiceMatcher;
  readonly handlers: BusHandlers;
  readonly isAckEnabled: boolean;
  readonly isTraceEnabled: boolean;
  /** The normalised `ack.destination-service`. */
  readonly ackDestination: string;
  readonly logger: Logger;
  now(): number;
  newId(): string;
  publish(event: RemoteApplicationEvent): Promise<void>;
  report(activity: BusActivity): void;
  /** True the first time an event id is seen (a redelivery is not applied or acked twice). */
  isFirstDelivery(eventId: string): boolean;
}

/**
 * Spring Cloud Bus's `BusConsumer` for one delivered message. An ack only informs (and is
 * traced when `trace.enabled`). An event for this instance that it did not send itself is
 * applied; then, whoever sent it, it is acknowledged. A message that is not a bus event (not
 * JSON, no id, …) or of an unknown type is logged once with its position and skipped. Never
 * throws: the subscription commits every message.
 */
export async function receiveBusMessage(message: Message, context: ReceiverContext): Promise<void> {
  const position = {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
  };
  const contentType = declaredContentType(message.headers);
  if (contentType !== null && contentType !== BUS_CONTENT_TYPE && !contentType.endsWith('+json')) {
    context.logger.warn(
      { ...position, contentType },
      'bus message with a content type other than JSON skipped',
    );
    return;
  }
  const decoded = decodeBusEvent(message.payload, context.now());
  if (decoded.kind === 'invalid') {
    context.logger.warn({ ...position, reason: decoded.reason }, 'malformed bus message skipped');
    return;
  }
  if (decoded.kind === 'unknown') {
    context.logger.warn(
      { ...position, type: decoded.typeInfo },
      'bus event of an unknown type skipped',
    );
    return;
  }
  const { event } = decoded;
  const isFromSelf = context.matcher.isFromSelf(event.originService);
  const isForSelf = context.matcher.isForSelf(event.destinationService);
  context.report({ kind: 'received', event, isForSelf, isFromSelf });
  if (event.type === 'AckRemoteApplicationEvent') {
    if (context.isTraceEnabled && !isFromSelf) traceAck(event, context.logger);
    return;
  }
  if (!isForSelf || !context.isFirstDelivery(event.id)) return;
  const isApplied = isFromSelf ? true : await applyEvent(event, context);
  if (isApplied && context.isAckEnabled) await sendAck(event, context);
  if (isApplied && !isFromSelf && event.type === 'ShutdownRemoteApplicationEvent')
    startShutdown(event, context);
}

/** Runs the handler of a refresh or environment change; false when it failed. */
async function applyEvent(
  event: RemoteApplicationEvent,
  context: ReceiverContext,
): Promise<boolean> {
  const { handlers, logger } = context;
  const log = { eventId: event.id, type: event.type, origin: event.originService };
  try {
    let changed: readonly string[] = [];
    if (event.type === 'RefreshRemoteApplicationEvent' && handlers.refresh) {
      logger.info(log, 'remote refresh request received');
      changed = await handlers.refresh(event);
    } else if (
      event.type === 'EnvironmentChangeRemoteApplicationEvent' &&
      handlers.environmentChange
    ) {
      logger.info(
        { ...log, keys: Object.keys(event.values) },
        'remote environment change received',
      );
      changed = await handlers.environmentChange(event);
    } else if (event.type !== 'ShutdownRemoteApplicationEvent' || !handlers.shutdown) {
      return true;
    }
    context.report({ kind: 'applied', event, changed });
    if (event.type !== 'ShutdownRemoteApplicationEvent')
      logger.info({ ...log, changed }, 'keys refreshed');
    return true;
  } catch (error) {
    logger.warn({ ...log, err: error }, 'bus event not applied; not acknowledged');
    context.report({ kind: 'failed', event, error });
    return false;
  }
}

async function sendAck(event: RemoteApplicationEvent, context: ReceiverContext): Promise<void> {
  const ack: AckRemoteApplicationEvent = {
    type: 'AckRemoteApplicationEvent',
    id: context.newId(),
    originService: context.matcher.busId,
    destinationService: context.ackDestination,
    timestamp: context.now(),
    ackId: event.id,
    ackDestinationService: event.destinationService,
    event: `${BUS_EVENT_PACKAGE}.${event.type}`,
  };
  try {
    await context.publish(ack);
  } catch (error) {
    context.logger.warn({ err: error, eventId: event.id }, 'bus ack not sent');
  }
}

/** After the ack: the shutdown closes the application, and with it this subscription. */
function startShutdown(event: RemoteApplicationEvent, context: ReceiverContext): void {
  const shutdown = context.handlers.shutdown;
  if (event.type !== 'ShutdownRemoteApplicationEvent' || !shutdown) return;
  context.logger.warn(
    { origin: event.originService },
    'remote shutdown request received; shutting down',
  );
  setImmediate(() => {
    Promise.resolve()
      .then(() => shutdown(event))
      .catch((error: unknown) => context.logger.error({ err: error }, 'bus shutdown failed'));
  });
}

function traceAck(event: AckRemoteApplicationEvent, logger: Logger): void {
  logger.info(
    {
      signal: 'spring.cloud.bus.ack',
      event: event.event,
      id: event.ackId,
      origin: event.originService,
      destination: event.ackDestinationService,
    },
    'bus ack received',
  );
}
