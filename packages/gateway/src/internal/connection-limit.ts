import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, Logger } from '@stratus/core';
import { stripMappedIpv4 } from './client-address.js';

/** Options of {@link limitConnectionsPerClient}. */
export interface ConnectionLimitOptions {
  /** Most open connections from one client address; 0 turns the limit off (read per connection). */
  readonly maxPerClient: () => number;
  /** Addresses never limited: trusted proxies multiplex many clients onto their connections. */
  readonly isExempt: (address: string) => boolean;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Least time between two warnings about refused connections, ms. */
  readonly warnIntervalMs?: number;
}

/**
 * Caps the open connections per client address on `server`: a connection over
 * the cap is destroyed as soon as it is accepted, before a byte is parsed
 * (nginx's `limit_conn` keyed by `$binary_remote_addr`). Returns a function
 * that removes the cap.
 */
export function limitConnectionsPerClient(
  server: Server,
  options: ConnectionLimitOptions,
): () => void {
  const open = new Map<string, number>();
  const warnIntervalMs = options.warnIntervalMs ?? 10_000;
  let lastWarnMs = -Infinity;
  let refusedSinceWarn = 0;

  const onConnection = (socket: Socket): void => {
    const maxPerClient = options.maxPerClient();
    if (maxPerClient <= 0 || socket.remoteAddress === undefined) return;
    const address = stripMappedIpv4(socket.remoteAddress);
    if (options.isExempt(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= maxPerClient) {
      socket.destroy();
      refusedSinceWarn++;
      const now = options.clock.now();
      if (now - lastWarnMs >= warnIntervalMs) {
        options.logger.warn(
          { client: address, maxPerClient, refused: refusedSinceWarn },
          'connections over the per-client limit refused',
        );
        lastWarnMs = now;
        refusedSinceWarn = 0;
      }
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  };

  server.on('connection', onConnection);
  return () => {
    server.off('connection', onConnection);
  };
}
