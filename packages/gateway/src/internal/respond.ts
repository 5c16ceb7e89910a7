import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, isStratusError, toProblem } from '@stratus/core';
import { responseOf } from '../errors.js';
import type { Exchange } from './exchange-impl.js';
import type { HeaderRecord } from './headers.js';

const ignore = (): void => undefined;

/**
 * Writes an error as `application/problem+json` with the headers attached to it; anything not
 * a StratusError becomes a 500 that says nothing about it.
 */
export function writeProblem(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  extraHeaders: OutgoingHttpHeaders | null,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const problem = toProblem(error, requestId);
  const extras = isStratusError(error) ? responseOf(error) : undefined;
  const body = Buffer.from(JSON.stringify(problem));
  const headers: OutgoingHttpHeaders = { ...extraHeaders, ...extras?.headers };
  headers['content-type'] = PROBLEM_CONTENT_TYPE;
  headers['content-length'] = body.length;
  if (extras?.closeConnection) headers['connection'] = 'close';
  res.writeHead(problem.status, headers);
  res.end(body);
}

/** Drops a body that will not be sent (HEAD, 204, 304). */
function dispose(body: Readable | Buffer | null): void {
  if (body === null || Buffer.isBuffer(body)) return;
  const dump = (body as { dump?: () => Promise<void> }).dump;
  if (typeof dump === 'function') dump.call(body).catch(ignore);
  else body.destroy();
}

/**
 * Writes the exchange's answer: status, headers, then the body — an upstream's streamed as it
 * arrives, or what a filter put there — or none for HEAD, 204 and 304.
 */
export function writeExchange(
  res: ServerResponse,
  exchange: Exchange,
  extraHeaders: OutgoingHttpHeaders | null,
): void {
  const status = exchange.statusCode === 0 ? 200 : exchange.statusCode;
  const headers: HeaderRecord | OutgoingHttpHeaders = exchange.responseHeadersIfAny ?? {};
  if (extraHeaders !== null) for (const name in extraHeaders) headers[name] = extraHeaders[name];
  const hasNoBody = exchange.method === 'HEAD' || status === 204 || status === 304;
  const upstream = exchange.takeUpstreamResponse();
  if (upstream !== null) {
    if (hasNoBody) upstream.discard();
    res.writeHead(status, headers);
    if (hasNoBody) res.end();
    else upstream.pipeTo(res);
    return;
  }
  const body = exchange.responseBody;
  if (hasNoBody) {
    dispose(body);
    res.writeHead(status, headers);
    res.end();
  } else if (body === null) {
    res.writeHead(status, headers);
    res.end();
  } else if (Buffer.isBuffer(body)) {
    headers['content-length'] = body.length;
    res.writeHead(status, headers);
    res.end(body);
  } else {
    res.writeHead(status, headers);
    pipeline(body, res, ignore);
  }
}
