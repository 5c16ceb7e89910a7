import { Agent } from 'undici';
import { GatewayErrors } from '../errors.js';
import type { GatewaySettings } from '../settings.js';
import type { CompiledRoute } from './types.js';

/**
 * undici keep-alive pools, one per distinct connect timeout / keep-alive / pool size, so a
 * route's `connect-timeout` metadata and a refreshed setting each get a pool; pools are never
 * closed while the gateway runs (requests in flight on an old one finish).
 */
export function createAgents(settings: () => GatewaySettings): {
  agentFor(route: CompiledRoute): Agent;
  close(): Promise<void>;
} {
  const agents = new Map<string, Agent>();
  let closed = false;
  return {
    agentFor(route) {
      if (closed) throw GatewayErrors.UPSTREAM_UNAVAILABLE();
      const current = settings();
      const connectTimeoutMs = route.connectTimeoutMs ?? current.connectTimeoutMs;
      const key = `${connectTimeoutMs}:${current.keepAliveTimeoutMs}:${current.maxConnectionsPerOrigin}`;
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = new Agent({
          connect: { timeout: connectTimeoutMs },
          keepAliveTimeout: current.keepAliveTimeoutMs,
          ...(current.maxConnectionsPerOrigin > 0
            ? { connections: current.maxConnectionsPerOrigin }
            : {}),
        });
        agents.set(key, agent);
      }
      return agent;
    },
    async close() {
      if (closed) return;
      closed = true;
      const pools = [...agents.values()];
      agents.clear();
      await Promise.allSettled(pools.map((agent) => agent.close()));
    },
  };
}
