import { getList, type ConfigEnvironment } from '@stratus/config';

/** Spring Boot 3.4's endpoint access levels (`management.endpoint.<id>.access`). */
export type EndpointAccess = 'none' | 'read-only' | 'unrestricted';

/** Which actuator endpoints exist over HTTP, where, and which need no credentials. */
export interface EndpointExposure {
  /** `management.endpoints.web.base-path` without a trailing `/`; `''` when it is `/`. */
  readonly basePath: string;
  /** Listed by `exposure.include` (or `*`) and not by `exposure.exclude`. */
  isExposed(id: string): boolean;
  /** `access` (or `enabled`), capped by `management.endpoints.access.max-permitted`. */
  access(id: string): EndpointAccess;
  /** Exposed and not `access: none`: the endpoint exists over HTTP. */
  isAvailable(id: string): boolean;
  /** The endpoint's path: base path + `path-mapping.<id>` (or the id). */
  pathOf(id: string): string;
  /** Needs no credentials: `health`, `info`, `prometheus` unless `stratus.management.public-endpoints` says otherwise. */
  isPublic(id: string): boolean;
}

/** Spring's default web exposure (Boot 2.5+): only health. */
export const DEFAULT_EXPOSURE = ['health'] as const;
/** Exposed endpoints that need no credentials. */
export const DEFAULT_PUBLIC_ENDPOINTS = ['health', 'info', 'prometheus'] as const;

const ACCESS_VALUES: Record<string, EndpointAccess> = {
  none: 'none',
  readonly: 'read-only',
  unrestricted: 'unrestricted',
};
const RANK: Record<EndpointAccess, number> = { none: 0, 'read-only': 1, unrestricted: 2 };
const ENDPOINT_KEY = /^management\.endpoint\.([^.]+)\.(access|enabled)$/i;
const ACCESS_EXPECTED = 'an access level; expected none, read-only or unrestricted';
const BOOLEAN_EXPECTED = 'a boolean; expected true or false';

/**
 * Spring's `EndpointId` comparison: lower case letters and digits only, so `busrefresh`,
 * `bus-refresh` and `busRefresh` are one endpoint.
 */
export function normalizeEndpointId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function parseAccess(value: unknown): EndpointAccess | null {
  return (
    ACCESS_VALUES[
      String(value)
        .toLowerCase()
        .replace(/[-_\s]/g, '')
    ] ?? null
  );
}

function parseEnabled(value: unknown): EndpointAccess | null {
  const text = String(value).trim().toLowerCase();
  return text === 'true' ? 'unrestricted' : text === 'false' ? 'none' : null;
}

/**
 * Reads Spring Boot's exposure and access rules once, at start-up (as Spring binds them):
 * `management.endpoints.web.exposure.include` (default `health`) / `exclude` (exclude wins,
 * `*` means all), `management.endpoint.<id>.access` or `.enabled`,
 * `management.endpoints.access.default` / `enabled-by-default`, `access.max-permitted`,
 * `management.endpoints.web.base-path` and `path-mapping.<id>`.
 */
export function readEndpointExposure(env: ConfigEnvironment): {
  exposure: EndpointExposure;
  problems: string[];
} {
  const problems: string[] = [];
  const patterns = (key: string, fallback: readonly string[]) => {
    const list = getList(env, key);
    const ids = list.length > 0 ? list : fallback;
    return { all: ids.some((id) => id.trim() === '*'), ids: new Set(ids.map(normalizeEndpointId)) };
  };
  const include = patterns('management.endpoints.web.exposure.include', DEFAULT_EXPOSURE);
  const exclude = patterns('management.endpoints.web.exposure.exclude', []);
  const publicIds = new Set(
    (getList(env, 'stratus.management.public-endpoints').length > 0
      ? getList(env, 'stratus.management.public-endpoints')
      : DEFAULT_PUBLIC_ENDPOINTS
    ).map(normalizeEndpointId),
  );

  const accessOf = readAccessRules(env, problems);
  const basePath = readBasePath(env, problems);
  const mappings = readPathMappings(env, problems);

  const exposure: EndpointExposure = {
    basePath,
    isExposed(id) {
      const key = normalizeEndpointId(id);
      return (include.all || include.ids.has(key)) && !(exclude.all || exclude.ids.has(key));
    },
    access: accessOf,
    isAvailable(id) {
      return exposure.isExposed(id) && exposure.access(id) !== 'none';
    },
    pathOf(id) {
      return `${basePath}/${mappings.get(normalizeEndpointId(id)) ?? id}`;
    },
    isPublic(id) {
      return publicIds.has(normalizeEndpointId(id));
    },
  };
  return { exposure, problems };
}

