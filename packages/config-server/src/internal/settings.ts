import {
  bindProperties,
  bindingProblems,
  type BindOptions,
  type BoundProperties,
  type ConfigEnvironment,
} from '@stratus/config';
import { CONFIG_SERVER_DEFAULTS as DEFAULTS, PREFIX_PATTERN } from '../defaults.js';

const GIT = 'spring.cloud.config.server.git';

/** The keys of one git repository, relative to `…git` or `…git.repos.<name>`. */
const GIT_REPO = {
  uri: { key: 'uri', type: 'string' },
  username: { key: 'username', type: 'string' },
  password: { key: 'password', type: 'secret' },
  searchPaths: { key: 'search-paths', type: 'list', default: [] },
  defaultLabel: { key: 'default-label', type: 'string' },
  tryMasterBranch: { key: 'try-master-branch', type: 'boolean' },
} as const;

/**
 * Every setting the config server reads, by Spring's names (spring-wire.md §2.4). Keys under
 * `stratus.config-server` are Stratus's own: an unknown one there is an error. Spring's own
 * prefixes are not checked, as Spring ignores keys it does not know.
 */
const SPECS = {
  prefix: {
    key: 'spring.cloud.config.server.prefix',
    type: 'string',
    default: DEFAULTS.prefix,
    pattern: PREFIX_PATTERN,
  },
  decryptOnServer: {
    key: 'spring.cloud.config.server.encrypt.enabled',
    type: 'boolean',
    default: DEFAULTS.decryptOnServer,
  },
  searchLocations: {
    key: 'spring.cloud.config.server.native.search-locations',
    type: 'list',
    default: DEFAULTS.searchLocations,
  },
  git: {
    key: GIT,
    type: 'object',
    properties: {
      ...GIT_REPO,
      basedir: { key: 'basedir', type: 'string' },
      refreshRateMs: {
        key: 'refresh-rate',
        type: 'duration',
        unit: 's',
        min: 0,
        default: DEFAULTS.refreshRateMs,
      },
      timeoutMs: {
        key: 'timeout',
        type: 'duration',
        unit: 's',
        min: 1,
        default: DEFAULTS.timeoutMs,
      },
      cloneOnStart: { key: 'clone-on-start', type: 'boolean', default: DEFAULTS.cloneOnStart },
      repos: {
        key: 'repos',
        type: 'map',
        default: {},
        entries: { ...GIT_REPO, pattern: { key: 'pattern', type: 'list', default: [] } },
      },
    },
  },
  securityEnabled: {
    key: 'stratus.config-server.security.enabled',
    type: 'boolean',
    default: DEFAULTS.securityEnabled,
  },
  classpath: { key: 'stratus.classpath', type: 'string' },
  dataDir: { key: 'stratus.data-dir', type: 'string', default: DEFAULTS.dataDir },
} as const;

const OPTIONS: BindOptions = { ownedPrefixes: ['stratus.config-server'] };

/** The config server's settings: typed, defaulted and frozen. */
export type ConfigServerSettings = BoundProperties<typeof SPECS>;

/**
 * Binds the config server's settings once (again on every refresh).
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` listing every bad value and every unknown
 *   `stratus.config-server.*` key with the file it is in.
 */
export function bindConfigServerSettings(env: ConfigEnvironment): ConfigServerSettings {
  return bindProperties(env, SPECS, OPTIONS);
}

/** What {@link bindConfigServerSettings} would refuse in a refreshed environment, or `[]`. */
export function configServerSettingsProblems(env: ConfigEnvironment): string[] {
  return bindingProblems(env, SPECS, OPTIONS);
}
