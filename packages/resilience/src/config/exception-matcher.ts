/**
 * Turns the Java class names Spring users list under `recordExceptions`, `ignoreExceptions` and
 * `retryExceptions` into a predicate on JavaScript errors.
 *
 * An entry matches an error when it equals the error's `code` (`HTTP_ERR_TIMEOUT`, `ECONNRESET`),
 * or its simple name (after the last `.`) equals the `name` or a constructor name anywhere on
 * the error's prototype chain — Java's `isAssignableFrom`, so `Error` matches every error — or
 * when a well-known Java class stands for that kind of failure (table below).
 */
export function exceptionMatcher(names: readonly string[]): (error: unknown) => boolean {
  const matchers = names.map(matcherFor);
  return (error) => matchers.some((matches) => matches(error));
}

type Matcher = (error: unknown) => boolean;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  'HTTP_ERR_TIMEOUT',
]);

const isTimeout: Matcher = (e) =>
  nameOf(e) === 'TimeoutError' ||
  [
    'RES_ERR_TIMEOUT',
    'HTTP_ERR_TIMEOUT',
    'ETIMEDOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CONNECT_TIMEOUT',
  ].includes(codeOf(e) ?? '');
const isNetwork: Matcher = (e) => NETWORK_CODES.has(codeOf(e) ?? '') || isTimeout(e);
const httpStatusBetween =
  (low: number, high: number): Matcher =>
  (e) => {
    const status = statusOf(e);
    return status !== undefined && status >= low && status <= high;
  };

// Java exceptions Spring configurations name, and what stands for them in Stratus.
const WELL_KNOWN: Record<string, Matcher> = {
  'java.lang.Throwable': () => true,
  'java.lang.Exception': () => true,
  'java.lang.RuntimeException': () => true,
  'java.io.IOException': isNetwork,
  'java.net.ConnectException': (e) =>
    ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'HTTP_ERR_UPSTREAM_UNAVAILABLE'].includes(
      codeOf(e) ?? '',
    ),
  'java.net.SocketTimeoutException': isTimeout,
  'java.util.concurrent.TimeoutException': isTimeout,
  'org.springframework.web.client.HttpServerErrorException': httpStatusBetween(500, 599),
  'org.springframework.web.client.HttpClientErrorException': httpStatusBetween(400, 499),
  'org.springframework.web.client.HttpStatusCodeException': httpStatusBetween(400, 599),
  'org.springframework.web.client.ResourceAccessException': isNetwork,
  'org.springframework.web.reactive.function.client.WebClientResponseException': httpStatusBetween(
    400,
    599,
  ),
  'org.springframework.web.reactive.function.client.WebClientRequestException': isNetwork,
  'feign.RetryableException': isNetwork,
  'feign.FeignException': httpStatusBetween(400, 599),
  'io.github.resilience4j.circuitbreaker.CallNotPermittedException': (e) =>
    codeOf(e) === 'RES_ERR_CALL_NOT_PERMITTED',
  'io.github.resilience4j.bulkhead.BulkheadFullException': (e) =>
    codeOf(e) === 'RES_ERR_BULKHEAD_FULL',
  'io.github.resilience4j.ratelimiter.RequestNotPermitted': (e) =>
    codeOf(e) === 'RES_ERR_REQUEST_NOT_PERMITTED',
};

function matcherFor(entry: string): Matcher {
  const name = entry.trim();
  const known = WELL_KNOWN[name];
  const simple = name.slice(name.lastIndexOf('.') + 1);
  return (error) =>
    (known !== undefined && known(error)) ||
    codeOf(error) === name ||
    nameOf(error) === simple ||
    prototypeNames(error).includes(simple);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function nameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function statusOf(error: unknown): number | undefined {
  const record = error as {
    status?: unknown;
    statusCode?: unknown;
    details?: { upstreamStatus?: unknown };
  } | null;
  const status = record?.status ?? record?.statusCode ?? record?.details?.upstreamStatus;
  return typeof status === 'number' ? status : undefined;
}

function prototypeNames(error: unknown): string[] {
  const names: string[] = [];
  if (error === null || typeof error !== 'object') return names;
  for (
    let proto = Object.getPrototypeOf(error) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
  }
  return names;
}
