import { randomUUID } from 'node:crypto';
import type { BodyRewrite } from '../filter-api.js';
import type { BoundArgs } from './bind-args.js';

// Functions cannot be route arguments (definitions are data: YAML, the actuator's JSON). The
// route builder keeps each function here and puts an opaque, unguessable id in the definition.
// Entries live as long as the process: builders run at boot, once per route.
const PREFIX = 'code:';
const rewrites = new Map<string, BodyRewrite>();

/** Keeps `rewrite` and returns the id a definition carries for it. */
export function registerBodyRewrite(rewrite: BodyRewrite): string {
  if (typeof rewrite !== 'function') throw new TypeError('the body rewrite must be a function');
  const id = `${PREFIX}${randomUUID()}`;
  rewrites.set(id, rewrite);
  return id;
}

/**
 * The function a code-built definition refers to.
 *
 * @throws Error saying the filter is code-only when the id is absent or unknown (a YAML use).
 */
export function bodyRewriteOf(
  args: BoundArgs,
  filterName: string,
  builderMethod: string,
): BodyRewrite {
  const id = args.string('rewriteFunction')?.trim();
  const rewrite = id === undefined ? undefined : rewrites.get(id);
  if (rewrite === undefined)
    throw new Error(
      `${filterName} takes a function, so it can only be configured in code (in Spring, the Java DSL only), not in YAML or properties: use routes().route(id, (r) => r.path(…).filters((f) => f.${builderMethod}(rewrite)).uri(…))`,
    );
  return rewrite;
}

const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The optional `contentType` argument, checked as a header value. */
export function contentTypeOf(args: BoundArgs): string | undefined {
  const value = args.string('contentType')?.trim();
  if (value === undefined || value === '') return undefined;
  if (!HEADER_VALUE.test(value))
    throw new Error(`argument 'contentType' is not a valid header value: ${JSON.stringify(value)}`);
  return value;
}

/** What a rewrite returned, as bytes. */
export function rewrittenBytes(value: unknown, filterName: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError(`${filterName}: the rewrite must return a Buffer or a string`);
}
