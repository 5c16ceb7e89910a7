import { homedir, tmpdir, userInfo, EOL } from 'node:os';
import { delimiter, sep } from 'node:path';
import type { PropertySource } from './environment.js';
import { environmentVariableToKey } from './relaxed.js';

/**
 * Spring-style command-line flags: `--server.port=8890` sets a property,
 * a bare `--debug` sets it to the empty string. Anything else is returned in `rest`.
 */
export function parseCommandLineArgs(argv: readonly string[]): {
  source: PropertySource;
  rest: string[];
} {
  const properties: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const arg of argv) {
    const match = /^--([^=\s]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!match) {
      rest.push(arg);
      continue;
    }
    properties[match[1]!] = match[2] ?? '';
  }
  return { source: { name: 'commandLineArgs', properties }, rest };
}

/** `SERVER_PORT`, `my_list_0`: letters, digits and `_` only, mapped to `server.port`. */
const CLASSIC_NAME = /^[A-Za-z0-9_]+$/;
/** `spring.cloud.config.uri`, `ORDER-SERVICE-URL`, `my.list[0]`: used as the key as it is. */
const PROPERTY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-[\]]*$/;

/**
 * Environment variables as a property source, named `systemEnvironment` as in Spring:
 * - `SERVER_PORT`-style names are mapped (`server.port`, `MY_LIST_0` → `my.list[0]`) and keep
 *   their own name as an alias, so `${order-service-url}` finds `ORDER_SERVICE_URL` as Spring's
 *   `SystemEnvironmentPropertySource` does (see `environmentVariableCandidates`);
 * - names with dots, dashes or brackets (`docker run -e spring.cloud.config.uri=…`,
 *   `eureka.client.serviceUrl.defaultZone`, a Kubernetes `ORDER-SERVICE-URL`) are keys as they
 *   are, found by relaxed matching; a name is always found as it is first (`a.key` and `a_key`
 *   set together are two values, as in Spring);
 * - other names (`BASH_FUNC_x%%`, empty) are left out.
 * Only the boot layer calls this; libraries never read `process.env`.
 *
 * @example
 * environmentVariablesSource({ 'spring.cloud.config.uri': 'http://config:8888', SERVER_PORT: '0' });
 */
export function environmentVariablesSource(
  env: Record<string, string | undefined>,
): PropertySource {
  const properties: Record<string, unknown> = {};
  const aliases: Record<string, string> = {};
  const classic: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (CLASSIC_NAME.test(name)) classic.push([name, value]);
    else if (PROPERTY_NAME.test(name)) {
      properties[name] = value;
      aliases[name] = name;
    }
  }
  for (const [name, value] of classic) {
    const mapped = environmentVariableToKey(name);
    if (mapped === '') continue;
    // `a_key` next to `a.key`: the dotted one owns `a.key`, `a_key` keeps its own name.
    const key = Object.hasOwn(properties, mapped) ? name : mapped;
    properties[key] = value;
    aliases[name] = key;
  }
  return { name: 'systemEnvironment', properties, aliases };
}

/**
 * The Java system properties Spring configurations refer to, with their Node equivalents:
 * `user.home` (`os.homedir()`), `user.dir` (working directory), `user.name`, `java.io.tmpdir`,
 * `file.separator`, `path.separator`, `line.separator`. `${user.home}` in
 * `search-locations: file://${user.home}/native-file-repo` resolves against these.
 *
 * @example
 * javaSystemProperties()['user.home']; // '/home/app'
 */
export function javaSystemProperties(): Record<string, string> {
  let userName = '';
  try {
    userName = userInfo().username;
  } catch {
    // No passwd entry (some containers run with an arbitrary uid): Java leaves it '?'.
    userName = '?';
  }
  return {
    'user.home': homedir(),
    'user.dir': process.cwd(),
    'user.name': userName,
    'java.io.tmpdir': tmpdir(),
    'file.separator': sep,
    'path.separator': delimiter,
    'line.separator': EOL,
  };
}
