import type { ConfigEnvironment } from '@stratus/config';

/** The `stratus.<group>` names some Stratus component reads (boot's and the servers'). */
const KNOWN_GROUPS: ReadonlySet<string> = new Set(
  [
    'data-dir',
    'classpath',
    'http',
    'server',
    'management',
    'security',
    'outbox',
    'inbox',
    'loadbalancer',
    'discovery',
    'messaging',
    'tracing',
    'registry',
    'gateway',
    'config-server',
  ].map(relaxed),
);

/** Sources whose keys nobody typed for this application. */
const UNCHECKED_SOURCES: ReadonlySet<string> = new Set([
  'systemEnvironment',
  'systemProperties',
  'defaults',
]);

/**
 * Keys of files, the config server and flags under a `stratus.<group>` that no Stratus
 * component reads (most likely a misspelt group, such as `stratus.mesaging`), with the source
 * that set each. Environment variables are left out: a process may carry `STRATUS_*`
 * variables meant for something else.
 */
export function strayStratusKeys(env: ConfigEnvironment): Array<{ key: string; source: string }> {
  const strays: Array<{ key: string; source: string }> = [];
  for (const source of env.sources) {
    if (UNCHECKED_SOURCES.has(source.name)) continue;
    for (const key of Object.keys(source.properties)) {
      const [root, group] = key.split('.');
      if (root?.toLowerCase() !== 'stratus' || group === undefined) continue;
      if (!KNOWN_GROUPS.has(relaxed(group.replace(/\[\d+\]$/, ''))))
        strays.push({ key, source: source.name });
    }
  }
  return strays;
}

/** Spring's relaxed form of one key segment: lower case, without `-` and `_`. */
function relaxed(segment: string): string {
  return segment.toLowerCase().replace(/[-_]/g, '');
}
