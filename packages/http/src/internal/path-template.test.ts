import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePathTemplate, type PathTemplate } from './path-template.js';

const compiled = (template: string): PathTemplate => {
  const result = compilePathTemplate(template);
  assert.notEqual(typeof result, 'string', String(result));
  return result as PathTemplate;
};

test('expands parameters percent-encoded, so a value never adds a segment, query or fragment', () => {
  const template = compiled('/order-service/{userId}/orders/{orderId}');
  assert.deepEqual(template.names, ['userId', 'orderId']);
  assert.deepEqual(template.expand({ userId: 'a/b?c#d', orderId: 7 }), {
    path: '/order-service/a%2Fb%3Fc%23d/orders/7',
  });
  assert.deepEqual(template.expand({ userId: '%2e%2e', orderId: true }), {
    path: '/order-service/%252e%252e/orders/true',
  });
});

test('missing, empty, dot and non-scalar values are problems, not paths', () => {
  const template = compiled('/users/{id}');
  for (const id of [undefined, '', '.', '..', {}, [], Number.NaN, null])
    assert.ok('problem' in template.expand({ id }), `id ${JSON.stringify(id)} is refused`);
});

test('templates must start with a slash and hold well-formed, distinct parameters', () => {
  for (const bad of [
    'users/{id}',
    '/users/{id}?x=1',
    '/users/{}',
    '/users/{a-b}',
    '/u/{id}/{id}',
    '/u/{id',
    '/u/id}',
  ])
    assert.equal(typeof compilePathTemplate(bad), 'string', `${bad} is refused`);
});
