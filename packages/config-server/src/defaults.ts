/**
 * Defaults of the config server, in one place: Spring Cloud Config Server's where it has one
 * (`ConfigServerProperties`, `JGitEnvironmentProperties`), Stratus's where it has none.
 */
export const CONFIG_SERVER_DEFAULTS = Object.freeze({
  /**
   * `spring.cloud.config.server.native.search-locations`. Spring's is the Boot list
   * (`classpath:/, classpath:/config, file:./, file:./config`); Stratus serves the sample
   * `config-repo/` folder.
   */
  searchLocations: Object.freeze(['file:./config-repo']),
  /** `…native.add-label-locations`: also search `<location>/<label>/`. */
  addLabelLocations: true,
  /** `spring.cloud.config.server.git.default-label`. */
  defaultLabel: 'main',
  /** `…git.try-master-branch`: retry `master` when `main` does not exist. */
  tryMasterBranch: true,
  /** `…git.refresh-rate`, ms (Spring: 0 s, fetch on every request). */
  refreshRateMs: 0,
  /** `…git.timeout`, ms (Spring: 5 s). */
  timeoutMs: 5000,
  /** `…git.clone-on-start`. */
  cloneOnStart: false,
  /** `…git.basedir` is this folder under `stratus.data-dir` (Spring: a temporary folder). */
  clonesFolder: 'config-repo-clones',
  /** `stratus.data-dir` (a `@stratus/boot` setting the clones live under). */
  dataDir: './data',
  /** `spring.cloud.config.server.encrypt.enabled`: decrypt `{cipher}` values before serving. */
  decryptOnServer: true,
  /** `spring.cloud.config.server.prefix`: no prefix. */
  prefix: '',
  /** `stratus.config-server.security.enabled`: credentials only for `/encrypt` and `/decrypt`. */
  securityEnabled: false,
  /** Largest `/encrypt` or `/decrypt` body, bytes (64 KiB). */
  cryptoMaxBodyBytes: 64 * 1024,
  /** Largest `/monitor` body, bytes (1 MiB). */
  monitorMaxBodyBytes: 1024 * 1024,
  /** Environments the git backend keeps per (repository, commit, request). */
  environmentCacheSize: 256,
});

/** A route prefix: starts with `/`, does not end with one, URL-safe characters only. */
export const PREFIX_PATTERN = /^\/[A-Za-z0-9._~\-/]*[^/]$/;
