import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineClient,
  endpoint,
  jsonBody,
  type EndpointArgs,
  type EndpointResult,
} from './definition.js';

test('a definition with bad names, URLs, paths or fallbacks is refused listing every problem', () => {
  assert.throws(
    () =>
      defineClient({
        name: 'order service',
        url: 'ftp://orders',
        path: '/api/{version}',
        endpoints: {
          list: endpoint({ method: 'GET', path: 'orders' }),
          get: endpoint({ method: 'GET', path: '/orders/{id}', query: ['id'] }),
        },
        fallback: { remove: [] } as never,
      }),
    (error: Error & { code: string; details: { problems: string[] } }) => {
      assert.equal(error.code, 'HTTP_ERR_INVALID_CONFIG');
      assert.equal(error.details.problems.length, 6, error.message);
      return true;
    },
  );
});

test('argument and result types come from the endpoint declaration', () => {
  const create = endpoint({
    method: 'POST',
    path: '/{userId}/orders',
    query: ['dryRun'],
    headers: { tenant: 'X-Tenant' },
    body: jsonBody<{ qty: number }>(),
    response: (value) => value as { orderId: string },
  });
  const args: EndpointArgs<typeof create> = { userId: 'u1', tenant: 't', body: { qty: 1 } };
  const result: EndpointResult<typeof create> = { orderId: 'o1' };
  // @ts-expect-error the body is required
  const withoutBody: EndpointArgs<typeof create> = { userId: 'u1' };
  // @ts-expect-error an argument the endpoint does not declare
  const unknownArg: EndpointArgs<typeof create> = { userId: 'u1', body: { qty: 1 }, other: 1 };
  assert.ok(args && result && withoutBody && unknownArg);
  const client = defineClient({ name: 'order-service', endpoints: { create } });
  assert.ok(Object.isFrozen(client) && Object.isFrozen(client.endpoints));
});
