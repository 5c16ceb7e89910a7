import type { IncomingMessage } from 'node:http';
import type { HeaderRecord } from './headers.js';

/** spring-wire.md §5.6: append X-Forwarded-* and Forwarded for a request from `peer`. */
export function addForwardedHeaders(
  headers: HeaderRecord,
  request: IncomingMessage,
  peer: string,
  originalPath: string,
  forwardedPath: string,
): void {
  const proto = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const host = request.headers.host;
  appendHeaderCsv(headers, 'x-forwarded-for', peer);
  appendHeaderCsv(headers, 'x-forwarded-proto', proto);
  if (host !== undefined) {
    appendHeaderCsv(headers, 'x-forwarded-host', host);
    const port = /:(\d+)$/.exec(host)?.[1] ?? (proto === 'https' ? '443' : '80');
    appendHeaderCsv(headers, 'x-forwarded-port', port);
  }
  if (
    forwardedPath !== originalPath &&
    forwardedPath.length < originalPath.length &&
    originalPath.endsWith(forwardedPath)
  ) {
    const prefix = originalPath.slice(0, originalPath.length - forwardedPath.length);
    if (prefix !== '' && prefix !== '/') appendHeaderCsv(headers, 'x-forwarded-prefix', prefix);
  }
  const peerPort = request.socket.remotePort;
  const forAddress = peer.includes(':') ? `[${peer}]` : peer;
  const parts = [`proto=${proto}`];
  if (host !== undefined) parts.push(`host="${host.replace(/["\\]/g, '')}"`);
  parts.push(`for="${forAddress}${peerPort === undefined ? '' : `:${peerPort}`}"`);
  appendHeaderCsv(headers, 'forwarded', parts.join(';'));
}

function appendHeaderCsv(headers: HeaderRecord, name: string, value: string): void {
  const current = headers[name];
  headers[name] =
    current === undefined
      ? value
      : `${Array.isArray(current) ? current.join(', ') : current}, ${value}`;
}
