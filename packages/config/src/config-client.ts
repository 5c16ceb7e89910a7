import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createSilentLogger, isRecord, type Logger } from '@stratus/core';
import { ConfigErrors } from './errors.js';
import type { PropertySource } from './environment.js';

/**
 * `spring.cloud.config.multiple-uri-strategy`: `ALWAYS` tries the next URI on a connection
 * error and on any HTTP error status; `CONNECTION_TIMEOUT_ONLY` only on a connection error or
 * timeout (an HTTP error from a reachable server is final).
 */
export type MultipleUriStrategy = 'ALWAYS' | 'CONNECTION_TIMEOUT_ONLY';

/** Where and how to reach a Spring Cloud Config Server (Spring's `spring.cloud.config.*`). */
export interface ConfigServerClientOptions {
  /** Base URIs (`spring.cloud.config.uri`, comma list); userinfo in a URI gives Basic auth. */
  uris: string[];
  /** `spring.cloud.config.name`, else `spring.application.name`; may be a comma list. */
  name: string;
  /** Profiles of the request (`spring.cloud.config.profile` or the active ones); `default` when empty. */
  profiles: readonly string[];
  /**
   * `spring.cloud.config.label`: a git branch, tag or commit, or a comma list tried in turn
   * (a 404 moves to the next label). `/` is sent as `(_)`. @default null (the server's default)
   */
  label?: string | null;
  /** `spring.cloud.config.username`; overrides the URI's userinfo. @default 'user' with a password */
  username?: string;
  /** `spring.cloud.config.password`; Basic auth is sent when a password is known. */
  password?: string;
  /** `spring.cloud.config.headers.*`: extra request headers. @default {} */
  headers?: Readonly<Record<string, string>>;
  /** The `state` of the previous answer, echoed as `X-Config-State`. @default null */
  state?: string | null;
  /** @default 'ALWAYS' */
  multipleUriStrategy?: MultipleUriStrategy;
  /** `spring.cloud.config.request-connect-timeout`. @default 10000 ms */
  connectTimeoutMs?: number;
  /** `spring.cloud.config.request-read-timeout`. @default 185000 ms */
  readTimeoutMs?: number;
  /** `spring.cloud.config.retry.max-attempts`; 1 means no retry. @default 1 */
  maxAttempts?: number;
  /** `spring.cloud.config.retry.initial-interval`. @default 1000 ms */
  initialIntervalMs?: number;
  /** `spring.cloud.config.retry.multiplier`. @default 1.1 */
  multiplier?: number;
  /** `spring.cloud.config.retry.max-interval`. @default 2000 ms */
  maxIntervalMs?: number;
  /** Waits between retry attempts (tests inject a recorder). @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Largest response body accepted. @default 16 MiB */
  maxBodyBytes?: number;
  logger?: Logger;
}

/** Spring's Environment JSON (plain or v2 `{value, origin}` form). */
export interface EnvironmentResponse {
  name: string;
  profiles: string[];
  label: string | null;
  version: string | null;
  state: string | null;
  propertySources: Array<{ name: string; source: Record<string, unknown> }>;
}

/** What {@link fetchConfigServerSources} returns. */
export interface ConfigServerFetchResult {
  /**
   * `configClient` (holding `config.client.version` and `config.client.state` when the server
   * sent them) followed by the server's sources prefixed `configserver:`; index 0 wins.
   */
  sources: PropertySource[];
  response: EnvironmentResponse;
  /** The URI that answered, without userinfo. */
  uri: string;
  /** The label that was found (`null` for the server's default). */
  label: string | null;
}

const V2_ACCEPT = 'application/vnd.spring-cloud.config-server.v2+json';
const DEFAULT_USERNAME = 'user';
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request that never got an HTTP answer (refused, reset, connect or read timeout). */
class ConnectionError extends Error {}
/** An HTTP answer other than 200. */
class StatusError extends Error {
  constructor(readonly status: number) {
    super(`config server answered ${status}`);
  }
}

/**
 * Fetches `/{name}/{profiles}[/{label}]` as Spring's `ConfigServerConfigDataLoader` does: each
 * label of the comma list in turn (a 404 moves to the next), each URI in order (per
 * `multipleUriStrategy`), the whole load retried on Spring's schedule (1000 ms × 1.1, at most
 * 2000 ms, when `maxAttempts` > 1). Sends the v2 Accept header, Basic auth, extra headers and
 * `X-Config-State`.
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` (503) when every attempt fails, including
 *   when every label answered 404.
 * @example
 * const { sources } = await fetchConfigServerSources({
 *   uris: ['http://127.0.0.1:8888'], name: 'user-service', profiles: ['dev'], label: 'feature/x,main',
 * });
 */
export async function fetchConfigServerSources(
  options: ConfigServerClientOptions,
): Promise<ConfigServerFetchResult> {
  const logger = options.logger ?? createSilentLogger();
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = Math.max(1, options.maxAttempts ?? 1);
  let interval = options.initialIntervalMs ?? 1000;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await fetchAllLabels(options, logger);
    } catch (error) {
      lastError = error;
      logger.warn({ attempt, attempts, err: describe(error) }, 'config server request failed');
    }
    if (attempt < attempts) {
      await sleep(interval);
      interval = Math.min(interval * (options.multiplier ?? 1.1), options.maxIntervalMs ?? 2000);
    }
  }
  throw ConfigErrors.SERVER_UNAVAILABLE({
    message: `Could not load configuration for '${options.name}' from ${options.uris.map(redactUri).join(', ')}: ${describe(lastError)}`,
    details: { uris: options.uris.map(redactUri) },
    cause: lastError,
  });
}

