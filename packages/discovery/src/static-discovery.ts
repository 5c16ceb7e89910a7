import { invalidDiscoveryOptions } from './errors.js';
import type { DiscoveryClient, ServiceInstance } from './types.js';

/** One configured instance (Spring's `DefaultServiceInstance` as bound from properties). */
export interface StaticInstanceOptions {
  /** `http://host:port` or `https://host[:port]`; the port defaults from the scheme. */
  uri: string;
  /** @default `${serviceId}-${index}` */
  instanceId?: string | undefined;
  /** @default {} */
  metadata?: Record<string, string> | undefined;
}

/** Options of {@link createStaticDiscovery}. */
export interface StaticDiscoveryOptions {
  /**
   * Service id → its instances; Spring's
   * `spring.cloud.discovery.client.simple.instances.<service-id>[n].uri`.
   */
  instances: Readonly<Record<string, readonly StaticInstanceOptions[]>>;
}

/** A fixed list of instances, no registry (Spring's `SimpleDiscoveryClient`). */
export interface StaticDiscovery extends DiscoveryClient {
  /** Every configured instance. */
  getAllInstances(): ServiceInstance[];
}

/**
 * Discovery from configuration only: every configured instance is UP.
 *
 * @throws StratusError `REG_ERR_INVALID_DISCOVERY_OPTIONS` listing every bad URI.
 * @example
 * const discovery = createStaticDiscovery({
 *   instances: { 'user-service': [{ uri: 'http://10.0.0.5:8081' }] },
 * });
 * discovery.getInstances('USER-SERVICE')[0]?.uri; // 'http://10.0.0.5:8081'
 */
export function createStaticDiscovery(options: StaticDiscoveryOptions): StaticDiscovery {
  const problems: string[] = [];
  const byService = new Map<string, ServiceInstance[]>();
  for (const [serviceId, list] of Object.entries(options.instances ?? {})) {
    const instances: ServiceInstance[] = [];
    (Array.isArray(list) ? list : []).forEach((entry, index) => {
      const where = `${serviceId}[${index}].uri`;
      let url: URL;
      try {
        url = new URL(String(entry?.uri));
      } catch {
        problems.push(`${where} is not a URL`);
        return;
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        problems.push(`${where} must be an http(s) URL with a host`);
        return;
      }
      const secure = url.protocol === 'https:';
      const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
      instances.push(
        Object.freeze({
          instanceId: entry.instanceId ?? `${serviceId}-${index}`,
          serviceId: serviceId.toUpperCase(),
          vipAddress: serviceId,
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port,
          secure,
          uri: `${url.protocol}//${url.host.includes(':') ? url.host : `${url.host}:${port}`}`,
          status: 'UP' as const,
          metadata: Object.freeze({ ...(entry.metadata ?? {}) }),
        }),
      );
    });
    byService.set(serviceId.toLowerCase(), [
      ...(byService.get(serviceId.toLowerCase()) ?? []),
      ...instances,
    ]);
  }
  if (problems.length > 0) throw invalidDiscoveryOptions(problems);
  return {
    getInstances: (serviceId) => [...(byService.get(serviceId.toLowerCase()) ?? [])],
    getAllInstances: () => [...byService.values()].flat(),
    close: () => Promise.resolve(),
  };
}
