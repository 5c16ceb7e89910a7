import { resolve } from 'node:path';
import {
  createSilentLogger,
  systemClock,
  type Clock,
  type Logger,
  type Secret,
} from '@stratus/core';
import { CONFIG_SERVER_DEFAULTS } from '../defaults.js';
import type { Environment, EnvironmentRepository } from '../environment.js';
import { ConfigServerErrors, invalidOptionsError } from '../errors.js';
import { freezeEnvironment } from '../internal/freeze-environment.js';
import { normalizeRequest } from '../internal/precedence.js';
import type { CloneHealth } from './clone.js';
import { matchesRepo } from './pattern.js';
import { readSources } from './read-sources.js';
import { buildRepos, type Repo } from './repos.js';

/** One git repository (`spring.cloud.config.server.git.*` or `…git.repos.<name>.*`). */
export interface GitRepoOptions {
  /**
   * `spring.cloud.config.server.git.uri`: a local repository (`file:/abs`, `file:./rel` or a
   * plain path; work tree or bare) or an `http(s)://` remote. Userinfo in the URL is moved to
   * `username`/`password`. Placeholders (`{application}`) and ssh are not supported.
   */
  uri: string;
  /** Basic-auth user for an http(s) remote. */
  username?: string;
  /** Basic-auth password or token for an http(s) remote; never logged. */
  password?: Secret | string;
  /**
   * Sub-directories searched besides the root, lowest precedence first. May contain
   * `{application}`, `{profile}`, `{label}` and `*` (one directory level).
   * @default []
   */
  searchPaths?: readonly string[];
  /** The label used when a request has none. @default 'main' */
  defaultLabel?: string;
  /** Retry `master` when the label `main` does not exist. @default true */
  tryMasterBranch?: boolean;
}

/** One `spring.cloud.config.server.git.repos.<name>` entry. */
export interface GitPatternRepoOptions extends GitRepoOptions {
  /** The `<name>` of the entry; also its pattern when `pattern` is empty. */
  name: string;
  /**
   * `app/profile` patterns with `*` (Spring's `simpleMatch`); a pattern without `/` gets `/*`.
   * @default [name]
   */
  pattern?: readonly string[];
}

/** Options of {@link createGitRepository}. */
export interface GitRepositoryOptions extends GitRepoOptions {
  /** Repositories chosen by `application/profile` pattern before the default one, in order. */
  repos?: readonly GitPatternRepoOptions[];
  /**
   * Directory holding the local clones, one per URI at `<basedir>/<hash of uri>`.
   * @default `<cwd>/data/config-repo-clones`
   */
  basedir?: string;
  /** Fetch at most this often (`refresh-rate` × 1000); 0 fetches on every request. @default 0 */
  refreshRateMs?: number;
  /** Timeout of one http request to a remote (`timeout` × 1000). @default 5000 */
  timeoutMs?: number;
  /** Clone every repository in {@link GitEnvironmentRepository.start} and fail if one cannot be cloned. @default false */
  cloneOnStart?: boolean;
  /** @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** The health of the git backend, shaped as a `@stratus/boot` `HealthResult`. */
export interface GitRepositoryHealth {
  status: 'UP' | 'DOWN' | 'UNKNOWN';
  details: { repositories: CloneHealth[] };
}

/** A git {@link EnvironmentRepository} with a lifecycle, forced refresh and health. */
export interface GitEnvironmentRepository extends EnvironmentRepository {
  /** Clones every repository when `cloneOnStart` is set. @throws `CFG_ERR_REPOSITORY_UNAVAILABLE` */
  start(): Promise<void>;
  /** Makes the next request of every repository fetch, whatever the refresh rate. */
  refresh(): void;
  /** DOWN (with a reason, never a secret) while a repository's last fetch failed. */
  health(): GitRepositoryHealth;
  /** Waits for running fetches. Idempotent. */
  close(): Promise<void>;
}

/**
 * The git backend of Spring Cloud Config (spring-wire.md §2.4). Labels are branches, tags or
 * commit ids; `version` is the commit id; files are read from git objects of that commit with
 * the same precedence as the native backend (the root first, then each search path, a later
 * location winning). Each repository is a bare clone under `basedir`, fetched at most every
 * `refreshRateMs`; when a fetch fails the last good clone keeps serving and {@link
 * GitEnvironmentRepository.health} is DOWN until a fetch succeeds again.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` at creation for a missing or unsupported URI.
 * @example
 * const repository = createGitRepository({ uri: 'https://git.example/config.git', searchPaths: ['{application}'] });
 * const env = await repository.findOne('orders', ['dev'], 'v1.2');
 */
export function createGitRepository(options: GitRepositoryOptions): GitEnvironmentRepository {
  const log = (options?.logger ?? createSilentLogger()).child({
    component: 'config-git-repository',
  });
  const refreshRateMs = options?.refreshRateMs ?? CONFIG_SERVER_DEFAULTS.refreshRateMs;
  const timeoutMs = options?.timeoutMs ?? CONFIG_SERVER_DEFAULTS.timeoutMs;
  const problems: string[] = [];
  if (!Number.isFinite(refreshRateMs) || refreshRateMs < 0)
    problems.push('refreshRateMs must be >= 0');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) problems.push('timeoutMs must be > 0');
  const { patterned, fallback, clones } = buildRepos(
    options,
    {
      basedir: resolve(options?.basedir ?? resolve(process.cwd(), 'data', 'config-repo-clones')),
      refreshRateMs,
      timeoutMs,
      clock: options?.clock ?? systemClock,
      log,
    },
    problems,
  );
  if (problems.length > 0 || fallback === null) throw invalidOptionsError(problems);
  const defaultRepo = fallback;
  const cloneOnStart = options.cloneOnStart ?? CONFIG_SERVER_DEFAULTS.cloneOnStart;
  // A commit never changes, so the environment of (repo, commit, request) is reused as is: the
  // same frozen object, which the routes' renderings are cached by.
  const cache = new Map<string, Environment>();
  let closing: Promise<void> | null = null;

