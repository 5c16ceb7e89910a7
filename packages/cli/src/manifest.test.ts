import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isStratusError } from '@stratus/core';
import {
  defaultManifest,
  loadManifest,
  manifestTemplate,
  parseManifest,
  REPO_ROOT,
  type StackManifest,
} from './manifest.js';
import { applyOverrides, planLaunch, preflightProblems } from './internal/plan.js';
import { splitCommand } from './internal/manifest-parse.js';

const source = { file: 'stratus.yml', baseDir: '/project' };

/** The problems of an invalid manifest (fails the test when it is valid). */
function problemsOf(text: string): string[] {
  try {
    parseManifest(text, source);
  } catch (error) {
    assert.ok(isStratusError(error), String(error));
    assert.equal(error.code, 'CLI_ERR_INVALID_MANIFEST');
    return error.details.problems as string[];
  }
  assert.fail('expected the manifest to be rejected');
}

test('a cycle in depends-on stops start-up, naming the file, the key and the cycle', () => {
  const problems = problemsOf(`processes:
  a:
    entry: a.js
    depends-on: [b]
  b:
    entry: b.js
    depends-on: [c]
  c:
    entry: c.js
    depends-on: [a]
`);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0]!,
    /^stratus\.yml:\d+ processes\.a\.depends-on: expected no cycle, found a → b → c → a$/,
  );
});

test('a process depending on itself is a cycle', () => {
  const [problem] = problemsOf('processes:\n  a:\n    entry: a.js\n    depends-on: a\n');
  assert.match(problem!, /processes\.a\.depends-on: expected no cycle, found a → a/);
});

test('a duplicate port is rejected with both owners named', () => {
  const problems = problemsOf(`processes:
  gateway:
    server: gateway
  other:
    command: java -jar other.jar
    port: 8000
`);
  assert.deepEqual(problems, [
    "stratus.yml:6 processes.other.port: expected a port of its own, 8000 is also gateway's",
  ]);
});

test('a fixed port with several instances is rejected', () => {
  const [problem] = problemsOf(
    'processes:\n  a:\n    entry: a.js\n    port: 9000\n    instances: 2\n',
  );
  assert.match(problem!, /processes\.a\.port: expected port 0 with instances: 2/);
});

test('an unknown key is rejected with its line and the keys expected, and a look-alike is named', () => {
  const problems = problemsOf(`processes:
  a:
    entry: a.js
    depends_on: [b]
  b:
    entry: b.js
    colour: red
services: {}
`);
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /^stratus\.yml:8 services: unknown key; expected one of processes$/);
  assert.match(
    problems[1]!,
    /^stratus\.yml:4 processes\.a\.depends_on: unknown key \(did you mean `depends-on`\?\); expected one of server, entry, command/,
  );
  assert.match(problems[2]!, /^stratus\.yml:7 processes\.b\.colour: unknown key;/);
});

test('a process without entry, command or server is rejected; so is one with two of them', () => {
  const problems = problemsOf(`processes:
  a:
    port: 9000
  b:
    entry: b.js
    command: node b.js
`);
  assert.match(
    problems[0]!,
    /processes\.a: expected one of `entry` \(a JavaScript file\), `command`/,
  );
  assert.match(problems[1]!, /processes\.b: expected only one of `entry`, `command`/);
});

test('wrong types are each reported, all at once', () => {
  const problems = problemsOf(`processes:
  a:
    entry: src/main.ts
  b:
    server: eureka
  c:
    command: []
    port: 70000
    instances: 0
    restart: sometimes
    environment: { "1BAD": x, GOOD: { nested: true } }
    health: actuator/health
  d:
    entry: d.js
    depends-on: [nobody]
`);
  const text = problems.join('\n');
  assert.match(text, /processes\.a\.entry: expected a JavaScript file; Node runs compiled code/);
  assert.match(
    text,
    /processes\.b\.server: expected one of registry, config-server, gateway, got "eureka"/,
  );
  assert.match(text, /processes\.c\.command: expected an executable and its arguments/);
  assert.match(text, /processes\.c\.port: expected an integer from 0 to 65535, got 70000/);
  assert.match(text, /processes\.c\.instances: expected an integer from 1 to 32, got 0/);
  assert.match(
    text,
    /processes\.c\.restart: expected one of always, on-failure, no, got "sometimes"/,
  );
  assert.match(text, /processes\.c\.environment\.1BAD: expected a variable name/);
  assert.match(text, /processes\.c\.environment\.GOOD: expected a string, number or boolean/);
  assert.match(
    text,
    /processes\.c\.health: expected a path starting with \/, an http\(s\) URL, or false/,
  );
  // Cross-checks wait until each process is valid on its own.
  assert.doesNotMatch(text, /nobody/);
});

