/**
 * Trace context on the wire, as Spring Boot's `management.tracing.propagation.*` writes and
 * reads it: W3C `traceparent`/`tracestate`, B3 single (`b3`) and B3 multi (`X-B3-*`). Parsers of
 * untrusted headers return `null` for anything malformed (the caller then starts a new trace);
 * they never throw. Formats per spring-wire.md §6.
 */

/** One of Spring Boot's `PropagationType` values. */
export type PropagationType = 'W3C' | 'B3' | 'B3_MULTI';

/** What a process writes and what it accepts, in order of preference. */
export interface PropagationSettings {
  /** Formats written on outgoing requests and messages. @default ['W3C'] (Spring Boot 3) */
  readonly produce: readonly PropagationType[];
  /** Formats read from incoming ones; the first that yields a valid context wins. @default ['W3C', 'B3', 'B3_MULTI'] */
  readonly consume: readonly PropagationType[];
}

/** Spring Boot 3's defaults (`TracingProperties.Propagation`). */
export const PROPAGATION_DEFAULTS: PropagationSettings = Object.freeze({
  produce: Object.freeze(['W3C'] as PropagationType[]),
  consume: Object.freeze(['W3C', 'B3', 'B3_MULTI'] as PropagationType[]),
});

/** Every header a propagation format may write; removed before writing fresh ones. */
export const PROPAGATION_HEADER_NAMES: readonly string[] = Object.freeze([
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
]);

/** A parent read from headers. `sampled` undefined: the sender deferred the decision (B3). */
export interface RemoteParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean | undefined;
  readonly debug: boolean;
  readonly traceState?: string;
}

/** What headers carry: a parent, only a sampling decision (`b3: 0`), or nothing usable. */
export type ExtractedContext =
  | { readonly kind: 'parent'; readonly parent: RemoteParent }
  | { readonly kind: 'decision'; readonly sampled: boolean }
  | null;

/** Reads one header by its lower-case name. */
export type HeaderGetter = (name: string) => string | undefined;

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^(?:[0-9a-f]{16}){1,2}$/;
const ZEROS = /^0+$/;
const MAX_TRACESTATE_LENGTH = 512;
const TRACESTATE = /^[\x20-\x7e]*$/;

/**
 * Reads Spring Boot's propagation type list (`w3c, b3_multi`, a YAML list, case and `-`/`_`
 * insensitive, as Spring binds enums).
 *
 * @returns the types, or a problem sentence when a value is not a type.
 */
export function parsePropagationTypes(
  value: unknown,
  key: string,
): PropagationType[] | { problem: string } {
  const items = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(',')
      : [String(value)];
  const types: PropagationType[] = [];
  for (const item of items) {
    const name = item.trim().toUpperCase().replaceAll('-', '_');
    if (name === '') continue;
    if (name !== 'W3C' && name !== 'B3' && name !== 'B3_MULTI') {
      return { problem: `${key}: '${item.trim()}' is not one of w3c, b3, b3_multi` };
    }
    if (!types.includes(name)) types.push(name);
  }
  if (types.length === 0) return { problem: `${key} must list at least one of w3c, b3, b3_multi` };
  return types;
}

/**
 * W3C Trace Context §3.2: `version-traceid-parentid-flags`. Version `ff`, all-zero ids and
 * upper-case hex are invalid; a higher version is read by its first four fields.
 */
export function parseTraceparent(
  value: string | undefined,
  tracestate?: string,
): RemoteParent | null {
  if (value === undefined || value.length < 55 || value.length > 512) return null;
  const version = value.slice(0, 2);
  if (!/^[0-9a-f]{2}$/.test(version) || version === 'ff') return null;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return null;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return null;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!/^[0-9a-f]{32}$/.test(traceId) || ZEROS.test(traceId)) return null;
  if (!HEX16.test(spanId) || ZEROS.test(spanId) || !/^[0-9a-f]{2}$/.test(flags)) return null;
  const state =
    tracestate !== undefined &&
    tracestate.length <= MAX_TRACESTATE_LENGTH &&
    TRACESTATE.test(tracestate) &&
    tracestate.trim() !== ''
      ? tracestate.trim()
      : undefined;
  return {
    traceId,
    spanId,
    sampled: (Number.parseInt(flags, 16) & 1) === 1,
    debug: false,
    ...(state === undefined ? {} : { traceState: state }),
  };
}

/** A B3 trace id is 16 or 32 lower-hex; the 64-bit form is left-padded, as Zipkin stores it. */
function traceIdOf(value: string): string | null {
  if (!TRACE_ID.test(value) || ZEROS.test(value)) return null;
  return value.length === 16 ? `0000000000000000${value}` : value;
}

