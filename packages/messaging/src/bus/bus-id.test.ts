import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBusId } from './bus-id.js';

const lookup = (properties: Record<string, string>) => (key: string) => properties[key];

test("builds Spring's default bus id: application name, port, 32 random hex characters", () => {
  const id = defaultBusId(lookup({ 'spring.application.name': 'customers', 'server.port': '0' }), {
    localPort: 9000,
  });
  assert.match(id, /^customers:9000:[0-9a-f]{32}$/);
  assert.notEqual(
    id,
    defaultBusId(lookup({ 'spring.application.name': 'customers' }), { localPort: 9000 }),
  );
});

test('puts the active profiles after the name when spring.profiles.active has text', () => {
  const id = defaultBusId(
    lookup({ 'spring.application.name': 'customers', 'spring.profiles.active': 'dev,mysql' }),
    { localPort: 9000, random: 'r' },
  );
  assert.equal(id, 'customers:dev,mysql:9000:r');
});

test('falls back as the placeholders do: spring.application.index, server.port, 8080, application', () => {
  assert.equal(defaultBusId(lookup({}), { random: 'r' }), 'application:8080:r');
  assert.equal(
    defaultBusId(lookup({ 'server.port': '7000' }), { random: 'r' }),
    'application:7000:r',
  );
  assert.equal(
    defaultBusId(lookup({ 'spring.application.index': '3', 'server.port': '7000' }), {
      localPort: 1,
      random: 'r',
    }),
    'application:3:r',
  );
});

test('Cloud Foundry values win over the others', () => {
  const id = defaultBusId(
    lookup({
      'vcap.application.name': 'cf-app',
      'vcap.application.instance_index': '2',
      'vcap.application.instance_id': 'guid',
      'spring.application.name': 'customers',
      'spring.profiles.active': 'dev',
    }),
    { localPort: 9000 },
  );
  assert.equal(id, 'cf-app:2:guid');
});
