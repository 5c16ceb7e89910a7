import { StratusError, type Logger, createSilentLogger } from '@stratus/core';
import type { PropertySource } from './environment.js';

/** Where and how to reach a Spring Cloud Config Server. */
export interface ConfigServerClientOptions {
  /** Base URIs tried in order (`spring.cloud.config.uri`, comma list). */
  uris: string[];
  /** `spring.cloud.config.name`, else `spring.application.name`. */
  name: string;
  /** Active profiles; `default` when empty. */
  profiles: readonly string[];
  /** `spring.cloud.config.label` (git branch, tag or commit); `/` is sent as `(_)`. */
  label?: string | null;
  username?: string;
  password?: string;
  /** @default 10000 ms */
  connectTimeoutMs?: number;
  /** @default 185000 ms (Spring's `request-read-timeout`) */
  readTimeoutMs?: number;
  /** Attempts before giving up; 1 means no retry. @default 1 */
  maxAttempts?: number;
  /** @default 1000 ms */
  initialIntervalMs?: number;
  /** @default 1.1 */
  multiplier?: number;
  /** @default 2000 ms */
  maxIntervalMs?: number;
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

const V2_ACCEPT = 'application/vnd.spring-cloud.config-server.v2+json';

/**
 * Fetches `/{name}/{profiles}[/{label}]` from the first config server that
 * answers, with Spring's retry schedule, and returns its property sources
 * prefixed `configserver:` (index 0 wins).
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` (503) when every attempt fails.
 */
export async function fetchConfigServerSources(
  options: ConfigServerClientOptions,
): Promise<{ sources: PropertySource[]; response: EnvironmentResponse; uri: string }> {
  const logger = options.logger ?? createSilentLogger();
  const attempts = Math.max(1, options.maxAttempts ?? 1);
  let interval = options.initialIntervalMs ?? 1000;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    for (const uri of options.uris) {
      try {
        const response = await fetchOnce(uri, options);
        const sources = response.propertySources.map((ps) => ({
          name: `configserver:${ps.name}`,
          properties: plainValues(ps.source),
        }));
        return { sources, response, uri };
      } catch (error) {
        lastError = error;
        logger.warn(
          { uri: redactUri(uri), attempt, err: describe(error) },
          'config server request failed',
        );
      }
    }
    if (attempt < attempts) {
      await new Promise((resolve) => setTimeout(resolve, interval));
      interval = Math.min(interval * (options.multiplier ?? 1.1), options.maxIntervalMs ?? 2000);
    }
  }
  throw new StratusError('CFG_ERR_SERVER_UNAVAILABLE', 503, 'Config server unavailable', {
    message: `Could not load configuration for '${options.name}' from ${options.uris.map(redactUri).join(', ')}`,
    cause: lastError,
  });
}

async function fetchOnce(
  base: string,
  options: ConfigServerClientOptions,
): Promise<EnvironmentResponse> {
  const url = new URL(base.endsWith('/') ? base : `${base}/`);
  const headers: Record<string, string> = { accept: V2_ACCEPT, 'accept-charset': 'utf-8' };
  const user = options.username ?? decodeURIComponent(url.username);
  const pass = options.password ?? decodeURIComponent(url.password);
  if (user) headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const profiles = options.profiles.length > 0 ? options.profiles.join(',') : 'default';
  let path = `${encodeURIComponent(options.name)}/${encodeURIComponent(profiles)}`;
  if (options.label) path += `/${encodeURIComponent(options.label.replaceAll('/', '(_)'))}`;
  const target = new URL(path, url);
  const response = await fetch(target, {
    headers,
    signal: AbortSignal.timeout(
      (options.connectTimeoutMs ?? 10_000) + (options.readTimeoutMs ?? 185_000),
    ),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new StratusError('CFG_ERR_SERVER_STATUS', 502, 'Config server answered with an error', {
      message: `config server answered ${response.status}`,
      details: { status: response.status },
    });
  }
  const body = (await response.json()) as EnvironmentResponse;
  if (!body || !Array.isArray(body.propertySources)) {
    throw new StratusError(
      'CFG_ERR_SERVER_RESPONSE',
      502,
      'Config server sent an invalid environment',
    );
  }
  return body;
}

/** Unwraps the v2 `{value, origin}` form; plain values pass through. */
function plainValues(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    if (
      value !== null &&
      typeof value === 'object' &&
      'value' in value &&
      Object.keys(value).every((k) => k === 'value' || k === 'origin')
    ) {
      out[key] = (value as { value: unknown }).value;
    } else out[key] = value;
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
