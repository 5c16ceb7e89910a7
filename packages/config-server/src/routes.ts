import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createSilentLogger,
  isStratusError,
  PROBLEM_CONTENT_TYPE,
  StratusError,
  toProblem,
  type Logger,
} from '@stratus/core';
import { decryptProperties, parseCipherValue, type TextEncryptor } from '@stratus/config';
import type { Environment, EnvironmentRepository } from './environment.js';
import {
  ConfigServerErrorCodes,
  invalidOptionsError,
  invalidRequestError,
  noKeyError,
} from './errors.js';
import {
  mergeSources,
  resolvePlaceholdersIn,
  toJsonText,
  toPropertiesText,
  toYaml,
} from './internal/render.js';
import { validateLabel, validateName, validateProfiles } from './validate.js';
import { acceptRawText } from './internal/raw-text.js';

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

/** Media type of the origin-tracking Environment (`{ value, origin }` values). */
export const ENVIRONMENT_V2_MEDIA_TYPE = 'application/vnd.spring-cloud.config-server.v2+json';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const RESOURCE = /^(.+)-([^-]+)\.(yml|yaml|properties|json)$/;
const RESOURCE_SUFFIX = /\.(yml|yaml|properties|json)$/;

type Format = 'yml' | 'yaml' | 'properties' | 'json';

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
  const problems: string[] = [];
  if (typeof options?.repository?.findOne !== 'function')
    problems.push('repository must have findOne()');
  const maxBodyBytes = options?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    problems.push('maxBodyBytes must be a positive integer');
  const prefix = options?.prefix ?? '';
  if (prefix !== '' && !/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(prefix))
    problems.push('prefix must start with / and not end with /');
  if (problems.length > 0) throw invalidOptionsError(problems);

  const repository = options.repository;
  const encryptor = options.encryptor ?? null;
  const decryptOnServer = options.decryptOnServer ?? true;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'config-server' });

  async function findEnvironment(
    name: string,
    profiles: string[],
    label: string | null,
  ): Promise<Environment> {
    const environment = await repository.findOne(name, profiles, label);
    if (!decryptOnServer || encryptor === null) return environment;
    return {
      ...environment,
      propertySources: environment.propertySources.map((source) => ({
        name: source.name,
        source: decryptProperties(source.source, encryptor, {
          onInvalid: (key) => log.warn({ key, source: source.name }, 'cannot decrypt property'),
        }),
      })),
    };
  }

  function requireEncryptor(): TextEncryptor {
    if (encryptor === null) throw noKeyError();
    return encryptor;
  }

  function parseRequest(name: string, profiles: string, label: string | null | undefined) {
    const validName = validateName(name);
    if (validName === null) throw invalidRequestError('name');
    const validProfiles = validateProfiles(profiles);
    if (validProfiles === null) throw invalidRequestError('profiles');
    const validLabel = validateLabel(label);
    if (validLabel === null) throw invalidRequestError('label');
    return { name: validName, profiles: validProfiles, label: validLabel.label };
  }

  async function sendEnvironment(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    profiles: string,
    label: string | null,
  ): Promise<void> {
    const parsed = parseRequest(name, profiles, label);
    const environment = await findEnvironment(parsed.name, parsed.profiles, parsed.label);
    const accept = String(request.headers.accept ?? '').toLowerCase();
    if (accept.includes(ENVIRONMENT_V2_MEDIA_TYPE)) {
      const withOrigin: Environment = {
        ...environment,
        propertySources: environment.propertySources.map((source) => ({
          name: source.name,
          source: Object.fromEntries(
            Object.entries(source.source).map(([key, value]) => [
              key,
              { value, origin: source.name },
            ]),
          ),
        })),
      };
      await reply.type(ENVIRONMENT_V2_MEDIA_TYPE).send(JSON.stringify(withOrigin));
      return;
    }
    await reply.type('application/json').send(JSON.stringify(environment));
  }

  async function sendResource(
    request: FastifyRequest,
    reply: FastifyReply,
    resource: string,
    label: string | null,
  ): Promise<void> {
    const match = RESOURCE.exec(resource);
    if (match === null) {
      throw new StratusError(ConfigServerErrorCodes.NOT_FOUND, 404, 'Not Found', {
        message: 'No such resource',
      });
    }
    const [, name, profiles, format] = match as unknown as [string, string, string, Format];
    // Spring splits at the last '-', so this only guards a future change of the split.
    if (profiles.includes('-')) {
      throw invalidRequestError(
        'profiles',
        'Properties output not supported for name or profiles containing hyphens',
      );
    }
    const parsed = parseRequest(name, profiles, label);
    const environment = await findEnvironment(parsed.name, parsed.profiles, parsed.label);
    let flat = mergeSources(environment.propertySources);
    const query = request.query as Record<string, unknown> | undefined;
    if (String(query?.['resolvePlaceholders'] ?? 'true') !== 'false')
      flat = resolvePlaceholdersIn(flat);
    if (format === 'json') {
      await reply.type('application/json').send(toJsonText(flat));
    } else if (format === 'properties') {
      await reply.type('text/plain; charset=utf-8').send(toPropertiesText(flat));
    } else {
      await reply.type('text/plain; charset=utf-8').send(toYaml(flat));
    }
  }

  /** Spring's `TextEncryptorLocator`: `{key:alias}` / `{secret:…}` pick a keystore key. */
  function locate(prefixes: ReadonlyArray<readonly [string, string]>): TextEncryptor {
    const base = requireEncryptor();
    const selecting = prefixes.filter(([key]) => key !== 'name' && key !== 'profiles');
    return selecting.length > 0 && base.locate ? base.locate(selecting) : base;
  }

  function encryptBody(request: FastifyRequest): string {
    requireEncryptor();
    const input = stripFormData(bodyText(request), request.headers['content-type'], false);
    const { prefixes, cipherText: plain } = parseCipherValue(input);
    // Spring echoes every prefix except name and profiles, which come from the request.
    const echoed = prefixes
      .filter(([key]) => key !== 'name' && key !== 'profiles')
      .map(([key, value]) => `{${key}:${value}}`)
      .join('');
    return echoed + locate(prefixes).encrypt(plain);
  }

  function decryptBody(request: FastifyRequest): string {
    requireEncryptor();
    const input = stripFormData(bodyText(request), request.headers['content-type'], true);
    const { prefixes, cipherText } = parseCipherValue(input.trim());
    return locate(prefixes).decrypt(cipherText);
  }

  /** `/key`: the RSA public key in ssh form; a symmetric key has none (Spring: 404 NOT_FOUND). */
  async function sendPublicKey(reply: FastifyReply): Promise<void> {
    const target = requireEncryptor();
    if (typeof target.publicKeySsh !== 'function') {
      throw new StratusError(ConfigServerErrorCodes.NOT_FOUND, 404, 'No public key available', {
        details: { reason: 'NOT_FOUND' },
      });
    }
    await reply.type('text/plain; charset=utf-8').send(target.publicKeySsh());
  }

  await fastify.register(
    async (app: FastifyInstance) => {
      acceptRawText(app, maxBodyBytes);

      app.setErrorHandler((error: unknown, request, reply) => {
        const problem = toProblem(asStratusError(error));
        if (problem.status >= 500)
          log.error({ err: error, url: request.url }, 'config request failed');
        void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      });

      app.get('/encrypt/status', async (_request, reply) => {
        requireEncryptor();
        await reply.type('application/json').send(JSON.stringify({ status: 'OK' }));
      });
      const text = 'text/plain; charset=utf-8';
      app.post('/encrypt', async (request, reply) => reply.type(text).send(encryptBody(request)));
      app.post('/decrypt', async (request, reply) => reply.type(text).send(decryptBody(request)));
      app.post<{ Params: { name: string; profiles: string } }>(
        '/encrypt/:name/:profiles',
        async (request, reply) => {
          parseRequest(request.params.name, request.params.profiles, null);
          return reply.type(text).send(encryptBody(request));
        },
      );
      app.post<{ Params: { name: string; profiles: string } }>(
        '/decrypt/:name/:profiles',
        async (request, reply) => {
          parseRequest(request.params.name, request.params.profiles, null);
          return reply.type(text).send(decryptBody(request));
        },
      );

      app.get('/key', async (_request, reply) => sendPublicKey(reply));
      app.get<{ Params: { name: string; profiles: string } }>(
        '/key/:name/:profiles',
        async (request, reply) => {
          parseRequest(request.params.name, request.params.profiles, null);
          return sendPublicKey(reply);
        },
      );

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
        async (request, reply) =>
          sendEnvironment(
            request,
            reply,
            request.params.name,
            request.params.profiles,
            request.params.label,
          ),
      );
    },
    { prefix },
  );
}

