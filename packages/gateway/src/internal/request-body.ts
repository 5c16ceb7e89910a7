import type { IncomingMessage } from 'node:http';
import { payloadTooLarge } from '../filters/request-size.js';
import { hasRequestBody } from './forwarded-body.js';

const EMPTY = Buffer.alloc(0);

/**
 * Reads the whole body of `source` into memory, refusing more than `limit` bytes with
 * `GW_ERR_PAYLOAD_TOO_LARGE` (by `Content-Length` before a byte is read, or once a chunked body
 * goes over). Unlike an async iterator it never destroys `source`, so the client's socket stays
 * usable for the 413 problem (sent with `Connection: close`).
 */
export function readWholeRequestBody(
  source: IncomingMessage,
  contentLength: number | null,
  limit: number,
): Promise<Buffer> {
  if (!hasRequestBody(source, contentLength)) return Promise.resolve(EMPTY);
  if (contentLength !== null && contentLength > limit)
    return Promise.reject(payloadTooLarge(contentLength, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        source.pause();
        reject(payloadTooLarge(null, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => onError(new Error('client went away'));
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    source.once('close', onClose);
  });
}
