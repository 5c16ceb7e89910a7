import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PropertySource } from '../environment.js';
import { parseJavaProperties, parseYamlDocuments, profilesMatch } from '../yaml-source.js';

/** One document of a local configuration file. */
export interface ConfigDocument {
  name: string;
  properties: Record<string, unknown>;
  onProfile: string | null;
}

export function toSource(doc: ConfigDocument): PropertySource {
  return { name: doc.name, properties: doc.properties };
}

/** A file's documents, highest first: matching on-profile documents (later wins), then the base. */
export function orderDocuments(
  docs: ConfigDocument[],
  activeProfiles: readonly string[],
): PropertySource[] {
  const active = docs.filter(
    (d) => d.onProfile !== null && profilesMatch(d.onProfile, activeProfiles),
  );
  const base = docs.filter((d) => d.onProfile === null);
  return [...active.reverse(), ...base.reverse()].map(toSource);
}

/**
 * The documents of `<stem>.yaml`, `<stem>.yml` and `<stem>.properties` in `dir`, lowest
 * precedence first; missing files are skipped.
 *
 * @throws StratusError `CFG_ERR_INVALID_YAML` for a file that does not parse or is not a mapping.
 */
export async function readConfigFiles(dir: string, stem: string): Promise<ConfigDocument[]> {
  const out: ConfigDocument[] = [];
  // Boot loads .properties before .yml, so the .properties file wins; we list it last (higher).
  for (const ext of ['yaml', 'yml']) {
    const path = join(dir, `${stem}.${ext}`);
    const text = await readOptional(path);
    if (text === null) continue;
    for (const doc of parseYamlDocuments(text, path, { requireMapping: true })) {
      out.push({
        name: `Config resource 'file [${path}]' (document #${doc.index})`,
        properties: doc.properties,
        onProfile: doc.onProfile,
      });
    }
  }
  const propertiesPath = join(dir, `${stem}.properties`);
  const text = await readOptional(propertiesPath);
  if (text !== null)
    out.push({
      name: `Config resource 'file [${propertiesPath}]'`,
      properties: parseJavaProperties(text),
      onProfile: null,
    });
  return out;
}

/** True when `<stem>.yaml|yml|properties` exists in `dir` (even empty). */
export async function hasConfigFile(dir: string, stem: string): Promise<boolean> {
  for (const ext of ['yaml', 'yml', 'properties'])
    if ((await readOptional(join(dir, `${stem}.${ext}`))) !== null) return true;
  return false;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}
