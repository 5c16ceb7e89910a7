import {
  execFileSync,
  spawn,
  spawnSync,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Compiled to packages/resilience/dist/differential/: four levels up is the repository root.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HARNESS_DIR = join(ROOT, 'test/java/resilience');
const SOURCE = join(HARNESS_DIR, 'Resilience4jHarness.java');
const LIBS = join(ROOT, '.infra/resilience-libs');
const CLASSES = join(ROOT, '.infra/resilience-harness/classes');
const R4J = '2.4.0';
export const JARS = [
  `resilience4j-core-${R4J}.jar`,
  `resilience4j-circuitbreaker-${R4J}.jar`,
  `resilience4j-retry-${R4J}.jar`,
  `resilience4j-bulkhead-${R4J}.jar`,
  `resilience4j-ratelimiter-${R4J}.jar`,
  `resilience4j-timelimiter-${R4J}.jar`,
  'slf4j-api-1.7.30.jar',
];

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** Makes the jars and the compiled harness ready; returns the classpath, or why it cannot. */
export function prepareHarness(): { classpath: string } | { reason: string } {
  if (!has('java', ['-version']) || !has('javac', ['-version']))
    return { reason: 'java/javac not found' };
  if (!JARS.every((jar) => existsSync(join(LIBS, jar)))) {
    if (!has('mvn', ['-v'])) return { reason: 'Resilience4j jars missing and mvn not found' };
    const fetched = spawnSync('sh', [join(HARNESS_DIR, 'fetch-deps.sh')], {
      stdio: 'pipe',
      timeout: 600_000,
    });
    if (fetched.status !== 0 || !JARS.every((jar) => existsSync(join(LIBS, jar))))
      return {
        reason:
          'could not download Resilience4j from Maven Central (test/java/resilience/fetch-deps.sh)',
      };
  }
  const classpath = JARS.map((jar) => join(LIBS, jar)).join(':');
  const compiled = join(CLASSES, 'Resilience4jHarness.class');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(CLASSES, { recursive: true });
    execFileSync('javac', ['-d', CLASSES, '-cp', classpath, SOURCE], { stdio: 'pipe' });
  }
  return { classpath: `${CLASSES}:${classpath}` };
}

/**
 * One JVM running the harness for a whole test file: each request is one scenario line, each
 * answer the harness's line of observations for it.
 */
export class JavaHarness {
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #pending: Array<{
    id: string;
    resolve: (line: string) => void;
    reject: (error: Error) => void;
  }> = [];
  #next = 0;
  #exited: Error | undefined;

  constructor(classpath: string) {
    this.#process = spawn(
      'java',
      ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-cp', classpath, 'Resilience4jHarness'],
      { stdio: 'pipe' },
    );
    this.#process.stderr.resume();
    createInterface({ input: this.#process.stdout }).on('line', (line) => {
      const waiting = this.#pending.shift();
      if (!waiting) return;
      const space = line.indexOf(' ');
      const id = line.slice(0, space);
      if (id !== waiting.id) waiting.reject(new Error(`harness answered ${id} to ${waiting.id}`));
      else waiting.resolve(line.slice(space + 1));
    });
    this.#process.on('exit', (code) => {
      this.#exited = new Error(`harness exited with ${String(code)}`);
      for (const waiting of this.#pending.splice(0)) waiting.reject(this.#exited);
    });
  }

  /** Sends `kind config ops…`; resolves with the observations, or `ERR …` when Java threw. */
  run(
    kind: string,
    config: Record<string, string | number | boolean>,
    ops: readonly string[],
  ): Promise<string> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = `s${this.#next++}`;
    const configText =
      Object.keys(config).length === 0
        ? '-'
        : Object.entries(config)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(';');
    return new Promise((resolve, reject) => {
      this.#pending.push({ id, resolve, reject });
      this.#process.stdin.write(`${[kind, id, configText, ...ops].join(' ')}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#process.once('exit', () => resolve()));
    this.#process.stdin.end();
    await exited;
  }
}