test('depends-on naming an unknown process is rejected with the known names', () => {
  const [problem] = problemsOf('processes:\n  a:\n    entry: a.js\n    depends-on: [nobody]\n');
  assert.match(
    problem!,
    /processes\.a\.depends-on\.0: unknown process 'nobody'; expected one of a/,
  );
});

test('YAML syntax errors and duplicate keys are reported with their line', () => {
  assert.match(
    problemsOf('processes:\n  a:\n    entry: a.js\n  a:\n    entry: b.js\n')[0]!,
    /^stratus\.yml:4: Map keys must be unique/,
  );
  assert.match(problemsOf('processes: [\n')[0]!, /^stratus\.yml:\d+: /);
  assert.match(problemsOf('')[0]!, /^stratus\.yml: expected a mapping with a `processes:` key/);
});

test('prototype-polluting names are not process names', () => {
  const [problem] = problemsOf('processes:\n  __proto__:\n    entry: a.js\n');
  assert.match(problem!, /processes\.__proto__: expected a process name/);
  assert.equal(({} as Record<string, unknown>).entry, undefined);
});

test('a valid manifest is typed, defaulted and frozen', () => {
  const manifest = parseManifest(
    `processes:
  registry:
    server: registry
  hello:
    entry: hello/main.js
    depends-on: registry
    instances: 2
    environment: { GREETING: Hi, RETRIES: 3, ENABLED: true }
    restart: always
    max-restarts: 2
    restart-window-seconds: 10
  legacy:
    command: java "-Dname=a b" -jar legacy.jar
    port: 9001
    health: false
    working-dir: legacy
`,
    source,
  );
  const [registry, hello, legacy] = manifest.processes;
  assert.deepEqual(registry!.run, { kind: 'server', server: 'registry' });
  assert.equal(registry!.port, 8761);
  assert.equal(registry!.health, '/actuator/health');
  assert.deepEqual(hello!.run, { kind: 'entry', entry: '/project/hello/main.js' });
  assert.equal(hello!.port, 0);
  assert.deepEqual(hello!.dependsOn, ['registry']);
  assert.deepEqual(hello!.environment, { GREETING: 'Hi', RETRIES: '3', ENABLED: 'true' });
  assert.equal(hello!.restart, 'always');
  assert.equal(hello!.restartWindowMs, 10_000);
  assert.deepEqual(legacy!.run, {
    kind: 'command',
    command: ['java', '-Dname=a b', '-jar', 'legacy.jar'],
  });
  assert.equal(legacy!.health, null);
  assert.equal(legacy!.restart, 'on-failure');
  assert.equal(legacy!.workingDir, '/project/legacy');
  assert.ok(
    Object.isFrozen(manifest) && Object.isFrozen(manifest.processes) && Object.isFrozen(hello),
  );
  assert.throws(() => (hello!.dependsOn as string[]).push('x'));
});

test('commands split on whitespace and quotes, never through a shell', () => {
  assert.deepEqual(splitCommand(`java -jar 'my app.jar' "--x=a b" $HOME;rm`), [
    'java',
    '-jar',
    'my app.jar',
    '--x=a b',
    '$HOME;rm',
  ]);
});

