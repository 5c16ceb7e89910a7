import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { createSilentLogger, isRecord, type Logger, type StratusError } from '@stratus/core';
import { CONFIG_SERVER_DEFAULTS } from './defaults.js';
import { ConfigServerErrors, invalidOptionsError } from './errors.js';
import { pluginOptionProblems, registerRawTextPlugin } from './internal/raw-text-plugin.js';

/** Where a `/monitor` notification came from. */
export type MonitorSource = 'github' | 'gitlab' | 'gitea' | 'form';

/** A change reported to `/monitor`: the changed paths and the applications they affect. */
export interface ConfigChangeEvent {
  source: MonitorSource;
  /** Changed file paths, as reported (deduplicated, at most {@link MAX_PATHS}). */
  paths: string[];
  /** Bus destinations, Spring's way: `foo`, `foo:dev`, `foo-dev`, `*`, `*:dev`. */
  applications: string[];
}

/** What `/monitor` needs of the bus (a `Bus` of `@stratus/messaging` fits). */
export interface RefreshPublisher {
  /** Sends a `RefreshRemoteApplicationEvent` to `destination` (normalised: `foo` → `foo:**`). */
  publishRefresh(destination: string): Promise<unknown>;
}

/** Options of {@link registerMonitorRoute}. */
export interface MonitorOptions {
  /**
   * The bus a refresh per affected application goes out on, read at each notification (the
   * application's bus starts with it); `null` or absent: no refresh is published.
   * @default none
   */
  bus?: () => RefreshPublisher | null;
  /** Called for every change with at least one affected application. */
  onChange?: (event: ConfigChangeEvent) => void;
  /** Emits `'change'` with a {@link ConfigChangeEvent}, besides `onChange`. */
  events?: EventEmitter;
  /** Forces the repository to fetch on its next request, e.g. `gitRepository.refresh`. */
  refresh?: () => void;
  /** Largest body in bytes; larger gives 413. @default 1048576 */
  maxBodyBytes?: number;
  /** Path prefix (`spring.cloud.config.server.prefix`). @default '' */
  prefix?: string;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** At most this many paths are taken from one notification. */
export const MAX_PATHS = 1000;

/**
 * Spring's `PropertyPathEndpoint.guessServiceName`: the file name without folder and extension;
 * every split at a `-` gives `<name>:<profile>`; `application` becomes `*`, other names starting
 * with `application` are skipped.
 *
 * @example
 * guessServiceNames('config/foo-dev.yml'); // ['foo:dev', 'foo-dev']
 * guessServiceNames('application.yml');    // ['*']
 */
export function guessServiceNames(path: string): string[] {
  const services = new Set<string>();
  const file = path.replaceAll('\\', '/').split('/').pop() ?? '';
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  if (stem === '') return [];
  for (let index = stem.indexOf('-'); index >= 0; index = stem.indexOf('-', index + 1)) {
    const name = stem.slice(0, index);
    const profile = stem.slice(index + 1);
    if (name === 'application') services.add(`*:${profile}`);
    else if (!name.startsWith('application')) services.add(`${name}:${profile}`);
  }
  if (stem === 'application') services.add('*');
  else if (!stem.startsWith('application')) services.add(stem);
  return [...services];
}

/**
 * Extracts the changed paths of a webhook: GitHub (`X-Github-Event: push`), GitLab
 * (`X-Gitlab-Event: Push Hook`), Gitea (`X-Gitea-Event: push`), each with
 * `commits[].added/modified/removed`, or a form / JSON body with `path`. Another event of a known
 * provider (e.g. GitHub's `ping`) gives no paths. Returns `null` for a body it cannot read.
 */
export function extractChangedPaths(
  headers: Record<string, string | string[] | undefined>,
  contentType: string,
  body: string,
): { source: MonitorSource; paths: string[] } | null {
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const providers: Array<[MonitorSource, string | undefined, string]> = [
    ['github', header('x-github-event'), 'push'],
    ['gitlab', header('x-gitlab-event'), 'push hook'],
    ['gitea', header('x-gitea-event'), 'push'],
  ];
  for (const [source, event, pushEvent] of providers) {
    if (event === undefined) continue;
    const json = parseJson(body);
    if (!isRecord(json)) return null;
    if (event.trim().toLowerCase() !== pushEvent) return { source, paths: [] };
    const commits = json.commits ?? [];
    if (!Array.isArray(commits)) return null;
    const paths: string[] = [];
    for (const commit of commits) {
      if (!isRecord(commit)) return null;
      for (const field of ['added', 'modified', 'removed'] as const) {
        const list = commit[field] ?? [];
        if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) return null;
        paths.push(...(list as string[]));
      }
    }
    return { source, paths: unique(paths) };
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    const paths = new URLSearchParams(body).getAll('path');
    return paths.length === 0 ? null : { source: 'form', paths: unique(paths) };
  }
  if (contentType === 'application/json') {
    const json = parseJson(body);
    const path = isRecord(json) ? json.path : undefined;
    const list = typeof path === 'string' ? [path] : path;
    if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string'))
      return null;
    return { source: 'form', paths: unique(list as string[]) };
  }
  return null;
}

