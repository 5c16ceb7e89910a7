import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** What the plugin drives: the application behind it. */
export interface MountTarget {
  /** The application's own fastify instance: its routes, actuator, hooks and error handling. */
  readonly server: FastifyInstance;
  /** Claims the application for a host; throws when it already runs on its own. */
  claimForHost(): void;
  /** Migrates, starts relays and consumers (the host's `onReady`). */
  startMounted(): Promise<void>;
  /** Registers with discovery at the host's address and reports ready (the host's `onListen`). */
  announceMounted(address: AddressInfo): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fastify plugin that serves `target` inside another fastify server, the way a Spring Boot
 * application deployed into an existing servlet container keeps its own dispatcher: requests
 * under the plugin's prefix go, untouched (body unread), to the application's own instance, so
 * its hooks, body limit, problem+json errors, metrics and actuator all apply as when it runs
 * alone. The host's lifecycle drives the application: `onReady` starts it, `onListen`
 * registers it with discovery at the host's port, `onClose` closes it.
 */
export function createMountPlugin(target: MountTarget): FastifyPluginAsync {
  return async function stratusApplication(host) {
    target.claimForHost();
    await target.server.ready();
    const prefix = host.prefix;
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      request.raw.url = withoutPrefix(request.raw.url ?? '/', prefix);
      target.server.routing(request.raw, reply.raw);
    };
    const unreachable = async () => undefined;
    if (prefix !== '') host.all('/', { onRequest: forward }, unreachable);
    host.all('/*', { onRequest: forward }, unreachable);
    host.addHook('onReady', async () => {
      await target.startMounted();
    });
    host.addHook('onListen', async () => {
      const address = host.server.address();
      if (address !== null && typeof address === 'object') await target.announceMounted(address);
    });
    host.addHook('onClose', async () => {
      await target.close();
    });
  };
}

function withoutPrefix(url: string, prefix: string): string {
  if (prefix === '' || !url.startsWith(prefix)) return url;
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
