import type { FastifyInstance } from 'fastify';
import { createSilentLogger, type Logger } from '@stratus/core';
import type { TextEncryptor } from '@stratus/config';
import { CONFIG_SERVER_DEFAULTS } from './defaults.js';
import type { EnvironmentRepository } from './environment.js';
import { ConfigServerErrors, invalidOptionsError } from './errors.js';
import { createCryptoEndpoints } from './internal/crypto-bodies.js';
import { createEnvironmentEndpoints } from './internal/environment-endpoints.js';
import { pluginOptionProblems, registerRawTextPlugin } from './internal/raw-text-plugin.js';

/** Options of {@link registerConfigServerRoutes}. */
export interface ConfigServerRoutesOptions {
  /** Where environments come from, e.g. {@link createNativeRepository}. */
  repository: EnvironmentRepository;
  /**
   * Encryptor for `/encrypt`, `/decrypt` and server-side decryption of `{cipher}` values.
   * Without one, the endpoints answer 404 NO_KEY and `{cipher}` values are served as they are
   * (for client-side decryption).
   * @default null
   */
  encryptor?: TextEncryptor | null;
  /**
   * Decrypt `{cipher}` values before serving (`spring.cloud.config.server.encrypt.enabled`).
   * @default true
   */
  decryptOnServer?: boolean;
  /** Path prefix of every route (`spring.cloud.config.server.prefix`), e.g. `/config`. @default '' */
  prefix?: string;
  /** Largest `/encrypt` or `/decrypt` body in bytes; larger gives 413. @default 65536 */
  maxBodyBytes?: number;
  /** @default createSilentLogger() */
  logger?: Logger;
}

const RESOURCE_SUFFIX = /\.(yml|yaml|properties|json)$/;

/**
 * Registers the Spring Cloud Config Server HTTP API (spring-wire.md §2.1) in an encapsulated
 * plugin, so its raw-text body parsers and error handler do not affect other routes:
 * `GET /{application}/{profiles}[/{label}]`, `GET [/{label}]/{application}-{profiles}.{yml|yaml|properties|json}`,
 * `POST /encrypt[/{name}/{profiles}]`, `POST /decrypt[/{name}/{profiles}]`, `GET /encrypt/status`,
 * `GET /key[/{name}/{profiles}]` (the RSA public key; 404 for a symmetric key). `{key:alias}` and
 * `{secret:…}` prefixes select a keystore key through `TextEncryptor.locate`.
 * Errors are `application/problem+json`. Secure `/encrypt` and `/decrypt` in front of this.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` when options are invalid.
 * @example
 * const app = Fastify();
 * await registerConfigServerRoutes(app, {
 *   repository: createNativeRepository({ searchLocations: ['file:./config-repo'] }),
 *   encryptor: createTextEncryptor({ key: secret.reveal() }),
 * });
 * await app.listen({ host: '127.0.0.1', port: 8888 });
 */
export async function registerConfigServerRoutes(
  fastify: FastifyInstance<any, any, any, any, any>,
  options: ConfigServerRoutesOptions,
): Promise<void> {
  const maxBodyBytes = options?.maxBodyBytes ?? CONFIG_SERVER_DEFAULTS.cryptoMaxBodyBytes;
  const prefix = options?.prefix ?? CONFIG_SERVER_DEFAULTS.prefix;
  const problems = pluginOptionProblems(maxBodyBytes, prefix);
  if (typeof options?.repository?.findOne !== 'function')
    problems.unshift('repository must have findOne()');
  if (problems.length > 0) throw invalidOptionsError(problems);

  const log = (options.logger ?? createSilentLogger()).child({ component: 'config-server' });
  const crypto = createCryptoEndpoints(options.encryptor ?? null);
  const environments = createEnvironmentEndpoints({
    repository: options.repository,
    encryptor: options.encryptor ?? null,
    decryptOnServer: options.decryptOnServer ?? CONFIG_SERVER_DEFAULTS.decryptOnServer,
    log,
  });
  const { parseRequest, sendEnvironment, sendResource } = environments;
  type NameAndProfiles = { Params: { name: string; profiles: string } };
  const text = 'text/plain; charset=utf-8';

  await registerRawTextPlugin(
    fastify,
    {
      prefix,
      maxBodyBytes,
      log,
      failure: 'config request failed',
      unreadable: (status) =>
        ConfigServerErrors.BAD_REQUEST({ status, message: 'The request could not be read' }),
    },
    (app) => {
      app.get('/encrypt/status', async (_request, reply) => {
        crypto.require();
        await reply.type('application/json').send(JSON.stringify({ status: 'OK' }));
      });
      app.post('/encrypt', async (request, reply) =>
        reply.type(text).send(crypto.encrypt(request)),
      );
      app.post('/decrypt', async (request, reply) =>
        reply.type(text).send(crypto.decrypt(request)),
      );
      app.post<NameAndProfiles>('/encrypt/:name/:profiles', async (request, reply) => {
        parseRequest(request.params.name, request.params.profiles, null);
        return reply.type(text).send(crypto.encrypt(request));
      });
      app.post<NameAndProfiles>('/decrypt/:name/:profiles', async (request, reply) => {
        parseRequest(request.params.name, request.params.profiles, null);
        return reply.type(text).send(crypto.decrypt(request));
      });
      app.get('/key', async (_request, reply) => reply.type(text).send(crypto.publicKeySsh()));
      app.get<NameAndProfiles>('/key/:name/:profiles', async (request, reply) => {
        parseRequest(request.params.name, request.params.profiles, null);
        return reply.type(text).send(crypto.publicKeySsh());
      });

      app.get<{ Params: { resource: string } }>('/:resource', async (request, reply) =>
        sendResource(request, reply, request.params.resource, null),
      );
      app.get<{ Params: { first: string; second: string } }>(
        '/:first/:second',
        async (request, reply) => {
          const { first, second } = request.params;
          if (RESOURCE_SUFFIX.test(second)) return sendResource(request, reply, second, first);
          return sendEnvironment(request, reply, first, second, null);
        },
      );
      app.get<{ Params: { name: string; profiles: string; label: string } }>(
        '/:name/:profiles/:label',
        async (request, reply) => {
          const { name, profiles, label } = request.params;
          return sendEnvironment(request, reply, name, profiles, label);
        },
      );
    },
  );
}
