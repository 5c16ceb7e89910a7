import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, isStratusError, toProblem } from '@stratus/core';
import { responseOf } from '../errors.js';
import type { HeaderRecord } from './headers.js';
import { isHeaderName, isHeaderValue } from './headers.js';

/** Serialises a status line and headers (invalid fields dropped: nothing can split the response). */
export function responseHead(status: number, headers: HeaderRecord): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) continue;
    for (const item of [value].flat()) if (isHeaderValue(item)) head += `${name}: ${item}\r\n`;
  }
  return `${head}\r\n`;
}

/** Writes an error as a problem+json response on a raw socket (upgrade requests) and closes it. */
export function writeRawProblem(socket: Duplex, error: unknown, requestId?: string): void {
  if (socket.destroyed) return;
  const problem = toProblem(error, requestId);
  const body = Buffer.from(JSON.stringify(problem));
  const extras = isStratusError(error) ? responseOf(error)?.headers : undefined;
  const headers: HeaderRecord = {
    ...Object.fromEntries(Object.entries(extras ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(body.length),
    connection: 'close',
  };
  socket.end(Buffer.concat([Buffer.from(responseHead(problem.status, headers)), body]));
}
