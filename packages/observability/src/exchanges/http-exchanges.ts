/** Spring Boot's `HttpExchange.Include` values (`management.httpexchanges.recording.include`). */
export type ExchangeInclude =
  | 'REQUEST_HEADERS'
  | 'RESPONSE_HEADERS'
  | 'COOKIE_HEADERS'
  | 'AUTHORIZATION_HEADER'
  | 'PRINCIPAL'
  | 'REMOTE_ADDRESS'
  | 'SESSION_ID'
  | 'TIME_TAKEN';

const ALL_INCLUDES: readonly ExchangeInclude[] = [
  'REQUEST_HEADERS',
  'RESPONSE_HEADERS',
  'COOKIE_HEADERS',
  'AUTHORIZATION_HEADER',
  'PRINCIPAL',
  'REMOTE_ADDRESS',
  'SESSION_ID',
  'TIME_TAKEN',
];

/** Spring Boot's default: `TIME_TAKEN, REQUEST_HEADERS, RESPONSE_HEADERS`. */
export const EXCHANGE_INCLUDE_DEFAULTS: readonly ExchangeInclude[] = Object.freeze([
  'TIME_TAKEN',
  'REQUEST_HEADERS',
  'RESPONSE_HEADERS',
]);

/** What the server hands over once it answered. */
export interface ExchangeInput {
  /** When the request arrived, ms since the epoch. */
  startedAt: number;
  method: string;
  /** The full request URI (`http://host:port/path?query`). */
  uri: string;
  requestHeaders: Readonly<Record<string, string | string[] | undefined>>;
  remoteAddress?: string;
  status: number;
  responseHeaders: Readonly<Record<string, string | number | string[] | undefined>>;
  timeTakenMs: number;
  /** The authenticated user's name, when the application knows it. */
  principal?: string;
}

/** One recorded exchange, with only what `include` allows. */
export interface RecordedExchange {
  readonly timestamp: number;
  readonly request: {
    readonly method: string;
    readonly uri: string;
    readonly headers?: Record<string, string[]>;
    readonly remoteAddress?: string;
  };
  readonly response: { readonly status: number; readonly headers?: Record<string, string[]> };
  readonly principal?: string;
  readonly timeTakenMs?: number;
}

/** Options of {@link createHttpExchangeRepository}. */
export interface HttpExchangeRepositoryOptions {
  /** Exchanges kept, newest first (`InMemoryHttpExchangeRepository`'s capacity). @default 100 */
  capacity?: number;
  /** @default EXCHANGE_INCLUDE_DEFAULTS */
  include?: readonly ExchangeInclude[];
  /**
   * Headers never recorded whatever `include` says (lower case), on top of Spring's rules for
   * `Authorization`, `Cookie` and `Set-Cookie`: values that are secrets in this system, such
   * as the shop's `token` login header. @default ['token', 'proxy-authorization', 'x-api-key']
   */
  excludedHeaders?: readonly string[];
}

/** The `InMemoryHttpExchangeRepository` analogue behind `/actuator/httpexchanges`. */
export interface HttpExchangeRepository {
  readonly capacity: number;
  readonly include: ReadonlySet<ExchangeInclude>;
  /** Records one exchange, dropping the oldest beyond the capacity. */
  record(exchange: ExchangeInput): void;
  /** Recorded exchanges, newest first. */
  findAll(): RecordedExchange[];
}

/**
 * Reads `management.httpexchanges.recording.include` (Boot 2's `management.trace.http.include`
 * too): a comma list or YAML list of {@link ExchangeInclude} names, case-insensitive.
 *
 * @returns the includes, or a problem sentence.
 */
export function parseExchangeIncludes(
  value: unknown,
  key: string,
): ExchangeInclude[] | { problem: string } {
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const includes: ExchangeInclude[] = [];
  for (const item of items) {
    const name = item.trim().toUpperCase().replaceAll('-', '_');
    if (name === '') continue;
    if (!ALL_INCLUDES.includes(name as ExchangeInclude))
      return { problem: `${key}: '${item.trim()}' is not one of ${ALL_INCLUDES.join(', ')}` };
    includes.push(name as ExchangeInclude);
  }
  return includes;
}

