import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  extractFrom,
  injectInto,
  parseB3Multi,
  parseB3Single,
  parsePropagationTypes,
  parseTraceparent,
} from './propagation.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const headers =
  (record: Record<string, string>) =>
  (name: string): string | undefined =>
    record[name];

test('reads a W3C traceparent and its sampled flag, keeping a sane tracestate', () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'congo=t61rcWkgMzE'), {
    traceId: TRACE,
    spanId: SPAN,
    sampled: true,
    debug: false,
    traceState: 'congo=t61rcWkgMzE',
  });
  assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled, false);
  // A later version is read by its first four fields (W3C §3.2.4).
  assert.equal(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId, TRACE);
});

test('refuses every malformed traceparent of the W3C rules', () => {
  const bad = [
    `ff-${TRACE}-${SPAN}-01`,
    `00-${'0'.repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-01-extra`,
    `00-${TRACE}-${SPAN}-1`,
    `00_${TRACE}-${SPAN}-01`,
    `0g-${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-zz`,
    '',
    `00-${TRACE}-${SPAN}`,
    'x'.repeat(10_000),
  ];
  for (const value of bad) assert.equal(parseTraceparent(value), null, value.slice(0, 80));
});

test('reads B3 single headers with 64- and 128-bit ids, states, a parent, or a bare decision', () => {
  assert.deepEqual(parseB3Single(`${TRACE}-${SPAN}-1-05e3ac9a4f6e3b90`), {
    kind: 'parent',
    parent: { traceId: TRACE, spanId: SPAN, sampled: true, debug: false },
  });
  const short = parseB3Single(`a3ce929d0e0e4736-${SPAN}`);
  assert.equal(short?.kind, 'parent');
  assert.deepEqual(short.kind === 'parent' && short.parent, {
    traceId: '0000000000000000a3ce929d0e0e4736',
    spanId: SPAN,
    sampled: undefined,
    debug: false,
  });
  const debug = parseB3Single(`${TRACE}-${SPAN}-d`);
  assert.ok(debug?.kind === 'parent' && debug.parent.debug && debug.parent.sampled);
  assert.deepEqual(parseB3Single('0'), { kind: 'decision', sampled: false });
  assert.deepEqual(parseB3Single('d'), { kind: 'decision', sampled: true });
  for (const value of [
    `${TRACE}-${SPAN}-2`,
    `${TRACE}`,
    `${TRACE}-xyz`,
    `${TRACE}-${SPAN}-1-zz`,
    '-',
    'b3',
  ])
    assert.equal(parseB3Single(value), null, value);
});

test('reads B3 multi headers, legacy true/false and the debug flag', () => {
  assert.deepEqual(
    parseB3Multi(headers({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'true' })),
    { kind: 'parent', parent: { traceId: TRACE, spanId: SPAN, sampled: true, debug: false } },
  );
  const debug = parseB3Multi(
    headers({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }),
  );
  assert.ok(debug?.kind === 'parent' && debug.parent.debug && debug.parent.sampled === true);
  assert.deepEqual(parseB3Multi(headers({ 'x-b3-sampled': '0' })), {
    kind: 'decision',
    sampled: false,
  });
  assert.equal(parseB3Multi(headers({ 'x-b3-traceid': TRACE })), null);
  assert.equal(parseB3Multi(headers({ 'x-b3-traceid': 'nothex', 'x-b3-spanid': SPAN })), null);
});

test('consumes the first configured format that parses and ignores the others', () => {
  const both = headers({
    traceparent: `00-${TRACE}-${SPAN}-01`,
    b3: `${'1'.repeat(32)}-${'2'.repeat(16)}-1`,
  });
  const w3c = extractFrom(both, ['W3C', 'B3']);
  assert.ok(w3c?.kind === 'parent' && w3c.parent.traceId === TRACE);
  const b3 = extractFrom(both, ['B3', 'W3C']);
  assert.ok(b3?.kind === 'parent' && b3.parent.traceId === '1'.repeat(32));
  assert.equal(extractFrom(headers({ traceparent: `00-${TRACE}-${SPAN}-01` }), ['B3_MULTI']), null);
  // Consuming `b3` reads the multi encoding too, as Brave's B3Propagation does.
  const multi = extractFrom(
    headers({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }),
    ['B3'],
  );
  assert.ok(multi?.kind === 'parent');
  // A malformed first format falls through to a valid second one.
  const fallback = extractFrom(headers({ traceparent: 'garbage', b3: `${TRACE}-${SPAN}-1` }), [
    'W3C',
    'B3',
  ]);
  assert.ok(fallback?.kind === 'parent' && fallback.parent.spanId === SPAN);
});

test('produces each format as Spring does', () => {
  const written: Record<string, string> = {};
  injectInto(
    (k, v) => (written[k] = v),
    { traceId: TRACE, spanId: SPAN, sampled: true, debug: false },
    ['W3C', 'B3', 'B3_MULTI'],
  );
  assert.deepEqual(written, {
    traceparent: `00-${TRACE}-${SPAN}-01`,
    b3: `${TRACE}-${SPAN}-1`,
    'x-b3-traceid': TRACE,
    'x-b3-spanid': SPAN,
    'x-b3-sampled': '1',
  });
  const debug: Record<string, string> = {};
  injectInto(
    (k, v) => (debug[k] = v),
    { traceId: TRACE, spanId: SPAN, sampled: true, debug: true },
    ['B3_MULTI'],
  );
  assert.deepEqual(debug, { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
});

test('reads Spring propagation type lists in any case and refuses unknown ones', () => {
  assert.deepEqual(parsePropagationTypes('w3c, B3-multi', 'k'), ['W3C', 'B3_MULTI']);
  assert.deepEqual(parsePropagationTypes(['b3', 'b3'], 'k'), ['B3']);
  assert.deepEqual(parsePropagationTypes('jaeger', 'management.tracing.propagation.produce'), {
    problem: "management.tracing.propagation.produce: 'jaeger' is not one of w3c, b3, b3_multi",
  });
});

test('hostile header values never throw and never yield an invalid context', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 80 }), (value, other) => {
      const found = extractFrom(
        headers({
          traceparent: value,
          b3: value,
          'x-b3-traceid': value,
          'x-b3-spanid': other,
          tracestate: other,
        }),
        ['W3C', 'B3', 'B3_MULTI'],
      );
      if (found?.kind === 'parent') {
        assert.match(found.parent.traceId, /^[0-9a-f]{32}$/);
        assert.match(found.parent.spanId, /^[0-9a-f]{16}$/);
      }
    }),
    { numRuns: 2000 },
  );
});
