import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@stratus/core';
import { decryptProperties, type TextEncryptor } from '@stratus/config';
import {
  ENVIRONMENT_V2_MEDIA_TYPE,
  type Environment,
  type EnvironmentRepository,
} from '../environment.js';
import { ConfigServerErrors, invalidRequestError } from '../errors.js';
import { validateLabel, validateName, validateProfiles } from '../validate.js';
import { cachingDecryptor } from './decryption-cache.js';
import { freezeEnvironment } from './freeze-environment.js';
import {
  mergeSources,
  resolvePlaceholdersIn,
  toJsonText,
  toPropertiesText,
  toYaml,
} from './render.js';

const RESOURCE = /^(.+)-([^-]+)\.(yml|yaml|properties|json)$/;

type Format = 'yml' | 'yaml' | 'properties' | 'json';

/** What the environment endpoints need. */
export interface EnvironmentEndpointsOptions {
  repository: EnvironmentRepository;
  encryptor: TextEncryptor | null;
  decryptOnServer: boolean;
  log: Logger;
}

/** Spring's `EnvironmentController`: the Environment JSON and its file renderings. */
export interface EnvironmentEndpoints {
  /** Validates name, profiles and label (spring-wire.md §2.7); `CFG_ERR_INVALID_REQUEST`. */
  parseRequest(
    name: string,
    profiles: string,
    label: string | null | undefined,
  ): { name: string; profiles: string[]; label: string | null };
  /** `GET /{application}/{profiles}[/{label}]`, v2 `{value, origin}` only when asked for. */
  sendEnvironment(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    profiles: string,
    label: string | null,
  ): Promise<void>;
  /** `GET [/{label}]/{application}-{profiles}.{yml|yaml|properties|json}`. */
  sendResource(
    request: FastifyRequest,
    reply: FastifyReply,
    resource: string,
    label: string | null,
  ): Promise<void>;
}

/**
 * The endpoints over `options.repository`. A repository answers the same frozen environment
 * while its files or commit are unchanged; what is derived from it — the decrypted environment
 * and each rendering (JSON, v2 JSON, YAML, properties) as bytes — is kept per environment object,
 * so serving an unchanged environment renders nothing. Decryptions are also kept per (key,
 * cipher text) across environments.
 */
export function createEnvironmentEndpoints(
  options: EnvironmentEndpointsOptions,
): EnvironmentEndpoints {
  const { repository, decryptOnServer, log } = options;
  const encryptor = options.encryptor === null ? null : cachingDecryptor(options.encryptor);
  const decrypted = new WeakMap<Environment, Environment>();
  const renderings = new WeakMap<Environment, Map<string, Buffer>>();

  async function findEnvironment(
    name: string,
    profiles: string[],
    label: string | null,
  ): Promise<Environment> {
    const environment = await repository.findOne(name, profiles, label);
    if (!decryptOnServer || encryptor === null) return environment;
    const known = decrypted.get(environment);
    if (known !== undefined) return known;
    const result = freezeEnvironment({
      ...environment,
      propertySources: environment.propertySources.map((source) => ({
        name: source.name,
        source: decryptProperties(source.source, encryptor, {
          onInvalid: (key) => log.warn({ key, source: source.name }, 'cannot decrypt property'),
        }),
      })),
    });
    decrypted.set(environment, result);
    return result;
  }

  /** The bytes of `environment` rendered as `kind`, rendered once per environment object. */
  function rendered(environment: Environment, kind: string, render: () => string): Buffer {
    let byKind = renderings.get(environment);
    if (byKind === undefined) {
      byKind = new Map();
      renderings.set(environment, byKind);
    }
    let body = byKind.get(kind);
    if (body === undefined) {
      body = Buffer.from(render());
      byKind.set(kind, body);
    }
    return body;
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

  return {
    parseRequest,
    async sendEnvironment(request, reply, name, profiles, label) {
      const parsed = parseRequest(name, profiles, label);
      const environment = await findEnvironment(parsed.name, parsed.profiles, parsed.label);
      const accept = String(request.headers.accept ?? '').toLowerCase();
      if (accept.includes(ENVIRONMENT_V2_MEDIA_TYPE)) {
        const body = rendered(environment, 'v2', () => JSON.stringify(withOrigins(environment)));
        await reply.type(ENVIRONMENT_V2_MEDIA_TYPE).send(body);
        return;
      }
      const body = rendered(environment, 'json', () => JSON.stringify(environment));
      await reply.type('application/json').send(body);
    },
    async sendResource(request, reply, resource, label) {
      const match = RESOURCE.exec(resource);
      if (match === null) throw ConfigServerErrors.NOT_FOUND({ message: 'No such resource' });
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
      const query = request.query as Record<string, unknown> | undefined;
      const resolve = String(query?.['resolvePlaceholders'] ?? 'true') !== 'false';
      const body = rendered(environment, `${format}:${resolve}`, () => {
        const merged = mergeSources(environment.propertySources);
        const flat = resolve ? resolvePlaceholdersIn(merged) : merged;
        if (format === 'json') return toJsonText(flat);
        return format === 'properties' ? toPropertiesText(flat) : toYaml(flat);
      });
      await reply
        .type(format === 'json' ? 'application/json' : 'text/plain; charset=utf-8')
        .send(body);
    },
  };
}

/** The v2 form: every value becomes `{ value, origin }`, the origin being its source's name. */
function withOrigins(environment: Environment): Environment {
  return {
    ...environment,
    propertySources: environment.propertySources.map((source) => ({
      name: source.name,
      source: Object.fromEntries(
        Object.entries(source.source).map(([key, value]) => [key, { value, origin: source.name }]),
      ),
    })),
  };
}
