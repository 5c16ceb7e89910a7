import type { ConfigEnvironment } from '../environment.js';
import { invalidSettingError } from '../errors.js';
import { hasConfigFile, readConfigFiles, type ConfigDocument } from './config-files.js';

/** What Spring Cloud's legacy bootstrap (`spring-cloud-starter-bootstrap`) would read. */
export interface BootstrapFiles {
  /** True when the bootstrap phase is on: a bootstrap file exists, or it was switched on. */
  active: boolean;
  /** `spring.cloud.bootstrap.name`. @default 'bootstrap' */
  name: string;
  /** The documents of `<name>.yml|yaml|properties`, lowest first. */
  documents: ConfigDocument[];
}

const FILE_STEM = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * Reads `bootstrap.yml`/`.yaml`/`.properties` from `baseDir`, as Spring Cloud's
 * `BootstrapApplicationListener` does. `spring.cloud.bootstrap.enabled` and
 * `spring.cloud.bootstrap.name` come from `early` (flags, environment, defaults), because the
 * bootstrap phase runs before any file is read. Stratus turns the phase on when a bootstrap file
 * exists (standing in for the starter on the classpath) or `spring.cloud.bootstrap.enabled=true`;
 * `spring.cloud.bootstrap.enabled=false` ignores the files.
 *
 * @throws StratusError `CFG_ERR_INVALID_SETTING` for an enabled flag other than true/false or a
 *   name that is not a file name; `CFG_ERR_INVALID_YAML` for a malformed file.
 */
export async function readBootstrapFiles(
  early: ConfigEnvironment,
  baseDir: string,
): Promise<BootstrapFiles> {
  const origin = (key: string) => ({ key, source: early.lookupRaw(key)?.source ?? 'default' });
  early.assertResolvable('spring.cloud.bootstrap.enabled');
  early.assertResolvable('spring.cloud.bootstrap.name');
  const enabled = early.getString('spring.cloud.bootstrap.enabled')?.trim().toLowerCase();
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false')
    throw invalidSettingError(origin('spring.cloud.bootstrap.enabled'), 'must be true or false');
  const name = early.getString('spring.cloud.bootstrap.name')?.trim() || 'bootstrap';
  if (!FILE_STEM.test(name))
    throw invalidSettingError(
      origin('spring.cloud.bootstrap.name'),
      'must be a file name without extension or folder, like bootstrap',
    );
  if (enabled === 'false') return { active: false, name, documents: [] };
  const exists = await hasConfigFile(baseDir, name);
  const documents = exists ? await readConfigFiles(baseDir, name) : [];
  return { active: enabled === 'true' || exists, name, documents };
}
