import type { Logger } from '@stratus/core';
import type { ConfigEnvironment, PropertySource } from '../environment.js';
import { getList } from '../binding.js';
import { fetchConfigServerSources } from '../config-client.js';
import type { ConfigClientState, LoadedConfiguration } from '../loader.js';
import { clientSettings, numberSetting, type ConfigServerTarget } from './config-server-target.js';

/** Inputs of {@link loadServerSources}. */
export interface ServerLoad {
  env: ConfigEnvironment;
  target: ConfigServerTarget;
  activeProfiles: readonly string[];
  state: ConfigClientState;
  previous: LoadedConfiguration | undefined;
  sleep: ((ms: number) => Promise<void>) | undefined;
  logger: Logger;
}

/**
 * Asks the config server for this application's sources. On a reload an unreachable server
 * keeps its last sources (with a warning); on the first load a required or fail-fast server
 * is retried and then fails, an optional one leaves the local configuration.
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` as described.
 */
export async function loadServerSources(
  load: ServerLoad,
): Promise<{ sources: PropertySource[]; configServer: LoadedConfiguration['configServer'] }> {
  const { env, target, state, previous, logger } = load;
  const failFast = String(env.get('spring.cloud.config.fail-fast', 'false')) === 'true';
  const fallback = previous
    ? previous.environment.sources.filter(isServerSource)
    : state.lastSources;
  const isReload = fallback !== null;
  const lastState = previous
    ? (previous.environment.getString('config.client.state') ?? null)
    : state.lastState;
  const retry =
    !isReload &&
    (failFast || !target.optional) &&
    String(env.get('spring.cloud.config.retry.enabled', 'true')) !== 'false';
  const profileOverride = getList(env, 'spring.cloud.config.profile');
  try {
    const result = await fetchConfigServerSources({
      ...clientSettings(env, target.uris),
      profiles: profileOverride.length > 0 ? profileOverride : load.activeProfiles,
      state: lastState,
      maxAttempts: retry ? numberSetting(env, 'spring.cloud.config.retry.max-attempts', 6) : 1,
      sleep: load.sleep,
      logger,
    });
    state.lastSources = result.sources;
    state.lastState = result.response.state || null;
    return {
      sources: result.sources,
      configServer: {
        uri: result.uri,
        ok: true,
        version: result.response.version,
        optional: target.optional,
        label: result.label,
        stale: false,
      },
    };
  } catch (error) {
    const down = { uri: target.uris[0] ?? '', ok: false, optional: target.optional, label: null };
    if (fallback !== null) {
      // Refresh with the server down: keep what it served last (Spring keeps running on it).
      logger.warn(
        { uris: target.uris.length, err: describeError(error) },
        'config server unreachable during refresh; keeping its last configuration',
      );
      return {
        sources: fallback,
        configServer: { ...down, version: versionOf(fallback), stale: true },
      };
    }
    if (!target.optional || failFast) throw error;
    logger.warn(
      { uris: target.uris.length },
      'config server unreachable; continuing with local configuration',
    );
    return { sources: [], configServer: { ...down, version: null, stale: false } };
  }
}

function isServerSource(source: PropertySource): boolean {
  return source.name === 'configClient' || source.name.startsWith('configserver:');
}

function versionOf(sources: PropertySource[]): string | null {
  const version = sources.find((s) => s.name === 'configClient')?.properties[
    'config.client.version'
  ];
  return typeof version === 'string' ? version : null;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
