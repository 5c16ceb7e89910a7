import { applyReplicationBatch, readReplicationList } from '../replication/apply-batch.js';
import type { ApiContext } from './api-context.js';
import { badRequest } from './request-values.js';

/**
 * The endpoints peers and operators use: `POST /peerreplication/batch` (spring-wire §1.12),
 * `GET /status` and `GET /serverinfo/statusoverrides`.
 */
export function registerPeerRoutes(context: ApiContext): void {
  const { route, registry, clock, tombstones } = context;

  route(
    'POST',
    '/peerreplication/batch',
    (request, reply) => {
      const items = readReplicationList(request.body);
      if (items === null) return badRequest(reply, 'Invalid replication batch');
      const responseList = applyReplicationBatch(registry, items, { clock, tombstones });
      return reply.code(200).type('application/json').send(JSON.stringify({ responseList }));
    },
    context.maxBatchBodyBytes,
  );

  route('GET', '/status', (_request, reply) =>
    reply.code(200).type('application/json').send(registry.stats()),
  );

  route('GET', '/serverinfo/statusoverrides', (_request, reply) =>
    reply.code(200).type('application/json').send(registry.getStatusOverrides()),
  );
}
