import { isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { invalidManifestError } from '../errors.js';
import type {
  BuiltInServer,
  ProcessRun,
  ProcessSpec,
  RestartPolicy,
  StackManifest,
} from '../manifest.js';
import { findCycle, portProblems } from './manifest-rules.js';

const TOP_LEVEL_KEYS = ['processes'] as const;
const PROCESS_KEYS = [
  'server',
  'entry',
  'command',
  'args',
  'port',
  'depends-on',
  'environment',
  'instances',
  'health',
  'gateway-check',
  'restart',
  'max-restarts',
  'restart-window-seconds',
  'working-dir',
] as const;
/** Keys a Docker Compose or Procfile user may reach for, and what Stratus calls them. */
const LOOKALIKES: Record<string, string> = {
  depends_on: 'depends-on',
  dependsOn: 'depends-on',
  env: 'environment',
  cwd: 'working-dir',
  working_dir: 'working-dir',
  healthcheck: 'health',
  ports: 'port',
  replicas: 'instances',
  scale: 'instances',
};
const SERVERS: readonly BuiltInServer[] = ['registry', 'config-server', 'gateway'];
const SERVER_PORTS: Record<BuiltInServer, number> = {
  registry: 8761,
  'config-server': 8888,
  gateway: 8000,
};
const RESTART_POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'no'];
const NAME = /^[A-Za-z][A-Za-z0-9._-]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const MAX_INSTANCES = 32;

/** Collects problems as `file:line key: message`. */
class Problems {
  readonly list: string[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  add(path: readonly (string | number)[], message: string, atKey = false): void {
    const line = this.#lineOf(path, atKey);
    const where = path.length > 0 ? ` ${path.join('.')}` : '';
    this.list.push(`${this.file}${line === null ? '' : `:${line}`}${where}: ${message}`);
  }

  #lineOf(path: readonly (string | number)[], atKey: boolean): number | null {
    let node: unknown = this.doc.contents;
    let offset: number | undefined = (node as Node | undefined)?.range?.[0];
    for (const [i, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) break;
        const last = i === path.length - 1;
        node = last && atKey ? pair.key : pair.value;
        offset = (node as Node | null)?.range?.[0] ?? (pair.key as Node | null)?.range?.[0];
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        offset = (node as Node | undefined)?.range?.[0] ?? offset;
      } else break;
    }
    return offset === undefined ? null : this.lines.linePos(offset).line;
  }
}

/** Parses and validates a manifest's text; see `parseManifest`. */
export function parseManifestText(
  text: string,
  source: { file: string; baseDir: string },
): StackManifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems = new Problems(source.file, doc, lineCounter);
  for (const error of doc.errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    problems.list.push(`${source.file}${line ? `:${line}` : ''}: ${error.message.split('\n')[0]}`);
  }
  if (problems.list.length > 0) throw invalidManifestError(source.file, problems.list);
  const root: unknown = doc.toJS({ mapAsMap: true, maxAliasCount: 50 });
  const processes = readProcesses(root, problems, source.baseDir);
  if (problems.list.length === 0) crossCheck(processes, problems);
  if (problems.list.length > 0) throw invalidManifestError(source.file, problems.list);
  return Object.freeze({
    file: source.file,
    baseDir: source.baseDir,
    processes: Object.freeze(processes),
  });
}

function readProcesses(root: unknown, problems: Problems, baseDir: string): ProcessSpec[] {
  if (!(root instanceof Map)) {
    problems.add([], 'expected a mapping with a `processes:` key');
    return [];
  }
  checkKeys(root, TOP_LEVEL_KEYS, [], problems);
  const section: unknown = root.get('processes');
  if (!(section instanceof Map) || section.size === 0) {
    problems.add(['processes'], 'expected a mapping of process names to their settings');
    return [];
  }
  const specs: ProcessSpec[] = [];
  for (const [name, value] of section) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.add(
        ['processes', String(name)],
        'expected a process name of letters, digits, `.`, `_` or `-`, starting with a letter',
        true,
      );
      continue;
    }
    const spec = readProcess(name, value, problems, baseDir);
    if (spec) specs.push(spec);
  }
  return specs;
}