  async function findInRepo(
    repo: Repo,
    application: string,
    profiles: readonly string[],
    requestLabel: string | null,
    request: { apps: string[]; active: string[] },
  ): Promise<Environment> {
    await repo.clone.ensureFresh();
    const { label, commit } = await resolveLabel(repo, requestLabel);
    const key = JSON.stringify([
      repo.clone.displayUri,
      repo.searchPaths,
      commit,
      application,
      profiles,
      label,
      request.apps,
      request.active,
    ]);
    let environment = cache.get(key);
    if (environment !== undefined) cache.delete(key);
    else {
      environment = freezeEnvironment({
        name: application,
        profiles: [...profiles],
        label,
        version: commit,
        state: null,
        propertySources: await readSources(repo, commit, { ...request, label }, log),
      });
    }
    cache.set(key, environment);
    if (cache.size > CONFIG_SERVER_DEFAULTS.environmentCacheSize)
      cache.delete(cache.keys().next().value!);
    return environment;
  }

  async function findOne(
    application: string,
    profiles: readonly string[],
    label: string | null,
  ): Promise<Environment> {
    const request = normalizeRequest(application, profiles, label);
    const repo =
      patterned.find((candidate) => matchesRepo(candidate.patterns, application, request.active)) ??
      defaultRepo;
    const labels = label === null ? [null] : label.split(',');
    if (labels.length === 1) return findInRepo(repo, application, profiles, labels[0]!, request);
    const environments: Environment[] = [];
    for (const one of labels) {
      environments.push(await findInRepo(repo, application, profiles, one, request));
    }
    return mergeLabels(environments, label);
  }

  return Object.freeze({
    findOne,
    async start() {
      if (!cloneOnStart) return;
      for (const clone of clones.values()) await clone.ensureFresh();
    },
    refresh() {
      for (const clone of clones.values()) clone.markStale();
    },
    health: () => healthOf([...clones.values()].map((clone) => clone.health())),
    close() {
      closing ??= Promise.all([...clones.values()].map((clone) => clone.close())).then(
        () => undefined,
      );
      return closing;
    },
  });
}

/** Several labels: a later label wins, versions are comma-joined (Spring loops in reverse). */
function mergeLabels(environments: Environment[], label: string | null): Environment {
  const first = environments[0]!;
  return {
    name: first.name,
    profiles: [...first.profiles],
    label,
    version: environments.map((env) => env.version).join(','),
    state: null,
    propertySources: [...environments].reverse().flatMap((env) => env.propertySources),
  };
}

/** DOWN while any repository is; UP when all are; UNKNOWN before the first clone. */
function healthOf(repositories: CloneHealth[]): GitRepositoryHealth {
  const status = repositories.some((r) => r.status === 'DOWN')
    ? 'DOWN'
    : repositories.every((r) => r.status === 'UP')
      ? 'UP'
      : 'UNKNOWN';
  return { status, details: { repositories } };
}

/** The label to read (`main` falls back to `master`) and its commit; 404 when it is none. */
async function resolveLabel(
  repo: Repo,
  requestLabel: string | null,
): Promise<{ label: string; commit: string }> {
  const label = requestLabel ?? repo.defaultLabel;
  const commit = await repo.clone.resolveLabel(label);
  if (commit !== null) return { label, commit };
  if (label === 'main' && repo.tryMasterBranch) {
    const master = await repo.clone.resolveLabel('master');
    if (master !== null) return { label: 'master', commit: master };
  }
  throw ConfigServerErrors.NO_SUCH_LABEL({ details: { label } });
}