/** `access`/`enabled` per endpoint, the defaults and the cap: Spring Boot 3.4's access rules. */
function readAccessRules(
  env: ConfigEnvironment,
  problems: string[],
): (id: string) => EndpointAccess {
  const setting = <T>(key: string, parse: (value: unknown) => T | null, expected: string) => {
    const value = env.get(key);
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = parse(value);
    if (parsed === null) problems.push(`${key}: '${String(value)}' is not ${expected}`);
    return parsed ?? undefined;
  };
  const perEndpoint = new Map<string, EndpointAccess>();
  const explicitAccess = new Set<string>();
  for (const key of env.snapshot().keys()) {
    const match = ENDPOINT_KEY.exec(key);
    if (!match) continue;
    const id = normalizeEndpointId(match[1]!);
    const isAccess = match[2]!.toLowerCase() === 'access';
    const parsed = isAccess
      ? setting(key, parseAccess, ACCESS_EXPECTED)
      : setting(key, parseEnabled, BOOLEAN_EXPECTED);
    if (parsed === undefined) continue;
    // `access` (Boot 3.4) wins over the older `enabled` for the same endpoint.
    if (isAccess || !explicitAccess.has(id)) perEndpoint.set(id, parsed);
    if (isAccess) explicitAccess.add(id);
  }
  const defaultAccess =
    setting('management.endpoints.access.default', parseAccess, ACCESS_EXPECTED) ??
    setting('management.endpoints.enabled-by-default', parseEnabled, BOOLEAN_EXPECTED) ??
    'unrestricted';
  const cap =
    setting('management.endpoints.access.max-permitted', parseAccess, ACCESS_EXPECTED) ??
    'unrestricted';
  return (id) => {
    const own = perEndpoint.get(normalizeEndpointId(id)) ?? defaultAccess;
    return RANK[own] <= RANK[cap] ? own : cap;
  };
}

/** `management.endpoints.web.path-mapping.<id>`: endpoint id → path below the base path. */
function readPathMappings(env: ConfigEnvironment, problems: string[]): Map<string, string> {
  const mappings = new Map<string, string>();
  for (const [id, path] of Object.entries(
    env.getObject('management.endpoints.web.path-mapping') ?? {},
  )) {
    const text = String(path).replace(/^\/+|\/+$/g, '');
    if (text === '' || !isPath(text))
      problems.push(`management.endpoints.web.path-mapping.${id}: '${String(path)}' is not a path`);
    else mappings.set(normalizeEndpointId(id), text);
  }
  return mappings;
}

function readBasePath(env: ConfigEnvironment, problems: string[]): string {
  const value = env.getString('management.endpoints.web.base-path') ?? '/actuator';
  const trimmed = value.trim();
  if (trimmed !== '' && (!trimmed.startsWith('/') || !isPath(trimmed.replace(/^\/+|\/+$/g, '')))) {
    problems.push(
      `management.endpoints.web.base-path: '${value}' must start with '/' and be a path`,
    );
    return '/actuator';
  }
  return trimmed.replace(/\/+$/, '');
}

/** Plain path segments: no `.`/`..`, no characters a router or proxy would reinterpret. */
function isPath(text: string): boolean {
  return (
    text === '' ||
    text
      .split('/')
      .every((segment) => /^[A-Za-z0-9._~-]+$/.test(segment) && !/^\.\.?$/.test(segment))
  );
}
