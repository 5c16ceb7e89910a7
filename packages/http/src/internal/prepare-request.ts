import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { EndpointCallOptions, ParamValue } from '../definition.js';
import { invalidRequestError } from '../errors.js';
import type { OutgoingRequest } from '../interceptors.js';
import type { ClientRuntime, CompiledEndpoint } from './client-runtime.js';
import type { OutgoingExchange } from './exchange.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_METHODS } from '@stratus/discovery';

const gzipAsync = promisify(gzip);

const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/;
// RFC 9110 §5.5: a field value never holds CR, LF or NUL; undici would refuse it less clearly.
const BAD_HEADER_VALUE = /[\r\n\0]/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A prepared call: what is sent, and what interceptors and logs saw. */
export interface PreparedCall {
  readonly out: OutgoingExchange;
  readonly uriTemplate: string;
}

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
      ? String(value)
      : undefined;

/** The query parameters; null when there are none and nothing may add any. */
function queryOf(
  runtime: ClientRuntime,
  endpoint: CompiledEndpoint,
  args: Readonly<Record<string, unknown>>,
): URLSearchParams | null {
  const names = endpoint.spec.query;
  const defaults = runtime.settings.defaultQueryParameters;
  if (
    runtime.interceptors.length === 0 &&
    runtime.baseQuery === '' &&
    defaults.length === 0 &&
    (names === undefined || names.length === 0)
  )
    return null;
  const query = new URLSearchParams(runtime.baseQuery);
  for (const [name, value] of defaults) query.append(name, value);
  for (const name of names ?? []) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? (value as ParamValue[]) : [value]) {
      const text = textOf(item);
      if (text === undefined)
        throw invalidRequestError(`query parameter '${name}' must be a string, number or boolean`);
      query.append(name, text);
    }
  }
  return query;
}

function headersOf(
  runtime: ClientRuntime,
  endpoint: CompiledEndpoint,
  args: Readonly<Record<string, unknown>>,
  options: EndpointCallOptions,
): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of runtime.settings.defaultRequestHeaders) {
    const key = name.toLowerCase();
    headers[key] =
      headers[key] !== undefined && key !== 'accept' ? `${headers[key]}, ${value}` : value;
  }
  const headerArgs = endpoint.spec.headers;
  if (headerArgs !== undefined)
    for (const arg in headerArgs) {
      const value = args[arg];
      if (value === undefined || value === null) continue;
      const text = textOf(value);
      if (text === undefined)
        throw invalidRequestError(`header argument '${arg}' must be a string, number or boolean`);
      headers[String(headerArgs[arg]).toLowerCase()] = text;
    }
  const own = options.headers;
  if (own !== undefined) for (const name in own) headers[name.toLowerCase()] = own[name]!;
  if (options.idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(options.idempotencyKey))
      throw invalidRequestError('idempotencyKey must be 1-255 visible ASCII characters');
    headers[IDEMPOTENCY_KEY_HEADER] = options.idempotencyKey;
  }
  if (runtime.settings.acceptCompressedResponses) headers['accept-encoding'] = 'gzip, deflate';
  return headers;
}

function checkHeaders(headers: Record<string, string>): void {
  for (const name in headers) {
    const value = headers[name];
    if (!HEADER_NAME.test(name))
      throw invalidRequestError(`'${name.slice(0, 64)}' is not a header name`);
    if (typeof value !== 'string' || BAD_HEADER_VALUE.test(value))
      throw invalidRequestError(`header '${name}' has a line break, NUL or non-text value`);
  }
}

function jsonOf(
  endpoint: CompiledEndpoint,
  args: Readonly<Record<string, unknown>>,
): Buffer | undefined {
  if (endpoint.spec.body === undefined) return undefined;
  if (args.body === undefined) throw invalidRequestError(`${endpoint.methodKey} needs a body`);
  try {
    return Buffer.from(JSON.stringify(args.body), 'utf8');
  } catch (error) {
    throw invalidRequestError(
      `${endpoint.methodKey}: the body is not serialisable as JSON (${(error as Error).name})`,
    );
  }
}

/** True when the body goes out gzipped (`spring.cloud.openfeign.compression.request.*`). */
function isCompressed(
  runtime: ClientRuntime,
  headers: Record<string, string>,
  body: Buffer | undefined,
): boolean {
  const { compressRequests, compressMinRequestBytes, compressMimeTypes } = runtime.settings;
  if (!compressRequests || body === undefined || body.length < compressMinRequestBytes)
    return false;
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return compressMimeTypes.includes(type) && headers['content-encoding'] === undefined;
}

/**
 * Builds a call's request: path parameters expanded and encoded, query parameters, headers
 * (defaults, header arguments, the call's own, the idempotency key), the JSON body; then runs the
 * interceptors and checks what they left; then compresses the body when configured. Returns the
 * call at once when there is nothing to wait for (no interceptor, no compression).
 *
 * @throws `HTTP_ERR_INVALID_REQUEST` when a parameter, header or body cannot be sent.
 */
export function prepareCall(
  runtime: ClientRuntime,
  endpoint: CompiledEndpoint,
  args: Readonly<Record<string, unknown>>,
  options: EndpointCallOptions,
): PreparedCall | Promise<PreparedCall> {
  const expanded = endpoint.template.expand(args);
  if ('problem' in expanded)
    throw invalidRequestError(`${endpoint.methodKey}: ${expanded.problem}`);
  const method = endpoint.spec.method;
  const headers = headersOf(runtime, endpoint, args, options);
  const body = jsonOf(endpoint, args);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const uriTemplate = endpoint.uriTemplate;
  const query = queryOf(runtime, endpoint, args);
  const finish = (sent: Buffer | undefined): PreparedCall => {
    const search = query === null ? '' : query.toString();
    const raw = `${runtime.basePath}${expanded.path}`;
    // Resolved as a URL would be (dot segments, encoding); a regular path is used as it is.
    const pathname = endpoint.isPathIrregular ? new URL(raw, 'http://path.invalid').pathname : raw;
    const path = search === '' ? pathname : `${pathname}?${search}`;
    const isIdempotent =
      IDEMPOTENT_METHODS.has(method) || headers[IDEMPOTENCY_KEY_HEADER] !== undefined;
    const out = {
      method,
      serviceId: runtime.serviceId,
      origin: runtime.origin,
      path,
      headers,
      body: sent,
      isIdempotent,
      uriTemplate,
    };
    return { out, uriTemplate };
  };
  if (runtime.interceptors.length === 0) {
    checkHeaders(headers);
    if (!isCompressed(runtime, headers, body)) return finish(body);
  }
  return (async () => {
    const request: OutgoingRequest = {
      clientName: runtime.clientName,
      methodKey: endpoint.methodKey,
      method,
      uriTemplate,
      headers,
      query: query ?? new URLSearchParams(),
    };
    for (const intercept of runtime.interceptors) await intercept(request);
    checkHeaders(headers);
    if (!isCompressed(runtime, headers, body)) return finish(body);
    headers['content-encoding'] = 'gzip';
    return finish(await gzipAsync(body!));
  })();
}
