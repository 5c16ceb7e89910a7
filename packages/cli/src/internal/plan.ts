import { accessSync, constants, statSync } from 'node:fs';
import { GATEWAY_NODE_OPTIONS } from '@stratus/gateway';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { invalidManifestError } from '../errors.js';
import type { ProcessSpec, StackManifest, BuiltInServer } from '../manifest.js';
import { MAX_INSTANCES } from './manifest-parse.js';
import { portProblems, withDependencies } from './manifest-rules.js';

/** Command-line changes to a manifest (`--only`, `--instances`, `--registry-port`, …). */
export interface ManifestOverrides {
  readonly only?: readonly string[];
  readonly instances?: Readonly<Record<string, number>>;
  readonly registryPort?: number;
  readonly configPort?: number;
  readonly gatewayPort?: number;
  /** Native config repository given to the config server. */
  readonly configRepo?: string;
}

/** One process instance, ready to spawn. */
export interface LaunchSpec {
  /** `order-service`, or `order-service#2` for the second instance. */
  readonly id: string;
  readonly spec: ProcessSpec;
  readonly instance: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** A Stratus process: it gets an IPC channel and logs `application started` with its port. */
  readonly isStratus: boolean;
  /**
   * The argument list of the first start in the stack's life when it differs from `args` (empty
   * otherwise); the extra flag sits before the manifest's own args so a user's setting still wins. A registry started with the stack opens for fetches at
   * once (nothing registered yet, nothing to protect); restarted by supervision, it keeps
   * Eureka's empty-start wait so clients re-register before anyone reads an empty registry.
   */
  readonly firstStartArgs: readonly string[];
}

const PORT_OPTIONS: ReadonlyArray<[keyof ManifestOverrides, BuiltInServer, string]> = [
  ['registryPort', 'registry', '--registry-port'],
  ['configPort', 'config-server', '--config-port'],
  ['gatewayPort', 'gateway', '--gateway-port'],
];

/**
 * The manifest with the command line's changes applied and checked again (a port option
 * can collide with another process's port).
 *
 * @throws StratusError `CLI_ERR_INVALID_MANIFEST`
 */
export function applyOverrides(
  manifest: StackManifest,
  overrides: ManifestOverrides,
): StackManifest {
  const problems: string[] = [];
  const names = manifest.processes.map((p) => p.name);
  const unknown = (option: string, name: string) =>
    problems.push(`${option}: unknown process '${name}'; expected one of ${names.join(', ')}`);
  let processes = manifest.processes.map((p) => ({ ...p }));
  for (const [option, server, flag] of PORT_OPTIONS) {
    const port = overrides[option] as number | undefined;
    if (port === undefined) continue;
    const target = processes.find((p) => p.run.kind === 'server' && p.run.server === server);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      problems.push(`${flag}: expected an integer from 0 to 65535, got ${String(port)}`);
    else if (!target) problems.push(`${flag}: no process with \`server: ${server}\` in the stack`);
    else target.port = port;
  }
  for (const [name, count] of Object.entries(overrides.instances ?? {})) {
    const target = processes.find((p) => p.name === name);
    if (!target) unknown('--instances', name);
    else if (!Number.isInteger(count) || count < 1 || count > MAX_INSTANCES)
      problems.push(`--instances: expected ${name}=<1..${MAX_INSTANCES}>, got ${String(count)}`);
    else target.instances = count;
  }
  if (overrides.configRepo !== undefined) {
    const target = processes.find(
      (p) => p.run.kind === 'server' && p.run.server === 'config-server',
    );
    if (target)
      target.args = [
        ...target.args,
        `--spring.cloud.config.server.native.search-locations=file:${resolve(overrides.configRepo)}`,
      ];
  }
  if (overrides.only !== undefined) {
    for (const name of overrides.only) if (!names.includes(name)) unknown('--only', name);
    processes = withDependencies(processes, overrides.only);
  }
  for (const problem of portProblems(processes))
    problems.push(`processes.${problem.process}.port: ${problem.message}`);
  if (problems.length > 0) throw invalidManifestError(manifest.file, problems);
  return Object.freeze({
    ...manifest,
    processes: Object.freeze(processes.map((p) => Object.freeze(p))),
  });
}

