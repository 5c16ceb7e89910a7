import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import {
  createSilentLogger,
  isStratusError,
  PROBLEM_CONTENT_TYPE,
  StratusError,
  toProblem,
  type Logger,
} from '@stratus/core';
import { ConfigServerErrorCodes, invalidOptionsError } from './errors.js';
import { acceptRawText } from './internal/raw-text.js';

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

/** Options of {@link registerMonitorRoute}. */
export interface MonitorOptions {
  /** Called for every change with at least one affected application (until the bus exists). */
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
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

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
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    if (event.trim().toLowerCase() !== pushEvent) return { source, paths: [] };
    const commits = (json as { commits?: unknown }).commits ?? [];
    if (!Array.isArray(commits)) return null;
    const paths: string[] = [];
    for (const commit of commits) {
      if (commit === null || typeof commit !== 'object') return null;
      for (const field of ['added', 'modified', 'removed'] as const) {
        const list = (commit as Record<string, unknown>)[field] ?? [];
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
    const json = parseJson(body) as { path?: unknown } | null;
    const path = json?.path;
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
 * on its next request, and reports the change to `onChange` / `events` (the bus publishes a
 * refresh per application once it exists). Unreadable bodies are 400 problem+json.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` when options are invalid.
 * @example
 * await registerMonitorRoute(app.server, { refresh: () => git.refresh(), onChange: (e) => bus.publish(e) });
 */
export async function registerMonitorRoute(
  fastify: FastifyInstance<any, any, any, any, any>,
  options: MonitorOptions = {},
): Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const prefix = options.prefix ?? '';
  const problems: string[] = [];
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    problems.push('maxBodyBytes must be a positive integer');
  if (prefix !== '' && !/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(prefix))
    problems.push('prefix must start with / and not end with /');
  if (problems.length > 0) throw invalidOptionsError(problems);
  const log = (options.logger ?? createSilentLogger()).child({ component: 'config-monitor' });

  await fastify.register(
    async (app: FastifyInstance) => {
      acceptRawText(app, maxBodyBytes);
      app.setErrorHandler((error: unknown, _request, reply) => {
        const problem = toProblem(asMonitorError(error));
        if (problem.status >= 500) log.error({ err: error }, 'monitor request failed');
        void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      });
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
        }
        await reply.type('application/json').send(JSON.stringify(applications));
      });
    },
    { prefix },
  );
}

function badNotification(): StratusError {
  return new StratusError(ConfigServerErrorCodes.BAD_REQUEST, 400, 'Bad Request', {
    message: 'Unrecognized change notification',
  });
}

function asMonitorError(error: unknown): unknown {
  if (isStratusError(error)) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) {
    return new StratusError(ConfigServerErrorCodes.PAYLOAD_TOO_LARGE, 413, 'Payload Too Large', {
      message: 'Request body is too large',
    });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return badNotification();
  return error;
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