function bodyText(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : '';
  if (body.length === 0) {
    throw new StratusError(ConfigServerErrorCodes.BAD_REQUEST, 400, 'Bad Request', {
      message: 'Request body is required',
    });
  }
  return body;
}

/**
 * Spring's `EncryptionController.stripFormData`: `curl -d text` sends a form body `text=`.
 * Unless the body is declared text/plain, a body ending in `=` is URL-decoded and the `=`
 * dropped; for cipher text, spaces go back to `+` and the `=` is kept when it is base64 padding.
 */
function stripFormData(data: string, contentType: string | undefined, isCipher: boolean): string {
  const type = String(contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!data.endsWith('=') || type === 'text/plain') return data;
  let decoded = data;
  try {
    decoded = decodeURIComponent(data.replaceAll('+', ' '));
  } catch {
    // Not form-encoded after all: keep the body as it is.
  }
  if (!isCipher) return decoded.slice(0, -1);
  decoded = decoded.replaceAll(' ', '+');
  const candidate = decoded.slice(0, -1);
  return /^[0-9a-fA-F]+$/.test(candidate) && candidate.length % 2 === 0 ? candidate : decoded;
}

function asStratusError(error: unknown): unknown {
  if (isStratusError(error)) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) {
    return new StratusError(ConfigServerErrorCodes.PAYLOAD_TOO_LARGE, 413, 'Payload Too Large', {
      message: 'Request body is too large',
    });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new StratusError(ConfigServerErrorCodes.BAD_REQUEST, status, 'Bad Request', {
      message: 'The request could not be read',
    });
  }
  return error;
}
