import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidManifestError } from './errors.js';
import { parseManifestText } from './internal/manifest-parse.js';
import { renderManifestTemplate } from './internal/manifest-template.js';

/** The repository root (this file is packages/cli/dist/manifest.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The file `stratus up` reads from the project root. */
export const MANIFEST_FILE = 'stratus.yml';

/** What the launcher does when a process exits on its own (Docker's `--restart`). */
export type RestartPolicy = 'always' | 'on-failure' | 'no';

/** The servers the `stratus` command itself runs (`stratus registry`, …). */
export type BuiltInServer = 'registry' | 'config-server' | 'gateway';

/** How a process is run. */
export type ProcessRun =
  /** A built-in server, run as `stratus <server>` with Spring flags. */
  | { readonly kind: 'server'; readonly server: BuiltInServer }
  /** A JavaScript file (a compiled Stratus or Node service) run with this Node. */
  | { readonly kind: 'entry'; readonly entry: string }
  /** Any executable with its arguments, run without a shell (`java -jar app.jar`). */
  | { readonly kind: 'command'; readonly command: readonly string[] };

/** One process of the stack, validated and with every default applied. */
export interface ProcessSpec {
  /** The key in `processes:`; for Stratus processes, their `spring.application.name`. */
  readonly name: string;
  readonly run: ProcessRun;
  /** Extra arguments (Spring flags for Stratus processes). @default [] */
  readonly args: readonly string[];
  /**
   * A fixed port, 0 for a free one (Stratus processes register the port they got), or null
   * when unknown (a command without `port`).
   * @default 8761 registry, 8888 config-server, 8000 gateway, 0 entry, null command
   */
  readonly port: number | null;
  /** Processes that must be healthy before this one starts. @default [] */
  readonly dependsOn: readonly string[];
  /** Environment variables added to the launcher's. @default {} */
  readonly environment: Readonly<Record<string, string>>;
  /** How many copies run (each on its own free port). @default 1 */
  readonly instances: number;
  /**
   * Waited for with GET until 200: a path on the process's port, or a URL; null waits for nothing.
   * @default '/actuator/health' when the port is known
   */
  readonly health: string | null;
  /** A path answered 200 through the gateway once this process is routed, waited for at start. @default null */
  readonly gatewayCheck: string | null;
  /** @default 'on-failure' */
  readonly restart: RestartPolicy;
  /** Restarts allowed within `restartWindowMs` before the process is reported failed. @default 5 */
  readonly maxRestarts: number;
  /** @default 60000 ms (`restart-window-seconds: 60`) */
  readonly restartWindowMs: number;
  /** Working directory (absolute). @default the manifest's folder */
  readonly workingDir: string;
}

/** The processes `stratus up` runs: a parsed `stratus.yml`, frozen. */
export interface StackManifest {
  /** Where it was read from; `(built-in)` for the default stack. */
  readonly file: string;
  /** Folder relative paths are resolved against. */
  readonly baseDir: string;
  /** In file order. */
  readonly processes: readonly ProcessSpec[];
}

/** Largest manifest read, against a mistaken path to a huge file. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Parses and validates a stack manifest. Every problem (unknown key, missing
 * `entry`/`command`/`server`, duplicate port, a cycle in `depends-on`, …) is reported
 * at once, each naming the file, the key and what was expected.
 *
 * @throws StratusError `CLI_ERR_INVALID_MANIFEST`
 * @example
 * const manifest = parseManifest(readFileSync('stratus.yml', 'utf8'), { file: 'stratus.yml', baseDir: process.cwd() });
 */
export function parseManifest(
  text: string,
  source: { file: string; baseDir: string },
): StackManifest {
  return parseManifestText(text, source);
}

/**
 * Reads `path` (a `stratus.yml`); relative paths inside it are resolved against its folder.
 *
 * @throws StratusError `CLI_ERR_INVALID_MANIFEST` when it cannot be read or is invalid.
 */
export function loadManifest(path: string): StackManifest {
  const file = resolve(path);
  let text: string;
  try {
    if (statSync(file).size > MAX_MANIFEST_BYTES)
      throw new Error(`larger than ${MAX_MANIFEST_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidManifestError(path, [
      `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  return parseManifestText(text, { file: path, baseDir: dirname(file) });
}

/** The default stack: registry, config server, gateway and the sample shop. */
export function defaultManifest(): StackManifest {
  return parseManifestText(renderManifestTemplate(REPO_ROOT, REPO_ROOT), {
    file: '(built-in)',
    baseDir: REPO_ROOT,
  });
}

/**
 * The text `stratus init` writes: the default stack with paths relative to `targetDir`,
 * and commented examples of a user's own TypeScript and Java services.
 */
export function manifestTemplate(targetDir: string): string {
  return renderManifestTemplate(REPO_ROOT, resolve(targetDir));
}