test('the default manifest is the platform plus the sample shop, and init writes the same stack', () => {
  const manifest = defaultManifest();
  assert.deepEqual(
    manifest.processes.map((p) => [p.name, p.port]),
    [
      ['discovery-service', 8761],
      ['config-service', 8888],
      ['user-service', 0],
      ['catalog-service', 0],
      ['order-service', 0],
      ['apigateway-service', 8000],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'stratus-init-'));
  try {
    writeFileSync(join(dir, 'stratus.yml'), manifestTemplate(dir));
    const written = loadManifest(join(dir, 'stratus.yml'));
    assert.deepEqual(
      written.processes.map((p) => [p.name, p.run, p.port, p.dependsOn]),
      manifest.processes.map((p) => [p.name, p.run, p.port, p.dependsOn]),
    );
    const configRepoOf = (m: StackManifest) => {
      const spec = m.processes.find((p) => p.name === 'config-service')!;
      const arg = spec.args.find((a) => a.includes('search-locations=file:'))!;
      return resolve(spec.workingDir, arg.split('=file:')[1]!);
    };
    assert.equal(configRepoOf(written), configRepoOf(manifest));
    assert.equal(configRepoOf(manifest), resolve(REPO_ROOT, 'config-repo'));
    assert.match(readFileSync(join(dir, 'stratus.yml'), 'utf8'), /# hello-service:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('command-line overrides are checked like the file: unknown names, colliding ports', () => {
  const manifest: StackManifest = defaultManifest();
  const problemsOfOverrides = (overrides: Parameters<typeof applyOverrides>[1]) => {
    try {
      applyOverrides(manifest, overrides);
    } catch (error) {
      assert.ok(isStratusError(error));
      return error.details.problems as string[];
    }
    return [];
  };
  assert.deepEqual(problemsOfOverrides({ instances: { 'ordr-service': 2 } }), [
    "--instances: unknown process 'ordr-service'; expected one of discovery-service, config-service, user-service, catalog-service, order-service, apigateway-service",
  ]);
  assert.match(
    problemsOfOverrides({ registryPort: 8000 })[0]!,
    /apigateway-service\.port: expected a port of its own, 8000 is also discovery-service's/,
  );
  assert.match(problemsOfOverrides({ only: ['nobody'] })[0]!, /--only: unknown process 'nobody'/);
  const only = applyOverrides(manifest, {
    only: ['user-service'],
    instances: { 'user-service': 3 },
  });
  assert.deepEqual(
    only.processes.map((p) => [p.name, p.instances]),
    [
      ['discovery-service', 1],
      ['config-service', 1],
      ['user-service', 3],
    ],
  );
});

test('a registry opens for fetches at once on its first start and keeps the empty-start wait on restarts', () => {
  const launches = planLaunch(defaultManifest(), {
    dataDir: '/data',
    flags: ['--user.flag=1'],
    cliPath: '/cli/stratus.js',
    launcherPid: 1,
    env: {},
  });
  const registry = launches.find((l) => l.spec.name === 'discovery-service')!;
  const wait = '--eureka.server.wait-time-in-ms-when-sync-empty=0';
  assert.ok(!registry.args.includes(wait), 'restarts keep the configured wait');
  assert.ok(registry.firstStartArgs.includes(wait));
  // The user's own flags come after, so they still win on the first start.
  assert.ok(
    registry.firstStartArgs.indexOf(wait) < registry.firstStartArgs.indexOf('--user.flag=1'),
  );
  for (const other of launches.filter((l) => l !== registry))
    assert.deepEqual(other.firstStartArgs, []);
});

test("the gateway starts with the gateway's Node options before the stratus command; other servers without", () => {
  const launches = planLaunch(defaultManifest(), {
    dataDir: '/data',
    flags: [],
    cliPath: '/cli/stratus.js',
    launcherPid: 1,
    env: {},
  });
  const gateway = launches.find((l) => l.spec.name === 'apigateway-service')!;
  assert.deepEqual(gateway.args.slice(0, 3), ['--no-memory-reducer', '/cli/stratus.js', 'gateway']);
  const registry = launches.find((l) => l.spec.name === 'discovery-service')!;
  assert.deepEqual(registry.args.slice(0, 2), ['/cli/stratus.js', 'registry']);
  assert.deepEqual(
    preflightProblems(
      launches.filter((l) => l === gateway),
      'stratus.yml',
    ),
    [
      'stratus.yml processes.apigateway-service.server: the stratus command is missing at /cli/stratus.js',
    ],
  );
});

test('a Spring jar gets the registry both as EUREKA_CLIENT_SERVICEURL_DEFAULTZONE and by its dotted name', () => {
  const manifest = parseManifest(
    `processes:
  registry:
    server: registry
  config:
    server: config-server
  legacy:
    command: java -jar legacy.jar
    port: 9001
    depends-on: registry
`,
    source,
  );
  const launches = planLaunch(manifest, {
    dataDir: '/data',
    flags: [],
    cliPath: '/cli/stratus.js',
    launcherPid: 1,
    env: {},
  });
  const legacy = launches.find((l) => l.spec.name === 'legacy')!;
  const zone = 'http://127.0.0.1:8761/eureka/';
  // Relaxed binding makes the upper-case form the map key 'defaultzone', which Spring Cloud
  // Netflix never reads; the dotted name keeps 'defaultZone'.
  assert.equal(legacy.env.EUREKA_CLIENT_SERVICEURL_DEFAULTZONE, zone);
  assert.equal(legacy.env['eureka.client.serviceUrl.defaultZone'], zone);
  assert.equal(legacy.env.SPRING_CONFIG_IMPORT, 'optional:configserver:http://127.0.0.1:8888');
  assert.equal(legacy.env.SERVER_PORT, '9001');
  const registry = launches.find((l) => l.spec.name === 'registry')!;
  assert.equal(
    registry.env['eureka.client.serviceUrl.defaultZone'],
    undefined,
    'Stratus gets flags',
  );
});
