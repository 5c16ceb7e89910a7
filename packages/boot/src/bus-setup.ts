import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import {
  bindProperties,
  getList,
  type ConfigEnvironment,
  type PropertySpec,
} from '@stratus/config';
import { isStratusError, type Clock, type Logger } from '@stratus/core';
import {
  BUS_DEFAULTS,
  createBus,
  defaultBusId,
  type Bus,
  type BusHandlers,
  type Transport,
} from '@stratus/messaging';
import type { Actuator, ActuatorEndpoint, ActuatorRequest } from './actuator/routes.js';
import type { EnvironmentManager } from './environment-manager.js';
import { BootErrors, invalidConfiguration } from './errors.js';
import type { LiveConfig } from './live-config.js';

/** Spring Cloud Bus's keys (`BusProperties` and the listeners' switches). */
const BUS_PROPERTIES = {
  enabled: { key: 'spring.cloud.bus.enabled', type: 'boolean', default: true },
  id: { key: 'spring.cloud.bus.id', type: 'string' },
  destination: {
    key: 'spring.cloud.bus.destination',
    type: 'string',
    default: BUS_DEFAULTS.destination,
    pattern: /^[A-Za-z0-9._-]{1,249}$/,
  },
  contentType: {
    key: 'spring.cloud.bus.content-type',
    type: 'string',
    default: 'application/json',
    // Spring can also speak CBOR with jackson-dataformat-cbor; Stratus speaks JSON only.
    pattern: /^application\/json$/i,
  },
  ack: {
    key: 'spring.cloud.bus.ack',
    type: 'object',
    properties: {
      enabled: { key: 'enabled', type: 'boolean', default: BUS_DEFAULTS.ackEnabled },
      destinationService: { key: 'destination-service', type: 'string' },
    },
  },
  traceEnabled: { key: 'spring.cloud.bus.trace.enabled', type: 'boolean', default: false },
  refreshEnabled: { key: 'spring.cloud.bus.refresh.enabled', type: 'boolean', default: true },
  envEnabled: { key: 'spring.cloud.bus.env.enabled', type: 'boolean', default: true },
  // Spring's default is true; Stratus does not let a bus message stop a process unless asked.
  shutdownEnabled: { key: 'spring.cloud.bus.shutdown.enabled', type: 'boolean', default: false },
} as const satisfies Record<string, PropertySpec>;

/** Longest destination accepted in a bus endpoint's path. */
const MAX_DESTINATION_LENGTH = 1024;

/** What the bus needs from its application. */
export interface BusSetupContext {
  config: LiveConfig;
  actuator: Actuator;
  /** The application's transport, created on first use. */
  messaging: () => Transport;
  /** Holds what an environment change sets (the `manager` property source). */
  environment: EnvironmentManager;
  /** Closes the application (a shutdown event, when `spring.cloud.bus.shutdown.enabled`). */
  shutdown: () => Promise<void>;
  clock: Clock;
  logger: Logger;
}