function readProcess(
  name: string,
  value: unknown,
  problems: Problems,
  baseDir: string,
): ProcessSpec | null {
  const at = ['processes', name];
  if (!(value instanceof Map)) {
    problems.add(at, 'expected a mapping with `entry`, `command` or `server`');
    return null;
  }
  const before = problems.list.length;
  checkKeys(value, PROCESS_KEYS, at, problems);
  const run = readRun(value, at, problems, baseDir);
  const field = new FieldReader(value, at, problems);
  const instances = field.integer('instances', 1, MAX_INSTANCES) ?? 1;
  const defaultPort = run === null ? null : defaultPortOf(run);
  const port = field.integer('port', 0, 65_535) ?? defaultPort;
  const healthValue = value.get('health');
  const health =
    healthValue === false || healthValue === 'none'
      ? null
      : (field.pathOrUrl('health') ?? (port === null ? null : '/actuator/health'));
  if (run?.kind === 'command' && port === 0 && health?.startsWith('/'))
    problems.add(
      [...at, 'health'],
      'expected a URL or false: the launcher cannot know the port a command picks with port: 0',
    );
  const spec: ProcessSpec = {
    name,
    run: run ?? { kind: 'command', command: [] },
    args: field.strings('args') ?? [],
    port,
    dependsOn: field.strings('depends-on') ?? [],
    environment: field.environment('environment'),
    instances,
    health,
    gatewayCheck: field.path('gateway-check'),
    restart: field.restartPolicy('restart'),
    maxRestarts: field.integer('max-restarts', 0, 1000) ?? 5,
    restartWindowMs: (field.integer('restart-window-seconds', 1, 86_400) ?? 60) * 1000,
    workingDir: resolve(baseDir, field.string('working-dir') ?? '.'),
  };
  if (problems.list.length > before) return null;
  return Object.freeze({
    ...spec,
    args: Object.freeze([...spec.args]),
    dependsOn: Object.freeze([...spec.dependsOn]),
    environment: Object.freeze({ ...spec.environment }),
  });
}

function defaultPortOf(run: ProcessRun): number | null {
  if (run.kind === 'server') return SERVER_PORTS[run.server];
  return run.kind === 'entry' ? 0 : null;
}

