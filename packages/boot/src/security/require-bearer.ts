import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveResourceLocation, type ConfigEnvironment } from '@stratus/config';
import type { Clock, Logger, StratusError } from '@stratus/core';
import { BOOT_DEFAULTS } from '../defaults.js';
import { BootErrors, invalidConfiguration } from '../errors.js';
import type { BootSettings } from '../settings.js';
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from './token-verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified bearer token of a request that passed `app.requireBearer()`, else null. */
    principal: VerifiedToken | null;
  }
}

/** Options of `app.requireBearer()`. */
export interface RequireBearerOptions {
  /**
   * The error a refused request is answered with (401, problem+json), e.g. a service's own
   * `SHOP_ERR_UNAUTHORIZED`. @default BootErrors.INVALID_TOKEN (`BOOT_ERR_INVALID_TOKEN`)
   */
  readonly error?: (init: { message?: string }) => StratusError;
}

/** A fastify `preHandler` that lets only requests with a valid bearer token through. */
export type BearerGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** What the guard reads from the application. */
export interface BearerContext {
  readonly env: () => ConfigEnvironment;
  readonly settings: () => BootSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The token checks of a process: one verifier, rebuilt when a refresh changes the settings it
 * is made of; `token.secret` itself is read at each verification, so a new secret applies at once.
 */
export class BearerVerification {
  #current: { settings: BootSettings; verifier: TokenVerifier } | null = null;
  readonly #context: BearerContext;

  constructor(context: BearerContext) {
    this.#context = context;
  }

  /** Builds the verifier now, so a bad setting fails start-up. @throws StratusError `BOOT_ERR_INVALID_CONFIG` */
  verifier(): TokenVerifier {
    const settings = this.#context.settings();
    if (this.#current?.settings !== settings) {
      this.#current = {
        settings,
        verifier: buildVerifier(settings, this.#context.env, this.#context.clock),
      };
    }
    return this.#current.verifier;
  }

  /** The preHandler of `requireBearer`. */
  guard(options: RequireBearerOptions = {}): BearerGuard {
    this.verifier();
    const refuse = options.error ?? BootErrors.INVALID_TOKEN;
    const log = this.#context.logger.child({ component: 'bearer' });
    return async (request, reply) => {
      const header = request.headers.authorization;
      const result = await this.verifier().verifyHeader(header);
      if (result.ok) {
        request.principal = result.token;
        return;
      }
      log.debug(
        { reason: result.reason, route: request.routeOptions.url },
        'bearer token rejected',
      );
      // RFC 6750 §3: no error code when the request carried no credentials at all.
      const hasBearer = typeof header === 'string' && /^bearer\s/i.test(header);
      void reply.header('www-authenticate', hasBearer ? 'Bearer error="invalid_token"' : 'Bearer');
      throw refuse({ message: 'A valid bearer token is required' });
    };
  }
}

/**
 * Problems of the token settings in `env` for `settings`: with neither a JWKS nor a public key,
 * `token.secret` must be at least 32 characters (never echoed), and the verifier must build.
 */
export function bearerProblems(settings: BootSettings, env: ConfigEnvironment): string[] {
  try {
    buildVerifier(settings, () => env, { now: () => 0 });
    return [];
  } catch (error) {
    const problems = (error as StratusError).details?.problems;
    return Array.isArray(problems) ? (problems as string[]) : [String((error as Error).message)];
  }
}

function buildVerifier(
  settings: BootSettings,
  env: () => ConfigEnvironment,
  clock: Clock,
): TokenVerifier {
  const { jwt } = settings;
  const checks = {
    ...(jwt.algorithms.length > 0 ? { algorithms: jwt.algorithms } : {}),
    ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
    ...(jwt.audiences.length > 0 ? { audience: jwt.audiences } : {}),
    clockToleranceSec: BOOT_DEFAULTS.tokenClockToleranceSec,
    clock,
  };
  const options: TokenVerifierOptions = { ...keySource(settings, env), ...checks };
  try {
    return createTokenVerifier(options);
  } catch (error) {
    throw invalidConfiguration([
      `spring.security.oauth2.resourceserver.jwt.jws-algorithms: ${(error as Error).message}`,
    ]);
  }
}

function keySource(settings: BootSettings, env: () => ConfigEnvironment) {
  const { jwkSetUri, publicKeyLocation } = settings.jwt;
  if (jwkSetUri !== undefined) return { jwksUrl: jwkSetUri };
  if (publicKeyLocation !== undefined)
    return { publicKeyPem: readPublicKey(publicKeyLocation, env()) };
  const secret = env().get('token.secret');
  if (typeof secret !== 'string' || secret === '')
    throw invalidConfiguration(['token.secret: is required']);
  if (secret.length < BOOT_DEFAULTS.minTokenSecretLength)
    throw invalidConfiguration([
      `token.secret: must be at least ${BOOT_DEFAULTS.minTokenSecretLength} characters`,
    ]);
  return { secret: () => env().getString('token.secret') };
}

function readPublicKey(location: string, env: ConfigEnvironment): string {
  const key = 'spring.security.oauth2.resourceserver.jwt.public-key-location';
  const classpath = env.getString('stratus.classpath');
  let pem: string;
  try {
    pem = readFileSync(
      resolveResourceLocation(location, { baseDir: process.cwd(), classpath }),
      'utf8',
    );
  } catch {
    throw invalidConfiguration([`${key}: cannot read ${location}`]);
  }
  if (!pem.includes('-----BEGIN PUBLIC KEY-----'))
    throw invalidConfiguration([`${key}: ${location} is not a PEM public key (BEGIN PUBLIC KEY)`]);
  return pem;
}