function headerList(
  headers: Readonly<Record<string, string | number | string[] | undefined>>,
  isAllowed: (name: string) => boolean,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !isAllowed(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return out;
}

/**
 * Creates the in-memory exchange repository. `Authorization` is recorded only with
 * `AUTHORIZATION_HEADER`, `Cookie`/`Set-Cookie` only with `COOKIE_HEADERS` (Spring's rules);
 * `excludedHeaders` never.
 *
 * @example
 * const exchanges = createHttpExchangeRepository({ capacity: 100, include: ['TIME_TAKEN', 'REQUEST_HEADERS'] });
 */
export function createHttpExchangeRepository(
  options: HttpExchangeRepositoryOptions = {},
): HttpExchangeRepository {
  const capacity = options.capacity ?? 100;
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  const include = new Set(options.include ?? EXCHANGE_INCLUDE_DEFAULTS);
  const excluded = new Set(
    (options.excludedHeaders ?? ['token', 'proxy-authorization', 'x-api-key']).map((h) =>
      h.toLowerCase(),
    ),
  );
  const isAllowed = (name: string): boolean => {
    if (excluded.has(name)) return false;
    if (name === 'authorization') return include.has('AUTHORIZATION_HEADER');
    if (name === 'cookie' || name === 'set-cookie') return include.has('COOKIE_HEADERS');
    return true;
  };
  const exchanges: RecordedExchange[] = [];
  return {
    capacity,
    include,
    record(input) {
      const exchange: RecordedExchange = {
        timestamp: input.startedAt,
        request: {
          method: input.method,
          uri: input.uri,
          ...(include.has('REQUEST_HEADERS')
            ? { headers: headerList(input.requestHeaders, isAllowed) }
            : {}),
          ...(include.has('REMOTE_ADDRESS') && input.remoteAddress
            ? { remoteAddress: input.remoteAddress }
            : {}),
        },
        response: {
          status: input.status,
          ...(include.has('RESPONSE_HEADERS')
            ? { headers: headerList(input.responseHeaders, isAllowed) }
            : {}),
        },
        ...(include.has('PRINCIPAL') && input.principal ? { principal: input.principal } : {}),
        ...(include.has('TIME_TAKEN') ? { timeTakenMs: input.timeTakenMs } : {}),
      };
      exchanges.unshift(exchange);
      if (exchanges.length > capacity) exchanges.length = capacity;
    },
    findAll: () => [...exchanges],
  };
}

/** `Duration.toString()` of Java: `PT0.023S`. */
function isoDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return `PT${Number(seconds.toFixed(3))}S`;
}

/** `GET /actuator/httpexchanges`: Spring Boot 3's `HttpExchangesDescriptor` JSON. */
export function httpExchangesBody(repository: HttpExchangeRepository): { exchanges: unknown[] } {
  return {
    exchanges: repository.findAll().map((exchange) => ({
      timestamp: new Date(exchange.timestamp).toISOString(),
      request: exchange.request,
      response: exchange.response,
      ...(exchange.principal ? { principal: { name: exchange.principal } } : {}),
      ...(exchange.timeTakenMs === undefined
        ? {}
        : { timeTaken: isoDuration(exchange.timeTakenMs) }),
    })),
  };
}

/** `GET /actuator/httptrace`: Spring Boot 2's `HttpTraceDescriptor` JSON (the seed's endpoint). */
export function httpTraceBody(repository: HttpExchangeRepository): { traces: unknown[] } {
  return {
    traces: repository.findAll().map((exchange) => ({
      timestamp: new Date(exchange.timestamp).toISOString(),
      principal: exchange.principal ? { name: exchange.principal } : null,
      session: null,
      request: { ...exchange.request, remoteAddress: exchange.request.remoteAddress ?? null },
      response: exchange.response,
      timeTaken: exchange.timeTakenMs === undefined ? null : Math.round(exchange.timeTakenMs),
    })),
  };
}