async function fetchAllLabels(
  options: ConfigServerClientOptions,
  logger: Logger,
): Promise<ConfigServerFetchResult> {
  const labels = options.label
    ? options.label
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  for (const label of labels.length > 0 ? labels : [null]) {
    const found = await fetchFromUris(options, label, logger);
    if (found) {
      const response = found.response;
      const client: Record<string, unknown> = {};
      if (response.state) client['config.client.state'] = response.state;
      if (response.version) client['config.client.version'] = response.version;
      const sources: PropertySource[] = [
        { name: 'configClient', properties: client },
        ...response.propertySources.map((ps) => ({
          name: `configserver:${ps.name}`,
          properties: plainValues(ps.source),
        })),
      ];
      return { sources, response, uri: found.uri, label };
    }
    logger.info({ label }, 'config server has no such label; trying the next one');
  }
  throw ConfigErrors.SERVER_UNAVAILABLE({
    message: `No label of '${options.label ?? ''}' found for '${options.name}'`,
  });
}

/** One label over every URI; `null` means 404 (try the next label). */
async function fetchFromUris(
  options: ConfigServerClientOptions,
  label: string | null,
  logger: Logger,
): Promise<{ response: EnvironmentResponse; uri: string } | null> {
  const strategy = options.multipleUriStrategy ?? 'ALWAYS';
  const uris = options.uris.length > 0 ? options.uris : ['http://localhost:8888'];
  for (let i = 0; i < uris.length; i++) {
    const isLast = i === uris.length - 1;
    const { url, authorization } = target(uris[i]!, options);
    try {
      const response = await fetchOnce(url, authorization, label, options);
      return { response, uri: url.toString() };
    } catch (error) {
      if (error instanceof StatusError) {
        if (!isLast && strategy === 'ALWAYS') {
          logger.info(
            { uri: url.toString(), status: error.status },
            'config server answered an error; trying the next uri',
          );
          continue;
        }
        if (error.status === 404) return null;
        throw error;
      }
      if (error instanceof ConnectionError && !isLast) {
        logger.info(
          { uri: url.toString(), err: error.message },
          'config server unreachable; trying the next uri',
        );
        continue;
      }
      throw error;
    }
  }
  return null;
}

/** The bare URI and its credentials, as Spring's `ConfigClientProperties.getCredentials(i)`. */
function target(
  base: string,
  options: ConfigServerClientOptions,
): { url: URL; authorization: string | null } {
  const url = new URL(base.endsWith('/') ? base : `${base}/`);
  let username = options.username;
  let password = options.password;
  if (url.username || url.password) {
    username ??= decodeURIComponent(url.username);
    password ??= decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
  }
  const authorization =
    password === undefined
      ? null
      : `Basic ${Buffer.from(`${username ?? DEFAULT_USERNAME}:${password}`).toString('base64')}`;
  return { url, authorization };
}

async function fetchOnce(
  base: URL,
  authorization: string | null,
  label: string | null,
  options: ConfigServerClientOptions,
): Promise<EnvironmentResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {}))
    headers[name.toLowerCase()] = value;
  headers.accept = V2_ACCEPT;
  headers['accept-charset'] = 'utf-8';
  if (authorization && !headers.authorization) headers.authorization = authorization;
  if (options.state) headers['x-config-state'] = options.state;
  const profiles = options.profiles.length > 0 ? options.profiles.join(',') : 'default';
  // Commas stay literal, as Spring's URI templates leave them (the server splits on them).
  const segment = (s: string) => encodeURIComponent(s).replaceAll('%2C', ',');
  let path = `${segment(options.name)}/${segment(profiles)}`;
  if (label) path += `/${segment(label.replaceAll('/', '(_)'))}`;
  const { status, body } = await get(new URL(path, base), headers, options);
  if (status !== 200) throw new StatusError(status);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: refused below like any other body that is not an Environment.
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['propertySources']))
    throw ConfigErrors.SERVER_RESPONSE();
  return parsed as unknown as EnvironmentResponse;
}

/** One GET with separate connect and read timeouts (fetch has only one overall deadline). */
function get(
  url: URL,
  headers: Record<string, string>,
  options: ConfigServerClientOptions,
): Promise<{ status: number; body: string }> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const readTimeoutMs = options.readTimeoutMs ?? 185_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let connectTimer: NodeJS.Timeout | undefined;
    const req = send(url, { method: 'GET', headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          req.destroy(new StatusError(413));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (error) => reject(asConnectionError(error)));
    });
    req.on('socket', (socket) => {
      const startRead = () => {
        clearTimeout(connectTimer);
        socket.setTimeout(readTimeoutMs, () =>
          req.destroy(new ConnectionError(`read timed out after ${readTimeoutMs} ms`)),
        );
      };
      if (socket.connecting) {
        connectTimer = setTimeout(
          () => req.destroy(new ConnectionError(`connect timed out after ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        connectTimer.unref();
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', startRead);
      } else startRead();
    });
    req.on('error', (error) => {
      clearTimeout(connectTimer);
      reject(asConnectionError(error));
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.end();
  });
}

function asConnectionError(error: Error): Error {
  if (error instanceof ConnectionError || error instanceof StatusError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new ConnectionError(code ? `${code}: ${error.message}` : error.message);
}

/** Unwraps the v2 `{value, origin}` form; plain values pass through. */
function plainValues(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    const unwrapped =
      isRecord(value) &&
      'value' in value &&
      Object.keys(value).every((k) => k === 'value' || k === 'origin')
        ? (value as { value: unknown }).value
        : value;
    Object.defineProperty(out, key, {
      value: unwrapped,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = 'xxxxx';
    return url.toString();
  } catch {
    return '[invalid uri]';
  }
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.cause instanceof Error
      ? `${error.message}: ${error.cause.message}`
      : error.message;
  return String(error);
}