/**
 * B3 single header: `{traceId}-{spanId}[-{1|0|d}[-{parentSpanId}]]`, or a bare sampling
 * decision `1`, `0` or `d`.
 */
export function parseB3Single(value: string | undefined): ExtractedContext {
  if (value === undefined || value.length > 128) return null;
  const text = value.trim();
  if (text === '0' || text === '1' || text === 'd')
    return { kind: 'decision', sampled: text !== '0' };
  const parts = text.split('-');
  if (parts.length < 2 || parts.length > 4) return null;
  const [rawTraceId = '', spanId = '', state, parentId] = parts;
  const traceId = traceIdOf(rawTraceId);
  if (traceId === null || !HEX16.test(spanId) || ZEROS.test(spanId)) return null;
  if (state !== undefined && state !== '0' && state !== '1' && state !== 'd') return null;
  if (parentId !== undefined && (!HEX16.test(parentId) || ZEROS.test(parentId))) return null;
  return {
    kind: 'parent',
    parent: {
      traceId,
      spanId,
      sampled: state === undefined ? undefined : state !== '0',
      debug: state === 'd',
    },
  };
}

/** B3 multi headers; `X-B3-Sampled` accepts the legacy `true`/`false`, `X-B3-Flags: 1` is debug. */
export function parseB3Multi(get: HeaderGetter): ExtractedContext {
  const flags = get('x-b3-flags')?.trim();
  const sampledHeader = get('x-b3-sampled')?.trim().toLowerCase();
  const debug = flags === '1';
  let sampled: boolean | undefined;
  if (debug || sampledHeader === '1' || sampledHeader === 'true') sampled = true;
  else if (sampledHeader === '0' || sampledHeader === 'false') sampled = false;
  const rawTraceId = get('x-b3-traceid')?.trim();
  const spanId = get('x-b3-spanid')?.trim();
  if (rawTraceId === undefined && spanId === undefined) {
    return sampled === undefined ? null : { kind: 'decision', sampled };
  }
  const traceId = rawTraceId === undefined ? null : traceIdOf(rawTraceId);
  if (traceId === null || spanId === undefined || !HEX16.test(spanId) || ZEROS.test(spanId))
    return null;
  return { kind: 'parent', parent: { traceId, spanId, sampled, debug } };
}

/** Reads the first consume format that yields a parent or a decision. Never throws. */
export function extractFrom(
  get: HeaderGetter,
  consume: readonly PropagationType[],
): ExtractedContext {
  let decision: ExtractedContext = null;
  for (const type of consume) {
    let found: ExtractedContext;
    if (type === 'W3C') {
      const parent = parseTraceparent(get('traceparent'), get('tracestate'));
      found = parent === null ? null : { kind: 'parent', parent };
    } else if (type === 'B3') {
      // Spring (Brave) reads both B3 encodings whichever one is configured.
      found = parseB3Single(get('b3')) ?? parseB3Multi(get);
    } else {
      found = parseB3Multi(get) ?? parseB3Single(get('b3'));
    }
    if (found?.kind === 'parent') return found;
    decision ??= found;
  }
  return decision;
}

/** The position a span writes: its ids and whether it is sampled. */
export interface OutgoingContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly debug: boolean;
  readonly traceState?: string;
}

/**
 * Writes `context` in each produce format. B3 single is Spring's `SINGLE_NO_PARENT`; B3 multi
 * sends `X-B3-Flags: 1` instead of `X-B3-Sampled` when debugging, as the B3 spec asks.
 */
export function injectInto(
  set: (name: string, value: string) => void,
  context: OutgoingContext,
  produce: readonly PropagationType[],
): void {
  const { traceId, spanId, sampled, debug } = context;
  for (const type of produce) {
    if (type === 'W3C') {
      set('traceparent', `00-${traceId}-${spanId}-${sampled || debug ? '01' : '00'}`);
      if (context.traceState) set('tracestate', context.traceState);
    } else if (type === 'B3') {
      set('b3', `${traceId}-${spanId}-${debug ? 'd' : sampled ? '1' : '0'}`);
    } else {
      set('x-b3-traceid', traceId);
      set('x-b3-spanid', spanId);
      if (debug) set('x-b3-flags', '1');
      else set('x-b3-sampled', sampled ? '1' : '0');
    }
  }
}

/** Header names a list of produce formats writes (for CORS-like exposure and stripping). */
export function producedHeaderNames(produce: readonly PropagationType[]): string[] {
  const names: string[] = [];
  for (const type of produce) {
    if (type === 'W3C') names.push('traceparent', 'tracestate');
    else if (type === 'B3') names.push('b3');
    else names.push('x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags');
  }
  return names;
}
