import { isStratusError, type Logger } from '@stratus/core';
import { parseJavaProperties, parseYamlDocuments, profilesMatch } from '@stratus/config';
import type { PropertySource } from '../environment.js';
import { ConfigServerErrors, invalidRequestError } from '../errors.js';
import { isSafeRelativePath, validateProfiles } from '../validate.js';

/** File extensions of configuration files, lowest precedence first (`.properties` wins). */
export const CONFIG_EXTENSIONS = ['yaml', 'yml', 'properties'] as const;

/** A request after the repository-side re-validation shared by every file backend. */
export interface NormalizedRequest {
  /** The comma-separated application names, in request order. */
  apps: string[];
  /** The active profiles (`default` when none), last one highest. */
  active: string[];
}

/**
 * Re-validates a request inside a repository (defence in depth behind the routes) and
 * normalizes it: applications split on commas, empty profiles become `default`.
 *
 * @throws StratusError `CFG_ERR_INVALID_REQUEST` for an unsafe name, label or profile.
 */
export function normalizeRequest(
  application: string,
  profiles: readonly string[],
  label: string | null,
): NormalizedRequest {
  const apps = String(application).split(',');
  if (apps.some((app) => !isSafeRelativePath(app))) throw invalidRequestError('name');
  if (label !== null && !isSafeRelativePath(label)) throw invalidRequestError('label');
  const active = profiles.length === 0 ? ['default'] : [...profiles];
  if (validateProfiles(active.join(',')) === null) throw invalidRequestError('profiles');
  return { apps, active };
}

/**
 * The candidate file names of one search location, lowest precedence first
 * (spring-wire.md §2.3): `application`, then each app, for every extension; then per profile
 * (first requested lowest) `application-<p>` before `<app>-<p>`.
 */
export function candidateFiles(apps: readonly string[], active: readonly string[]): string[] {
  const names = [...new Set(['application', ...apps.filter((app) => app !== 'application')])];
  return [
    ...names.flatMap((name) => CONFIG_EXTENSIONS.map((ext) => `${name}.${ext}`)),
    ...active.flatMap((profile) =>
      names.flatMap((name) => CONFIG_EXTENSIONS.map((ext) => `${name}-${profile}.${ext}`)),
    ),
  ];
}

/**
 * Parses one configuration file into property sources, lowest precedence first: later YAML
 * documents win over earlier ones, documents for inactive profiles and empty documents are
 * left out.
 *
 * @param nameOf names a source: `position` is the document index, or `null` for a file that
 *   yields a single source.
 * @throws the parser's error for unparsable text (callers map it to `CFG_ERR_REPOSITORY`).
 */
export function parseConfigFile(
  text: string,
  file: string,
  originPath: string,
  active: readonly string[],
  nameOf: (position: number | null) => string,
): PropertySource[] {
  if (file.endsWith('.properties')) {
    return [{ name: nameOf(null), source: parseJavaProperties(text) }];
  }
  const documents = parseYamlDocuments(text, originPath);
  return documents.flatMap((document, position) => {
    if (document.onProfile !== null && !profilesMatch(document.onProfile, [...active])) return [];
    if (Object.keys(document.properties).length === 0) return [];
    return [
      { name: nameOf(documents.length === 1 ? null : position), source: document.properties },
    ];
  });
}

/**
 * {@link parseConfigFile} for a backend: a file that does not parse is logged with `where`
 * (its path stays in the logs) and answered as `CFG_ERR_REPOSITORY`.
 */
export function parseRepositoryFile(
  file: { text: string; name: string; originPath: string },
  active: readonly string[],
  nameOf: (position: number | null) => string,
  log: Logger,
  where: Record<string, string>,
): PropertySource[] {
  try {
    return parseConfigFile(file.text, file.name, file.originPath, active, nameOf);
  } catch (error) {
    log.error(
      { ...where, code: isStratusError(error) ? error.code : undefined },
      'config file unreadable',
    );
    throw ConfigServerErrors.REPOSITORY({ cause: error });
  }
}
