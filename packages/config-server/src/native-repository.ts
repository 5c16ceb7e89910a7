import { join, sep } from 'node:path';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { resolveResourceLocation } from '@stratus/config';
import { CONFIG_SERVER_DEFAULTS } from './defaults.js';
import type { Environment, EnvironmentRepository, PropertySource } from './environment.js';
import { invalidOptionsError } from './errors.js';
import { readConfined } from './internal/confined-read.js';
import { EnvironmentCache } from './internal/environment-cache.js';
import { stampNow, type FileStamp } from './internal/file-stamps.js';
import { freezeEnvironment } from './internal/freeze-environment.js';
import { candidateFiles, normalizeRequest, parseRepositoryFile } from './internal/precedence.js';

/** Options of {@link createNativeRepository}. */
export interface NativeRepositoryOptions {
  /**
   * Directories to search, lowest precedence first (Spring's
   * `spring.cloud.config.server.native.search-locations`): `file:./config-repo`, `file:/abs`,
   * `file:///abs`, `file://${user.home}/repo` (already resolved), `classpath:/config`, or plain
   * paths, optionally prefixed `optional:`. Relative paths resolve against the working
   * directory at creation. May contain `{application}`, `{profile}` and `{label}`. Missing
   * directories are skipped. Other URL schemes (`http:`, `git:`) are refused.
   */
  searchLocations: readonly string[];
  /**
   * The folder `classpath:` locations stand for (the config server's `stratus.classpath`).
   * @default the working directory
   */
  classpath?: string;
  /**
   * Also search `<location>/<label>/` (with higher precedence) for locations without `{label}`.
   * @default true
   */
  addLabelLocations?: boolean;
  /**
   * Wall-clock time, compared with file change times: a file changed within 2 s of being read
   * is read again next time, since a second change may not move its timestamp.
   * @default systemClock
   */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
}

interface Location {
  /** Absolute path, placeholders kept. */
  path: string;
  hasPlaceholders: boolean;
  hasLabelPlaceholder: boolean;
  /** Absolute directory every file must stay inside (the part before the first placeholder). */
  root: string;
}

interface Directory {
  path: string;
  root: string;
}

const PLACEHOLDER = /\{(application|profile|label)\}/;

/**
 * The native (filesystem) backend of Spring Cloud Config. Never serves a stale file: an
 * environment is kept (frozen, and returned as the same object) only while every file it was
 * read from and every directory it searched — where a new `<app>-<profile>.yml` would appear —
 * still has the stamp (change times, size, inode) it had when read; a `stat` of each per call
 * replaces reading and parsing them all. Precedence follows Boot's ConfigData load with `spring.config.name=application,<app>`
 * and `spring.config.location=<search locations>` (spring-wire.md §2.3): a later location
 * (and a label folder) wins over an earlier one; inside a location, profile files (last
 * profile first, `<app>-<p>` before `application-<p>`) win over `<app>` and then `application`;
 * `.properties` wins over `.yml` over `.yaml`; later YAML documents win over earlier ones, and
 * documents for inactive profiles are left out.
 *
 * Every file is resolved with `realpath` and must stay inside its search location, so
 * symlinks that point outside are refused. Names, labels and profiles are validated again here.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` at creation for empty or unsupported locations.
 * @example
 * const repository = createNativeRepository({ searchLocations: ['file:./config-repo'] });
 * const env = await repository.findOne('orders', ['dev'], null);
 */
