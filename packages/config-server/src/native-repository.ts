import { constants as fsConstants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { createSilentLogger, isStratusError, type Logger } from '@stratus/core';
import type { Environment, EnvironmentRepository, PropertySource } from './environment.js';
import { invalidOptionsError, repositoryError } from './errors.js';
import { candidateFiles, normalizeRequest, parseConfigFile } from './internal/precedence.js';

/** Options of {@link createNativeRepository}. */
export interface NativeRepositoryOptions {
  /**
   * Directories to search, lowest precedence first (Spring's
   * `spring.cloud.config.server.native.search-locations`): `file:./config-repo`, `file:/abs`,
   * or plain paths, optionally prefixed `optional:`. Relative paths resolve against the
   * working directory at creation. May contain `{application}`, `{profile}` and `{label}`.
   * Missing directories are skipped. `classpath:` and URLs are not supported.
   */
  searchLocations: readonly string[];
  /**
   * Also search `<location>/<label>/` (with higher precedence) for locations without `{label}`.
   * @default true
   */
  addLabelLocations?: boolean;
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
 * The native (filesystem) backend of Spring Cloud Config. Reads files on every call, like
 * Spring. Precedence follows Boot's ConfigData load with `spring.config.name=application,<app>`
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
export function createNativeRepository(options: NativeRepositoryOptions): EnvironmentRepository {
  const problems: string[] = [];
  if (!Array.isArray(options?.searchLocations) || options.searchLocations.length === 0) {
    problems.push('searchLocations must be a non-empty list');
  }
  const locations: Location[] = [];
  for (const raw of options?.searchLocations ?? []) {
    const location = parseLocation(raw);
    if (typeof location === 'string') problems.push(location);
    else locations.push(location);
  }
  if (problems.length > 0) throw invalidOptionsError(problems);
  const addLabelLocations = options.addLabelLocations ?? true;
  const log = (options.logger ?? createSilentLogger()).child({
    component: 'config-native-repository',
  });

  async function findOne(
    application: string,
    profiles: readonly string[],
    label: string | null,
  ): Promise<Environment> {
    const { apps, active } = normalizeRequest(application, profiles, label);
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

    const lowestFirst: PropertySource[] = [];
    const seen = new Set<string>();
    for (const directory of directories) {
      if (seen.has(directory.path)) continue;
      seen.add(directory.path);
      for (const file of candidateFiles(apps, active)) {
        lowestFirst.push(...(await loadFile(directory, file, active)));
      }
    }
    return {
      name: application,
      profiles: [...profiles],
      label,
      version: null,
      state: null,
      propertySources: lowestFirst.reverse(),
    };
  }

  /** Reads one candidate file; returns its sources lowest precedence first, or none. */
  async function loadFile(
    directory: Directory,
    file: string,
    active: string[],
  ): Promise<PropertySource[]> {
    const path = join(directory.path, file);
    const text = await readConfined(directory.root, path);
    if (text === null) return [];
    const dirWithSlash = directory.path.endsWith(sep) ? directory.path : directory.path + sep;
    try {
      return parseConfigFile(text, file, path, active, (position) =>
        position === null
          ? `file:${path}`
          : `Config resource 'file [${path}]' via location 'file:${dirWithSlash}' (document #${position})`,
      );
    } catch (error) {
      log.error(
        { file: path, code: isStratusError(error) ? error.code : undefined },
        'config file unreadable',
      );
      throw repositoryError(error);
    }
  }

  /**
   * Reads `path` only if its real path is inside the real `root`; `null` when it does not exist,
   * is not a regular file, or escapes the root.
   */
  async function readConfined(root: string, path: string): Promise<string | null> {
    let realRoot: string;
    let realFile: string;
    try {
      realRoot = await realpath(root);
      realFile = await realpath(path);
    } catch {
      return null;
    }
    if (
      realFile !== realRoot &&
      !realFile.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
    ) {
      log.warn({ file: path }, 'config file outside its search location refused');
      return null;
    }
    let handle;
    try {
      // O_NOFOLLOW: the checked real path must not have become a symlink since (CVE-2026-41002).
      handle = await open(realFile, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch {
      log.warn({ file: path }, 'config file could not be opened');
      return null;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return null;
      return await handle.readFile({ encoding: 'utf8' });
    } finally {
      await handle.close();
    }
  }

  return Object.freeze({ findOne });
}

function parseLocation(raw: string): Location | string {
  if (typeof raw !== 'string' || raw.trim() === '') return 'a search location is empty';
  let value = raw.trim();
  if (value.startsWith('optional:')) value = value.slice('optional:'.length);
  if (value.startsWith('file:')) {
    value = value.slice('file:'.length);
    // `file:///abs` and `file://abs` URL forms.
    if (value.startsWith('//')) value = value.replace(/^\/\/(localhost)?/, '');
  } else if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value)) {
    return `unsupported search location scheme: ${value.split(':')[0]}`;
  }
  const path = isAbsolute(value) ? resolve(value) : resolve(process.cwd(), value);
  const index = path.search(PLACEHOLDER);
  const hasPlaceholders = index !== -1;
  // The root is the last whole directory before the first placeholder.
  const root = hasPlaceholders ? path.slice(0, path.lastIndexOf(sep, index) + 1) || sep : path;
  return { path, hasPlaceholders, hasLabelPlaceholder: path.includes('{label}'), root };
}
