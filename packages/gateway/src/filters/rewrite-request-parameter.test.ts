import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemsOf } from '../errors.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { routes } from '../route-builder.js';
import { rewriteRequestParameterFilterFactory } from './rewrite-request-parameter.js';

const SPRING_FORMS = [
  'RewriteRequestParameter=campaign,fall2023',
  { name: 'RewriteRequestParameter', args: { name: 'campaign', replacement: 'fall2023' } },
];

const ROWS: readonly { name: string; query: string; expected: string }[] = [
  { name: "Spring's example", query: 'campaign=old', expected: 'campaign=fall2023' },
  { name: 'no such parameter', query: 'a=1&b=%2F', expected: 'a=1&b=%2F' },
  { name: 'no query', query: '', expected: '' },
  {
    name: 'several values become one, in the first place',
    query: 'campaign=a&x=1&campaign=b',
    expected: 'campaign=fall2023&x=1',
  },
  {
    name: 'the other parameters keep their bytes',
    query: 'x=%2f%20+y&campaign=old&z&&w=a=b',
    expected: 'x=%2f%20+y&campaign=fall2023&z&&w=a=b',
  },
  {
    name: 'an encoded name matches and keeps its spelling',
    query: 'camp%61ign=old&n=1',
    expected: 'camp%61ign=fall2023&n=1',
  },
  { name: 'a parameter without a value', query: 'campaign&n=1', expected: 'campaign=fall2023&n=1' },
  { name: 'a similar name is left alone', query: 'campaigns=1', expected: 'campaigns=1' },
];

for (const form of SPRING_FORMS) {
  for (const row of ROWS) {
    test(`${typeof form === 'string' ? 'shortcut' : 'expanded'}: ${row.name}`, () => {
      const ex = exchange({ query: row.query });
      void filter(rewriteRequestParameterFilterFactory, form).pre?.(ex);
      assert.equal(ex.query, row.expected);
    });
  }
}

test('the replacement is percent-encoded, so it cannot add parameters', () => {
  const ex = exchange({ query: 'q=1&r=2' });
  void filter(rewriteRequestParameterFilterFactory, {
    name: 'RewriteRequestParameter',
    args: { name: 'q', replacement: 'a b&admin=true#é' },
  }).pre?.(ex);
  assert.equal(ex.query, 'q=a%20b%26admin%3Dtrue%23%C3%A9&r=2');
  assert.equal(new URLSearchParams(ex.query).get('admin'), null);
});

test('an empty replacement is allowed in the expanded form', () => {
  const ex = exchange({ query: 'q=1' });
  void filter(rewriteRequestParameterFilterFactory, {
    name: 'RewriteRequestParameter',
    args: { name: 'q', replacement: '' },
  }).pre?.(ex);
  assert.equal(ex.query, 'q=');
});

test('a missing name or replacement is a problem when the route compiles', () => {
  assert.throws(
    () => filter(rewriteRequestParameterFilterFactory, 'RewriteRequestParameter=campaign'),
    /argument 'replacement' is required/,
  );
  assert.throws(
    () =>
      validateDefinitions({
        routes: [
          {
            id: 'r',
            uri: 'http://127.0.0.1:1',
            filters: ['RewriteRequestParameter=campaign', 'RewriteRequestParameter'],
          },
        ],
      }),
    (error) => {
      const problems = problemsOf(error).join('\n');
      assert.match(problems, /RewriteRequestParameter.*'replacement' is required/);
      assert.match(problems, /RewriteRequestParameter.*'name' is required/);
      return true;
    },
  );
});

test("the route builder's rewriteRequestParameter(name, replacement) builds the same filter", () => {
  const built = routes()
    .route('r', (r) =>
      r.filters((f) => f.rewriteRequestParameter('campaign', 'fall2023')).uri('http://127.0.0.1:1'),
    )
    .build();
  const definition = built.routes[0]?.filters[0];
  assert.ok(definition);
  const ex = exchange({ query: 'campaign=old' });
  void filter(rewriteRequestParameterFilterFactory, definition).pre?.(ex);
  assert.equal(ex.query, 'campaign=fall2023');
});