function readRun(
  value: Map<unknown, unknown>,
  at: readonly string[],
  problems: Problems,
  baseDir: string,
): ProcessRun | null {
  const given = (['server', 'entry', 'command'] as const).filter((k) => value.has(k));
  if (given.length !== 1) {
    problems.add(
      at,
      given.length === 0
        ? 'expected one of `entry` (a JavaScript file), `command` (an executable) or `server` (registry, config-server, gateway)'
        : `expected only one of ${given.map((k) => `\`${k}\``).join(', ')}`,
    );
    return null;
  }
  const key = given[0]!;
  const raw = value.get(key);
  if (key === 'server') {
    if (typeof raw === 'string' && (SERVERS as readonly string[]).includes(raw))
      return Object.freeze({ kind: 'server', server: raw as BuiltInServer });
    problems.add([...at, key], `expected one of ${SERVERS.join(', ')}, got ${show(raw)}`);
    return null;
  }
  if (key === 'entry') {
    if (typeof raw !== 'string' || raw.trim() === '') {
      problems.add([...at, key], `expected the path of a JavaScript file, got ${show(raw)}`);
      return null;
    }
    if (/\.(c|m)?ts$/.test(raw)) {
      problems.add(
        [...at, key],
        `expected a JavaScript file; Node runs compiled code (e.g. dist/main.js, after npm run build), got ${show(raw)}`,
      );
      return null;
    }
    return Object.freeze({ kind: 'entry', entry: isAbsolute(raw) ? raw : resolve(baseDir, raw) });
  }
  const command = typeof raw === 'string' ? splitCommand(raw) : raw;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((part) => typeof part === 'string' && part !== '')
  ) {
    problems.add(
      [...at, key],
      `expected an executable and its arguments, as a string or a list of strings, got ${show(raw)}`,
    );
    return null;
  }
  return Object.freeze({ kind: 'command', command: Object.freeze([...(command as string[])]) });
}

/** Whitespace-separated words with "double" or 'single' quotes; no shell, no expansion. */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g))
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** Typed reads of one process's optional keys; a wrong type adds a problem and yields null. */
class FieldReader {
  constructor(
    private readonly value: Map<unknown, unknown>,
    private readonly at: readonly string[],
    private readonly problems: Problems,
  ) {}

  integer(key: string, min: number, max: number): number | null {
    const raw = this.value.get(key);
    if (raw === undefined) return null;
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max) return raw;
    this.#problem(key, `expected an integer from ${min} to ${max}, got ${show(raw)}`);
    return null;
  }

  string(key: string): string | null {
    const raw = this.value.get(key);
    if (raw === undefined) return null;
    if (typeof raw === 'string' && raw !== '') return raw;
    this.#problem(key, `expected a non-empty string, got ${show(raw)}`);
    return null;
  }

  strings(key: string): string[] | null {
    const raw = this.value.get(key);
    if (raw === undefined) return null;
    const list = typeof raw === 'string' ? [raw] : raw;
    if (Array.isArray(list) && list.every((item) => typeof item === 'string' && item !== ''))
      return list as string[];
    this.#problem(key, `expected a list of strings, got ${show(raw)}`);
    return null;
  }

  path(key: string): string | null {
    const raw = this.string(key);
    if (raw === null || raw.startsWith('/')) return raw;
    this.#problem(key, `expected a path starting with /, got ${show(raw)}`);
    return null;
  }

  pathOrUrl(key: string): string | null {
    const raw = this.string(key);
    if (raw === null || raw.startsWith('/') || /^https?:\/\/[^\s]+$/.test(raw)) return raw;
    this.#problem(
      key,
      `expected a path starting with /, an http(s) URL, or false, got ${show(raw)}`,
    );
    return null;
  }

  environment(key: string): Record<string, string> {
    const raw = this.value.get(key);
    if (raw === undefined) return {};
    if (!(raw instanceof Map)) {
      this.#problem(key, `expected a mapping of variable names to values, got ${show(raw)}`);
      return {};
    }
    const env: Record<string, string> = {};
    for (const [name, value] of raw) {
      if (typeof name !== 'string' || !ENV_NAME.test(name)) {
        this.problems.add([...this.at, key, String(name)], 'expected a variable name', true);
      } else if (['string', 'number', 'boolean'].includes(typeof value)) {
        env[name] = String(value);
      } else {
        this.problems.add(
          [...this.at, key, name],
          `expected a string, number or boolean, got ${show(value)}`,
        );
      }
    }
    return env;
  }

  restartPolicy(key: string): RestartPolicy {
    const raw = this.value.get(key);
    if (raw === undefined) return 'on-failure';
    if (raw === false) return 'no';
    if (typeof raw === 'string' && (RESTART_POLICIES as readonly string[]).includes(raw))
      return raw as RestartPolicy;
    this.#problem(key, `expected one of ${RESTART_POLICIES.join(', ')}, got ${show(raw)}`);
    return 'on-failure';
  }

  #problem(key: string, message: string): void {
    this.problems.add([...this.at, key], message);
  }
}

function checkKeys(
  map: Map<unknown, unknown>,
  known: readonly string[],
  at: readonly string[],
  problems: Problems,
): void {
  for (const key of map.keys()) {
    if (typeof key === 'string' && known.includes(key)) continue;
    const hint = typeof key === 'string' ? LOOKALIKES[key] : undefined;
    problems.add(
      [...at, String(key)],
      `unknown key${hint ? ` (did you mean \`${hint}\`?)` : ''}; expected one of ${known.join(', ')}`,
      true,
    );
  }
}

function crossCheck(processes: readonly ProcessSpec[], problems: Problems): void {
  const names = new Set(processes.map((p) => p.name));
  for (const spec of processes) {
    for (const [i, dependency] of spec.dependsOn.entries()) {
      if (!names.has(dependency))
        problems.add(
          ['processes', spec.name, 'depends-on', i],
          `unknown process '${dependency}'; expected one of ${[...names].join(', ')}`,
        );
    }
  }
  if (problems.list.length > 0) return;
  const cycle = findCycle(processes);
  if (cycle)
    problems.add(
      ['processes', cycle[0]!, 'depends-on'],
      `expected no cycle, found ${cycle.join(' → ')}`,
    );
  for (const problem of portProblems(processes))
    problems.add(['processes', problem.process, 'port'], problem.message);
  const configServers = processes.filter(
    (p) => p.run.kind === 'server' && p.run.server === 'config-server',
  );
  if (configServers.length > 1)
    problems.add(
      ['processes', configServers[1]!.name, 'server'],
      `expected at most one config-server, also found ${configServers[0]!.name}`,
    );
}

function show(value: unknown): string {
  if (value instanceof Map) return 'a mapping';
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
