import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidManifestError } from '../errors.js';
import { MANIFEST_FILE } from '../manifest.js';
import { startStack, type Stack } from '../stack.js';

/** Options of `stratus up`, as commander parses them. */
export interface UpOptions {
  file?: string;
  only?: string;
  instances: string[];
  dataDir: string;
  registryPort?: string;
  configPort?: string;
  gatewayPort?: string;
}

/** Collects a repeatable option (`--instances a=2 --instances b=3`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `order-service=2,user-service=3` (also repeated) as a record. */
export function parseInstances(values: readonly string[]): Record<string, number> {
  const instances: Record<string, number> = {};
  const problems: string[] = [];
  for (const item of values.flatMap((v) => v.split(',')).filter(Boolean)) {
    const match = /^([^=\s]+)=(\d{1,3})$/.exec(item.trim());
    if (match) instances[match[1]!] = Number(match[2]);
    else problems.push(`--instances: expected <process>=<count>, got ${JSON.stringify(item)}`);
  }
  if (problems.length > 0) throw invalidManifestError('the command line', problems);
  return instances;
}

/**
 * `stratus up`: runs the stack of ./stratus.yml (the platform and the sample shop when
 * there is none) until Ctrl-C or SIGTERM; a second signal kills what is left.
 */
export async function up(flags: readonly string[], opts: UpOptions): Promise<void> {
  const started = Date.now();
  // A closed terminal or `| head` must not stop the launcher (main() would exit on EPIPE).
  for (const stream of [process.stdout, process.stderr]) {
    stream.removeAllListeners('error');
    stream.on('error', () => undefined);
  }
  const file = opts.file ?? (existsSync(MANIFEST_FILE) ? MANIFEST_FILE : undefined);
  process.stdout.write(
    file
      ? `stratus up: running ${file}\n`
      : `stratus up: no ${MANIFEST_FILE} here, running the platform and the sample shop (npx stratus init writes one)\n`,
  );
  let stack: Stack;
  try {
    stack = await startStack({
      manifest: file === undefined ? undefined : resolve(file),
      only: opts.only
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean),
      instances: parseInstances(opts.instances),
      dataDir: opts.dataDir,
      registryPort: portOption(opts.registryPort),
      configPort: portOption(opts.configPort),
      gatewayPort: portOption(opts.gatewayPort),
      flags: flags.filter((f) => f.startsWith('--')),
    });
  } catch (error) {
    process.stderr.write(
      `stratus up failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(summary(stack, (Date.now() - started) / 1000));
  handleShutdown(stack);
}

function portOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function summary(stack: Stack, seconds: number): string {
  const { gateway, registry, configServer } = stack.urls;
  const platform = new Set(
    stack.manifest.processes.filter((p) => p.run.kind === 'server').map((p) => p.name),
  );
  const lines = [
    '',
    `Stratus is up in ${seconds.toFixed(1)}s — all processes healthy.`,
    ...(gateway
      ? [`  gateway          ${gateway}   (try: curl ${gateway}/catalog-service/catalogs)`]
      : []),
    ...(registry
      ? [`  registry         ${registry}   (dashboard at /, Eureka API at /eureka/apps)`]
      : []),
    ...(configServer ? [`  config server    ${configServer}   (e.g. /user-service/default)`] : []),
    ...[...stack.processes.values()]
      .filter((p) => !platform.has(p.name))
      .map(
        (p) =>
          `  ${p.id.padEnd(16)} ${p.port ? `http://127.0.0.1:${p.port}` : `pid ${p.child.pid}`}`,
      ),
    'Supervised: a process that exits is restarted (npx stratus status shows restarts).',
    'Press Ctrl-C to stop.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function handleShutdown(stack: Stack): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) {
      // Second Ctrl-C: do not wait for graceful shutdowns.
      for (const p of stack.processes.values()) void p.kill();
      process.exit(130);
    }
    stopping = true;
    process.stdout.write('stopping… (Ctrl-C again to kill)\n');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  process.on('uncaughtException', (error) => {
    process.stderr.write(
      `stratus up: unexpected error, stopping: ${error.stack ?? error.message}\n`,
    );
    stopping = true;
    void stack.stop().finally(() => process.exit(1));
  });
}