/** The bus of one application: its endpoints exist from setup, the bus itself from `start()`. */
export interface BusRuntime {
  /** The running bus; null before `start()`, after `close()`, or with `spring.cloud.bus.enabled=false`. */
  readonly bus: Bus | null;
  /** Creates the bus with the bound port in its id (`local.server.port`) and subscribes. Once. */
  start(port: number): Promise<void>;
  /** Unsubscribes. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wires Spring Cloud Bus into an application: binds `spring.cloud.bus.*`, mounts
 * `POST /actuator/busrefresh[/{destination}]`, `/actuator/busenv[/{destination}]` (and
 * `/actuator/busshutdown` with `spring.cloud.bus.shutdown.enabled`) under the actuator's
 * exposure and credential rules, and at `start()` joins the bus on the application's transport.
 * A refresh event runs what `POST /actuator/refresh` runs; an environment change sets its
 * values in the `manager` property source above every other, then refreshes (a rejected
 * refresh takes them out again).
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every bad `spring.cloud.bus.*` value.
 * @example
 * const bus = setupBus({ config, actuator, messaging: () => app.messaging, environment, shutdown: () => app.close(), clock, logger });
 * await bus.start(boundPort);
 */
export function setupBus(context: BusSetupContext): BusRuntime {
  const settings = bindBusSettings(context.config.environment);
  const log = context.logger.child({ component: 'bus' });
  if (!settings.enabled) {
    log.debug('spring.cloud.bus.enabled=false; no bus');
    return { bus: null, start: async () => undefined, close: async () => undefined };
  }
  let bus: Bus | null = null;
  let starting: Promise<void> | null = null;
  const handlers = busHandlers(context, settings);
  const current = () => bus;
  for (const endpoint of busEndpoints(current, settings.shutdownEnabled))
    context.actuator.addEndpoint(endpoint);
  // Spring's cachedrandom.<app>.value: one per application instance, kept for its life.
  const random = randomBytes(16).toString('hex');
  return {
    get bus() {
      return bus;
    },
    start(port) {
      starting ??= (async () => {
        const created = createBus({
          transport: context.messaging(),
          id:
            settings.id ??
            defaultBusId((key) => context.config.getString(key), { localPort: port, random }),
          destination: settings.destination,
          ack: settings.ack,
          trace: { enabled: settings.traceEnabled },
          configNames: getList(context.config.environment, 'spring.cloud.config.name'),
          handlers,
          clock: context.clock,
          logger: context.logger,
        });
        await created.start();
        bus = created;
      })();
      return starting;
    },
    async close() {
      const closing = bus;
      bus = null;
      await closing?.close();
    },
  };
}

type BusSettings = ReturnType<typeof bindBusSettings>;

function bindBusSettings(env: ConfigEnvironment) {
  try {
    return bindProperties(env, BUS_PROPERTIES);
  } catch (error) {
    if (!isStratusError(error)) throw error;
    const problems = error.details.problems;
    throw invalidConfiguration(Array.isArray(problems) ? problems.map(String) : [error.message]);
  }
}

/** The listeners `spring.cloud.bus.{refresh,env,shutdown}.enabled` switch on. */
function busHandlers(context: BusSetupContext, settings: BusSettings): BusHandlers {
  const { config, environment } = context;
  return {
    ...(settings.refreshEnabled ? { refresh: () => config.refresh() } : {}),
    ...(settings.envEnabled
      ? {
          environmentChange: async (event) => {
            const restore = environment.set(event.values);
            try {
              let changed = await config.refresh();
              // A refresh already under way when the values were set may have missed them.
              if (!isApplied(config, event.values)) changed = await config.refresh();
              return changed;
            } catch (error) {
              restore();
              throw error;
            }
          },
        }
      : {}),
    ...(settings.shutdownEnabled ? { shutdown: () => context.shutdown() } : {}),
  };
}

function isApplied(config: LiveConfig, values: Readonly<Record<string, string>>): boolean {
  return Object.entries(values).every(([key, value]) => config.getString(key) === value);
}

/** `busrefresh`, `busenv` and (when enabled) `busshutdown`, each with and without a destination. */
function busEndpoints(bus: () => Bus | null, isShutdownEnabled: boolean): ActuatorEndpoint[] {
  const endpoint = (
    id: string,
    publish: (bus: Bus, request: ActuatorRequest) => Promise<unknown>,
  ): ActuatorEndpoint => {
    const handler = async (request: ActuatorRequest, reply: FastifyReply) => {
      const running = bus();
      if (running === null) throw BootErrors.UNAVAILABLE({ message: 'The bus is not running' });
      await publish(running, request);
      return reply.code(204).send();
    };
    return {
      id,
      operations: [
        { method: 'POST', handler },
        { method: 'POST', path: '/*', handler },
      ],
    };
  };
  return [
    endpoint('busrefresh', (running, request) => running.publishRefresh(destinationOf(request))),
    endpoint('busenv', (running, request) =>
      running.publishEnvironmentChange(environmentChangeOf(request.body), destinationOf(request)),
    ),
    ...(isShutdownEnabled
      ? [
          endpoint('busshutdown', (running, request) =>
            running.publishShutdown(destinationOf(request)),
          ),
        ]
      : []),
  ];
}

/**
 * The destination selector, Spring's `@Selector(match = ALL_REMAINING)`: every remaining path
 * segment, joined with `:` (`/actuator/busrefresh/customers/9000` is `customers:9000`).
 */
function destinationOf(request: ActuatorRequest): string | null {
  const rest = request.params['*'];
  if (rest === undefined) return null;
  const destination = rest
    .split('/')
    .filter((segment) => segment !== '')
    .join(':');
  if (destination === '') return null;
  const hasControl = [...destination].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');
  if (destination.length > MAX_DESTINATION_LENGTH || hasControl)
    throw BootErrors.BAD_REQUEST({ message: 'Invalid bus destination' });
  return destination;
}

/** `busenv`'s body, `{"name": "…", "value": "…"}` as Spring's `EnvironmentBusEndpoint` takes it. */
function environmentChangeOf(body: unknown): Record<string, string> {
  const { name, value } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  const isScalar = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (typeof name !== 'string' || name.trim() === '' || !isScalar(value))
    throw BootErrors.BAD_REQUEST({
      message: 'busenv takes a JSON body {"name": "…", "value": "…"}',
    });
  return { [name]: String(value) };
}
