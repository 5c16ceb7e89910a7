import { isStratusError } from '@stratus/core';
import type { AnySignal } from '@stratus/resilience';
import type { Dispatcher } from 'undici';
import { defaultErrorDecoder, upstreamProblemOf, type ErrorResponse } from '../error-decoder.js';
import { decodeError, timeoutError, unavailableError } from '../errors.js';
import type { ClientRuntime, CompiledEndpoint } from './client-runtime.js';
import { exchangeLogOf, type ExchangeLog } from './exchange-log.js';
import { exchange, urlOf, type Exchanged } from './exchange.js';
import type { PreparedCall } from './prepare-request.js';
import { readBody } from './read-body.js';
import { failureKindOf } from '@stratus/discovery';

const MAX_ERROR_BODY_CHARS = 64 * 1024;

const elapsedMsSince = (startMs: number) => Math.round(performance.now() - startMs);

function codeOf(error: unknown): string {
  if (isStratusError(error)) return error.code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** Reads the body; a broken or slow body is a network failure, like one before the head. */
async function bodyOf(
  runtime: ClientRuntime,
  { response, readTimer }: Exchanged,
  signal: AnySignal | undefined,
): Promise<Buffer> {
  let read;
  try {
    read = await readBody(
      response,
      runtime.maxResponseBytes,
      runtime.settings.acceptCompressedResponses,
      () => readTimer.rearm(),
    );
  } catch (error) {
    const reason = signal?.reason as { name?: unknown } | undefined;
    if (!readTimer.hasFired && signal?.aborted && reason?.name !== 'TimeoutError')
      throw signal.reason;
    throw readTimer.hasFired || signal?.aborted || failureKindOf(error) === 'timeout'
      ? timeoutError(runtime.clientName, runtime.settings.readTimeoutMs, error)
      : unavailableError(runtime.clientName, error);
  } finally {
    readTimer.clear();
  }
  if (read === 'too-large')
    throw decodeError(runtime.clientName, `body over ${runtime.maxResponseBytes} bytes`);
  if (read === 'bad-encoding') throw decodeError(runtime.clientName, 'unreadable content-encoding');
  return read;
}

function decodeSuccess(runtime: ClientRuntime, endpoint: CompiledEndpoint, body: Buffer): unknown {
  let value: unknown = undefined;
  if (body.length > 0 && endpoint.spec.method !== 'HEAD') {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw decodeError(runtime.clientName, 'not JSON', error);
    }
  }
  const validate = endpoint.spec.response;
  if (validate === undefined) return value;
  try {
    return validate(value);
  } catch (error) {
    throw decodeError(
      runtime.clientName,
      `${endpoint.methodKey}: the response validator refused it`,
      error,
    );
  }
}

async function decodeFailure(
  runtime: ClientRuntime,
  endpoint: CompiledEndpoint,
  response: Dispatcher.ResponseData,
  body: Buffer,
): Promise<Error> {
  const text = body.toString('utf8', 0, Math.min(body.length, MAX_ERROR_BODY_CHARS));
  const contentType = response.headers['content-type'];
  const errorResponse: ErrorResponse = {
    clientName: runtime.clientName,
    methodKey: endpoint.methodKey,
    methodName: endpoint.name,
    status: response.statusCode,
    headers: response.headers,
    problem: upstreamProblemOf(text, Array.isArray(contentType) ? contentType[0] : contentType),
    body: text,
    properties: runtime.properties,
  };
  return (await runtime.errorDecoder?.(errorResponse)) ?? defaultErrorDecoder(errorResponse);
}

/**
 * One call on the wire (with the load balancer's failover): sends, reads the answer, logs at the
 * client's level, and decodes — a 2xx through the endpoint's validator, anything else through
 * the error decoder. `http_client_requests_seconds` is the process instrumentation's, which sees
 * every attempt with the endpoint's URI template.
 */
export async function sendAndDecode(
  runtime: ClientRuntime,
  endpoint: CompiledEndpoint,
  call: PreparedCall,
  signal: AnySignal | undefined,
): Promise<unknown> {
  const log: ExchangeLog | null = exchangeLogOf(
    runtime.logger,
    runtime.settings.loggerLevel,
    endpoint.methodKey,
  );
  const { out } = call;
  if (log !== null)
    log.request(
      out.method,
      urlOf(out),
      out.headers,
      typeof out.body === 'string' ? Buffer.from(out.body) : out.body,
    );
  const startMs = log === null ? 0 : performance.now();
  let response: Dispatcher.ResponseData;
  let answer: Buffer;
  let instance = '';
  try {
    const exchanged = await exchange(out, runtime.exchange, signal);
    response = exchanged.response;
    instance = exchanged.target.origin;
    answer = await bodyOf(runtime, exchanged, signal);
  } catch (error) {
    log?.failure(codeOf(error), elapsedMsSince(startMs));
    throw error;
  }
  log?.response(response.statusCode, elapsedMsSince(startMs), instance, response.headers, answer);
  if (response.statusCode >= 200 && response.statusCode < 300)
    return decodeSuccess(runtime, endpoint, answer);
  throw await decodeFailure(runtime, endpoint, response, answer);
}