/** What every process needs to know about the platform and the launcher. */
export interface PlanContext {
  readonly dataDir: string;
  /** Spring flags from the command line, given to every Stratus process. */
  readonly flags: readonly string[];
  /** `packages/cli/bin/stratus.js`, which runs the built-in servers. */
  readonly cliPath: string;
  readonly launcherPid: number;
  /** The launcher's environment, inherited by every process. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Every instance of every process of `manifest`, with its command line and environment. */
export function planLaunch(manifest: StackManifest, context: PlanContext): LaunchSpec[] {
  const registries = manifest.processes.filter(
    (p) => p.run.kind === 'server' && p.run.server === 'registry',
  );
  const configServer = manifest.processes.find(
    (p) => p.run.kind === 'server' && p.run.server === 'config-server',
  );
  const defaultZone = registries.map((p) => `http://127.0.0.1:${p.port}/eureka/`).join(',');
  const configImport = configServer
    ? `optional:configserver:http://127.0.0.1:${configServer.port}`
    : null;
  const common = [
    `--stratus.data-dir=${context.dataDir}`,
    '--server.address=127.0.0.1',
    '--eureka.instance.prefer-ip-address=true',
    '--eureka.instance.ip-address=127.0.0.1',
    ...(defaultZone ? [`--eureka.client.service-url.defaultZone=${defaultZone}`] : []),
    ...(configImport ? [`--spring.config.import=${configImport}`] : []),
  ];
  // Spring Boot's relaxed binding reads these, so a jar joins the platform as it does in Docker.
  const platformEnv: Record<string, string> = {
    STRATUS_DATA_DIR: context.dataDir,
    EUREKA_INSTANCE_PREFERIPADDRESS: 'true',
    EUREKA_INSTANCE_IPADDRESS: '127.0.0.1',
    // The upper-case form binds the map key as `defaultzone`, which Spring Cloud Netflix never
    // looks up; the dotted name (as the course's `docker run -e`) keeps `defaultZone`.
    ...(defaultZone
      ? {
          EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: defaultZone,
          'eureka.client.serviceUrl.defaultZone': defaultZone,
        }
      : {}),
    ...(configImport ? { SPRING_CONFIG_IMPORT: configImport } : {}),
  };
  const launches: LaunchSpec[] = [];
  for (const spec of manifest.processes) {
    for (let instance = 1; instance <= spec.instances; instance++) {
      const id = instance === 1 ? spec.name : `${spec.name}#${instance}`;
      const env = {
        ...definedOnly(context.env),
        STRATUS_LOG_FORMAT: 'json',
        STRATUS_LAUNCHER_PID: String(context.launcherPid),
        ...(spec.run.kind === 'command' ? platformEnv : {}),
        ...(spec.run.kind === 'command' && spec.port !== null
          ? { SERVER_PORT: String(spec.port) }
          : {}),
        ...spec.environment,
      };
      launches.push({ id, spec, instance, env, ...commandLine(spec, common, context) });
    }
  }
  return launches;
}

function commandLine(
  spec: ProcessSpec,
  common: readonly string[],
  context: PlanContext,
): { file: string; args: string[]; isStratus: boolean; firstStartArgs: string[] } {
  const port = `--server.port=${spec.port ?? 0}`;
  const run = spec.run;
  if (run.kind === 'command')
    return {
      file: run.command[0]!,
      args: [...run.command.slice(1), ...spec.args],
      isStratus: false,
      firstStartArgs: [],
    };
  const own = run.kind === 'server' && run.server !== 'gateway' ? ['--spring.config.import='] : [];
  const script = run.kind === 'server' ? [context.cliPath, run.server] : [run.entry];
  const head = [...script, port, ...common, ...own];
  const tail = [...spec.args, ...context.flags];
  // Node's own options go before the script; V8 reads them only at start.
  const nodeOptions = run.kind === 'server' && run.server === 'gateway' ? GATEWAY_NODE_OPTIONS : [];
  return {
    file: process.execPath,
    args: [...nodeOptions, ...head, ...tail],
    isStratus: true,
    firstStartArgs:
      run.kind === 'server' && run.server === 'registry'
        ? [...head, '--eureka.server.wait-time-in-ms-when-sync-empty=0', ...tail]
        : [],
  };
}

/**
 * What would make a process fail before it could run: a missing entry file or working
 * folder, an executable not on PATH. Checked before anything starts.
 */
export function preflightProblems(launches: readonly LaunchSpec[], file: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const launch of launches) {
    const { spec } = launch;
    if (seen.has(spec.name)) continue;
    seen.add(spec.name);
    const at = `${file} processes.${spec.name}`;
    if (!isDirectory(spec.workingDir))
      problems.push(`${at}.working-dir: expected an existing folder, got ${spec.workingDir}`);
    if (spec.run.kind === 'entry' && !isFile(spec.run.entry))
      problems.push(
        `${at}.entry: expected an existing file, got ${spec.run.entry} (not built yet? run npm run build)`,
      );
    const cli = launch.args.find((arg) => !arg.startsWith('--'));
    if (spec.run.kind === 'server' && (cli === undefined || !isFile(cli)))
      problems.push(`${at}.server: the stratus command is missing at ${cli}`);
    if (
      spec.run.kind === 'command' &&
      findExecutable(launch.file, spec.workingDir, launch.env) === null
    )
      problems.push(
        `${at}.command: expected an executable, '${launch.file}' was not found${launch.file.includes('/') ? '' : ' on PATH'}`,
      );
  }
  return problems;
}

/** The executable a command would run, or null. */
export function findExecutable(
  name: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : resolve(cwd, name)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => resolve(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (isFile(candidate)) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
