import { Secret, type Logger } from '@stratus/core';
import type { PeerEndpoint } from '../../replication-types.js';
import {
  createRegistrySecurity,
  type RegistryCredential,
  type RegistrySecurity,
} from '../security.js';
import type { RegistrySettings } from './registry-settings.js';

/** The `user:pw@` of every `defaultZone` URL: what peers authenticate with. */
export function peerCredentialsOf(defaultZone: readonly string[]): RegistryCredential[] {
  const credentials: RegistryCredential[] = [];
  for (const raw of defaultZone.flatMap((zone) => zone.split(','))) {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      continue; // reported when the peers are resolved
    }
    if (url.username === '') continue;
    credentials.push({
      username: decodeURIComponent(url.username),
      password: new Secret(decodeURIComponent(url.password)),
    });
  }
  return credentials;
}

/**
 * The registry server's access rules: the administrator (`spring.security.user.*`), the
 * per-service clients, and the peers of `defaultZone` by credential or, with security off,
 * by address.
 */
export function createServerSecurity(
  settings: RegistrySettings,
  peers: readonly PeerEndpoint[],
  log: Logger,
): RegistrySecurity {
  const { enabled, admin, clients } = settings.security;
  const users = admin === null ? [] : [admin];
  const peerUsers = peerCredentialsOf(settings.peers.defaultZone);
  if (enabled && users.length === 0 && peerUsers.length === 0 && clients.length === 0)
    log.warn({}, 'registry security enabled without credentials: every request gets 401');
  return createRegistrySecurity({
    enabled,
    users,
    clients,
    peerUsers,
    peerHosts: peers.map((peer) => peer.host),
  });
}
