// Supervision (issue 8): each kind of child killed with SIGKILL — a service, the registry,
// the config server, the gateway — is logged at once, restarted (on its fixed port where it
// has one) and healthy again, and the shop works afterwards. Also `--instances`: two
// order-services that the gateway balances across. Prints crash → healthy-again times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { startStack, type ProcessState, type Stack } from '@stratus/cli';
import { call, eventually, freePort, tempDir } from './support.js';
import { CLI } from './launcher-support.js';

/** Requests to `/actuator/health` an order-service instance has served (its own metrics). */
async function healthRequestsServed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/actuator/prometheus`)).text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_server_requests_seconds_count{') && l.includes('uri="/actuator/health"'),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function stateOf(stack: Stack, id: string): ProcessState {
  return stack.status().find((p) => p.id === id)!;
}

test(
  'supervision restarts every kind of child killed with SIGKILL, and the shop works afterwards',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = await tempDir(t, 'stratus-supervision-');
    const output = new PassThrough();
    const lines: string[] = [];
    createInterface({ input: output }).on('line', (line) => lines.push(line));
    const stack = await startStack({
      dataDir,
      output,
      registryPort: await freePort(),
      configPort: await freePort(),
      gatewayPort: await freePort(),
      instances: { 'order-service': 2 },
      // Dev-speed Eureka: instances re-register within a second after the registry restarts.
      flags: [
        '--eureka.instance.lease-renewal-interval-in-seconds=1',
        '--eureka.client.registry-fetch-interval-seconds=1',
      ],
    });
    t.after(() => stack.stop());
    const G = stack.urls.gateway;

    await t.test(
      '--instances order-service=2 runs two order-services that the gateway balances across',
      async () => {
        const ports = ['order-service', 'order-service#2'].map(
          (id) => stack.processes.get(id)?.port,
        );
        assert.ok(ports[0] && ports[1] && ports[0] !== ports[1], `ports ${ports.join(', ')}`);
        await eventually(
          'both instances registered',
          async () => {
            const apps = await call<{ application: { instance: Array<{ port: { $: number } }> } }>(
              `${stack.urls.registry}/eureka/apps/ORDER-SERVICE`,
              { headers: { accept: 'application/json' } },
            );
            const registered = apps.body.application?.instance.map((i) => i.port.$) ?? [];
            return ports.every((p) => registered.includes(p!)) ? true : undefined;
          },
          30_000,
        );
        const before = await Promise.all(ports.map((p) => healthRequestsServed(p!)));
        const served = await eventually(
          'requests through the gateway reach both instances',
          async () => {
            for (let i = 0; i < 10; i++) {
              const r = await fetch(`${G}/order-service/actuator/health`);
              await r.body?.cancel();
            }
            const now = await Promise.all(ports.map((p) => healthRequestsServed(p!)));
            const deltas = now.map((n, i) => n - before[i]!);
            return deltas.every((d) => d > 0) ? deltas : undefined;
          },
          30_000,
        );
        t.diagnostic(`gateway → order-service instances: ${served.join(' / ')} requests`);
      },
    );

    const kinds = ['catalog-service', 'discovery-service', 'config-service', 'apigateway-service'];
    const figures: string[] = [];
    for (const id of kinds) {
      await t.test(`${id} killed with SIGKILL is logged, restarted and healthy again`, async () => {
        const before = stateOf(stack, id);
        assert.equal(before.status, 'healthy');
        const killedAt = performance.now();
        process.kill(before.pid!, 'SIGKILL');
        const after = await eventually(
          `${id} healthy again`,
          async () => {
            const state = stateOf(stack, id);
            return state.status === 'healthy' && state.restarts === before.restarts + 1
              ? state
              : undefined;
          },
          60_000,
        );
        const healthyMs = performance.now() - killedAt;
        assert.notEqual(after.pid, before.pid);
        assert.equal(after.lastExit?.signal, 'SIGKILL');
        if (id !== 'catalog-service')
          assert.equal(after.port, before.port, 'back on its fixed port');
        const log = lines.join('\n');
        assert.match(
          log,
          new RegExp(`WARN {2}process exited process=${id} code=null signal=SIGKILL`),
        );
        assert.match(log, new RegExp(`INFO {2}process healthy again process=${id} `));
        let figure = `${id}: crash → healthy again ${healthyMs.toFixed(0)} ms`;
        if (id === 'catalog-service' || id === 'apigateway-service') {
          await eventually(
            'routed again',
            async () => {
              const r = await fetch(`${G}/catalog-service/catalogs`);
              await r.body?.cancel();
              return r.status === 200 ? true : undefined;
            },
            30_000,
          );
          figure += `, routed through the gateway again ${(performance.now() - killedAt).toFixed(0)} ms`;
        }
        figures.push(figure);
        t.diagnostic(figure);
      });
    }

    await t.test(
      'the shop flow passes afterwards: sign-up → login → order → CONFIRMED',
      async () => {
        const email = `after-crashes-${Date.now()}@example.com`;
        const signup = await eventually(
          'sign-up routed',
          async () => {
            const r = await call<{ userId: string }>(`${G}/user-service/users`, {
              json: { email, name: 'After Crashes', pwd: 'after crashes pwd' },
            });
            return r.status === 201 ? r : undefined;
          },
          30_000,
        );
        const login = await call<{ token: string }>(`${G}/user-service/login`, {
          json: { email, password: 'after crashes pwd' },
        });
        assert.equal(login.status, 200);
        const auth = { authorization: `Bearer ${login.body.token}` };
        const userId = signup.body.userId;
        const order = await call<{ orderId: string }>(`${G}/order-service/${userId}/orders`, {
          json: { productId: 'CATALOG-001', qty: 2, unitPrice: 1500 },
          headers: auth,
        });
        assert.equal(order.status, 201, JSON.stringify(order.body));
        await eventually(
          'order confirmed',
          async () => {
            const list = await call<Array<{ orderId: string; status: string }>>(
              `${G}/order-service/${userId}/orders`,
              { headers: auth },
            );
            return list.body.find?.((o) => o.orderId === order.body.orderId)?.status === 'CONFIRMED'
              ? true
              : undefined;
          },
          30_000,
        );
      },
    );

    await t.test('stratus status shows the restarts', () => {
      const text = execFileSync(process.execPath, [CLI, 'status', `--data-dir=${dataDir}`], {
        encoding: 'utf8',
      });
      for (const id of kinds)
        assert.match(text, new RegExp(`^${id} +healthy +\\d+ +\\d+ +1 +SIGKILL at`, 'm'));
      assert.match(text, /^order-service#2 +healthy +\d+ +\d+ +0 +-$/m);
    });
    t.diagnostic(`crash → healthy again: ${figures.join('; ')}`);
  },
);
