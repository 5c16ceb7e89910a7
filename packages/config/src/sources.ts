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

/**
 * Environment variables as a property source (`SERVER_PORT` → `server.port`).
 * Only the boot layer calls this; libraries never read `process.env`.
 */
export function environmentVariablesSource(
  env: Record<string, string | undefined>,
): PropertySource {
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) continue;
    properties[environmentVariableToKey(name)] = value;
  }
  return { name: 'systemEnvironment', properties };
}
