// Fault injection (reliability.md §2.3, §2.4, §3.D): catalog-service is killed with SIGKILL
// while orders are being placed, then restarted. Every order must settle exactly once: no order
// stays PENDING, and the stock moved by exactly the confirmed quantity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startStack } from '@stratus/cli';
import { call, eventually, freePort, tempDir } from './support.js';

interface Order {
  orderId: string;
  status: string;
  qty: number;
}

test(
  'orders placed while catalog-service is killed and restarted all settle exactly once',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = await tempDir(t, 'stratus-crash-');
    const stack = await startStack({
      dataDir,
      registryPort: await freePort(),
      configPort: await freePort(),
      gatewayPort: await freePort(),
      output: null,
    });
    t.after(() => stack.stop());
    const G = stack.urls.gateway;

    const signup = await call<{ userId: string }>(`${G}/user-service/users`, {
      json: { email: 'crash@example.com', name: 'Crash Test', pwd: 'crash test pwd' },
    });
    assert.equal(signup.status, 201);
    const login = await call<{ token: string }>(`${G}/user-service/login`, {
      json: { email: 'crash@example.com', password: 'crash test pwd' },
    });
    const auth = { authorization: `Bearer ${login.body.token}` };
    const userId = signup.body.userId;

    // CATALOG-003 starts with 120; 45 orders of 2–5 units total more than that, so some must be rejected.
    const quantities = Array.from({ length: 45 }, (_, i) => (i % 4) + 2);
    const placed: string[] = [];
    const place = async (qty: number) => {
      const r = await call<Order>(`${G}/order-service/${userId}/orders`, {
        json: { productId: 'CATALOG-003', qty, unitPrice: 2000 },
        headers: auth,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      placed.push(r.body.orderId);
    };
    for (const qty of quantities.slice(0, 15)) await place(qty);
    await stack.processes.get('catalog-service')!.kill();
    for (const qty of quantities.slice(15, 35)) await place(qty);
    const whileDown = await call<Order[]>(`${G}/order-service/${userId}/orders`, { headers: auth });
    const lastPlaced = whileDown.body.find((o) => o.orderId === placed[placed.length - 1]);
    assert.equal(lastPlaced?.status, 'PENDING', 'nothing settles while the catalog is down');
    await stack.restart('catalog-service');
    for (const qty of quantities.slice(35)) await place(qty);

    const orders = await eventually(
      'every order settled',
      async () => {
        const list = await call<Order[]>(`${G}/order-service/${userId}/orders`, { headers: auth });
        return list.status === 200 &&
          list.body.length === placed.length &&
          list.body.every((o) => o.status !== 'PENDING')
          ? list.body
          : undefined;
      },
      90_000,
    );
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    const confirmedQty = confirmed.reduce((sum, o) => sum + o.qty, 0);
    assert.ok(
      orders.some((o) => o.status === 'REJECTED'),
      'stock ran out, so some orders were rejected',
    );
    assert.ok(confirmedQty <= 120);

    const catalog = await eventually('catalog reachable', async () => {
      const r = await call<Array<{ productId: string; stock: number }>>(
        `${G}/catalog-service/catalogs`,
      );
      return r.status === 200 ? r.body : undefined;
    });
    assert.equal(
      catalog.find((p) => p.productId === 'CATALOG-003')?.stock,
      120 - confirmedQty,
      'stock moved by exactly the confirmed quantity',
    );

    // The catalog decided each order once, and published one outcome per order.
    const db = new Database(join(dataDir, 'catalog-service.db'), { readonly: true });
    t.after(() => db.close());
    const decisions = db
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT order_id) AS d FROM stock_reservations')
      .get() as { n: number; d: number };
    assert.equal(decisions.n, placed.length);
    assert.equal(decisions.d, placed.length);
  },
);
