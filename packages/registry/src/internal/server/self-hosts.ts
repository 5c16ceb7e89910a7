import { hostname, networkInterfaces } from 'node:os';

/**
 * The names and addresses this process answers to (loopback, host name, every interface
 * address, and the advertised ones), to drop itself from `defaultZone` as Eureka does.
 */
export function selfHosts(advertised: readonly string[]): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1', hostname(), ...advertised];
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) hosts.push(entry.address);
  return hosts;
}
