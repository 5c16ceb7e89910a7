import { invalidDiscoveryOptions } from './errors.js';
import type { DiscoveryClient, ServiceInstance } from './types.js';

/** Options of {@link createKubernetesDiscovery}. */
export interface KubernetesDiscoveryOptions {
  /**
   * Namespace of the target Services; when set, hosts are `<service>.<namespace>.svc`,
   * otherwise the bare `<service>` (resolved in the caller's own namespace).
   */
  namespace?: string | undefined;
  /** Service port. Stratus: `stratus.discovery.kubernetes.port`. @default 80 */
  port?: number;
  /** Per-service port overrides (service id → port). @default {} */
  ports?: Readonly<Record<string, number>>;
  /** @default 'http' */
  scheme?: 'http' | 'https';
}

// RFC 1123 label, as Kubernetes requires of Service and namespace names.
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

const validPort = (port: number): boolean => Number.isInteger(port) && port > 0 && port <= 65_535;

/**
 * Kubernetes mode, no registry: a service id resolves to one instance, the
 * Service's DNS name (`http://user-service.shop.svc:80`), and kube-proxy
 * spreads the connections over the pods (the seed's k8s table maps Eureka to a
 * Kubernetes Service). Ids that are not DNS labels resolve to nothing.
 *
 * @throws StratusError `REG_ERR_INVALID_DISCOVERY_OPTIONS` for a bad namespace or port.
 * @example
 * const discovery = createKubernetesDiscovery({ namespace: 'shop', port: 8080 });
 * discovery.getInstances('user-service')[0]?.uri; // 'http://user-service.shop.svc:8080'
 */
export function createKubernetesDiscovery(
  options: KubernetesDiscoveryOptions = {},
): DiscoveryClient {
  const problems: string[] = [];
  const namespace = options.namespace?.trim().toLowerCase() || null;
  const port = options.port ?? 80;
  const scheme = options.scheme ?? 'http';
  if (namespace !== null && !DNS_LABEL.test(namespace))
    problems.push('namespace must be a DNS label (RFC 1123)');
  if (!validPort(port)) problems.push('port must be an integer in 1..65535');
  if (scheme !== 'http' && scheme !== 'https') problems.push("scheme must be 'http' or 'https'");
  const ports = new Map<string, number>();
  for (const [id, value] of Object.entries(options.ports ?? {})) {
    const n = Number(value);
    if (!validPort(n)) problems.push(`ports.${id} must be an integer in 1..65535`);
    else ports.set(id.toLowerCase(), n);
  }
  if (problems.length > 0) throw invalidDiscoveryOptions(problems);
  const cache = new Map<string, ServiceInstance>();
  return {
    getInstances(serviceId) {
      const name = serviceId.toLowerCase();
      if (!DNS_LABEL.test(name)) return [];
      let instance = cache.get(name);
      if (instance === undefined) {
        const host = namespace === null ? name : `${name}.${namespace}.svc`;
        const servicePort = ports.get(name) ?? port;
        instance = Object.freeze({
          instanceId: `${host}:${servicePort}`,
          serviceId: name.toUpperCase(),
          vipAddress: name,
          host,
          port: servicePort,
          secure: scheme === 'https',
          uri: `${scheme}://${host}:${servicePort}`,
          status: 'UP' as const,
          metadata: Object.freeze({}),
        });
        cache.set(name, instance);
      }
      return [instance];
    },
    close: () => Promise.resolve(),
  };
}
