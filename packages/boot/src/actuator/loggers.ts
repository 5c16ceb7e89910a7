import { parseLogLevel, springLevelName, type LoggingSystem } from '@stratus/core';
import { BootErrors } from '../errors.js';
import { sendActuatorJson as send } from './response.js';
import type { ActuatorEndpoint } from './routes.js';

const LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];
const LOGGER_NAME = /^[A-Za-z0-9_.$-]{1,255}$/;

/**
 * Spring Boot's `loggers` endpoint over the logging system: `GET` lists `ROOT` and the
 * component loggers with configured and effective levels, `POST /{name}` with
 * `{"configuredLevel":"DEBUG"}` (or `null` to reset) changes one at run time → 204.
 */
export function loggersEndpoint(logging: LoggingSystem): ActuatorEndpoint {
  const describe = (name: string) => {
    const configured = logging.configuredLevel(name);
    return {
      configuredLevel: configured === undefined ? null : springLevelName(configured),
      effectiveLevel: springLevelName(logging.effectiveLevel(name)),
    };
  };
  const known = (name: string) =>
    name.toLowerCase() === 'root' ||
    logging.configuredLevel(name) !== undefined ||
    logging.loggerNames().includes(name);
  const nameOf = (params: Record<string, string>) => {
    const name = params.name ?? '';
    if (!LOGGER_NAME.test(name)) throw BootErrors.BAD_REQUEST({ message: 'Not a logger name' });
    return name.toLowerCase() === 'root' ? 'ROOT' : name;
  };
  return {
    id: 'loggers',
    operations: [
      {
        method: 'GET',
        handler: async (request, reply) => {
          const loggers: Record<string, unknown> = { ROOT: describe('ROOT') };
          for (const name of logging.loggerNames()) loggers[name] = describe(name);
          return send(request, reply, { levels: LEVELS, loggers, groups: {} });
        },
      },
      {
        method: 'GET',
        path: '/:name',
        handler: async (request, reply) => {
          const name = nameOf(request.params);
          if (!known(name)) throw BootErrors.NOT_FOUND({ message: 'No logger here' });
          return send(request, reply, describe(name));
        },
      },
      {
        method: 'POST',
        path: '/:name',
        handler: async (request, reply) => {
          const name = nameOf(request.params);
          const body = request.body;
          if (body === null || typeof body !== 'object' || !('configuredLevel' in body))
            throw BootErrors.BAD_REQUEST({
              message: 'Expected {"configuredLevel": "<level>" | null}',
            });
          const value = (body as { configuredLevel: unknown }).configuredLevel;
          if (value !== null && parseLogLevel(value) === null)
            throw BootErrors.BAD_REQUEST({
              message: `Not a level; expected one of ${LEVELS.join(', ')} or null`,
            });
          logging.setLoggerLevel(name, value === null ? null : String(value));
          return reply.code(204).send();
        },
      },
    ],
  };
}