/**
 * Registers `POST /monitor` (Spring Cloud Config Monitor): reads a git webhook or a `path=`
 * form, answers the JSON array of affected application names, forces the repository to fetch
 * on its next request, publishes a `RefreshRemoteApplicationEvent` per application on the bus
 * (`PropertyPathEndpoint`), and reports the change to `onChange` / `events`. Unreadable bodies
 * are 400 problem+json; a bus that cannot publish is logged, and the webhook still gets 200.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` when options are invalid.
 * @example
 * await registerMonitorRoute(app.server, { refresh: () => git.refresh(), onChange: (e) => bus.publish(e) });
 */
export async function registerMonitorRoute(
  fastify: FastifyInstance<any, any, any, any, any>,
  options: MonitorOptions = {},
): Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? CONFIG_SERVER_DEFAULTS.monitorMaxBodyBytes;
  const prefix = options.prefix ?? CONFIG_SERVER_DEFAULTS.prefix;
  const problems = pluginOptionProblems(maxBodyBytes, prefix);
  if (problems.length > 0) throw invalidOptionsError(problems);
  const log = (options.logger ?? createSilentLogger()).child({ component: 'config-monitor' });

  await registerRawTextPlugin(
    fastify,
    {
      prefix,
      maxBodyBytes,
      log,
      failure: 'monitor request failed',
      unreadable: () => badNotification(),
    },
    (app) => {
      app.post('/monitor', async (request, reply) => {
        const contentType = String(request.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        const body = typeof request.body === 'string' ? request.body : '';
        const extracted = extractChangedPaths(request.headers, contentType, body);
        if (extracted === null) throw badNotification();
        const paths = extracted.paths.slice(0, MAX_PATHS);
        const applications = unique(paths.flatMap(guessServiceNames));
        if (applications.length > 0) {
          options.refresh?.();
          const event: ConfigChangeEvent = { source: extracted.source, paths, applications };
          log.info(
            { source: event.source, applications, pathCount: paths.length },
            'config change notified',
          );
          try {
            options.onChange?.(event);
            options.events?.emit('change', event);
          } catch (error) {
            // A listener's failure must not turn an accepted webhook into a retry storm.
            log.warn({ err: error }, 'config change listener failed');
          }
          await publishRefreshes(options.bus?.() ?? null, applications, log);
        }
        await reply.type('application/json').send(JSON.stringify(applications));
      });
    },
  );
}

/** One refresh event per application, as `PropertyPathEndpoint.notifyByPath` publishes them. */
async function publishRefreshes(
  bus: RefreshPublisher | null,
  applications: readonly string[],
  log: Logger,
): Promise<void> {
  if (bus === null) return;
  const results = await Promise.allSettled(
    applications.map((destination) => bus.publishRefresh(destination)),
  );
  results.forEach((result, index) => {
    const destination = applications[index];
    if (result.status === 'fulfilled') log.info({ destination }, 'bus refresh published');
    else log.warn({ err: result.reason, destination }, 'bus refresh not published');
  });
}

function badNotification(): StratusError {
  return ConfigServerErrors.BAD_REQUEST({ message: 'Unrecognized change notification' });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