export function createNativeRepository(
  options: NativeRepositoryOptions,
): NativeEnvironmentRepository {
  const problems: string[] = [];
  if (!Array.isArray(options?.searchLocations) || options.searchLocations.length === 0) {
    problems.push('searchLocations must be a non-empty list');
  }
  const locations: Location[] = [];
  const classpath = options?.classpath ?? process.cwd();
  for (const raw of options?.searchLocations ?? []) {
    const location = parseLocation(raw, classpath);
    if (typeof location === 'string') problems.push(location);
    else locations.push(location);
  }
  if (problems.length > 0) throw invalidOptionsError(problems);
  const addLabelLocations = options.addLabelLocations ?? CONFIG_SERVER_DEFAULTS.addLabelLocations;
  const log = (options.logger ?? createSilentLogger()).child({
    component: 'config-native-repository',
  });

  const cache = new EnvironmentCache(CONFIG_SERVER_DEFAULTS.environmentCacheSize);
  const clock = options.clock ?? systemClock;

  async function findOne(
    application: string,
    profiles: readonly string[],
    label: string | null,
  ): Promise<Environment> {
    const key = JSON.stringify([application, profiles, label]);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const { apps, active } = normalizeRequest(application, profiles, label);
    const directories = searchDirectories(locations, { apps, active, label }, addLabelLocations);
    const takenAtMs = clock.now();
    const stamps: FileStamp[] = [];
    const lowestFirst: PropertySource[] = [];
    const seen = new Set<string>();
    for (const directory of directories) {
      if (seen.has(directory.path)) continue;
      seen.add(directory.path);
      // Before its files: a file created while they are read changes this stamp.
      stamps.push(stampNow(directory.path));
      for (const file of candidateFiles(apps, active)) {
        lowestFirst.push(...(await loadFile(directory, file, active, stamps)));
      }
    }
    const environment = freezeEnvironment({
      name: application,
      profiles: [...profiles],
      label,
      version: null,
      state: null,
      propertySources: lowestFirst.reverse(),
    });
    cache.set(key, environment, stamps, takenAtMs);
    return environment;
  }

  /** Reads one candidate file; returns its sources lowest precedence first, or none. */
  async function loadFile(
    directory: Directory,
    file: string,
    active: string[],
    stamps: FileStamp[],
  ): Promise<PropertySource[]> {
    const path = join(directory.path, file);
    const read = await readConfined(directory.root, path, log);
    if (read === null) return [];
    const { text, stamp } = read;
    stamps.push(stamp);
    const dirWithSlash = directory.path.endsWith(sep) ? directory.path : directory.path + sep;
    return parseRepositoryFile(
      { text, name: file, originPath: path },
      active,
      (position) =>
        position === null
          ? `file:${path}`
          : `Config resource 'file [${path}]' via location 'file:${dirWithSlash}' (document #${position})`,
      log,
      { file: path },
    );
  }

  return Object.freeze({
    findOne,
    refresh: () => cache.clear(),
    locations: Object.freeze(locations.map((l) => l.path)),
  });
}

/** The native backend: an {@link EnvironmentRepository} that also tells where it looks. */
export interface NativeEnvironmentRepository extends EnvironmentRepository {
  /** The search locations as absolute paths (placeholders such as `{application}` kept). */
  readonly locations: readonly string[];
  /** Forgets every cached environment (`/monitor`, a refresh). */
  refresh(): void;
}

/**
 * The directories one request reads, lowest precedence first: each location (placeholders
 * expanded per profile and application), then `<location>/<label>/` for locations without
 * placeholders.
 */
function searchDirectories(
  locations: readonly Location[],
  request: { apps: string[]; active: string[]; label: string | null },
  addLabelLocations: boolean,
): Directory[] {
  const { apps, active, label } = request;
  const directories: Directory[] = [];
  for (const location of locations) {
    if (!location.hasPlaceholders) {
      directories.push({ path: location.path, root: location.root });
      continue;
    }
    if (location.hasLabelPlaceholder && label === null) continue;
    for (const profile of active) {
      for (const app of apps) {
        const path = location.path
          .replaceAll('{application}', app)
          .replaceAll('{profile}', profile)
          .replaceAll('{label}', label ?? '');
        directories.push({ path, root: location.root });
      }
    }
  }
  if (label !== null && addLabelLocations) {
    for (const location of locations) {
      if (location.hasPlaceholders) continue;
      directories.push({ path: join(location.path, label), root: location.root });
    }
  }
  return directories;
}

function parseLocation(raw: string, classpath: string): Location | string {
  if (typeof raw !== 'string' || raw.trim() === '') return 'a search location is empty';
  let value = raw.trim();
  if (value.startsWith('optional:')) value = value.slice('optional:'.length);
  if (value.includes('${'))
    return `a search location holds an unresolved \${…} placeholder: ${value}`;
  // A scheme is two or more letters, so a Windows drive (`C:\cfg`) stays a path.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(value)?.[1];
  if (scheme !== undefined && scheme !== 'file' && scheme !== 'classpath')
    return `unsupported search location scheme: ${scheme}`;
  const path = resolveResourceLocation(value, { baseDir: process.cwd(), classpath });
  const index = path.search(PLACEHOLDER);
  const hasPlaceholders = index !== -1;
  // The root is the last whole directory before the first placeholder.
  const root = hasPlaceholders ? path.slice(0, path.lastIndexOf(sep, index) + 1) || sep : path;
  return { path, hasPlaceholders, hasLabelPlaceholder: path.includes('{label}'), root };
}
