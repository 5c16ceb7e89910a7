import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GatewayErrors } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import { removeJsonMembers } from '../internal/json-members.js';
import type { FilterFactory } from '../internal/types.js';

const gunzipAsync = promisify(gunzip);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `application/json` or any `…/…+json` media type (parameters ignored). */
function isJsonMediaType(value: string): boolean {
  const essence = (value.split(';')[0] ?? '').trim().toLowerCase();
  const slash = essence.indexOf('/');
  return (
    slash > 0 && (essence === 'application/json' || essence.slice(slash + 1).endsWith('+json'))
  );
}

/** The content codings applied, `identity` left out (RFC 9110 §8.4). */
function codingsOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return [value]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '' && v !== 'identity');
}

const refused = (message: string, cause?: unknown): Error =>
  GatewayErrors.BAD_GATEWAY({ message, ...(cause === undefined ? {} : { cause }) });

/** Drops a body that will not be sent; destroying an upstream body cancels it. */
function dropBody(exchange: GatewayExchange): void {
  const body = exchange.responseBody;
  exchange.responseBody = null;
  if (body !== null && !Buffer.isBuffer(body)) body.destroy();
}

/** The whole body, or null when it is larger than `maxBytes` (the stream is then destroyed). */
async function readBounded(body: Readable | Buffer, maxBytes: number): Promise<Buffer | null> {
  if (Buffer.isBuffer(body)) return body.length <= maxBytes ? body : null;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const data of body as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The upstream body decoded (gunzipped when `isGzip`), within `maxBytes`; throws 502 otherwise. */
async function decodedBody(
  exchange: GatewayExchange,
  isGzip: boolean,
  maxBytes: number,
): Promise<Buffer> {
  const body = exchange.responseBody;
  exchange.responseBody = null;
  if (body === null) return Buffer.alloc(0);
  let raw: Buffer | null;
  try {
    raw = await readBounded(body, maxBytes);
  } catch (error) {
    throw refused('The upstream response body could not be read', error);
  }
  if (raw === null) throw refused('The upstream JSON response is larger than the gateway buffers');
  if (!isGzip || raw.length === 0) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    throw refused('The upstream JSON response could not be decompressed within the limit', error);
  }
}

/**
 * `RemoveJsonAttributesResponseBody=id,color` (top level) or `=id,color,true` (at any depth,
 * inside arrays too) — removes those attributes from a JSON response (`application/json` or
 * `…+json`), as Spring does. It fails closed: the body is read up to `maxBufferedBodyBytes`
 * (gunzipped within the same bound when `Content-Encoding: gzip`), and a larger body, another
 * content coding or text that is not JSON gets a 502 `GW_ERR_BAD_GATEWAY` problem, never the
 * upstream's body. The result is sent uncompressed with its own `Content-Length`; what is kept
 * stays byte for byte as the upstream wrote it. Other media types stream through untouched.
 *
 * @example
 * // spring.cloud.gateway.routes[0].filters[0]: RemoveJsonAttributesResponseBody=id,color,true
 * routes().route('r', (r) => r.path('/**').filters((f) => f.removeJsonAttributesResponseBody(['id', 'color'], true)).uri(origin));
 */
export const removeJsonAttributesResponseBodyFilterFactory: FilterFactory = {
  name: 'RemoveJsonAttributesResponseBody',
  shortcutFieldOrder: ['fieldList', 'deleteRecursively'],
  shortcutType: 'GATHER_LIST_TAIL_FLAG',
  listFields: ['fieldList'],
  create(args, context) {
    const fields = args.list('fieldList').map((field) => field.trim());
    if (fields.length === 0 || fields.some((field) => field === ''))
      throw new Error("argument 'fieldList' needs at least one attribute name, none empty");
    const names: ReadonlySet<string> = new Set(fields);
    const isRecursive = args.boolean('deleteRecursively', false);
    const maxBytes = context.settings.maxBufferedBodyBytes;
    return {
      async post(exchange) {
        const headers = exchange.responseHeaders;
        const types = headers['content-type'];
        if (types === undefined || ![types].flat().some(isJsonMediaType)) return;
        const status = exchange.statusCode;
        if (exchange.method === 'HEAD' || status === 204 || status === 304) return;
        const codings = codingsOf(headers['content-encoding']);
        const isGzip = codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip');
        if (codings.length > 0 && !isGzip) {
          dropBody(exchange);
          throw refused('The upstream JSON response has a content coding the gateway cannot read');
        }
        const length = Number(headers['content-length']);
        if (Number.isFinite(length) && length > maxBytes) {
          dropBody(exchange);
          throw refused('The upstream JSON response is larger than the gateway buffers');
        }
        const body = await decodedBody(exchange, isGzip, maxBytes);
        let out = body;
        if (body.length > 0) {
          let text: string;
          try {
            text = UTF8.decode(body);
            JSON.parse(text);
          } catch (error) {
            throw refused('The upstream response is not valid JSON', error);
          }
          const kept = removeJsonMembers(text, names, isRecursive);
          if (kept !== text) out = Buffer.from(kept, 'utf8');
        }
        delete headers['content-encoding'];
        headers['content-length'] = String(out.length);
        exchange.responseBody = out;
      },
    };
  },
};
